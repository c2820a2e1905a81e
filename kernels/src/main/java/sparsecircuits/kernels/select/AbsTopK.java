package sparsecircuits.kernels.select;

/**
 * AbsTopK of one token vector (SPEC §1.5): the k channels of largest |x|, ties to the lower channel.
 * Quickselect on the 31-bit magnitudes (expected O(d)) finds the threshold, one ordered pass collects.
 */
public final class AbsTopK {
    private AbsTopK() {
    }

    /**
     * Writes the k kept channels of {@code x[off, off + d)} in ascending order to {@code kept[keptOff..]}.
     * {@code scratch} must hold at least d ints.
     */
    public static void selectRow(float[] x, int off, int d, int k, int[] kept, int keptOff, int[] scratch) {
        if (k == 0) {
            return;
        }
        if (k == d) {
            for (int c = 0; c < d; c++) kept[keptOff + c] = c;
            return;
        }
        for (int c = 0; c < d; c++) {
            scratch[c] = Float.floatToRawIntBits(x[off + c]) & 0x7fffffff;
        }
        int t = kthLargest(scratch, d, k);
        int above = 0;
        for (int c = 0; c < d; c++) {
            if ((Float.floatToRawIntBits(x[off + c]) & 0x7fffffff) > t) above++;
        }
        int needAtT = k - above;
        int q = keptOff;
        for (int c = 0; c < d; c++) {
            int key = Float.floatToRawIntBits(x[off + c]) & 0x7fffffff;
            if (key > t) {
                kept[q++] = c;
            } else if (key == t && needAtT > 0) {
                kept[q++] = c;
                needAtT--;
            }
        }
    }

    /** The k-th largest (1-based) of a[0, n), reordering a; iterative quickselect, median-of-three pivot. */
    static int kthLargest(int[] a, int n, int k) {
        int lo = 0, hi = n - 1, target = k - 1; // position in descending order
        while (true) {
            if (lo == hi) {
                return a[lo];
            }
            int mid = (lo + hi) >>> 1;
            int x = a[lo], y = a[mid], z = a[hi];
            int pivot = Math.max(Math.min(x, y), Math.min(Math.max(x, y), z));
            // three-way partition, descending: [> pivot | == pivot | < pivot]
            int lt = lo, i = lo, gt = hi;
            while (i <= gt) {
                int v = a[i];
                if (v > pivot) {
                    a[i++] = a[lt];
                    a[lt++] = v;
                } else if (v < pivot) {
                    a[i] = a[gt];
                    a[gt--] = v;
                } else {
                    i++;
                }
            }
            if (target < lt) {
                hi = lt - 1;
            } else if (target > gt) {
                lo = gt + 1;
            } else {
                return pivot;
            }
        }
    }
}
