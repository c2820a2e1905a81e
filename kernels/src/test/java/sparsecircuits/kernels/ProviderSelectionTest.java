package sparsecircuits.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.Test;

/**
 * Fails when the surefire execution did not get the provider it asked for
 * ({@code -Dsparsecircuits.expect.provider=vector|scalar}, optionally {@code -Dsparsecircuits.expect.bits}),
 * so a silent fallback to scalar cannot make the vector executions pass without testing vector code.
 */
class ProviderSelectionTest {
    private static final String EXPECT_PROVIDER = "sparsecircuits.expect.provider";
    private static final String EXPECT_BITS = "sparsecircuits.expect.bits";

    private static String describe(Kernels k) {
        return "picked " + k.name() + " (" + k.vectorBitSize() + " bits, FMA " + k.usesFma() + "), reason: "
                + KernelProvider.selection().reason() + "; java " + Runtime.version()
                + ", vector module present: " + KernelProvider.vectorModulePresent()
                + ", -D" + KernelProvider.PROPERTY + "=" + System.getProperty(KernelProvider.PROPERTY);
    }

    @Test
    void expectedProviderWasPicked() {
        String expected = System.getProperty(EXPECT_PROVIDER);
        assumeTrue(expected != null && !expected.isBlank(), "-D" + EXPECT_PROVIDER + " not set (IDE run): nothing to check");
        expected = expected.trim();
        assertTrue(expected.equals("vector") || expected.equals("scalar"),
                "-D" + EXPECT_PROVIDER + " must be vector or scalar, got " + expected);
        Kernels k = KernelProvider.get();
        assertEquals(expected, k.name(), "wrong kernel provider: " + describe(k));
        if (expected.equals("scalar")) {
            assertEquals(Float.SIZE, k.vectorBitSize(), "the scalar provider reports 32-bit vectors: " + describe(k));
            assertFalse(k.usesFma(), "the scalar provider does not fuse: " + describe(k));
        } else {
            assertTrue(KernelProvider.vectorModulePresent(), describe(k));
            int bits = k.vectorBitSize();
            assertTrue(bits == 128 || bits == 256 || bits == 512, "vector width must be 128, 256 or 512 bits: " + describe(k));
        }
    }

    @Test
    void expectedVectorWidthWasPicked() {
        String bits = System.getProperty(EXPECT_BITS);
        assumeTrue(bits != null && !bits.isBlank(), "-D" + EXPECT_BITS + " not set: width not pinned in this execution");
        Kernels k = KernelProvider.get();
        assertEquals(Integer.parseInt(bits.trim()), k.vectorBitSize(), "wrong vector width: " + describe(k));
    }

    /** In the execution without --add-modules, scalar must be chosen because the module is missing, not forced. */
    @Test
    void scalarFallbackHappensOnlyWithoutTheModuleOrWhenForced() {
        Kernels k = KernelProvider.get();
        assumeTrue(k.name().equals("scalar"), "vector provider active");
        String forced = System.getProperty(KernelProvider.PROPERTY, "").trim();
        if (forced.isEmpty() && System.getProperty(EXPECT_PROVIDER) != null) {
            assertFalse(KernelProvider.vectorModulePresent(),
                    "scalar was picked although the vector module is present and nothing forced it: " + describe(k));
        }
    }

    @Test
    void createOnAPoolPicksTheSameProviderOnThatPool() {
        try (WorkerPool pool = new WorkerPool(2)) {
            Kernels fresh = KernelProvider.create(pool);
            Kernels global = KernelProvider.get();
            assertEquals(global.name(), fresh.name());
            assertEquals(global.vectorBitSize(), fresh.vectorBitSize());
            assertEquals(global.usesFma(), fresh.usesFma());
            assertSame(pool, fresh.pool());
        }
        assertSame(KernelProvider.get(), KernelProvider.get(), "the process-wide provider is chosen once");
        assertSame(WorkerPool.defaultPool(), KernelProvider.get().pool());
    }

    @Test
    void scalarProviderIsAlwaysAvailable() {
        try (WorkerPool pool = new WorkerPool(1)) {
            Kernels s = KernelProvider.scalar(pool);
            assertEquals("scalar", s.name());
            assertEquals(32, s.vectorBitSize());
            assertSame(pool, s.pool());
        }
        assertThrows(IllegalArgumentException.class, () -> new ScalarKernels(null));
        assertThrows(IllegalArgumentException.class, () -> new WorkerPool(0));
    }
}
