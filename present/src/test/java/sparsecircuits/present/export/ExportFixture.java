package sparsecircuits.present.export;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import sparsecircuits.autograd.graph.Tensor;
import sparsecircuits.autograd.param.Parameter;
import sparsecircuits.model.checkpoint.ModelFiles;
import sparsecircuits.model.gpt.Gpt;
import sparsecircuits.model.gpt.GptConfig;
import sparsecircuits.pruning.circuit.Circuit;
import sparsecircuits.pruning.circuit.CircuitFiles;
import sparsecircuits.pruning.nodes.NodeLocation;
import sparsecircuits.pruning.nodes.NodeMeans;

/** A small random sparse model with a random circuit, saved as a real bundle and loaded back as a graph. */
final class ExportFixture {
    /** 2 layers, d_model 32, 2 heads of d_head 8 (not the default 16, so head = channel / 8), context 6. */
    static final GptConfig CFG = GptConfig.builder().vocabSize(20).nLayer(2).dModel(32).nHead(2).dHead(8).dMlp(64).blockSize(6).build();
    /** A label a CSV writer must quote and an XML writer must escape. */
    static final String AWKWARD = "says \"hi\", then <b> & 'bye'";

    final Circuit circuit;
    final CircuitGraph graph;
    final Path modelDir, circuitDir;

    ExportFixture(Path tmp, long seed) {
        Gpt g = new Gpt(CFG, seed);
        for (Parameter p : g.parameterList()) if (p.isSparse()) p.sparsify(p.numel() / 4, 0);
        modelDir = tmp.resolve("model");
        ModelFiles.save(g, modelDir);
        Random r = new Random(seed);
        Map<String, Tensor> gates = new LinkedHashMap<>();
        Map<String, float[]> means = new LinkedHashMap<>();
        for (NodeLocation l : NodeLocation.of(CFG)) {
            float[] v = new float[l.width()], m = new float[l.width()];
            for (int i = 0; i < v.length; i++) {
                v[i] = r.nextInt(3) == 0 ? 1f : 0f;
                m[i] = (float) r.nextGaussian();
            }
            gates.put(l.hook(), Tensor.constant(v, l.width()));
            means.put(l.hook(), m);
        }
        circuit = Circuit.of(g, gates);
        circuitDir = tmp.resolve("circuit");
        String someQ = first("0.attn.q"), someMlp = first("1.mlp.post_act");
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("task", "if_equals");
        info.put("ablation", "mean");
        info.put("target", 0.15);
        info.put("k", circuit.nodes());
        info.put("node_ablation_deltas", List.of(Map.of("location", "0.attn.q", "channel", (long) channel(someQ), "delta", 0.25)));
        CircuitFiles.save(circuitDir, circuit, NodeMeans.of(means, 1), modelDir.resolve(ModelFiles.WEIGHTS), info);
        graph = CircuitGraph.load(circuitDir, modelDir.resolve(ModelFiles.WEIGHTS), CFG, Map.of(someQ, AWKWARD, someMlp, "line one\nline two"));
    }

    /** The id of the first kept node of a location. */
    String first(String hook) {
        boolean[] k = circuit.kept().get(hook);
        for (int i = 0; i < k.length; i++) if (k[i]) return CircuitGraph.id(hook, i);
        throw new IllegalStateException("no kept node at " + hook);
    }

    static int channel(String id) {
        return Integer.parseInt(id.substring(id.indexOf(':') + 1));
    }
}
