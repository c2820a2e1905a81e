package sparsecircuits.kernels;

import java.util.SplittableRandom;
import sparsecircuits.kernels.sparse.CsrMatrix;

/** Random CSR patterns with the row kinds the sparse kernels must handle. */
final class SparsePatterns {
    /** Densities used for "random" rows: full, 1/4, 1/16, 1/64 and empty. */
    static final double[] DENSITIES = {1, 0.25, 1.0 / 16, 1.0 / 64, 0};

    private SparsePatterns() {
    }

    /**
     * A mask whose rows cycle through: empty, a single nonzero, full, then random rows at {@code density}
     * (so every pattern has each kind when it has at least four rows).
     */
    static boolean[] mixedMask(SplittableRandom r, int rows, int cols, double density) {
        boolean[] mask = new boolean[rows * cols];
        for (int i = 0; i < rows; i++) {
            int kind = i % 4;
            if (cols == 0) continue;
            switch (kind) {
                case 0 -> { } // empty row
                case 1 -> mask[i * cols + r.nextInt(cols)] = true;
                case 2 -> java.util.Arrays.fill(mask, i * cols, (i + 1) * cols, true);
                default -> {
                    for (int c = 0; c < cols; c++) mask[i * cols + c] = r.nextDouble() < density;
                }
            }
        }
        return mask;
    }

    /** A mask with every entry independently kept with probability {@code density}. */
    static boolean[] uniformMask(SplittableRandom r, int rows, int cols, double density) {
        boolean[] mask = new boolean[rows * cols];
        for (int i = 0; i < mask.length; i++) mask[i] = density >= 1 || r.nextDouble() < density;
        return mask;
    }

    /** Random values in [−1, 1] on the mask (never exactly zero, so the pattern is visible in toDense). */
    static CsrMatrix matrix(SplittableRandom r, int rows, int cols, boolean[] mask) {
        float[] dense = new float[rows * cols];
        for (int i = 0; i < dense.length; i++) {
            float v = Fixtures.uniform(r, 0.05f, 1f);
            dense[i] = r.nextBoolean() ? v : -v;
        }
        return CsrMatrix.fromDenseMask(rows, cols, dense, 0, mask, 0);
    }

    static float[] dense(CsrMatrix w) {
        float[] d = new float[w.rows() * w.cols()];
        w.toDense(d, 0);
        return d;
    }
}
