package sparsecircuits.pruning.nodes;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sparsecircuits.autograd.graph.Ops;
import sparsecircuits.autograd.graph.Tape;
import sparsecircuits.autograd.graph.Tensor;
import sparsecircuits.kernels.KernelProvider;
import sparsecircuits.model.checkpoint.CheckpointException;
import sparsecircuits.model.gpt.Gpt;
import sparsecircuits.model.gpt.GptConfig;
import sparsecircuits.model.gpt.Hook;
import sparsecircuits.model.gpt.Hooks;
import sparsecircuits.pruning.loss.TaskLoss;

class NodeMaskTest {
    static final GptConfig CFG = GptConfig.builder().vocabSize(30).nLayer(2).dModel(32).dMlp(64).blockSize(8).build();
    final Ops ops = new Ops(KernelProvider.get(), null);

    static List<int[]> batches(int n, long seed) {
        Random r = new Random(seed);
        List<int[]> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int[] b = new int[2 * 8];
            for (int j = 0; j < b.length; j++) b[j] = r.nextInt(30);
            out.add(b);
        }
        return out;
    }

    static Map<String, Tensor> gates(GptConfig c, float value) {
        Map<String, Tensor> g = new LinkedHashMap<>();
        for (NodeLocation l : NodeLocation.of(c)) {
            float[] v = new float[l.width()];
            java.util.Arrays.fill(v, value);
            g.put(l.hook(), Tensor.variable(v, l.width()));
        }
        return g;
    }

    @Test
    void locationsCoverElevenDModelPerLayerWithFourTimesMlp() {
        assertEquals(16, NodeLocation.of(CFG).size());
        assertEquals(2L * (4 * 32 + 3 * 32 + 64), NodeLocation.count(CFG)); // reads/writes 4×d, q/k/v 3×(h·d_head), neurons d_mlp
    }

    @Test
    void meansArePooledOverEveryPositionAndSurviveARoundTrip(@TempDir Path dir) {
        Gpt g = new Gpt(CFG, 1);
        List<int[]> bs = batches(3, 2);
        NodeMeans m = NodeMeans.compute(g, bs, 2, KernelProvider.get(), i -> { });
        assertEquals(3 * 16, m.tokens());
        double[] expect = new double[64];
        for (int[] b : bs) {
            Hooks.Recorder rec = Hooks.recorder("1\\.mlp\\.post_act");
            g.forward(b, 2, ops, rec);
            float[] d = rec.recorded().get("1.mlp.post_act").data();
            for (int i = 0; i < d.length; i++) expect[i % 64] += d[i];
        }
        for (int j = 0; j < 64; j++) assertEquals(expect[j] / 48, m.of("1.mlp.post_act")[j], 1e-6);
        m.save(dir);
        NodeMeans back = NodeMeans.load(dir, g);
        for (String h : m.all().keySet()) assertArrayEquals(m.of(h), back.of(h), 0f, h);
        Gpt other = new Gpt(GptConfig.builder().vocabSize(30).nLayer(2).dModel(48).dMlp(96).blockSize(8).build(), 1);
        assertThrows(CheckpointException.class, () -> NodeMeans.load(dir, other));
    }

    @Test
    void allKeptIsTheModelAndDeletedNodesTakeTheirAblationValue() {
        Gpt g = new Gpt(CFG, 3);
        int[] in = batches(1, 4).get(0);
        NodeMeans m = NodeMeans.compute(g, batches(2, 5), 2, KernelProvider.get(), i -> { });
        Tensor base = g.forward(in, 2, ops, Hook.NONE);
        Tensor kept = g.forward(in, 2, ops, new NodeMask(gates(CFG, 1f), m, NodeMask.Ablation.MEAN));
        assertArrayEquals(base.data(), kept.data(), 0f);
        for (NodeMask.Ablation a : new NodeMask.Ablation[] {NodeMask.Ablation.MEAN, NodeMask.Ablation.ZERO}) {
            Map<String, Tensor> gs = gates(CFG, 1f);
            gs.get("0.attn.v").data()[5] = 0f;
            Hooks.Recorder rec = Hooks.recorder("0\\.attn\\.v");
            g.forward(in, 2, ops, new NodeMask(gs, m, a).then(rec));
            float[] v = rec.recorded().get("0.attn.v").data();
            float want = a == NodeMask.Ablation.MEAN ? m.of("0.attn.v")[5] : 0f;
            for (int t = 0; t < 16; t++) assertEquals(want, v[t * 32 + 5], 0f, a + " token " + t);
        }
    }

    @Test
    void theTaskLossHasAGradientWithRespectToEveryGateLocation() {
        Gpt g = new Gpt(CFG, 6);
        NodeMeans m = NodeMeans.compute(g, batches(2, 7), 2, KernelProvider.get(), i -> { });
        Map<String, Tensor> gs = gates(CFG, 0.9f);
        Tape tape = new Tape();
        Ops o = new Ops(KernelProvider.get(), tape);
        Random r = new Random(8);
        int[] a = new int[6], b = new int[6];
        for (int i = 0; i < 6; i++) { a[i] = r.nextInt(30); b[i] = r.nextInt(30); }
        Tensor l = TaskLoss.loss(g, TaskLoss.binary(a, 3, b, 4), o, new NodeMask(gs, m, NodeMask.Ablation.MEAN));
        tape.backward(List.of(l), List.of(new float[] {1f}), new ArrayList<>(gs.values()));
        for (Map.Entry<String, Tensor> e : gs.entrySet()) {
            double s = 0;
            for (float f : e.getValue().grad()) s += Math.abs(f);
            assertTrue(s > 0, e.getKey() + " got no gradient");
        }
    }
}
