package sparsecircuits.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.quicktheories.generators.SourceDSL.integers;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** absTopKForward / absTopKBackward: exact index work against a sort oracle, exact value copies. */
class AbsTopKKernelTest {

    /** The k channels of largest |x| in one row, ties to the lower channel, ascending. */
    static int[] oracleRow(float[] x, int off, int d, int k) {
        Integer[] idx = new Integer[d];
        for (int c = 0; c < d; c++) idx[c] = c;
        Arrays.sort(idx, (a, b) -> {
            int cmp = Float.compare(Math.abs(x[off + b]), Math.abs(x[off + a]));
            return cmp != 0 ? cmp : Integer.compare(a, b);
        });
        int[] kept = new int[k];
        for (int q = 0; q < k; q++) kept[q] = idx[q];
        Arrays.sort(kept);
        return kept;
    }

    /** Row families: Gaussian, many ties, all equal, all zero, mostly zeros, zeros and ties. */
    static final int FAMILIES = 6;

    static float[] rowData(SplittableRandom r, int n, int family) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = switch (family) {
                case 0 -> (float) r.nextGaussian();
                case 1 -> (r.nextBoolean() ? 1 : -1) * r.nextInt(3) * 0.25f; // many ties, ±, ±0
                case 2 -> -1.5f; // all equal
                case 4 -> r.nextInt(10) == 0 ? (float) r.nextGaussian() : 0f; // mostly exact zeros, as at width
                case 5 -> r.nextInt(4) == 0 ? (r.nextBoolean() ? 0.75f : -0.002f) * (1 + r.nextInt(2)) : 0f; // zeros and ties
                default -> 0f;
            };
        }
        return x;
    }

    static void check(Kernels ks, int rows, int d, int k, int family, boolean inPlace, long salt) {
        String ctx = ks.name() + " rows=" + rows + " d=" + d + " k=" + k + " family=" + family + " inPlace=" + inPlace
                + " seed=" + Fixtures.seed() + "/" + salt;
        SplittableRandom r = Fixtures.rnd(salt);
        float[] data = rowData(r, rows * d, family);
        int xOff = (int) (salt % 4), yOff = inPlace ? xOff : (int) (salt % 3), kOff = (int) (salt % 5);
        float[] x = inPlace ? Fixtures.guardedOutput(data, xOff, 3) : Fixtures.guardedInput(data, xOff, 3);
        float[] y = inPlace ? x : Fixtures.guardedOutput(Fixtures.nanFilled(rows * d), yOff, 2);
        float[] xCopy = x.clone();
        int[] kept = new int[kOff + rows * k + 2];
        Arrays.fill(kept, -9);
        ks.absTopKForward(rows, d, k, x, xOff, y, yOff, kept, kOff);
        for (int i = 0; i < kOff; i++) if (kept[i] != -9) fail(ctx + ": kept written before keptOff");
        for (int i = kOff + rows * k; i < kept.length; i++) if (kept[i] != -9) fail(ctx + ": kept written past rows·k");
        Fixtures.assertGuards(y, yOff, rows * d, ctx);
        if (!inPlace) Fixtures.assertUnchanged(xCopy, x, "x", ctx);
        // without the kept indices (no backward follows): the same y, bit for bit
        float[] x2 = inPlace ? Fixtures.guardedOutput(data, xOff, 3) : x, y2 = inPlace ? x2 : Fixtures.guardedOutput(Fixtures.nanFilled(rows * d), yOff, 2);
        ks.absTopKForward(rows, d, k, x2, xOff, y2, yOff, null, 0);
        Fixtures.assertBitsEqual(Fixtures.slice(y, yOff, rows * d), Fixtures.slice(y2, yOff, rows * d), ctx + " without kept");
        for (int row = 0; row < rows; row++) {
            int[] expect = oracleRow(data, row * d, d, k);
            int[] got = Arrays.copyOfRange(kept, kOff + row * k, kOff + row * k + k);
            assertArrayEquals(expect, got, ctx + " row " + row);
            boolean[] isKept = new boolean[d];
            for (int c : expect) isKept[c] = true;
            for (int c = 0; c < d; c++) {
                float v = y[yOff + row * d + c];
                float src = data[row * d + c];
                if (isKept[c] ? Float.floatToRawIntBits(v) != Float.floatToRawIntBits(src) : v != 0f) {
                    fail(ctx + " row " + row + " channel " + c + (isKept[c] ? " kept" : " dropped") + ": y = " + v + ", x = " + src);
                }
            }
        }
        // backward: dx += dy on kept channels only, exactly
        float[] dy = Fixtures.guardedInput(Fixtures.randomFloats(r, rows * d, -1, 1), 1, 2);
        float[] dx0 = Fixtures.randomFloats(r, rows * d, -1, 1);
        float[] dx = Fixtures.guardedOutput(dx0, 2, 2);
        float[] dyCopy = dy.clone();
        int[] keptCopy = kept.clone();
        ks.absTopKBackward(rows, d, k, kept, kOff, dy, 1, dx, 2);
        Fixtures.assertGuards(dx, 2, rows * d, ctx + " backward");
        Fixtures.assertUnchanged(dyCopy, dy, "dy", ctx + " backward");
        assertArrayEquals(keptCopy, kept, ctx + " backward modified kept");
        for (int row = 0; row < rows; row++) {
            boolean[] isKept = new boolean[d];
            for (int q = 0; q < k; q++) isKept[kept[kOff + row * k + q]] = true;
            for (int c = 0; c < d; c++) {
                int i = row * d + c;
                float expect = isKept[c] ? dx0[i] + dy[1 + i] : dx0[i];
                if (Float.floatToRawIntBits(expect) != Float.floatToRawIntBits(dx[2 + i])) {
                    fail(ctx + " backward row " + row + " channel " + c + ": dx = " + dx[2 + i] + ", expected " + expect);
                }
            }
        }
        // the overwriting backward: every element written (NaN before), dy on the kept channels, +0 elsewhere
        float[] dxw = Fixtures.guardedOutput(Fixtures.nanFilled(rows * d), 2, 2);
        ks.absTopKBackwardOverwrite(rows, d, k, kept, kOff, dy, 1, dxw, 2);
        Fixtures.assertGuards(dxw, 2, rows * d, ctx + " overwriting backward");
        for (int row = 0; row < rows; row++) {
            boolean[] isKept = new boolean[d];
            for (int q = 0; q < k; q++) isKept[kept[kOff + row * k + q]] = true;
            for (int c = 0; c < d; c++) {
                int i = row * d + c;
                float expect = isKept[c] ? dy[1 + i] : 0f;
                if (Float.floatToRawIntBits(expect) != Float.floatToRawIntBits(dxw[2 + i])) {
                    fail(ctx + " overwriting backward row " + row + " channel " + c + ": dx = " + dxw[2 + i] + ", expected " + expect);
                }
            }
        }
    }

    /** The largest possible magnitude bits (a NaN with every payload bit set) tie at the top: lowest channels win. */
    @Test
    void tiesAtTheLargestMagnitudeBits() {
        Kernels ks = Fixtures.kernels();
        float top = Float.intBitsToFloat(0x7fffffff);
        for (int d : new int[] {64, 100, 1031}) {
            SplittableRandom r = Fixtures.rnd(d);
            float[] x = new float[d];
            for (int c = 0; c < d; c++) x[c] = (float) r.nextGaussian();
            int[] at = {5, 17, 40, 41, d - 1};
            for (int c : at) x[c] = top;
            for (int k : new int[] {2, 5, 7}) {
                float[] y = new float[d];
                int[] kept = new int[k];
                ks.absTopKForward(1, d, k, x, 0, y, 0, kept, 0);
                assertArrayEquals(oracleRow(x, 0, d, k), kept, ks.name() + " d=" + d + " k=" + k);
            }
        }
    }

    @Test
    void grid() {
        Kernels ks = Fixtures.kernels();
        long salt = 0;
        for (int d : new int[] {1, 3, 4, 5, 7, 8, 9, 15, 16, 17, 35, 64, 129, 256, 1031}) {
            for (int k : new int[] {0, 1, d / 4, d / 2, d - 1, d}) {
                if (k < 0) continue;
                for (int family = 0; family < FAMILIES; family++) {
                    for (boolean inPlace : new boolean[] {false, true}) {
                        check(ks, 1 + (int) (salt % 6), d, k, family, inPlace, salt++);
                    }
                }
            }
        }
    }

    @Test
    void property() {
        Kernels ks = Fixtures.kernels();
        Fixtures.qt(150).forAll(integers().between(0, 12), integers().between(1, 100), integers().between(0, 100), integers().between(0, 2 * FAMILIES - 1))
                .checkAssert((rows, d, kRaw, fam) -> check(ks, rows, d, kRaw % (d + 1), fam % FAMILIES, fam >= FAMILIES,
                        ((rows * 101L + d) * 101 + kRaw) * 8 + fam));
    }

    @Test
    void handPickedTies() {
        Kernels ks = Fixtures.kernels();
        float[] x = {0.5f, -1f, 1f, 0.25f, -0.5f, 1f, 0f, -0f};
        float[] y = new float[8];
        int[] kept = new int[4];
        ks.absTopKForward(1, 8, 4, x, 0, y, 0, kept, 0);
        assertArrayEquals(new int[] {0, 1, 2, 5}, kept, "|−1| = |1| = |1| then 0.5 beats −0.5 by channel");
        assertArrayEquals(new float[] {0.5f, -1f, 1f, 0f, 0f, 1f, 0f, 0f}, y, 0f); // either sign of zero
    }

    @Test
    void rejectsBadArguments() {
        Kernels ks = Fixtures.kernels();
        float[] x = new float[12];
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ks.absTopKForward(2, 6, 7, x, 0, x, 0, new int[14], 0));
        assertTrue(e.getMessage().contains("k") && e.getMessage().contains("7"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> ks.absTopKBackward(2, 6, 1, new int[] {0, 6}, 0, x, 0, x, 0));
        assertTrue(e.getMessage().contains("kept") && e.getMessage().contains("6"), "a kept channel ≥ d: " + e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> ks.absTopKBackward(2, 6, 1, new int[] {-1, 0}, 0, x, 0, x, 0));
        assertTrue(e.getMessage().contains("kept"), "a negative kept channel: " + e.getMessage());
    }
}
