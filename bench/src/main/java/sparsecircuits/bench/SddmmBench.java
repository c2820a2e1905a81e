package sparsecircuits.bench;

import org.openjdk.jmh.annotations.Benchmark;

/**
 * The weight gradient on the pattern only, dW[s] = Σ_t dY[o, t]·X[i, t] for every stored slot
 * s = (o, i) ({@code Kernels.sddmm}), against the full dense dW[out × in] = dY[out × n] · X[in × n]ᵀ
 * ({@code density = "dense"}: {@code gemmABt} with m = out, n = in, k = tokens). Flops per op as in
 * {@link SpmmBench}.
 */
public class SddmmBench extends SparseLayerBench {
    private float[] dy, x, dw;

    @Override
    protected void setUpPass() {
        dy = Bench.gaussian(41, out * n);
        x = Bench.gaussian(42, in * n);
        dw = new float[dense() ? out * in : w.nnz()];
        java.util.Arrays.fill(dw, Float.NaN); // accumulate=false must overwrite
        dw();
        Check.sddmm(provider + " dW " + shape + " density " + density, dense() ? denseAsCsr() : w, dy, x, n, dw);
        Check.report(provider + " " + name() + " " + shape + " density " + density);
    }

    @Benchmark
    public void dw() {
        if (w == null) {
            kernels.gemmABt(out, in, n, dy, 0, x, 0, dw, 0, false);
        } else {
            kernels.sddmm(w, dy, 0, x, 0, n, dw, 0, false);
        }
    }
}
