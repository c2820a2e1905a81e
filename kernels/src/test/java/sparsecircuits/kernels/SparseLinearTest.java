package sparsecircuits.kernels;

import static org.quicktheories.generators.SourceDSL.integers;
import static sparsecircuits.kernels.Fixtures.assertClose;
import static sparsecircuits.kernels.Fixtures.assertGuards;
import static sparsecircuits.kernels.Fixtures.assertUnchanged;
import static sparsecircuits.kernels.Fixtures.dotTol;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import sparsecircuits.kernels.sparse.CsrMatrix;

/**
 * The token-major sparse linear kernels (sparseLinear: Y = X·Wᵀ + b; sparseLinearBackward: dX += dY·W) against
 * double oracles on the densified W, with activations as AbsTopK leaves them (mostly exact zeros, some −0).
 */
class SparseLinearTest {

    /** Activations [n × width] of which about {@code nonZero} are nonzero; a few of the zeros are −0. */
    static float[] activations(SplittableRandom r, int n, int width, double nonZero) {
        float[] a = new float[n * width];
        for (int i = 0; i < a.length; i++) {
            double u = r.nextDouble();
            a[i] = u < nonZero ? Fixtures.uniform(r, -2, 2) : u < nonZero + 0.05 ? -0f : 0f;
        }
        return a;
    }

    static void check(Kernels ks, CsrMatrix w, int n, double nonZero, boolean backward, boolean withBias, int off, long salt, String what) {
        String ctx = ks.name() + (backward ? " sparseLinearBackward " : " sparseLinear ") + what + " n=" + n + " nonzero=" + nonZero
                + " bias=" + withBias + " offset=" + off + " seed=" + Fixtures.seed() + "/" + salt;
        SplittableRandom r = Fixtures.rnd(salt);
        int out = w.rows(), in = w.cols();
        int aCols = backward ? out : in, yCols = backward ? in : out;
        float[] dw = SparsePatterns.dense(w);
        float[] aData = activations(r, n, aCols, nonZero);
        float[] bias = withBias ? Fixtures.randomFloats(r, out + 3, -1, 1) : null;
        float[] init = backward ? Fixtures.randomFloats(r, n * yCols, -2, 2) : Fixtures.nanFilled(n * yCols);
        float[] a = Fixtures.guardedInput(aData, off, 3);
        float[] y = Fixtures.guardedOutput(init, off + 1, 4);
        float[] aCopy = a.clone(), values = w.values().clone();
        if (backward) ks.sparseLinearBackward(n, a, off, w, y, off + 1);
        else ks.sparseLinear(n, a, off, w, bias, withBias ? 2 : 0, y, off + 1);
        assertGuards(y, off + 1, n * yCols, ctx);
        assertUnchanged(aCopy, a, "input", ctx);
        assertUnchanged(values, w.values(), "weights", ctx);
        for (int t = 0; t < n; t++) {
            for (int j = 0; j < yCols; j++) {
                double base = backward ? init[t * yCols + j] : withBias ? bias[2 + j] : 0, s = 0, abs = 0;
                int len = 0;
                for (int i = 0; i < aCols; i++) {
                    double wv = backward ? dw[i * in + j] : dw[j * in + i];
                    if (wv == 0) continue;
                    double p = wv * aData[t * aCols + i];
                    s += p;
                    abs += Math.abs(p);
                    len++;
                }
                assertClose(base + s, y[off + 1 + t * yCols + j], dotTol(len, abs, base), ctx + " at (" + t + "," + j + ")");
            }
        }
    }

    @Test
    void grid() {
        Kernels ks = Fixtures.kernels();
        long salt = 0;
        for (SparseKernelsTest.Named p : SparseKernelsTest.patterns()) {
            for (int n : new int[] {0, 1, 5, 17, 40}) {
                for (double nz : new double[] {0, 0.25, 1}) {
                    salt++;
                    check(ks, p.w(), n, nz, false, salt % 2 == 0, (int) (salt % 4), salt, p.name());
                    check(ks, p.w(), n, nz, true, false, (int) (salt % 3), salt + 1_000_000, p.name());
                }
            }
        }
    }

    @Test
    void randomPatternsProperty() {
        Kernels ks = Fixtures.kernels();
        Fixtures.qt(150)
                .forAll(integers().between(0, 70), integers().between(0, 70), integers().between(0, 4), integers().between(0, 30))
                .checkAssert((rows, cols, di, n) -> {
                    long salt = (((rows * 71L + cols) * 5 + di) * 31 + n) * 7;
                    SplittableRandom r = Fixtures.rnd(salt);
                    boolean[] mask = r.nextBoolean() ? SparsePatterns.mixedMask(r, rows, cols, SparsePatterns.DENSITIES[di])
                            : SparsePatterns.uniformMask(r, rows, cols, SparsePatterns.DENSITIES[di]);
                    CsrMatrix w = SparsePatterns.matrix(r, rows, cols, mask);
                    String what = rows + "x" + cols + " density " + SparsePatterns.DENSITIES[di];
                    double nz = r.nextDouble();
                    check(ks, w, n, nz, false, r.nextBoolean(), r.nextInt(5), salt, what);
                    check(ks, w, n, nz, true, false, r.nextInt(5), salt + 1, what);
                });
    }

    /** With small integers every sum is exact: the token-major kernels agree bit for bit with the dense GEMMs on W masked. */
    @Test
    void sparseEqualsDenseMaskedExactly() {
        Kernels ks = Fixtures.kernels();
        SplittableRandom r = Fixtures.rnd(4242);
        for (int[] shape : new int[][] {{13, 37, 19}, {40, 24, 129}, {5, 64, 17}, {1, 1, 1}}) {
            int out = shape[0], in = shape[1], n = shape[2];
            for (double d : SparsePatterns.DENSITIES) {
                String ctx = out + "x" + in + " n=" + n + " density " + d;
                boolean[] mask = SparsePatterns.mixedMask(r, out, in, d);
                float[] dense = new float[out * in];
                for (int i = 0; i < dense.length; i++) dense[i] = mask[i] ? r.nextInt(1, 5) * (r.nextBoolean() ? 1 : -1) : 0f;
                CsrMatrix w = CsrMatrix.fromDenseMask(out, in, dense, 0, mask, 0);
                float[] x = new float[n * in], dy = new float[n * out], bias = new float[out];
                for (int i = 0; i < x.length; i++) x[i] = r.nextInt(4) == 0 ? r.nextInt(-3, 4) : 0;
                for (int i = 0; i < dy.length; i++) dy[i] = r.nextInt(4) == 0 ? r.nextInt(-3, 4) : 0;
                for (int i = 0; i < out; i++) bias[i] = r.nextInt(-3, 4);

                float[] ySparse = new float[n * out], yDense = new float[n * out];
                ks.sparseLinear(n, x, 0, w, bias, 0, ySparse, 0);
                ks.gemmABt(n, out, in, x, 0, dense, 0, yDense, 0, false);
                for (int t = 0; t < n; t++) for (int o = 0; o < out; o++) yDense[t * out + o] += bias[o];
                Fixtures.assertBitsEqual(yDense, ySparse, ctx + " sparseLinear vs gemmABt + bias");

                float[] dxSparse = Fixtures.randomFloats(r, n * in, -3, 3), dxDense = dxSparse.clone();
                for (int i = 0; i < dxSparse.length; i++) dxSparse[i] = dxDense[i] = Math.round(dxSparse[i]);
                ks.sparseLinearBackward(n, dy, 0, w, dxSparse, 0);
                ks.gemmAB(n, in, out, dy, 0, dense, 0, dxDense, 0, true);
                Fixtures.assertBitsEqual(dxDense, dxSparse, ctx + " sparseLinearBackward vs gemmAB");
            }
        }
    }
}
