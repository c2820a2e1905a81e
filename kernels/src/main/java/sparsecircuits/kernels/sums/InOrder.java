package sparsecircuits.kernels.sums;

/**
 * The serial sums that close a parallel kernel, shared by the two implementations ({@code ScalarKernels} and
 * {@code vector.VectorKernels}): each runs on the calling thread, in index order, after the pool's work, which is
 * what keeps the result independent of the thread count. They have nothing to vectorise (a dependency chain, or
 * too few elements), so one copy serves both and the two stay bit-identical here by construction.
 *
 * <p>Not kernels: nothing here checks its arguments ({@code Kernels} did), and only the implementations call it.
 */
public final class InOrder {
    private InOrder() {
    }

    /** rowPtr[1..rows] from per-row counts to CSR row offsets (rowPtr[0] = 0); returns the total, rowPtr[rows]. */
    public static int countsToOffsets(int[] rowPtr, int rows) {
        rowPtr[0] = 0;
        for (int r = 0; r < rows; r++) rowPtr[r + 1] += rowPtr[r];
        return rowPtr[rows];
    }

    /** dsink[h] += Σ_b partial[b·heads + h], batches in order (attention's sink gradient from per-unit partials). */
    public static void addBatchSums(int batch, int heads, float[] partial, float[] dsink, int dsOff) {
        for (int h = 0; h < heads; h++) {
            float s = 0f;
            for (int b = 0; b < batch; b++) s += partial[b * heads + h];
            dsink[dsOff + h] += s;
        }
    }

    /** Σ x[off, off + n) in double, in index order (the cross-entropy's total over its per-row losses). */
    public static double total(float[] x, int off, int n) {
        double total = 0;
        for (int i = 0; i < n; i++) total += x[off + i];
        return total;
    }
}
