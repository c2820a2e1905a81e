package sparsecircuits.kernels.select;

import sparsecircuits.kernels.ArgChecks;
import sparsecircuits.kernels.ThreadScratch;

/**
 * Exact top-k by |w| of a whole tensor, in expected (here: guaranteed) O(n): an MSD radix select on the
 * 31-bit magnitude of each float, never a full sort. Ties are broken by index (the lower index wins),
 * so the kept set is unique and deterministic. NaN ranks above +Inf (callers check finiteness first).
 *
 * <p>{@link #selectWithMinimum} adds the paper's minimum-per-neuron rule (SPEC §2.1): the j largest
 * entries of every neuron (a row or a column of the {@code [out × in]} matrix) are forced in, then the
 * rest of the budget goes to the largest remaining entries.
 */
public final class TopK {

    /** Which axis of an {@code [out × in]} weight is a "neuron" for the minimum-per-neuron rule. */
    public enum Neurons {
        /** No minimum. */
        NONE,
        /** Each output row keeps at least j inputs (c_fc, c_attn). */
        ROWS,
        /** Each input column keeps at least j outputs (mlp.c_proj, attn.c_proj). */
        COLUMNS
    }

    /** The key of a forced entry: above every magnitude (keys compare unsigned). */
    private static final int FORCED = -1;
    private static final int SCRATCH_CAND_KEYS = 3;
    private static final int SCRATCH_HIST = 1;
    private static final int SCRATCH_AUX = 2;

    private TopK() {
    }

    /**
     * Writes to {@code out[outOff, outOff + k)} the indices (relative to {@code off}, ascending) of the
     * k entries of {@code w[off, off + n)} with the largest |w|.
     */
    public static void select(float[] w, int off, int n, int k, int[] out, int outOff) {
        ArgChecks.nonNegative("n", n);
        ArgChecks.range("w", w, off, n);
        checkK(k, n);
        ArgChecks.range("out", out, outOff, k);
        selectKeys(w, off, null, n, k, out, outOff, ThreadScratch.ints(SCRATCH_HIST, 2048), false, false, 1f);
    }

    /**
     * Top-k of the {@code [rows × cols]} matrix at {@code off} with at least {@code min(j, neuron size)}
     * entries kept per neuron. Writes k ascending flat indices ({@code r·cols + c}).
     *
     * @throws IllegalArgumentException when j·neurons > k (the rule cannot be met; lower j)
     */
    public static void selectWithMinimum(float[] w, int off, int rows, int cols, int k, int j, Neurons neurons,
                                         int[] out, int outOff) {
        select(w, off, rows, cols, k, j, neurons, out, outOff, false, 1f);
    }

    /**
     * {@link #selectWithMinimum}, then the selection applied to w: every entry outside the kept set set to +0, every
     * kept entry multiplied by {@code keptScale} (1 for none). The result is bit for bit that of doing so afterwards
     * from the indices, but the writes ride on the selection's last pass over w instead of a pass of their own.
     */
    public static void keepTopK(float[] w, int off, int rows, int cols, int k, int j, Neurons neurons, float keptScale,
                                int[] out, int outOff) {
        select(w, off, rows, cols, k, j, neurons, out, outOff, true, keptScale);
    }

    private static void select(float[] w, int off, int rows, int cols, int k, int j, Neurons neurons,
                               int[] out, int outOff, boolean apply, float keptScale) {
        ArgChecks.nonNegative("rows", rows);
        ArgChecks.nonNegative("cols", cols);
        ArgChecks.nonNegative("j", j);
        long nl = (long) rows * cols;
        if (nl > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("tensor of " + rows + "x" + cols + " is too large for one top-k");
        }
        int n = (int) nl;
        ArgChecks.range("w", w, off, n);
        checkK(k, n);
        ArgChecks.range("out", out, outOff, k);
        if (neurons == null) {
            throw new IllegalArgumentException("neurons must not be null (use Neurons.NONE)");
        }
        long[] forced = null;
        int[] hist = ThreadScratch.ints(SCRATCH_HIST, 2048);
        boolean histReady = false;
        if (neurons != Neurons.NONE && j > 0) {
            int count = neurons == Neurons.ROWS ? rows : cols;
            if ((long) j * count > k) {
                throw new IllegalArgumentException("minimum-per-neuron rule cannot be met: j·neurons = " + j + "·" + count
                        + " = " + ((long) j * count) + " > k = " + k + " (lower j or raise the budget)");
            }
            forced = ThreadScratch.longs(0, (n + 63) >>> 6);
            java.util.Arrays.fill(forced, 0, (n + 63) >>> 6, 0L);
            // the forcing pass reads every entry anyway: it also takes the exact first-digit histogram
            java.util.Arrays.fill(hist, 0, 2048, 0);
            if (neurons == Neurons.ROWS) {
                forceRows(w, off, forced, rows, cols, j, hist);
            } else {
                forceColumns(w, off, forced, rows, cols, j, hist);
            }
            histReady = true;
        }
        selectKeys(w, off, forced, n, k, out, outOff, hist, histReady, apply, keptScale);
    }

    private static void checkK(int k, int n) {
        if (k < 0 || k > n) {
            throw new IllegalArgumentException("k must be in [0, n = " + n + "], got " + k);
        }
    }

    private static boolean isForced(long[] forced, int i) {
        return (forced[i >>> 6] & (1L << i)) != 0;
    }

    private static int magnitude(float[] w, int i) {
        return Float.floatToRawIntBits(w[i]) & 0x7fffffff;
    }

    /**
     * Marks the j largest (lower column on ties) of each row as forced, in one pass over the row: a small list of the
     * best j so far, sorted by key, where a later column replaces an entry only with a strictly larger key.
     */
    private static void forceRows(float[] w, int off, long[] forced, int rows, int cols, int j, int[] hist) {
        int rounds = Math.min(j, cols);
        int[] bestKey = ThreadScratch.ints(SCRATCH_AUX, 2 * rounds);
        for (int r = 0; r < rows; r++) {
            int base = r * cols, filled = 0;
            for (int c = 0; c < cols; c++) {
                int key = magnitude(w, off + base + c);
                hist[key >>> 21]++;
                if (filled == rounds && key <= bestKey[rounds - 1]) continue; // the common case: not among the best
                int pos = filled < rounds ? filled++ : rounds - 1;
                while (pos > 0 && key > bestKey[pos - 1]) { // insert, keeping earlier columns ahead on equal keys
                    bestKey[pos] = bestKey[pos - 1];
                    bestKey[rounds + pos] = bestKey[rounds + pos - 1];
                    pos--;
                }
                bestKey[pos] = key;
                bestKey[rounds + pos] = c;
            }
            for (int q = 0; q < rounds; q++) {
                int i = base + bestKey[rounds + q];
                forced[i >>> 6] |= 1L << i;
                moveToForced(hist, bestKey[q]);
            }
        }
    }

    /** A forced entry counted by its magnitude moves to the FORCED bin (above every magnitude's first digit). */
    private static void moveToForced(int[] hist, int magnitude) {
        hist[magnitude >>> 21]--;
        hist[FORCED >>> 21]++;
    }

    /**
     * Marks the j largest (lower row on ties) of each column as forced, in one row-ordered pass: per column a list of
     * the best j so far, sorted by key ({@code [round × cols]} keys, then rows), replaced only by a strictly larger key.
     */
    private static void forceColumns(float[] w, int off, long[] forced, int rows, int cols, int j, int[] hist) {
        int rounds = Math.min(j, rows);
        int[] best = ThreadScratch.ints(SCRATCH_AUX, 2 * rounds * cols); // keys [rounds × cols], then rows [rounds × cols]
        int rowsAt = rounds * cols, last = (rounds - 1) * cols;
        for (int r = 0; r < rounds; r++) { // the first rounds rows fill the lists
            int base = r * cols;
            for (int c = 0; c < cols; c++) {
                int key = magnitude(w, off + base + c);
                hist[key >>> 21]++;
                insertColumn(best, rowsAt, cols, r, c, key, r);
            }
        }
        for (int r = rounds; r < rows; r++) {
            int base = r * cols;
            for (int c = 0; c < cols; c++) {
                int key = magnitude(w, off + base + c);
                hist[key >>> 21]++;
                if (key > best[last + c]) insertColumn(best, rowsAt, cols, rounds - 1, c, key, r);
            }
        }
        for (int q = 0; q < rounds; q++) {
            for (int c = 0; c < cols; c++) {
                int i = best[rowsAt + q * cols + c] * cols + c;
                forced[i >>> 6] |= 1L << i;
                moveToForced(hist, best[q * cols + c]);
            }
        }
    }

    /** Puts (key, row) at list slot {@code pos} of column c and moves it up past strictly smaller keys. */
    private static void insertColumn(int[] best, int rowsAt, int cols, int pos, int c, int key, int row) {
        while (pos > 0 && key > best[(pos - 1) * cols + c]) {
            best[pos * cols + c] = best[(pos - 1) * cols + c];
            best[rowsAt + pos * cols + c] = best[rowsAt + (pos - 1) * cols + c];
            pos--;
        }
        best[pos * cols + c] = key;
        best[rowsAt + pos * cols + c] = row;
    }

    /** The unsigned ranking key of entry i: FORCED for a forced entry, else its 31-bit magnitude. */
    private static int key(float[] w, int off, long[] forced, int i) {
        return forced != null && isForced(forced, i) ? FORCED : Float.floatToRawIntBits(w[off + i]) & 0x7fffffff;
    }

    /** Above this size the first digit is estimated from a sample, so one pass over w usually suffices. */
    static final int SAMPLED_ABOVE = 1 << 20;
    private static final int SAMPLE_STRIDE = 64;

    /**
     * Radix select on unsigned keys (31-bit magnitudes, FORCED above them all). The first digit (top 11
     * bits) splits the entries into those surely kept (digit above a bin window), candidates (digit in
     * the window) and the rest; one pass over w writes the surely kept indices straight to the output
     * and collects the candidates with their keys. The window is the single bin holding the k-th key,
     * found from an exact histogram (given by the forcing pass, or one extra pass) or, for large n without one,
     * estimated from a 1/64 sample with a safety margin; if the estimate misses (rare), the exact way is taken. The
     * exact threshold among the candidates then needs no further pass over w, and the kept candidates are merged in,
     * so the output comes out ascending. With {@code apply}, the selection is applied to w (see {@link #keepTopK}):
     * during the split pass when the window is exact (it cannot miss), else in a pass of its own after a sampled one.
     */
    private static void selectKeys(float[] w, int off, long[] forced, int n, int k, int[] out, int outOff,
                                   int[] hist, boolean histReady, boolean apply, float keptScale) {
        if (k == 0) {
            if (apply) java.util.Arrays.fill(w, off, off + n, 0f);
            return;
        }
        if (k == n) {
            for (int i = 0; i < n; i++) out[outOff + i] = i;
            if (apply && keptScale != 1f) for (int i = 0; i < n; i++) w[off + i] *= keptScale;
            return;
        }
        if (!histReady && n >= SAMPLED_ABOVE && splitAndFinish(w, off, forced, n, k, out, outOff, hist, true, false, false, 1f)) {
            if (apply) applyKept(w, off, n, k, out, outOff, keptScale);
            return;
        }
        if (!splitAndFinish(w, off, forced, n, k, out, outOff, hist, false, histReady, apply, keptScale)) {
            throw new IllegalStateException("top-k: an exact first-digit window missed the k-th key (histogram miscounted)");
        }
    }

    /** Zeroes the gaps between the k ascending kept indices and scales the kept entries. */
    private static void applyKept(float[] w, int off, int n, int k, int[] out, int outOff, float keptScale) {
        int prev = 0;
        for (int q = 0; q < k; q++) {
            int f = out[outOff + q];
            if (f > prev) java.util.Arrays.fill(w, off + prev, off + f, 0f);
            if (keptScale != 1f) w[off + f] *= keptScale; // ×1 would only dirty the line
            prev = f + 1;
        }
        java.util.Arrays.fill(w, off + prev, off + n, 0f);
    }

    /**
     * Picks the first-digit window [lo, hi] (sampled, or exact from {@code hist} counted here or by the caller when
     * {@code histReady}), splits w into kept / candidates, and finishes; returns false (having written nothing final)
     * when a sampled window missed the k-th key. {@code apply} (exact windows only) zeroes and scales w on the way.
     */
    private static boolean splitAndFinish(float[] w, int off, long[] forced, int n, int k, int[] out, int outOff,
                                          int[] hist, boolean sampled, boolean histReady, boolean apply, float keptScale) {
        int m = 0;
        if (!histReady) {
            java.util.Arrays.fill(hist, 0, 2048, 0);
            int step = sampled ? SAMPLE_STRIDE : 1;
            for (int i = 0; i < n; i += step, m++) {
                hist[key(w, off, forced, i) >>> 21]++;
            }
        }
        int lo, hi;
        if (sampled) { // sample ranks k·m/n ± margin bound the window
            double rank = (double) k * m / n;
            double margin = 4 * Math.sqrt(rank) + 8;
            hi = binAtRank(hist, rank - margin);
            lo = binAtRank(hist, rank + margin);
        } else {
            hi = lo = binAtRank(hist, k);
        }
        int cap = n; // candidates can be many when the window is wide; the scratch grows once
        int[] cand = ThreadScratch.ints(SCRATCH_AUX, sampled ? Math.min(n, candidateBound(hist, lo, hi, n, m)) : hist[lo]);
        int[] candKey = ThreadScratch.ints(SCRATCH_CAND_KEYS, cand.length);
        cap = cand.length;
        boolean scaleKept = apply && keptScale != 1f;
        int nc = 0, q = outOff, end = outOff + k;
        for (int i0 = 0; i0 < n; i0 += 64) { // one word of forced bits per 64 entries: the key without a branch
            long fw = forced == null ? 0L : forced[i0 >>> 6];
            int i1 = Math.min(n, i0 + 64);
            for (int i = i0; i < i1; i++) {
                int key = Float.floatToRawIntBits(w[off + i]) & 0x7fffffff | -(int) ((fw >>> i) & 1L);
                int d = key >>> 21;
                if (d > hi) {
                    if (q == end) return false; // more than k surely-kept: the sampled window was too low
                    out[q++] = i;
                    if (scaleKept) w[off + i] *= keptScale;
                } else if (d >= lo) {
                    if (nc == cap) return false; // the sample under-counted the window
                    cand[nc] = i;
                    candKey[nc++] = key;
                } else if (apply) {
                    w[off + i] = 0f;
                }
            }
        }
        int above = q - outOff;
        int need = k - above;
        if (need > nc) return false; // the k-th key lies below the window
        long t = threshold(candKey, nc, need, hist);
        int threshold = (int) (t >>> 32);
        int needAtT = (int) t;
        int kept = 0;
        for (int c = 0; c < nc; c++) { // compact the kept candidates in place, ascending
            int key = candKey[c];
            if (Integer.compareUnsigned(key, threshold) > 0 || key == threshold && needAtT-- > 0) {
                if (scaleKept) w[off + cand[c]] *= keptScale;
                cand[kept++] = cand[c];
            } else if (apply) {
                w[off + cand[c]] = 0f;
            }
        }
        // merge out[outOff, outOff+above) with cand[0, kept) from the back into out[outOff, outOff+k)
        int x = outOff + above - 1, y = kept - 1;
        for (int dst = outOff + k - 1; y >= 0; dst--) {
            if (x >= outOff && out[x] > cand[y]) {
                out[dst] = out[x--];
            } else {
                out[dst] = cand[y--];
            }
        }
        return true;
    }

    /** The highest bin b such that the entries in bins ≥ b number at least {@code rank} (clamped to [0, 2047]). */
    private static int binAtRank(int[] hist, double rank) {
        long acc = 0;
        for (int b = 2047; b > 0; b--) {
            acc += hist[b];
            if (acc >= rank) return b;
        }
        return 0;
    }

    /** A generous bound on the candidates in bins [lo, hi] from the sample counts. */
    private static int candidateBound(int[] hist, int lo, int hi, int n, int m) {
        long c = 0;
        for (int b = lo; b <= hi; b++) c += hist[b];
        double est = (double) c * n / m;
        return (int) Math.min(n, est * 1.25 + 8 * Math.sqrt(est + 1) * SAMPLE_STRIDE / 8 + 1024);
    }

    /**
     * The need-th largest of keys[0, count) as (T &lt;&lt; 32 | how many entries equal to T are kept),
     * by the same three digits (11, 11, 10 bits), counting only entries that match the digits found so far.
     */
    private static long threshold(int[] keys, int count, int need, int[] hist) {
        int prefix = 0, prefixMask = 0;
        int[] shifts = {21, 10, 0};
        int[] widths = {11, 11, 10};
        for (int pass = 0; pass < 3; pass++) {
            int shift = shifts[pass], bins = 1 << widths[pass];
            java.util.Arrays.fill(hist, 0, bins, 0);
            for (int c = 0; c < count; c++) {
                int key = keys[c];
                if ((key & prefixMask) == prefix) {
                    hist[(key >>> shift) & (bins - 1)]++;
                }
            }
            int b = bins - 1;
            while (hist[b] < need) {
                need -= hist[b--];
            }
            prefix |= b << shift;
            prefixMask |= (bins - 1) << shift;
        }
        return ((long) prefix << 32) | need;
    }
}
