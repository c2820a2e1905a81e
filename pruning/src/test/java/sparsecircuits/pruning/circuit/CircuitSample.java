package sparsecircuits.pruning.circuit;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import sparsecircuits.autograd.graph.Tensor;
import sparsecircuits.model.checkpoint.ModelFiles;
import sparsecircuits.model.gpt.Gpt;
import sparsecircuits.pruning.nodes.NodeLocation;
import sparsecircuits.pruning.nodes.NodeMeans;

/**
 * A circuit of a saved model as a test fixture, shared with present's and cli's tests (through pruning's test jar):
 * a real prune of a tiny model may keep nothing at an easy target, which would leave pages and exports empty.
 */
public final class CircuitSample {
    private CircuitSample() {
    }

    /**
     * Every third channel of every node location kept, mean-ablated (channel c's mean 0.01·c) on if_equals, saved
     * into {@code out} as prune saves a circuit of the model in {@code modelDir}.
     */
    public static void save(Path modelDir, Path out) {
        Gpt g = ModelFiles.load(modelDir);
        Map<String, Tensor> gates = new LinkedHashMap<>();
        Map<String, float[]> means = new LinkedHashMap<>();
        for (NodeLocation l : NodeLocation.of(g.config())) {
            float[] v = new float[l.width()], m = new float[l.width()];
            for (int i = 0; i < v.length; i += 3) v[i] = 1f;
            for (int i = 0; i < m.length; i++) m[i] = 0.01f * i;
            gates.put(l.hook(), Tensor.constant(v, l.width()));
            means.put(l.hook(), m);
        }
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("task", "if_equals");
        info.put("ablation", "mean");
        CircuitFiles.save(out, Circuit.of(g, gates), NodeMeans.of(means, 1), modelDir.resolve(ModelFiles.WEIGHTS), info);
    }
}
