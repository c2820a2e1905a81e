package sparsecircuits.bench;

import org.openjdk.jmh.annotations.Benchmark;

/**
 * The sparse input gradient dX[in × n] = Wᵀ · dY[out × n] through W's transposed pattern
 * ({@code Kernels.spmmTransposed}) against the dense dX ({@code density = "dense"}: {@code gemmAtB}
 * with m = in, n = tokens, k = out, A = W[out × in]). Flops per op as in {@link SpmmBench}.
 */
public class SpmmTransposedBench extends SparseLayerBench {
    private float[] dy, dx;

    @Override
    protected void setUpPass() {
        dy = Bench.gaussian(31, out * n);
        dx = new float[in * n];
        java.util.Arrays.fill(dx, Float.NaN); // accumulate=false must overwrite
        dx();
        Check.spmmTransposed(provider + " dX " + shape + " density " + density, dense() ? denseAsCsr() : w, dy, n, dx);
        Check.report(provider + " " + name() + " " + shape + " density " + density);
    }

    @Benchmark
    public void dx() {
        if (w == null) {
            kernels.gemmAtB(in, n, out, wDense, 0, dy, 0, dx, 0, false);
        } else {
            kernels.spmmTransposed(w, dy, 0, n, dx, 0, false);
        }
    }
}
