package sparsecircuits.present.export;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import sparsecircuits.model.gpt.Gpt;
import sparsecircuits.model.json.Json;

/**
 * The attribution-graph JSON of circuit-tracer, Neuronpedia and Anthropic's frontend (INTERP.md §4.1): one graph per
 * prompt, with the quirks of those viewers handled as follows.
 * <ul>
 *   <li>Rows are integer layers, so each (block, location) gets a <b>virtual layer</b> {@code 8·block + row} (rows in
 *       forward order: attn.act_in, q, k, v, resid_delta, mlp.act_in, post_act, resid_delta); the mapping is in
 *       {@code metadata.generation_settings.virtual_layers} and the description.</li>
 *   <li>The format is position-indexed but a pruned circuit is not: every node sits at the last prompt position (the
 *       one the task's answer is predicted from), which also keeps it clear of the frontend's rule that hides a
 *       feature present at more than 2/3 of the positions.</li>
 *   <li>Weight-sparse models have no reconstruction error, so there are <b>no error nodes</b> (and the info says that
 *       replacement/completeness scores are trivially 1).</li>
 *   <li>Nodes use the type {@code "cross layer transcoder"} and Cantor-paired {@code feature} ids
 *       ({@code schema_version} 1) so unmodified viewers treat them as features; our own location and id travel in
 *       the extra fields {@code sc_id}, {@code sc_hook}, {@code sc_head}. Labels are in {@code clerp}, pins and
 *       supernodes in {@code qParams}.</li>
 *   <li>A link's weight is the source node's activation times the weight when activations are given, else the weight;
 *       {@code generation_settings.link_weight} says which.</li>
 * </ul>
 */
public final class AttributionGraph {
    /** What {@code feature_type} the viewers treat as an ordinary feature node (with an examples panel). */
    public static final String FEATURE_TYPE = "cross layer transcoder";
    static final int ROWS = Gpt.NODE_LOCATIONS.size();

    /** A named group of nodes (by our node ids), shown as one node by the viewers. */
    public record Supernode(String label, List<String> nodeIds) {
    }

    /**
     * @param slug        the graph's name (file {@code <slug>.json}); null: from the task and model hash
     * @param scan        the model id; null: {@code sparse-circuits/<first 12 hex digits of the model hash>}
     * @param pinned      our node ids to pin
     * @param supernodes  groups of our node ids
     * @param activations our node id → its activation on the prompt at the last position; empty: links carry weights
     * @param createTimeMs written as {@code info.create_time_ms}
     */
    public record Settings(String slug, String scan, List<String> pinned, List<Supernode> supernodes, Map<String, Float> activations,
                           long createTimeMs) {
        public Settings {
            pinned = pinned == null ? List.of() : List.copyOf(pinned);
            supernodes = supernodes == null ? List.of() : List.copyOf(supernodes);
            activations = activations == null ? Map.of() : Map.copyOf(activations);
        }

        /** No pins, supernodes or activations; slug and scan from the circuit; created now. */
        public static Settings defaults() {
            return new Settings(null, null, List.of(), List.of(), Map.of(), System.currentTimeMillis());
        }
    }

    private AttributionGraph() {
    }

    /** The graph as JSON text. */
    public static String write(CircuitGraph g, List<String> promptTokens, Settings s) {
        return Json.write(graph(g, promptTokens, s));
    }

    /**
     * The graph as a JSON value tree ({@link Json#write} writes it).
     *
     * @param promptTokens the prompt as the model's tokens (their text), at most the model's context long
     * @throws IllegalArgumentException for an empty prompt, one longer than the context, or a pin or supernode member
     *         that is not a node of the circuit
     */
    public static Map<String, Object> graph(CircuitGraph g, List<String> promptTokens, Settings s) {
        int ctx = g.config().blockSize();
        if (promptTokens.isEmpty()) throw new IllegalArgumentException("the prompt is empty: give at least one token");
        if (promptTokens.size() > ctx) {
            throw new IllegalArgumentException("the prompt is " + promptTokens.size() + " tokens long but the model's context is "
                    + ctx + " tokens: shorten the prompt");
        }
        int pos = promptTokens.size() - 1;
        Map<String, String> graphId = new LinkedHashMap<>();
        List<Object> nodes = new ArrayList<>();
        for (CircuitGraph.Node n : g.nodes()) {
            if (!n.kept()) continue; // a graph of the circuit in its model: the attribution graph is the circuit alone
            int layer = layer(n), f = n.channel();
            String nodeId = layer + "_" + f + "_" + pos;
            graphId.put(n.id(), nodeId);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("node_id", nodeId);
            m.put("feature", cantor(layer, f));
            m.put("layer", Integer.toString(layer));
            m.put("ctx_idx", (long) pos);
            m.put("feature_type", FEATURE_TYPE);
            m.put("jsNodeId", layer + "_" + f + "-0");
            m.put("clerp", n.label() != null ? n.label() : n.id() + (n.head() >= 0 ? " (head " + n.head() + ")" : ""));
            m.put("is_target_logit", false);
            Float a = s.activations().get(n.id());
            if (a != null) m.put("activation", a);
            m.put("sc_id", n.id());
            m.put("sc_hook", n.hook());
            if (n.head() >= 0) m.put("sc_head", (long) n.head());
            if (!Double.isNaN(n.delta())) m.put("sc_ablation_delta", n.delta());
            nodes.add(m);
        }
        boolean scaled = !s.activations().isEmpty();
        List<Object> links = new ArrayList<>();
        for (CircuitGraph.Link l : g.links()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("source", graphId.get(l.source()));
            m.put("target", graphId.get(l.target()));
            float w = l.weight();
            if (scaled) w *= s.activations().getOrDefault(l.source(), 0f);
            m.put("weight", w);
            m.put("sc_weight", l.weight());
            m.put("sc_type", l.type());
            links.add(m);
        }

        List<Object> pinned = new ArrayList<>();
        for (String id : s.pinned()) pinned.add(translate(id, graphId, "pinned"));
        List<Object> supernodes = new ArrayList<>();
        for (Supernode sn : s.supernodes()) {
            List<Object> group = new ArrayList<>();
            group.add(sn.label());
            for (String id : sn.nodeIds()) group.add(translate(id, graphId, "supernode '" + sn.label() + "'"));
            supernodes.add(group);
        }
        Map<String, Object> q = new LinkedHashMap<>();
        q.put("pinnedIds", pinned);
        q.put("supernodes", supernodes);
        q.put("linkType", "both");
        q.put("clickedId", "");
        q.put("sg_pos", "");

        Map<String, Object> root = new LinkedHashMap<>();
        root.put("metadata", metadata(g, promptTokens, s, scaled));
        root.put("qParams", q);
        root.put("nodes", nodes);
        root.put("links", links);
        return root;
    }

    private static Map<String, Object> metadata(CircuitGraph g, List<String> promptTokens, Settings s, boolean scaled) {
        Map<String, Object> run = g.run();
        String sha = String.valueOf(g.json().getOrDefault("model_sha256", ""));
        String task = String.valueOf(run.getOrDefault("task", "circuit"));
        Map<String, Object> vl = new LinkedHashMap<>();
        for (int l = 0; l < g.config().nLayer(); l++) {
            for (int r = 0; r < ROWS; r++) vl.put(Integer.toString(ROWS * l + r), l + "." + Gpt.NODE_LOCATIONS.get(r));
        }
        Map<String, Object> gen = new LinkedHashMap<>();
        gen.put("virtual_layers", vl);
        gen.put("rows_per_block", (long) ROWS);
        gen.put("ctx_idx", "every node at the last prompt position");
        gen.put("link_weight", scaled ? "source activation x weight" : "weight");
        gen.put("d_head", (long) g.config().dHead());

        Map<String, Object> pruning = new LinkedHashMap<>();
        for (String k : List.of("task", "ablation", "target", "k", "task_loss_full", "task_loss_circuit", "task_loss_without_circuit",
                "settings")) {
            if (run.containsKey(k)) pruning.put(k, run.get(k));
        }
        pruning.put("nodes", (long) g.nodes().size());
        pruning.put("edges", (long) g.links().size());
        if (!sha.isEmpty()) pruning.put("model_sha256", sha);

        Map<String, Object> generator = new LinkedHashMap<>();
        generator.put("name", "sparse-circuits");
        generator.put("version", "1");
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("description", "Pruned circuit of a weight-sparse transformer for task " + task + ". Virtual layer = 8 x block + row"
                + " (rows: " + String.join(", ", Gpt.NODE_LOCATIONS) + "). The model has no reconstruction error, so the graph has"
                + " no error nodes and replacement/completeness scores are trivially 1. Link weight: "
                + (scaled ? "source activation x weight." : "the weight."));
        info.put("generator", generator);
        info.put("create_time_ms", s.createTimeMs());

        Map<String, Object> m = new LinkedHashMap<>();
        m.put("slug", s.slug() != null ? s.slug() : slug(task + (sha.length() >= 8 ? "-" + sha.substring(0, 8) : "")));
        m.put("scan", s.scan() != null ? s.scan() : "sparse-circuits/" + (sha.length() >= 12 ? sha.substring(0, 12) : "model"));
        m.put("prompt_tokens", new ArrayList<Object>(promptTokens));
        m.put("prompt", String.join("", promptTokens));
        m.put("schema_version", 1L);
        m.put("info", info);
        m.put("generation_settings", gen);
        m.put("pruning_settings", pruning);
        return m;
    }

    /**
     * {@code graph-metadata.json}, the list of graphs circuit-tracer's local frontend serves from a directory
     * ({@code {"graphs": [metadata...]}}, each graph in {@code <slug>.json} beside it): {@code existing} (a parsed
     * index, or null for none) with {@code graph}'s metadata added, replacing a graph of the same slug.
     *
     * @throws IllegalArgumentException when {@code existing} is not such an index
     */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> index(Object existing, Map<String, Object> graph) {
        Map<String, Object> meta = (Map<String, Object>) graph.get("metadata");
        List<Object> graphs = new ArrayList<>();
        if (existing != null) {
            if (!(existing instanceof Map<?, ?> m) || !(m.get("graphs") instanceof List<?> l)) {
                throw new IllegalArgumentException("not a graph index: it should be {\"graphs\": [metadata...]}");
            }
            for (Object o : l) {
                if (!(o instanceof Map<?, ?> g && meta.get("slug").equals(g.get("slug")))) graphs.add(o);
            }
        }
        graphs.add(meta);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("graphs", graphs);
        return out;
    }

    /** The virtual layer of a node: {@code 8·block + row}. */
    static int layer(CircuitGraph.Node n) {
        return ROWS * n.layer() + CircuitGraph.row(n);
    }

    /** The Cantor pairing the viewers undo with schema_version ≥ 1. */
    static long cantor(long a, long b) {
        return (a + b) * (a + b + 1) / 2 + b;
    }

    private static String translate(String id, Map<String, String> graphId, String what) {
        String t = graphId.get(id);
        if (t == null) throw new IllegalArgumentException(what + ": " + id + " is not a node of the circuit (ids look like 0.attn.q:5)");
        return t;
    }

    /** Lower case letters, digits and dashes: safe as a file name and in a URL. */
    static String slug(String s) {
        String t = s.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-+|-+$", "");
        return t.isEmpty() ? "circuit" : t;
    }
}
