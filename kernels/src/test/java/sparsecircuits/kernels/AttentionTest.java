package sparsecircuits.kernels;

import static org.junit.jupiter.api.Assertions.fail;
import static org.quicktheories.generators.SourceDSL.integers;
import static sparsecircuits.kernels.Fixtures.EPS;
import static sparsecircuits.kernels.Fixtures.assertClose;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** attentionForward against the double oracle, with and without sink, for fused and separate q/k/v layouts. */
class AttentionTest {

    enum Layout {
        /** q, k, v are views into one [rows × 3·H·D] buffer, ld = 3·H·D. */
        FUSED,
        /** Three separate contiguous arrays, ld = H·D. */
        SEPARATE,
        /** Three separate arrays with NaN padding between rows, ld = H·D + 3. */
        PADDED
    }

    /** Inputs laid out per {@link Layout}; the q/k/v arrays may be the same object. */
    static final class Inputs {
        final float[] q, k, v;
        final int qOff, kOff, vOff, ld;

        Inputs(float[] q, int qOff, float[] k, int kOff, float[] v, int vOff, int ld) {
            this.q = q; this.k = k; this.v = v;
            this.qOff = qOff; this.kOff = kOff; this.vOff = vOff; this.ld = ld;
        }

        /**
         * Random data in [−amp, amp] (v in [−1, 1]) in the given layout; everything not part of q, k or v
         * (padding, slack before the offset and after the end) is NaN.
         */
        static Inputs random(SplittableRandom r, Layout layout, int rows, int width, float amp, int base) {
            if (layout == Layout.FUSED) {
                int ld = 3 * width;
                float[] buf = Fixtures.nanFilled(base + Math.max(rows, 1) * ld + 2); // k/v offsets stay inside even with no rows
                for (int row = 0; row < rows; row++) {
                    for (int c = 0; c < width; c++) {
                        buf[base + row * ld + c] = Fixtures.uniform(r, -amp, amp);
                        buf[base + row * ld + width + c] = Fixtures.uniform(r, -amp, amp);
                        buf[base + row * ld + 2 * width + c] = Fixtures.uniform(r, -1, 1);
                    }
                }
                return new Inputs(buf, base, buf, base + width, buf, base + 2 * width, ld);
            }
            int ld = layout == Layout.PADDED ? width + 3 : width;
            float[][] arrs = new float[3][];
            for (int a = 0; a < 3; a++) {
                arrs[a] = Fixtures.nanFilled(base + a + rows * ld + 1);
                for (int row = 0; row < rows; row++) {
                    for (int c = 0; c < width; c++) arrs[a][base + a + row * ld + c] = Fixtures.uniform(r, a == 2 ? -1 : -amp, a == 2 ? 1 : amp);
                }
            }
            return new Inputs(arrs[0], base, arrs[1], base + 1, arrs[2], base + 2, ld);
        }
    }

    static void check(Kernels ks, int batch, int tokens, int heads, int dHead, Layout layout, boolean withSink, float amp, long salt) {
        String ctx = ks.name() + " attention batch=" + batch + " tokens=" + tokens + " heads=" + heads + " dHead=" + dHead
                + " " + layout + (withSink ? " sink" : " no-sink") + " amp=" + amp + " seed=" + Fixtures.seed() + "/" + salt;
        SplittableRandom r = Fixtures.rnd(salt);
        int width = heads * dHead, rows = batch * tokens;
        Inputs in = Inputs.random(r, layout, rows, width, amp, (int) (salt % 3));
        float[] sinkData = new float[heads];
        for (int h = 0; h < heads; h++) sinkData[h] = r.nextInt(4) == 0 ? 6f : Fixtures.uniform(r, -2, 2);
        int sOff = 1;
        float[] sink = withSink ? Fixtures.guardedInput(sinkData, sOff, 1) : null;
        int pOff = (int) (salt % 4), oOff = (int) (salt % 5);
        int nProbs = batch * heads * tokens * tokens;
        float[] probs = Fixtures.guardedOutput(Fixtures.nanFilled(nProbs), pOff, 3);
        float[] out = Fixtures.guardedOutput(Fixtures.nanFilled(rows * width), oOff, 2);
        float[] q0 = in.q.clone(), k0 = in.k.clone(), v0 = in.v.clone();
        ks.attentionForward(batch, tokens, heads, dHead, in.ld, in.q, in.qOff, in.k, in.kOff, in.v, in.vOff,
                sink, sOff, probs, pOff, out, oOff);
        Fixtures.assertGuards(probs, pOff, nProbs, ctx + " probs");
        Fixtures.assertGuards(out, oOff, rows * width, ctx + " out");
        Fixtures.assertUnchanged(q0, in.q, "q", ctx);
        Fixtures.assertUnchanged(k0, in.k, "k", ctx);
        Fixtures.assertUnchanged(v0, in.v, "v", ctx);

        double[] sinkD = withSink ? AttentionOracle.toDouble(sinkData) : null;
        AttentionOracle o = new AttentionOracle(batch, tokens, heads, dHead, in.ld, AttentionOracle.toDouble(in.q), in.qOff,
                AttentionOracle.toDouble(in.k), in.kOff, AttentionOracle.toDouble(in.v), in.vOff, sinkD);
        for (int b = 0; b < batch; b++) {
            for (int h = 0; h < heads; h++) {
                int u = b * heads + h;
                for (int i = 0; i < tokens; i++) {
                    int ui = u * tokens + i;
                    // scores are dot products of dHead terms; exp turns their absolute error into relative error
                    // of the weights, and the normaliser adds a sum of up to tokens + 1 positive terms.
                    double relP = 4 * EPS * (dHead + 2) * o.maxAbsScoreTerms[ui] * 2
                            + EPS * (2 * (i + 2) + 16 + 2 * o.maxSpread[ui]);
                    double psum = 0;
                    for (int j = 0; j < tokens; j++) {
                        int pi = ui * tokens + j;
                        float got = probs[pOff + pi];
                        if (j > i) {
                            if (got != 0f) fail(ctx + ": probs(b" + b + ",h" + h + "," + i + "," + j + ") of a future key = " + got);
                            continue;
                        }
                        assertClose(o.probs[pi], got, relP * o.probs[pi] + 1e-37, ctx + " probs(b" + b + ",h" + h + "," + i + "," + j + ")");
                        psum += got;
                    }
                    assertClose(1 - o.sinkWeight[ui], psum, relP + (i + 4) * EPS, ctx + " 1 − sink weight (b" + b + ",h" + h + "," + i + ")");
                    for (int e = 0; e < dHead; e++) {
                        double absSum = 0;
                        for (int j = 0; j <= i; j++) {
                            int vj = in.vOff + (b * tokens + j) * in.ld + h * dHead + e;
                            absSum += o.probs[ui * tokens + j] * Math.abs(in.v[vj]);
                        }
                        int oi = (b * tokens + i) * width + h * dHead + e;
                        assertClose(o.out[oi], out[oOff + oi], absSum * (relP + 4 * (i + 3) * EPS) + 1e-30,
                                ctx + " out(b" + b + ",t" + i + ",h" + h + ",e" + e + ")");
                    }
                }
            }
        }
    }

    @Test
    void grid() {
        Kernels ks = Fixtures.kernels();
        long salt = 0;
        for (int tokens : new int[] {0, 1, 2, 5, 8, 17}) {
            for (int dHead : new int[] {1, 3, 4, 8, 16, 17}) {
                for (Layout layout : Layout.values()) {
                    for (boolean sink : new boolean[] {false, true}) {
                        salt++;
                        int batch = 1 + (int) (salt % 3), heads = 1 + (int) ((salt / 3) % 3);
                        check(ks, batch, tokens, heads, dHead, layout, sink, 1.5f, salt);
                    }
                }
            }
        }
    }

    @Test
    void longSequences() {
        // rows longer than four vectors take the four-chain paths of the vector kernel
        Kernels ks = Fixtures.kernels();
        for (boolean sink : new boolean[] {false, true}) {
            check(ks, 1, 67, 2, 16, Layout.FUSED, sink, 1.5f, 9101);
            check(ks, 2, 130, 1, 8, Layout.SEPARATE, sink, 1.5f, 9102);
            check(ks, 1, 71, 1, 17, Layout.FUSED, sink, 1.5f, 9103);
        }
    }

    @Test
    void peakedScores() {
        // Large q·k: the softmax is nearly one-hot and the max subtraction matters.
        Kernels ks = Fixtures.kernels();
        for (boolean sink : new boolean[] {false, true}) {
            check(ks, 2, 9, 2, 16, Layout.FUSED, sink, 6f, 9001);
            check(ks, 1, 33, 3, 8, Layout.SEPARATE, sink, 4f, 9002);
        }
    }

    @Test
    void property() {
        Kernels ks = Fixtures.kernels();
        Fixtures.qt(120).forAll(integers().between(0, 3), integers().between(0, 20), integers().between(0, 4), integers().between(1, 20))
                .checkAssert((batch, tokens, heads, dHead) -> {
                    long salt = ((batch * 21L + tokens) * 5 + heads) * 21 + dHead;
                    SplittableRandom r = Fixtures.rnd(salt);
                    check(ks, batch, tokens, heads, dHead, Layout.values()[r.nextInt(3)], r.nextBoolean(), 2f, salt);
                });
    }

    @Test
    void sinkOnlyAttendsToNothingWhenHuge() {
        // With a huge sink the real keys get ~0 weight and the output is ~0 (the sink's value is zero).
        Kernels ks = Fixtures.kernels();
        int t = 4, d = 2;
        float[] q = new float[t * d], k = new float[t * d], v = new float[t * d];
        java.util.Arrays.fill(v, 3f);
        float[] probs = new float[t * t], out = new float[t * d];
        ks.attentionForward(1, t, 1, d, d, q, 0, k, 0, v, 0, new float[] {80f}, 0, probs, 0, out, 0);
        for (float p : probs) assertClose(0, p, 1e-30, "weight of a real key next to a huge sink");
        for (float y : out) assertClose(0, y, 1e-29, "output next to a huge sink");
        // A zero sink with zero scores over t real keys gives each key 1/(t_i + 1).
        ks.attentionForward(1, t, 1, d, d, q, 0, k, 0, v, 0, new float[] {0f}, 0, probs, 0, out, 0);
        for (int i = 0; i < t; i++) {
            for (int j = 0; j <= i; j++) assertClose(1.0 / (i + 2), probs[i * t + j], 4 * EPS, "uniform weights with sink, row " + i);
            assertClose(3.0 * (i + 1) / (i + 2), out[i * d], 16 * EPS, "uniform output with sink, row " + i);
        }
    }
}
