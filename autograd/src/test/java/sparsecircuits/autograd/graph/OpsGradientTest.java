package sparsecircuits.autograd.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;
import static sparsecircuits.autograd.graph.GradientCheck.EXAMPLES;
import static sparsecircuits.autograd.graph.GradientCheck.SEED;
import static sparsecircuits.autograd.graph.GradientCheck.check;
import static sparsecircuits.autograd.graph.GradientCheck.property;
import static sparsecircuits.autograd.graph.GradientCheck.rand;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import sparsecircuits.autograd.graph.GradientCheck.Case;
import sparsecircuits.autograd.param.Parameter;
import sparsecircuits.kernels.KernelProvider;

/**
 * Every op's forward against a double reference, and its backward rule against central finite differences of
 * that reference in double, on small random shapes ({@link GradientCheck}: QuickTheories draws the seeds; shapes and
 * values follow).
 */
class OpsGradientTest {

    // ------------------------------------------------------------------ references in double

    static double[] refLinear(double[] x, double[] w, double[] b, int n, int in, int out) {
        double[] y = new double[n * out];
        for (int i = 0; i < n; i++) {
            for (int o = 0; o < out; o++) {
                double s = b == null ? 0 : b[o];
                for (int c = 0; c < in; c++) s += x[i * in + c] * w[o * in + c];
                y[i * out + o] = s;
            }
        }
        return y;
    }

    static double erf(double x) { // Taylor series; inputs of the tests stay within |x| ≤ 3
        double sum = 0, term = x;
        for (int n = 0; n < 200; n++) {
            double add = term / (2 * n + 1);
            sum += add;
            if (Math.abs(add) < 1e-17) break;
            term *= -x * x / (n + 1);
        }
        return 2 / Math.sqrt(Math.PI) * sum;
    }

    static double[] refRmsNorm(double[] x, double[] g, int rows, int d, double eps) {
        double[] y = new double[x.length];
        for (int r = 0; r < rows; r++) {
            double ms = 0;
            for (int c = 0; c < d; c++) ms += x[r * d + c] * x[r * d + c];
            double rstd = 1 / Math.sqrt(ms / d + eps);
            for (int c = 0; c < d; c++) y[r * d + c] = x[r * d + c] * rstd * g[c];
        }
        return y;
    }

    static double[] refSoftmax(double[] x, int rows, int d) {
        double[] y = new double[x.length];
        for (int r = 0; r < rows; r++) {
            double m = Double.NEGATIVE_INFINITY, s = 0;
            for (int c = 0; c < d; c++) m = Math.max(m, x[r * d + c]);
            for (int c = 0; c < d; c++) s += Math.exp(x[r * d + c] - m);
            for (int c = 0; c < d; c++) y[r * d + c] = Math.exp(x[r * d + c] - m) / s;
        }
        return y;
    }

    static double[] refAttention(double[] q, double[] k, double[] v, double[] sink, int batch, int tokens, int heads, int dh) {
        int w = heads * dh;
        double[] y = new double[batch * tokens * w];
        double scale = 1 / Math.sqrt(dh);
        for (int b = 0; b < batch; b++) {
            for (int h = 0; h < heads; h++) {
                for (int i = 0; i < tokens; i++) {
                    double[] s = new double[i + 1];
                    double m = sink == null ? Double.NEGATIVE_INFINITY : sink[h];
                    for (int j = 0; j <= i; j++) {
                        double d = 0;
                        for (int e = 0; e < dh; e++) d += q[(b * tokens + i) * w + h * dh + e] * k[(b * tokens + j) * w + h * dh + e];
                        s[j] = d * scale;
                        m = Math.max(m, s[j]);
                    }
                    double z = sink == null ? 0 : Math.exp(sink[h] - m);
                    for (int j = 0; j <= i; j++) z += Math.exp(s[j] - m);
                    for (int j = 0; j <= i; j++) {
                        double p = Math.exp(s[j] - m) / z;
                        for (int e = 0; e < dh; e++) y[(b * tokens + i) * w + h * dh + e] += p * v[(b * tokens + j) * w + h * dh + e];
                    }
                }
            }
        }
        return y;
    }

    // ------------------------------------------------------------------ the properties

    @Test
    void elementwise() {
        property((r, s) -> {
            int rows = 1 + r.nextInt(5), cols = 1 + r.nextInt(9);
            int[] sh = {rows, cols};
            float[] a = rand(r, rows * cols, -2, 2), b = rand(r, rows * cols, -2, 2);
            return new Case("add-sub-mul-scale", new float[][] {a, b}, new int[][] {sh, sh}, (o, t) -> {
                return o.scale(o.mul(o.add(t[0], t[1]), o.sub(t[0], t[1])), 0.75f);
            }, x -> {
                double[] y = new double[x[0].length];
                for (int i = 0; i < y.length; i++) y[i] = 0.75 * (x[0][i] + x[1][i]) * (x[0][i] - x[1][i]);
                return y;
            }, new boolean[] {true, true});
        }, 1e-5, 1e-4);
    }

    @Test
    void rowVectorColumnsSumMean() {
        property((r, s) -> {
            int rows = 1 + r.nextInt(5), cols = 2 + r.nextInt(9);
            int from = r.nextInt(cols), to = from + 1 + r.nextInt(cols - from);
            float[] a = rand(r, rows * cols, -2, 2), v = rand(r, cols, -1, 1);
            return new Case("rowvector-columns", new float[][] {a, v}, new int[][] {{rows, cols}, {cols}}, (o, t) -> {
                Tensor c = o.columns(o.view(o.addRowVector(t[0], t[1]), 1, rows, cols), from, to);
                return o.add(c, o.scale(c, 0f)); // keep shape; sum/mean checked below
            }, x -> {
                double[] y = new double[rows * (to - from)];
                for (int i = 0; i < rows; i++) for (int c = from; c < to; c++) y[i * (to - from) + c - from] = x[0][i * cols + c] + x[1][c];
                return y;
            }, new boolean[] {true, true});
        }, 1e-5, 1e-4);
        property((r, s) -> {
            int n = 1 + r.nextInt(20);
            float[] a = rand(r, n, -2, 2);
            return new Case("sum-mean", new float[][] {a}, new int[][] {{n}}, (o, t) -> {
                return o.add(o.sum(t[0]), o.scale(o.mean(t[0]), 3f));
            }, x -> {
                double s0 = 0;
                for (double v : x[0]) s0 += v;
                return new double[] {s0 + 3 * s0 / n};
            }, new boolean[] {true});
        }, 1e-5, 1e-4);
    }

    @Test
    void linearDenseAndCsrMatchDenseMasked() {
        for (boolean csr : new boolean[] {false, true}) {
            property((r, s) -> {
                int n = 1 + r.nextInt(7), in = 1 + r.nextInt(9), out = 1 + r.nextInt(9);
                Parameter p = Parameter.sparse("w", Parameter.SparsityRule.VOCAB_OR_BIAS, out, in);
                float[] wv = rand(r, out * in, -1, 1);
                System.arraycopy(wv, 0, p.value(), 0, wv.length);
                p.sparsify(Math.max(1, out * in / 4), 0);
                float[] masked = p.value().clone();
                float[] x = rand(r, n * in, -1, 1), b = rand(r, out, -1, 1);
                return new Case("linear csr=" + csr, new float[][] {x, masked, b}, new int[][] {{n, in}, {out, in}, {out}}, (ops, t) -> {
                    Tensor w = Tensor.of(p);
                    Ops o = ops.sparseBelow(csr ? 2.0 : 0.0);
                    Tensor y = o.linear(t[0], w, t[2]);
                    assertEquals(csr ? "linear(csr)" : "linear", y.op());
                    Tensor yv = new Ops(KernelProvider.get(), null).linear(t[0], t[1], t[2]); // dense GEMM on the masked copy
                    for (int i = 0; i < y.numel(); i++) assertEquals(yv.data()[i], y.data()[i], 1e-5f, "csr vs dense-masked forward");
                    t[1] = w; // ∂W is read from the parameter's own gradient
                    return y;
                }, xs -> refLinear(xs[0], xs[1], xs[2], n, in, out), new boolean[] {true, true, true});
            }, 1e-5, 2e-4);
        }
    }

    /**
     * A gradient with mostly-zero rows (as after AbsTopK) takes the row-sparse products for dX and dW (row density
     * below {@link Ops#ROW_SPARSE_BELOW_NARROW}); they must equal the dense products dY·W and dYᵀ·X.
     */
    @Test
    void linearRowSparseBackwardEqualsTheDenseProducts() {
        qt().withFixedSeed(SEED).withExamples(EXAMPLES).forAll(longs().all()).checkAssert(salt -> {
            SplittableRandom r = new SplittableRandom(salt);
            int n = 1 + r.nextInt(70), in = 1 + r.nextInt(600), out = 1 + r.nextInt(90);
            Parameter p = Parameter.dense("w", out, in);
            System.arraycopy(rand(r, out * in, -1, 1), 0, p.value(), 0, out * in);
            float[] x = rand(r, n * in, -1, 1), dy = new float[n * out];
            for (int i = 0; i < dy.length; i++) if (r.nextDouble() < 0.04) dy[i] = (float) r.nextGaussian();
            Tape tape = new Tape(salt % 2 == 0);
            Tensor xt = Tensor.variable(x.clone(), n, in), w = Tensor.of(p);
            Tensor y = new Ops(KernelProvider.get(), tape).linear(xt, w, null);
            tape.backward(java.util.List.of(y), java.util.List.of(dy), java.util.List.of(xt, w));
            String ctx = n + "x" + in + "→" + out + " salt " + salt;
            for (int t = 0; t < n; t++) {
                for (int i = 0; i < in; i++) {
                    double e = 0, mag = 0;
                    for (int o = 0; o < out; o++) {
                        e += (double) dy[t * out + o] * p.value()[o * in + i];
                        mag += Math.abs((double) dy[t * out + o] * p.value()[o * in + i]);
                    }
                    if (Math.abs(e - xt.grad()[t * in + i]) > 1e-5 * (1 + mag)) fail(ctx + ": dX[" + t + ", " + i + "] = " + xt.grad()[t * in + i] + ", expected " + e);
                }
            }
            for (int o = 0; o < out; o++) {
                for (int i = 0; i < in; i++) {
                    double e = 0, mag = 0;
                    for (int t = 0; t < n; t++) {
                        e += (double) dy[t * out + o] * x[t * in + i];
                        mag += Math.abs((double) dy[t * out + o] * x[t * in + i]);
                    }
                    if (Math.abs(e - p.grad()[o * in + i]) > 1e-5 * (1 + mag)) fail(ctx + ": dW[" + o + ", " + i + "] = " + p.grad()[o * in + i] + ", expected " + e);
                }
            }
            tape.clear();
        });
    }

    @Test
    void rmsNormGeluSoftmax() {
        property((r, s) -> {
            int rows = 1 + r.nextInt(4), d = 1 + r.nextInt(12);
            float[] x = rand(r, rows * d, -2, 2), g = rand(r, d, 0.5, 1.5);
            float eps = Math.ulp(1f);
            return new Case("rmsNorm", new float[][] {x, g}, new int[][] {{rows, d}, {d}}, (o, t) -> o.rmsNorm(t[0], t[1], eps),
                    xs -> refRmsNorm(xs[0], xs[1], rows, d, eps), new boolean[] {true, true});
        }, 1e-5, 2e-4);
        property((r, s) -> {
            int n = 1 + r.nextInt(30);
            float[] x = rand(r, n, -3, 3);
            return new Case("gelu", new float[][] {x}, new int[][] {{n}}, (o, t) -> o.gelu(t[0]), xs -> {
                double[] y = new double[n];
                for (int i = 0; i < n; i++) y[i] = 0.5 * xs[0][i] * (1 + erf(xs[0][i] / Math.sqrt(2)));
                return y;
            }, new boolean[] {true});
        }, 1e-5, 1e-4);
        property((r, s) -> {
            int rows = 1 + r.nextInt(4), d = 1 + r.nextInt(10);
            float[] x = rand(r, rows * d, -3, 3);
            return new Case("softmax", new float[][] {x}, new int[][] {{rows, d}}, (o, t) -> o.softmax(t[0]),
                    xs -> refSoftmax(xs[0], rows, d), new boolean[] {true});
        }, 1e-5, 1e-4);
    }

    @Test
    void absTopK() {
        property((r, s) -> {
            int rows = 1 + r.nextInt(4), d = 1 + r.nextInt(12), keep = r.nextInt(d + 1);
            float[] x = rand(r, rows * d, -2, 2);
            return new Case("absTopK keep=" + keep, new float[][] {x}, new int[][] {{rows, d}}, (o, t) -> {
                Tensor y = o.absTopK(t[0], keep);
                return o.scale(y, 1f); // the identity case (keep = d) returns x itself
            }, xs -> {
                double[] y = new double[rows * d];
                for (int row = 0; row < rows; row++) {
                    Integer[] idx = new Integer[d];
                    for (int c = 0; c < d; c++) idx[c] = c;
                    final int rr = row;
                    Arrays.sort(idx, (a, b) -> Double.compare(Math.abs(xs[0][rr * d + b]), Math.abs(xs[0][rr * d + a])));
                    for (int q = 0; q < keep; q++) y[row * d + idx[q]] = xs[0][row * d + idx[q]];
                }
                return y;
            }, new boolean[] {true});
        }, 0, 1e-4);
    }

    @Test
    void attentionWithAndWithoutSink() {
        for (boolean withSink : new boolean[] {false, true}) {
            property((r, s) -> {
                int batch = 1 + r.nextInt(2), tokens = 1 + r.nextInt(5), heads = 1 + r.nextInt(3), dh = 1 + r.nextInt(4);
                int n = batch * tokens * heads * dh;
                int[] sh = {batch, tokens, heads * dh};
                float[] q = rand(r, n, -1.5, 1.5), k = rand(r, n, -1.5, 1.5), v = rand(r, n, -1, 1), sink = rand(r, heads, -1, 1);
                return new Case("attention sink=" + withSink, new float[][] {q, k, v, sink}, new int[][] {sh, sh, sh, {heads}},
                        (o, t) -> o.attention(t[0], t[1], t[2], withSink ? t[3] : null, batch, tokens, heads, dh),
                        xs -> refAttention(xs[0], xs[1], xs[2], withSink ? xs[3] : null, batch, tokens, heads, dh),
                        new boolean[] {true, true, true, withSink});
            }, 1e-5, 2e-4);
        }
    }

    @Test
    void embeddingAddRowsCrossEntropy() {
        property((r, s) -> {
            int vocab = 2 + r.nextInt(6), d = 1 + r.nextInt(5), n = 1 + r.nextInt(6);
            int[] tokens = new int[n], targets = new int[n];
            for (int i = 0; i < n; i++) {
                tokens[i] = r.nextInt(vocab);
                targets[i] = r.nextInt(4) == 0 ? -1 : r.nextInt(vocab); // some ignored
            }
            float[] table = rand(r, vocab * d, -1, 1), unembed = rand(r, vocab * d, -1, 1), bigram = rand(r, vocab * vocab, 0, 0.5);
            return new Case("embedding-CE", new float[][] {table, unembed, bigram}, new int[][] {{vocab, d}, {vocab, d}, {vocab, vocab}}, (o, t) -> {
                Tensor logits = o.addRows(o.linear(o.embedding(t[0], tokens), t[1], null), t[2], tokens);
                return o.crossEntropy(logits, targets);
            }, xs -> {
                double[] e = new double[n * d];
                for (int i = 0; i < n; i++) System.arraycopy(xs[0], tokens[i] * d, e, i * d, d);
                double[] logits = refLinear(e, xs[1], null, n, d, vocab);
                double total = 0;
                int count = 0;
                for (int i = 0; i < n; i++) {
                    if (targets[i] < 0) continue;
                    double m = Double.NEGATIVE_INFINITY, z = 0;
                    for (int c = 0; c < vocab; c++) m = Math.max(m, logits[i * vocab + c] + xs[2][tokens[i] * vocab + c]);
                    for (int c = 0; c < vocab; c++) z += Math.exp(logits[i * vocab + c] + xs[2][tokens[i] * vocab + c] - m);
                    total += Math.log(z) + m - logits[i * vocab + targets[i]] - xs[2][tokens[i] * vocab + targets[i]];
                    count++;
                }
                return new double[] {total / Math.max(1, count)};
            }, new boolean[] {true, true, true});
        }, 1e-5, 2e-4);
    }

    /** The last position of every sequence (the task losses' rows; they and the node gate are pruning's ops, tested there). */
    @Test
    void lastRows() {
        property((r, s) -> {
            int b = 1 + r.nextInt(4), t = 1 + r.nextInt(4), c = 1 + r.nextInt(7);
            float[] x = rand(r, b * t * c, -3, 3);
            return new Case("lastRows", new float[][] {x}, new int[][] {{b, t, c}}, (o, in) -> o.lastRows(in[0]), xs -> {
                double[] y = new double[b * c];
                for (int i = 0; i < b; i++) System.arraycopy(xs[0], ((i + 1) * t - 1) * c, y, i * c, c);
                return y;
            }, new boolean[] {true});
        }, 0, 1e-4);
    }

    @Test
    void sanityTheHarnessCatchesAWrongRule() {
        // a deliberately wrong reference (2x instead of x·x) must fail the check
        SplittableRandom r = new SplittableRandom(1);
        float[] a = rand(r, 6, -1, 1);
        Case wrong = new Case("square", new float[][] {a}, new int[][] {{6}}, (o, t) -> o.mul(t[0], t[0]), xs -> {
            double[] y = new double[6];
            for (int i = 0; i < 6; i++) y[i] = xs[0][i] * xs[0][i] * 1.01;
            return y;
        }, new boolean[] {true});
        boolean failed = false;
        try {
            check(wrong, r, 1, 1e-4);
        } catch (AssertionError e) {
            failed = true;
        }
        assertTrue(failed, "a gradient 1% off must be caught");
    }
}
