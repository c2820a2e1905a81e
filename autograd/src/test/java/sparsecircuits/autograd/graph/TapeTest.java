package sparsecircuits.autograd.graph;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import sparsecircuits.autograd.param.Parameter;
import sparsecircuits.kernels.KernelProvider;

/** Tape mechanics: accumulation, zeroGrad, detach, targeted backward, loud failures. */
class TapeTest {
    private final Tape tape = new Tape();
    private final Ops ops = new Ops(KernelProvider.get(), tape);

    @Test
    void gradientsAccumulateAcrossPassesAndZeroGradResets() {
        Parameter p = Parameter.dense("w", 3);
        p.value()[0] = 1; p.value()[1] = 2; p.value()[2] = 3;
        Tensor w = Tensor.of(p);
        for (int pass = 1; pass <= 2; pass++) {
            Tensor loss = ops.sum(ops.mul(w, w)); // ∂ = 2w
            tape.backward(loss);
            tape.clear();
            assertArrayEquals(new float[] {2 * pass, 4 * pass, 6 * pass}, p.grad(), 0f, "pass " + pass);
        }
        w.zeroGrad();
        assertArrayEquals(new float[3], p.grad(), 0f);
    }

    @Test
    void aTensorUsedTwiceGetsBothContributions() {
        Tensor x = Tensor.variable(new float[] {1.5f, -2f}, 2);
        Tensor loss = ops.sum(ops.add(ops.scale(x, 3f), ops.scale(x, 4f)));
        tape.backward(loss);
        assertArrayEquals(new float[] {7f, 7f}, x.grad(), 0f);
    }

    @Test
    void detachStopsTheGradient() {
        Tensor x = Tensor.variable(new float[] {2f}, 1);
        Tensor loss = ops.mul(x, x.detach()); // ∂ = x (not 2x)
        tape.backward(loss);
        assertEquals(2f, x.grad()[0]);
        assertFalse(x.detach().requiresGrad());
    }

    @Test
    void targetedBackwardVisitsOnlyPathsToTargets() {
        Parameter p = Parameter.dense("w", 4);
        for (int i = 0; i < 4; i++) p.value()[i] = i + 1;
        Tensor w = Tensor.of(p);
        Tensor x = Tensor.variable(new float[] {1, 1, 1, 1}, 4);
        Tensor h = ops.mul(w, x);          // depends on both
        Tensor side = ops.gelu(w);         // depends on w only: must not run
        Tensor loss = ops.sum(ops.add(h, side));
        tape.backward(List.of(loss), List.of(new float[] {1f}), List.of(x));
        assertArrayEquals(new float[] {1, 2, 3, 4}, x.grad(), 0f, "∂loss/∂x = w");
        assertArrayEquals(new float[4], p.grad(), 0f, "w is not a target: its gradient is untouched");
        assertFalse(side.hasGrad(), "gelu(w) is not on a path to x: never visited");
    }

    @Test
    void gradientsWithRespectToActivationsAreKeptForTargets() {
        Tensor x = Tensor.variable(new float[] {0.5f, -1f, 2f}, 1, 3);
        Tensor mid = ops.scale(x, 2f);
        Tensor loss = ops.sum(ops.mul(mid, mid)); // ∂/∂mid = 2·mid
        tape.backward(List.of(loss), List.of(new float[] {1f}), List.of(mid));
        assertArrayEquals(new float[] {2f, -4f, 8f}, mid.grad(), 0f);
        assertFalse(x.hasGrad(), "x lies before the target: not visited");
    }

    @Test
    void intermediateGradientsAreFreedUnlessRetained() {
        Tensor x = Tensor.variable(new float[] {1f, 2f}, 2);
        Tensor a = ops.scale(x, 2f), b = ops.scale(x, 3f).retainGrad();
        tape.backward(ops.sum(ops.add(a, b)));
        assertFalse(a.hasGrad());
        assertArrayEquals(new float[] {1f, 1f}, b.grad(), 0f);
    }

    @Test
    void failsLoudly() {
        Tensor x = Tensor.variable(new float[] {1f, 2f}, 2);
        Tensor y = ops.scale(x, 2f);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> tape.backward(y));
        assertTrue(e.getMessage().contains("seed"), e.getMessage());
        Tensor noRule = tape.record("argmax", Tensor.result(true, 1), null, x);
        IllegalStateException s = assertThrows(IllegalStateException.class, () -> tape.backward(noRule));
        assertTrue(s.getMessage().contains("'argmax' has no backward rule"), s.getMessage());
        Tensor c = Tensor.constant(new float[] {1f}, 1);
        assertThrows(IllegalArgumentException.class, () -> tape.backward(ops.scale(c, 2f)));
    }

    @Test
    void heavisideIsAStepForwardAndTheSigmoidDerivativeBackward() {
        Tensor tau = Tensor.variable(new float[] {-0.5f, 0f, 0.25f}, 3);
        Tensor y = ops.heaviside(tau, 0.5f);
        assertArrayEquals(new float[] {0f, 0f, 1f}, y.data(), 0f);
        tape.backward(ops.sum(ops.scale(y, 2f)));
        for (int i = 0; i < 3; i++) {
            double s = 1 / (1 + Math.exp(-tau.data()[i] / 0.5));
            assertEquals(2 * s * (1 - s) / 0.5, tau.grad()[i], 1e-6);
        }
    }

    @Test
    void withoutATapeNothingIsRecorded() {
        Ops free = new Ops(KernelProvider.get(), null);
        Tensor x = Tensor.variable(new float[] {1f, 2f}, 2);
        Tensor y = free.scale(x, 2f);
        assertNull(y.op());
        assertFalse(y.requiresGrad());
        assertArrayEquals(new float[] {2f, 4f}, y.data(), 0f);
    }
}
