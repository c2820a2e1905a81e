package sparsecircuits.kernels.info;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import sparsecircuits.kernels.KernelImplementation;
import sparsecircuits.kernels.KernelProvider;
import sparsecircuits.kernels.Kernels;
import sparsecircuits.kernels.ScalarKernels;
import sparsecircuits.kernels.WorkerPool;

/** KernelChecks passes good providers, and catches broken ones. */
class KernelChecksTest {
    static final List<String> ALL = List.of("gemmABt", "gemmAB", "gemmAtB", "spmm", "spmmTransposed", "sddmm",
            "rmsNormForward", "rmsNormBackward", "geluForward", "geluBackward", "softmaxForward", "softmaxBackward",
            "absTopKForward", "absTopKBackward", "attentionForward", "attentionBackward", "crossEntropyForward",
            "crossEntropyBackward", "adamStep", "axpy", "scale", "dot", "sum", "sumSquares");

    private static Map<String, KernelChecks.Result> byKernel(List<KernelChecks.Result> results) {
        return results.stream().collect(Collectors.toMap(KernelChecks.Result::kernel, Function.identity()));
    }

    @Test
    void checksEveryKernelOnce() {
        try (WorkerPool one = new WorkerPool(1)) {
            List<KernelChecks.Result> results = KernelChecks.run(KernelProvider.scalar(one));
            assertEquals(ALL, results.stream().map(KernelChecks.Result::kernel).collect(Collectors.toList()));
            for (KernelChecks.Result r : results) {
                assertTrue(r.outputs() > 0, r.toString());
                assertTrue(r.tolerance() > 0, r.toString());
            }
        }
    }

    @Test
    void scalarOnFourThreadsIsBitIdenticalToOneThread() {
        try (WorkerPool four = new WorkerPool(4); WorkerPool one = new WorkerPool(1)) {
            for (KernelChecks.Result r : KernelChecks.run(KernelProvider.scalar(four), KernelProvider.scalar(one), 99)) {
                assertTrue(r.ok(), r.toString());
                assertEquals(0.0, r.maxAbsError(), r.kernel() + ": the thread count must not change a single bit");
                assertEquals(null, r.failure());
            }
        }
    }

    @Test
    void theProviderThisJvmPicksPassesEveryCheck() {
        Kernels k = KernelProvider.get();
        List<KernelChecks.Result> results = KernelChecks.run(k);
        assertTrue(KernelChecks.allOk(results), k.name() + ": " + results.stream().filter(r -> !r.ok()).collect(Collectors.toList()));
    }

    @Test
    void toleranceGrowsWithTheLengthOfTheSum() {
        Map<String, KernelChecks.Result> r = byKernel(KernelChecks.run(KernelProvider.scalar(new WorkerPool(1))));
        assertTrue(r.get("dot").tolerance() > 10 * r.get("axpy").tolerance(), r.toString());
        assertTrue(r.get("gemmABt").tolerance() < 1e-2, r.get("gemmABt").toString());
    }

    /**
     * The scalar provider with deliberate bugs in four kernels (and a reordered dot): an implementation that passes
     * every call to {@link ScalarKernels} and spoils the results of a few ({@code ScalarKernels} is final, so the
     * bugs sit in a proxy between the facade and it).
     */
    static Kernels broken(WorkerPool pool) {
        ScalarKernels ok = new ScalarKernels(pool);
        InvocationHandler h = (proxy, method, a) -> {
            switch (method.getName()) {
                case "spmm":
                    throw new UnsupportedOperationException("not written yet");
                case "dot": // a different (pairwise) summation order: rounding differs, but within tolerance
                    return pairwise((float[]) a[1], (int) a[2], (float[]) a[3], (int) a[4], (int) a[0]);
                default:
                    break;
            }
            Object result;
            try {
                result = method.invoke(ok, a);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
            switch (method.getName()) {
                case "gemmAB": { // the last element is off
                    int m = (int) a[0], n = (int) a[1], cOff = (int) a[8];
                    ((float[]) a[7])[cOff + m * n - 1] += 1e-2f;
                    break;
                }
                case "geluForward":
                    ((float[]) a[3])[(int) a[4] + (int) a[0] / 2] = Float.NaN;
                    break;
                case "absTopKForward": { // one wrong index, values untouched
                    int[] kept = (int[]) a[7];
                    int keptOff = (int) a[8];
                    kept[keptOff] = (kept[keptOff] + 1) % (int) a[1];
                    break;
                }
                default:
                    break;
            }
            return result;
        };
        return new Kernels((KernelImplementation) Proxy.newProxyInstance(KernelImplementation.class.getClassLoader(),
                new Class<?>[] {KernelImplementation.class}, h));
    }

    private static float pairwise(float[] x, int xo, float[] y, int yo, int n) {
        if (n <= 8) {
            float s = 0;
            for (int i = 0; i < n; i++) s += x[xo + i] * y[yo + i];
            return s;
        }
        int h = n / 2;
        return pairwise(x, xo, y, yo, h) + pairwise(x, xo + h, y, yo + h, n - h);
    }

    @Test
    void catchesWrongValuesExceptionsNaNsAndWrongIndices() {
        try (WorkerPool one = new WorkerPool(1)) {
            Map<String, KernelChecks.Result> r = byKernel(KernelChecks.run(broken(one)));
            Set<String> failed = r.values().stream().filter(x -> !x.ok()).map(KernelChecks.Result::kernel).collect(Collectors.toSet());
            assertEquals(Set.of("gemmAB", "spmm", "geluForward", "absTopKForward"), failed);

            assertTrue(r.get("gemmAB").maxAbsError() > 5e-3, r.get("gemmAB").toString());
            assertTrue(r.get("gemmAB").failure().contains("above the tolerance"), r.get("gemmAB").toString());
            assertTrue(r.get("spmm").failure().contains("UnsupportedOperationException: not written yet"), r.get("spmm").toString());
            assertTrue(Double.isNaN(r.get("geluForward").maxAbsError()), r.get("geluForward").toString());
            assertTrue(r.get("geluForward").failure().contains("NaN"), r.get("geluForward").toString());
            assertTrue(r.get("absTopKForward").maxAbsError() >= 1, r.get("absTopKForward").toString());

            KernelChecks.Result dot = r.get("dot");
            assertTrue(dot.ok(), dot.toString());
            assertTrue(dot.maxAbsError() > 0, "a reordered sum is not bit-identical, only close: " + dot);
            assertFalse(KernelChecks.allOk(List.copyOf(r.values())));
        }
    }
}
