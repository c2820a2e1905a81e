package sparsecircuits.pruning.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static sparsecircuits.autograd.graph.GradientCheck.property;
import static sparsecircuits.autograd.graph.GradientCheck.rand;

import org.junit.jupiter.api.Test;
import sparsecircuits.autograd.graph.GradientCheck;
import sparsecircuits.autograd.graph.Ops;
import sparsecircuits.autograd.graph.Tensor;
import sparsecircuits.kernels.KernelProvider;

/** The two-choice task loss against its double reference and central finite differences. */
class ChoiceLossTest {

    @Test
    void lastRowsAndTheTaskLosses() {
        property((r, s) -> {
            int b = 1 + r.nextInt(4), t = 1 + r.nextInt(4), v = 2 + r.nextInt(7);
            int[] correct = new int[b], other = new int[b];
            Choice[] kind = new Choice[b];
            for (int i = 0; i < b; i++) {
                kind[i] = Choice.values()[r.nextInt(3)];
                correct[i] = r.nextInt(v);
                other[i] = (correct[i] + 1 + r.nextInt(v - 1)) % v;
            }
            float[] x = rand(r, b * t * v, -3, 3);
            return new GradientCheck.Case("choiceLoss", new float[][] {x}, new int[][] {{b, t, v}},
                    (ops, in) -> ChoiceLoss.of(ops, ops.lastRows(in[0]), correct, other, kind), xs -> {
                double total = 0;
                for (int i = 0; i < b; i++) {
                    int off = ((i + 1) * t - 1) * v;
                    double z = 0;
                    for (int j = 0; j < v; j++) z += Math.exp(xs[0][off + j]);
                    double pc = Math.exp(xs[0][off + correct[i]]) / z, po = Math.exp(xs[0][off + other[i]]) / z;
                    total += switch (kind[i]) {
                        case BINARY -> -Math.log(pc / (pc + po));
                        case TARGET -> -Math.log(pc);
                        case AVOID -> -Math.log(1 - po);
                    };
                }
                return new double[] {total / b};
            }, new boolean[] {true});
        }, 1e-5, 2e-4);
    }

    @Test
    void targetsOutsideTheVocabularyAreRefused() {
        Ops ops = new Ops(KernelProvider.get(), null);
        Tensor logits = Tensor.constant(new float[6], 2, 3);
        assertThrows(IllegalArgumentException.class, () -> ChoiceLoss.of(ops, logits, new int[] {0, 3}, new int[] {1, 2},
                new Choice[] {Choice.BINARY, Choice.BINARY}));
        assertThrows(IllegalArgumentException.class, () -> ChoiceLoss.of(ops, logits, new int[] {0}, new int[] {1}, new Choice[] {Choice.BINARY}));
        // the side a row does not use may be -1; uniform logits: −log(1/3) and −log(1 − 1/3)
        assertEquals((Math.log(3) + Math.log(1.5)) / 2, ChoiceLoss.of(ops, logits, new int[] {0, -1}, new int[] {-1, 2},
                new Choice[] {Choice.TARGET, Choice.AVOID}).item(), 1e-6);
    }
}
