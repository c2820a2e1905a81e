package sparsecircuits.pruning.prune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import sparsecircuits.autograd.graph.Ops;
import sparsecircuits.autograd.graph.Tensor;
import sparsecircuits.autograd.param.Parameter;
import sparsecircuits.kernels.KernelProvider;
import sparsecircuits.model.gpt.Gpt;
import sparsecircuits.model.gpt.GptConfig;
import sparsecircuits.model.gpt.Hook;
import sparsecircuits.pruning.loss.Choice;
import sparsecircuits.pruning.loss.TaskLoss;
import sparsecircuits.pruning.nodes.NodeLocation;
import sparsecircuits.pruning.nodes.NodeMask;
import sparsecircuits.pruning.nodes.NodeMeans;

/**
 * On a small sparse model and a task the full model solves by construction (each pair's targets are the full
 * model's own best and worst token), mask training shrinks the circuit and bisection finds the smallest k by
 * τ rank that reaches the target.
 */
class PrunerTest {
    static final GptConfig CFG = GptConfig.builder().vocabSize(24).nLayer(2).dModel(32).dMlp(64).blockSize(6).build();

    static List<TaskLoss.Sequence> task(Gpt g, int pairs, long seed) {
        Random r = new Random(seed);
        Ops ops = new Ops(KernelProvider.get(), null);
        List<TaskLoss.Sequence> out = new ArrayList<>();
        for (int p = 0; p < pairs; p++) {
            int[][] prompts = new int[2][6];
            int[] best = new int[2], worst = new int[2];
            for (int s = 0; s < 2; s++) {
                for (int i = 0; i < 6; i++) prompts[s][i] = r.nextInt(24);
                float[] l = g.forward(prompts[s], 1, ops, Hook.NONE).data();
                int o = 5 * 24;
                for (int j = 0; j < 24; j++) {
                    if (l[o + j] > l[o + best[s]]) best[s] = j;
                    if (l[o + j] < l[o + worst[s]]) worst[s] = j;
                }
            }
            out.add(new TaskLoss.Sequence(prompts[0], best[0], worst[0], Choice.BINARY));
            out.add(new TaskLoss.Sequence(prompts[1], best[1], worst[1], Choice.BINARY));
        }
        return out;
    }

    /**
     * A model of {@code cfg} from seed 11 whose sparse weights are scaled by 20 (so it has opinions) and cut to
     * 1/keepDivisor of each tensor. GoldenCircuitTest's fixture was recorded from it: changing it breaks that test.
     */
    static Gpt opinionatedModel(GptConfig cfg, int keepDivisor) {
        Gpt g = new Gpt(cfg, 11);
        for (Parameter p : g.parameterList()) {
            if (p.isSparse()) {
                float[] v = p.value();
                for (int i = 0; i < v.length; i++) v[i] *= 20;
                p.sparsify(p.numel() / keepDivisor, 0);
            }
        }
        return g;
    }

    /** Node means over 4 batches of 4 random 6-token windows (seed 3). */
    static NodeMeans means(Gpt g) {
        List<int[]> pre = new ArrayList<>();
        Random r = new Random(3);
        int vocab = g.config().vocabSize();
        for (int b = 0; b < 4; b++) {
            int[] t = new int[4 * 6];
            for (int i = 0; i < t.length; i++) t[i] = r.nextInt(vocab);
            pre.add(t);
        }
        return NodeMeans.compute(g, pre, 4, KernelProvider.get(), i -> { });
    }

    @Test
    void maskTrainingShrinksTheCircuitAndBisectionFindsTheSmallestKAtTheTarget() {
        Gpt g = opinionatedModel(CFG, 4);
        NodeMeans means = means(g);
        List<TaskLoss.Sequence> train = task(g, 32, 1), held = task(g, 16, 2);
        Pruner pruner = new Pruner(g, means, NodeMask.Ablation.MEAN, KernelProvider.get());
        long total = NodeLocation.count(CFG);
        long[] last = new long[1];
        Map<String, float[]> tau = pruner.train(train, Pruner.Settings.defaults().withSteps(120).withKCoef(3e-3),
                (step, steps, loss, kept) -> last[0] = kept);
        assertTrue(last[0] < total, "the sparsity penalty removed nodes: " + last[0] + " of " + total);

        double full = pruner.loss(pruner.topK(tau, total), held);
        double target = Math.max(full * 1.5, full + 0.05);
        Pruner.Bisection b = pruner.bisect(tau, held, target);
        assertEquals(full, b.fullLoss(), 1e-9);
        assertTrue(b.k() >= 0 && b.k() <= total);
        assertTrue(b.loss() <= target, "the chosen circuit reaches the target");
        assertEquals(b.loss(), pruner.loss(pruner.topK(tau, b.k()), held), 1e-9);
        if (b.k() > 0) {
            assertTrue(pruner.loss(pruner.topK(tau, b.k() - 1), held) > target, "one node fewer misses it (minimal by τ rank)");
        }
        double without = pruner.necessityLoss(pruner.topK(tau, b.k()), held);
        assertTrue(Double.isFinite(without));
        assertEquals(pruner.loss(pruner.topK(tau, 0), held), pruner.necessityLoss(pruner.topK(tau, total), held), 1e-9,
                "ablating the whole model is the same whichever way it is asked");
        var kGates = pruner.topK(tau, b.k());
        long locationsWithNodes = kGates.values().stream().filter(t -> { for (float f : t.data()) if (f >= 0.5f) return true; return false; }).count();
        assertEquals(locationsWithNodes, pruner.blockDeltas(kGates, held).size());
        var nd = pruner.nodeDeltas(kGates, held, 5);
        assertTrue(nd.size() == Math.min(5, b.k()));
        for (int i = 1; i < nd.size(); i++) assertTrue(nd.get(i - 1).delta() >= nd.get(i).delta(), "largest first");
        // the bisection's loss at its k is the circuit's own: given it, the deltas are the same, bit for bit
        assertEquals(pruner.loss(kGates, held), b.loss(), 0.0, "the bisection's loss at k is the circuit's loss");
        assertEquals(nd, pruner.nodeDeltas(kGates, held, 5, b.loss()));
        assertEquals(pruner.blockDeltas(kGates, held), pruner.blockDeltas(kGates, held, b.loss()));
        long keptAtK = 0;
        for (Tensor t : pruner.topK(tau, b.k()).values()) for (float f : t.data()) keptAtK += (long) f;
        assertEquals(b.k(), keptAtK);
    }

    @Test
    void theControlsInputs() {
        Gpt g = new Gpt(CFG, 11);
        for (Parameter p : g.parameterList()) if (p.isSparse()) p.sparsify(p.numel() / 5, 0);
        Gpt random = Pruner.randomLike(g, 99);
        for (Parameter p : g.parameterList()) {
            Parameter q = random.parameter(p.name());
            assertEquals(p.isSparse() ? p.nnz() : p.numel(), q.isSparse() ? q.nnz() : q.numel(), p.name() + ": same nonzero count");
            if (p.isSparse() && p.name().endsWith(".weight")) assertTrue(!java.util.Arrays.equals(p.value(), q.value()), p.name() + ": other weights");
        }
        List<TaskLoss.Sequence> seqs = task(g, 3, 5);
        List<TaskLoss.Sequence> inv = Pruner.inverted(seqs);
        for (int i = 0; i < seqs.size(); i++) {
            assertEquals(seqs.get(i).correct(), inv.get(i).other());
            assertEquals(seqs.get(i).other(), inv.get(i).correct());
            assertTrue(java.util.Arrays.equals(seqs.get(i).tokens(), inv.get(i).tokens()));
        }
        // the full model picks each pair's best token, so on the inverted task it is as wrong as it can be
        Ops ops = new Ops(KernelProvider.get(), null);
        assertTrue(TaskLoss.evaluate(g, inv, ops, Hook.NONE).accuracy() == 0.0);
    }
}
