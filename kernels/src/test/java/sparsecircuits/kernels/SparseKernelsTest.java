package sparsecircuits.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.fail;
import static org.quicktheories.generators.SourceDSL.integers;
import static sparsecircuits.kernels.Fixtures.assertClose;
import static sparsecircuits.kernels.Fixtures.assertGuards;
import static sparsecircuits.kernels.Fixtures.assertUnchanged;
import static sparsecircuits.kernels.Fixtures.dotTol;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import sparsecircuits.kernels.sparse.CsrMatrix;

/** spmm, spmmTransposed and sddmm against dense double oracles (the sparse matrix densified with zeros). */
class SparseKernelsTest {
    /** Token counts: 0, 1, L−1, L, L+1, 2L+3 for L ∈ {4, 8, 16}, and 129. */
    static final int[] NS = {0, 1, 3, 4, 5, 11, 7, 8, 9, 19, 15, 16, 17, 35, 129};

    record Named(String name, CsrMatrix w) {
    }

    static List<Named> patterns() {
        SplittableRandom r = Fixtures.rnd(314);
        List<Named> list = new ArrayList<>();
        for (double d : SparsePatterns.DENSITIES) {
            list.add(new Named("mixed 13x37 density " + d, SparsePatterns.matrix(r, 13, 37, SparsePatterns.mixedMask(r, 13, 37, d))));
            list.add(new Named("uniform 10x19 density " + d, SparsePatterns.matrix(r, 10, 19, SparsePatterns.uniformMask(r, 10, 19, d))));
        }
        list.add(new Named("uniform 40x70 density 1/64", SparsePatterns.matrix(r, 40, 70, SparsePatterns.uniformMask(r, 40, 70, 1.0 / 64))));
        list.add(new Named("full 9x9", SparsePatterns.matrix(r, 9, 9, SparsePatterns.uniformMask(r, 9, 9, 1))));
        list.add(new Named("1x1", SparsePatterns.matrix(r, 1, 1, new boolean[] {true})));
        list.add(new Named("0x6", SparsePatterns.matrix(r, 0, 6, new boolean[0])));
        list.add(new Named("6x0", SparsePatterns.matrix(r, 6, 0, new boolean[0])));
        list.add(new Named("0x0", SparsePatterns.matrix(r, 0, 0, new boolean[0])));
        list.add(new Named("mixed 33x129 density 1/16", SparsePatterns.matrix(r, 33, 129, SparsePatterns.mixedMask(r, 33, 129, 1.0 / 16))));
        return list;
    }

    enum Op { SPMM, SPMM_T, SDDMM }

    /** Runs one op on random data with guards and offsets and checks it against the double oracle. */
    static void check(Kernels ks, Op op, CsrMatrix w, int n, int inOff, int in2Off, int outOff, boolean acc, long salt, String what) {
        String ctx = ks.name() + " " + op + " " + what + " n=" + n + " offsets=" + inOff + "/" + in2Off + "/" + outOff
                + " accumulate=" + acc + " seed=" + Fixtures.seed() + "/" + salt;
        SplittableRandom r = Fixtures.rnd(salt);
        int rows = w.rows(), cols = w.cols();
        float[] dw = SparsePatterns.dense(w);
        int[] rowPtr0 = w.rowPtr().clone(), col0 = w.colIdx().clone();
        float[] val0 = w.values().clone();
        int inRows = op == Op.SPMM_T ? rows : op == Op.SPMM ? cols : rows; // for SDDMM: dy [rows × n]
        int outLen = op == Op.SPMM ? rows * n : op == Op.SPMM_T ? cols * n : w.nnz();
        float[] inData = Fixtures.randomFloats(r, inRows * n, -1, 1);
        float[] in2Data = op == Op.SDDMM ? Fixtures.randomFloats(r, cols * n, -1, 1) : new float[0];
        float[] init = acc ? Fixtures.randomFloats(r, outLen, -2, 2) : Fixtures.nanFilled(outLen);
        float[] in = Fixtures.guardedInput(inData, inOff, 3);
        float[] in2 = Fixtures.guardedInput(in2Data, in2Off, 2);
        float[] out = Fixtures.guardedOutput(init, outOff, 5);
        float[] inCopy = in.clone(), in2Copy = in2.clone();
        switch (op) {
            case SPMM -> ks.spmm(w, in, inOff, n, out, outOff, acc);
            case SPMM_T -> ks.spmmTransposed(w, in, inOff, n, out, outOff, acc);
            case SDDMM -> ks.sddmm(w, in, inOff, in2, in2Off, n, out, outOff, acc);
        }
        assertGuards(out, outOff, outLen, ctx);
        assertUnchanged(inCopy, in, "input", ctx);
        assertUnchanged(in2Copy, in2, "x", ctx);
        assertArrayEquals(rowPtr0, w.rowPtr(), ctx + ": rowPtr modified");
        assertArrayEquals(col0, w.colIdx(), ctx + ": colIdx modified");
        assertArrayEquals(val0, w.values(), ctx + ": values modified");
        switch (op) {
            case SPMM -> {
                for (int o = 0; o < rows; o++) {
                    for (int t = 0; t < n; t++) {
                        double s = 0, sa = 0;
                        for (int c = 0; c < cols; c++) {
                            double p = (double) dw[o * cols + c] * inData[c * n + t];
                            s += p;
                            sa += Math.abs(p);
                        }
                        double y0 = acc ? init[o * n + t] : 0;
                        int len = w.rowPtr()[o + 1] - w.rowPtr()[o];
                        assertClose(y0 + s, out[outOff + o * n + t], dotTol(len, sa, y0), ctx + " at Y(" + o + "," + t + ")");
                    }
                }
            }
            case SPMM_T -> {
                for (int j = 0; j < cols; j++) {
                    for (int t = 0; t < n; t++) {
                        double s = 0, sa = 0;
                        int len = 0;
                        for (int o = 0; o < rows; o++) {
                            double p = (double) dw[o * cols + j] * inData[o * n + t];
                            if (dw[o * cols + j] != 0) len++;
                            s += p;
                            sa += Math.abs(p);
                        }
                        double x0 = acc ? init[j * n + t] : 0;
                        assertClose(x0 + s, out[outOff + j * n + t], dotTol(len, sa, x0), ctx + " at dX(" + j + "," + t + ")");
                    }
                }
            }
            case SDDMM -> {
                for (int o = 0; o < rows; o++) {
                    for (int q = w.rowPtr()[o]; q < w.rowPtr()[o + 1]; q++) {
                        int c = w.colIdx()[q];
                        double s = 0, sa = 0;
                        for (int t = 0; t < n; t++) {
                            double p = (double) inData[o * n + t] * in2Data[c * n + t];
                            s += p;
                            sa += Math.abs(p);
                        }
                        double g0 = acc ? init[q] : 0;
                        assertClose(g0 + s, out[outOff + q], dotTol(n, sa, g0), ctx + " at slot " + q + " (" + o + "," + c + ")");
                    }
                }
            }
        }
    }

    private static void runGrid(Op op) {
        Kernels ks = Fixtures.kernels();
        long salt = op.ordinal() * 10_000_000L;
        for (Named p : patterns()) {
            for (int n : NS) {
                for (boolean acc : new boolean[] {false, true}) {
                    salt++;
                    check(ks, op, p.w(), n, (int) (salt % 4), (int) (salt % 3), (int) (salt % 5), acc, salt, p.name());
                }
            }
        }
    }

    @Test
    void spmmGrid() {
        runGrid(Op.SPMM);
    }

    @Test
    void spmmTransposedGrid() {
        runGrid(Op.SPMM_T);
    }

    @Test
    void sddmmGrid() {
        runGrid(Op.SDDMM);
    }

    @Test
    void randomPatternsProperty() {
        Kernels ks = Fixtures.kernels();
        Fixtures.qt(150)
                .forAll(integers().between(0, 40), integers().between(0, 40), integers().between(0, 4), integers().between(0, 40))
                .checkAssert((rows, cols, di, n) -> {
                    long salt = (((rows * 41L + cols) * 5 + di) * 41 + n) * 3;
                    SplittableRandom r = Fixtures.rnd(salt);
                    boolean[] mask = r.nextBoolean() ? SparsePatterns.mixedMask(r, rows, cols, SparsePatterns.DENSITIES[di])
                            : SparsePatterns.uniformMask(r, rows, cols, SparsePatterns.DENSITIES[di]);
                    CsrMatrix w = SparsePatterns.matrix(r, rows, cols, mask);
                    String what = rows + "x" + cols + " density " + SparsePatterns.DENSITIES[di];
                    for (Op op : Op.values()) {
                        check(ks, op, w, n, r.nextInt(6), r.nextInt(6), r.nextInt(6), r.nextBoolean(), salt + op.ordinal(), what);
                    }
                });
    }

    /**
     * With small-integer data every sum is exact, so the sparse kernels must agree bit for bit with the
     * dense GEMMs run on the densified (masked) weight.
     */
    @Test
    void sparseEqualsDenseMaskedExactly() {
        Kernels ks = Fixtures.kernels();
        SplittableRandom r = Fixtures.rnd(2718);
        for (int[] shape : new int[][] {{13, 37, 19}, {40, 24, 129}, {5, 64, 17}, {1, 1, 1}}) {
            int rows = shape[0], cols = shape[1], n = shape[2];
            for (double d : SparsePatterns.DENSITIES) {
                String ctx = rows + "x" + cols + " n=" + n + " density " + d;
                boolean[] mask = SparsePatterns.mixedMask(r, rows, cols, d);
                float[] dense = new float[rows * cols];
                for (int i = 0; i < dense.length; i++) dense[i] = mask[i] ? r.nextInt(1, 5) * (r.nextBoolean() ? 1 : -1) : 0f;
                CsrMatrix w = CsrMatrix.fromDenseMask(rows, cols, dense, 0, mask, 0);
                float[] x = new float[cols * n], dy = new float[rows * n];
                for (int i = 0; i < x.length; i++) x[i] = r.nextInt(-3, 4);
                for (int i = 0; i < dy.length; i++) dy[i] = r.nextInt(-3, 4);

                float[] ySparse = new float[rows * n], yDense = new float[rows * n];
                ks.spmm(w, x, 0, n, ySparse, 0, false);
                ks.gemmAB(rows, n, cols, dense, 0, x, 0, yDense, 0, false);
                Fixtures.assertBitsEqual(yDense, ySparse, ctx + " spmm vs gemmAB");

                float[] dxSparse = new float[cols * n], dxDense = new float[cols * n];
                ks.spmmTransposed(w, dy, 0, n, dxSparse, 0, false);
                ks.gemmAtB(cols, n, rows, dense, 0, dy, 0, dxDense, 0, false);
                Fixtures.assertBitsEqual(dxDense, dxSparse, ctx + " spmmTransposed vs gemmAtB (Wᵀ·dY)");

                float[] gSparse = new float[w.nnz()], gDense = new float[rows * cols];
                ks.sddmm(w, dy, 0, x, 0, n, gSparse, 0, false);
                ks.gemmABt(rows, cols, n, dy, 0, x, 0, gDense, 0, false);
                for (int o = 0; o < rows; o++) {
                    for (int q = w.rowPtr()[o]; q < w.rowPtr()[o + 1]; q++) {
                        float e = gDense[o * cols + w.colIdx()[q]];
                        if (e != gSparse[q]) fail(ctx + " sddmm slot " + q + ": " + gSparse[q] + " vs dense " + e);
                    }
                }
            }
        }
    }

    /** After refreshValues the transposed product uses the new values (the transpose reads through perm). */
    @Test
    void spmmTransposedSeesRefreshedValues() {
        Kernels ks = Fixtures.kernels();
        SplittableRandom r = Fixtures.rnd(1618);
        int rows = 12, cols = 20, n = 9;
        CsrMatrix w = SparsePatterns.matrix(r, rows, cols, SparsePatterns.mixedMask(r, rows, cols, 0.25));
        float[] dy = Fixtures.randomFloats(r, rows * n, -1, 1);
        float[] before = new float[cols * n];
        ks.spmmTransposed(w, dy, 0, n, before, 0, false);
        float[] newDense = Fixtures.randomFloats(r, rows * cols, -1, 1);
        w.refreshValues(newDense, 0);
        check(ks, Op.SPMM_T, w, n, 1, 0, 2, false, 1618, "after refresh");
        check(ks, Op.SPMM, w, n, 1, 0, 2, true, 1619, "after refresh");
        float[] after = new float[cols * n];
        ks.spmmTransposed(w, dy, 0, n, after, 0, false);
        if (Arrays.equals(before, after) && w.nnz() > 0) fail("spmmTransposed ignored the refreshed values");
    }
}
