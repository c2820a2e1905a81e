package sparsecircuits.autograd.param;

import java.util.Arrays;
import sparsecircuits.kernels.select.SparseTopK;
import sparsecircuits.kernels.select.TopK;
import sparsecircuits.kernels.sparse.CsrMatrix;

/**
 * The scalable recipe's storage of one sparse weight (issue 18): only the entries it holds, the kept pattern plus
 * regrowth candidates, each with its value, gradient and Adam moments, in ascending flat index ({@code row · cols +
 * col}). No array of the weight's full size exists: memory follows the held count, not rows × cols.
 *
 * <p>A held entry outside the kept set has value 0 (the top-k zeroes it, as the paper recipe zeroes a dense entry) but
 * keeps its gradient and moments, so it can re-enter the kept set; {@link #regrow} replaces the candidates. The
 * {@link #csr()} matrix shares the value array: the forward pass always reads the current values, and the gradient of
 * the held entries (an SDDMM over the pattern) lands in {@link #grad()} in the same order.
 */
public final class HeldEntries {
    private final int rows;
    private final int cols;
    private int size;
    private int[] flat;
    private float[] value;
    private float[] grad;
    private float[] m;
    private float[] v;
    /** Positions of the kept entries, ascending, in {@code keptPositions[0, keptCount)}. */
    private int[] keptPositions;
    private int keptCount;
    private CsrMatrix csr;

    private HeldEntries(int rows, int cols) {
        this.rows = rows;
        this.cols = cols;
    }

    /**
     * Holds the entries {@code sortedFlat[0, count)} of a dense {@code [rows × cols]} array with their values, zero
     * moments, every one of them kept.
     */
    public static HeldEntries of(int rows, int cols, float[] dense, int[] sortedFlat, int count) {
        HeldEntries h = new HeldEntries(rows, cols);
        float[] values = new float[count];
        for (int q = 0; q < count; q++) {
            if (q > 0 && sortedFlat[q] <= sortedFlat[q - 1] || sortedFlat[q] < 0 || sortedFlat[q] >= rows * cols) {
                throw new IllegalArgumentException("held index " + sortedFlat[q] + " at " + q + " is out of order or range");
            }
            values[q] = dense[sortedFlat[q]];
        }
        h.assign(Arrays.copyOf(sortedFlat, count), values, new float[count], new float[count], count);
        h.keptPositions = new int[count];
        for (int q = 0; q < count; q++) h.keptPositions[q] = q;
        h.keptCount = count;
        return h;
    }

    /** Restores a saved state (a resumed run): indices ascending, kept positions ascending. */
    public static HeldEntries restore(int rows, int cols, int[] flat, float[] value, float[] m, float[] v, int[] keptPositions) {
        HeldEntries h = new HeldEntries(rows, cols);
        int n = flat.length;
        if (value.length != n || m.length != n || v.length != n) throw new IllegalArgumentException("held arrays differ in length");
        for (int q = 1; q < n; q++) if (flat[q] <= flat[q - 1]) throw new IllegalArgumentException("held indices out of order at " + q);
        h.assign(flat.clone(), value.clone(), m.clone(), v.clone(), n);
        h.keptPositions = keptPositions.clone();
        h.keptCount = keptPositions.length;
        return h;
    }

    private void assign(int[] flat, float[] value, float[] m, float[] v, int size) {
        this.flat = flat;
        this.value = value;
        this.m = m;
        this.v = v;
        this.grad = new float[size];
        this.size = size;
        int[] rowPtr = new int[rows + 1], colIdx = new int[size];
        for (int q = 0; q < size; q++) {
            rowPtr[flat[q] / cols + 1]++;
            colIdx[q] = flat[q] % cols;
        }
        for (int r = 0; r < rows; r++) rowPtr[r + 1] += rowPtr[r];
        this.csr = CsrMatrix.of(rows, cols, rowPtr, colIdx, value);
    }

    public int rows() {
        return rows;
    }

    public int cols() {
        return cols;
    }

    /** Entries held (kept and candidates). */
    public int size() {
        return size;
    }

    /** Held flat indices, ascending ({@link #size()} of them). */
    public int[] flat() {
        return flat;
    }

    public float[] value() {
        return value;
    }

    public float[] grad() {
        return grad;
    }

    public float[] m() {
        return m;
    }

    public float[] v() {
        return v;
    }

    /** The held entries as a CSR matrix whose values are {@link #value()} itself. */
    public CsrMatrix csr() {
        return csr;
    }

    public int keptCount() {
        return keptCount;
    }

    /** The kept flat indices, ascending. */
    public int[] keptFlat() {
        int[] out = new int[keptCount];
        for (int q = 0; q < keptCount; q++) out[q] = flat[keptPositions[q]];
        return out;
    }

    /** The kept positions into the held arrays, ascending (a copy). */
    public int[] keptPositions() {
        return Arrays.copyOf(keptPositions, keptCount);
    }

    public void zeroGrad() {
        Arrays.fill(grad, 0f);
    }

    /**
     * The per-tensor top-k over the held entries ({@link SparseTopK}): keeps k, zeroes the others' values, multiplies
     * the kept values by {@code keptScale} (decoupled weight decay, after the selection as in the paper recipe).
     */
    public void keepTopK(int k, int j, TopK.Neurons neurons, float keptScale) {
        if (keptPositions.length < k) keptPositions = new int[Math.max(k, size)];
        SparseTopK.select(value, flat, size, rows, cols, k, j, neurons, keptPositions);
        keptCount = k;
        for (int q = 0, c = 0; q < size; q++) {
            if (c < k && keptPositions[c] == q) {
                value[q] *= keptScale;
                c++;
            } else {
                value[q] = 0f;
            }
        }
    }

    /**
     * New candidates: the held set becomes the kept entries and {@code candidateFlat} (ascending; a candidate already
     * held keeps its value and moments, a new one enters at zero). Held entries that are neither are dropped.
     */
    public void regrow(int[] candidateFlat, int candidates) {
        int[] kept = keptFlat();
        int[] nextFlat = new int[keptCount + candidates];
        int n = 0;
        for (int a = 0, b = 0; a < keptCount || b < candidates; ) { // merge two ascending lists without duplicates
            int next;
            if (b >= candidates || a < keptCount && kept[a] < candidateFlat[b]) next = kept[a++];
            else if (a >= keptCount || candidateFlat[b] < kept[a]) next = candidateFlat[b++];
            else { next = kept[a++]; b++; }
            nextFlat[n++] = next;
        }
        float[] nextValue = new float[n], nextM = new float[n], nextV = new float[n];
        int[] nextKept = new int[Math.max(keptCount, 1)];
        int kc = 0;
        for (int q = 0, old = 0; q < n; q++) { // both lists ascending: walk the old one alongside
            while (old < size && flat[old] < nextFlat[q]) old++;
            if (old < size && flat[old] == nextFlat[q]) {
                nextValue[q] = value[old];
                nextM[q] = m[old];
                nextV[q] = v[old];
            }
            if (kc < keptCount && kept[kc] == nextFlat[q]) nextKept[kc++] = q;
        }
        assign(Arrays.copyOf(nextFlat, n), nextValue, nextM, nextV, n);
        keptPositions = nextKept;
    }

    /** The dense {@code [rows × cols]} values (for writing a model file; a transient copy, never kept). */
    public void toDense(float[] out, int off) {
        Arrays.fill(out, off, off + rows * cols, 0f);
        for (int q = 0; q < size; q++) out[off + flat[q]] = value[q];
    }

    /**
     * Bytes of the per-entry state: index, value, gradient, two moments and the CSR column of every held entry, and the
     * kept positions. (The CSR row pointers add 4 bytes per row: they grow with the width, not its square.)
     */
    public long stateBytes() {
        return 4L * (6L * size + keptPositions.length);
    }
}
