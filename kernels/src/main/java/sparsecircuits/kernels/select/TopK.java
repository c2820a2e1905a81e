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
        selectKeys(w, off, null, n, k, out, outOff);
    }

    /**
     * Top-k of the {@code [rows × cols]} matrix at {@code off} with at least {@code min(j, neuron size)}
     * entries kept per neuron. Writes k ascending flat indices ({@code r·cols + c}).
     *
     * @throws IllegalArgumentException when j·neurons > k (the rule cannot be met; lower j)
     */
    public static void selectWithMinimum(float[] w, int off, int rows, int cols, int k, int j, Neurons neurons,
                                         int[] out, int outOff) {
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
        if (neurons != Neurons.NONE && j > 0) {
            int count = neurons == Neurons.ROWS ? rows : cols;
            if ((long) j * count > k) {
                throw new IllegalArgumentException("minimum-per-neuron rule cannot be met: j·neurons = " + j + "·" + count
                        + " = " + ((long) j * count) + " > k = " + k + " (lower j or raise the budget)");
            }
            forced = ThreadScratch.longs(0, (n + 63) >>> 6);
            java.util.Arrays.fill(forced, 0, (n + 63) >>> 6, 0L);
            if (neurons == Neurons.ROWS) {
                forceRows(w, off, forced, rows, cols, j);
            } else {
                forceColumns(w, off, forced, rows, cols, j);
            }
        }
        selectKeys(w, off, forced, n, k, out, outOff);
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

    /** Marks the j largest (lower column on ties) of each row as forced; O(j·n). */
    private static void forceRows(float[] w, int off, long[] forced, int rows, int cols, int j) {
        int rounds = Math.min(j, cols);
        for (int r = 0; r < rows; r++) {
            int base = r * cols;
            for (int round = 0; round < rounds; round++) {
                int best = -1;
                int bestKey = 0;
                for (int c = 0; c < cols; c++) {
                    int key = magnitude(w, off + base + c);
                    if ((best < 0 || key > bestKey) && !isForced(forced, base + c)) {
                        best = c;
                        bestKey = key;
                    }
                }
                forced[(base + best) >>> 6] |= 1L << (base + best);
            }
        }
    }

    /** Marks the j largest (lower row on ties) of each column as forced; j row-ordered passes, O(j·n). */
    private static void forceColumns(float[] w, int off, long[] forced, int rows, int cols, int j) {
        int rounds = Math.min(j, rows);
        int[] best = ThreadScratch.ints(SCRATCH_AUX, 2 * cols);
        for (int round = 0; round < rounds; round++) {
            java.util.Arrays.fill(best, 0, cols, -1);
            for (int r = 0; r < rows; r++) {
                int base = r * cols;
                for (int c = 0; c < cols; c++) {
                    int key = magnitude(w, off + base + c);
                    if ((best[c] < 0 || key > best[cols + c]) && !isForced(forced, base + c)) {
                        best[c] = r;
                        best[cols + c] = key;
                    }
                }
            }
            for (int c = 0; c < cols; c++) {
                int i = best[c] * cols + c;
                forced[i >>> 6] |= 1L << i;
            }
        }
    }

    /** The unsigned ranking key of entry i: FORCED for a forced entry, else its 31-bit magnitude. */
    private static int key(float[] w, int off, long[] forced, int i) {
        return forced != null && isForced(forced, i) ? FORCED : Float.floatToRawIntBits(w[off + i]) & 0x7fffffff;
    }

    /**
     * Radix select on unsigned keys, two passes over w. Pass 1 takes the histogram of the first digit
     * (11 bits) and finds the bin b holding the k-th largest key. Pass 2 writes every index whose first
     * digit is above b straight to the output (they are all kept) and collects the indices in bin b as
     * candidates. The second (11-bit) and third (10-bit) digits are then resolved on the candidates
     * only, and the kept candidates (every key above the threshold T, then the lowest-index ones equal
     * to T) are merged with the first group, so the output comes out ascending.
     */
    private static void selectKeys(float[] w, int off, long[] forced, int n, int k, int[] out, int outOff) {
        if (k == 0) {
            return;
        }
        if (k == n) {
            for (int i = 0; i < n; i++) out[outOff + i] = i;
            return;
        }
        int[] hist = ThreadScratch.ints(SCRATCH_HIST, 2048);
        java.util.Arrays.fill(hist, 0, 2048, 0);
        for (int i = 0; i < n; i++) {
            hist[key(w, off, forced, i) >>> 21]++;
        }
        int need = k;
        int b = 2047;
        while (hist[b] < need) {
            need -= hist[b--];
        }
        int above = k - need; // entries whose first digit beats b: all kept
        int[] cand = ThreadScratch.ints(SCRATCH_AUX, hist[b]);
        int[] candKey = ThreadScratch.ints(SCRATCH_CAND_KEYS, hist[b]); // later passes never touch w again
        int nc = 0, q = outOff;
        for (int i = 0; i < n; i++) {
            int key = key(w, off, forced, i);
            int d = key >>> 21;
            if (d > b) {
                out[q++] = i;
            } else if (d == b) {
                cand[nc] = i;
                candKey[nc++] = key;
            }
        }
        int prefix = b << 21;
        java.util.Arrays.fill(hist, 0, 2048, 0);
        for (int c = 0; c < nc; c++) {
            hist[(candKey[c] >>> 10) & 2047]++;
        }
        b = 2047;
        while (hist[b] < need) {
            need -= hist[b--];
        }
        prefix |= b << 10;
        java.util.Arrays.fill(hist, 0, 1024, 0);
        for (int c = 0; c < nc; c++) {
            int key = candKey[c];
            if ((key >>> 10) == (prefix >>> 10)) {
                hist[key & 1023]++;
            }
        }
        b = 1023;
        while (hist[b] < need) {
            need -= hist[b--];
        }
        int threshold = prefix | b; // 'need' entries equal to it are kept, lowest indices first
        int kept = 0;
        for (int c = 0; c < nc; c++) { // compact the kept candidates in place, ascending
            int i = cand[c];
            int key = candKey[c];
            if (Integer.compareUnsigned(key, threshold) > 0) {
                cand[kept++] = i;
            } else if (key == threshold && need > 0) {
                cand[kept++] = i;
                need--;
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
    }
}
