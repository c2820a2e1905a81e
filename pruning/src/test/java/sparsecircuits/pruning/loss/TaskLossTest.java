package sparsecircuits.pruning.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import sparsecircuits.autograd.graph.Ops;
import sparsecircuits.autograd.graph.Tape;
import sparsecircuits.autograd.graph.Tensor;
import sparsecircuits.kernels.KernelProvider;
import sparsecircuits.model.gpt.Gpt;
import sparsecircuits.model.gpt.GptConfig;
import sparsecircuits.model.gpt.Hook;

class TaskLossTest {
    static final GptConfig CFG = GptConfig.builder().vocabSize(30).nLayer(1).dModel(32).dMlp(64).blockSize(10).build();

    static int[] prompt(Random r, int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = r.nextInt(30);
        return p;
    }

    @Test
    void matchesTheFormulaOnEachSequenceAloneAndBatchesByLength() {
        Gpt g = new Gpt(CFG, 2);
        Ops ops = new Ops(KernelProvider.get(), null);
        Random r = new Random(5);
        List<TaskLoss.Sequence> seqs = new ArrayList<>();
        for (int i = 0; i < 4; i++) seqs.addAll(TaskLoss.binary(prompt(r, 3 + i % 2), 4, prompt(r, 3 + i % 2), 9));
        seqs.addAll(TaskLoss.single(prompt(r, 5), 7, prompt(r, 14))); // 14 > context 10: cut on the left
        double expect = 0;
        for (TaskLoss.Sequence s : seqs) {
            int[] t = s.tokens().length > 10 ? java.util.Arrays.copyOfRange(s.tokens(), s.tokens().length - 10, s.tokens().length) : s.tokens();
            float[] logits = g.forward(t, 1, ops, Hook.NONE).data();
            int v = 30, o = (t.length - 1) * v;
            double z = 0;
            for (int j = 0; j < v; j++) z += Math.exp(logits[o + j]);
            double pc = s.correct() >= 0 ? Math.exp(logits[o + s.correct()]) / z : 0, po = s.other() >= 0 ? Math.exp(logits[o + s.other()]) / z : 0;
            expect += switch (s.kind()) {
                case BINARY -> -Math.log(pc / (pc + po));
                case TARGET -> -Math.log(pc);
                case AVOID -> -Math.log(1 - po);
            };
        }
        expect /= seqs.size();
        assertEquals(expect, TaskLoss.loss(g, seqs, ops, Hook.NONE).item(), 1e-5);
        TaskLoss.Result res = TaskLoss.evaluate(g, seqs, ops, Hook.NONE);
        assertEquals(expect, res.loss(), 1e-5);
        assertEquals(seqs.size(), res.sequences());
        assertTrue(res.accuracy() >= 0 && res.accuracy() <= 1);
    }

    @Test
    void gradientsReachActivationsThroughHooks() {
        Gpt g = new Gpt(CFG, 3);
        Tape tape = new Tape();
        Ops ops = new Ops(KernelProvider.get(), tape);
        Random r = new Random(6);
        Tensor[] seen = new Tensor[1];
        Tensor l = TaskLoss.loss(g, TaskLoss.binary(prompt(r, 4), 1, prompt(r, 4), 2), ops,
                (name, x, o) -> name.equals("0.mlp.post_act") ? (seen[0] = x) : x);
        tape.backward(List.of(l), List.of(new float[] {1f}), List.of(seen[0]));
        double s = 0;
        for (float f : seen[0].grad()) s += Math.abs(f);
        assertTrue(s > 0, "the task loss has a gradient with respect to the MLP neurons");
    }

    @Test
    void aPairWhoseTargetsAreTheSameTokenIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> TaskLoss.binary(new int[] {1}, 3, new int[] {2}, 3));
    }
}
