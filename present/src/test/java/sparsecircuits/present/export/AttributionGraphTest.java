package sparsecircuits.present.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sparsecircuits.model.json.Json;

/**
 * The attribution-graph JSON parsed back with our Json and held to the required fields and types of INTERP.md §4.1
 * (metadata.slug/scan/prompt_tokens/prompt; qParams; nodes' node_id, feature int|null, layer string|int, ctx_idx,
 * feature_type, jsNodeId, clerp; links' source, target, weight) and to the quirks it lists.
 */
class AttributionGraphTest {
    static final List<String> PROMPT = List.of("if", " x", " ==");

    @Test
    void hasTheRequiredFieldsAndTypes(@TempDir Path tmp) {
        ExportFixture f = new ExportFixture(tmp, 8);
        String q = f.first("0.attn.q"), v = f.first("1.attn.v");
        AttributionGraph.Settings s = new AttributionGraph.Settings(null, null, List.of(q),
                List.of(new AttributionGraph.Supernode("both", List.of(q, v))), Map.of(), 1234L);
        Map<String, Object> root = obj(Json.parse(AttributionGraph.write(f.graph, PROMPT, s)));
        for (String k : List.of("metadata", "qParams", "nodes", "links")) assertTrue(root.containsKey(k), k);

        Map<String, Object> meta = obj(root.get("metadata"));
        assertInstanceOf(String.class, meta.get("slug"));
        assertTrue(((String) meta.get("slug")).matches("[a-z0-9-]+") && ((String) meta.get("slug")).startsWith("if-equals"), meta.get("slug").toString());
        assertInstanceOf(String.class, meta.get("scan"));
        assertEquals(PROMPT, meta.get("prompt_tokens"));
        assertEquals("if x ==", meta.get("prompt"));
        assertEquals(1L, meta.get("schema_version"));
        Map<String, Object> info = obj(meta.get("info"));
        assertTrue(((String) info.get("description")).contains("no error nodes"));
        assertEquals(1234L, info.get("create_time_ms"));
        Map<String, Object> vl = obj(obj(meta.get("generation_settings")).get("virtual_layers"));
        assertEquals(16, vl.size(), "8 rows per block, 2 blocks");
        assertEquals("0.attn.q", vl.get("1"));
        assertEquals("1.mlp.resid_delta", vl.get("15"));
        assertEquals("if_equals", obj(meta.get("pruning_settings")).get("task"));

        List<Object> nodes = list(root.get("nodes"));
        assertEquals(f.circuit.nodes(), nodes.size());
        Map<String, Map<String, Object>> byId = new HashMap<>();
        Set<String> js = new HashSet<>();
        for (Object o : nodes) {
            Map<String, Object> n = obj(o);
            assertInstanceOf(String.class, n.get("node_id"));
            assertTrue(n.containsKey("feature") && (n.get("feature") == null || n.get("feature") instanceof Long), "feature int|null");
            assertTrue(n.get("layer") instanceof String || n.get("layer") instanceof Long, "layer string|int");
            assertEquals(2L, n.get("ctx_idx"), "every node at the last prompt position");
            assertEquals("cross layer transcoder", n.get("feature_type"));
            assertFalse(((String) n.get("feature_type")).contains("error"), "no error nodes");
            assertInstanceOf(String.class, n.get("jsNodeId"));
            assertInstanceOf(String.class, n.get("clerp"));
            assertTrue(js.add((String) n.get("jsNodeId")), "jsNodeIds are unique");
            String[] parts = ((String) n.get("node_id")).split("_");
            assertEquals(3, parts.length, "node_id is {layer}_{idx}_{pos}");
            assertEquals(n.get("layer"), parts[0]);
            long layer = Long.parseLong(parts[0]), idx = Long.parseLong(parts[1]);
            assertEquals((layer + idx) * (layer + idx + 1) / 2 + idx, n.get("feature"), "Cantor-paired feature id");
            String hook = (String) n.get("sc_hook");
            assertEquals(vl.get(parts[0]), hook, "the virtual layer names the node's own location");
            assertTrue(byId.put((String) n.get("node_id"), n) == null, "node ids are unique");
        }
        for (Object o : list(root.get("links"))) {
            Map<String, Object> l = obj(o);
            assertTrue(byId.containsKey((String) l.get("source")) && byId.containsKey((String) l.get("target")), l.toString());
            assertInstanceOf(Number.class, l.get("weight"));
            assertEquals(((Number) l.get("sc_weight")).doubleValue(), ((Number) l.get("weight")).doubleValue(), "no activations: the weight");
        }
        assertEquals(f.circuit.edges().size(), list(root.get("links")).size());

        Map<String, Object> qp = obj(root.get("qParams"));
        String qGraphId = nodeIdOf(byId, q);
        assertEquals(List.of(qGraphId), qp.get("pinnedIds"));
        assertEquals(List.of(List.of("both", qGraphId, nodeIdOf(byId, v))), qp.get("supernodes"));
        assertEquals(ExportFixture.AWKWARD, byId.get(qGraphId).get("clerp"), "labels go in clerp");
    }

    @Test
    void activationsScaleTheLinks(@TempDir Path tmp) {
        ExportFixture f = new ExportFixture(tmp, 9);
        Map<String, Float> acts = new HashMap<>();
        for (CircuitGraph.Node n : f.graph.nodes()) acts.put(n.id(), 2f);
        Map<String, Object> root = AttributionGraph.graph(f.graph, PROMPT,
                new AttributionGraph.Settings("s", "m", List.of(), List.of(), acts, 0));
        for (Object o : list(root.get("links"))) {
            Map<String, Object> l = obj(o);
            assertEquals(2 * ((Number) l.get("sc_weight")).floatValue(), ((Number) l.get("weight")).floatValue());
        }
        assertEquals("s", obj(root.get("metadata")).get("slug"));
        assertEquals(2f, obj(list(root.get("nodes")).get(0)).get("activation"));
    }

    @Test
    void aPromptLongerThanTheContextOrEmptyOrAnUnknownPinIsRefused(@TempDir Path tmp) {
        ExportFixture f = new ExportFixture(tmp, 10);
        List<String> seven = List.of("a", "b", "c", "d", "e", "f", "g");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AttributionGraph.graph(f.graph, seven, AttributionGraph.Settings.defaults()));
        assertTrue(e.getMessage().contains("7 tokens") && e.getMessage().contains("context is 6"), e.getMessage());
        AttributionGraph.graph(f.graph, seven.subList(0, 6), AttributionGraph.Settings.defaults()); // exactly the context: fine
        assertThrows(IllegalArgumentException.class, () -> AttributionGraph.graph(f.graph, List.of(), AttributionGraph.Settings.defaults()));
        IllegalArgumentException pin = assertThrows(IllegalArgumentException.class, () -> AttributionGraph.graph(f.graph, PROMPT,
                new AttributionGraph.Settings(null, null, List.of("9.attn.q:0"), List.of(), Map.of(), 0)));
        assertTrue(pin.getMessage().contains("9.attn.q:0"), pin.getMessage());
    }

    @Test
    void theGraphIndexListsEachSlugOnce(@TempDir Path tmp) {
        ExportFixture f = new ExportFixture(tmp, 13);
        Map<String, Object> a = AttributionGraph.graph(f.graph, PROMPT, new AttributionGraph.Settings("a", null, null, null, null, 1));
        Map<String, Object> b = AttributionGraph.graph(f.graph, PROMPT, new AttributionGraph.Settings("b", null, null, null, null, 2));
        Object index = Json.parse(Json.write(AttributionGraph.index(AttributionGraph.index(null, a), b)));
        assertEquals(List.of("a", "b"), list(obj(index).get("graphs")).stream().map(g -> obj(g).get("slug")).toList());
        Map<String, Object> a2 = AttributionGraph.graph(f.graph, PROMPT, new AttributionGraph.Settings("a", null, null, null, null, 3));
        List<Object> graphs = list(AttributionGraph.index(index, a2).get("graphs"));
        assertEquals(2, graphs.size());
        assertEquals(3L, ((Number) obj(obj(graphs.get(1)).get("info")).get("create_time_ms")).longValue(), "the new a replaces the old");
        assertThrows(IllegalArgumentException.class, () -> AttributionGraph.index(List.of(), a));
    }

    private static String nodeIdOf(Map<String, Map<String, Object>> byId, String ourId) {
        return byId.values().stream().filter(n -> ourId.equals(n.get("sc_id"))).map(n -> (String) n.get("node_id")).findFirst().orElseThrow();
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> obj(Object o) {
        assertInstanceOf(Map.class, o);
        return (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Object o) {
        assertInstanceOf(List.class, o);
        return (List<Object>) o;
    }
}
