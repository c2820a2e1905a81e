package sparsecircuits.bench;

import static sparsecircuits.bench.Check.C;
import static sparsecircuits.bench.Check.EPS;

import java.util.Arrays;

import sparsecircuits.kernels.Gelu;

/**
 * Double-precision references for the row-wise kernels, each checking a kernel's float output.
 * Bounds follow {@link Check}: C·L·ε times the same computation on absolute values, where L is the
 * reduction length; transcendental steps add their stated error (GELU) or the amplification of
 * the rounding of their argument (exp).
 */
final class RowRef {
    private RowRef() {
    }

    // ------------------------------------------------------------------ RMSNorm

    static void rmsNormForward(String what, int rows, int d, float[] x, float[] gain, float eps, float[] y, float[] rstd) {
        double[] ref = new double[d], bound = new double[d];
        double[] rsRef = new double[rows], rsBound = new double[rows];
        for (int r = 0; r < rows; r++) {
            double ss = 0;
            for (int c = 0; c < d; c++) ss += (double) x[r * d + c] * x[r * d + c];
            double rs = 1 / Math.sqrt(ss / d + eps);
            rsRef[r] = rs;
            rsBound[r] = C * (d + 8) * EPS * rs;
            for (int c = 0; c < d; c++) {
                ref[c] = x[r * d + c] * rs * gain[c];
                bound[c] = C * (d + 8) * EPS * Math.abs(ref[c]);
            }
            Check.within(what + " y row " + r, y, r * d, ref, bound, d);
        }
        Check.within(what + " rstd", rstd, 0, rsRef, rsBound, rows);
    }

    /** Checks dx and dgain of one backward call made on zeroed dx and dgain. */
    static void rmsNormBackward(String what, int rows, int d, float[] x, float[] gain, float[] rstd, float[] dy,
                                float[] dx, float[] dgain) {
        double[] ref = new double[d], bound = new double[d];
        double[] dg = new double[d], dgAbs = new double[d];
        for (int r = 0; r < rows; r++) {
            double rs = rstd[r];
            double dot = 0, dotAbs = 0;
            for (int c = 0; c < d; c++) {
                double t = (double) dy[r * d + c] * gain[c] * x[r * d + c] * rs;
                dot += t;
                dotAbs += Math.abs(t);
            }
            for (int c = 0; c < d; c++) {
                double xhat = x[r * d + c] * rs;
                double dxhat = (double) dy[r * d + c] * gain[c];
                ref[c] = rs * (dxhat - xhat * dot / d);
                bound[c] = C * (d + 8) * EPS * rs * (Math.abs(dxhat) + Math.abs(xhat) * dotAbs / d);
                double g = (double) dy[r * d + c] * x[r * d + c] * rs;
                dg[c] += g;
                dgAbs[c] += Math.abs(g);
            }
            Check.within(what + " dx row " + r, dx, r * d, ref, bound, d);
        }
        for (int c = 0; c < d; c++) dgAbs[c] *= C * (rows + 8) * EPS;
        Check.within(what + " dgain", dgain, 0, dg, dgAbs, d);
    }

    // ------------------------------------------------------------------ GELU (exact erf in double)

    /** erfc(z) to about 1e-14 absolute: Taylor series of erf below 3, continued fraction above. */
    static double erfc(double z) {
        if (z < 0) {
            return 2 - erfc(-z);
        }
        if (z < 3) {
            double term = z, sum = z, z2 = z * z;
            for (int n = 1; n < 200 && Math.abs(term) > 1e-17; n++) {
                term *= -z2 / n;
                sum += term / (2 * n + 1);
            }
            return 1 - 2 / Math.sqrt(Math.PI) * sum;
        }
        double f = z;
        for (int k = 120; k >= 1; k--) {
            f = z + (k / 2.0) / f;
        }
        return Math.exp(-z * z) / (Math.sqrt(Math.PI) * f);
    }

    /** Φ(x), the standard normal CDF. */
    static double cdf(double x) {
        return 0.5 * erfc(-x / Math.sqrt(2));
    }

    static void geluForward(String what, int n, float[] x, float[] y) {
        double[] ref = new double[n], bound = new double[n];
        for (int i = 0; i < n; i++) {
            double xi = x[i];
            ref[i] = xi * cdf(xi);
            bound[i] = 2 * Gelu.MAX_GELU_ERROR * Math.max(1, Math.abs(xi)) + 8 * EPS * Math.abs(ref[i]);
        }
        Check.within(what, y, 0, ref, bound, n);
    }

    /** Checks dx = dy·gelu'(x) from one call on a zeroed dx. */
    static void geluBackward(String what, int n, float[] x, float[] dy, float[] dx) {
        double[] ref = new double[n], bound = new double[n];
        for (int i = 0; i < n; i++) {
            double xi = x[i];
            double phi = Math.exp(-0.5 * xi * xi) / Math.sqrt(2 * Math.PI);
            double cdf = cdf(xi);
            double grad = cdf + xi * phi;
            ref[i] = dy[i] * grad;
            bound[i] = Math.abs(dy[i]) * (2 * Gelu.MAX_ERF_ERROR + 16 * EPS * (cdf + Math.abs(xi) * phi * (1 + xi * xi)));
        }
        Check.within(what, dx, 0, ref, bound, n);
    }

    // ------------------------------------------------------------------ softmax, cross-entropy

    /** Softmax of one row in double; returns the max and fills e with exp(x − max). */
    private static double expRow(float[] x, int off, int d, double[] e) {
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < d; c++) max = Math.max(max, x[off + c]);
        for (int c = 0; c < d; c++) e[c] = Math.exp(x[off + c] - max);
        return max;
    }

    static void softmaxForward(String what, int rows, int d, float[] x, float[] y) {
        double[] e = new double[d], bound = new double[d];
        for (int r = 0; r < rows; r++) {
            double max = expRow(x, r * d, d, e);
            double z = 0;
            for (int c = 0; c < d; c++) z += e[c];
            for (int c = 0; c < d; c++) {
                e[c] /= z;
                // sum of d terms, plus the rounding of x − max amplified by exp
                bound[c] = C * (d + 16 + Math.abs(x[r * d + c] - max)) * EPS * e[c];
            }
            Check.within(what + " row " + r, y, r * d, e, bound, d);
        }
    }

    /** Checks dx = y ⊙ (dy − Σ y·dy) from one call on a zeroed dx. */
    static void softmaxBackward(String what, int rows, int d, float[] y, float[] dy, float[] dx) {
        double[] ref = new double[d], bound = new double[d];
        for (int r = 0; r < rows; r++) {
            double s = 0, sAbs = 0;
            for (int c = 0; c < d; c++) {
                double t = (double) y[r * d + c] * dy[r * d + c];
                s += t;
                sAbs += Math.abs(t);
            }
            for (int c = 0; c < d; c++) {
                double yc = y[r * d + c];
                ref[c] = yc * (dy[r * d + c] - s);
                bound[c] = C * (d + 8) * EPS * Math.abs(yc) * (Math.abs(dy[r * d + c]) + sAbs);
            }
            Check.within(what + " row " + r, dx, r * d, ref, bound, d);
        }
    }

    static void crossEntropyForward(String what, int rows, int vocab, float[] logits, int[] targets, float[] losses,
                                    double total) {
        double[] e = new double[vocab];
        double[] ref = new double[rows], bound = new double[rows];
        double sum = 0, sumBound = 0;
        for (int r = 0; r < rows; r++) {
            int t = targets[r];
            if (t < 0) {
                continue; // ref 0, bound 0: an ignored row must be exactly 0
            }
            double max = expRow(logits, r * vocab, vocab, e);
            double z = 0, worstArg = 0;
            for (int c = 0; c < vocab; c++) {
                z += e[c];
                worstArg = Math.max(worstArg, Math.abs(logits[r * vocab + c] - max));
            }
            double logZ = Math.log(z);
            ref[r] = logZ + max - logits[r * vocab + t];
            bound[r] = C * EPS * ((vocab + 16 + worstArg) + 8 * (Math.abs(logZ) + Math.abs(max) + Math.abs(logits[r * vocab + t])));
            sum += ref[r];
            sumBound += bound[r] + C * rows * EPS * Math.abs(ref[r]);
        }
        Check.within(what + " losses", losses, 0, ref, bound, rows);
        if (!(Math.abs(total - sum) <= sumBound)) {
            Check.fail(what, "returned total " + total + ", reference " + sum + " (bound " + sumBound + ")");
        }
    }

    /** Checks dlogits = scale·(softmax − onehot) from one call on a zeroed dlogits. */
    static void crossEntropyBackward(String what, int rows, int vocab, float[] logits, int[] targets, float scale,
                                     float[] dlogits) {
        double[] e = new double[vocab], bound = new double[vocab];
        for (int r = 0; r < rows; r++) {
            int t = targets[r];
            if (t < 0) {
                Arrays.fill(e, 0);
                Arrays.fill(bound, 0);
            } else {
                double max = expRow(logits, r * vocab, vocab, e);
                double z = 0;
                for (int c = 0; c < vocab; c++) z += e[c];
                for (int c = 0; c < vocab; c++) {
                    double p = e[c] / z;
                    double oneHot = c == t ? 1 : 0;
                    e[c] = scale * (p - oneHot);
                    bound[c] = C * EPS * Math.abs(scale)
                            * ((vocab + 16 + Math.abs(logits[r * vocab + c] - max)) * p + 4 * Math.abs(p - oneHot));
                }
            }
            Check.within(what + " row " + r, dlogits, r * vocab, e, bound, vocab);
        }
    }

    // ------------------------------------------------------------------ AbsTopK (exact)

    /** The kept channels of every row, ascending: the k largest |x|, ties to the lower channel. */
    static int[] absTopKKept(int rows, int d, int k, float[] x) {
        int[] kept = new int[rows * k];
        long[] order = new long[d];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < d; c++) {
                int key = Float.floatToRawIntBits(x[r * d + c]) & 0x7fffffff;
                order[c] = ((long) (Integer.MAX_VALUE - key) << 32) | c;
            }
            Arrays.sort(order);
            for (int q = 0; q < k; q++) kept[r * k + q] = (int) order[q];
            Arrays.sort(kept, r * k, (r + 1) * k);
        }
        return kept;
    }

    // ------------------------------------------------------------------ attention (causal, optional sink)

    /**
     * Checks the forward's probs and out. q, k, v are rows of stride ld; out is [rows × heads·dHead].
     * Also returns the reference probs rounded to float (the backward check's input).
     */
    static float[] attentionForward(String what, int batch, int tokens, int heads, int dHead, int ld,
                                    float[] q, int qOff, float[] k, int kOff, float[] v, int vOff, float[] sink,
                                    float[] probs, float[] out) {
        int width = heads * dHead;
        double scale = 1 / Math.sqrt(dHead);
        double[] s = new double[tokens], err = new double[tokens];
        double[] pRef = new double[tokens], pBound = new double[tokens];
        double[] oRef = new double[dHead], oBound = new double[dHead];
        float[] probsRef = new float[batch * heads * tokens * tokens];
        for (int b = 0; b < batch; b++) {
            for (int h = 0; h < heads; h++) {
                int u = b * heads + h;
                for (int i = 0; i < tokens; i++) {
                    int qi = qOff + (b * tokens + i) * ld + h * dHead;
                    double max = sink != null ? sink[h] : Double.NEGATIVE_INFINITY;
                    for (int j = 0; j <= i; j++) {
                        int kj = kOff + (b * tokens + j) * ld + h * dHead;
                        double dot = 0, abs = 0;
                        for (int e = 0; e < dHead; e++) {
                            double t = (double) q[qi + e] * k[kj + e];
                            dot += t;
                            abs += Math.abs(t);
                        }
                        s[j] = dot * scale;
                        err[j] = (dHead + 4) * EPS * abs * scale; // float error of the score
                        max = Math.max(max, s[j]);
                    }
                    double z = sink != null ? Math.exp(sink[h] - max) : 0;
                    double zErr = sink != null ? z * EPS * (Math.abs(sink[h] - max) + 4) : 0;
                    for (int j = 0; j <= i; j++) {
                        pRef[j] = Math.exp(s[j] - max);
                        err[j] += EPS * (Math.abs(s[j] - max) + 4); // rounding of the exp argument and result
                        z += pRef[j];
                        zErr += pRef[j] * err[j];
                    }
                    double zRel = zErr / z + (i + 8) * EPS;
                    Arrays.fill(oRef, 0);
                    Arrays.fill(oBound, 0);
                    for (int j = 0; j <= i; j++) {
                        pRef[j] /= z;
                        pBound[j] = C * pRef[j] * (err[j] + zRel + 4 * EPS);
                        int vj = vOff + (b * tokens + j) * ld + h * dHead;
                        for (int e = 0; e < dHead; e++) {
                            oRef[e] += pRef[j] * v[vj + e];
                            oBound[e] += (pBound[j] + C * (i + 4) * EPS * pRef[j]) * Math.abs(v[vj + e]);
                        }
                    }
                    for (int j = i + 1; j < tokens; j++) {
                        pRef[j] = 0; // strictly causal: exact zeros
                        pBound[j] = 0;
                    }
                    int pi = (u * tokens + i) * tokens;
                    for (int j = 0; j < tokens; j++) probsRef[pi + j] = (float) pRef[j];
                    Check.within(what + " probs (b " + b + ", h " + h + ", i " + i + ")", probs, pi, pRef, pBound, tokens);
                    Check.within(what + " out (b " + b + ", h " + h + ", i " + i + ")", out,
                            (b * tokens + i) * width + h * dHead, oRef, oBound, dHead);
                }
            }
        }
        return probsRef;
    }

    /**
     * Checks dq, dk, dv (views of stride ld into dqkv at the given offsets, zeroed before the call)
     * and dsink (zeroed) against the attention backward in double, given the same float probs.
     */
    static void attentionBackward(String what, int batch, int tokens, int heads, int dHead, int ld,
                                  float[] qkv, int qOff, int kOff, int vOff, float[] sink, float[] probs, float[] dOut,
                                  float[] dqkv, float[] dsink) {
        int width = heads * dHead;
        int rows = batch * tokens;
        double scale = 1 / Math.sqrt(dHead);
        double[] g = new double[qkv.length], gAbs = new double[qkv.length];
        double[] dp = new double[tokens], dpAbs = new double[tokens];
        double[] ds = new double[heads], dsAbs = new double[heads];
        for (int b = 0; b < batch; b++) {
            for (int h = 0; h < heads; h++) {
                int u = b * heads + h;
                for (int i = 0; i < tokens; i++) {
                    int pi = (u * tokens + i) * tokens;
                    int oi = (b * tokens + i) * width + h * dHead;
                    double dsum = 0, dsumAbs = 0, psum = 0;
                    for (int j = 0; j <= i; j++) {
                        int vj = vOff + (b * tokens + j) * ld + h * dHead;
                        double dot = 0, abs = 0;
                        for (int e = 0; e < dHead; e++) {
                            double t = (double) dOut[oi + e] * qkv[vj + e];
                            dot += t;
                            abs += Math.abs(t);
                        }
                        dp[j] = dot;
                        dpAbs[j] = abs;
                        dsum += probs[pi + j] * dot;
                        dsumAbs += probs[pi + j] * abs;
                        psum += probs[pi + j];
                    }
                    if (sink != null) {
                        // dsink −= (1 − Σp)·dsum: dsum's own error, the rounding of 1 − Σp (absolute,
                        // about (i + 2)·ε), then the sum over rows and batches
                        ds[h] -= (1 - psum) * dsum;
                        dsAbs[h] += C * EPS * ((3.0 * tokens + dHead + batch + 16) * Math.abs(1 - psum) * dsumAbs
                                + (i + 8) * dsumAbs);
                    }
                    int qi = qOff + (b * tokens + i) * ld + h * dHead;
                    for (int j = 0; j <= i; j++) {
                        double p = probs[pi + j];
                        double dsc = p * (dp[j] - dsum) * scale;
                        double dscAbs = p * (dpAbs[j] + dsumAbs) * scale;
                        int kj = kOff + (b * tokens + j) * ld + h * dHead;
                        int vj = vOff + (b * tokens + j) * ld + h * dHead;
                        for (int e = 0; e < dHead; e++) {
                            g[qi + e] += dsc * qkv[kj + e];
                            gAbs[qi + e] += dscAbs * Math.abs(qkv[kj + e]);
                            g[kj + e] += dsc * qkv[qi + e];
                            gAbs[kj + e] += dscAbs * Math.abs(qkv[qi + e]);
                            g[vj + e] += p * dOut[oi + e];
                            gAbs[vj + e] += p * Math.abs(dOut[oi + e]);
                        }
                    }
                }
            }
        }
        double lengthFactor = 2.0 * tokens + dHead + 16;
        for (int i = 0; i < gAbs.length; i++) gAbs[i] *= C * lengthFactor * EPS;
        Check.within(what + " dq/dk/dv", dqkv, 0, g, gAbs, rows * ld);
        if (sink != null) {
            Check.within(what + " dsink", dsink, 0, ds, dsAbs, heads);
        }
    }

    // ------------------------------------------------------------------ Adam

    /** Checks one Adam step: pNew/mNew/vNew from the float inputs p, g, m, v (before the step). */
    static void adamStep(String what, int n, float[] p, float[] g, float[] m, float[] v, float lr, float beta1, float beta2,
                         float eps, long step, float[] pNew, float[] mNew, float[] vNew) {
        double[] pr = new double[n], pb = new double[n];
        double[] mr = new double[n], mb = new double[n];
        double[] vr = new double[n], vb = new double[n];
        double b1 = beta1, b2 = beta2;
        double stepSize = lr / (1 - Math.pow(b1, step));
        double bc2Sqrt = Math.sqrt(1 - Math.pow(b2, step));
        for (int i = 0; i < n; i++) {
            double gi = g[i];
            double mAbs = b1 * Math.abs(m[i]) + (1 - b1) * Math.abs(gi);
            mr[i] = b1 * m[i] + (1 - b1) * gi;
            mb[i] = C * 8 * EPS * mAbs;
            vr[i] = b2 * v[i] + (1 - b2) * gi * gi;
            vb[i] = C * 8 * EPS * vr[i];
            double denom = Math.sqrt(vr[i]) / bc2Sqrt + eps;
            double upd = stepSize * mr[i] / denom;
            pr[i] = p[i] - upd;
            pb[i] = C * EPS * (4 * Math.abs(pr[i]) + 16 * stepSize * mAbs / denom);
        }
        Check.within(what + " m", mNew, 0, mr, mb, n);
        Check.within(what + " v", vNew, 0, vr, vb, n);
        Check.within(what + " p", pNew, 0, pr, pb, n);
    }
}
