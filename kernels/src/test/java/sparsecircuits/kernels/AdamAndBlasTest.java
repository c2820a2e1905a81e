package sparsecircuits.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;
import static org.quicktheories.generators.SourceDSL.integers;
import static sparsecircuits.kernels.Fixtures.EPS;
import static sparsecircuits.kernels.Fixtures.assertClose;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** adamStep against the torch.optim.Adam formula in double; axpy, scale, dot, sum, sumSquares. */
class AdamAndBlasTest {
    static final int[] NS = {0, 1, 3, 4, 5, 7, 8, 9, 11, 15, 16, 17, 19, 35, 37, 129, 1021};

    /** Gradients with a spread of magnitudes, including exact zeros. */
    static float[] gradients(SplittableRandom r, int n) {
        float[] g = new float[n];
        for (int i = 0; i < n; i++) {
            int kind = r.nextInt(6);
            g[i] = kind == 0 ? 0f : (float) (r.nextGaussian() * Math.pow(10, kind - 4)); // 1e-3 … 10
        }
        return g;
    }

    // ------------------------------------------------------------------ Adam

    /** One step of the reference formula in double from the given state; returns {p, m, v}. */
    static double[] adamRef(double p, double g, double m, double v, float lr, float b1, float b2, float eps, long t) {
        double beta1 = b1, beta2 = b2;
        double m1 = beta1 * m + (1 - beta1) * g;
        double v1 = beta2 * v + (1 - beta2) * g * g;
        double bc1 = 1 - Math.pow(beta1, t), bc2 = 1 - Math.pow(beta2, t);
        double denom = Math.sqrt(v1) / Math.sqrt(bc2) + eps;
        double p1 = p - (lr / bc1) * m1 / denom;
        return new double[] {p1, m1, v1};
    }

    static void checkAdam(Kernels ks, int n, float lr, float b1, float b2, float eps, int steps, long salt) {
        String ctx = ks.name() + " adam n=" + n + " lr=" + lr + " betas=" + b1 + "/" + b2 + " eps=" + eps + " seed=" + Fixtures.seed() + "/" + salt;
        SplittableRandom r = Fixtures.rnd(salt);
        int po = (int) (salt % 3), go = (int) (salt % 4), mo = (int) (salt % 5), vo = (int) (salt % 2);
        float[] pInit = Fixtures.randomFloats(r, n, -1, 1);
        float[] p = Fixtures.guardedOutput(pInit, po, 2);
        float[] m = Fixtures.guardedOutput(new float[n], mo, 1);
        float[] v = Fixtures.guardedOutput(new float[n], vo, 3);
        double[] pd = AttentionOracle.toDouble(pInit), md = new double[n], vd = new double[n]; // an all-double trajectory
        for (int t = 1; t <= steps; t++) {
            float[] gs = gradients(r, n);
            float[] g = Fixtures.guardedInput(gs, go, 2);
            float[] before = p.clone(), mBefore = m.clone(), vBefore = v.clone(), g0 = g.clone();
            ks.adamStep(n, p, po, g, go, m, mo, v, vo, lr, b1, b2, eps, t);
            Fixtures.assertGuards(p, po, n, ctx + " p");
            Fixtures.assertGuards(m, mo, n, ctx + " m");
            Fixtures.assertGuards(v, vo, n, ctx + " v");
            Fixtures.assertUnchanged(g0, g, "g", ctx);
            for (int i = 0; i < n; i++) {
                // From the kernel's own state before the step: tight, no drift.
                double[] ref = adamRef(before[po + i], gs[i], mBefore[mo + i], vBefore[vo + i], lr, b1, b2, eps, t);
                String at = ctx + " step " + t + " [" + i + "] g=" + gs[i];
                assertClose(ref[1], m[mo + i], 3 * EPS * (Math.abs(b1 * mBefore[mo + i]) + Math.abs((1 - b1) * gs[i])) + 1e-40, at + " m");
                assertClose(ref[2], v[vo + i], 4 * EPS * (b2 * vBefore[vo + i] + (1 - b2) * (double) gs[i] * gs[i]) + 1e-40, at + " v");
                double update = before[po + i] - ref[0];
                assertClose(ref[0], p[po + i], EPS * Math.abs(ref[0]) + 16 * EPS * Math.abs(update) + 1e-40, at + " p");
                // The all-double trajectory stays close over several steps.
                double[] dref = adamRef(pd[i], gs[i], md[i], vd[i], lr, b1, b2, eps, t);
                pd[i] = dref[0];
                md[i] = dref[1];
                vd[i] = dref[2];
                assertClose(pd[i], p[po + i], t * (4 * EPS * (1 + Math.abs(pd[i])) + 1e-4 * lr), at + " p vs the double trajectory");
            }
        }
    }

    @Test
    void adamMatchesTorchFormula() {
        Kernels ks = Fixtures.kernels();
        long salt = 0;
        for (int n : NS) {
            checkAdam(ks, n, 1e-3f, 0.9f, 0.999f, 1e-8f, 5, salt++);
            checkAdam(ks, n, 0.01f, 0.9f, 0.95f, 0.1f, 4, salt++); // the paper's eps = 0.1
        }
        checkAdam(ks, 4099, 3e-3f, 0.9f, 0.95f, 1e-8f, 3, salt); // several 1024-element blocks plus a tail
    }

    @Test
    void adamProperty() {
        Kernels ks = Fixtures.kernels();
        Fixtures.qt(100).forAll(integers().between(0, 300), integers().between(0, 3), integers().between(1, 6))
                .checkAssert((n, hp, steps) -> {
                    float lr = new float[] {1e-4f, 3e-3f, 0.1f, 1f}[hp];
                    float b2 = new float[] {0.999f, 0.95f, 0.5f, 0f}[hp];
                    float eps = new float[] {1e-8f, 0.1f, 1e-6f, 1e-3f}[hp];
                    checkAdam(ks, n, lr, hp == 3 ? 0f : 0.9f, b2, eps, steps, (n * 4L + hp) * 7 + steps);
                });
    }

    @Test
    void decoupledWeightDecayIsScaleThenAdam() {
        Kernels ks = Fixtures.kernels();
        SplittableRandom r = Fixtures.rnd(55);
        int n = 133;
        float lr = 0.01f, wd = 0.1f;
        float[] p = Fixtures.randomFloats(r, n, -1, 1), g = gradients(r, n), m = new float[n], v = new float[n];
        float[] p0 = p.clone();
        float decay = 1 - lr * wd;
        ks.scale(n, decay, p, 0);
        for (int i = 0; i < n; i++) assertEquals(p0[i] * decay, p[i], 0f, "scale is one rounded product");
        ks.adamStep(n, p, 0, g, 0, m, 0, v, 0, lr, 0.9f, 0.95f, 0.1f, 1);
        for (int i = 0; i < n; i++) {
            double[] ref = adamRef((double) p0[i] * decay, g[i], 0, 0, lr, 0.9f, 0.95f, 0.1f, 1);
            assertClose(ref[0], p[i], 4 * EPS * (Math.abs(ref[0]) + lr), "AdamW element " + i);
        }
    }

    /**
     * The fused form (gradient scale in, decay out) is bit for bit scale(g), adamStep, scale(p) of the same provider,
     * over sizes across the vector widths and tails, several steps (moments carried), and scales/decays of 1
     * (no gradient store) and otherwise; g is left scaled, guards untouched.
     */
    @Test
    void fusedAdamIsBitIdenticalToScaleAdamScale() {
        Kernels ks = Fixtures.kernels();
        Fixtures.qt(200).forAll(integers().between(0, 2100), integers().between(0, 3), integers().between(0, 2), integers().between(1, 4))
                .checkAssert((n, sc, dc, steps) -> {
                    float gradScale = new float[] {1f, 0.3713f, 7.25f, 1e-3f}[sc];
                    float decay = new float[] {1f, 0.999f, 0.9973f}[dc];
                    SplittableRandom r = Fixtures.rnd(n * 12L + sc * 3 + dc);
                    int po = n % 3, go = n % 4, mo = n % 5, vo = n % 2;
                    float[] pInit = Fixtures.randomFloats(r, n, -1, 1);
                    float[] p = Fixtures.guardedOutput(pInit, po, 2), m = Fixtures.guardedOutput(new float[n], mo, 1);
                    float[] v = Fixtures.guardedOutput(new float[n], vo, 3);
                    float[] pRef = p.clone(), mRef = m.clone(), vRef = v.clone();
                    for (int t = 1; t <= steps; t++) {
                        float[] g = Fixtures.guardedOutput(gradients(r, n), go, 2), gRef = g.clone();
                        String ctx = ks.name() + " n=" + n + " gradScale=" + gradScale + " decay=" + decay + " step " + t;
                        ks.adamStep(n, p, po, g, go, m, mo, v, vo, 3e-3f, 0.9f, 0.95f, 0.1f, t, gradScale, decay);
                        ks.scale(n, gradScale, gRef, go);
                        ks.adamStep(n, pRef, po, gRef, go, mRef, mo, vRef, vo, 3e-3f, 0.9f, 0.95f, 0.1f, t);
                        ks.scale(n, decay, pRef, po);
                        Fixtures.assertBitsEqual(gRef, g, ctx + " g");
                        Fixtures.assertBitsEqual(mRef, m, ctx + " m");
                        Fixtures.assertBitsEqual(vRef, v, ctx + " v");
                        Fixtures.assertBitsEqual(pRef, p, ctx + " p");
                    }
                });
    }

    // ------------------------------------------------------------------ BLAS-1

    @Test
    void axpyIsExactlyOneOfTheTwoRoundings() {
        Kernels ks = Fixtures.kernels();
        long salt = 100;
        for (int n : NS) {
            for (float a : new float[] {0f, 1f, -1f, 2.5f, 1e-3f, -7.25f}) {
                SplittableRandom r = Fixtures.rnd(salt++);
                float[] xs = Fixtures.randomFloats(r, n, -3, 3), ys = Fixtures.randomFloats(r, n, -3, 3);
                int xo = n % 3, yo = n % 4;
                float[] x = Fixtures.guardedInput(xs, xo, 2), y = Fixtures.guardedOutput(ys, yo, 2), x0 = x.clone();
                ks.axpy(n, a, x, xo, y, yo);
                String ctx = ks.name() + " axpy n=" + n + " a=" + a;
                Fixtures.assertGuards(y, yo, n, ctx);
                Fixtures.assertUnchanged(x0, x, "x", ctx);
                for (int i = 0; i < n; i++) {
                    float got = y[yo + i], fused = Math.fma(a, xs[i], ys[i]), separate = ys[i] + a * xs[i];
                    if (got != fused && got != separate) {
                        fail(ctx + " [" + i + "]: " + got + " is neither fma " + fused + " nor mul+add " + separate);
                    }
                }
            }
        }
    }

    @Test
    void scaleIsExact() {
        Kernels ks = Fixtures.kernels();
        long salt = 200;
        for (int n : NS) {
            for (float a : new float[] {0f, 1f, -1f, 0.999f, 3e-5f}) {
                SplittableRandom r = Fixtures.rnd(salt++);
                float[] xs = Fixtures.randomFloats(r, n, -5, 5);
                int xo = n % 5;
                float[] x = Fixtures.guardedOutput(xs, xo, 3);
                ks.scale(n, a, x, xo);
                Fixtures.assertGuards(x, xo, n, "scale n=" + n);
                for (int i = 0; i < n; i++) {
                    if (Float.floatToRawIntBits(x[xo + i]) != Float.floatToRawIntBits(xs[i] * a)) {
                        fail(ks.name() + " scale n=" + n + " a=" + a + " [" + i + "]: " + x[xo + i] + " vs " + xs[i] * a);
                    }
                }
            }
        }
    }

    @Test
    void reductions() {
        Kernels ks = Fixtures.kernels();
        long salt = 300;
        int[] lengths = java.util.Arrays.copyOf(NS, NS.length + 2);
        lengths[NS.length] = 4099;
        lengths[NS.length + 1] = 100_003;
        for (int n : lengths) {
            for (int kind = 0; kind < 3; kind++) {
                SplittableRandom r = Fixtures.rnd(salt++);
                // kind 0: mixed signs; kind 1: all positive (worst case for error growth); kind 2: wide magnitudes
                float[] xs = new float[n], ys = new float[n];
                for (int i = 0; i < n; i++) {
                    xs[i] = kind == 1 ? Fixtures.uniform(r, 0, 1) : kind == 2 ? (float) (r.nextGaussian() * Math.pow(10, r.nextInt(7) - 3)) : Fixtures.uniform(r, -1, 1);
                    ys[i] = kind == 1 ? Fixtures.uniform(r, 0, 1) : Fixtures.uniform(r, -1, 1);
                }
                int xo = n % 3, yo = n % 7;
                float[] x = Fixtures.guardedInput(xs, xo, 2), y = Fixtures.guardedInput(ys, yo, 1);
                float[] x0 = x.clone(), y0 = y.clone();
                String ctx = ks.name() + " n=" + n + " kind=" + kind + " seed=" + Fixtures.seed() + "/" + (salt - 1);
                double dot = 0, dotAbs = 0, sum = 0, sumAbs = 0, sq = 0;
                for (int i = 0; i < n; i++) {
                    double p = (double) xs[i] * ys[i];
                    dot += p;
                    dotAbs += Math.abs(p);
                    sum += xs[i];
                    sumAbs += Math.abs(xs[i]);
                    sq += (double) xs[i] * xs[i];
                }
                assertClose(dot, ks.dot(n, x, xo, y, yo), Fixtures.dotTol(n, dotAbs, 0), ctx + " dot");
                assertClose(sum, ks.sum(n, x, xo), Fixtures.dotTol(n, sumAbs, 0), ctx + " sum");
                assertClose(sq, ks.sumSquares(n, x, xo), (n + 2) * 0x1p-52 * sq + 1e-300, ctx + " sumSquares (double accumulation)");
                Fixtures.assertUnchanged(x0, x, "x", ctx);
                Fixtures.assertUnchanged(y0, y, "y", ctx);
            }
        }
        // sumSquares keeps precision a float accumulator would lose
        float[] big = new float[1 << 20];
        java.util.Arrays.fill(big, 3f);
        big[0] = 1e4f;
        double expect = 1e8 + 9.0 * ((1 << 20) - 1);
        assertEquals(expect, ks.sumSquares(big.length, big, 0), 1e-6, "sumSquares must accumulate in double");
    }
}
