package sparsecircuits.pruning.nodes;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static sparsecircuits.autograd.graph.GradientCheck.property;
import static sparsecircuits.autograd.graph.GradientCheck.rand;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import sparsecircuits.autograd.graph.GradientCheck;
import sparsecircuits.autograd.graph.Ops;
import sparsecircuits.autograd.graph.Tape;
import sparsecircuits.autograd.graph.Tensor;
import sparsecircuits.kernels.KernelProvider;

/** The node gate and the Heaviside mask: finite differences, the step and its surrogate, pooled arrays. */
class MaskOpsTest {

    @Test
    void gateWithABroadcastOrAFullBase() {
        for (boolean full : new boolean[] {false, true}) {
            property((r, s) -> {
                int rows = 2 + r.nextInt(4), c = 1 + r.nextInt(6);
                float[] x = rand(r, rows * c, -2, 2), g = rand(r, c, -0.5, 1.5), base = rand(r, full ? rows * c : c, -1, 1);
                return new GradientCheck.Case("gate full=" + full, new float[][] {x, g, base},
                        new int[][] {{rows, c}, {c}, full ? new int[] {rows, c} : new int[] {c}},
                        (ops, t) -> MaskOps.gate(ops, t[0], t[1], t[2]), xs -> {
                            double[] y = new double[rows * c];
                            for (int i = 0; i < rows; i++) {
                                for (int j = 0; j < c; j++) {
                                    double b = xs[2][full ? i * c + j : j];
                                    y[i * c + j] = xs[1][j] * xs[0][i * c + j] + (1 - xs[1][j]) * b;
                                }
                            }
                            return y;
                        }, new boolean[] {true, true, true});
            }, 1e-5, 2e-4);
        }
    }

    /** The pruner's case: a constant per-channel mean (the fused kernels), gates exactly 0/1, all 0, or in between. */
    @Test
    void gateWithAConstantMean() {
        property((r, s) -> {
            int rows = 1 + r.nextInt(5), c = 1 + r.nextInt(40), kind = r.nextInt(3);
            float[] x = rand(r, rows * c, -2, 2), base = rand(r, c, -1, 1), g = new float[c];
            for (int j = 0; j < c; j++) g[j] = kind == 0 ? (r.nextBoolean() ? 1f : 0f) : kind == 1 ? 0f : (float) r.nextDouble();
            return new GradientCheck.Case("gate constant mean, gates " + kind, new float[][] {x, g, base}, new int[][] {{rows, c}, {c}, {c}},
                    (ops, t) -> MaskOps.gate(ops, t[0], t[1], t[2]), xs -> {
                        double[] y = new double[rows * c];
                        for (int i = 0; i < rows * c; i++) y[i] = xs[1][i % c] * xs[0][i] + (1 - xs[1][i % c]) * xs[2][i % c];
                        return y;
                    }, new boolean[] {true, true, false});
        }, 1e-5, 2e-4);
    }

    /**
     * A recycling tape hands the gate dirty arrays (its output, and x's gradient through the overwrite path of the
     * fused backward) from the previous pass: the results must be bit-identical to fresh arrays, pass after pass.
     */
    @Test
    void theGateOnPooledArraysIsBitIdenticalToFreshOnes() {
        SplittableRandom r = new SplittableRandom(GradientCheck.SEED);
        int rows = 7, c = 37;
        for (int kind = 0; kind < 3; kind++) {
            float[] x = rand(r, rows * c, -2, 2), base = rand(r, c, -1, 1), g = new float[c], dy = rand(r, rows * c, -1, 1);
            for (int j = 0; j < c; j++) g[j] = kind == 0 ? (r.nextBoolean() ? 1f : 0f) : kind == 1 ? 0f : (float) r.nextDouble();
            float[][] fresh = gatePass(new Tape(), x, g, base, dy);
            Tape pooled = new Tape(true);
            for (int pass = 0; pass < 3; pass++) {
                float[][] again = gatePass(pooled, x, g, base, dy);
                for (int i = 0; i < fresh.length; i++) assertArrayEquals(fresh[i], again[i], 0f, "gates " + kind + ", pass " + pass + ", array " + i);
                pooled.clear();
            }
        }
    }

    /** {y, ∂x (through a scale, so that x's gradient is the gate's to overwrite), ∂g} of one gate pass, copied out. */
    private static float[][] gatePass(Tape tape, float[] x, float[] g, float[] base, float[] dy) {
        Ops ops = new Ops(KernelProvider.get(), tape);
        int c = g.length, rows = x.length / c;
        Tensor xv = Tensor.variable(x.clone(), rows, c), gv = Tensor.variable(g.clone(), c);
        Tensor mid = ops.scale(xv, 1.5f).retainGrad();
        Tensor y = MaskOps.gate(ops, mid, gv, Tensor.constant(base.clone(), c));
        float[] out = y.data().clone();
        tape.backward(List.of(y), List.of(dy), null);
        return new float[][] {out, mid.hasGrad() ? mid.grad().clone() : new float[0], xv.hasGrad() ? xv.grad().clone() : new float[0], gv.grad().clone()};
    }

    @Test
    void heavisideIsAStepForwardAndTheSigmoidDerivativeBackward() {
        Tape tape = new Tape();
        Ops ops = new Ops(KernelProvider.get(), tape);
        Tensor tau = Tensor.variable(new float[] {-0.5f, 0f, 0.25f}, 3);
        Tensor y = MaskOps.heaviside(ops, tau, 0.5f);
        assertEquals("heaviside", y.op());
        assertArrayEquals(new float[] {0f, 0f, 1f}, y.data(), 0f);
        tape.backward(ops.sum(ops.scale(y, 2f)));
        for (int i = 0; i < 3; i++) {
            double s = 1 / (1 + Math.exp(-tau.data()[i] / 0.5));
            assertEquals(2 * s * (1 - s) / 0.5, tau.grad()[i], 1e-6);
        }
        assertThrows(IllegalArgumentException.class, () -> MaskOps.heaviside(ops, tau, 0f));
    }

    @Test
    void withoutARecordingTapeNothingIsRecorded() {
        Tensor x = Tensor.variable(new float[] {1f, -2f, 3f, 4f}, 2, 2), g = Tensor.variable(new float[] {1f, 0f}, 2);
        Tensor mean = Tensor.constant(new float[] {0.5f, 0.25f}, 2);
        for (Ops ops : new Ops[] {new Ops(KernelProvider.get(), null), Ops.inference(KernelProvider.get())}) {
            Tensor y = MaskOps.gate(ops, x, g, mean), h = MaskOps.heaviside(ops, x, 1f);
            assertArrayEquals(new float[] {1f, 0.25f, 3f, 0.25f}, y.data(), 0f);
            assertArrayEquals(new float[] {1f, 0f, 1f, 1f}, h.data(), 0f);
            assertNull(y.op());
            assertFalse(y.requiresGrad() || h.requiresGrad());
        }
    }

    @Test
    void sanityTheHarnessCatchesAWrongRule() {
        // the gate checked against a reference 1% off must fail
        SplittableRandom r = new SplittableRandom(1);
        GradientCheck.Case wrong = new GradientCheck.Case("gate, wrong reference", new float[][] {rand(r, 6, -1, 1), {0.3f, 0.7f}, {0.1f, -0.2f}},
                new int[][] {{3, 2}, {2}, {2}}, (ops, t) -> MaskOps.gate(ops, t[0], t[1], t[2]), xs -> {
                    double[] y = new double[6];
                    for (int i = 0; i < 6; i++) y[i] = 1.01 * (xs[1][i % 2] * xs[0][i] + (1 - xs[1][i % 2]) * xs[2][i % 2]);
                    return y;
                }, new boolean[] {true, true, false});
        boolean failed = false;
        try {
            GradientCheck.check(wrong, r, 1, 1e-4);
        } catch (AssertionError e) {
            failed = true;
        }
        assertTrue(failed, "a gradient 1% off must be caught");
    }
}
