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
    private static final int SCRATCH_KEYS = 0;
    private static final int SCRATCH_HIST = 1;
    private static final int SCRATCH_BEST = 2;

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
        int[] keys = ThreadScratch.ints(SCRATCH_KEYS, n);
        for (int i = 0; i < n; i++) {
            keys[i] = Float.floatToRawIntBits(w[off + i]) & 0x7fffffff;
        }
        selectKeys(keys, n, k, out, outOff);
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
        int[] keys = ThreadScratch.ints(SCRATCH_KEYS, n);
        for (int i = 0; i < n; i++) {
            keys[i] = Float.floatToRawIntBits(w[off + i]) & 0x7fffffff;
        }
        if (neurons != Neurons.NONE && j > 0) {
            int count = neurons == Neurons.ROWS ? rows : cols;
            int size = neurons == Neurons.ROWS ? cols : rows;
            long forced = (long) count * Math.min(j, size);
            if ((long) j * count > k) {
                throw new IllegalArgumentException("minimum-per-neuron rule cannot be met: j·neurons = " + j + "·" + count
                        + " = " + ((long) j * count) + " > k = " + k + " (lower j or raise the budget)");
            }
            if (neurons == Neurons.ROWS) {
                forceRows(keys, rows, cols, j);
            } else {
                forceColumns(keys, rows, cols, j);
            }
            assert forced <= k;
        }
        selectKeys(keys, n, k, out, outOff);
    }

    private static void checkK(int k, int n) {
        if (k < 0 || k > n) {
            throw new IllegalArgumentException("k must be in [0, n = " + n + "], got " + k);
        }
    }

    /** Marks the j largest (lower column on ties) of each row as forced; O(j·n). */
    private static void forceRows(int[] keys, int rows, int cols, int j) {
        int rounds = Math.min(j, cols);
        for (int r = 0; r < rows; r++) {
            int base = r * cols;
            for (int round = 0; round < rounds; round++) {
                int best = -1;
                int bestKey = 0;
                for (int c = 0; c < cols; c++) {
                    int key = keys[base + c];
                    if (key != FORCED && (best < 0 || key > bestKey)) { // magnitudes are < 2^31: signed compare is fine
                        best = c;
                        bestKey = key;
                    }
                }
                keys[base + best] = FORCED;
            }
        }
    }

    /** Marks the j largest (lower row on ties) of each column as forced; j row-ordered passes, O(j·n). */
    private static void forceColumns(int[] keys, int rows, int cols, int j) {
        int rounds = Math.min(j, rows);
        int[] best = ThreadScratch.ints(SCRATCH_BEST, 2 * cols);
        for (int round = 0; round < rounds; round++) {
            java.util.Arrays.fill(best, 0, cols, -1);
            for (int r = 0; r < rows; r++) {
                int base = r * cols;
                for (int c = 0; c < cols; c++) {
                    int key = keys[base + c];
                    if (key != FORCED && (best[c] < 0 || key > best[cols + c])) {
                        best[c] = r;
                        best[cols + c] = key;
                    }
                }
            }
            for (int c = 0; c < cols; c++) {
                keys[best[c] * cols + c] = FORCED;
            }
        }
    }

    /**
     * Radix select on unsigned keys: three digit passes (11, 11, 10 bits) find the k-th largest key T
     * and how many entries equal to T are needed; one ordered pass writes the winners.
     */
    static void selectKeys(int[] keys, int n, int k, int[] out, int outOff) {
        if (k == 0) {
            return;
        }
        if (k == n) {
            for (int i = 0; i < n; i++) out[outOff + i] = i;
            return;
        }
        int[] hist = ThreadScratch.ints(SCRATCH_HIST, 2048);
        int prefix = 0;     // the digits of T found so far
        int prefixMask = 0; // which bits of prefix are fixed
        int need = k;       // how many of the entries that match prefix are still wanted
        int[] shifts = {21, 10, 0};
        int[] widths = {11, 11, 10};
        for (int pass = 0; pass < 3; pass++) {
            int shift = shifts[pass];
            int bins = 1 << widths[pass];
            java.util.Arrays.fill(hist, 0, bins, 0);
            for (int i = 0; i < n; i++) {
                int key = keys[i];
                if ((key & prefixMask) == prefix) {
                    hist[(key >>> shift) & (bins - 1)]++;
                }
            }
            int b = bins - 1;
            while (hist[b] < need) {
                need -= hist[b];
                b--;
            }
            prefix |= b << shift;
            prefixMask |= (bins - 1) << shift;
        }
        // prefix is now T; 'need' entries equal to T are kept, lowest indices first.
        int threshold = prefix;
        int q = outOff;
        for (int i = 0; i < n; i++) {
            int key = keys[i];
            if (Integer.compareUnsigned(key, threshold) > 0) {
                out[q++] = i;
            } else if (key == threshold && need > 0) {
                out[q++] = i;
                need--;
            }
        }
    }
}
