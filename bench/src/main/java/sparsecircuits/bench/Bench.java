package sparsecircuits.bench;

import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

import sparsecircuits.kernels.KernelProvider;
import sparsecircuits.kernels.Kernels;
import sparsecircuits.kernels.WorkerPool;
import sparsecircuits.kernels.select.TopK;
import sparsecircuits.kernels.sparse.CsrMatrix;

/** Shared set-up for the benchmarks: providers, seeded data, shape strings and sparsity patterns. */
final class Bench {
    /** Every benchmark JVM: the incubator module and a fixed heap (so GC sizing does not drift between runs). */
    static final String ADD_VECTOR = "--add-modules=jdk.incubator.vector";

    /** The {@code density} value that selects the dense GEMM baseline instead of the CSR kernel. */
    static final String DENSE = "dense";

    private Bench() {
    }

    /**
     * The provider a benchmark asked for, on a fresh pool of {@code threads} workers. Asking for
     * "vector" when the vector provider cannot be loaded is an error, never a silent scalar run.
     */
    static Kernels kernels(String provider, int threads) {
        WorkerPool pool = new WorkerPool(threads);
        Kernels k;
        switch (provider) {
            case "scalar":
                k = KernelProvider.scalar(pool);
                break;
            case "vector":
                k = KernelProvider.vector(pool).orElseThrow(() -> {
                    pool.close();
                    return new IllegalStateException("provider=vector was asked for, but KernelProvider.vector(pool) is empty"
                            + " (jdk.incubator.vector in this JVM: " + KernelProvider.vectorModulePresent()
                            + "; is sparsecircuits.kernels.vector.VectorKernels built into benchmarks.jar?)");
                });
                break;
            default:
                pool.close();
                throw new IllegalArgumentException("provider must be 'scalar' or 'vector', got '" + provider + "'");
        }
        if (!k.name().equals(provider)) {
            pool.close();
            throw new IllegalStateException("asked for the " + provider + " provider, got '" + k.name() + "'");
        }
        return k;
    }

    /** One line on stderr so a log shows what ran (JMH prints it with the fork's output). */
    static void describe(Kernels k, String what) {
        System.err.printf(Locale.ROOT, "# %s: %s provider, %d-bit vectors, FMA %s, %d thread(s), java %s%n",
                what, k.name(), k.vectorBitSize(), k.usesFma() ? "on" : "off", k.pool().threads(),
                System.getProperty("java.version"));
    }

    static void close(Kernels k) {
        if (k != null) {
            k.pool().close();
        }
    }

    /** n standard-normal floats from a fixed seed. */
    static float[] gaussian(long seed, int n) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) gaussian(r);
        }
        return a;
    }

    /** n floats uniform in [lo, hi) from a fixed seed. */
    static float[] uniform(long seed, int n, float lo, float hi) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = lo + (hi - lo) * (float) r.nextDouble();
        }
        return a;
    }

    /** Box–Muller (SplittableRandom has no nextGaussian on JDK 17). */
    static double gaussian(SplittableRandom r) {
        double u = r.nextDouble();
        double v = r.nextDouble();
        return Math.sqrt(-2 * Math.log1p(-u)) * Math.cos(2 * Math.PI * v);
    }

    /** "256x2048x512" → {256, 2048, 512}; the count of parts must be {@code parts}. */
    static int[] shape(String s, int parts) {
        String[] p = s.trim().toLowerCase(Locale.ROOT).split("x");
        if (p.length != parts) {
            throw new IllegalArgumentException("shape '" + s + "' must have " + parts + " sizes separated by 'x'");
        }
        int[] d = new int[parts];
        for (int i = 0; i < parts; i++) {
            d[i] = Integer.parseInt(p[i].trim());
            if (d[i] < 1) {
                throw new IllegalArgumentException("shape '" + s + "': sizes must be >= 1");
            }
        }
        return d;
    }

    /** The density parameter: {@code "dense"} → NaN (the dense baseline), else a fraction in (0, 1]. */
    static double density(String s) {
        if (DENSE.equals(s)) {
            return Double.NaN;
        }
        double d = Double.parseDouble(s);
        if (!(d > 0 && d <= 1)) {
            throw new IllegalArgumentException("density must be 'dense' or in (0, 1], got " + s);
        }
        return d;
    }

    /**
     * A random {@code [rows × cols]} CSR weight of the given density with standard-normal values.
     * <ul>
     *   <li>{@code uniform}: every row has exactly round(density·cols) (at least 1) nonzeros at random
     *       columns, so nnz = density·rows·cols for the power-of-two densities used here;
     *   <li>{@code topk}: the magnitude top-k (k = round(density·rows·cols)) of a dense Gaussian weight,
     *       through {@link TopK#select}, the way the model's weights are sparsified (row counts vary).
     * </ul>
     */
    static CsrMatrix pattern(int rows, int cols, double density, String kind, long seed) {
        switch (kind) {
            case "uniform": {
                SplittableRandom r = new SplittableRandom(seed);
                int perRow = (int) Math.max(1, Math.min(cols, Math.round(density * cols)));
                int[] perm = new int[cols];
                for (int c = 0; c < cols; c++) perm[c] = c;
                int[] rowPtr = new int[rows + 1];
                int[] colIdx = new int[rows * perRow];
                float[] values = new float[rows * perRow];
                for (int o = 0; o < rows; o++) {
                    for (int i = 0; i < perRow; i++) { // partial Fisher–Yates: a uniform random subset
                        int j = i + r.nextInt(cols - i);
                        int t = perm[i];
                        perm[i] = perm[j];
                        perm[j] = t;
                    }
                    System.arraycopy(perm, 0, colIdx, o * perRow, perRow);
                    Arrays.sort(colIdx, o * perRow, (o + 1) * perRow);
                    for (int q = o * perRow; q < (o + 1) * perRow; q++) values[q] = (float) gaussian(r);
                    rowPtr[o + 1] = (o + 1) * perRow;
                }
                return CsrMatrix.of(rows, cols, rowPtr, colIdx, values);
            }
            case "topk": {
                int n = rows * cols;
                float[] dense = gaussian(seed, n);
                int k = (int) Math.max(1, Math.min(n, Math.round(density * n)));
                int[] idx = new int[k];
                TopK.select(dense, 0, n, k, idx, 0);
                return CsrMatrix.fromSortedIndices(rows, cols, dense, 0, idx, 0, k);
            }
            default:
                throw new IllegalArgumentException("pattern must be 'uniform' or 'topk', got '" + kind + "'");
        }
    }

    /** A full dense {@code [rows × cols]} CSR-free weight (the dense baseline's W). */
    static float[] denseWeight(int rows, int cols, long seed) {
        return gaussian(seed, rows * cols);
    }
}
