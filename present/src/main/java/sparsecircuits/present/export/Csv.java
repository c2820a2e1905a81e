package sparsecircuits.present.export;

import java.util.List;

/**
 * {@code nodes.csv} and {@code edges.csv} for pandas and spreadsheets: RFC 4180 (a header row, CRLF line ends, a field
 * with a comma, quote or line break in double quotes with its quotes doubled). A value a node does not have is an
 * empty field, which pandas reads as NaN.
 */
public final class Csv {
    public static final String NODES = "nodes.csv", EDGES = "edges.csv";
    static final List<String> NODE_COLUMNS = List.of("id", "layer", "location", "sublocation", "hook", "channel", "head", "kept",
            "mean", "ablation_delta", "label");
    static final List<String> EDGE_COLUMNS = List.of("source", "target", "weight", "type");

    private Csv() {
    }

    public static String nodes(CircuitGraph g) {
        StringBuilder sb = new StringBuilder();
        row(sb, NODE_COLUMNS);
        for (CircuitGraph.Node n : g.nodes()) {
            row(sb, List.of(n.id(), Integer.toString(n.layer()), n.location(), n.sublocation(), n.hook(), Integer.toString(n.channel()),
                    n.head() >= 0 ? Integer.toString(n.head()) : "", Boolean.toString(n.kept()),
                    Float.isNaN(n.mean()) ? "" : Float.toString(n.mean()), Double.isNaN(n.delta()) ? "" : Double.toString(n.delta()),
                    n.label() == null ? "" : n.label()));
        }
        return sb.toString();
    }

    public static String edges(CircuitGraph g) {
        StringBuilder sb = new StringBuilder();
        row(sb, EDGE_COLUMNS);
        for (CircuitGraph.Link l : g.links()) row(sb, List.of(l.source(), l.target(), Float.toString(l.weight()), l.type()));
        return sb.toString();
    }

    private static void row(StringBuilder sb, List<String> fields) {
        for (int i = 0; i < fields.size(); i++) {
            if (i > 0) sb.append(',');
            field(sb, fields.get(i));
        }
        sb.append("\r\n");
    }

    static void field(StringBuilder sb, String s) {
        boolean quote = s.indexOf(',') >= 0 || s.indexOf('"') >= 0 || s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0;
        if (!quote) {
            sb.append(s);
            return;
        }
        sb.append('"').append(s.replace("\"", "\"\"")).append('"');
    }
}
