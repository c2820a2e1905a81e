package sparsecircuits.bench;

import java.util.Arrays;

import sparsecircuits.kernels.select.TopK;

/** Exact, O(n) checks of a top-k result: the kept set is the unique top-k with ties to the lower index. */
final class TopKCheck {
    private TopKCheck() {
    }

    private static int key(float v) {
        return Float.floatToRawIntBits(v) & 0x7fffffff;
    }

    /**
     * Checks that out[0, k) are strictly increasing indices into w[0, n), that every {@code forced}
     * entry (may be null) is among them, and that the other kept entries are exactly the largest |w|
     * of the entries not forced, ties going to the lower index.
     */
    static void check(String what, float[] w, int n, int k, int[] out, boolean[] forced) {
        boolean[] kept = new boolean[n];
        int prev = -1;
        for (int q = 0; q < k; q++) {
            int i = out[q];
            if (i <= prev || i >= n) {
                Check.fail(what, "out[" + q + "] = " + i + " after " + prev + ": not strictly increasing indices in [0, " + n + ")");
            }
            kept[i] = true;
            prev = i;
        }
        int threshold = Integer.MAX_VALUE; // smallest key kept by choice (not forced)
        boolean anyChosen = false;
        for (int i = 0; i < n; i++) {
            boolean f = forced != null && forced[i];
            if (f && !kept[i]) {
                Check.fail(what, "entry " + i + " (|w| = " + Math.abs(w[i]) + ") is forced by the minimum-per-neuron rule but was not kept");
            }
            if (kept[i] && !f) {
                threshold = Math.min(threshold, key(w[i]));
                anyChosen = true;
            }
        }
        if (!anyChosen) {
            return;
        }
        int lastKeptAtT = -1, firstDroppedAtT = Integer.MAX_VALUE;
        for (int i = 0; i < n; i++) {
            if (forced != null && forced[i]) continue;
            int kk = key(w[i]);
            if (!kept[i] && kk > threshold) {
                Check.fail(what, "entry " + i + " (|w| = " + Math.abs(w[i]) + ") was dropped but a smaller one (|w| = "
                        + Float.intBitsToFloat(threshold) + ") was kept");
            }
            if (kk == threshold) {
                if (kept[i]) lastKeptAtT = i; else firstDroppedAtT = Math.min(firstDroppedAtT, i);
            }
        }
        if (firstDroppedAtT < lastKeptAtT) {
            Check.fail(what, "tie at |w| = " + Float.intBitsToFloat(threshold) + ": index " + lastKeptAtT
                    + " was kept but the lower index " + firstDroppedAtT + " was dropped");
        }
    }

    /** The entries the minimum-per-neuron rule forces in: the j largest of each row or column, ties to the lower position. */
    static boolean[] forced(float[] w, int rows, int cols, int j, TopK.Neurons neurons) {
        boolean[] f = new boolean[rows * cols];
        if (neurons == TopK.Neurons.NONE || j == 0) {
            return f;
        }
        boolean byRow = neurons == TopK.Neurons.ROWS;
        int count = byRow ? rows : cols;
        int size = byRow ? cols : rows;
        long[] order = new long[size];
        for (int u = 0; u < count; u++) {
            for (int p = 0; p < size; p++) {
                int idx = byRow ? u * cols + p : p * cols + u;
                // larger key first, then lower position: sort ascending on (−key, position)
                order[p] = ((long) (Integer.MAX_VALUE - key(w[idx])) << 32) | p;
            }
            Arrays.sort(order);
            for (int r = 0; r < Math.min(j, size); r++) {
                int p = (int) order[r];
                f[byRow ? u * cols + p : p * cols + u] = true;
            }
        }
        return f;
    }
}
