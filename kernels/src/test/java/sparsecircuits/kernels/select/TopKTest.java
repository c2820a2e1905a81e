package sparsecircuits.kernels.select;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.quicktheories.generators.SourceDSL.integers;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.quicktheories.QuickTheory;
import sparsecircuits.kernels.select.TopK.Neurons;

/**
 * {@link TopK} is index work: exact equality with a sort-based oracle that orders by (|w| desc, index asc).
 */
class TopKTest {
    private static long seed() {
        return Long.getLong("sparsecircuits.test.seed", 0x5eed_c1c0L);
    }

    private static SplittableRandom rnd(long salt) {
        return new SplittableRandom(seed() * 0x9E3779B97F4A7C15L + salt);
    }

    // ------------------------------------------------------------------ oracle

    /** Sort key: magnitude descending, then index ascending (as one long, so a primitive sort does it). */
    private static long key(float v, int index) {
        long mag = Float.floatToRawIntBits(v) & 0x7fffffffL;
        return ((0x7fffffffL - mag) << 32) | index;
    }

    /** The k indices of largest |w| (lower index on ties), ascending. */
    static int[] oracleTopK(float[] w, int off, int n, int k) {
        long[] keys = new long[n];
        for (int i = 0; i < n; i++) keys[i] = key(w[off + i], i);
        Arrays.sort(keys);
        int[] out = new int[k];
        for (int q = 0; q < k; q++) out[q] = (int) keys[q];
        Arrays.sort(out);
        return out;
    }

    /** Indices (flat) of each neuron's min(j, size) largest, then the global top among the rest, ascending. */
    static int[] oracleWithMinimum(float[] w, int rows, int cols, int k, int j, Neurons neurons) {
        int n = rows * cols;
        boolean[] forced = new boolean[n];
        int nForced = 0;
        if (neurons != Neurons.NONE && j > 0) {
            int count = neurons == Neurons.ROWS ? rows : cols;
            int size = neurons == Neurons.ROWS ? cols : rows;
            for (int u = 0; u < count; u++) {
                long[] keys = new long[size];
                for (int e = 0; e < size; e++) {
                    int flat = neurons == Neurons.ROWS ? u * cols + e : e * cols + u;
                    keys[e] = key(w[flat], e); // ties inside a neuron: lower position (column / row) wins
                }
                Arrays.sort(keys);
                for (int q = 0; q < Math.min(j, size); q++) {
                    int e = (int) keys[q];
                    int flat = neurons == Neurons.ROWS ? u * cols + e : e * cols + u;
                    forced[flat] = true;
                    nForced++;
                }
            }
        }
        long[] rest = new long[n - nForced];
        int m = 0;
        for (int i = 0; i < n; i++) if (!forced[i]) rest[m++] = key(w[i], i);
        Arrays.sort(rest);
        int[] out = new int[k];
        int q = 0;
        for (int i = 0; i < n; i++) if (forced[i]) out[q++] = i;
        for (int e = 0; q < k; e++) out[q++] = (int) rest[e];
        Arrays.sort(out);
        return out;
    }

    // ------------------------------------------------------------------ data with ties

    /** Value families: random, few distinct magnitudes (many ties, ± equal magnitude), all equal, zeros, mixed. */
    static float[] values(SplittableRandom r, int n, int family) {
        float[] w = new float[n];
        for (int i = 0; i < n; i++) {
            w[i] = switch (family) {
                case 0 -> (float) r.nextGaussian();
                case 1 -> (r.nextBoolean() ? 1 : -1) * (float) r.nextInt(4) * 0.5f; // ties, ±x, ±0
                case 2 -> 0.75f;
                case 3 -> r.nextBoolean() ? 0f : -0f;
                case 4 -> (r.nextBoolean() ? -1 : 1) * 0.75f;
                default -> r.nextInt(8) == 0 ? (float) r.nextGaussian() * 1e-30f
                        : r.nextInt(8) == 0 ? Float.POSITIVE_INFINITY * (r.nextBoolean() ? 1 : -1)
                        : (float) r.nextGaussian() * 1e20f;
            };
        }
        return w;
    }

    static final int FAMILIES = 6;

    private static void checkSelect(float[] w, int off, int n, int k, String ctx) {
        int outOff = 3;
        int[] out = new int[outOff + k + 2];
        Arrays.fill(out, -777);
        float[] copy = w.clone();
        TopK.select(w, off, n, k, out, outOff);
        int[] expected = oracleTopK(w, off, n, k);
        assertArrayEquals(expected, Arrays.copyOfRange(out, outOff, outOff + k), ctx);
        for (int i = 0; i < outOff; i++) if (out[i] != -777) fail(ctx + ": wrote before outOff");
        for (int i = outOff + k; i < out.length; i++) if (out[i] != -777) fail(ctx + ": wrote past k");
        assertArrayEquals(copy, w, ctx + ": w modified");
    }

    @Test
    void selectEdgeCases() {
        for (int n : new int[] {0, 1, 2, 3, 7, 16, 17, 100, 2049}) {
            for (int family = 0; family < FAMILIES; family++) {
                SplittableRandom r = rnd(n * 10L + family);
                int off = n % 5;
                float[] data = values(r, n, family);
                float[] w = new float[off + n + 3];
                Arrays.fill(w, 1e30f); // out-of-range elements would win if read
                System.arraycopy(data, 0, w, off, n);
                List<Integer> ks = new ArrayList<>(List.of(0, 1, n - 1, n, n / 2, n / 3));
                for (int k : ks) {
                    if (k < 0 || k > n) continue;
                    checkSelect(w, off, n, k, "n=" + n + " k=" + k + " family=" + family + " off=" + off + " seed=" + seed());
                }
            }
        }
    }

    @Test
    void tiesGoToTheLowerIndex() {
        float[] w = {1f, -2f, 2f, 0f, -2f, 2f, -0f, 1f};
        int[] out = new int[3];
        TopK.select(w, 0, w.length, 3, out, 0);
        assertArrayEquals(new int[] {1, 2, 4}, out, "|−2| = |2|: the three lowest indices among the 2s");
        out = new int[6];
        TopK.select(w, 0, w.length, 6, out, 0);
        assertArrayEquals(new int[] {0, 1, 2, 4, 5, 7}, out);
        out = new int[7];
        TopK.select(w, 0, w.length, 7, out, 0);
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 7}, out, "+0 (index 3) beats −0 (index 6) only by index");
    }

    @Test
    void selectRandomProperty() {
        QuickTheory.qt().withFixedSeed(seed()).withExamples(200).withShrinkCycles(200)
                .forAll(integers().between(0, 300), integers().between(0, 300), integers().between(0, FAMILIES - 1), integers().between(0, 9))
                .checkAssert((n, kRaw, family, off) -> {
                    long salt = ((n * 301L + kRaw) * FAMILIES + family) * 10 + off;
                    int k = n == 0 ? 0 : kRaw % (n + 1);
                    float[] w = new float[off + n];
                    System.arraycopy(values(rnd(salt), n, family), 0, w, off, n);
                    checkSelect(w, off, n, k, "n=" + n + " k=" + k + " family=" + family + " off=" + off + " seed=" + seed() + "/" + salt);
                });
    }

    @Test
    void selectOneMillionAgainstSort() {
        int n = 1 << 20;
        SplittableRandom r = rnd(1 << 20);
        float[] w = new float[n];
        for (int i = 0; i < n; i++) {
            // Gaussian with a coarse grid of magnitudes mixed in, so the threshold bucket holds many ties.
            w[i] = r.nextInt(4) == 0 ? (r.nextInt(64) - 32) / 16f : (float) r.nextGaussian();
        }
        for (int k : new int[] {1, n / 64, n / 4 + 7, n - 1}) {
            int[] out = new int[k];
            TopK.select(w, 0, n, k, out, 0);
            assertArrayEquals(oracleTopK(w, 0, n, k), out, "n=" + n + " k=" + k + " seed=" + seed());
        }
    }

    @Test
    void selectRejectsBadArguments() {
        float[] w = new float[10];
        assertIae("k", () -> TopK.select(w, 0, 10, 11, new int[11], 0));
        assertIae("k", () -> TopK.select(w, 0, 10, -1, new int[11], 0));
        assertIae("n", () -> TopK.select(w, 0, -1, 0, new int[1], 0));
        assertIae("w", () -> TopK.select(w, 1, 10, 1, new int[1], 0));
        assertIae("w", () -> TopK.select(null, 0, 1, 1, new int[1], 0));
        assertIae("out", () -> TopK.select(w, 0, 10, 4, new int[4], 1));
        assertIae("out", () -> TopK.select(w, 0, 10, 4, null, 0));
    }

    private static void assertIae(String name, Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage() != null && e.getMessage().matches("(?s).*(^|[^A-Za-z0-9_])" + name + "([^A-Za-z0-9_]|$).*"),
                "message should name '" + name + "': " + e.getMessage());
    }

    // ------------------------------------------------------------------ minimum per neuron

    /**
     * keepTopK keeps the same set as selectWithMinimum and leaves w as applying it afterwards would: kept entries
     * multiplied by the scale (one rounded product), every other entry +0, nothing outside the block touched.
     */
    private static void checkKeep(float[] w, int off, int rows, int cols, int k, int j, Neurons neurons, float scale,
                                  int[] expected, String ctx) {
        int n = rows * cols;
        float[] a = w.clone();
        int[] out = new int[k];
        TopK.keepTopK(a, off, rows, cols, k, j, neurons, scale, out, 0);
        assertArrayEquals(expected, out, ctx + " keepTopK scale=" + scale);
        boolean[] kept = new boolean[n];
        for (int f : expected) kept[f] = true;
        for (int i = 0; i < a.length; i++) {
            float want = i < off || i >= off + n ? w[i] : kept[i - off] ? w[i] * scale : 0f;
            if (Float.floatToRawIntBits(want) != Float.floatToRawIntBits(a[i])) {
                fail(ctx + " keepTopK scale=" + scale + ": w[" + i + "] = " + a[i] + ", want " + want);
            }
        }
    }

    private static void checkWithMinimum(float[] w, int off, int rows, int cols, int k, int j, Neurons neurons, String ctx) {
        int n = rows * cols;
        float[] block = Arrays.copyOfRange(w, off, off + n);
        int[] out = new int[k + 4];
        Arrays.fill(out, -5);
        TopK.selectWithMinimum(w, off, rows, cols, k, j, neurons, out, 2);
        int[] got = Arrays.copyOfRange(out, 2, 2 + k);
        int[] expected = oracleWithMinimum(block, rows, cols, k, j, neurons);
        assertArrayEquals(expected, got, ctx);
        if (out[0] != -5 || out[1] != -5 || out[k + 2] != -5 || out[k + 3] != -5) fail(ctx + ": wrote outside out[2, 2 + k)");
        for (float scale : new float[] {1f, 0.9990005f}) checkKeep(w, off, rows, cols, k, j, neurons, scale, expected, ctx);
        // Independent invariants: ascending, and every neuron keeps at least min(j, size).
        for (int q = 1; q < k; q++) if (got[q - 1] >= got[q]) fail(ctx + ": output not strictly ascending");
        if (neurons != Neurons.NONE) {
            int count = neurons == Neurons.ROWS ? rows : cols;
            int size = neurons == Neurons.ROWS ? cols : rows;
            int[] per = new int[count];
            for (int f : got) per[neurons == Neurons.ROWS ? f / cols : f % cols]++;
            for (int u = 0; u < count; u++) {
                if (per[u] < Math.min(j, size)) fail(ctx + ": neuron " + u + " kept " + per[u] + " < min(j, size)");
            }
        }
    }

    @Test
    void withMinimumHandPicked() {
        // 3x4, ROWS, j=1: row 2 is tiny but keeps its largest (col 1, ties to lower col among |0.1|).
        float[] w = {
            9f, 8f, 7f, 6f,
            5f, -9f, 4f, 3f,
            0.01f, -0.1f, 0.1f, 0f};
        int[] out = new int[4];
        TopK.selectWithMinimum(w, 0, 3, 4, 4, 1, Neurons.ROWS, out, 0);
        assertArrayEquals(new int[] {0, 1, 5, 9}, out);
        // COLUMNS, j=1 with k=4: each column's largest: col0 row0 (9), col1 row1 (-9), col2 row0 (7), col3 row0 (6).
        TopK.selectWithMinimum(w, 0, 3, 4, 4, 1, Neurons.COLUMNS, out, 0);
        assertArrayEquals(new int[] {0, 2, 3, 5}, out);
        // NONE ignores j.
        TopK.selectWithMinimum(w, 0, 3, 4, 4, 3, Neurons.NONE, out, 0);
        assertArrayEquals(new int[] {0, 1, 2, 5}, out);
    }

    @Test
    void withMinimumProperty() {
        QuickTheory.qt().withFixedSeed(seed()).withExamples(200).withShrinkCycles(200)
                .forAll(integers().between(0, 20), integers().between(0, 20), integers().between(0, 4), integers().between(0, 1_000_000))
                .checkAssert((rows, cols, j, pick) -> {
                    long salt = pick;
                    SplittableRandom r = rnd(salt);
                    Neurons neurons = Neurons.values()[r.nextInt(3)];
                    int family = r.nextInt(FAMILIES);
                    int n = rows * cols;
                    int count = neurons == Neurons.ROWS ? rows : neurons == Neurons.COLUMNS ? cols : 0;
                    int lo = (int) Math.min(n, (long) j * count);
                    if (neurons != Neurons.NONE && (long) j * count > n) {
                        return; // the rule cannot be met with k ≤ n; covered by the rejection test
                    }
                    int k = lo + r.nextInt(n - lo + 1);
                    int off = r.nextInt(4);
                    float[] w = new float[off + n + 2];
                    Arrays.fill(w, Float.MAX_VALUE);
                    System.arraycopy(values(r, n, family), 0, w, off, n);
                    checkWithMinimum(w, off, rows, cols, k, j, neurons, rows + "x" + cols + " k=" + k + " j=" + j + " " + neurons
                            + " family=" + family + " off=" + off + " seed=" + seed() + "/" + salt);
                });
    }

    @Test
    void withMinimumLargerCase() {
        int rows = 96, cols = 160;
        SplittableRandom r = rnd(96160);
        float[] w = values(r, rows * cols, 0);
        for (int i = 0; i < cols; i++) w[5 * cols + i] *= 1e-3f; // a quiet row
        for (int i = 0; i < rows; i++) w[i * cols + 7] *= 1e-3f; // a quiet column
        for (Neurons nr : Neurons.values()) {
            for (int j : new int[] {0, 1, 2, 4}) {
                int count = nr == Neurons.ROWS ? rows : cols;
                int k = Math.max(j * count, rows * cols / 16);
                checkWithMinimum(w, 0, rows, cols, k, j, nr, "96x160 j=" + j + " " + nr + " k=" + k);
            }
        }
    }

    /** At a million entries: the sampled window (no rule), the histogram taken by the forcing pass (rules), applied. */
    @Test
    void keepAtOneMillion() {
        int rows = 1024, cols = 1024;
        SplittableRandom r = rnd(1 << 20);
        float[] w = values(r, rows * cols, 0);
        for (int i = 0; i < rows * cols; i += 7) w[i] = 0f; // mostly-zero stretches, as after a previous top-k
        for (Neurons nr : Neurons.values()) {
            int k = rows * cols / 23, j = nr == Neurons.NONE ? 0 : 2;
            int[] expected = oracleWithMinimum(w, rows, cols, k, j, nr);
            checkKeep(w, 0, rows, cols, k, j, nr, 0.999f, expected, "1024x1024 " + nr);
        }
    }

    @Test
    void withMinimumRejectsImpossibleBudgetsAndBadArguments() {
        float[] w = new float[12];
        assertIae("j", () -> TopK.selectWithMinimum(w, 0, 3, 4, 5, 2, Neurons.ROWS, new int[5], 0)); // 2·3 = 6 > 5
        assertIae("k", () -> TopK.selectWithMinimum(w, 0, 3, 4, 7, 2, Neurons.COLUMNS, new int[7], 0)); // 2·4 = 8 > 7
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TopK.selectWithMinimum(w, 0, 3, 4, 7, 2, Neurons.COLUMNS, new int[7], 0));
        assertTrue(e.getMessage().contains("8") && e.getMessage().contains("7"), e.getMessage());
        assertIae("k", () -> TopK.selectWithMinimum(w, 0, 3, 4, 13, 0, Neurons.NONE, new int[13], 0));
        assertIae("k", () -> TopK.selectWithMinimum(w, 0, 3, 4, -1, 0, Neurons.NONE, new int[1], 0));
        assertIae("j", () -> TopK.selectWithMinimum(w, 0, 3, 4, 4, -1, Neurons.ROWS, new int[4], 0));
        assertIae("rows", () -> TopK.selectWithMinimum(w, 0, -3, 4, 0, 0, Neurons.ROWS, new int[4], 0));
        assertIae("cols", () -> TopK.selectWithMinimum(w, 0, 3, -4, 0, 0, Neurons.ROWS, new int[4], 0));
        assertIae("neurons", () -> TopK.selectWithMinimum(w, 0, 3, 4, 4, 1, null, new int[4], 0));
        assertIae("w", () -> TopK.selectWithMinimum(w, 1, 3, 4, 4, 1, Neurons.ROWS, new int[4], 0));
        assertIae("out", () -> TopK.selectWithMinimum(w, 0, 3, 4, 4, 1, Neurons.ROWS, new int[3], 0));
        // j larger than a neuron keeps the whole neuron when the budget allows it.
        int[] out = new int[12];
        TopK.selectWithMinimum(w, 0, 3, 4, 12, 4, Neurons.ROWS, out, 0);
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, out);
    }
}
