package sparsecircuits.pruning.circuit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import sparsecircuits.autograd.graph.Tensor;
import sparsecircuits.autograd.param.Parameter;
import sparsecircuits.model.gpt.Gpt;
import sparsecircuits.model.gpt.GptConfig;
import sparsecircuits.pruning.nodes.NodeLocation;

class CircuitTest {
    static final GptConfig CFG = GptConfig.builder().vocabSize(20).nLayer(2).dModel(32).dMlp(64).blockSize(6).build();

    @Test
    void edgesAreTheNonzeroWeightsBetweenKeptNodesCountedByBruteForce() {
        Gpt g = new Gpt(CFG, 1);
        for (Parameter p : g.parameterList()) if (p.isSparse()) p.sparsify(p.numel() / 8, 0);
        Random r = new Random(2);
        Map<String, Tensor> gates = new LinkedHashMap<>();
        Map<String, float[]> keep = new LinkedHashMap<>();
        for (NodeLocation l : NodeLocation.of(CFG)) {
            float[] v = new float[l.width()];
            for (int i = 0; i < v.length; i++) v[i] = r.nextInt(3) == 0 ? 1f : 0f;
            gates.put(l.hook(), Tensor.constant(v, l.width()));
            keep.put(l.hook(), v);
        }
        Circuit c = Circuit.of(g, gates);
        long expect = 0;
        int a = CFG.attnWidth();
        for (int layer = 0; layer < 2; layer++) {
            String h = layer + ".";
            Gpt.Block b = g.block(layer);
            float[] w = b.qkv().value();
            String[] qkv = {"attn.q", "attn.k", "attn.v"};
            for (int o = 0; o < 3 * a; o++) {
                for (int i = 0; i < 32; i++) {
                    if (w[o * 32 + i] != 0 && keep.get(h + "attn.act_in")[i] == 1 && keep.get(h + qkv[o / a])[o % a] == 1) expect++;
                }
            }
            expect += count(b.attnOut().value(), 32, a, keep.get(h + "attn.v"), keep.get(h + "attn.resid_delta"));
            expect += count(b.mlpIn().value(), 64, 32, keep.get(h + "mlp.act_in"), keep.get(h + "mlp.post_act"));
            expect += count(b.mlpOut().value(), 32, 64, keep.get(h + "mlp.post_act"), keep.get(h + "mlp.resid_delta"));
        }
        assertEquals(expect, c.edges().size());
        assertEquals(expect, c.edgesByType().values().stream().mapToLong(Integer::longValue).sum());
        long nodes = 0;
        for (float[] v : keep.values()) for (float f : v) nodes += (long) f;
        assertEquals(nodes, c.nodes());
    }

    @Test
    void theBundleRecordsTheModelHashCountsMasksAndEdges(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        Gpt g = new Gpt(CFG, 3);
        for (Parameter p : g.parameterList()) if (p.isSparse()) p.sparsify(p.numel() / 8, 0);
        sparsecircuits.model.checkpoint.ModelFiles.save(g, dir.resolve("model"));
        Map<String, Tensor> gates = new LinkedHashMap<>();
        for (NodeLocation l : NodeLocation.of(CFG)) {
            float[] v = new float[l.width()];
            for (int i = 0; i < v.length; i += 2) v[i] = 1f;
            gates.put(l.hook(), Tensor.constant(v, l.width()));
        }
        Circuit c = Circuit.of(g, gates);
        java.nio.file.Path model = dir.resolve("model/model.safetensors");
        CircuitFiles.save(dir.resolve("circuit"), c, null, model, Map.of("task", "demo_task", "k", c.nodes()));
        @SuppressWarnings("unchecked")
        Map<String, Object> j = (Map<String, Object>) sparsecircuits.model.json.Json.read(dir.resolve("circuit/circuit.json"));
        assertEquals(CircuitFiles.SCHEMA, j.get("schema"));
        assertEquals(CircuitFiles.sha256(model), j.get("model_sha256"));
        assertEquals(c.nodes(), ((Number) j.get("nodes")).longValue());
        assertEquals((long) c.edges().size(), ((Number) j.get("edges")).longValue());
        var t = sparsecircuits.model.checkpoint.SafeTensors.read(dir.resolve("circuit/circuit.safetensors"));
        assertEquals(1f, t.get("mask.0.attn.q").data()[0]);
        assertEquals(0f, t.get("mask.0.attn.q").data()[1]);
        long stored = 0;
        for (var e : t.tensors().entrySet()) if (e.getKey().endsWith(".weight") && e.getKey().startsWith("edges.")) stored += e.getValue().data().length;
        assertEquals(c.edges().size(), stored);
    }

    static long count(float[] w, int out, int in, float[] keepIn, float[] keepOut) {
        long n = 0;
        for (int o = 0; o < out; o++) for (int i = 0; i < in; i++) if (w[o * in + i] != 0 && keepIn[i] == 1 && keepOut[o] == 1) n++;
        return n;
    }
}
