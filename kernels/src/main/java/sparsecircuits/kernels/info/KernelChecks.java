package sparsecircuits.kernels.info;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import sparsecircuits.kernels.KernelProvider;
import sparsecircuits.kernels.Kernels;
import sparsecircuits.kernels.WorkerPool;
import sparsecircuits.kernels.sparse.CsrMatrix;

/**
 * Runs every {@link Kernels} operation of a provider against a reference provider (normally the
 * single-threaded scalar one) on small random inputs, and reports how far apart they are.
 *
 * <p>Shapes are small primes (so every vector loop has a tail), offsets are non-zero, attention
 * reads q/k/v as strided views of one fused buffer, backward ops accumulate into random gradients,
 * and several checks do enough work to be split over the candidate's worker pool. Each check runs
 * the operation on both providers with identical inputs and compares every output element.
 *
 * <p>A check passes when {@code maxAbsError <= tolerance}, with the tolerance scaled by the length
 * of the longest sum behind one output (fp32 rounding grows with it) and by the size of the
 * outputs: {@code tolerance = (1e-5 + 4·2⁻²³·L) · max(1, max|reference|)}. The base term covers
 * the ~1e-6 differences that the exp/erf approximations and fused multiply-adds are allowed.
 * Index outputs (AbsTopK's kept channels) are compared as numbers, so any difference fails.
 */
public final class KernelChecks {

    /** Default seed of the random inputs. */
    public static final long DEFAULT_SEED = 20251124L;

    private static final double FLOAT_EPS = Math.ulp(1.0f);
    private static final double BASE_TOLERANCE = 1e-5;

    /**
     * The outcome of one kernel's check.
     *
     * @param kernel      the {@link Kernels} method name, e.g. {@code "gemmABt"}
     * @param outputs     how many output values were compared
     * @param maxAbsError largest |candidate − reference| over all outputs (NaN if the candidate
     *                    produced a NaN/infinity where the reference did not, or failed)
     * @param maxRelError {@code maxAbsError / max|reference|} (0 when both are 0; NaN as above)
     * @param tolerance   the largest maxAbsError that passes
     * @param ok          whether the check passed
     * @param failure     why it failed (an exception, a non-finite value, or the error above the
     *                    tolerance), null when it passed
     */
    public record Result(String kernel, long outputs, double maxAbsError, double maxRelError, double tolerance,
                         boolean ok, String failure) {
    }

    private final Kernels candidate;
    private final Kernels reference;
    private final long seed;
    private final List<Result> results = new ArrayList<>();

    private KernelChecks(Kernels candidate, Kernels reference, long seed) {
        this.candidate = candidate;
        this.reference = reference;
        this.seed = seed;
    }

    /** Checks {@code candidate} against a fresh single-threaded scalar provider. */
    public static List<Result> run(Kernels candidate) {
        try (WorkerPool one = new WorkerPool(1)) {
            return run(candidate, KernelProvider.scalar(one), DEFAULT_SEED);
        }
    }

    /** Checks {@code candidate} against {@code reference} on inputs drawn from {@code seed}; one result per kernel. */
    public static List<Result> run(Kernels candidate, Kernels reference, long seed) {
        if (candidate == null || reference == null) {
            throw new IllegalArgumentException("candidate and reference kernels must not be null");
        }
        KernelChecks c = new KernelChecks(candidate, reference, seed);
        c.all();
        return List.copyOf(c.results);
    }

    /** True when every result passed. */
    public static boolean allOk(List<Result> results) {
        return results.stream().allMatch(Result::ok);
    }

    // ------------------------------------------------------------------------------------ the checks

    private void all() {
        SplittableRandom rnd = new SplittableRandom(seed);
        gemm(rnd);
        sparse(rnd);
        rowWise(rnd);
        attention(rnd);
        crossEntropy(rnd);
        optimizerAndBlas(rnd);
    }

    private void gemm(SplittableRandom rnd) {
        { // C[m×n] (+)= A[m×k]·B[n×k]ᵀ
            int m = 37, n = 29, k = 97;
            float[] a = uniform(rnd, 3 + m * k), b = uniform(rnd, 5 + n * k), c0 = uniform(rnd, 7 + m * n);
            check("gemmABt", k, kk -> {
                float[] set = c0.clone(), acc = c0.clone();
                kk.gemmABt(m, n, k, a, 3, b, 5, set, 7, false);
                kk.gemmABt(m, n, k, a, 3, b, 5, acc, 7, true);
                return new Object[] {set, acc};
            });
        }
        { // C[m×n] (+)= A[m×k]·B[k×n]
            int m = 37, n = 53, k = 41;
            float[] a = uniform(rnd, 2 + m * k), b = uniform(rnd, 1 + k * n), c0 = uniform(rnd, 3 + m * n);
            check("gemmAB", k, kk -> {
                float[] set = c0.clone(), acc = c0.clone();
                kk.gemmAB(m, n, k, a, 2, b, 1, set, 3, false);
                kk.gemmAB(m, n, k, a, 2, b, 1, acc, 3, true);
                return new Object[] {set, acc};
            });
        }
        { // C[m×n] (+)= A[k×m]ᵀ·B[k×n]
            int m = 43, n = 37, k = 59;
            float[] a = uniform(rnd, 1 + k * m), b = uniform(rnd, 4 + k * n), c0 = uniform(rnd, 2 + m * n);
            check("gemmAtB", k, kk -> {
                float[] set = c0.clone(), acc = c0.clone();
                kk.gemmAtB(m, n, k, a, 1, b, 4, set, 2, false);
                kk.gemmAtB(m, n, k, a, 1, b, 4, acc, 2, true);
                return new Object[] {set, acc};
            });
        }
    }

    private void sparse(SplittableRandom rnd) {
        int rows = 61, cols = 47, n = 131;
        CsrMatrix w = randomCsr(rnd, rows, cols, 0.3);
        int maxRow = 0;
        for (int r = 0; r < rows; r++) maxRow = Math.max(maxRow, w.rowPtr()[r + 1] - w.rowPtr()[r]);
        float[] x = uniform(rnd, 3 + cols * n), y0 = uniform(rnd, 5 + rows * n);
        check("spmm", maxRow, kk -> {
            float[] set = y0.clone(), acc = y0.clone();
            kk.spmm(w, x, 3, n, set, 5, false);
            kk.spmm(w, x, 3, n, acc, 5, true);
            return new Object[] {set, acc};
        });
        float[] dy = uniform(rnd, 2 + rows * n), dx0 = uniform(rnd, 1 + cols * n);
        check("spmmTransposed", rows, kk -> {
            float[] set = dx0.clone(), acc = dx0.clone();
            kk.spmmTransposed(w, dy, 2, n, set, 1, false);
            kk.spmmTransposed(w, dy, 2, n, acc, 1, true);
            return new Object[] {set, acc};
        });
        float[] g0 = uniform(rnd, 4 + w.nnz());
        check("sddmm", n, kk -> {
            float[] set = g0.clone(), acc = g0.clone();
            kk.sddmm(w, dy, 2, x, 3, n, set, 4, false);
            kk.sddmm(w, dy, 2, x, 3, n, acc, 4, true);
            return new Object[] {set, acc};
        });
    }

    private void rowWise(SplittableRandom rnd) {
        { // RMSNorm
            int rows = 13, d = 67;
            float[] x = uniform(rnd, 1 + rows * d), gain = around(rnd, 2 + d, 1f, 0.5f);
            float[] dy = uniform(rnd, 3 + rows * d), dx0 = uniform(rnd, 1 + rows * d), dg0 = uniform(rnd, 2 + d);
            float eps = 1e-5f;
            check("rmsNormForward", d, kk -> {
                float[] y = new float[4 + rows * d], rstd = new float[2 + rows];
                kk.rmsNormForward(rows, d, x, 1, gain, 2, eps, y, 4, rstd, 2);
                return new Object[] {y, rstd};
            });
            float[] rstd = new float[2 + rows];
            reference.rmsNormForward(rows, d, x, 1, gain, 2, eps, new float[4 + rows * d], 4, rstd, 2);
            check("rmsNormBackward", Math.max(d, rows), kk -> {
                float[] dx = dx0.clone(), dg = dg0.clone();
                kk.rmsNormBackward(rows, d, x, 1, gain, 2, rstd, 2, dy, 3, dx, 1, dg, 2);
                return new Object[] {dx, dg};
            });
        }
        { // GELU over [-6, 6]
            int n = 1037;
            float[] x = around(rnd, 3 + n, 0f, 6f), dy = uniform(rnd, 1 + n), dx0 = uniform(rnd, 2 + n);
            check("geluForward", 1, kk -> {
                float[] y = new float[5 + n];
                kk.geluForward(n, x, 3, y, 5);
                return new Object[] {y};
            });
            check("geluBackward", 1, kk -> {
                float[] dx = dx0.clone();
                kk.geluBackward(n, x, 3, dy, 1, dx, 2);
                return new Object[] {dx};
            });
        }
        { // softmax over logits in [-8, 8]
            int rows = 11, d = 97;
            float[] x = around(rnd, 2 + rows * d, 0f, 8f), dy = uniform(rnd, 3 + rows * d), dx0 = uniform(rnd, 1 + rows * d);
            check("softmaxForward", d, kk -> {
                float[] y = new float[1 + rows * d];
                kk.softmaxForward(rows, d, x, 2, y, 1);
                return new Object[] {y};
            });
            float[] y = new float[1 + rows * d];
            reference.softmaxForward(rows, d, x, 2, y, 1);
            check("softmaxBackward", d, kk -> {
                float[] dx = dx0.clone();
                kk.softmaxBackward(rows, d, y, 1, dy, 3, dx, 1);
                return new Object[] {dx};
            });
        }
        { // AbsTopK
            int rows = 9, d = 67, k = 7;
            float[] x = uniform(rnd, 2 + rows * d), dy = uniform(rnd, 1 + rows * d), dx0 = uniform(rnd, 3 + rows * d);
            check("absTopKForward", 1, kk -> {
                float[] y = new float[1 + rows * d];
                int[] kept = new int[2 + rows * k];
                kk.absTopKForward(rows, d, k, x, 2, y, 1, kept, 2);
                return new Object[] {y, kept};
            });
            int[] kept = new int[2 + rows * k];
            reference.absTopKForward(rows, d, k, x, 2, new float[1 + rows * d], 1, kept, 2);
            check("absTopKBackward", 1, kk -> {
                float[] dx = dx0.clone();
                kk.absTopKBackward(rows, d, k, kept, 2, dy, 1, dx, 3);
                return new Object[] {dx};
            });
        }
    }

    private void attention(SplittableRandom rnd) {
        int batch = 2, tokens = 11, heads = 3, dHead = 7;
        int width = heads * dHead, ld = 3 * width, rows = batch * tokens;
        // q, k, v are views into one fused [rows × 3·width] buffer, as the model's c_attn produces them
        float[] qkv = uniform(rnd, 1 + rows * ld);
        int qOff = 1, kOff = 1 + width, vOff = 1 + 2 * width;
        float[] sink = around(rnd, 2 + heads, 0f, 2f);
        int probsLen = batch * heads * tokens * tokens;
        check("attentionForward", tokens * dHead, kk -> {
            float[] probs = new float[3 + probsLen], out = new float[2 + rows * width];
            float[] probsNoSink = new float[probsLen], outNoSink = new float[rows * width];
            kk.attentionForward(batch, tokens, heads, dHead, ld, qkv, qOff, qkv, kOff, qkv, vOff, sink, 2, probs, 3, out, 2);
            kk.attentionForward(batch, tokens, heads, dHead, ld, qkv, qOff, qkv, kOff, qkv, vOff, null, 0,
                    probsNoSink, 0, outNoSink, 0);
            return new Object[] {probs, out, probsNoSink, outNoSink};
        });
        float[] probs = new float[3 + probsLen];
        reference.attentionForward(batch, tokens, heads, dHead, ld, qkv, qOff, qkv, kOff, qkv, vOff, sink, 2, probs, 3,
                new float[2 + rows * width], 2);
        float[] dOut = uniform(rnd, 1 + rows * width), dqkv0 = uniform(rnd, 1 + rows * ld), dsink0 = uniform(rnd, 1 + heads);
        check("attentionBackward", tokens * dHead, kk -> {
            float[] dqkv = dqkv0.clone(), dsink = dsink0.clone();
            kk.attentionBackward(batch, tokens, heads, dHead, ld, qkv, qOff, qkv, kOff, qkv, vOff, sink, 2, probs, 3,
                    dOut, 1, dqkv, qOff, dqkv, kOff, dqkv, vOff, dsink, 1);
            return new Object[] {dqkv, dsink};
        });
    }

    private void crossEntropy(SplittableRandom rnd) {
        int rows = 9, vocab = 97;
        float[] logits = around(rnd, 2 + rows * vocab, 0f, 6f), dl0 = uniform(rnd, 1 + rows * vocab);
        int[] targets = new int[1 + rows];
        for (int r = 0; r < rows; r++) targets[1 + r] = rnd.nextInt(vocab);
        targets[1 + 4] = -1; // an ignored row
        check("crossEntropyForward", vocab, kk -> {
            float[] losses = new float[3 + rows];
            double total = kk.crossEntropyForward(rows, vocab, logits, 2, targets, 1, losses, 3);
            return new Object[] {losses, new float[] {(float) total}};
        });
        check("crossEntropyBackward", vocab, kk -> {
            float[] dl = dl0.clone();
            kk.crossEntropyBackward(rows, vocab, logits, 2, targets, 1, 1f / 8, dl, 1);
            return new Object[] {dl};
        });
    }

    private void optimizerAndBlas(SplittableRandom rnd) {
        int n = 1031;
        float[] p0 = uniform(rnd, 1 + n), g = uniform(rnd, 2 + n), m0 = around(rnd, 3 + n, 0f, 0.1f);
        float[] v0 = new float[4 + n];
        for (int i = 0; i < v0.length; i++) v0[i] = (float) (rnd.nextDouble() * 0.01);
        check("adamStep", 1, kk -> { // with the optimizer's gradient scale and decay folded in
            float[] p = p0.clone(), gs = g.clone(), m = m0.clone(), v = v0.clone();
            kk.adamStep(n, p, 1, gs, 2, m, 3, v, 4, 1e-2f, 0.9f, 0.999f, 1e-8f, 3, 0.75f, 0.999f);
            return new Object[] {p, gs, m, v};
        });
        float[] x = uniform(rnd, 3 + n), y0 = uniform(rnd, 2 + n);
        check("axpy", 1, kk -> {
            float[] y = y0.clone();
            kk.axpy(n, -0.75f, x, 3, y, 2);
            return new Object[] {y};
        });
        check("scale", 1, kk -> {
            float[] y = y0.clone();
            kk.scale(n, 0.999f, y, 2);
            return new Object[] {y};
        });
        check("dot", n, kk -> new Object[] {new float[] {kk.dot(n, x, 3, y0, 2)}});
        check("sum", n, kk -> new Object[] {new float[] {kk.sum(n, x, 3)}});
        check("sumSquares", n, kk -> new Object[] {new double[] {kk.sumSquares(n, x, 3)}});
    }

    // ------------------------------------------------------------------------------------ machinery

    /**
     * Runs {@code op} on both providers and records the comparison. {@code op} returns the output
     * arrays (float[], double[] or int[]) to compare; {@code sumLength} is the longest sum behind one output.
     */
    private void check(String kernel, int sumLength, Function<Kernels, Object[]> op) {
        Object[] want;
        try {
            want = op.apply(reference);
        } catch (RuntimeException | Error e) {
            results.add(new Result(kernel, 0, Double.NaN, Double.NaN, Double.NaN, false,
                    "the reference provider failed: " + e));
            return;
        }
        Object[] got;
        try {
            got = op.apply(candidate);
        } catch (RuntimeException | Error e) {
            results.add(new Result(kernel, 0, Double.NaN, Double.NaN, Double.NaN, false, e.toString()));
            return;
        }
        double maxAbs = 0, maxRef = 0;
        long count = 0;
        String failure = null;
        for (int a = 0; a < want.length; a++) {
            double[] w = asDoubles(want[a]), g = asDoubles(got[a]);
            for (int i = 0; i < w.length; i++) {
                double ref = w[i], val = g[i];
                count++;
                double err;
                if (Double.isFinite(ref) && Double.isFinite(val)) {
                    err = Math.abs(val - ref);
                } else if (Double.compare(val, ref) == 0) {
                    err = 0; // the same NaN or the same infinity on both sides
                } else {
                    err = Double.NaN;
                    if (failure == null) {
                        failure = "output " + a + " element " + i + " is " + val + " (reference " + ref + ")";
                    }
                }
                if (Double.isFinite(ref)) {
                    maxRef = Math.max(maxRef, Math.abs(ref));
                }
                maxAbs = Double.isNaN(err) || Double.isNaN(maxAbs) ? Double.NaN : Math.max(maxAbs, err);
            }
        }
        double tolerance = (BASE_TOLERANCE + 4 * FLOAT_EPS * sumLength) * Math.max(1, maxRef);
        double rel = Double.isNaN(maxAbs) ? Double.NaN : maxAbs == 0 ? 0 : maxAbs / maxRef;
        boolean ok = failure == null && !Double.isNaN(maxAbs) && maxAbs <= tolerance;
        if (!ok && failure == null) {
            failure = "max abs error " + maxAbs + " is above the tolerance " + tolerance;
        }
        results.add(new Result(kernel, count, maxAbs, rel, tolerance, ok, failure));
    }

    private static double[] asDoubles(Object array) {
        if (array instanceof float[]) {
            float[] f = (float[]) array;
            double[] d = new double[f.length];
            for (int i = 0; i < f.length; i++) d[i] = f[i];
            return d;
        }
        if (array instanceof int[]) {
            return Arrays.stream((int[]) array).asDoubleStream().toArray();
        }
        return (double[]) array;
    }

    private static float[] uniform(SplittableRandom rnd, int n) {
        return around(rnd, n, 0f, 1f);
    }

    /** n values uniform in [center − halfWidth, center + halfWidth). */
    private static float[] around(SplittableRandom rnd, int n, float center, float halfWidth) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = center + halfWidth * (float) (2 * rnd.nextDouble() - 1);
        return a;
    }

    /** A random pattern of about {@code density} with random values; a few rows left empty on purpose. */
    private static CsrMatrix randomCsr(SplittableRandom rnd, int rows, int cols, double density) {
        float[] dense = new float[rows * cols];
        boolean[] mask = new boolean[rows * cols];
        for (int r = 0; r < rows; r++) {
            if (r % 17 == 5) continue; // an empty row
            for (int c = 0; c < cols; c++) {
                if (rnd.nextDouble() < density) {
                    mask[r * cols + c] = true;
                    dense[r * cols + c] = (float) (2 * rnd.nextDouble() - 1);
                }
            }
        }
        return CsrMatrix.fromDenseMask(rows, cols, dense, 0, mask, 0);
    }
}
