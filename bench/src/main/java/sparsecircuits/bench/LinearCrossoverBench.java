package sparsecircuits.bench;

import java.util.Arrays;
import java.util.Locale;
import java.util.Random;
import sparsecircuits.autograd.graph.Ops;
import sparsecircuits.autograd.graph.Tape;
import sparsecircuits.autograd.graph.Tensor;
import sparsecircuits.autograd.param.Parameter;
import sparsecircuits.kernels.KernelProvider;
import sparsecircuits.kernels.Kernels;
import sparsecircuits.kernels.info.PlatformInfo;

/**
 * Where the CSR path of {@code Ops.linear} (transposes at the boundary included) starts to beat the dense GEMM:
 * forward + dX (dW is dense in both) for the GPT's layer shapes at 1024 tokens, over densities. Prints one row
 * per (shape, density): dense ms, CSR ms, speed-up. Usage: {@code LinearCrossoverBench [reps]}.
 */
public final class LinearCrossoverBench {
    public static void main(String[] args) {
        int reps = args.length > 0 ? Integer.parseInt(args[0]) : 30;
        Kernels k = KernelProvider.get();
        int n = 1024;
        int[][] shapes = {{768, 256}, {1024, 256}, {256, 1024}, {2048, 256}};
        double[] densities = {1.0 / 2, 1.0 / 3, 1.0 / 4, 1.0 / 6, 1.0 / 8, 1.0 / 16, 1.0 / 64};
        System.out.printf(Locale.ROOT, "# %s, %s, %d threads, %d tokens; forward + dX of Ops.linear, median of %d%n",
                PlatformInfo.detect().cpuModel(), k.name(), k.pool().threads(), n, reps);
        System.out.println("| out × in | density | dense ms | CSR ms | CSR speed-up |");
        System.out.println("|---|---|---|---|---|");
        for (int[] sh : shapes) {
            for (double d : densities) {
                Parameter p = Parameter.sparse("w", Parameter.SparsityRule.VOCAB_OR_BIAS, sh[0], sh[1]);
                Random r = new Random(3);
                for (int i = 0; i < p.numel(); i++) p.value()[i] = (float) r.nextGaussian();
                p.sparsify((int) Math.round(d * p.numel()), 0);
                Tensor wp = Tensor.of(p);
                float[] x = new float[n * sh[1]];
                for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
                double dense = time(k, x, n, sh, wp, 0.0, reps), csr = time(k, x, n, sh, wp, 2.0, reps);
                System.out.printf(Locale.ROOT, "| %d × %d | 1/%.0f | %.3f | %.3f | %.2f× |%n", sh[0], sh[1], 1 / d, dense, csr, dense / csr);
            }
        }
    }

    private static double time(Kernels k, float[] x, int n, int[] sh, Tensor w, double sparseBelow, int reps) {
        Tape tape = new Tape(true);
        double[] ms = new double[reps + 5];
        float[] seed = new float[n * sh[0]];
        Arrays.fill(seed, 1f);
        for (int i = 0; i < ms.length; i++) {
            long t0 = System.nanoTime();
            Tensor xt = Tensor.variable(x, n, sh[1]);
            Tensor y = new Ops(k, tape).sparseBelow(sparseBelow).linear(xt, w, null); // targeted backward below: dX only, no dW
            tape.backward(java.util.List.of(y), java.util.List.of(seed), java.util.List.of(xt));
            tape.clear();
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        double[] m = Arrays.copyOfRange(ms, 5, ms.length);
        Arrays.sort(m);
        return m[m.length / 2];
    }
}
