package sparsecircuits.kernels.info;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import java.util.SplittableRandom;
import sparsecircuits.kernels.KernelProvider;
import sparsecircuits.kernels.Kernels;
import sparsecircuits.kernels.WorkerPool;
import sparsecircuits.kernels.select.TopK;
import sparsecircuits.kernels.sparse.CsrMatrix;

/**
 * A short, time-boxed micro-benchmark of the kernels that matter most for training sparse models,
 * single-threaded so the ratios mean something: the FMA peak, a dense GEMM, CSR SpMM at several
 * densities against the dense product on the <em>same</em> layer, the sparse input gradient (dX)
 * against its dense twin, and exact top-k.
 *
 * <p>The layer is a realistic MLP projection: {@value #OUT} outputs × {@value #IN} inputs applied to
 * {@value #TOKENS} tokens in the feature-major layout ({@code Y[out × tokens] = W · X[in × tokens]}),
 * the layout the sparse kernels use. The dense forward on it is {@code gemmAB}, the dense dX is
 * {@code gemmAtB}; SpMM and dX "effective GFLOP/s" count only the stored entries
 * ({@code 2·nnz·tokens / time}), and {@code speedupVsDense} is dense time / sparse time.
 *
 * <p>Every measurement runs the operation a few times to warm up (about a third of its share of the
 * time budget), then keeps the best of the timed runs. The budget is shared out by weight as the run
 * goes, so the whole benchmark takes about the requested seconds; one slow operation (e.g. the
 * scalar provider's dense GEMM) is still run at least twice, so a slow machine takes longer.
 * Not a substitute for the JMH benchmarks in {@code bench}: a quick, honest orientation.
 */
public final class KernelBench {
    /** Layer outputs (rows of W). */
    public static final int OUT = 2048;
    /** Layer inputs (columns of W). */
    public static final int IN = 512;
    /** Tokens in one batch (columns of X). */
    public static final int TOKENS = 512;
    /** The stand-alone dense GEMM: C[M × N] = A[M × K] · B[N × K]ᵀ (gemmABt). */
    public static final int GEMM_M = 256;
    public static final int GEMM_N = 2048;
    public static final int GEMM_K = 512;
    /** SpMM densities, as denominators: 1/4, 1/8, 1/16, 1/64. */
    public static final int[] SPMM_DENOMINATORS = {4, 8, 16, 64};
    /** dX density denominator: 1/16. */
    public static final int DX_DENOMINATOR = 16;
    /** Top-k sizes; k = n / 16. */
    public static final int[] TOPK_SIZES = {1 << 16, 1 << 22};

    /** Gets told about each step as it starts (for a progress line). */
    @FunctionalInterface
    public interface Progress {
        /**
         * @param index 0-based index of the step that starts now
         * @param total number of steps
         * @param what  what this step measures
         */
        void step(int index, int total, String what);

        /** A listener that does nothing. */
        Progress NONE = (i, t, w) -> { };
    }

    /** Best time of one operation: {@code runs} timed runs after warm-up. */
    public record Timing(double bestNanos, int runs) {
        public double millis() {
            return bestNanos / 1e6;
        }
    }

    /** A dense product {@code kernel} of {@code 2·m·n·k} flops. */
    public record Dense(String kernel, int m, int n, int k, double gflops, Timing timing) {
    }

    /** A sparse product at density {@code 1/denominator} with {@code nnz} stored entries. */
    public record Sparse(String kernel, int denominator, long nnz, double gflops, double speedupVsDense, Timing timing) {
        public double density() {
            return 1.0 / denominator;
        }
    }

    /** Exact top-k of {@code elements} floats, {@code k = elements / 16}. */
    public record TopKTiming(int elements, int k, double nsPerElement, Timing timing) {
    }

    /**
     * Everything measured.
     *
     * @param provider       name of the kernels measured ("vector" or "scalar")
     * @param threads        worker threads used for the measurements (1)
     * @param budgetSeconds  the requested time budget
     * @param elapsedSeconds how long it took
     * @param fmaPeakGflops  single-thread Vector-API FMA peak, empty without the vector module
     * @param gemm           the stand-alone dense GEMM (gemmABt, {@value #GEMM_M}×{@value #GEMM_N}×{@value #GEMM_K})
     * @param layerDense     the dense forward on the layer (gemmAB)
     * @param spmm           SpMM on the layer at each density, with speed-up over {@code layerDense}
     * @param dxDense        the dense dX on the layer (gemmAtB)
     * @param dx             spmmTransposed at 1/{@value #DX_DENOMINATOR}, with speed-up over {@code dxDense}
     * @param topk           exact top-k at each size
     */
    public record Report(String provider, int threads, double budgetSeconds, double elapsedSeconds,
                         OptionalDouble fmaPeakGflops, Dense gemm, Dense layerDense, List<Sparse> spmm,
                         Dense dxDense, Sparse dx, List<TopKTiming> topk) {
    }

    private static final String[] STEPS;
    private static final double[] WEIGHTS;

    static {
        List<String> steps = new ArrayList<>();
        List<Double> weights = new ArrayList<>();
        steps.add("FMA peak");
        weights.add(1.0);
        steps.add("dense GEMM " + GEMM_M + "x" + GEMM_N + "x" + GEMM_K);
        weights.add(1.5);
        steps.add("dense layer " + OUT + "x" + IN + ", " + TOKENS + " tokens");
        weights.add(1.5);
        for (int d : SPMM_DENOMINATORS) {
            steps.add("SpMM density 1/" + d);
            weights.add(1.0);
        }
        steps.add("dense dX");
        weights.add(1.5);
        steps.add("sparse dX density 1/" + DX_DENOMINATOR);
        weights.add(1.0);
        for (int n : TOPK_SIZES) {
            steps.add("top-k of " + sizeLabel(n));
            weights.add(n > 1 << 20 ? 1.5 : 0.5);
        }
        STEPS = steps.toArray(new String[0]);
        WEIGHTS = weights.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private final Kernels kernels;
    private final Progress progress;
    private final long start;
    private final long deadline;
    private int step;

    private KernelBench(Kernels kernels, double seconds, Progress progress) {
        this.kernels = kernels;
        this.progress = progress == null ? Progress.NONE : progress;
        this.start = System.nanoTime();
        this.deadline = start + (long) (seconds * 1e9);
    }

    /** Number of steps reported to {@link Progress}. */
    public static int steps() {
        return STEPS.length;
    }

    /**
     * Benchmarks the process-wide provider ({@link KernelProvider#get()}) on a fresh single-thread
     * pool for about {@code seconds}.
     */
    public static Report run(double seconds, Progress progress) {
        boolean vector = "vector".equals(KernelProvider.get().name());
        try (WorkerPool one = new WorkerPool(1)) {
            Kernels kernels = vector ? KernelProvider.vector(one).orElseGet(() -> KernelProvider.scalar(one))
                    : KernelProvider.scalar(one);
            return run(kernels, seconds, progress);
        }
    }

    /** Benchmarks {@code kernels} (give it a one-thread pool for meaningful ratios) for about {@code seconds}. */
    public static Report run(Kernels kernels, double seconds, Progress progress) {
        if (kernels == null) {
            throw new IllegalArgumentException("kernels must not be null");
        }
        if (!(seconds > 0) || seconds > 86_400) {
            throw new IllegalArgumentException("seconds must be in (0, 86400], got " + seconds);
        }
        return new KernelBench(kernels, seconds, progress).all(seconds);
    }

    private Report all(double seconds) {
        SplittableRandom rnd = new SplittableRandom(7);

        begin();
        long fmaMillis = Math.max(20, Math.round(slice() * 1e3));
        OptionalDouble fma = KernelProvider.fmaPeakGflops((int) Math.min(Integer.MAX_VALUE, fmaMillis));

        // the stand-alone GEMM: token-major forward of a dense layer
        begin();
        float[] a = random(rnd, GEMM_M * GEMM_K), b = random(rnd, GEMM_N * GEMM_K), c = new float[GEMM_M * GEMM_N];
        Timing tg = measure(() -> kernels.gemmABt(GEMM_M, GEMM_N, GEMM_K, a, 0, b, 0, c, 0, false));
        Dense gemm = new Dense("gemmABt", GEMM_M, GEMM_N, GEMM_K, gflops(2.0 * GEMM_M * GEMM_N * GEMM_K, tg), tg);

        // the layer, feature-major: Y[OUT × TOKENS] = W[OUT × IN] · X[IN × TOKENS]
        begin();
        float[] w = random(rnd, OUT * IN), x = random(rnd, IN * TOKENS), y = new float[OUT * TOKENS];
        Timing tl = measure(() -> kernels.gemmAB(OUT, TOKENS, IN, w, 0, x, 0, y, 0, false));
        Dense layer = new Dense("gemmAB", OUT, TOKENS, IN, gflops(2.0 * OUT * IN * TOKENS, tl), tl);

        List<Sparse> spmm = new ArrayList<>();
        for (int d : SPMM_DENOMINATORS) {
            begin();
            CsrMatrix ws = sparsify(w, d);
            Timing ts = measure(() -> kernels.spmm(ws, x, 0, TOKENS, y, 0, false));
            spmm.add(new Sparse("spmm", d, ws.nnz(), gflops(2.0 * ws.nnz() * TOKENS, ts), tl.bestNanos() / ts.bestNanos(), ts));
        }

        // dX = Wᵀ · dY: dense gemmAtB (C[IN × TOKENS] = W[OUT × IN]ᵀ · dY[OUT × TOKENS]) vs spmmTransposed
        begin();
        float[] dy = random(rnd, OUT * TOKENS), dx = new float[IN * TOKENS];
        Timing tdd = measure(() -> kernels.gemmAtB(IN, TOKENS, OUT, w, 0, dy, 0, dx, 0, false));
        Dense dxDense = new Dense("gemmAtB", IN, TOKENS, OUT, gflops(2.0 * OUT * IN * TOKENS, tdd), tdd);
        begin();
        CsrMatrix wdx = sparsify(w, DX_DENOMINATOR);
        Timing tds = measure(() -> kernels.spmmTransposed(wdx, dy, 0, TOKENS, dx, 0, false));
        Sparse dxSparse = new Sparse("spmmTransposed", DX_DENOMINATOR, wdx.nnz(), gflops(2.0 * wdx.nnz() * TOKENS, tds),
                tdd.bestNanos() / tds.bestNanos(), tds);

        List<TopKTiming> topk = new ArrayList<>();
        for (int n : TOPK_SIZES) {
            begin();
            float[] v = random(rnd, n);
            int k = n / 16;
            int[] out = new int[k];
            Timing tt = measure(() -> TopK.select(v, 0, n, k, out, 0));
            topk.add(new TopKTiming(n, k, tt.bestNanos() / n, tt));
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        return new Report(kernels.name(), kernels.pool().threads(), seconds, elapsed, fma, gemm, layer, spmm, dxDense,
                dxSparse, topk);
    }

    // ------------------------------------------------------------------------------------ machinery

    private void begin() {
        progress.step(step, STEPS.length, STEPS[step]);
        step++;
    }

    /** This step's share of the time that is left (the step has already been begun). */
    private double slice() {
        double left = Math.max(0, deadline - System.nanoTime()) / 1e9;
        double weightLeft = 0;
        for (int i = step - 1; i < WEIGHTS.length; i++) weightLeft += WEIGHTS[i];
        return left * WEIGHTS[step - 1] / weightLeft;
    }

    /**
     * Warm-up for about a third of the slice, then timed runs until the slice is used; at least one
     * warm-up and one timed run (at least two timed runs when they are shorter than half the slice).
     */
    private Timing measure(Runnable op) {
        long slice = (long) (slice() * 1e9);
        long t0 = System.nanoTime();
        long warmEnd = t0 + slice / 3, end = t0 + slice;
        long first;
        do {
            long s = System.nanoTime();
            op.run();
            first = System.nanoTime() - s;
        } while (System.nanoTime() < warmEnd);
        double best = Double.MAX_VALUE;
        int runs = 0;
        do {
            long s = System.nanoTime();
            op.run();
            best = Math.min(best, System.nanoTime() - s);
            runs++;
        } while (System.nanoTime() < end || (runs < 2 && first < slice / 2));
        return new Timing(best, runs);
    }

    private static double gflops(double flops, Timing t) {
        return flops / t.bestNanos();
    }

    private static float[] random(SplittableRandom rnd, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (2 * rnd.nextDouble() - 1);
        return a;
    }

    /** The largest-|w| 1/denominator of W as CSR: a random uniform pattern, as training produces early on. */
    private static CsrMatrix sparsify(float[] w, int denominator) {
        int n = OUT * IN;
        int k = n / denominator;
        int[] idx = new int[k];
        TopK.select(w, 0, n, k, idx, 0);
        return CsrMatrix.fromSortedIndices(OUT, IN, w, 0, idx, 0, k);
    }

    static String sizeLabel(int n) {
        if (n >= 1 << 20 && n % (1 << 20) == 0) return (n >> 20) + "M";
        if (n >= 1 << 10 && n % (1 << 10) == 0) return (n >> 10) + "K";
        return Integer.toString(n);
    }
}
