package sparsecircuits.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Proxy;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import sparsecircuits.kernels.sparse.CsrMatrix;

/**
 * Arguments are checked once, in the {@link Kernels} facade: a bad call never reaches the implementation, and the
 * scalar and vector providers reject it with the same message. (BadInputTest checks what the messages say.)
 */
class FacadeChecksTest {

    private static float[] f(int n) {
        return new float[n];
    }

    /** One bad call per public kernel of the facade (key: method name, then a note for overloads). */
    private static Map<String, Consumer<Kernels>> badCalls() {
        CsrMatrix w = CsrMatrix.of(3, 5, new int[] {0, 2, 2, 4}, new int[] {0, 3, 1, 4}, new float[] {1, 2, 3, 4});
        int n = 6;
        Map<String, Consumer<Kernels>> c = new LinkedHashMap<>();
        c.put("gemmABt", k -> k.gemmABt(3, 4, 5, f(14), 0, f(20), 0, f(12), 0, false));
        c.put("gemmAB", k -> k.gemmAB(3, 4, 5, f(15), 0, f(19), 0, f(12), 0, false));
        c.put("gemmAtB", k -> k.gemmAtB(3, 4, 5, f(15), 0, f(20), 0, f(12), 1, false));
        c.put("spmm", k -> k.spmm(w, f(29), 0, n, f(18), 0, false));
        c.put("spmmTransposed", k -> k.spmmTransposed(w, f(18), 0, n, f(29), 0, false));
        c.put("sddmm", k -> k.sddmm(w, f(18), 0, f(30), 0, n, f(3), 0, false));
        c.put("sparseLinear", k -> k.sparseLinear(n, f(30), 0, w, f(2), 0, f(18), 0));
        c.put("sparseLinearBackward", k -> k.sparseLinearBackward(-1, f(18), 0, w, f(30), 0));
        c.put("csrRowPointers", k -> k.csrRowPointers(4, 3, f(12), 0, new int[4]));
        c.put("csrFill", k -> k.csrFill(2, 3, f(6), 0, new int[] {0, 2, 4}, new int[3], f(4)));
        c.put("rmsNormForward", k -> k.rmsNormForward(2, 0, f(0), 0, f(0), 0, 1e-5f, f(0), 0, f(2), 0));
        c.put("rmsNormBackward", k -> k.rmsNormBackward(2, 4, f(8), 0, f(4), 0, f(2), 0, f(8), 0, f(8), 0, f(3), 0));
        c.put("geluForward", k -> k.geluForward(40, f(40), 0, f(40), 1));
        c.put("geluBackward", k -> k.geluBackward(40, f(40), 0, null, 0, f(40), 0));
        c.put("softmaxForward", k -> k.softmaxForward(-2, 8, f(16), 0, f(16), 0));
        c.put("softmaxBackward", k -> k.softmaxBackward(2, 8, f(16), 0, f(16), 0, f(15), 0));
        // d = 40 takes the vector search under the vector provider, d = 3 the scalar kernel: both checked here
        c.put("absTopKForward", k -> k.absTopKForward(2, 40, 41, f(80), 0, f(80), 0, new int[82], 0));
        c.put("absTopKForward (narrow)", k -> k.absTopKForward(2, 3, 1, f(6), 0, f(6), 0, new int[1], 0));
        c.put("absTopKBackward", k -> k.absTopKBackward(2, 4, 1, new int[] {0, 4}, 0, f(8), 0, f(8), 0));
        c.put("absTopKBackwardOverwrite", k -> k.absTopKBackwardOverwrite(2, 4, 1, new int[] {-1, 0}, 0, f(8), 0, f(8), 0));
        c.put("nodeGateForward", k -> k.nodeGateForward(2, 4, f(8), 0, f(3), 0, f(4), 0, f(8), 0));
        c.put("nodeGateBackward", k -> k.nodeGateBackward(2, 4, f(8), 0, f(4), 0, f(4), 0, f(8), 0, f(8), 0, false, f(3), 0));
        // batch 1, 3 tokens, 2 heads of 2: q/k/v rows of 4 at stride 4, probs 2·3·3 = 18, out 12
        c.put("attentionForward", k -> k.attentionForward(1, 3, 2, 2, 3, f(12), 0, f(12), 0, f(12), 0, null, 0, f(18), 0, f(12), 0));
        c.put("attentionBackward", k -> k.attentionBackward(1, 3, 2, 2, 4, f(12), 0, f(12), 0, f(12), 0, f(2), 0, f(18), 0,
                f(12), 0, f(12), 0, f(12), 0, f(12), 0, f(1), 0));
        c.put("crossEntropyForward", k -> k.crossEntropyForward(2, 5, f(10), 0, new int[] {1, 5}, 0, f(2), 0));
        c.put("crossEntropyBackward", k -> k.crossEntropyBackward(2, 0, f(10), 0, new int[] {1, 2}, 0, 1f, f(10), 0));
        c.put("adamStep", k -> k.adamStep(4, f(4), 0, f(4), 0, f(4), 0, f(4), 0, 1e-3f, 0.9f, 0.95f, 1e-8f, 0));
        c.put("adamStep (scale, decay)", k -> k.adamStep(4, f(4), 0, f(4), 0, f(4), 0, f(4), 0, 1e-3f, 0.9f, 0.95f, 1e-8f, 1,
                Float.NaN, 1f));
        c.put("axpy", k -> k.axpy(40, 2f, f(40), 0, f(39), 0));
        c.put("transpose", k -> k.transpose(33, -1, f(40), 0, f(40), 0, false));
        c.put("scale", k -> k.scale(40, 2f, f(40), 2));
        c.put("dot", k -> k.dot(40, f(40), 0, f(40), -1));
        c.put("sum", k -> k.sum(40, null, 0));
        c.put("sumSquares", k -> k.sumSquares(-40, f(40), 0));
        return c;
    }

    /** An implementation that fails the test if the facade lets a call through (only its pool is real). */
    private static KernelImplementation unreachable(WorkerPool pool) {
        return (KernelImplementation) Proxy.newProxyInstance(KernelImplementation.class.getClassLoader(),
                new Class<?>[] {KernelImplementation.class}, (proxy, m, args) -> {
                    switch (m.getName()) {
                        case "pool": return pool;
                        case "name": return "unreachable";
                        default: throw new AssertionError("a bad " + m.getName() + " call reached the implementation");
                    }
                });
    }

    private static String message(Kernels k, String what, Consumer<Kernels> call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> call.accept(k), k.name() + " " + what);
        assertNotNull(e.getMessage(), what);
        return e.getMessage();
    }

    @Test
    void everyKernelOfTheFacadeHasABadCallHere() {
        Set<String> kernels = Arrays.stream(Kernels.class.getDeclaredMethods())
                .filter(m -> Modifier.isPublic(m.getModifiers()) && !Modifier.isStatic(m.getModifiers()))
                .map(Method::getName)
                .filter(name -> !Set.of("name", "vectorBitSize", "usesFma", "pool", "toString").contains(name))
                .collect(Collectors.toCollection(TreeSet::new));
        Set<String> covered = badCalls().keySet().stream().map(key -> key.split(" ")[0])
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(kernels, covered);
    }

    @Test
    void badArgumentsStopAtTheFacade() {
        try (WorkerPool one = new WorkerPool(1)) {
            Kernels guarded = new Kernels(unreachable(one));
            badCalls().forEach((what, call) -> message(guarded, what, call));
        }
    }

    @Test
    void bothProvidersRejectWithTheSameMessage() {
        try (WorkerPool one = new WorkerPool(1)) {
            Kernels scalar = KernelProvider.scalar(one);
            Kernels guarded = new Kernels(unreachable(one));
            Optional<Kernels> vector = KernelProvider.vector(one);
            badCalls().forEach((what, call) -> {
                String m = message(scalar, what, call);
                assertEquals(m, message(guarded, what, call), what + ": the facade alone gives the message");
                vector.ifPresent(v -> assertEquals(m, message(v, what, call), what + ": vector vs scalar"));
            });
            assumeTrue(vector.isPresent(), "no jdk.incubator.vector in this JVM: the vector provider was not compared");
        }
    }

    @Test
    void aNullImplementationIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new Kernels(null));
    }
}
