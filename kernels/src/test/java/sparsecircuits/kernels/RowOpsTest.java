package sparsecircuits.kernels;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.quicktheories.generators.SourceDSL.integers;
import static sparsecircuits.kernels.Fixtures.EPS;
import static sparsecircuits.kernels.Fixtures.assertClose;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** rmsNormForward, softmaxForward and crossEntropyForward against double oracles. */
class RowOpsTest {
    /** float32 machine epsilon, 2⁻²³ = 1.1920929e-7 (what the reference passes to RMSNorm). */
    static final float NORM_EPS = Math.ulp(1f);
    static final int[] DS = {1, 3, 4, 5, 7, 8, 9, 11, 15, 16, 17, 19, 35, 37, 129, 300};

    /** A row of values at one of several scales: ordinary, tiny (eps matters), large, all zero, mixed. */
    static float[] rowValues(SplittableRandom r, int d, int kind) {
        float[] x = new float[d];
        for (int c = 0; c < d; c++) {
            x[c] = switch (kind) {
                case 0 -> (float) r.nextGaussian();
                case 1 -> (float) r.nextGaussian() * 1e-4f;
                case 2 -> (float) r.nextGaussian() * 300f;
                case 3 -> 0f;
                default -> c % 7 == 0 ? 50f : (float) r.nextGaussian() * 0.01f;
            };
        }
        return x;
    }

    // ------------------------------------------------------------------ RMSNorm

    static void checkRmsNorm(Kernels ks, int rows, int d, long salt) {
        String ctx = ks.name() + " rmsNorm rows=" + rows + " d=" + d + " seed=" + Fixtures.seed() + "/" + salt;
        SplittableRandom r = Fixtures.rnd(salt);
        float[] xs = new float[rows * d];
        for (int i = 0; i < rows; i++) System.arraycopy(rowValues(r, d, (int) ((salt + i) % 5)), 0, xs, i * d, d);
        float[] gs = Fixtures.randomFloats(r, d, -2, 2);
        int xo = (int) (salt % 3), go = (int) (salt % 4), yo = (int) (salt % 5), ro = (int) (salt % 2);
        float[] x = Fixtures.guardedInput(xs, xo, 2), g = Fixtures.guardedInput(gs, go, 3);
        float[] y = Fixtures.guardedOutput(Fixtures.nanFilled(rows * d), yo, 2);
        float[] rstd = Fixtures.guardedOutput(Fixtures.nanFilled(rows), ro, 3);
        float[] x0 = x.clone(), g0 = g.clone();
        ks.rmsNormForward(rows, d, x, xo, g, go, NORM_EPS, y, yo, rstd, ro);
        Fixtures.assertGuards(y, yo, rows * d, ctx + " y");
        Fixtures.assertGuards(rstd, ro, rows, ctx + " rstd");
        Fixtures.assertUnchanged(x0, x, "x", ctx);
        Fixtures.assertUnchanged(g0, g, "gain", ctx);
        for (int i = 0; i < rows; i++) {
            double ss = 0;
            for (int c = 0; c < d; c++) ss += (double) xs[i * d + c] * xs[i * d + c];
            double rs = 1 / Math.sqrt(ss / d + NORM_EPS);
            // A positive sum: relative error at most linear in d, plus a few roundings for /d, +eps, sqrt, 1/x.
            double rel = (d + 10) * EPS;
            assertClose(rs, rstd[ro + i], rel * rs, ctx + " rstd[" + i + "]");
            for (int c = 0; c < d; c++) {
                double ref = xs[i * d + c] * rs * gs[c];
                assertClose(ref, y[yo + i * d + c], (rel + 4 * EPS) * Math.abs(ref) + 1e-38, ctx + " y(" + i + "," + c + ")");
            }
        }
    }

    @Test
    void rmsNormForwardGrid() {
        Kernels ks = Fixtures.kernels();
        long salt = 0;
        for (int d : DS) {
            for (int rows : new int[] {0, 1, 2, 5, 9}) {
                checkRmsNorm(ks, rows, d, salt++);
            }
        }
    }

    @Test
    void rmsNormForwardProperty() {
        Kernels ks = Fixtures.kernels();
        Fixtures.qt(120).forAll(integers().between(0, 20), integers().between(1, 200), integers().between(0, 1 << 20))
                .checkAssert((rows, d, s) -> checkRmsNorm(ks, rows, d, s));
    }

    @Test
    void rmsNormOfZeroRowIsZeroWithRstdOneOverSqrtEps() {
        Kernels ks = Fixtures.kernels();
        int d = 19;
        float[] x = new float[d], g = new float[d], y = Fixtures.nanFilled(d), rstd = {Float.NaN};
        java.util.Arrays.fill(g, 1f);
        ks.rmsNormForward(1, d, x, 0, g, 0, NORM_EPS, y, 0, rstd, 0);
        assertClose(1 / Math.sqrt(NORM_EPS), rstd[0], 4 * EPS / Math.sqrt(NORM_EPS), "rstd of a zero row");
        for (float v : y) if (v != 0f) fail("y of a zero row must be 0, got " + v);
    }

    // ------------------------------------------------------------------ softmax

    static void checkSoftmax(Kernels ks, int rows, int d, long salt) {
        String ctx = ks.name() + " softmax rows=" + rows + " d=" + d + " seed=" + Fixtures.seed() + "/" + salt;
        SplittableRandom r = Fixtures.rnd(salt);
        float[] xs = new float[rows * d];
        for (int i = 0; i < rows; i++) {
            float spread = new float[] {1f, 5f, 80f, 0f, 200f}[(int) ((salt + i) % 5)];
            float shift = (float) r.nextGaussian() * 30f;
            for (int c = 0; c < d; c++) xs[i * d + c] = shift + Fixtures.uniform(r, -spread, spread);
        }
        int xo = (int) (salt % 3), yo = (int) (salt % 4);
        float[] x = Fixtures.guardedInput(xs, xo, 2);
        float[] y = Fixtures.guardedOutput(Fixtures.nanFilled(rows * d), yo, 2);
        float[] x0 = x.clone();
        ks.softmaxForward(rows, d, x, xo, y, yo);
        Fixtures.assertGuards(y, yo, rows * d, ctx);
        Fixtures.assertUnchanged(x0, x, "x", ctx);
        for (int i = 0; i < rows; i++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < d; c++) max = Math.max(max, xs[i * d + c]);
            double sum = 0;
            for (int c = 0; c < d; c++) sum += Math.exp(xs[i * d + c] - max);
            // x − max rounded in float is off by up to ε·|x − max|, which exp turns into a relative error.
            double spreadSum = 0;
            for (int c = 0; c < d; c++) spreadSum += Math.exp(xs[i * d + c] - max) / sum * (max - xs[i * d + c]);
            double total = 0;
            for (int c = 0; c < d; c++) {
                double ref = Math.exp(xs[i * d + c] - max) / sum;
                float got = y[yo + i * d + c];
                // exp to a few ulp, the rounded argument, a sum of d positive terms, one division
                double rel = (2 * d + 16 + 2 * (max - xs[i * d + c]) + 2 * spreadSum) * EPS;
                assertClose(ref, got, rel * ref + 1e-37, ctx + " y(" + i + "," + c + ")");
                total += got;
            }
            if (d > 0) assertClose(1.0, total, (3 * d + 16) * EPS, ctx + " row " + i + " sums to 1");
        }
    }

    @Test
    void softmaxForwardGrid() {
        Kernels ks = Fixtures.kernels();
        long salt = 1000;
        for (int d : DS) {
            for (int rows : new int[] {0, 1, 3, 6}) {
                checkSoftmax(ks, rows, d, salt++);
            }
        }
        checkSoftmax(ks, 3, 0, salt); // empty rows: nothing to do
    }

    @Test
    void softmaxForwardProperty() {
        Kernels ks = Fixtures.kernels();
        Fixtures.qt(120).forAll(integers().between(0, 12), integers().between(1, 200), integers().between(0, 1 << 20))
                .checkAssert((rows, d, s) -> checkSoftmax(ks, rows, d, s));
    }

    @Test
    void softmaxInPlace() {
        Kernels ks = Fixtures.kernels();
        float[] x = {1f, 2f, 3f, -1f, 0f, 0f, 0f, 0f};
        ks.softmaxForward(2, 4, x, 0, x, 0);
        double z = Math.exp(1) + Math.exp(2) + Math.exp(3) + Math.exp(-1);
        assertClose(Math.exp(3) / z, x[2], 8 * EPS, "in place, row 0");
        assertClose(0.25, x[5], 8 * EPS, "in place, uniform row");
    }

    // ------------------------------------------------------------------ cross-entropy

    static void checkCrossEntropy(Kernels ks, int rows, int vocab, long salt) {
        String ctx = ks.name() + " crossEntropy rows=" + rows + " vocab=" + vocab + " seed=" + Fixtures.seed() + "/" + salt;
        SplittableRandom r = Fixtures.rnd(salt);
        float[] ls = new float[rows * vocab];
        int[] ts = new int[rows];
        for (int i = 0; i < rows; i++) {
            float spread = new float[] {1f, 8f, 60f}[(int) ((salt + i) % 3)];
            for (int c = 0; c < vocab; c++) ls[i * vocab + c] = Fixtures.uniform(r, -spread, spread) + 10f;
            ts[i] = r.nextInt(5) == 0 ? (r.nextBoolean() ? -1 : -100) : r.nextInt(vocab);
        }
        int lo = (int) (salt % 3), to = (int) (salt % 4), oo = (int) (salt % 5);
        float[] logits = Fixtures.guardedInput(ls, lo, 2);
        int[] targets = new int[to + rows + 2];
        java.util.Arrays.fill(targets, Integer.MAX_VALUE); // would throw or poison if read
        System.arraycopy(ts, 0, targets, to, rows);
        float[] losses = Fixtures.guardedOutput(Fixtures.nanFilled(rows), oo, 2);
        float[] l0 = logits.clone();
        double total = ks.crossEntropyForward(rows, vocab, logits, lo, targets, to, losses, oo);
        Fixtures.assertGuards(losses, oo, rows, ctx);
        Fixtures.assertUnchanged(l0, logits, "logits", ctx);
        double refTotal = 0, tolTotal = 0, sumGot = 0, sumAbs = 0;
        for (int i = 0; i < rows; i++) {
            float got = losses[oo + i];
            sumGot += got;
            sumAbs += Math.abs(got);
            if (ts[i] < 0) {
                if (got != 0f) fail(ctx + ": ignored row " + i + " (target " + ts[i] + ") has loss " + got);
                continue;
            }
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < vocab; c++) max = Math.max(max, ls[i * vocab + c]);
            double sum = 0;
            for (int c = 0; c < vocab; c++) sum += Math.exp(ls[i * vocab + c] - max);
            double lse = Math.log(sum) + max;
            double ref = lse - ls[i * vocab + ts[i]];
            double tol = EPS * ((vocab + 16) + 4 * (Math.abs(lse) + Math.abs(max) + Math.abs(ls[i * vocab + ts[i]])));
            assertClose(ref, got, tol, ctx + " loss[" + i + "] target " + ts[i]);
            refTotal += ref;
            tolTotal += tol;
        }
        assertClose(sumGot, total, 1e-12 * sumAbs + 1e-300, ctx + ": the return value is the sum of the written losses");
        assertClose(refTotal, total, tolTotal + 1e-300, ctx + ": total");
    }

    @Test
    void crossEntropyForwardGrid() {
        Kernels ks = Fixtures.kernels();
        long salt = 5000;
        for (int vocab : DS) {
            for (int rows : new int[] {0, 1, 4, 7}) {
                checkCrossEntropy(ks, rows, vocab, salt++);
            }
        }
        checkCrossEntropy(ks, 5, 1021, salt);
    }

    @Test
    void crossEntropyForwardProperty() {
        Kernels ks = Fixtures.kernels();
        Fixtures.qt(100).forAll(integers().between(0, 12), integers().between(1, 300), integers().between(0, 1 << 20))
                .checkAssert((rows, vocab, s) -> checkCrossEntropy(ks, rows, vocab, s));
    }

    @Test
    void crossEntropyHandComputed() {
        Kernels ks = Fixtures.kernels();
        float[] logits = {0f, 0f, 0f, 0f, /* */ 2f, 0f, 0f, 0f, /* */ 5f, 5f, 5f, 5f};
        float[] losses = new float[3];
        double total = ks.crossEntropyForward(3, 4, logits, 0, new int[] {1, 0, -1}, 0, losses, 0);
        double l0 = Math.log(4), l1 = Math.log(Math.exp(2) + 3) - 2;
        assertClose(l0, losses[0], 8 * EPS, "uniform logits: log(vocab)");
        assertClose(l1, losses[1], 8 * EPS, "row 1");
        assertClose(0, losses[2], 0, "ignored row");
        assertClose(l0 + l1, total, 16 * EPS, "total");
    }

    @Test
    void crossEntropyRejectsTargetsAtOrAboveVocab() {
        Kernels ks = Fixtures.kernels();
        float[] logits = new float[8];
        for (int bad : new int[] {4, 5, Integer.MAX_VALUE}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ks.crossEntropyForward(2, 4, logits, 0, new int[] {0, bad}, 0, new float[2], 0));
            assertTrue(e.getMessage().contains("targets") && e.getMessage().contains(String.valueOf(bad)), e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> ks.crossEntropyBackward(2, 4, logits, 0, new int[] {bad, 0}, 0, 1f, new float[8], 0));
            assertTrue(e.getMessage().contains("targets") && e.getMessage().contains(String.valueOf(bad)), e.getMessage());
        }
    }
}
