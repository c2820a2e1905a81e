package sparsecircuits.bench;

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
 * Dense GEMM in its three forms, {@code shape = "m x n x k"}, 2·m·n·k flops per op:
 * <ul>
 *   <li>{@code gemmABt}: C[m×n] = A[m×k]·B[n×k]ᵀ (the linear forward, token-major);
 *   <li>{@code gemmAB}: C[m×n] = A[m×k]·B[k×n];
 *   <li>{@code gemmAtB}: C[m×n] = A[k×m]ᵀ·B[k×n].
 * </ul>
 * 256x2048x512 is the shape (numpy_gemm.py times the same one); 512x512x2048 and
 * 512x2048x512 are a linear layer over 512 tokens with (out, in) = (512, 2048) and (2048, 512).
 * GFLOP/s = 2·m·n·k / (µs/op · 1000).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 4, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {Bench.ADD_VECTOR, "-Xms2g", "-Xmx2g"})
public class GemmBench {

    @Param({"scalar", "vector"})
    public String provider;

    @Param({"256x2048x512", "512x512x2048", "512x2048x512"})
    public String shape;

    @Param({"1", "2"})
    public int threads;

    private Kernels kernels;
    private int m, n, k;
    private float[] a, b, c;

    @Setup(Level.Trial)
    public void setUp(BenchmarkParams params) {
        int[] s = Bench.shape(shape, 3);
        m = s[0];
        n = s[1];
        k = s[2];
        kernels = Bench.kernels(provider, threads);
        a = Bench.gaussian(1, m * k);
        b = Bench.gaussian(2, n * k);
        c = new float[m * n];
        String bench = params.getBenchmark();
        String form = bench.substring(bench.lastIndexOf('.') + 1);
        Bench.describe(kernels, form + " " + shape);
        check(form);
    }

    /** Runs the form once and compares every element with a double reference. */
    private void check(String form) {
        check(kernels, provider + " " + form + " " + shape, form, m, n, k, a, b, c);
    }

    /**
     * Runs {@code form} once on {@code kernels} with A[m·k], B[n·k] as that form reads them and checks
     * all of C[m×n] (first filled with NaN, so accumulate=false must overwrite it).
     */
    static void check(Kernels kernels, String what, String form, int m, int n, int k, float[] a, float[] b, float[] c) {
        java.util.Arrays.fill(c, 0, m * n, Float.NaN);
        float[] ac, bc;
        switch (form) {
            case "gemmABt":
                kernels.gemmABt(m, n, k, a, 0, b, 0, c, 0, false);
                ac = a;
                bc = Check.canonical(b, 0, k, n, 1, k); // B stored [n×k]: element (p, j) at j·k + p
                break;
            case "gemmAB":
                kernels.gemmAB(m, n, k, a, 0, b, 0, c, 0, false);
                ac = a;
                bc = b;
                break;
            case "gemmAtB":
                kernels.gemmAtB(m, n, k, a, 0, b, 0, c, 0, false);
                ac = Check.canonical(a, 0, m, k, 1, m); // A stored [k×m]: element (i, p) at p·m + i
                bc = b;
                break;
            default:
                throw new IllegalStateException("no check for " + form);
        }
        Check.gemm(what, m, n, k, ac, bc, c, 0);
        Check.report(what);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        Bench.close(kernels);
    }

    @Benchmark
    public void gemmABt() {
        kernels.gemmABt(m, n, k, a, 0, b, 0, c, 0, false);
    }

    @Benchmark
    public void gemmAB() {
        kernels.gemmAB(m, n, k, a, 0, b, 0, c, 0, false);
    }

    @Benchmark
    public void gemmAtB() {
        kernels.gemmAtB(m, n, k, a, 0, b, 0, c, 0, false);
    }
}
