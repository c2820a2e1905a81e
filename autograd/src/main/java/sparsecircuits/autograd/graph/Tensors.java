package sparsecircuits.autograd.graph;

import sparsecircuits.kernels.sparse.CsrMatrix;

/** Recording with optional (null) inputs, and the small loops several rules share. */
final class Tensors {
    private Tensors() {
    }

    static Tensor record(Tape tape, String op, Tensor y, Tape.Rule rule, Tensor... inputs) {
        int n = 0;
        for (Tensor t : inputs) if (t != null) n++;
        Tensor[] ins = new Tensor[n];
        n = 0;
        for (Tensor t : inputs) if (t != null) ins[n++] = t;
        return tape.record(op, y, rule, ins);
    }

    /** out[c] += Σ_r g[r, c] (rows in order: deterministic). */
    static void addColumnSums(int rows, int cols, float[] g, float[] out) {
        for (int r = 0; r < rows; r++) {
            int o = r * cols;
            for (int c = 0; c < cols; c++) out[c] += g[o + c];
        }
    }

    /** dense[row, col] += vals[slot] for every slot of the pattern. */
    static void scatterAdd(CsrMatrix csr, float[] vals, float[] dense) {
        int[] ptr = csr.rowPtr(), col = csr.colIdx();
        int cols = csr.cols();
        for (int r = 0; r < csr.rows(); r++) {
            for (int s = ptr[r]; s < ptr[r + 1]; s++) dense[r * cols + col[s]] += vals[s];
        }
    }
}
