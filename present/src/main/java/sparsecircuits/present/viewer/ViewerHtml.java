package sparsecircuits.present.viewer;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import sparsecircuits.model.gpt.GptConfig;
import sparsecircuits.model.json.Json;
import sparsecircuits.present.export.AttributionGraph;
import sparsecircuits.present.export.CircuitGraph;

/**
 * The circuit viewer: one self-contained HTML page (INTERP.md §3) with the circuit as one inline JSON blob in a
 * {@code <script type="application/json" id="data">}, inline CSS and inline vanilla JS that draws it. No libraries,
 * no network: the page opens from {@code file://}. Panels: run header, layered circuit graph (SVG), node inspector,
 * loss-at-k plot, controls, search, edge |weight| threshold; the selected node and threshold live in the URL hash.
 *
 * <p>Element ids for tests: {@code graph} (the svg), {@code g.node[data-id]}, {@code path.edge[data-source][data-target]},
 * {@code inspector}, {@code threshold}, {@code search}, {@code node-count}, {@code edge-count}.
 */
public final class ViewerHtml {
    /** The id of the JSON data block. */
    public static final String DATA_ID = "data";
    /** The id of the live-ablation JSON block ({@link ModelJs}). */
    public static final String LIVE_ID = "live";
    /** The id of the examples JSON block. */
    public static final String EXAMPLES_ID = "examples";

    private ViewerHtml() {
    }

    /**
     * The page of {@code g}.
     *
     * @param run         circuit.json's "run" object (task, ablation, k, losses, bisection, controls...; may be empty)
     * @param modelFile   the model's file name as shown (may be null)
     * @param modelSha256 the model's SHA-256 (may be null)
     */
    public static String render(CircuitGraph g, Map<String, Object> run, String modelFile, String modelSha256) {
        return render(g, run, modelFile, modelSha256, ModelJs.off("the viewer was not given the model and the task's prompts"));
    }

    /**
     * The page of {@code g} with live what-if ablation (issue 6 §3): {@code live} is {@link ModelJs#data} (or
     * {@link ModelJs#off}), held in a second JSON block {@code <script type="application/json" id="live">}; the page
     * exposes {@code window.liveAblation(ablatedNodeIds)} and shows the result in {@code live-loss} / {@code live-logits}.
     */
    public static String render(CircuitGraph g, Map<String, Object> run, String modelFile, String modelSha256, Map<String, Object> live) {
        return render(g, run, modelFile, modelSha256, live, off("the viewer was not given examples"));
    }

    /**
     * The page with an examples blob (the examples panel and per-token prompt view), held in a third JSON block
     * {@code <script type="application/json" id="examples">}; {@code examples.enabled == false} shows its
     * {@code reason} instead.
     */
    public static String render(CircuitGraph g, Map<String, Object> run, String modelFile, String modelSha256, Map<String, Object> live,
                                Map<String, Object> examples) {
        return render(g, run, modelFile, modelSha256, live, examples, null);
    }

    /**
     * The page, with {@code graphPrompt} (the prompt's tokens as text, or null) the prompt of the attribution-graph JSON
     * (circuit-tracer / Neuronpedia schema, {@link AttributionGraph}) that the page exports with the user's pins and
     * labels; without it the export button says why it is off.
     */
    public static String render(CircuitGraph g, Map<String, Object> run, String modelFile, String modelSha256, Map<String, Object> live,
                                Map<String, Object> examples, List<String> graphPrompt) {
        Map<String, Object> blob = data(g, run, modelFile, modelSha256);
        if (graphPrompt != null && !graphPrompt.isEmpty()) blob.put("attribution", attributionTemplate(g, graphPrompt));
        String data = json(blob);
        String title = "circuit " + String.valueOf(run.getOrDefault("task", "")) + " — sparse-circuits viewer";
        return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" + esc(title) + "</title>\n"
                + "<style>\n" + CSS + "</style>\n</head>\n<body>\n" + BODY
                + "<script type=\"application/json\" id=\"" + DATA_ID + "\">" + data + "</script>\n"
                + "<script type=\"application/json\" id=\"" + LIVE_ID + "\">" + json(live) + "</script>\n"
                + "<script type=\"application/json\" id=\"" + EXAMPLES_ID + "\">" + json(examples) + "</script>\n"
                + "<script>\n" + JS.replace("/*__LIVE__*/", LIVE_JS).replace("/*__EXAMPLES__*/", EXAMPLES_JS) + "</script>\n</body>\n</html>\n";
    }

    /** The model's shape as the page's blocks name it (the data block's "model" and the live block's "config"). */
    static Map<String, Object> shape(GptConfig c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("vocab_size", (long) c.vocabSize());
        m.put("n_layer", (long) c.nLayer());
        m.put("d_model", (long) c.dModel());
        m.put("n_head", (long) c.nHead());
        m.put("d_head", (long) c.dHead());
        m.put("d_mlp", (long) c.dMlp());
        m.put("block_size", (long) c.blockSize());
        return m;
    }

    /** A live or examples block that is off: {@code {"enabled": false, "reason": ...}}, the page shows the reason. */
    static Map<String, Object> off(String reason) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("enabled", false);
        m.put("reason", reason);
        return m;
    }

    /** The data blob as a Java object (what the page's JSON block holds). */
    public static Map<String, Object> data(CircuitGraph g, Map<String, Object> run, String modelFile, String modelSha256) {
        Map<String, Object> d = new LinkedHashMap<>();
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("file", modelFile);
        model.put("sha256", modelSha256);
        model.putAll(shape(g.config()));
        d.put("model", model);
        d.put("run", clean(run));
        List<Object> nodes = new ArrayList<>(g.nodes().size());
        for (CircuitGraph.Node n : g.nodes()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", n.id());
            m.put("layer", (long) n.layer());
            m.put("location", n.location());
            m.put("sublocation", n.sublocation());
            m.put("channel", (long) n.channel());
            m.put("head", (long) n.head());
            m.put("mean", num(n.mean()));
            m.put("delta", num(n.delta()));
            m.put("label", n.label());
            nodes.add(m);
        }
        d.put("nodes", nodes);
        d.put("links", links(g));
        return d;
    }

    /**
     * The attribution graph of {@code g} on {@code prompt} without its links (the page rebuilds them from its own
     * typed-array links, so they are not stored twice) and with {@code create_time_ms} 0 (the page sets it on export,
     * so the same circuit gives the same page).
     */
    static Map<String, Object> attributionTemplate(CircuitGraph g, List<String> prompt) {
        List<String> p = prompt.size() > g.config().blockSize() ? prompt.subList(prompt.size() - g.config().blockSize(), prompt.size()) : prompt;
        Map<String, Object> graph = AttributionGraph.graph(g, p, new AttributionGraph.Settings(null, null, null, null, null, 0L));
        graph.put("links", List.of());
        return graph;
    }

    /**
     * The links column-wise as little-endian typed arrays in base64 (a 20,000-edge circuit is ~320 KB instead of ~1.8 MB
     * of JSON objects): {@code n}; {@code source} and {@code target} as Int32 indices into {@code nodes}; {@code weight}
     * as Float32; {@code type} as Uint8 indices into {@code types}.
     */
    static Map<String, Object> links(CircuitGraph g) {
        List<CircuitGraph.Link> ls = g.links();
        Map<String, Integer> index = new java.util.HashMap<>();
        for (CircuitGraph.Node n : g.nodes()) index.put(n.id(), index.size());
        List<String> types = new ArrayList<>();
        java.nio.ByteBuffer src = le(4 * ls.size()), dst = le(4 * ls.size()), w = le(4 * ls.size()), ty = le(ls.size());
        for (CircuitGraph.Link l : ls) {
            Integer a = index.get(l.source()), b = index.get(l.target());
            if (a == null || b == null) throw new IllegalArgumentException("link " + l.source() + " -> " + l.target() + " joins a node not in the graph");
            int t = types.indexOf(l.type());
            if (t < 0) {
                types.add(l.type());
                t = types.size() - 1;
                if (t > 255) throw new IllegalArgumentException("more than 256 link types");
            }
            src.putInt(a);
            dst.putInt(b);
            w.putFloat(l.weight());
            ty.put((byte) t);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("n", (long) ls.size());
        m.put("source", b64(src));
        m.put("target", b64(dst));
        m.put("weight", b64(w));
        m.put("types", types);
        m.put("type", b64(ty));
        return m;
    }

    private static java.nio.ByteBuffer le(int n) {
        return java.nio.ByteBuffer.allocate(n).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    }

    private static String b64(java.nio.ByteBuffer b) {
        return java.util.Base64.getEncoder().encodeToString(b.array());
    }

    /** JSON that cannot end its script element: {@code <}, {@code >} and {@code &} as unicode escapes. */
    static String json(Object value) {
        String s = Json.write(value);
        StringBuilder out = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '<' -> out.append("\\u003c");
                case '>' -> out.append("\\u003e");
                case '&' -> out.append("\\u0026");
                case '\u2028' -> out.append("\\u2028");
                case '\u2029' -> out.append("\\u2029");
                default -> out.append(ch);
            }
        }
        return out.toString();
    }

    /** A float as its shortest decimal double; null when not finite (JSON has no NaN). */
    private static Object num(double v) {
        if (!Double.isFinite(v)) return null;
        return v == (float) v ? Double.parseDouble(Float.toString((float) v)) : v;
    }

    /** A copy with non-finite numbers as null, so any run object can be written. */
    private static Object clean(Object o) {
        if (o instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : m.entrySet()) out.put(String.valueOf(e.getKey()), clean(e.getValue()));
            return out;
        }
        if (o instanceof List<?> l) {
            List<Object> out = new ArrayList<>(l.size());
            for (Object x : l) out.add(clean(x));
            return out;
        }
        if (o instanceof Double v) return Double.isFinite(v) ? v : null;
        if (o instanceof Float v) return Float.isFinite(v) ? (double) v : null;
        if (o instanceof Integer v) return (long) v;
        if (o == null || o instanceof String || o instanceof Boolean || o instanceof Long) return o;
        if (o instanceof Number n) return n.doubleValue();
        return String.valueOf(o);
    }

    static String esc(String s) {
        return sparsecircuits.present.report.Markup.escape(s);
    }

    /** A page part from this package's resources (viewer.css, viewer-body.html, viewer.js, live.js, examples.js). */
    static String part(String name) {
        try (java.io.InputStream in = ViewerHtml.class.getResourceAsStream(name)) {
            if (in == null) throw new IllegalStateException("viewer resource " + name + " is missing from the jar");
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static final String CSS = part("viewer.css");
    private static final String BODY = part("viewer-body.html");
    private static final String JS = part("viewer.js");
    /**
     * The live what-if ablation (issue 6 §3): {@link sparsecircuits.model.gpt.Gpt#forward}'s math in float64 over the
     * embedded CSR weights, one prompt at a time, nodes ablated to their means after AbsTopK as
     * {@link sparsecircuits.pruning.nodes.NodeMask}, the task loss as {@link sparsecircuits.pruning.loss.TaskLoss}.
     */
    private static final String LIVE_JS = part("live.js");
    /** The examples panel and the per-token prompt view. */
    private static final String EXAMPLES_JS = part("examples.js");
}
