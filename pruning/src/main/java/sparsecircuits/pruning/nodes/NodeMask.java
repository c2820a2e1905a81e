package sparsecircuits.pruning.nodes;

import java.util.LinkedHashMap;
import java.util.Map;
import sparsecircuits.autograd.graph.Ops;
import sparsecircuits.autograd.graph.Tensor;
import sparsecircuits.model.gpt.Hook;

/**
 * A hook that gates every node location (after AbsTopK, where the reference puts its hooks): a node with gate 1
 * is kept, 0 is replaced by its ablation value, values in between mix (the pruner's surrogate). Gates are
 * tensors, so a gradient reaches them through {@link MaskOps#gate}.
 */
public final class NodeMask implements Hook {

    /** What a deleted node becomes (SPEC §4.2; issue 5 §3). */
    public enum Ablation {
        /** Its mean over pretraining tokens. */
        MEAN,
        /** Zero. */
        ZERO,
        /** Its activation on another pretraining sequence at the same position (given per call). */
        RESAMPLE
    }

    private final Map<String, Tensor> gates;
    private final Map<String, Tensor> bases = new LinkedHashMap<>();

    /**
     * @param gates per hook name, a {@code [width]} tensor (constant for a fixed circuit, a variable for training)
     * @param means the node means (for MEAN), or null for ZERO
     */
    public NodeMask(Map<String, Tensor> gates, NodeMeans means, Ablation ablation) {
        this.gates = gates;
        for (String hook : gates.keySet()) {
            int w = gates.get(hook).numel();
            float[] base = switch (ablation) {
                case MEAN -> {
                    if (means == null) throw new IllegalArgumentException("mean ablation needs the node means");
                    yield means.of(hook);
                }
                case ZERO -> new float[w];
                case RESAMPLE -> null;
            };
            if (base != null) bases.put(hook, Tensor.constant(base, w));
        }
    }

    /** Resample ablation: per hook name, activations of other sequences with the shape of this call's activations. */
    public NodeMask withResampled(Map<String, Tensor> activations) {
        bases.putAll(activations);
        return this;
    }

    @Override
    public Tensor at(String name, Tensor x, Ops ops) {
        Tensor g = gates.get(name);
        if (g == null) return x;
        Tensor base = bases.get(name);
        if (base == null) throw new IllegalStateException("no ablation values for " + name + " (resample needs them per call)");
        return MaskOps.gate(ops, x, g, base);
    }

    /** Kept nodes per location (gate ≥ 0.5). */
    public static long kept(Map<String, Tensor> gates) {
        long n = 0;
        for (Tensor g : gates.values()) for (float f : g.data()) if (f >= 0.5f) n++;
        return n;
    }
}
