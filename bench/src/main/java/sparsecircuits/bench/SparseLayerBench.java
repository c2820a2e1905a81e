package sparsecircuits.bench;

import java.util.concurrent.TimeUnit;

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
import sparsecircuits.kernels.sparse.CsrMatrix;

/**
 * One linear layer W[out × in] over {@code tokens} tokens in the feature-major layout
 * (X[in × tokens], Y[out × tokens]), with W either a CSR matrix of the given density or, for
 * {@code density = "dense"}, a full dense weight run through the dense GEMM: the baseline row of
 * the same table. The subclasses time one pass each (forward, dX, dW).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 4, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {Bench.ADD_VECTOR, "-Xms2g", "-Xmx2g"})
public abstract class SparseLayerBench {

    @Param({"scalar", "vector"})
    public String provider;

    /** "out x in" of the weight. */
    @Param({"512x2048", "2048x512"})
    public String shape;

    /** Fraction of nonzero weights, or "dense" for the dense-GEMM baseline. */
    @Param({"dense", "1", "0.25", "0.125", "0.0625", "0.015625", "0.00390625"})
    public String density;

    /** How the CSR pattern is drawn: "uniform" (equal nonzeros per row) or "topk" (global magnitude top-k). */
    @Param({"uniform"})
    public String pattern;

    /** n = batch·tokens, the contiguous axis of the activations. */
    @Param({"512"})
    public int tokens;

    @Param({"1"})
    public int threads;

    protected Kernels kernels;
    protected int out, in, n;
    /** The sparse weight, or null for the dense baseline. */
    protected CsrMatrix w;
    /** The dense weight [out × in], or null for a sparse run. */
    protected float[] wDense;

    @Setup(Level.Trial)
    public void setUpLayer() {
        int[] s = Bench.shape(shape, 2);
        out = s[0];
        in = s[1];
        n = tokens;
        double d = Bench.density(density);
        kernels = Bench.kernels(provider, threads);
        if (Double.isNaN(d)) {
            wDense = Bench.denseWeight(out, in, 11);
        } else {
            w = Bench.pattern(out, in, d, pattern, 11);
            w.transposePattern(); // built once, outside the timed region
        }
        Bench.describe(kernels, name() + " " + shape + " density " + density
                + (w != null ? " (nnz " + w.nnz() + ", " + pattern + ")" : " (dense GEMM)") + " tokens " + n);
        setUpPass();
    }

    /** The benchmark class's name (JMH runs generated subclasses of it). */
    protected String name() {
        Class<?> c = getClass();
        while (c.getSuperclass() != SparseLayerBench.class && c.getSuperclass() != Object.class) {
            c = c.getSuperclass();
        }
        return c.getSimpleName();
    }

    /** Allocates the pass's arrays and checks its result once. */
    protected abstract void setUpPass();

    /** True for the dense baseline. */
    protected boolean dense() {
        return w == null;
    }

    /** The CSR matrix with the dense weight's exact values and a full pattern (for checking the dense path). */
    protected CsrMatrix denseAsCsr() {
        int[] rowPtr = new int[out + 1];
        int[] col = new int[out * in];
        for (int o = 0; o < out; o++) {
            rowPtr[o + 1] = (o + 1) * in;
            for (int i = 0; i < in; i++) col[o * in + i] = i;
        }
        return CsrMatrix.of(out, in, rowPtr, col, wDense);
    }

    @TearDown(Level.Trial)
    public void tearDownLayer() {
        Bench.close(kernels);
    }
}
