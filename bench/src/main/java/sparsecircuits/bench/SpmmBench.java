package sparsecircuits.bench;

import org.openjdk.jmh.annotations.Benchmark;

/**
 * The sparse forward Y[out × n] = W · X[in × n] ({@code Kernels.spmm}) against the dense GEMM on
 * the same layer ({@code density = "dense"}: {@code gemmAB} with m = out, n = tokens, k = in).
 * Useful flops per op: 2·nnz·n for CSR (nnz = density·out·in), 2·out·in·n for dense; the speed-up
 * at a density is (µs/op of the dense row) / (µs/op of that density's row), same shape and provider.
 */
public class SpmmBench extends SparseLayerBench {
    private float[] x, y;

    @Override
    protected void setUpPass() {
        x = Bench.gaussian(21, in * n);
        y = new float[out * n];
        java.util.Arrays.fill(y, Float.NaN); // accumulate=false must overwrite
        forward();
        Check.spmm(provider + " forward " + shape + " density " + density, dense() ? denseAsCsr() : w, x, n, y);
        Check.report(provider + " " + name() + " " + shape + " density " + density);
    }

    @Benchmark
    public void forward() {
        if (w == null) {
            kernels.gemmAB(out, n, in, wDense, 0, x, 0, y, 0, false);
        } else {
            kernels.spmm(w, x, 0, n, y, 0, false);
        }
    }
}
