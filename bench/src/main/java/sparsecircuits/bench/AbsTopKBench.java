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

import sparsecircuits.kernels.Kernels;

/**
 * AbsTopK forward at the shapes of the width benchmark's training step: 1024 token rows, (d, k) =
 * (512, 128) and (2048, 512). The primary score is ns per call; the secondary score
 * {@code forward:element} is <b>ns per element</b> (rows·d per call).
 * <ul>
 *   <li>{@code gaussian}: standard-normal rows (post-RMSNorm, linear outputs);
 *   <li>{@code gelu}: GELU of standard-normal rows (a pile of small negatives under the positives);
 *   <li>{@code zeros}: Gaussian rows with three quarters exact zeros, so more than k are nonzero.
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 4, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {Bench.ADD_VECTOR, "-Xms2g", "-Xmx2g"})
public class AbsTopKBench {
    static final int ROWS = 1024;

    @Param({"vector"})
    public String provider;

    @Param({"1"})
    public int threads;

    /** d × k */
    @Param({"512x128", "2048x512"})
    public String shape;

    @Param({"gaussian"})
    public String input;

    private Kernels kernels;
    private int d, k;
    private float[] x, y;
    private int[] kept;

    @Setup(Level.Trial)
    public void setUp() {
        int[] dk = Bench.shape(shape, 2);
        d = dk[0];
        k = dk[1];
        kernels = Bench.kernels(provider, threads);
        Bench.describe(kernels, "AbsTopKBench " + shape + " " + input);
        x = inputs(input, ROWS * d);
        y = new float[ROWS * d];
        Arrays.fill(y, Float.NaN);
        kept = new int[ROWS * k];
        forward(new ElementCounter());
        int[] want = RowRef.absTopKKept(ROWS, d, k, x);
        Check.exact("absTopK kept", kept, 0, want, 0, want.length);
        float[] yWant = new float[ROWS * d];
        for (int r = 0; r < ROWS; r++) {
            for (int q = 0; q < k; q++) {
                int c = want[r * k + q];
                yWant[r * d + c] = x[r * d + c];
            }
        }
        Check.exact("absTopK y", y, 0, yWant, 0, yWant.length);
    }

    static float[] inputs(String kind, int n) {
        float[] g = Bench.gaussian(211, n);
        switch (kind) {
            case "gaussian":
                return g;
            case "gelu":
                for (int i = 0; i < n; i++) g[i] = (float) (g[i] * 0.5 * (1 + erf(g[i] / Math.sqrt(2))));
                return g;
            case "zeros": {
                SplittableRandom r = new SplittableRandom(212);
                for (int i = 0; i < n; i++) if (r.nextInt(4) != 0) g[i] = 0f;
                return g;
            }
            default:
                throw new IllegalArgumentException("input must be gaussian, gelu or zeros, got '" + kind + "'");
        }
    }

    /** Abramowitz–Stegun 7.1.26 (|error| &lt; 1.5e-7): only shapes the bench's input distribution. */
    private static double erf(double z) {
        double t = 1 / (1 + 0.3275911 * Math.abs(z));
        double p = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
        double e = 1 - p * Math.exp(-z * z);
        return z < 0 ? -e : e;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        Bench.close(kernels);
    }

    @Benchmark
    public int[] forward(ElementCounter counter) {
        kernels.absTopKForward(ROWS, d, k, x, 0, y, 0, kept, 0);
        counter.element += (long) ROWS * d;
        return kept;
    }
}
