package sparsecircuits.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.quicktheories.generators.SourceDSL.integers;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import sparsecircuits.kernels.sparse.CsrMatrix;

/** csrRowPointers / csrFill: the CSR of a dense matrix, exactly, against a plain loop. */
class CsrCompressTest {

    private static void check(Kernels ks, int rows, int cols, double density, long salt) {
        SplittableRandom r = Fixtures.rnd(salt);
        int off = (int) (salt % 3);
        float[] x = new float[off + rows * cols + 2];
        for (int i = 0; i < rows * cols; i++) {
            double u = r.nextDouble();
            x[off + i] = u < density ? (float) r.nextGaussian() : u < density + 0.05 ? -0f : 0f;
        }
        x[off + rows * cols] = 5f; // past the matrix: must not be read
        int[] rowPtr = new int[rows + 1];
        int nnz = ks.csrRowPointers(rows, cols, x, off, rowPtr);
        int[] col = new int[nnz + 1];
        float[] val = new float[nnz + 1];
        ks.csrFill(rows, cols, x, off, rowPtr, col, val);
        int[] expPtr = new int[rows + 1];
        int[] expCol = new int[rows * cols + 1];
        float[] expVal = new float[rows * cols + 1];
        int q = 0;
        for (int row = 0; row < rows; row++) {
            for (int c = 0; c < cols; c++) {
                float v = x[off + row * cols + c];
                if (v != 0f) {
                    expCol[q] = c;
                    expVal[q++] = v;
                }
            }
            expPtr[row + 1] = q;
        }
        String ctx = ks.name() + " " + rows + "x" + cols + " density " + density + " seed " + Fixtures.seed() + "/" + salt;
        assertEquals(q, nnz, ctx);
        assertArrayEquals(expPtr, rowPtr, ctx);
        assertArrayEquals(java.util.Arrays.copyOf(expCol, nnz), java.util.Arrays.copyOf(col, nnz), ctx);
        assertArrayEquals(java.util.Arrays.copyOf(expVal, nnz), java.util.Arrays.copyOf(val, nnz), ctx);
        CsrMatrix.of(rows, cols, rowPtr, col, val); // canonical
    }

    @Test
    void grid() {
        Kernels ks = Fixtures.kernels();
        long salt = 0;
        for (int cols : new int[] {1, 7, 16, 17, 33, 64, 100, 513}) {
            for (double d : new double[] {0, 0.01, 0.25, 0.5, 1}) {
                check(ks, 1 + (int) (salt % 9), cols, d, salt++);
            }
        }
    }

    @Test
    void property() {
        Kernels ks = Fixtures.kernels();
        Fixtures.qt(100).forAll(integers().between(0, 40), integers().between(0, 80), integers().between(0, 100))
                .checkAssert((rows, cols, pct) -> check(ks, rows, cols, pct / 100.0, (rows * 97L + cols) * 101 + pct));
    }
}
