package sparsecircuits.present.export;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import sparsecircuits.model.checkpoint.CheckpointException;
import sparsecircuits.model.checkpoint.SafeTensors;
import sparsecircuits.model.gpt.Gpt;
import sparsecircuits.model.gpt.GptConfig;
import sparsecircuits.pruning.circuit.Circuit;
import sparsecircuits.pruning.circuit.CircuitFiles;
import sparsecircuits.pruning.nodes.NodeLocation;

/**
 * A circuit bundle as a plain graph, the common input of every exporter: one node per kept (location, channel),
 * one link per kept weight edge. Node ids are {@code {hook}:{channel}}, e.g. {@code 0.attn.q:5}, stable across
 * exports so labels and pins given by id survive a re-export.
 */
public final class CircuitGraph {

    /**
     * One node.
     *
     * @param location    {@code attn} or {@code mlp}
     * @param sublocation {@code act_in}, {@code q}, {@code k}, {@code v}, {@code resid_delta} or {@code post_act}
     * @param head        channel / d_head for q, k and v; -1 elsewhere
     * @param mean        the ablation value (NaN when the bundle stores none, e.g. zero ablation)
     * @param delta       task-loss increase when this node alone is ablated (NaN when circuit.json does not list it)
     * @param label       a person's label, or null
     */
    public record Node(String id, int layer, String location, String sublocation, int channel, int head, boolean kept,
                       float mean, double delta, String label) {
        /** The hook name, e.g. {@code 0.attn.q}. */
        public String hook() {
            return layer + "." + location + "." + sublocation;
        }
    }

    /** One weight edge from node id {@code source} to node id {@code target}; {@code type} as in {@link Circuit#edgesByType()}. */
    public record Link(String source, String target, float weight, String type) {
    }

    private final GptConfig config;
    private final List<Node> nodes;
    private final List<Link> links;
    private final Map<String, Object> json;

    private CircuitGraph(GptConfig config, List<Node> nodes, List<Link> links, Map<String, Object> json) {
        this.config = config;
        this.nodes = List.copyOf(nodes);
        this.links = List.copyOf(links);
        this.json = json;
    }

    /** The id of a node: {@code {hook}:{channel}}. */
    public static String id(String hook, int channel) {
        return hook + ":" + channel;
    }

    /**
     * The graph of a circuit of a model with {@code config}.
     *
     * @param json   circuit.json as parsed (its {@code run} supplies the per-node ablation deltas; may be empty)
     * @param masks  per hook, 1 for kept channels
     * @param means  per hook, the ablation values (may lack hooks)
     * @param edges  the kept weight edges
     * @param labels node id → label (may be empty)
     */
    public static CircuitGraph of(GptConfig config, Map<String, Object> json, Map<String, float[]> masks,
                                  Map<String, float[]> means, List<Circuit.Edge> edges, Map<String, String> labels) {
        return of(config, json, masks, means, edges, labels, false);
    }

    /**
     * As {@link #of(GptConfig, Map, Map, Map, List, Map)}; with {@code ablatedToo} every node of the model is in the
     * graph, the ablated ones with {@code kept} false (and no edges: an edge joins two kept nodes), for a picture of
     * the circuit in its model.
     */
    public static CircuitGraph of(GptConfig config, Map<String, Object> json, Map<String, float[]> masks,
                                  Map<String, float[]> means, List<Circuit.Edge> edges, Map<String, String> labels, boolean ablatedToo) {
        Map<String, Double> deltas = deltas(json);
        List<Node> nodes = new ArrayList<>();
        for (NodeLocation l : NodeLocation.of(config)) {
            float[] mask = masks.get(l.hook());
            if (mask == null) continue;
            if (mask.length != l.width()) {
                throw new IllegalArgumentException("the mask of " + l.hook() + " has " + mask.length + " channels but the model has "
                        + l.width() + ": the circuit does not fit this model");
            }
            float[] mean = means.get(l.hook());
            int dot = l.location().indexOf('.');
            String loc = l.location().substring(0, dot), sub = l.location().substring(dot + 1);
            boolean qkv = sub.equals("q") || sub.equals("k") || sub.equals("v");
            for (int c = 0; c < mask.length; c++) {
                boolean kept = mask[c] >= 0.5f;
                if (!kept && !ablatedToo) continue;
                String id = id(l.hook(), c);
                nodes.add(new Node(id, l.layer(), loc, sub, c, qkv ? c / config.dHead() : -1, kept,
                        mean != null && c < mean.length ? mean[c] : Float.NaN, deltas.getOrDefault(id, Double.NaN), labels.get(id)));
            }
        }
        Map<String, Node> byId = new HashMap<>();
        for (Node n : nodes) if (n.kept()) byId.put(n.id(), n);
        List<Link> links = new ArrayList<>(edges.size());
        for (Circuit.Edge e : edges) {
            String s = id(e.fromHook(), e.from()), t = id(e.toHook(), e.to());
            // an edge ends at kept nodes by definition; one that does not means the bundle's files disagree
            if (!byId.containsKey(s) || !byId.containsKey(t)) {
                throw new IllegalArgumentException("edge " + s + " -> " + t + " (" + e.type() + ") joins a node the circuit does not keep");
            }
            links.add(new Link(s, t, e.weight(), e.type()));
        }
        return new CircuitGraph(config, nodes, links, json);
    }

    /**
     * Reads the bundle in {@code circuitDir} pruned from {@code modelFile} (refused, naming both SHA-256s, when it
     * was pruned from another model; see {@link CircuitFiles#load}).
     *
     * @throws CheckpointException for a missing, foreign or malformed bundle
     */
    public static CircuitGraph load(Path circuitDir, Path modelFile, GptConfig config, Map<String, String> labels) {
        return of(circuitDir, CircuitFiles.load(circuitDir, modelFile), config, labels);
    }

    /** The graph of a bundle already loaded (and so checked) from {@code circuitDir}; its edges are read from there. */
    public static CircuitGraph of(Path circuitDir, CircuitFiles.Loaded c, GptConfig config, Map<String, String> labels) {
        List<Circuit.Edge> edges = edges(circuitDir.resolve(CircuitFiles.TENSORS));
        try {
            return of(config, c.json(), c.masks(), c.means(), edges, labels);
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(circuitDir.resolve(CircuitFiles.TENSORS) + ": " + e.getMessage(), e);
        }
    }

    /** The kept edges stored in circuit.safetensors ({@code edges.<l>.<type>.index} [n, 2] and {@code .weight} [n]). */
    public static List<Circuit.Edge> edges(Path tensorsFile) {
        SafeTensors.Loaded t = SafeTensors.read(tensorsFile);
        List<Circuit.Edge> out = new ArrayList<>();
        for (String name : t.tensors().keySet()) {
            if (!name.startsWith("edges.") || !name.endsWith(".index")) continue;
            String key = name.substring("edges.".length(), name.length() - ".index".length());
            int dot = key.indexOf('.');
            String[] hooks = dot > 0 ? hooks(key.substring(dot + 1)) : null;
            int layer;
            try {
                layer = dot > 0 ? Integer.parseInt(key.substring(0, dot)) : -1;
            } catch (NumberFormatException e) {
                layer = -1;
            }
            SafeTensors.Tensor w = t.tensors().get("edges." + key + ".weight");
            float[] idx = t.tensors().get(name).data();
            if (hooks == null || layer < 0 || w == null || idx.length != 2 * w.data().length) {
                throw new CheckpointException(tensorsFile + ": " + name + " is not an edge list of this format (type, layer or "
                        + "its .weight tensor is missing or does not match)");
            }
            String type = key.substring(dot + 1);
            for (int i = 0; i < w.data().length; i++) {
                out.add(new Circuit.Edge(layer + "." + hooks[0], (int) idx[2 * i], layer + "." + hooks[1], (int) idx[2 * i + 1],
                        w.data()[i], type));
            }
        }
        return out;
    }

    /** The (from, to) locations of a weight edge type, or null for an unknown type. */
    private static String[] hooks(String type) {
        return switch (type) {
            case "c_attn.q" -> new String[] {"attn.act_in", "attn.q"};
            case "c_attn.k" -> new String[] {"attn.act_in", "attn.k"};
            case "c_attn.v" -> new String[] {"attn.act_in", "attn.v"};
            case "attn.c_proj" -> new String[] {"attn.v", "attn.resid_delta"};
            case "c_fc" -> new String[] {"mlp.act_in", "mlp.post_act"};
            case "mlp.c_proj" -> new String[] {"mlp.post_act", "mlp.resid_delta"};
            default -> null;
        };
    }

    /** run.node_ablation_deltas as node id → delta. */
    private static Map<String, Double> deltas(Map<String, Object> json) {
        Map<String, Double> m = new HashMap<>();
        if (json.get("run") instanceof Map<?, ?> run && run.get("node_ablation_deltas") instanceof List<?> l) {
            for (Object o : l) {
                if (o instanceof Map<?, ?> d && d.get("location") instanceof String hook && d.get("channel") instanceof Number c
                        && d.get("delta") instanceof Number v) {
                    m.put(id(hook, c.intValue()), v.doubleValue());
                }
            }
        }
        return m;
    }

    /** The same graph with these labels (node id → label) in place of the current ones. */
    public CircuitGraph withLabels(Map<String, String> labels) {
        List<Node> ns = new ArrayList<>(nodes.size());
        for (Node n : nodes) {
            ns.add(new Node(n.id(), n.layer(), n.location(), n.sublocation(), n.channel(), n.head(), n.kept(), n.mean(), n.delta(),
                    labels.get(n.id())));
        }
        return new CircuitGraph(config, ns, links, json);
    }

    public GptConfig config() {
        return config;
    }

    public List<Node> nodes() {
        return nodes;
    }

    public List<Link> links() {
        return links;
    }

    /** circuit.json as read (empty for a graph built from memory without one). */
    public Map<String, Object> json() {
        return Collections.unmodifiableMap(json);
    }

    /** circuit.json's "run" object (task, ablation, target, k, losses...), or empty. */
    @SuppressWarnings("unchecked")
    public Map<String, Object> run() {
        return json.get("run") instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    /** Row of a location within a layer, in forward order (0 = attn.act_in ... 7 = mlp.resid_delta). */
    static int row(Node n) {
        return Gpt.NODE_LOCATIONS.indexOf(n.location() + "." + n.sublocation());
    }
}
