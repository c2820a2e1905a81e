package sparsecircuits.kernels.info;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import sparsecircuits.kernels.KernelProvider;
import sparsecircuits.kernels.Kernels;
import sparsecircuits.kernels.ScalarKernels;
import sparsecircuits.kernels.WorkerPool;
import sparsecircuits.kernels.sparse.CsrMatrix;

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

    /** A scalar provider with deliberate bugs in four kernels. */
    static final class Broken extends ScalarKernels {
        Broken(WorkerPool pool) {
            super(pool);
        }

        @Override
        public void gemmAB(int m, int n, int k, float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, boolean acc) {
            super.gemmAB(m, n, k, a, aOff, b, bOff, c, cOff, acc);
            c[cOff + m * n - 1] += 1e-2f; // the last element is off
        }

        @Override
        public void spmm(CsrMatrix w, float[] x, int xOff, int n, float[] y, int yOff, boolean accumulate) {
            throw new UnsupportedOperationException("not written yet");
        }

        @Override
        public void geluForward(int n, float[] x, int xOff, float[] y, int yOff) {
            super.geluForward(n, x, xOff, y, yOff);
            y[yOff + n / 2] = Float.NaN;
        }

        @Override
        public void absTopKForward(int rows, int d, int k, float[] x, int xOff, float[] y, int yOff, int[] kept, int keptOff) {
            super.absTopKForward(rows, d, k, x, xOff, y, yOff, kept, keptOff);
            kept[keptOff] = (kept[keptOff] + 1) % d; // one wrong index, values untouched
        }

        @Override
        public float dot(int n, float[] x, int xOff, float[] y, int yOff) {
            // a different (pairwise) summation order: rounding differs, but within tolerance
            return pairwise(x, xOff, y, yOff, n);
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
    }

    @Test
    void catchesWrongValuesExceptionsNaNsAndWrongIndices() {
        try (WorkerPool one = new WorkerPool(1)) {
            Map<String, KernelChecks.Result> r = byKernel(KernelChecks.run(new Broken(one)));
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
