package sparsecircuits.present.viewer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sparsecircuits.model.json.Json;
import sparsecircuits.present.export.AttributionGraph;
import sparsecircuits.present.export.CircuitGraph;
import sparsecircuits.present.export.NeuronpediaSchema;

/**
 * The page's pins and labels (kept in localStorage, reloaded by a second page load) and its attribution-graph export:
 * with no pins or labels it is the graph {@link AttributionGraph} writes for the same prompt; with them, the pins are
 * in {@code qParams.pinnedIds} and the labels in {@code clerp}. Run by Node.js against the fake DOM; skipped without it.
 */
class ViewerNotesTest {
    static final List<String> PROMPT = List.of("if", " x", " ==");

    @Test
    void pinsAndLabelsPersistAndGoOutInTheGraphJson(@TempDir Path tmp) throws Exception {
        Path node = ViewerHtmlTest.onPath("node");
        if (node == null) Assumptions.abort("node (Node.js) is not on PATH: the page's pins/labels check is skipped");
        CircuitGraph g = ViewerHtmlTest.graph(false);
        String html = ViewerHtml.render(g, g.run(), "model.safetensors", "ab".repeat(32),
                ModelJs.off("not needed"), Map.of("enabled", false, "reason", "not needed"), PROMPT);
        int a = html.lastIndexOf("<script>") + "<script>".length();
        String js = html.substring(a, html.indexOf("</script>", a));
        String dom = ViewerHtmlTest.FAKE_DOM.replace("__DATA__", Json.write(ViewerHtmlTest.block(html)))
                .replace("__LIVE__", Json.write(ViewerHtmlTest.liveBlock(html)))
                .replace("__EXAMPLES__", Json.write(ViewerHtmlTest.examplesBlock(html)));
        // first load: export untouched, then pin two nodes and label one; second load (same storage): export again
        String run = """
                ;(function () {
                  console.log(JSON.stringify(window.graphJson()));
                  function click(id) {
                    created.filter(function (e) { return e.attrs['data-id'] === id; })[0].ls.click({stopPropagation: function () {}});
                  }
                  click('0.attn.q:3'); byId['pin-toggle'].ls.click();
                  click('1.mlp.post_act:9'); byId['pin-toggle'].ls.click();
                  byId['label-input'].value = 'my neuron'; byId['label-input'].ls.change();
                  click('0.attn.act_in:0'); byId['pin-toggle'].ls.click(); byId['pin-toggle'].ls.click(); // pinned and unpinned again
                })();
                """;
        String again = """
                ;(function () {
                  console.log(JSON.stringify(window.graphJson()));
                  console.log(byId['pin-count'].textContent);
                })();
                """;
        // two page loads in one Node process, each in its own function scope (own DOM), sharing one localStorage
        String script = "var SHARED_STORAGE = (function () { var m = {}; return {getItem: function (k) { return k in m ? m[k] : null; },"
                + " setItem: function (k, v) { m[k] = String(v); }, removeItem: function (k) { delete m[k]; }}; })();\n"
                + "(function () {\n" + dom + js + run + "})();\n(function () {\n" + dom + js + again + "})();\n";
        Path f = tmp.resolve("notes.js");
        Files.writeString(f, script, StandardCharsets.UTF_8);
        String out = ViewerHtmlTest.runNode(node, f);
        String[] lines = out.trim().split("\n");
        assertEquals(3, lines.length, out);

        Map<?, ?> before = (Map<?, ?>) Json.parse(lines[0]);
        Map<String, Object> java = AttributionGraph.graph(g, PROMPT, new AttributionGraph.Settings(null, null, null, null, null, 0L));
        Map<?, ?> want = (Map<?, ?>) Json.parse(Json.write(java));
        assertEquals(want.get("nodes"), before.get("nodes"), "the page's nodes are the exporter's");
        assertEquals(links(want), links(before), "the page's links are the exporter's");
        assertEquals(want.get("qParams"), before.get("qParams"));
        Map<?, ?> mw = (Map<?, ?>) want.get("metadata"), mb = (Map<?, ?>) before.get("metadata");
        assertEquals(mw.get("prompt_tokens"), mb.get("prompt_tokens"));
        assertEquals(mw.get("slug"), mb.get("slug"));
        assertTrue(((Number) ((Map<?, ?>) mb.get("info")).get("create_time_ms")).longValue() > 0, "the export is stamped with its time");

        Map<?, ?> after = (Map<?, ?>) Json.parse(lines[1]);
        List<?> pinned = (List<?>) ((Map<?, ?>) after.get("qParams")).get("pinnedIds");
        assertEquals(List.of(nodeId(after, "0.attn.q:3"), nodeId(after, "1.mlp.post_act:9")), pinned, "pins survive the reload, in order");
        assertEquals("my neuron", clerp(after, "1.mlp.post_act:9"));
        assertEquals(ViewerHtmlTest.EVIL, clerp(after, "0.attn.q:3"), "a label from --labels stays when the user set none");
        assertEquals("2", lines[2].trim());
        for (String line : List.of(lines[0], lines[1])) {
            var errors = NeuronpediaSchema.errors(line);
            assertTrue(errors.isEmpty(), "the page's export against Neuronpedia's schema:\n" + NeuronpediaSchema.show(errors));
        }
    }

    private static List<String> links(Map<?, ?> graph) {
        List<String> out = new ArrayList<>();
        for (Object o : (List<?>) graph.get("links")) {
            Map<?, ?> l = (Map<?, ?>) o;
            out.add(l.get("source") + ">" + l.get("target") + ":" + ((Number) l.get("weight")).floatValue() + ":" + l.get("sc_type"));
        }
        return out;
    }

    private static Object nodeId(Map<?, ?> graph, String scId) {
        for (Object o : (List<?>) graph.get("nodes")) if (scId.equals(((Map<?, ?>) o).get("sc_id"))) return ((Map<?, ?>) o).get("node_id");
        throw new AssertionError("no node " + scId);
    }

    private static Object clerp(Map<?, ?> graph, String scId) {
        for (Object o : (List<?>) graph.get("nodes")) if (scId.equals(((Map<?, ?>) o).get("sc_id"))) return ((Map<?, ?>) o).get("clerp");
        throw new AssertionError("no node " + scId);
    }
}
