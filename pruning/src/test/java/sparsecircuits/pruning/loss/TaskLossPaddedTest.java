package sparsecircuits.pruning.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import sparsecircuits.autograd.graph.Ops;
import sparsecircuits.autograd.graph.Tape;
import sparsecircuits.autograd.graph.Tensor;
import sparsecircuits.kernels.KernelProvider;
import sparsecircuits.model.gpt.Gpt;
import sparsecircuits.model.gpt.GptConfig;
import sparsecircuits.model.gpt.Hook;
import sparsecircuits.pruning.nodes.NodeLocation;
import sparsecircuits.pruning.nodes.NodeMask;
import sparsecircuits.pruning.nodes.NodeMeans;

/**
 * The right-padded task loss (what mask training now uses) is the by-length loss: same value and same gradient
 * for every node gate, on prompts of many lengths (some cut to the context), binary and single-target pairs.
 */
class TaskLossPaddedTest {
    static final GptConfig CFG = GptConfig.builder().vocabSize(40).nLayer(2).dModel(32).dMlp(64).blockSize(12).build();

    static int[] prompt(Random r, int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = r.nextInt(40);
        return p;
    }

    static List<TaskLoss.Sequence> sequences(Random r) {
        List<TaskLoss.Sequence> seqs = new ArrayList<>();
        for (int i = 0; i < 7; i++) seqs.addAll(TaskLoss.binary(prompt(r, 2 + r.nextInt(11)), 4, prompt(r, 2 + r.nextInt(11)), 9));
        seqs.addAll(TaskLoss.single(prompt(r, 5), 7, prompt(r, 15))); // 15 > context 12: cut on the left
        seqs.addAll(TaskLoss.binary(prompt(r, 1), 3, prompt(r, 12), 5));
        return seqs;
    }

    /** The loss and every gate's gradient, the loss computed by {@code how}. */
    interface How {
        Tensor loss(Gpt g, List<TaskLoss.Sequence> seqs, Ops ops, Hook hook);
    }

    static double[] lossAndGrads(Gpt g, List<TaskLoss.Sequence> seqs, NodeMeans means, How how) {
        Random r = new Random(11);
        Map<String, Tensor> gates = new LinkedHashMap<>();
        for (NodeLocation l : NodeLocation.of(g.config())) {
            float[] v = new float[l.width()];
            for (int i = 0; i < v.length; i++) v[i] = r.nextFloat() < 0.3f ? 0f : r.nextFloat() < 0.5f ? 1f : r.nextFloat();
            gates.put(l.hook(), Tensor.variable(v, l.width()));
        }
        Tape tape = new Tape(true);
        Ops ops = new Ops(KernelProvider.get(), tape).sparseBelow(1.0);
        Tensor l = how.loss(g, seqs, ops, new NodeMask(gates, means, NodeMask.Ablation.MEAN));
        tape.backward(List.of(l), List.of(new float[] {1f}), new ArrayList<>(gates.values()));
        List<Double> out = new ArrayList<>(List.of((double) l.item()));
        for (Tensor t : gates.values()) for (float f : t.grad()) out.add((double) f);
        return out.stream().mapToDouble(Double::doubleValue).toArray();
    }

    @Test
    void paddedLossAndGateGradientsEqualTheByLengthOnes() {
        Gpt g = new Gpt(CFG, 4);
        Random r = new Random(3);
        List<int[]> windows = new ArrayList<>();
        for (int i = 0; i < 2; i++) windows.add(prompt(r, 4 * 12));
        NodeMeans means = NodeMeans.compute(g, windows, 4, KernelProvider.get(), i -> { });
        List<TaskLoss.Sequence> seqs = sequences(r);
        double[] ref = lossAndGrads(g, seqs, means, TaskLoss::loss);
        List<How> padded = List.of(
                (m, s, o, h) -> TaskLoss.lossPadded(m, s, 0, o, h),
                (m, s, o, h) -> TaskLoss.lossPadded(m, s, 12, o, h),
                (m, s, o, h) -> TaskLoss.lossPadded(m, s, 1, 8, o, h),
                (m, s, o, h) -> TaskLoss.lossPadded(m, s, 2, 8, o, h),
                (m, s, o, h) -> TaskLoss.lossPadded(m, s, 3, 5, o, h),
                (m, s, o, h) -> TaskLoss.lossPadded(m, s, 100, 1, o, h));
        double gradScale = 0;
        for (int i = 1; i < ref.length; i++) gradScale = Math.max(gradScale, Math.abs(ref[i]));
        assertTrue(gradScale > 0, "the gates have a gradient");
        for (How how : padded) {
            double[] got = lossAndGrads(g, seqs, means, how);
            assertEquals(ref.length, got.length);
            assertEquals(ref[0], got[0], 1e-5 * Math.max(1, Math.abs(ref[0])), "loss");
            for (int i = 1; i < ref.length; i++) assertEquals(ref[i], got[i], 1e-4 * gradScale, "gate gradient " + (i - 1));
        }
    }

    /** Evaluation without a tape: a fixed hook runs right-padded passes, a per-shape hook by length; the logits agree. */
    @Test
    void paddedEvaluationPassesGiveTheByLengthLogitsInInputOrder() {
        Gpt g = new Gpt(CFG, 3);
        for (var p : g.parameterList()) if (p.isSparse()) p.sparsify(p.numel() / 6, 0);
        Random r = new Random(5);
        List<TaskLoss.Sequence> seqs = new ArrayList<>();
        for (int i = 0; i < 90; i++) seqs.addAll(TaskLoss.binary(prompt(r, 1 + r.nextInt(16)), 4, prompt(r, 1 + r.nextInt(16)), 9)); // 180: 3 passes
        Map<String, Tensor> gates = new LinkedHashMap<>();
        for (NodeLocation l : NodeLocation.of(g.config())) {
            float[] v = new float[l.width()];
            for (int i = 0; i < v.length; i++) v[i] = r.nextFloat() < 0.4f ? 0f : 1f;
            gates.put(l.hook(), Tensor.constant(v, l.width()));
        }
        List<int[]> windows = new ArrayList<>();
        for (int i = 0; i < 2; i++) windows.add(prompt(r, 4 * 12));
        NodeMask mask = new NodeMask(gates, NodeMeans.compute(g, windows, 4, KernelProvider.get(), i -> { }), NodeMask.Ablation.MEAN);
        Ops ops = new Ops(KernelProvider.get(), null).sparseBelow(1.0);
        TaskLoss.HookFor fixed = TaskLoss.HookFor.fixed(mask), perShape = (b, t) -> mask;
        assertTrue(fixed.samePerShape() && !perShape.samePerShape());
        float[][] padded = TaskLoss.lastLogits(g, seqs, ops, fixed), byLength = TaskLoss.lastLogits(g, seqs, ops, perShape);
        assertEquals(seqs.size(), padded.length);
        for (int i = 0; i < seqs.size(); i++) {
            for (int j = 0; j < byLength[i].length; j++) {
                assertEquals(byLength[i][j], padded[i][j], 1e-5f * (1 + Math.abs(byLength[i][j])), "sequence " + i + " logit " + j);
            }
        }
        assertEquals(TaskLoss.evaluate(g, seqs, ops, perShape).loss(), TaskLoss.evaluate(g, seqs, ops, fixed).loss(), 1e-6);
    }
}
