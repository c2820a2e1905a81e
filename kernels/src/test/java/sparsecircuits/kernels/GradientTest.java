package sparsecircuits.kernels;

import static org.junit.jupiter.api.Assertions.fail;
import static sparsecircuits.kernels.Fixtures.EPS;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.Test;

/**
 * Backward kernels against central finite differences of a double-precision forward written here.
 * Every backward starts from a random nonzero gradient buffer: the contract is {@code +=}, so the
 * check is (got − initial) ≈ finite difference, and nothing outside the gradient region may change.
 */
class GradientTest {

    /** Central differences of f at p, step 1e-5·max(1, |pᵢ|), for the listed positions. */
    static double[] centralDiff(ToDoubleFunction<double[]> f, double[] p, int[] positions) {
        double[] g = new double[positions.length];
        for (int q = 0; q < positions.length; q++) {
            int i = positions[q];
            double keep = p[i];
            double h = 1e-5 * Math.max(1, Math.abs(keep));
            p[i] = keep + h;
            double up = f.applyAsDouble(p);
            p[i] = keep - h;
            double down = f.applyAsDouble(p);
            p[i] = keep;
            g[q] = (up - down) / (2 * h);
        }
        return g;
    }

    static int[] range(int off, int len) {
        int[] r = new int[len];
        for (int i = 0; i < len; i++) r[i] = off + i;
        return r;
    }

    /**
     * (got − init) at the positions matches fd to 1e-3 relative, with an absolute slack of 1e-4 of the
     * largest |fd| of the tensor, plus the rounding of the += itself.
     */
    static void assertGrad(double[] fd, float[] init, float[] got, int[] positions, String what, String ctx) {
        assertGrad(fd, init, got, positions, null, what, ctx);
    }

    /** As above, with an extra absolute slack per position (for gradients that are a float cancellation). */
    static void assertGrad(double[] fd, float[] init, float[] got, int[] positions, double[] extraTol, String what, String ctx) {
        double scale = 1e-6;
        for (double v : fd) scale = Math.max(scale, Math.abs(v));
        for (int q = 0; q < positions.length; q++) {
            int i = positions[q];
            double delta = (double) got[i] - init[i];
            double tol = 1e-3 * Math.abs(fd[q]) + 1e-4 * scale + 4 * EPS * (Math.abs(init[i]) + Math.abs(got[i]))
                    + (extraTol == null ? 0 : extraTol[q]);
            if (!(Math.abs(delta - fd[q]) <= tol)) {
                fail(String.format(Locale.ROOT, "%s: d%s at [%d]: kernel added %.9g (from %s to %s), finite difference %.9g, tol %.3g",
                        ctx, what, i, delta, init[i], got[i], fd[q], tol));
            }
        }
    }

    /** Every element not in positions is bit-identical to init. */
    static void assertOthersUntouched(float[] init, float[] got, int[] positions, String ctx) {
        boolean[] in = new boolean[init.length];
        for (int i : positions) in[i] = true;
        for (int i = 0; i < init.length; i++) {
            if (!in[i] && Float.floatToRawIntBits(init[i]) != Float.floatToRawIntBits(got[i])) {
                fail(ctx + ": element " + i + " outside the gradient region changed: " + init[i] + " -> " + got[i]);
            }
        }
    }

    static float[] gaussian(SplittableRandom r, int n, double sd) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (r.nextGaussian() * sd);
        return a;
    }

    static double[] d(float[] a) {
        return AttentionOracle.toDouble(a);
    }

    // ------------------------------------------------------------------ RMSNorm

    @Test
    void rmsNormBackward() {
        Kernels ks = Fixtures.kernels();
        float eps = RowOpsTest.NORM_EPS;
        for (int dim : new int[] {1, 5, 8, 17}) {
            for (double sd : new double[] {1, 3e-4}) { // the second makes eps matter
                int rows = 3, n = rows * dim;
                String ctx = ks.name() + " rmsNormBackward rows=" + rows + " d=" + dim + " sd=" + sd + " seed=" + Fixtures.seed();
                SplittableRandom r = Fixtures.rnd(dim * 7L + (sd < 1 ? 1 : 0));
                float[] xs = gaussian(r, n, sd), gs = Fixtures.randomFloats(r, dim, -2, 2), dys = gaussian(r, n, 1);
                float[] y = new float[n], rstd = new float[rows];
                ks.rmsNormForward(rows, dim, xs, 0, gs, 0, eps, y, 0, rstd, 0);

                // p = [x (n), gain (d)]
                double[] p = new double[n + dim];
                System.arraycopy(d(xs), 0, p, 0, n);
                System.arraycopy(d(gs), 0, p, n, dim);
                ToDoubleFunction<double[]> loss = pp -> {
                    double l = 0;
                    for (int i = 0; i < rows; i++) {
                        double ss = 0;
                        for (int c = 0; c < dim; c++) ss += pp[i * dim + c] * pp[i * dim + c];
                        double rs = 1 / Math.sqrt(ss / dim + eps);
                        for (int c = 0; c < dim; c++) l += dys[i * dim + c] * pp[i * dim + c] * rs * pp[n + c];
                    }
                    return l;
                };
                double[] fdx = centralDiff(loss, p, range(0, n));
                double[] fdg = centralDiff(loss, p, range(n, dim));

                int xo = 2, dxo = 1, dgo = 3;
                float[] x = Fixtures.guardedInput(xs, xo, 1), dy = Fixtures.guardedInput(dys, 0, 2);
                float[] dx0 = Fixtures.guardedOutput(Fixtures.randomFloats(r, n, -1, 1), dxo, 2);
                float[] dg0 = Fixtures.guardedOutput(Fixtures.randomFloats(r, dim, -1, 1), dgo, 2);
                float[] dx = dx0.clone(), dg = dg0.clone();
                ks.rmsNormBackward(rows, dim, x, xo, gs, 0, rstd, 0, dy, 0, dx, dxo, dg, dgo);
                // dx = rstd·(dy⊙g − x̂·mean(dy⊙g⊙x̂)) cancels when d is small (for d = 1 it is ~eps/x²):
                // allow the rounding of the two terms.
                double[] cancel = new double[n];
                for (int i = 0; i < rows; i++) {
                    double dot = 0;
                    for (int c = 0; c < dim; c++) dot += Math.abs(dys[i * dim + c] * gs[c] * xs[i * dim + c] * rstd[i]);
                    for (int c = 0; c < dim; c++) {
                        cancel[i * dim + c] = 8 * (dim + 4) * EPS * rstd[i]
                                * (Math.abs(dys[i * dim + c] * gs[c]) + Math.abs(xs[i * dim + c] * rstd[i]) * dot / dim);
                    }
                }
                assertGrad(fdx, dx0, dx, range(dxo, n), cancel, "x", ctx);
                assertGrad(fdg, dg0, dg, range(dgo, dim), "gain", ctx);
                assertOthersUntouched(dx0, dx, range(dxo, n), ctx + " dx");
                assertOthersUntouched(dg0, dg, range(dgo, dim), ctx + " dgain");
            }
        }
    }

    // ------------------------------------------------------------------ GELU

    @Test
    void geluBackward() {
        Kernels ks = Fixtures.kernels();
        SplittableRandom r = Fixtures.rnd(31);
        int n = 67;
        float[] xs = Fixtures.randomFloats(r, n, -6, 6), dys = gaussian(r, n, 1);
        xs[0] = 0f;
        xs[1] = -0.5f;
        double[] p = d(xs);
        ToDoubleFunction<double[]> loss = pp -> {
            double l = 0;
            for (int i = 0; i < n; i++) l += dys[i] * DoubleMath.gelu(pp[i]);
            return l;
        };
        double[] fd = centralDiff(loss, p, range(0, n));
        float[] dx0 = Fixtures.guardedOutput(Fixtures.randomFloats(r, n, -1, 1), 2, 2), dx = dx0.clone();
        ks.geluBackward(n, xs, 0, dys, 0, dx, 2);
        String ctx = ks.name() + " geluBackward seed=" + Fixtures.seed();
        assertGrad(fd, dx0, dx, range(2, n), "x", ctx);
        assertOthersUntouched(dx0, dx, range(2, n), ctx);
    }

    // ------------------------------------------------------------------ softmax

    @Test
    void softmaxBackward() {
        Kernels ks = Fixtures.kernels();
        for (int dim : new int[] {1, 4, 9, 17}) {
            int rows = 3, n = rows * dim;
            String ctx = ks.name() + " softmaxBackward rows=" + rows + " d=" + dim + " seed=" + Fixtures.seed();
            SplittableRandom r = Fixtures.rnd(300 + dim);
            float[] xs = gaussian(r, n, 2), dys = gaussian(r, n, 1), y = new float[n];
            ks.softmaxForward(rows, dim, xs, 0, y, 0);
            ToDoubleFunction<double[]> loss = pp -> {
                double l = 0;
                for (int i = 0; i < rows; i++) {
                    double max = Double.NEGATIVE_INFINITY, z = 0;
                    for (int c = 0; c < dim; c++) max = Math.max(max, pp[i * dim + c]);
                    for (int c = 0; c < dim; c++) z += Math.exp(pp[i * dim + c] - max);
                    for (int c = 0; c < dim; c++) l += dys[i * dim + c] * Math.exp(pp[i * dim + c] - max) / z;
                }
                return l;
            };
            double[] fd = centralDiff(loss, d(xs), range(0, n));
            float[] dx0 = Fixtures.guardedOutput(Fixtures.randomFloats(r, n, -1, 1), 1, 3), dx = dx0.clone();
            float[] yIn = Fixtures.guardedInput(y, 4, 1), dyIn = Fixtures.guardedInput(dys, 2, 2);
            ks.softmaxBackward(rows, dim, yIn, 4, dyIn, 2, dx, 1);
            assertGrad(fd, dx0, dx, range(1, n), "x", ctx);
            assertOthersUntouched(dx0, dx, range(1, n), ctx);
        }
    }

    // ------------------------------------------------------------------ cross-entropy

    @Test
    void crossEntropyBackward() {
        Kernels ks = Fixtures.kernels();
        for (int vocab : new int[] {1, 7, 19, 40}) {
            int rows = 5, n = rows * vocab;
            SplittableRandom r = Fixtures.rnd(400 + vocab);
            int[] targets = new int[rows];
            for (int i = 0; i < rows; i++) targets[i] = r.nextInt(vocab);
            targets[2] = -1; // ignored
            float scale = 1f / 4; // mean over the four counted rows
            String ctx = ks.name() + " crossEntropyBackward rows=" + rows + " vocab=" + vocab + " seed=" + Fixtures.seed();
            float[] ls = gaussian(r, n, 3);
            ToDoubleFunction<double[]> loss = pp -> {
                double l = 0;
                for (int i = 0; i < rows; i++) {
                    if (targets[i] < 0) continue;
                    double max = Double.NEGATIVE_INFINITY, z = 0;
                    for (int c = 0; c < vocab; c++) max = Math.max(max, pp[i * vocab + c]);
                    for (int c = 0; c < vocab; c++) z += Math.exp(pp[i * vocab + c] - max);
                    l += Math.log(z) + max - pp[i * vocab + targets[i]];
                }
                return scale * l;
            };
            double[] fd = centralDiff(loss, d(ls), range(0, n));
            float[] dl0 = Fixtures.guardedOutput(Fixtures.randomFloats(r, n, -1, 1), 3, 1), dl = dl0.clone();
            int[] tIn = new int[rows + 2];
            System.arraycopy(targets, 0, tIn, 2, rows);
            ks.crossEntropyBackward(rows, vocab, Fixtures.guardedInput(ls, 1, 1), 1, tIn, 2, scale, dl, 3);
            assertGrad(fd, dl0, dl, range(3, n), "logits", ctx);
            assertOthersUntouched(dl0, dl, range(3, n), ctx);
            for (int c = 0; c < vocab; c++) {
                int i = 3 + 2 * vocab + c;
                if (dl[i] != dl0[i]) fail(ctx + ": the ignored row got a gradient at channel " + c);
            }
        }
    }

    // ------------------------------------------------------------------ AbsTopK

    @Test
    void absTopKBackward() {
        Kernels ks = Fixtures.kernels();
        int rows = 3, dim = 10, k = 4, n = rows * dim;
        SplittableRandom r = Fixtures.rnd(500);
        // Distinct magnitudes 0.1 apart, so a 1e-5 step never changes which channels are kept.
        float[] xs = new float[n];
        for (int i = 0; i < rows; i++) {
            List<Integer> mags = new ArrayList<>();
            for (int c = 0; c < dim; c++) mags.add(c + 1);
            java.util.Collections.shuffle(mags, new java.util.Random(r.nextLong()));
            for (int c = 0; c < dim; c++) xs[i * dim + c] = 0.1f * mags.get(c) * (r.nextBoolean() ? 1 : -1);
        }
        float[] dys = gaussian(r, n, 1), y = new float[n];
        int[] kept = new int[rows * k];
        ks.absTopKForward(rows, dim, k, xs, 0, y, 0, kept, 0);
        ToDoubleFunction<double[]> loss = pp -> {
            double l = 0;
            for (int i = 0; i < rows; i++) {
                Integer[] idx = new Integer[dim];
                for (int c = 0; c < dim; c++) idx[c] = c;
                final int row = i;
                Arrays.sort(idx, (a, b) -> Double.compare(Math.abs(pp[row * dim + b]), Math.abs(pp[row * dim + a])));
                for (int q = 0; q < k; q++) l += dys[i * dim + idx[q]] * pp[i * dim + idx[q]];
            }
            return l;
        };
        double[] fd = centralDiff(loss, d(xs), range(0, n));
        float[] dx0 = Fixtures.guardedOutput(Fixtures.randomFloats(r, n, -1, 1), 2, 2), dx = dx0.clone();
        ks.absTopKBackward(rows, dim, k, kept, 0, dys, 0, dx, 2);
        String ctx = ks.name() + " absTopKBackward seed=" + Fixtures.seed();
        assertGrad(fd, dx0, dx, range(2, n), "x", ctx);
        assertOthersUntouched(dx0, dx, range(2, n), ctx);
    }

    // ------------------------------------------------------------------ attention

    @Test
    void attentionBackward() {
        Kernels ks = Fixtures.kernels();
        long salt = 600;
        for (int tokens : new int[] {1, 3, 5}) {
            for (AttentionTest.Layout layout : new AttentionTest.Layout[] {AttentionTest.Layout.FUSED, AttentionTest.Layout.PADDED}) {
                for (boolean withSink : new boolean[] {false, true}) {
                    checkAttentionBackward(ks, 2, tokens, 2, 3, layout, withSink, salt++);
                }
            }
        }
        checkAttentionBackward(ks, 1, 4, 1, 5, AttentionTest.Layout.SEPARATE, true, salt++);
    }

    /** Enough tokens (37 > 2·16) that a provider vectorising over key positions runs its vector body and tail. */
    @Test
    void attentionBackwardLongContext() {
        Kernels ks = Fixtures.kernels();
        checkAttentionBackward(ks, 1, 37, 2, 4, AttentionTest.Layout.FUSED, true, 650);
        checkAttentionBackward(ks, 2, 19, 1, 3, AttentionTest.Layout.SEPARATE, false, 651);
    }

    private static void checkAttentionBackward(Kernels ks, int batch, int tokens, int heads, int dHead,
                                               AttentionTest.Layout layout, boolean withSink, long salt) {
        String ctx = ks.name() + " attentionBackward batch=" + batch + " tokens=" + tokens + " heads=" + heads + " dHead=" + dHead
                + " " + layout + (withSink ? " sink" : " no-sink") + " seed=" + Fixtures.seed() + "/" + salt;
        SplittableRandom r = Fixtures.rnd(salt);
        int width = heads * dHead, rows = batch * tokens;
        AttentionTest.Inputs in = AttentionTest.Inputs.random(r, layout, rows, width, 1.5f, 1);
        float[] sink = withSink ? Fixtures.randomFloats(r, heads, -1, 1) : null;
        float[] dOut = gaussian(r, rows * width, 1);
        float[] probs = new float[batch * heads * tokens * tokens], out = new float[rows * width];
        ks.attentionForward(batch, tokens, heads, dHead, in.ld, in.q, in.qOff, in.k, in.kOff, in.v, in.vOff, sink, 0, probs, 0, out, 0);

        // Positions of q, k, v inside their arrays.
        int[][] pos = new int[3][rows * width];
        int[] offs = {in.qOff, in.kOff, in.vOff};
        for (int a = 0; a < 3; a++) {
            for (int row = 0; row < rows; row++) {
                for (int c = 0; c < width; c++) pos[a][row * width + c] = offs[a] + row * in.ld + c;
            }
        }
        boolean fused = in.q == in.k;
        double[] qd = d(in.q), kd = fused ? qd : d(in.k), vd = fused ? qd : d(in.v);
        double[] sd = withSink ? d(sink) : null;
        ToDoubleFunction<double[]> loss = ignored -> {
            AttentionOracle o = new AttentionOracle(batch, tokens, heads, dHead, in.ld, qd, in.qOff, kd, in.kOff, vd, in.vOff, sd);
            double l = 0;
            for (int i = 0; i < o.out.length; i++) l += dOut[i] * o.out[i];
            return l;
        };
        double[][] fd = {centralDiff(loss, qd, pos[0]), centralDiff(loss, kd, pos[1]), centralDiff(loss, vd, pos[2])};

        // Gradient buffers with the same layout: random where q/k/v live, the sentinel elsewhere.
        float[][] g0 = new float[3][];
        if (fused) {
            g0[0] = g0[1] = g0[2] = Fixtures.guardedOutput(new float[0], in.q.length, 0);
        } else {
            for (int a = 0; a < 3; a++) g0[a] = Fixtures.guardedOutput(new float[0], (a == 0 ? in.q : a == 1 ? in.k : in.v).length, 0);
        }
        for (int a = 0; a < 3; a++) for (int i : pos[a]) g0[a][i] = Fixtures.uniform(r, -1, 1);
        float[][] g = new float[3][];
        g[0] = g0[0].clone();
        g[1] = fused ? g[0] : g0[1].clone();
        g[2] = fused ? g[0] : g0[2].clone();
        float[] ds0 = Fixtures.guardedOutput(Fixtures.randomFloats(r, heads, -1, 1), 2, 1), ds = ds0.clone();
        float[] q0 = in.q.clone(), p0 = probs.clone();
        ks.attentionBackward(batch, tokens, heads, dHead, in.ld, in.q, in.qOff, in.k, in.kOff, in.v, in.vOff, sink, 0, probs, 0,
                dOut, 0, g[0], in.qOff, g[1], in.kOff, g[2], in.vOff, ds, 2);
        Fixtures.assertUnchanged(q0, in.q, "q", ctx);
        Fixtures.assertUnchanged(p0, probs, "probs", ctx);
        String[] names = {"q", "k", "v"};
        for (int a = 0; a < 3; a++) assertGrad(fd[a], g0[a], g[a], pos[a], names[a], ctx);
        if (fused) {
            int[] all = new int[3 * rows * width];
            for (int a = 0; a < 3; a++) System.arraycopy(pos[a], 0, all, a * rows * width, rows * width);
            assertOthersUntouched(g0[0], g[0], all, ctx + " dqkv");
        } else {
            for (int a = 0; a < 3; a++) assertOthersUntouched(g0[a], g[a], pos[a], ctx + " d" + names[a]);
        }
        if (withSink) {
            double[] fds = centralDiff(loss, sd, range(0, heads));
            assertGrad(fds, ds0, ds, range(2, heads), "sink", ctx);
            assertOthersUntouched(ds0, ds, range(2, heads), ctx + " dsink");
        } else {
            assertOthersUntouched(ds0, ds, new int[0], ctx + ": dsink without a sink");
            // and dsink may be null when there is no sink
            ks.attentionBackward(batch, tokens, heads, dHead, in.ld, in.q, in.qOff, in.k, in.kOff, in.v, in.vOff, null, 0, probs, 0,
                    dOut, 0, g[0], in.qOff, g[1], in.kOff, g[2], in.vOff, null, 0);
        }
    }
}
