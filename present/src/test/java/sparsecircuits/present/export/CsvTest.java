package sparsecircuits.present.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** nodes.csv and edges.csv parsed back by an RFC 4180 reader: header, counts, values, quoting. */
class CsvTest {

    @Test
    void bothFilesReadBackWithTheirCountsAndQuoting(@TempDir Path tmp) {
        ExportFixture f = new ExportFixture(tmp, 3);
        String nodesText = Csv.nodes(f.graph), edgesText = Csv.edges(f.graph);
        assertTrue(nodesText.endsWith("\r\n") && edgesText.endsWith("\r\n"), "CRLF record ends");
        List<List<String>> nodes = parse(nodesText), edges = parse(edgesText);
        assertEquals(Csv.NODE_COLUMNS, nodes.get(0));
        assertEquals(Csv.EDGE_COLUMNS, edges.get(0));
        assertEquals(f.circuit.nodes() + 1, nodes.size());
        assertEquals(f.circuit.edges().size() + 1, edges.size());
        Map<String, List<String>> byId = new HashMap<>();
        for (List<String> r : nodes.subList(1, nodes.size())) {
            assertEquals(Csv.NODE_COLUMNS.size(), r.size(), r.toString());
            byId.put(r.get(0), r);
        }
        List<String> q = byId.get(f.first("0.attn.q"));
        assertEquals(ExportFixture.AWKWARD, q.get(Csv.NODE_COLUMNS.indexOf("label")), "a label with a comma and quotes survives");
        assertEquals("0.25", q.get(Csv.NODE_COLUMNS.indexOf("ablation_delta")));
        assertEquals(Integer.toString(ExportFixture.channel(f.first("0.attn.q")) / 8), q.get(Csv.NODE_COLUMNS.indexOf("head")));
        assertEquals("line one\nline two", byId.get(f.first("1.mlp.post_act")).get(Csv.NODE_COLUMNS.indexOf("label")));
        assertEquals("", byId.get(f.first("1.mlp.post_act")).get(Csv.NODE_COLUMNS.indexOf("head")), "no head outside q/k/v");
        for (int i = 1; i < edges.size(); i++) {
            List<String> e = edges.get(i);
            CircuitGraph.Link l = f.graph.links().get(i - 1);
            assertTrue(byId.containsKey(e.get(0)) && byId.containsKey(e.get(1)), "edge ends are nodes: " + e);
            assertEquals(l.weight(), Float.parseFloat(e.get(2)));
            assertEquals(l.type(), e.get(3));
        }
    }

    /** A strict RFC 4180 reader: CRLF records, quoted fields with doubled quotes; anything else fails. */
    static List<List<String>> parse(String s) {
        List<List<String>> rows = new ArrayList<>();
        List<String> row = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        int i = 0;
        while (i < s.length()) {
            if (s.charAt(i) == '"') {
                i++;
                while (true) {
                    if (i >= s.length()) throw new AssertionError("unterminated quoted field");
                    char c = s.charAt(i++);
                    if (c == '"') {
                        if (i < s.length() && s.charAt(i) == '"') {
                            field.append('"');
                            i++;
                        } else {
                            break;
                        }
                    } else {
                        field.append(c);
                    }
                }
            } else {
                while (i < s.length() && s.charAt(i) != ',' && s.charAt(i) != '\r') {
                    char c = s.charAt(i++);
                    if (c == '"' || c == '\n') throw new AssertionError("unquoted field holds " + (c == '"' ? "a quote" : "a line feed") + " at " + i);
                    field.append(c);
                }
            }
            row.add(field.toString());
            field.setLength(0);
            if (i < s.length() && s.charAt(i) == ',') {
                i++;
            } else if (s.startsWith("\r\n", i)) {
                i += 2;
                rows.add(row);
                row = new ArrayList<>();
            } else {
                throw new AssertionError("expected , or CRLF at " + i);
            }
        }
        if (!row.isEmpty()) throw new AssertionError("last record without CRLF");
        return rows;
    }
}
