package sparsecircuits.bench;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;

import sparsecircuits.kernels.Kernels;

/**
 * The row-wise kernels of one training step of the reference model (batch 8 × context 128 = 1024
 * token rows, d_model 256, MLP 1024, vocab 2048, 16 heads of 16), each timed alone in µs per call:
 * <ul>
 *   <li>rmsNorm forward/backward on [1024 × 256];
 *   <li>GELU forward/backward on 1024 × 1024 elements;
 *   <li>softmax forward/backward and cross-entropy forward/backward on [1024 × 2048];
 *   <li>AbsTopK forward/backward on [1024 × 1024] keeping 256 per row;
 *   <li>causal attention forward/backward with a per-head sink, batch 8, 128 tokens, 16 heads of
 *       d_head 16, q/k/v as views into one fused [1024 × 768] buffer;
 *   <li>one Adam step over 2²⁰ parameters;
 *   <li>transpose of token-major [1024 × 256] and [1024 × 1024] to feature-major (the boundary of the
 *       pattern-only dW of a sparse layer).
 * </ul>
 * Backward kernels accumulate into their gradients on every call, as the Kernels contract says.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 4, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {Bench.ADD_VECTOR, "-Xms2g", "-Xmx2g"})
public class RowOpsBench {
    static final int ROWS = 1024;
    static final int D_MODEL = 256;
    static final int D_MLP = 1024;
    static final int VOCAB = 2048;
    static final int ABS_D = 1024;
    static final int ABS_K = 256;
    static final int BATCH = 8;
    static final int TOKENS = 128;
    static final int HEADS = 16;
    static final int D_HEAD = 16;
    static final int WIDTH = HEADS * D_HEAD;
    static final int LD = 3 * WIDTH;
    static final int ADAM_N = 1 << 20;
    static final float RMS_EPS = 1e-5f;
    static final float LR = 1e-3f, BETA1 = 0.9f, BETA2 = 0.95f, ADAM_EPS = 1e-8f;
    static final long ADAM_STEP = 10;

    @Param({"scalar", "vector"})
    public String provider;

    @Param({"1"})
    public int threads;

    private Kernels kernels;

    // rmsNorm
    private float[] rx, rgain, ry, rstd, rdy, rdx, rdgain;
    // gelu
    private float[] gx, gy, gdy, gdx;
    // softmax and cross-entropy
    private float[] sx, sy, sdy, sdx, ceLosses, ceGrad;
    private int[] targets;
    // AbsTopK
    private float[] ax, ay, ady, adx;
    private int[] kept;
    // attention
    private float[] qkv, sink, probs, attOut, dOut, dqkv, dsink;
    // Adam
    private float[] ap, ag, am, av;
    // transpose
    private float[] tsrc, tdst;

    @Setup(Level.Trial)
    public void setUp(BenchmarkParams params) {
        kernels = Bench.kernels(provider, threads);
        String bench = params.getBenchmark();
        String op = bench.substring(bench.lastIndexOf('.') + 1);
        Bench.describe(kernels, "RowOpsBench." + op);
        String what = provider + " " + op;
        switch (op) {
            case "rmsNormForward":
            case "rmsNormBackward": {
                rx = Bench.gaussian(71, ROWS * D_MODEL);
                rgain = Bench.gaussian(72, D_MODEL);
                for (int c = 0; c < D_MODEL; c++) rgain[c] = 1 + 0.1f * rgain[c];
                ry = new float[ROWS * D_MODEL];
                rstd = new float[ROWS];
                rmsNormForward();
                if (op.equals("rmsNormForward")) {
                    RowRef.rmsNormForward(what, ROWS, D_MODEL, rx, rgain, RMS_EPS, ry, rstd);
                } else {
                    rdy = Bench.gaussian(73, ROWS * D_MODEL);
                    rdx = new float[ROWS * D_MODEL];
                    rdgain = new float[D_MODEL];
                    rmsNormBackward();
                    RowRef.rmsNormBackward(what, ROWS, D_MODEL, rx, rgain, rstd, rdy, rdx, rdgain);
                }
                break;
            }
            case "geluForward":
            case "geluBackward": {
                int n = ROWS * D_MLP;
                gx = Bench.gaussian(81, n);
                for (int i = 0; i < n; i++) gx[i] *= 3; // reach both tails
                if (op.equals("geluForward")) {
                    gy = new float[n];
                    geluForward();
                    RowRef.geluForward(what, n, gx, gy);
                } else {
                    gdy = Bench.gaussian(82, n);
                    gdx = new float[n];
                    geluBackward();
                    RowRef.geluBackward(what, n, gx, gdy, gdx);
                }
                break;
            }
            case "softmaxForward":
            case "softmaxBackward": {
                sx = Bench.gaussian(91, ROWS * VOCAB);
                for (int i = 0; i < sx.length; i++) sx[i] *= 2;
                sy = new float[ROWS * VOCAB];
                softmaxForward();
                if (op.equals("softmaxForward")) {
                    RowRef.softmaxForward(what, ROWS, VOCAB, sx, sy);
                } else {
                    sdy = Bench.gaussian(92, ROWS * VOCAB);
                    sdx = new float[ROWS * VOCAB];
                    softmaxBackward();
                    RowRef.softmaxBackward(what, ROWS, VOCAB, sy, sdy, sdx);
                }
                break;
            }
            case "crossEntropyForward":
            case "crossEntropyBackward": {
                sx = Bench.gaussian(101, ROWS * VOCAB);
                for (int i = 0; i < sx.length; i++) sx[i] *= 2;
                SplittableRandom r = new SplittableRandom(102);
                targets = new int[ROWS];
                for (int i = 0; i < ROWS; i++) targets[i] = i % 97 == 5 ? -1 : r.nextInt(VOCAB); // a few ignored rows
                if (op.equals("crossEntropyForward")) {
                    ceLosses = new float[ROWS];
                    Arrays.fill(ceLosses, Float.NaN);
                    double total = crossEntropyForward();
                    RowRef.crossEntropyForward(what, ROWS, VOCAB, sx, targets, ceLosses, total);
                } else {
                    ceGrad = new float[ROWS * VOCAB];
                    crossEntropyBackward();
                    RowRef.crossEntropyBackward(what, ROWS, VOCAB, sx, targets, 1f / ROWS, ceGrad);
                }
                break;
            }
            case "absTopKForward":
            case "absTopKBackward": {
                ax = Bench.gaussian(111, ROWS * ABS_D);
                ay = new float[ROWS * ABS_D];
                Arrays.fill(ay, Float.NaN);
                kept = new int[ROWS * ABS_K];
                absTopKForward();
                int[] want = RowRef.absTopKKept(ROWS, ABS_D, ABS_K, ax);
                Check.exact(what + " kept", kept, 0, want, 0, want.length);
                float[] yWant = new float[ROWS * ABS_D];
                for (int r = 0; r < ROWS; r++) {
                    for (int q = 0; q < ABS_K; q++) {
                        int c = want[r * ABS_K + q];
                        yWant[r * ABS_D + c] = ax[r * ABS_D + c];
                    }
                }
                Check.exact(what + " y", ay, 0, yWant, 0, yWant.length);
                if (op.equals("absTopKBackward")) {
                    ady = Bench.gaussian(112, ROWS * ABS_D);
                    adx = new float[ROWS * ABS_D];
                    absTopKBackward();
                    float[] dxWant = new float[ROWS * ABS_D];
                    for (int r = 0; r < ROWS; r++) {
                        for (int q = 0; q < ABS_K; q++) {
                            int c = want[r * ABS_K + q];
                            dxWant[r * ABS_D + c] = ady[r * ABS_D + c];
                        }
                    }
                    Check.exact(what + " dx", adx, 0, dxWant, 0, dxWant.length);
                }
                break;
            }
            case "attentionForward":
            case "attentionBackward": {
                int rows = BATCH * TOKENS;
                qkv = Bench.gaussian(121, rows * LD);
                sink = Bench.gaussian(122, HEADS);
                probs = new float[BATCH * HEADS * TOKENS * TOKENS];
                Arrays.fill(probs, Float.NaN); // the causal zeros must be written
                attOut = new float[rows * WIDTH];
                attentionForward();
                float[] probsRef = RowRef.attentionForward(what, BATCH, TOKENS, HEADS, D_HEAD, LD,
                        qkv, 0, qkv, WIDTH, qkv, 2 * WIDTH, sink, probs, attOut);
                if (op.equals("attentionBackward")) {
                    System.arraycopy(probsRef, 0, probs, 0, probs.length); // both sides read the same probs
                    dOut = Bench.gaussian(123, rows * WIDTH);
                    dqkv = new float[rows * LD];
                    dsink = new float[HEADS];
                    attentionBackward();
                    RowRef.attentionBackward(what, BATCH, TOKENS, HEADS, D_HEAD, LD, qkv, 0, WIDTH, 2 * WIDTH,
                            sink, probs, dOut, dqkv, dsink);
                }
                break;
            }
            case "adamStep": {
                ap = Bench.gaussian(131, ADAM_N);
                ag = Bench.gaussian(132, ADAM_N);
                am = Bench.gaussian(133, ADAM_N);
                av = Bench.uniform(134, ADAM_N, 0f, 2f);
                for (int i = 0; i < ADAM_N; i++) {
                    ag[i] *= 0.01f;
                    am[i] *= 0.01f;
                    av[i] *= 1e-4f;
                }
                float[] p0 = ap.clone(), m0 = am.clone(), v0 = av.clone();
                adamStep();
                RowRef.adamStep(what, ADAM_N, p0, ag, m0, v0, LR, BETA1, BETA2, ADAM_EPS, ADAM_STEP, ap, am, av);
                break;
            }
            case "transpose":
            case "transposeWide": {
                int cols = op.equals("transpose") ? D_MODEL : D_MLP;
                tsrc = Bench.gaussian(141, ROWS * cols);
                tdst = new float[ROWS * cols];
                Arrays.fill(tdst, Float.NaN);
                kernels.transpose(ROWS, cols, tsrc, 0, tdst, 0, false);
                float[] want = new float[ROWS * cols];
                for (int r = 0; r < ROWS; r++) {
                    for (int c = 0; c < cols; c++) want[c * ROWS + r] = tsrc[r * cols + c];
                }
                Check.exact(what, tdst, 0, want, 0, want.length);
                break;
            }
            default:
                throw new IllegalStateException("no set-up for " + op);
        }
        Check.report(what);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        Bench.close(kernels);
    }

    @Benchmark
    public void rmsNormForward() {
        kernels.rmsNormForward(ROWS, D_MODEL, rx, 0, rgain, 0, RMS_EPS, ry, 0, rstd, 0);
    }

    @Benchmark
    public void rmsNormBackward() {
        kernels.rmsNormBackward(ROWS, D_MODEL, rx, 0, rgain, 0, rstd, 0, rdy, 0, rdx, 0, rdgain, 0);
    }

    @Benchmark
    public void geluForward() {
        kernels.geluForward(gx.length, gx, 0, gy, 0);
    }

    @Benchmark
    public void geluBackward() {
        kernels.geluBackward(gx.length, gx, 0, gdy, 0, gdx, 0);
    }

    @Benchmark
    public void softmaxForward() {
        kernels.softmaxForward(ROWS, VOCAB, sx, 0, sy, 0);
    }

    @Benchmark
    public void softmaxBackward() {
        kernels.softmaxBackward(ROWS, VOCAB, sy, 0, sdy, 0, sdx, 0);
    }

    @Benchmark
    public double crossEntropyForward() {
        return kernels.crossEntropyForward(ROWS, VOCAB, sx, 0, targets, 0, ceLosses, 0);
    }

    @Benchmark
    public void crossEntropyBackward() {
        kernels.crossEntropyBackward(ROWS, VOCAB, sx, 0, targets, 0, 1f / ROWS, ceGrad, 0);
    }

    @Benchmark
    public void absTopKForward() {
        kernels.absTopKForward(ROWS, ABS_D, ABS_K, ax, 0, ay, 0, kept, 0);
    }

    @Benchmark
    public void absTopKBackward() {
        kernels.absTopKBackward(ROWS, ABS_D, ABS_K, kept, 0, ady, 0, adx, 0);
    }

    @Benchmark
    public void attentionForward() {
        kernels.attentionForward(BATCH, TOKENS, HEADS, D_HEAD, LD, qkv, 0, qkv, WIDTH, qkv, 2 * WIDTH,
                sink, 0, probs, 0, attOut, 0);
    }

    @Benchmark
    public void attentionBackward() {
        kernels.attentionBackward(BATCH, TOKENS, HEADS, D_HEAD, LD, qkv, 0, qkv, WIDTH, qkv, 2 * WIDTH,
                sink, 0, probs, 0, dOut, 0, dqkv, 0, dqkv, WIDTH, dqkv, 2 * WIDTH, dsink, 0);
    }

    @Benchmark
    public void adamStep() {
        kernels.adamStep(ADAM_N, ap, 0, ag, 0, am, 0, av, 0, LR, BETA1, BETA2, ADAM_EPS, ADAM_STEP);
    }

    @Benchmark
    public void transpose() {
        kernels.transpose(ROWS, D_MODEL, tsrc, 0, tdst, 0, false);
    }

    @Benchmark
    public void transposeWide() {
        kernels.transpose(ROWS, D_MLP, tsrc, 0, tdst, 0, false);
    }
}
