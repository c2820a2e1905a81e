/**
 * The engine's float[] kernels, in the shape of Lucene's {@code VectorUtil} / {@code VectorizationProvider}:
 *
 * <pre>
 *   callers (autograd, model, pruning, bench)
 *     │
 *   Kernels                 final facade: checks every argument once, then routes
 *     │                       ├─ kernels with a vector version → the provider's implementation
 *     │                       └─ scalar-only kernels           → ScalarKernels, whatever the provider
 *   KernelImplementation    the kernels that have two versions; no checks
 *     ├─ ScalarKernels        final: the reference, plus the scalar-only kernels
 *     └─ vector.VectorKernels final: jdk.incubator.vector, loaded reflectively
 * </pre>
 *
 * <ul>
 *   <li>{@link sparsecircuits.kernels.KernelProvider} picks the implementation once per process (the vector one when
 *       the incubator module is present, else scalar; {@code -Dsparsecircuits.kernels} forces one) and hands it out
 *       inside a {@code Kernels}. Only {@code vector.*} names {@code jdk.incubator.vector}, so everything else loads
 *       and runs without the module.
 *   <li>Argument checks live in the facade (with {@link sparsecircuits.kernels.ArgChecks}, which {@code sparse} and
 *       {@code select} use too): a bad call fails there with the same message for either provider, before an
 *       implementation runs, and the implementations trust their arguments.
 *   <li>{@code Kernels} is a final class rather than an interface: the checks are its method bodies, so there is
 *       one way in and no subclass can skip them. Another implementation (a test's deliberately broken one, say)
 *       goes behind it with {@code new Kernels(implementation)}.
 *   <li>The kernels without a vector version are listed in the {@code Kernels} Javadoc and are methods of
 *       {@code ScalarKernels} only (not of the interface), so which kernels stay scalar is written in one place,
 *       not implied by which methods a subclass happens to override.
 *   <li>{@code sparse} holds {@code CsrMatrix}; {@code select} the top-k selections; {@code info} the checks and
 *       micro-benchmark behind {@code kernels-info}; {@code sums} the serial in-order sums that close a parallel
 *       kernel, one copy for both implementations (not kernels: no checks, no vector code).
 * </ul>
 */
package sparsecircuits.kernels;
