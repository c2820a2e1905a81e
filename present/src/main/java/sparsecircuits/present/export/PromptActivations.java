package sparsecircuits.present.export;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import sparsecircuits.autograd.graph.Ops;
import sparsecircuits.autograd.graph.Tensor;
import sparsecircuits.kernels.Kernels;
import sparsecircuits.model.gpt.Gpt;
import sparsecircuits.model.gpt.Hook;
import sparsecircuits.pruning.nodes.NodeMask;
import sparsecircuits.pruning.nodes.NodeMeans;

/**
 * The circuit's node activations at the last position of a prompt, run with the circuit's mask applied (every other
 * node ablated as when it was pruned), for {@link AttributionGraph.Settings#activations()}.
 */
public final class PromptActivations {
    private PromptActivations() {
    }

    /**
     * @param masks    per hook, 1 for kept channels (circuit.safetensors' masks)
     * @param means    per hook, the ablation values; null for zero ablation
     * @return node id → activation at the last token, for the kept nodes
     * @throws IllegalArgumentException for a prompt longer than the context, or an empty one
     */
    public static Map<String, Float> of(Gpt model, int[] tokens, Map<String, float[]> masks, Map<String, float[]> means, Kernels kernels) {
        int ctx = model.config().blockSize();
        if (tokens.length == 0) throw new IllegalArgumentException("the prompt is empty: give at least one token");
        if (tokens.length > ctx) {
            throw new IllegalArgumentException("the prompt is " + tokens.length + " tokens long but the model's context is " + ctx
                    + " tokens: shorten the prompt");
        }
        Map<String, Tensor> gates = new LinkedHashMap<>();
        masks.forEach((k, v) -> gates.put(k, Tensor.constant(v, v.length)));
        NodeMask mask = new NodeMask(gates, means == null ? null : NodeMeans.of(means, 0),
                means == null ? NodeMask.Ablation.ZERO : NodeMask.Ablation.MEAN);
        Map<String, Float> out = new HashMap<>();
        int last = tokens.length - 1;
        Hook record = (name, x, ops) -> {
            float[] m = masks.get(name);
            if (m != null) {
                int w = m.length;
                float[] d = x.data(); // token-major [1, tokens, w] at the hook API
                for (int c = 0; c < w; c++) if (m[c] >= 0.5f) out.put(CircuitGraph.id(name, c), d[last * w + c]);
            }
            return x;
        };
        model.logitsAt(tokens, 1, new int[0], new Ops(kernels, null).sparseBelow(1.0), mask.then(record)); // activations only
        return out;
    }
}
