package sparsecircuits.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.quicktheories.generators.SourceDSL.integers;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import sparsecircuits.kernels.sparse.CsrMatrix;

/** Construction, validation, transposition and value refresh of {@link CsrMatrix}. */
class CsrMatrixTest {

    private static void assertRejects(String expectedInMessage, Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage() != null && e.getMessage().contains(expectedInMessage),
                "message should mention '" + expectedInMessage + "' but was: " + e.getMessage());
    }

    private static float[] vals(int n) {
        float[] v = new float[n];
        Arrays.fill(v, 1f);
        return v;
    }

    // ------------------------------------------------------------------ of(): validation

    /** Random strictly increasing flat indices: count of them in [0, n). */
    private static int[] sortedIndices(SplittableRandom r, int n, int count) {
        return r.ints(0, n).distinct().limit(count).sorted().toArray();
    }

    @Test
    void reassignInPlaceEqualsAFreshBuild() {
        SplittableRandom r = new SplittableRandom(7);
        int rows = 13, cols = 29, n = rows * cols;
        float[] dense = new float[n];
        for (int i = 0; i < n; i++) dense[i] = (float) r.nextGaussian();
        CsrMatrix m = CsrMatrix.fromSortedIndices(rows, cols, dense, 0, sortedIndices(r, n, 120), 0, 120);
        int[] rowPtr = m.rowPtr(), colIdx = m.colIdx();
        for (int count : new int[] {120, 77, 0, 31, 120}) {
            m.transposePattern(); // a cached transpose must not survive the rewrite
            int[] idx = sortedIndices(r, n, count);
            for (int i = 0; i < n; i++) dense[i] = (float) r.nextGaussian();
            m.reassign(dense, 0, idx, 0, count);
            CsrMatrix fresh = CsrMatrix.fromSortedIndices(rows, cols, dense, 0, idx, 0, count);
            assertSame(rowPtr, m.rowPtr(), "arrays are reused");
            assertSame(colIdx, m.colIdx(), "arrays are reused");
            assertEquals(count, m.nnz());
            assertArrayEquals(fresh.rowPtr(), m.rowPtr());
            assertArrayEquals(Arrays.copyOf(fresh.colIdx(), count), Arrays.copyOf(m.colIdx(), count));
            assertArrayEquals(Arrays.copyOf(fresh.values(), count), Arrays.copyOf(m.values(), count));
            CsrMatrix.Transpose a = fresh.transposePattern(), b = m.transposePattern();
            assertArrayEquals(a.rowPtr, b.rowPtr);
            assertArrayEquals(Arrays.copyOf(a.colIdx, count), Arrays.copyOf(b.colIdx, count));
            assertArrayEquals(Arrays.copyOf(a.perm, count), Arrays.copyOf(b.perm, count));
            float[] x = new float[n], y = new float[n];
            fresh.transpose().toDense(x, 0);
            m.transpose().toDense(y, 0);
            assertArrayEquals(x, y);
        }
        assertRejects("capacity", () -> m.reassign(dense, 0, sortedIndices(r, n, 121), 0, 121));
    }

    @Test
    void ofAcceptsCanonicalInputWithoutCopying() {
        int[] rowPtr = {0, 2, 2, 3};
        int[] col = {0, 4, 1};
        float[] v = {1f, 2f, 3f};
        CsrMatrix w = CsrMatrix.of(3, 5, rowPtr, col, v);
        assertEquals(3, w.rows());
        assertEquals(5, w.cols());
        assertEquals(3, w.nnz());
        assertEquals(3.0 / 15, w.density(), 1e-15);
        assertSame(rowPtr, w.rowPtr());
        assertSame(col, w.colIdx());
        assertSame(v, w.values());
        float[] d = new float[15];
        w.toDense(d, 0);
        assertArrayEquals(new float[] {1, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0}, d);
        // Empty shapes are fine.
        assertEquals(0, CsrMatrix.of(0, 0, new int[] {0}, new int[0], new float[0]).nnz());
        assertEquals(0.0, CsrMatrix.of(0, 7, new int[] {0}, new int[0], new float[0]).density());
        assertEquals(0, CsrMatrix.of(4, 0, new int[] {0, 0, 0, 0, 0}, new int[0], new float[0]).nnz());
    }

    @Test
    void ofRejectsUnsortedColumns() {
        assertRejects("sorted", () -> CsrMatrix.of(2, 5, new int[] {0, 1, 3}, new int[] {2, 4, 1}, vals(3)));
        assertRejects("row 1", () -> CsrMatrix.of(2, 5, new int[] {0, 1, 3}, new int[] {2, 4, 1}, vals(3)));
    }

    @Test
    void ofRejectsDuplicateColumns() {
        assertRejects("unique", () -> CsrMatrix.of(2, 5, new int[] {0, 2, 3}, new int[] {3, 3, 0}, vals(3)));
        assertRejects("row 0", () -> CsrMatrix.of(2, 5, new int[] {0, 2, 3}, new int[] {3, 3, 0}, vals(3)));
    }

    @Test
    void ofRejectsColumnsOutOfRange() {
        assertRejects("column 5", () -> CsrMatrix.of(2, 5, new int[] {0, 1, 2}, new int[] {0, 5}, vals(2)));
        assertRejects("column -1", () -> CsrMatrix.of(2, 5, new int[] {0, 1, 2}, new int[] {-1, 2}, vals(2)));
        assertRejects("outside", () -> CsrMatrix.of(1, 3, new int[] {0, 1}, new int[] {7}, vals(1)));
    }

    @Test
    void ofRejectsBadRowPointers() {
        assertRejects("rowPtr[0]", () -> CsrMatrix.of(2, 5, new int[] {1, 1, 2}, new int[] {0, 1}, vals(2)));
        assertRejects("rowPtr must have rows + 1", () -> CsrMatrix.of(2, 5, new int[] {0, 1}, new int[] {0}, vals(1)));
        assertRejects("rowPtr must have rows + 1", () -> CsrMatrix.of(2, 5, new int[] {0, 1, 1, 1}, new int[] {0}, vals(1)));
        assertRejects("rowPtr", () -> CsrMatrix.of(2, 5, null, new int[] {0}, vals(1)));
        assertRejects("non-decreasing", () -> CsrMatrix.of(3, 5, new int[] {0, 2, 1, 3}, new int[] {0, 1, 2}, vals(3)));
        assertRejects("non-decreasing", () -> CsrMatrix.of(2, 5, new int[] {0, -1, 0}, new int[0], vals(0)));
        // A middle pointer beyond nnz: must be reported as non-canonical, not crash while reading columns.
        assertRejects("non-decreasing", () -> CsrMatrix.of(2, 5, new int[] {0, 5, 3}, new int[] {0, 1, 2}, vals(3)));
        assertRejects("non-decreasing", () -> CsrMatrix.of(3, 9, new int[] {0, 1, 9, 2}, new int[] {0, 1}, vals(2)));
    }

    @Test
    void ofRejectsShortArraysAndBadShapes() {
        assertRejects("colIdx", () -> CsrMatrix.of(1, 5, new int[] {0, 3}, new int[] {0, 1}, vals(3)));
        assertRejects("values", () -> CsrMatrix.of(1, 5, new int[] {0, 3}, new int[] {0, 1, 2}, vals(2)));
        assertRejects("colIdx", () -> CsrMatrix.of(1, 5, new int[] {0, 1}, null, vals(1)));
        assertRejects("rows", () -> CsrMatrix.of(-1, 5, new int[] {0}, new int[0], vals(0)));
        assertRejects("cols", () -> CsrMatrix.of(1, -5, new int[] {0, 0}, new int[0], vals(0)));
    }

    // ------------------------------------------------------------------ builders and toDense

    @Test
    void fromDenseThresholdKeepsStrictlyAboveThreshold() {
        float[] dense = {0.5f, -0.5f, 0.25f, -0.75f, 0f, 0.6f, -0f, 0.49f};
        int off = 3;
        float[] arr = Fixtures.guardedInput(dense, off, 2);
        CsrMatrix w = CsrMatrix.fromDenseThreshold(2, 4, arr, off, 0.5f);
        assertArrayEquals(new int[] {0, 1, 2}, w.rowPtr());
        assertArrayEquals(new int[] {3, 1}, Arrays.copyOf(w.colIdx(), w.nnz()));
        float[] back = SparsePatterns.dense(w);
        assertArrayEquals(new float[] {0, 0, 0, -0.75f, 0, 0.6f, 0, 0}, back);
        CsrMatrix all = CsrMatrix.fromDenseThreshold(2, 4, arr, off, 0f);
        assertEquals(6, all.nnz(), "zeros (of either sign) are dropped at threshold 0");
        assertRejects("threshold", () -> CsrMatrix.fromDenseThreshold(2, 4, arr, off, -1f));
        assertRejects("threshold", () -> CsrMatrix.fromDenseThreshold(2, 4, arr, off, Float.NaN));
        assertRejects("dense", () -> CsrMatrix.fromDenseThreshold(2, 4, dense, 1, 0f));
    }

    @Test
    void buildersRoundTripThroughToDenseProperty() {
        Fixtures.qt(150).forAll(integers().between(0, 23), integers().between(0, 23), integers().between(0, 4), integers().between(0, 7))
                .checkAssert((rows, cols, di, off) -> {
                    long salt = ((rows * 31L + cols) * 7 + di) * 11 + off;
                    String ctx = "rows=" + rows + " cols=" + cols + " density=" + SparsePatterns.DENSITIES[di] + " off=" + off
                            + " seed=" + Fixtures.seed() + "/" + salt;
                    SplittableRandom r = Fixtures.rnd(salt);
                    int n = rows * cols;
                    float[] dense = Fixtures.randomFloats(r, n, -1, 1);
                    boolean[] mask = SparsePatterns.mixedMask(r, rows, cols, SparsePatterns.DENSITIES[di]);
                    float[] masked = new float[n];
                    int count = 0;
                    for (int i = 0; i < n; i++) {
                        if (mask[i]) {
                            masked[i] = dense[i];
                            count++;
                        }
                    }
                    float[] arr = Fixtures.guardedInput(dense, off, 3);
                    boolean[] maskArr = new boolean[off + n];
                    System.arraycopy(mask, 0, maskArr, off, n);

                    CsrMatrix byMask = CsrMatrix.fromDenseMask(rows, cols, arr, off, maskArr, off);
                    assertEquals(count, byMask.nnz(), ctx);
                    assertCanonical(byMask, ctx);
                    assertArrayEquals(masked, toDenseGuarded(byMask, 2), ctx + " fromDenseMask");

                    int[] idx = new int[count + 2];
                    int q = 1;
                    for (int i = 0; i < n; i++) if (mask[i]) idx[q++] = i;
                    CsrMatrix byIdx = CsrMatrix.fromSortedIndices(rows, cols, arr, off, idx, 1, count);
                    assertCanonical(byIdx, ctx);
                    assertArrayEquals(byMask.rowPtr(), byIdx.rowPtr(), ctx + " fromSortedIndices rowPtr");
                    assertArrayEquals(masked, toDenseGuarded(byIdx, 0), ctx + " fromSortedIndices");

                    float thr = 0.3f;
                    CsrMatrix byThr = CsrMatrix.fromDenseThreshold(rows, cols, arr, off, thr);
                    float[] expect = new float[n];
                    for (int i = 0; i < n; i++) expect[i] = Math.abs(dense[i]) > thr ? dense[i] : 0f;
                    assertCanonical(byThr, ctx);
                    assertArrayEquals(expect, toDenseGuarded(byThr, 1), ctx + " fromDenseThreshold");

                    // The arrays of a built matrix pass the canonical check of of().
                    CsrMatrix again = CsrMatrix.of(rows, cols, byMask.rowPtr().clone(), byMask.colIdx().clone(), byMask.values().clone());
                    assertArrayEquals(masked, SparsePatterns.dense(again), ctx + " of()");
                });
    }

    /** toDense writes the whole block (zeros off the pattern, even over garbage) and nothing outside it. */
    private static float[] toDenseGuarded(CsrMatrix w, int off) {
        int n = w.rows() * w.cols();
        float[] out = Fixtures.guardedOutput(Fixtures.nanFilled(n), off, 3);
        w.toDense(out, off);
        Fixtures.assertGuards(out, off, n, w.toString());
        return Fixtures.slice(out, off, n);
    }

    private static void assertCanonical(CsrMatrix w, String ctx) {
        int[] rp = w.rowPtr();
        assertEquals(w.rows() + 1, rp.length, ctx);
        assertEquals(0, rp[0], ctx);
        for (int r = 0; r < w.rows(); r++) {
            assertTrue(rp[r] <= rp[r + 1], ctx);
            for (int q = rp[r]; q < rp[r + 1]; q++) {
                int c = w.colIdx()[q];
                assertTrue(c >= 0 && c < w.cols(), ctx + " column in range");
                if (q > rp[r]) assertTrue(w.colIdx()[q - 1] < c, ctx + " sorted unique");
            }
        }
    }

    @Test
    void fromSortedIndicesRejectsUnsortedOrOutOfRange() {
        float[] dense = new float[12];
        assertRejects("idx", () -> CsrMatrix.fromSortedIndices(3, 4, dense, 0, new int[] {1, 5, 5}, 0, 3));
        assertRejects("idx", () -> CsrMatrix.fromSortedIndices(3, 4, dense, 0, new int[] {4, 2}, 0, 2));
        assertRejects("idx", () -> CsrMatrix.fromSortedIndices(3, 4, dense, 0, new int[] {0, 12}, 0, 2));
        assertRejects("idx", () -> CsrMatrix.fromSortedIndices(3, 4, dense, 0, new int[] {-1}, 0, 1));
        assertRejects("idx", () -> CsrMatrix.fromSortedIndices(3, 4, dense, 0, new int[] {1}, 0, 2));
        assertRejects("mask", () -> CsrMatrix.fromDenseMask(3, 4, dense, 0, new boolean[11], 0));
        assertRejects("mask", () -> CsrMatrix.fromDenseMask(3, 4, dense, 0, null, 0));
        assertRejects("out", () -> CsrMatrix.fromDenseThreshold(3, 4, dense, 0, 0f).toDense(new float[11], 0));
    }

    // ------------------------------------------------------------------ transpose

    @Test
    void transposePatternProperty() {
        Fixtures.qt(150).forAll(integers().between(0, 30), integers().between(0, 30), integers().between(0, 4))
                .checkAssert((rows, cols, di) -> {
                    long salt = (rows * 37L + cols) * 5 + di;
                    String ctx = "rows=" + rows + " cols=" + cols + " density=" + SparsePatterns.DENSITIES[di] + " seed=" + Fixtures.seed() + "/" + salt;
                    SplittableRandom r = Fixtures.rnd(salt);
                    CsrMatrix w = SparsePatterns.matrix(r, rows, cols, SparsePatterns.mixedMask(r, rows, cols, SparsePatterns.DENSITIES[di]));
                    checkTranspose(w, ctx);
                });
    }

    @Test
    void transposeOfSpecialPatterns() {
        SplittableRandom r = Fixtures.rnd(5);
        checkTranspose(SparsePatterns.matrix(r, 7, 9, SparsePatterns.uniformMask(r, 7, 9, 1)), "full");
        checkTranspose(SparsePatterns.matrix(r, 7, 9, new boolean[63]), "empty");
        checkTranspose(SparsePatterns.matrix(r, 1, 40, SparsePatterns.uniformMask(r, 1, 40, 0.5)), "one row");
        checkTranspose(SparsePatterns.matrix(r, 40, 1, SparsePatterns.uniformMask(r, 40, 1, 0.5)), "one column");
        checkTranspose(SparsePatterns.matrix(r, 0, 5, new boolean[0]), "no rows");
        checkTranspose(SparsePatterns.matrix(r, 5, 0, new boolean[0]), "no columns");
    }

    private static void checkTranspose(CsrMatrix w, String ctx) {
        CsrMatrix.Transpose t = w.transposePattern();
        assertSame(t, w.transposePattern(), ctx + ": built once");
        int nnz = w.nnz();
        assertEquals(w.cols() + 1, t.rowPtr.length, ctx);
        assertEquals(0, t.rowPtr[0], ctx);
        assertEquals(nnz, t.rowPtr[w.cols()], ctx);
        // perm is a permutation of the slots of W
        boolean[] seen = new boolean[nnz];
        for (int s = 0; s < nnz; s++) {
            int p = t.perm[s];
            if (p < 0 || p >= nnz || seen[p]) fail(ctx + ": perm is not a permutation at " + s + " (" + p + ")");
            seen[p] = true;
        }
        int[] rowOfSlot = new int[nnz];
        for (int i = 0; i < w.rows(); i++) {
            for (int q = w.rowPtr()[i]; q < w.rowPtr()[i + 1]; q++) rowOfSlot[q] = i;
        }
        for (int j = 0; j < w.cols(); j++) {
            for (int s = t.rowPtr[j]; s < t.rowPtr[j + 1]; s++) {
                if (s > t.rowPtr[j] && t.colIdx[s - 1] >= t.colIdx[s]) fail(ctx + ": transposed row " + j + " not sorted");
                assertEquals(j, w.colIdx()[t.perm[s]], ctx + ": slot " + s + " mirrors a slot in another column");
                assertEquals(rowOfSlot[t.perm[s]], t.colIdx[s], ctx + ": slot " + s + " names the wrong row");
            }
        }
        CsrMatrix wt = w.transpose();
        assertEquals(w.cols(), wt.rows(), ctx);
        assertEquals(w.rows(), wt.cols(), ctx);
        float[] d = SparsePatterns.dense(w), dt = SparsePatterns.dense(wt);
        for (int i = 0; i < w.rows(); i++) {
            for (int j = 0; j < w.cols(); j++) {
                if (d[i * w.cols() + j] != dt[j * w.rows() + i]) fail(ctx + ": transpose() differs at (" + i + "," + j + ")");
            }
        }
        CsrMatrix back = wt.transpose();
        assertArrayEquals(w.rowPtr(), back.rowPtr(), ctx + ": transpose twice rowPtr");
        assertArrayEquals(Arrays.copyOf(w.colIdx(), nnz), Arrays.copyOf(back.colIdx(), nnz), ctx + ": transpose twice colIdx");
        assertArrayEquals(Arrays.copyOf(w.values(), nnz), Arrays.copyOf(back.values(), nnz), ctx + ": transpose twice values");
    }

    // ------------------------------------------------------------------ refreshValues

    @Test
    void refreshValuesRereadsThePatternOnly() {
        SplittableRandom r = Fixtures.rnd(99);
        int rows = 11, cols = 13, off = 4;
        boolean[] mask = SparsePatterns.mixedMask(r, rows, cols, 0.3);
        CsrMatrix w = SparsePatterns.matrix(r, rows, cols, mask);
        int[] rowPtr = w.rowPtr().clone(), col = w.colIdx().clone();
        CsrMatrix.Transpose before = w.transposePattern();
        float[] updated = Fixtures.randomFloats(r, rows * cols, -2, 2);
        float[] arr = Fixtures.guardedInput(updated, off, 5);
        w.refreshValues(arr, off);
        assertArrayEquals(rowPtr, w.rowPtr(), "pattern must not change");
        assertArrayEquals(col, w.colIdx(), "pattern must not change");
        float[] expect = new float[rows * cols];
        for (int i = 0; i < expect.length; i++) expect[i] = mask[i] ? updated[i] : 0f;
        assertArrayEquals(expect, SparsePatterns.dense(w));
        // The transposed view reads values through perm, so it sees the refresh.
        assertSame(before, w.transposePattern());
        float[] dt = SparsePatterns.dense(w.transpose());
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) assertEquals(expect[i * cols + j], dt[j * rows + i]);
        }
        assertRejects("dense", () -> w.refreshValues(new float[rows * cols - 1], 0));
        assertRejects("dense", () -> w.refreshValues(arr, off + 6));
    }
}
