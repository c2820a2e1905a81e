package sparsecircuits.kernels.sparse;

import sparsecircuits.kernels.ArgChecks;

/**
 * A sparse matrix {@code [rows × cols]} in canonical CSR: {@code rowPtr[rows+1]} non-decreasing from 0,
 * and within each row the column indices are strictly increasing (sorted, unique) and in range.
 *
 * <p>The pattern ({@code rowPtr}, {@code colIdx}) is immutable; {@code values} may be updated in
 * place (e.g. after an optimizer step that kept the pattern). The transposed pattern, used for the
 * input gradient, is built once on first use and reads the values through a slot permutation, so
 * it never goes stale.
 */
public final class CsrMatrix {
    private final int rows;
    private final int cols;
    private final int[] rowPtr;
    private final int[] colIdx;
    private final float[] values;
    private volatile Transpose transpose;
    /** The last transposed pattern, kept after {@link #reassign} so the next one can reuse its arrays. */
    private Transpose spareTranspose;

    /**
     * The transposed pattern (CSR of Wᵀ, i.e. CSC of W): row j of Wᵀ holds the slots of column j of W,
     * in increasing row order; {@code perm[s]} is the slot of W that transposed slot s mirrors.
     */
    public static final class Transpose {
        public final int[] rowPtr;
        public final int[] colIdx;
        public final int[] perm;

        Transpose(int[] rowPtr, int[] colIdx, int[] perm) {
            this.rowPtr = rowPtr;
            this.colIdx = colIdx;
            this.perm = perm;
        }
    }

    private CsrMatrix(int rows, int cols, int[] rowPtr, int[] colIdx, float[] values) {
        this.rows = rows;
        this.cols = cols;
        this.rowPtr = rowPtr;
        this.colIdx = colIdx;
        this.values = values;
    }

    /**
     * Wraps arrays that must already be canonical (checked: a non-canonical pattern throws
     * {@link IllegalArgumentException} naming the first offending row). The arrays are not copied.
     */
    public static CsrMatrix of(int rows, int cols, int[] rowPtr, int[] colIdx, float[] values) {
        ArgChecks.nonNegative("rows", rows);
        ArgChecks.nonNegative("cols", cols);
        if (rowPtr == null || rowPtr.length != rows + 1) {
            throw new IllegalArgumentException("rowPtr must have rows + 1 = " + (rows + 1) + " entries, got "
                    + (rowPtr == null ? "null" : rowPtr.length));
        }
        if (rowPtr[0] != 0) {
            throw new IllegalArgumentException("rowPtr[0] must be 0, got " + rowPtr[0]);
        }
        int nnz = rowPtr[rows];
        if (colIdx == null || colIdx.length < nnz || values == null || values.length < nnz) {
            throw new IllegalArgumentException("colIdx and values need rowPtr[rows] = " + nnz + " entries, got "
                    + (colIdx == null ? "null" : colIdx.length) + " and " + (values == null ? "null" : values.length));
        }
        // Pointers first: a middle pointer above nnz must be reported, not read past colIdx.
        for (int r = 0; r < rows; r++) {
            int s = rowPtr[r], e = rowPtr[r + 1];
            if (e < s) {
                throw new IllegalArgumentException("rowPtr must be non-decreasing: rowPtr[" + r + "] = " + s
                        + " > rowPtr[" + (r + 1) + "] = " + e);
            }
        }
        for (int r = 0; r < rows; r++) {
            int s = rowPtr[r], e = rowPtr[r + 1];
            int prev = -1;
            for (int q = s; q < e; q++) {
                int c = colIdx[q];
                if (c < 0 || c >= cols) {
                    throw new IllegalArgumentException("row " + r + ": column " + c + " is outside [0, " + cols + ")");
                }
                if (c <= prev) {
                    throw new IllegalArgumentException("row " + r + ": columns must be sorted and unique (not canonical): "
                            + prev + " then " + c);
                }
                prev = c;
            }
        }
        return new CsrMatrix(rows, cols, rowPtr, colIdx, values);
    }

    /** Keeps the entries of the dense {@code [rows × cols]} block at {@code off} with |w| > threshold. */
    public static CsrMatrix fromDenseThreshold(int rows, int cols, float[] dense, int off, float threshold) {
        ArgChecks.nonNegative("rows", rows);
        ArgChecks.nonNegative("cols", cols);
        ArgChecks.range("dense", dense, off, (long) rows * cols);
        if (!(threshold >= 0)) {
            throw new IllegalArgumentException("threshold must be >= 0, got " + threshold);
        }
        int nnz = 0;
        for (long i = 0, n = (long) rows * cols; i < n; i++) {
            if (Math.abs(dense[off + (int) i]) > threshold) nnz++;
        }
        int[] rowPtr = new int[rows + 1];
        int[] colIdx = new int[nnz];
        float[] values = new float[nnz];
        int q = 0;
        for (int r = 0; r < rows; r++) {
            int base = off + r * cols;
            for (int c = 0; c < cols; c++) {
                float v = dense[base + c];
                if (Math.abs(v) > threshold) {
                    colIdx[q] = c;
                    values[q++] = v;
                }
            }
            rowPtr[r + 1] = q;
        }
        return new CsrMatrix(rows, cols, rowPtr, colIdx, values);
    }

    /** Keeps the entries of the dense block where {@code mask[maskOff + r·cols + c]} is true. */
    public static CsrMatrix fromDenseMask(int rows, int cols, float[] dense, int off, boolean[] mask, int maskOff) {
        ArgChecks.nonNegative("rows", rows);
        ArgChecks.nonNegative("cols", cols);
        long n = (long) rows * cols;
        ArgChecks.range("dense", dense, off, n);
        if (mask == null) throw new IllegalArgumentException("mask must not be null");
        ArgChecks.range("mask", mask.length, maskOff, n);
        int nnz = 0;
        for (int i = 0; i < n; i++) {
            if (mask[maskOff + i]) nnz++;
        }
        int[] rowPtr = new int[rows + 1];
        int[] colIdx = new int[nnz];
        float[] values = new float[nnz];
        int q = 0;
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                if (mask[maskOff + r * cols + c]) {
                    colIdx[q] = c;
                    values[q++] = dense[off + r * cols + c];
                }
            }
            rowPtr[r + 1] = q;
        }
        return new CsrMatrix(rows, cols, rowPtr, colIdx, values);
    }

    /**
     * Keeps the entries at the given flat indices ({@code r·cols + c}), which must be strictly
     * increasing, e.g. the output of {@link sparsecircuits.kernels.select.TopK}.
     */
    public static CsrMatrix fromSortedIndices(int rows, int cols, float[] dense, int off, int[] idx, int idxOff, int count) {
        ArgChecks.nonNegative("rows", rows);
        ArgChecks.nonNegative("cols", cols);
        long n = (long) rows * cols;
        ArgChecks.range("dense", dense, off, n);
        ArgChecks.range("idx", idx, idxOff, count);
        int[] rowPtr = new int[rows + 1];
        int[] colIdx = new int[count];
        float[] values = new float[count];
        fill(rows, cols, dense, off, idx, idxOff, count, rowPtr, colIdx, values);
        return new CsrMatrix(rows, cols, rowPtr, colIdx, values);
    }

    /** Writes the entries at strictly increasing flat indices into zeroed rowPtr and colIdx/values from slot 0. */
    private static void fill(int rows, int cols, float[] dense, int off, int[] idx, int idxOff, int count,
                             int[] rowPtr, int[] colIdx, float[] values) {
        long n = (long) rows * cols;
        int prev = -1;
        for (int q = 0; q < count; q++) {
            int f = idx[idxOff + q];
            if (f <= prev || f >= n) {
                throw new IllegalArgumentException("idx must be strictly increasing flat indices in [0, " + n
                        + "): idx[" + q + "] = " + f + " after " + prev);
            }
            prev = f;
            int r = f / cols;
            colIdx[q] = f - r * cols;
            values[q] = dense[off + f];
            rowPtr[r + 1]++;
        }
        for (int r = 0; r < rows; r++) {
            rowPtr[r + 1] += rowPtr[r];
        }
    }

    /**
     * Rewrites this matrix in place with the entries at the given strictly increasing flat indices, values read from
     * {@code dense}: the arrays are reused (a training step changes the pattern every step; building a new matrix
     * each time allocated arrays the size of the tensor). {@code count} may not exceed the capacity this matrix was
     * built with ({@link #capacity()}). Not safe while another thread reads this matrix; indices that are not
     * strictly increasing are refused part-way, leaving the matrix unusable until the next good reassign.
     */
    public void reassign(float[] dense, int off, int[] idx, int idxOff, int count) {
        long n = (long) rows * cols;
        ArgChecks.range("dense", dense, off, n);
        ArgChecks.range("idx", idx, idxOff, count);
        if (count > capacity()) {
            throw new IllegalArgumentException("reassign: " + count + " entries exceed the capacity of " + capacity());
        }
        java.util.Arrays.fill(rowPtr, 0);
        fill(rows, cols, dense, off, idx, idxOff, count, rowPtr, colIdx, values);
        Transpose t = transpose;
        if (t != null) spareTranspose = t;
        transpose = null;
    }

    /** How many entries this matrix can hold through {@link #reassign}. */
    public int capacity() {
        return Math.min(colIdx.length, values.length);
    }

    /** Re-reads every stored value from the dense block (same pattern; after an optimizer step). */
    public void refreshValues(float[] dense, int off) {
        ArgChecks.range("dense", dense, off, (long) rows * cols);
        for (int r = 0; r < rows; r++) {
            int base = off + r * cols;
            for (int q = rowPtr[r], e = rowPtr[r + 1]; q < e; q++) {
                values[q] = dense[base + colIdx[q]];
            }
        }
    }

    /** Writes the matrix as dense {@code [rows × cols]} into {@code out} (zeros off the pattern). */
    public void toDense(float[] out, int off) {
        ArgChecks.range("out", out, off, (long) rows * cols);
        java.util.Arrays.fill(out, off, off + rows * cols, 0f);
        for (int r = 0; r < rows; r++) {
            for (int q = rowPtr[r], e = rowPtr[r + 1]; q < e; q++) {
                out[off + r * cols + colIdx[q]] = values[q];
            }
        }
    }

    /** The transposed pattern with its slot permutation, built once (counting sort, O(nnz + cols)). */
    public Transpose transposePattern() {
        Transpose t = transpose;
        if (t == null) {
            synchronized (this) {
                t = transpose;
                if (t == null) {
                    t = buildTranspose();
                    transpose = t;
                }
            }
        }
        return t;
    }

    private Transpose buildTranspose() {
        int nnz = nnz();
        Transpose spare = spareTranspose;
        boolean reuse = spare != null && spare.colIdx.length >= nnz;
        int[] tPtr = reuse ? spare.rowPtr : new int[cols + 1];
        if (reuse) java.util.Arrays.fill(tPtr, 0);
        for (int q = 0; q < nnz; q++) {
            tPtr[colIdx[q] + 1]++;
        }
        for (int c = 0; c < cols; c++) {
            tPtr[c + 1] += tPtr[c];
        }
        int[] next = java.util.Arrays.copyOf(tPtr, cols);
        int[] tCol = reuse ? spare.colIdx : new int[nnz];
        int[] perm = reuse ? spare.perm : new int[nnz];
        for (int r = 0; r < rows; r++) { // rows in order, so each transposed row comes out sorted
            for (int q = rowPtr[r], e = rowPtr[r + 1]; q < e; q++) {
                int slot = next[colIdx[q]]++;
                tCol[slot] = r;
                perm[slot] = q;
            }
        }
        return new Transpose(tPtr, tCol, perm);
    }

    /** Wᵀ as its own CSR matrix, with values copied through the slot permutation. */
    public CsrMatrix transpose() {
        Transpose t = transposePattern();
        float[] v = new float[nnz()];
        for (int s = 0; s < v.length; s++) {
            v[s] = values[t.perm[s]];
        }
        return new CsrMatrix(cols, rows, t.rowPtr, t.colIdx, v);
    }

    public int rows() {
        return rows;
    }

    public int cols() {
        return cols;
    }

    public int nnz() {
        return rowPtr[rows];
    }

    /** nnz / (rows·cols), 0 for an empty shape. */
    public double density() {
        long n = (long) rows * cols;
        return n == 0 ? 0 : (double) nnz() / n;
    }

    /** The row pointer array (shared, do not modify). */
    public int[] rowPtr() {
        return rowPtr;
    }

    /** The column index array (shared, do not modify). */
    public int[] colIdx() {
        return colIdx;
    }

    /** The value array (shared; may be updated in place, the pattern may not). */
    public float[] values() {
        return values;
    }

    @Override
    public String toString() {
        return "CsrMatrix[" + rows + "x" + cols + ", nnz=" + nnz() + "]";
    }
}
