package sparsecircuits.present.export;

import java.util.List;

/**
 * GraphML (graphml.graphdrawing.org) with typed attribute keys, which Gephi, Cytoscape, yEd and networkx's
 * {@code read_graphml} read into node and edge attributes (INTERP.md §4.2). An attribute a node does not have
 * (the head of a non-q/k/v node, an unknown mean or delta, no label) is left out rather than written as a sentinel.
 */
public final class GraphMl {
    /** Node attributes: id, GraphML type. */
    static final List<String[]> NODE_KEYS = List.of(new String[] {"layer", "int"}, new String[] {"location", "string"},
            new String[] {"sublocation", "string"}, new String[] {"hook", "string"}, new String[] {"channel", "int"},
            new String[] {"head", "int"}, new String[] {"kept", "boolean"}, new String[] {"mean", "double"},
            new String[] {"ablation_delta", "double"}, new String[] {"label", "string"});
    /** Edge attributes. */
    static final List<String[]> EDGE_KEYS = List.of(new String[] {"weight", "double"}, new String[] {"abs_weight", "double"},
            new String[] {"type", "string"});

    private GraphMl() {
    }

    public static String write(CircuitGraph g) {
        StringBuilder sb = new StringBuilder();
        sb.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        sb.append("<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"\n"
                + "         xsi:schemaLocation=\"http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd\">\n");
        for (String[] k : NODE_KEYS) key(sb, "node", k);
        for (String[] k : EDGE_KEYS) key(sb, "edge", k);
        // ids are NMTOKENs in GraphML's schema: node ids like 0.attn.q:5 are, a task name or file path may not be
        sb.append("  <graph id=\"circuit\" edgedefault=\"directed\">\n");
        for (CircuitGraph.Node n : g.nodes()) {
            sb.append("    <node id=\"").append(escape(n.id())).append("\">\n");
            data(sb, "n_layer", Integer.toString(n.layer()));
            data(sb, "n_location", n.location());
            data(sb, "n_sublocation", n.sublocation());
            data(sb, "n_hook", n.hook());
            data(sb, "n_channel", Integer.toString(n.channel()));
            if (n.head() >= 0) data(sb, "n_head", Integer.toString(n.head()));
            data(sb, "n_kept", Boolean.toString(n.kept()));
            if (!Float.isNaN(n.mean())) data(sb, "n_mean", Float.toString(n.mean()));
            if (!Double.isNaN(n.delta())) data(sb, "n_ablation_delta", Double.toString(n.delta()));
            if (n.label() != null) data(sb, "n_label", n.label());
            sb.append("    </node>\n");
        }
        int i = 0;
        for (CircuitGraph.Link l : g.links()) {
            sb.append("    <edge id=\"e").append(i++).append("\" source=\"").append(escape(l.source()))
                    .append("\" target=\"").append(escape(l.target())).append("\">\n");
            data(sb, "e_weight", Float.toString(l.weight()));
            data(sb, "e_abs_weight", Float.toString(Math.abs(l.weight())));
            data(sb, "e_type", l.type());
            sb.append("    </edge>\n");
        }
        sb.append("  </graph>\n</graphml>\n");
        return sb.toString();
    }

    private static void key(StringBuilder sb, String domain, String[] k) {
        // the key id is prefixed by its domain because node and edge keys share one id space in GraphML
        sb.append("  <key id=\"").append(domain.charAt(0)).append('_').append(k[0]).append("\" for=\"").append(domain)
                .append("\" attr.name=\"").append(k[0]).append("\" attr.type=\"").append(k[1]).append("\"/>\n");
    }

    /** A data element; {@code key} is the key id ({@code n_} node, {@code e_} edge attributes). */
    private static void data(StringBuilder sb, String key, String value) {
        sb.append("      <data key=\"").append(key).append("\">").append(escape(value)).append("</data>\n");
    }

    /** XML text: the five special characters escaped, characters XML 1.0 cannot hold replaced by U+FFFD. */
    static String escape(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> sb.append("&amp;");
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&apos;");
                case '\t' -> sb.append("&#9;");
                case '\n' -> sb.append("&#10;");
                case '\r' -> sb.append("&#13;");
                default -> {
                    if (c < 0x20 || c == 0xFFFE || c == 0xFFFF) {
                        sb.append('\uFFFD');
                    } else if (Character.isSurrogate(c)) {
                        boolean pair = Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
                        if (pair) {
                            sb.append(c).append(s.charAt(++i));
                        } else {
                            sb.append('\uFFFD');
                        }
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.toString();
    }
}
