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

    /** An op defined outside Ops (as pruning's are): y = x³, recorded through the public extension point. */
    private static Tensor cube(Ops ops, Tensor x) {
        boolean rec = ops.recording(x);
        Tensor y = ops.output(rec, x.shape());
        float[] xd = x.data(), yd = y.data();
        for (int i = 0; i < yd.length; i++) yd[i] = xd[i] * xd[i] * xd[i];
        if (!rec) return y;
        return ops.record("cube", y, () -> {
            float[] g = y.grad(), gx = x.grad();
            for (int i = 0; i < g.length; i++) gx[i] += 3 * xd[i] * xd[i] * g[i];
        }, x, null);
    }

    @Test
    void anOpDefinedElsewhereIsRecordedWithItsRule() {
        Tensor x = Tensor.variable(new float[] {1f, -2f}, 2);
        Tensor y = cube(ops, ops.scale(x, 2f)); // ∂/∂x (2x)³ = 24x²
        assertEquals("cube", y.op());
        assertArrayEquals(new float[] {8f, -64f}, y.data(), 0f);
        tape.backward(ops.sum(y));
        assertArrayEquals(new float[] {24f, 96f}, x.grad(), 0f);
        assertTrue(tape.profile().containsKey("cube"));
        // nothing to record: no tape, a constant input, or inference ops; record then refuses
        Tensor c = Tensor.constant(new float[] {3f}, 1);
        assertNull(cube(ops, c).op());
        for (Ops o : new Ops[] {new Ops(KernelProvider.get(), null), Ops.inference(KernelProvider.get())}) {
            Tensor free = cube(o, x);
            assertNull(free.op());
            assertArrayEquals(new float[] {1f, -8f}, free.data(), 0f);
            assertThrows(IllegalStateException.class, () -> o.record("cube", free, () -> { }, x));
        }
        assertThrows(IllegalStateException.class, () -> ops.record("cube", ops.output(false, 1), () -> { }, x));
        assertThrows(IllegalArgumentException.class, () -> ops.record("cube", ops.output(true, 1), null, x));
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
