package sparsecircuits.present.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sparsecircuits.autograd.graph.Ops;
import sparsecircuits.kernels.KernelProvider;
import sparsecircuits.model.checkpoint.ModelFiles;
import sparsecircuits.model.checkpoint.SafeTensors;
import sparsecircuits.model.gpt.Gpt;
import sparsecircuits.pruning.nodes.NodeLocation;

/** Activations at the last prompt token: the plain forward's when every node is kept, only kept nodes otherwise. */
class PromptActivationsTest {
    static final int[] PROMPT = {3, 1, 4, 1, 5};

    @Test
    void keepingEveryNodeGivesThePlainForwardsValues(@TempDir Path tmp) {
        ExportFixture f = new ExportFixture(tmp, 11);
        Gpt model = ModelFiles.load(f.modelDir);
        Map<String, float[]> all = new HashMap<>(), plain = new HashMap<>();
        for (NodeLocation l : NodeLocation.of(ExportFixture.CFG)) {
            float[] ones = new float[l.width()];
            java.util.Arrays.fill(ones, 1f);
            all.put(l.hook(), ones);
        }
        model.forward(PROMPT, 1, new Ops(KernelProvider.get(), null).sparseBelow(1.0), (name, x, ops) -> {
            if (all.containsKey(name)) plain.put(name, x.data().clone());
            return x;
        });
        Map<String, Float> acts = PromptActivations.of(model, PROMPT, all, null, KernelProvider.get());
        assertEquals(NodeLocation.count(ExportFixture.CFG), acts.size());
        int nonzero = 0;
        for (NodeLocation l : NodeLocation.of(ExportFixture.CFG)) {
            for (int c = 0; c < l.width(); c++) {
                float v = plain.get(l.hook())[(PROMPT.length - 1) * l.width() + c];
                assertEquals(v, acts.get(CircuitGraph.id(l.hook(), c)), l.hook() + ":" + c);
                if (v != 0) nonzero++;
            }
        }
        assertTrue(nonzero > 0, "real activations");
    }

    @Test
    void onlyKeptNodesAndTheContextIsEnforced(@TempDir Path tmp) {
        ExportFixture f = new ExportFixture(tmp, 12);
        Gpt model = ModelFiles.load(f.modelDir);
        SafeTensors.Loaded t = SafeTensors.read(f.circuitDir.resolve("circuit.safetensors"));
        Map<String, float[]> masks = new HashMap<>(), means = new HashMap<>();
        t.tensors().forEach((k, v) -> {
            if (k.startsWith("mask.")) masks.put(k.substring(5), v.data());
            if (k.startsWith("mean.")) means.put(k.substring(5), v.data());
        });
        Map<String, Float> acts = PromptActivations.of(model, PROMPT, masks, means, KernelProvider.get());
        assertEquals(f.circuit.nodes(), acts.size());
        for (CircuitGraph.Node n : f.graph.nodes()) assertTrue(acts.containsKey(n.id()), n.id());
        assertThrows(IllegalArgumentException.class, () -> PromptActivations.of(model, new int[7], masks, means, KernelProvider.get()));
    }
}
