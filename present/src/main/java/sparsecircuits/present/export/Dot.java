package sparsecircuits.present.export;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Graphviz DOT, styled like ACDC's and EAP-IG's drawings (INTERP.md §4.2): bottom to top, one {@code rank=same} row
 * per layer and location, edge width ∝ |weight|, blue for positive and red for negative weights, q/k/v nodes
 * coloured by kind and labelled with their head. Render with {@code dot -Tsvg circuit.dot > circuit.svg}.
 */
public final class Dot {
    private static final double MIN_PEN = 0.3, MAX_PEN = 5.0;

    private Dot() {
    }

    public static String write(CircuitGraph g) {
        StringBuilder sb = new StringBuilder();
        String task = String.valueOf(g.run().getOrDefault("task", "circuit"));
        sb.append("digraph circuit {\n");
        sb.append("  graph [rankdir=BT, label=").append(quote(task + ": " + g.nodes().size() + " nodes, " + g.links().size() + " edges"))
                .append(", labelloc=t, fontname=\"Helvetica\", nodesep=0.15, ranksep=0.5];\n");
        sb.append("  node [shape=box, style=\"rounded,filled\", fontname=\"Helvetica\", fontsize=10, fillcolor=\"#eeeeee\"];\n");
        sb.append("  edge [arrowsize=0.5];\n");
        // one row per (layer, location): plain subgraphs, not clusters, so the SVG has exactly one group per node
        Map<String, List<CircuitGraph.Node>> rows = new LinkedHashMap<>();
        for (CircuitGraph.Node n : g.nodes()) rows.computeIfAbsent(n.hook(), h -> new ArrayList<>()).add(n);
        for (Map.Entry<String, List<CircuitGraph.Node>> row : rows.entrySet()) {
            sb.append("  subgraph ").append(quote("row " + row.getKey())).append(" {\n    rank=same;\n");
            for (CircuitGraph.Node n : row.getValue()) {
                String label = n.sublocation() + " " + n.channel() + (n.head() >= 0 ? " (h" + n.head() + ")" : "")
                        + (n.label() != null ? "\n" + n.label() : "");
                sb.append("    ").append(quote(n.id())).append(" [label=").append(quote(label))
                        .append(", tooltip=").append(quote(n.id())).append(", fillcolor=\"").append(n.kept() ? fill(n.sublocation()) : "#ffffff")
                        .append(n.kept() ? "\"" : "\", style=\"rounded,dashed\", fontcolor=\"#999999\"").append("];\n");
            }
            sb.append("  }\n");
        }
        // invisible links from row to row stack the rows in forward order (the residual stream joins them, but it has
        // no weight edges); Graphviz draws nothing for them, so the SVG still has one edge group per weight edge
        List<CircuitGraph.Node> firsts = new ArrayList<>();
        for (List<CircuitGraph.Node> row : rows.values()) firsts.add(row.get(0));
        for (int i = 0; i + 1 < firsts.size(); i++) {
            sb.append("  ").append(quote(firsts.get(i).id())).append(" -> ").append(quote(firsts.get(i + 1).id()))
                    .append(" [style=invis, weight=0];\n");
        }
        double max = 0;
        for (CircuitGraph.Link l : g.links()) max = Math.max(max, Math.abs(l.weight()));
        for (CircuitGraph.Link l : g.links()) {
            double pen = max == 0 ? MIN_PEN : MIN_PEN + (MAX_PEN - MIN_PEN) * Math.abs(l.weight()) / max;
            sb.append("  ").append(quote(l.source())).append(" -> ").append(quote(l.target()))
                    .append(String.format(Locale.ROOT, " [penwidth=%.3f, color=\"%s\", tooltip=%s];\n", pen,
                            l.weight() >= 0 ? "#2166ac" : "#b2182b", quote(l.type() + " " + l.weight())));
        }
        sb.append("}\n");
        return sb.toString();
    }

    private static String fill(String sublocation) {
        return switch (sublocation) {
            case "q" -> "#fde0c5";
            case "k" -> "#d9f0d3";
            case "v" -> "#e7d4e8";
            case "post_act" -> "#fff7bc";
            default -> "#eeeeee";
        };
    }

    /** A DOT quoted string: backslash and quote escaped, a newline as DOT's centred line break. */
    static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> { }
                default -> sb.append(c);
            }
        }
        return sb.append('"').toString();
    }
}
