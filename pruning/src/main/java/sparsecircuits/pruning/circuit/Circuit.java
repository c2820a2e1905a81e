package sparsecircuits.pruning.circuit;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import sparsecircuits.autograd.graph.Tensor;
import sparsecircuits.autograd.param.Parameter;
import sparsecircuits.model.gpt.Gpt;
import sparsecircuits.pruning.nodes.NodeLocation;

/**
 * A circuit: the kept nodes per location and the edges between them (SPEC §4.1): an edge is a nonzero weight
 * whose input node and output node are both kept: {@code c_attn} (attention read → q/k/v channel),
 * {@code attn.c_proj} (v channel → attention write), {@code c_fc} (MLP read → neuron), {@code mlp.c_proj}
 * (neuron → MLP write). Residual identity links and the q·k product are not weight edges and are not counted.
 */
public final class Circuit {

    /** One weight edge: from (hook, channel) to (hook, channel), with the weight. */
    public record Edge(String fromHook, int from, String toHook, int to, float weight, String type) {
    }

    private final Map<String, boolean[]> kept;
    private final List<Edge> edges;

    private Circuit(Map<String, boolean[]> kept, List<Edge> edges) {
        this.kept = kept;
        this.edges = edges;
    }

    /** The circuit of {@code model} whose kept nodes are the gates ≥ 0.5. */
    public static Circuit of(Gpt model, Map<String, Tensor> gates) {
        Map<String, boolean[]> kept = new LinkedHashMap<>();
        for (NodeLocation l : NodeLocation.of(model.config())) {
            Tensor g = gates.get(l.hook());
            boolean[] k = new boolean[l.width()];
            for (int i = 0; i < k.length; i++) k[i] = g == null || g.data()[i] >= 0.5f;
            kept.put(l.hook(), k);
        }
        List<Edge> edges = new ArrayList<>();
        int a = model.config().attnWidth();
        for (int layer = 0; layer < model.config().nLayer(); layer++) {
            Gpt.Block w = model.block(layer);
            String h = layer + ".";
            String[] qkv = {"attn.q", "attn.k", "attn.v"};
            for (int part = 0; part < 3; part++) {
                add(edges, w.qkv(), part * a, a, kept.get(h + "attn.act_in"), kept.get(h + qkv[part]), h + "attn.act_in", h + qkv[part], "c_attn." + qkv[part].substring(5));
            }
            add(edges, w.attnOut(), 0, model.config().dModel(), kept.get(h + "attn.v"),
                    kept.get(h + "attn.resid_delta"), h + "attn.v", h + "attn.resid_delta", "attn.c_proj");
            add(edges, w.mlpIn(), 0, model.config().dMlp(), kept.get(h + "mlp.act_in"),
                    kept.get(h + "mlp.post_act"), h + "mlp.act_in", h + "mlp.post_act", "c_fc");
            add(edges, w.mlpOut(), 0, model.config().dModel(), kept.get(h + "mlp.post_act"),
                    kept.get(h + "mlp.resid_delta"), h + "mlp.post_act", h + "mlp.resid_delta", "mlp.c_proj");
        }
        return new Circuit(kept, edges);
    }

    /** Edges of weight rows [rowFrom, rowFrom + rows) of w ([out, in]) whose input and output nodes are kept. */
    private static void add(List<Edge> edges, Parameter w, int rowFrom, int rows, boolean[] keptIn, boolean[] keptOut,
                            String inHook, String outHook, String type) {
        float[] v = w.value();
        int in = w.cols();
        for (int o = 0; o < rows; o++) {
            if (!keptOut[o]) continue;
            int base = (rowFrom + o) * in;
            for (int i = 0; i < in; i++) {
                if (keptIn[i] && v[base + i] != 0f) edges.add(new Edge(inHook, i, outHook, o, v[base + i], type));
            }
        }
    }

    public Map<String, boolean[]> kept() {
        return kept;
    }

    public List<Edge> edges() {
        return edges;
    }

    /** Kept nodes in total. */
    public long nodes() {
        long n = 0;
        for (boolean[] k : kept.values()) for (boolean b : k) if (b) n++;
        return n;
    }

    /** Kept nodes per location (hook name → count). */
    public Map<String, Integer> nodesByLocation() {
        Map<String, Integer> m = new LinkedHashMap<>();
        for (Map.Entry<String, boolean[]> e : kept.entrySet()) {
            int n = 0;
            for (boolean b : e.getValue()) if (b) n++;
            m.put(e.getKey(), n);
        }
        return m;
    }

    /** Edge counts by type (c_attn.q/k/v, attn.c_proj, c_fc, mlp.c_proj). */
    public Map<String, Integer> edgesByType() {
        Map<String, Integer> m = new LinkedHashMap<>();
        for (String t : List.of("c_attn.q", "c_attn.k", "c_attn.v", "attn.c_proj", "c_fc", "mlp.c_proj")) m.put(t, 0);
        for (Edge e : edges) m.merge(e.type(), 1, Integer::sum);
        return m;
    }
}
