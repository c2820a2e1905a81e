package sparsecircuits.kernels;

import java.lang.reflect.Constructor;
import java.util.Locale;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * Picks the kernel provider once per process: the Vector API implementation when {@code jdk.incubator.vector}
 * is present (loaded reflectively, so neither this class nor {@link Kernels} touches the incubator module), else
 * {@link ScalarKernels}, with one log line saying which and why. {@code -Dsparsecircuits.kernels=scalar|vector}
 * forces a choice; forcing "vector" without the module is an error. Every provider comes wrapped in the
 * {@link Kernels} facade.
 */
public final class KernelProvider {
    public static final String PROPERTY = "sparsecircuits.kernels";
    static final String VECTOR_CLASS = "sparsecircuits.kernels.vector.VectorKernels";
    private static final Logger LOG = Logger.getLogger("sparsecircuits.kernels");

    private static volatile Selection selection;

    /** What was chosen and why. */
    public record Selection(Kernels kernels, String reason) {
    }

    private KernelProvider() {
    }

    /** The process-wide kernels on the default worker pool. */
    public static Kernels get() {
        return selection().kernels();
    }

    /** The process-wide choice with its reason (for kernels-info). */
    public static Selection selection() {
        Selection s = selection;
        if (s == null) {
            synchronized (KernelProvider.class) {
                s = selection;
                if (s == null) {
                    s = choose(WorkerPool.defaultPool());
                    selection = s;
                    Kernels k = s.kernels();
                    LOG.info(String.format(Locale.ROOT, "kernels: %s provider, %d-bit vectors, FMA %s, %d threads (%s)",
                            k.name(), k.vectorBitSize(), k.usesFma() ? "on" : "off", k.pool().threads(), s.reason()));
                }
            }
        }
        return s;
    }

    /** Whether the incubating Vector API module is in the boot layer of this JVM. */
    public static boolean vectorModulePresent() {
        return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    }

    /** A fresh scalar provider on the given pool. */
    public static Kernels scalar(WorkerPool pool) {
        return new Kernels(new ScalarKernels(pool));
    }

    /** A fresh vector provider on the given pool, if the module is present. */
    public static Optional<Kernels> vector(WorkerPool pool) {
        if (!vectorModulePresent()) {
            return Optional.empty();
        }
        try {
            Class<?> c = Class.forName(VECTOR_CLASS);
            Constructor<?> ctor = c.getConstructor(WorkerPool.class);
            return Optional.of(new Kernels((KernelImplementation) ctor.newInstance(pool)));
        } catch (ReflectiveOperationException | LinkageError e) {
            LOG.warning("vector kernels failed to load (" + e + "); using scalar");
            return Optional.empty();
        }
    }

    /**
     * Peak single-thread FMA throughput of this CPU through the Vector API, in GFLOP/s (2 flops per
     * lane per FMA), measured for about {@code millis} ms; empty without the vector module.
     */
    public static java.util.OptionalDouble fmaPeakGflops(int millis) {
        if (!vectorModulePresent()) {
            return java.util.OptionalDouble.empty();
        }
        try {
            Class<?> c = Class.forName("sparsecircuits.kernels.vector.FmaProbe");
            return java.util.OptionalDouble.of((double) c.getMethod("peakGflops", int.class).invoke(null, millis));
        } catch (ReflectiveOperationException | LinkageError e) {
            return java.util.OptionalDouble.empty();
        }
    }

    /** The provider the process-wide setting asks for, on the given pool. */
    public static Kernels create(WorkerPool pool) {
        return choose(pool).kernels();
    }

    private static Selection choose(WorkerPool pool) {
        String forced = System.getProperty(PROPERTY, "").trim().toLowerCase(Locale.ROOT);
        switch (forced) {
            case "scalar":
                return new Selection(scalar(pool), "forced by -D" + PROPERTY + "=scalar");
            case "vector":
                return vector(pool).map(k -> new Selection(k, "forced by -D" + PROPERTY + "=vector"))
                        .orElseThrow(() -> new IllegalStateException("-D" + PROPERTY
                                + "=vector, but the jdk.incubator.vector module is missing: run java with --add-modules jdk.incubator.vector"));
            case "":
                break;
            default:
                throw new IllegalArgumentException("-D" + PROPERTY + " must be 'scalar' or 'vector', got '" + forced + "'");
        }
        if (!vectorModulePresent()) {
            return new Selection(scalar(pool), "jdk.incubator.vector is not in this JVM (add --add-modules jdk.incubator.vector)");
        }
        return vector(pool).map(k -> new Selection(k, "jdk.incubator.vector present"))
                .orElseGet(() -> new Selection(scalar(pool), "vector kernels failed to load"));
    }
}
