package sparsecircuits.bench;

import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import sparsecircuits.kernels.KernelProvider;
import sparsecircuits.kernels.Kernels;
import sparsecircuits.kernels.info.PlatformInfo;
import sparsecircuits.kernels.sparse.CsrMatrix;

/**
 * Where the row-sparse products of a linear layer's backward beat the dense GEMMs: dY has a given fraction of each
 * row nonzero (AbsTopK after the layer lets the gradient through only there). dW = dYᵀ·X dense ({@code gemmAtB})
 * against transposing dY, compressing its rows and a CSR product; dX = dY·W dense ({@code gemmAB}) against
 * compressing dY's rows and a CSR product. Compression is timed with the product. Each result is checked against
 * the dense one first. Prints the median and minimum ms of each. Usage: {@code RowSparseCrossoverBench [reps]}.
 */
public final class RowSparseCrossoverBench {
    public static void main(String[] args) {
        int reps = args.length > 0 ? Integer.parseInt(args[0]) : 15;
        Kernels k = KernelProvider.get();
        int n = 1024;
        int[][] shapes = {{1536, 512}, {512, 512}, {2048, 512}, {512, 2048}, {768, 256}, {256, 1024}};
        double[] densities = {1.0, 1.0 / 2, 1.0 / 3, 1.0 / 4, 1.0 / 8};
        System.out.printf(Locale.ROOT, "# %s, %s, %d threads, %d tokens; median (min) ms of %d%n",
                PlatformInfo.detect().cpuModel(), k.name(), k.pool().threads(), n, reps);
        System.out.println("| out × in | dY row density | dW dense | dW row-sparse | speed-up | dX dense | dX row-sparse | speed-up |");
        System.out.println("|---|---|---|---|---|---|---|---|");
        for (int[] sh : shapes) {
            int out = sh[0], in = sh[1];
            SplittableRandom r = new SplittableRandom(5);
            float[] x = new float[n * in], w = new float[out * in];
            for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
            for (int i = 0; i < w.length; i++) w[i] = (float) r.nextGaussian();
            for (double d : densities) {
                float[] dy = new float[n * out];
                for (int i = 0; i < dy.length; i++) if (r.nextDouble() < d) dy[i] = (float) r.nextGaussian();
                float[] dwDense = new float[out * in], dwSparse = new float[out * in], dxDense = new float[n * in], dxSparse = new float[n * in];
                float[] dyT = new float[n * out];
                int[] rowPtrT = new int[out + 1], rowPtr = new int[n + 1], col = new int[n * out];
                float[] val = new float[n * out];
                Runnable dwD = () -> k.gemmAtB(out, in, n, dy, 0, x, 0, dwDense, 0, false);
                Runnable dwS = () -> {
                    k.transpose(n, out, dy, 0, dyT, 0, false);
                    k.csrRowPointers(out, n, dyT, 0, rowPtrT);
                    k.csrFill(out, n, dyT, 0, rowPtrT, col, val);
                    k.spmm(CsrMatrix.of(out, n, rowPtrT, col, val), x, 0, in, dwSparse, 0, false);
                };
                Runnable dxD = () -> k.gemmAB(n, in, out, dy, 0, w, 0, dxDense, 0, false);
                Runnable dxS = () -> {
                    k.csrRowPointers(n, out, dy, 0, rowPtr);
                    k.csrFill(n, out, dy, 0, rowPtr, col, val);
                    k.spmm(CsrMatrix.of(n, out, rowPtr, col, val), w, 0, in, dxSparse, 0, false);
                };
                dwD.run(); dwS.run(); dxD.run(); dxS.run();
                check("dW", dwDense, dwSparse, n);
                check("dX", dxDense, dxSparse, out);
                double[] a = time(dwD, reps), b = time(dwS, reps), c = time(dxD, reps), e = time(dxS, reps);
                System.out.printf(Locale.ROOT, "| %d × %d | %.3f | %.2f (%.2f) | %.2f (%.2f) | %.2f× | %.2f (%.2f) | %.2f (%.2f) | %.2f× |%n",
                        out, in, d, a[0], a[1], b[0], b[1], a[1] / b[1], c[0], c[1], e[0], e[1], c[1] / e[1]);
            }
        }
    }

    /** The row-sparse result equals the dense one up to summation order (relative to the terms' magnitudes). */
    private static void check(String what, float[] dense, float[] sparse, int terms) {
        double worst = 0;
        for (int i = 0; i < dense.length; i++) worst = Math.max(worst, Math.abs(dense[i] - sparse[i]));
        double bound = 1e-5 * Math.sqrt(terms) * 8;
        if (!(worst <= bound)) throw new IllegalStateException(what + ": row-sparse differs from dense by " + worst + " > " + bound);
    }

    /** {median, min} ms over reps runs after 3 warm-up runs. */
    private static double[] time(Runnable task, int reps) {
        for (int i = 0; i < 3; i++) task.run();
        double[] ms = new double[reps];
        for (int i = 0; i < reps; i++) {
            long t0 = System.nanoTime();
            task.run();
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(ms);
        return new double[] {ms[reps / 2], ms[0]};
    }
}
