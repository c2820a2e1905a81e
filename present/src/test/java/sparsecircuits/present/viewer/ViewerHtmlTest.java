package sparsecircuits.present.viewer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sparsecircuits.model.gpt.GptConfig;
import sparsecircuits.model.json.Json;
import sparsecircuits.pruning.circuit.Circuit;
import sparsecircuits.present.export.CircuitGraph;
import sparsecircuits.pruning.nodes.NodeLocation;

/** The viewer page: self-contained, its JSON block holds exactly the circuit, text is escaped, an empty circuit renders. */
class ViewerHtmlTest {
    /** 2 layers, d_model 16, 2 heads of d_head 4. */
    static final GptConfig CFG = GptConfig.builder().vocabSize(20).nLayer(2).dModel(16).nHead(2).dHead(4).dMlp(32).blockSize(6).build();
    static final String EVIL = "</script><script>alert(1)</script> & \"q\" <!--";

    /** A circuit keeping every third channel, with edges c_fc and attn q edges between kept nodes. */
    static CircuitGraph graph(boolean empty) {
        Map<String, float[]> masks = new LinkedHashMap<>(), means = new LinkedHashMap<>();
        for (NodeLocation l : NodeLocation.of(CFG)) {
            float[] v = new float[l.width()], m = new float[l.width()];
            for (int i = 0; i < v.length; i++) {
                v[i] = !empty && i % 3 == 0 ? 1f : 0f;
                m[i] = 0.5f * i - 1;
            }
            masks.put(l.hook(), v);
            means.put(l.hook(), m);
        }
        List<Circuit.Edge> edges = new ArrayList<>();
        if (!empty) {
            for (int l = 0; l < 2; l++) {
                edges.add(new Circuit.Edge(l + ".attn.act_in", 0, l + ".attn.q", 3, 0.5f, "c_attn.q"));
                edges.add(new Circuit.Edge(l + ".attn.act_in", 3, l + ".attn.q", 6, -0.25f, "c_attn.q"));
                edges.add(new Circuit.Edge(l + ".mlp.act_in", 0, l + ".mlp.post_act", 9, 1.5f, "c_fc"));
                edges.add(new Circuit.Edge(l + ".mlp.post_act", 9, l + ".mlp.resid_delta", 12, -2f, "mlp.c_proj"));
            }
        }
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("run", run());
        return CircuitGraph.of(CFG, json, masks, means, edges, empty ? Map.of() : Map.of("0.attn.q:3", EVIL));
    }

    static Map<String, Object> run() {
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("task", "if_equals");
        run.put("ablation", "mean");
        run.put("target", 0.15);
        run.put("k", 24L);
        run.put("task_loss_full", 0.05);
        run.put("task_loss_circuit", 0.14);
        run.put("node_ablation_deltas", List.of(Map.of("location", "0.attn.q", "channel", 3L, "delta", 0.25)));
        run.put("bisection", List.of(Map.of("k", 8L, "task_loss", 0.9), Map.of("k", 24L, "task_loss", 0.14), Map.of("k", 64L, "task_loss", 0.06)));
        Map<String, Object> controls = new LinkedHashMap<>();
        controls.put("inverted_task", "not applicable (single-target task)");
        controls.put("trustworthy", true);
        run.put("controls", controls);
        run.put("settings", Map.of("seed", 3L));
        return run;
    }

    static String page(CircuitGraph g) {
        return ViewerHtml.render(g, g.run(), "model/model.safetensors", "ab".repeat(32));
    }

    /** The text of the JSON data block. */
    static String block(String html) {
        String open = "<script type=\"application/json\" id=\"data\">";
        int a = html.indexOf(open);
        assertTrue(a >= 0, "a JSON data block");
        int b = html.indexOf("</script>", a);
        return html.substring(a + open.length(), b);
    }

    /** The text of the live-ablation JSON block. */
    static String liveBlock(String html) {
        String open = "<script type=\"application/json\" id=\"live\">";
        int a = html.indexOf(open);
        assertTrue(a >= 0, "a live JSON block");
        return html.substring(a + open.length(), html.indexOf("</script>", a));
    }

    /** The page's typed-array links back as (source, target, weight, type) maps. */
    static List<Map<String, Object>> decodeLinks(Map<?, ?> d) {
        Map<?, ?> l = (Map<?, ?>) d.get("links");
        List<?> nodes = (List<?>) d.get("nodes");
        int n = ((Number) l.get("n")).intValue();
        java.nio.ByteBuffer src = le((String) l.get("source")), dst = le((String) l.get("target")), w = le((String) l.get("weight")),
                ty = le((String) l.get("type"));
        List<?> types = (List<?>) l.get("types");
        List<Map<String, Object>> out = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            Map<String, Object> m = new java.util.LinkedHashMap<>();
            m.put("source", ((Map<?, ?>) nodes.get(src.getInt())).get("id"));
            m.put("target", ((Map<?, ?>) nodes.get(dst.getInt())).get("id"));
            m.put("weight", w.getFloat());
            m.put("type", types.get(ty.get() & 0xff));
            out.add(m);
        }
        assertFalse(src.hasRemaining() || dst.hasRemaining() || w.hasRemaining() || ty.hasRemaining(), "arrays of exactly n entries");
        return out;
    }

    private static java.nio.ByteBuffer le(String b64) {
        return java.nio.ByteBuffer.wrap(java.util.Base64.getDecoder().decode(b64)).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    }

    static String examplesBlock(String html) {
        String open = "<script type=\"application/json\" id=\"examples\">";
        int a = html.indexOf(open);
        assertTrue(a >= 0, "an examples JSON block");
        return html.substring(a + open.length(), html.indexOf("</script>", a));
    }

    @Test
    void selfContainedWithNoNetwork() {
        String html = page(graph(false));
        Matcher url = Pattern.compile("https?://[^\"' )]*").matcher(html);
        while (url.find()) {
            String u = url.group();
            assertTrue(u.equals("http://www.w3.org/2000/svg") || u.equals("http://www.w3.org/1999/xhtml"), "a network address: " + u);
        }
        assertFalse(Pattern.compile("\\s(src|href)\\s*=", Pattern.CASE_INSENSITIVE).matcher(html).find(), "no src= or href= to other files");
        assertFalse(html.contains("<link") || html.contains("@import") || html.contains("fetch(") || html.contains("XMLHttpRequest"));
        for (String id : List.of("id=\"graph\"", "id=\"inspector\"", "id=\"threshold\"", "id=\"search\"", "id=\"node-count\"", "id=\"edge-count\"",
                "'class': 'node', 'data-id'", "'class': 'edge hl', 'data-source'", "id=\"importance\"", "id=\"zoom\"",
                "id=\"export-graph\"")) {
            assertTrue(html.contains(id), id);
        }
    }

    @Test
    void theJsonBlockHoldsExactlyTheCircuit() {
        CircuitGraph g = graph(false);
        String html = page(g);
        @SuppressWarnings("unchecked")
        Map<String, Object> d = (Map<String, Object>) Json.parse(block(html));
        List<?> nodes = (List<?>) d.get("nodes");
        List<Map<String, Object>> links = decodeLinks(d);
        assertEquals(g.nodes().size(), nodes.size());
        assertEquals(g.links().size(), links.size());
        assertEquals(8, g.links().size());
        Set<String> ids = new HashSet<>();
        for (Object o : nodes) ids.add((String) ((Map<?, ?>) o).get("id"));
        Set<String> want = new HashSet<>();
        for (CircuitGraph.Node n : g.nodes()) want.add(n.id());
        assertEquals(want, ids);
        for (int i = 0; i < links.size(); i++) {
            Map<?, ?> l = links.get(i);
            CircuitGraph.Link w = g.links().get(i);
            assertEquals(w.source(), l.get("source"));
            assertEquals(w.target(), l.get("target"));
            assertEquals(w.weight(), ((Number) l.get("weight")).floatValue(), "weights travel as float32, exactly");
            assertEquals(w.type(), l.get("type"));
        }
        Map<?, ?> q3 = nodes.stream().map(o -> (Map<?, ?>) o).filter(n -> n.get("id").equals("0.attn.q:3")).findFirst().orElseThrow();
        assertEquals(0.25, ((Number) q3.get("delta")).doubleValue());
        assertEquals(0L, ((Number) q3.get("head")).longValue());
        assertEquals(EVIL, q3.get("label"), "the label survives the escaping");
        assertEquals("if_equals", ((Map<?, ?>) d.get("run")).get("task"));
        assertEquals("ab".repeat(32), ((Map<?, ?>) d.get("model")).get("sha256"));
    }

    @Test
    void aLabelCannotBreakOutOfTheJsonBlock() {
        String html = page(graph(false));
        String block = block(html);
        assertFalse(block.contains("<"), "no '<' inside the data block");
        assertTrue(block.contains("\\u003c/script\\u003e"));
        assertEquals(4, count(html, "</script>"), "the data, live and examples blocks and the code block end where they should");
        assertFalse(html.contains("alert(1)</script>"));
    }

    @Test
    void anEmptyCircuitRenders() {
        CircuitGraph g = graph(true);
        assertEquals(0, g.nodes().size());
        String html = page(g);
        Map<?, ?> d = (Map<?, ?>) Json.parse(block(html));
        assertEquals(List.of(), d.get("nodes"));
        assertEquals(List.of(), decodeLinks(d));
        assertTrue(html.contains("This circuit has no nodes."));
        // no run at all: still a page
        String bare = ViewerHtml.render(g, Map.of(), null, null);
        assertNotNull(Json.parse(block(bare)));
    }

    /** The page's code run by Node.js against a tiny fake DOM: it draws one node group per node and one path per edge. */
    @Test
    void theScriptRunsInNode(@TempDir Path tmp) throws Exception {
        Path node = onPath("node");
        if (node == null) {
            Assumptions.abort("node (Node.js) is not on PATH: the smoke check of the page's script is skipped");
        }
        for (boolean empty : new boolean[] {false, true}) {
            CircuitGraph g = graph(empty);
            String html = page(g);
            int a = html.lastIndexOf("<script>") + "<script>".length();
            String js = html.substring(a, html.indexOf("</script>", a));
            Path script = tmp.resolve("smoke" + empty + ".js");
            Files.writeString(script, FAKE_DOM.replace("__DATA__", Json.write(block(html))).replace("__LIVE__", Json.write(liveBlock(html)))
                    .replace("__EXAMPLES__", Json.write(examplesBlock(html))) + js + CHECK, StandardCharsets.UTF_8);
            String out = runNode(node, script);
            assertEquals("nodes=" + g.nodes().size() + " edges=" + g.links().size() + " counts=" + g.nodes().size() + "/" + g.links().size()
                    + " inspector=" + !empty, out.trim());
        }
    }

    /** The "task loss at k" chart puts losses on a log axis: equal loss ratios are equal heights, whatever the decade. */
    @Test
    void theLossAtKChartHasALogLossAxis(@TempDir Path tmp) throws Exception {
        Path node = onPath("node");
        if (node == null) Assumptions.abort("node (Node.js) is not on PATH");
        CircuitGraph g = graph(false);
        Map<String, Object> run = new java.util.LinkedHashMap<>();
        run.put("task", "t");
        run.put("k", 64L);
        run.put("target", 1e-3);
        run.put("task_loss_full", 1e-4);
        // 1e-1, 1e-2, 1e-3: a decade apart, so a log axis puts them the same distance apart (a linear one would not)
        run.put("bisection", List.of(Map.of("k", 8L, "task_loss", 1e-1), Map.of("k", 24L, "task_loss", 1e-2), Map.of("k", 64L, "task_loss", 1e-3)));
        String html = ViewerHtml.render(g, run, null, null);
        int a = html.lastIndexOf("<script>") + "<script>".length();
        String js = html.substring(a, html.indexOf("</script>", a));
        Path script = tmp.resolve("loss.js");
        Files.writeString(script, FAKE_DOM.replace("__DATA__", Json.write(block(html))).replace("__LIVE__", Json.write(liveBlock(html)))
                .replace("__EXAMPLES__", Json.write(examplesBlock(html))) + js + """
                ;(function () {
                  var ys = created.filter(function (e) { return e.attrs['class'] === 'loss-point'; }).map(function (e) { return +e.attrs.cy; });
                  var ticks = created.filter(function (e) { return e.attrs['class'] === 'loss-tick'; }).length;
                  console.log(ys.length + ' ' + (ys[1] - ys[0]).toFixed(3) + ' ' + (ys[2] - ys[1]).toFixed(3) + ' ' + ticks);
                })();
                """, StandardCharsets.UTF_8);
        String[] out = runNode(node, script).trim().split(" ");
        assertEquals("3", out[0], "a point per bisection step");
        assertEquals(out[1], out[2], "a decade is the same height at 0.1 and at 0.001");
        assertTrue(Double.parseDouble(out[1]) > 10, "lower losses are drawn lower: " + out[1]);
        assertEquals("4", out[3], "a tick at 1e-4, 1e-3, 1e-2 and 1e-1");
    }

    /** A fake document: enough of the DOM for the page's script, recording created elements. */
    static final String FAKE_DOM = """
            'use strict';
            var created = [], byId = {}, listeners = {};
            function E(tag) {
              var e = {tag: tag, attrs: {}, children: [], style: {}, textContent: '', className: '', hidden: false, value: '', ls: {},
                setAttribute: function (k, v) { this.attrs[k] = String(v); if (k === 'id') byId[v] = this; },
                getAttribute: function (k) { return this.attrs[k]; },
                appendChild: function (c) { this.children.push(c); return c; },
                addEventListener: function (t, f) { this.ls[t] = f; },
                classList: {s: {}, add: function (c) { this.s[c] = 1; }, remove: function (c) { delete this.s[c]; },
                  toggle: function (c, on) { if (on) this.s[c] = 1; else delete this.s[c]; }}};
              e.classList = Object.create(e.classList); e.classList.s = {};
              Object.defineProperty(e, 'id', {get: function () { return this.attrs.id; }, set: function (v) { this.setAttribute('id', v); }});
              created.push(e);
              return e;
            }
            var ids = ['graph', 'empty', 'inspector', 'inspector-body', 'threshold', 'threshold-value', 'search', 'node-count', 'edge-count',
              'edge-shown', 'title', 'header-body', 'loss-plot', 'controls-body', 'live-status', 'live-loss', 'live-logits'];
            ids.forEach(function (i) { byId[i] = E('x'); });
            byId['data'] = {textContent: __DATA__};
            byId['live'] = {textContent: __LIVE__};
            byId['examples'] = {textContent: __EXAMPLES__};
            var document = {
              documentElement: E('html'),
              getElementById: function (i) { if (!byId[i]) E('x').setAttribute('id', i); return byId[i]; },
              createElement: E, createElementNS: function (ns, t) { return E(t); },
              addEventListener: function () {}
            };
            var location = {hash: '', pathname: '/view.html', search: ''};
            var history = {replaceState: function (a, b, h) { location.hash = h.charAt(0) === '#' ? h : ''; }};
            var window = {addEventListener: function () {}};
            var performance = {now: function () { return 0; }};
            var localStorage = typeof SHARED_STORAGE !== 'undefined' ? SHARED_STORAGE : (function () { var m = {}; return {
              getItem: function (k) { return k in m ? m[k] : null; }, setItem: function (k, v) { m[k] = String(v); },
              removeItem: function (k) { delete m[k]; }}; })();
            """;

    private static final String CHECK = """
            ;(function () {
              var nodes = created.filter(function (e) { return e.attrs['class'] === 'node' && e.attrs['data-id']; });
              var edges = 0;
              created.forEach(function (e) { if (e.attrs['class'] === 'edges') edges += (e.attrs.d.match(/M/g) || []).length; });
              var inspected = false;
              if (nodes.length) {
                nodes[0].ls.click({stopPropagation: function () {}});
                var hl = created.filter(function (e) { return e.attrs['class'] === 'edge hl' && e.attrs['data-source'] === nodes[0].attrs['data-id']
                  || e.attrs['class'] === 'edge hl' && e.attrs['data-target'] === nodes[0].attrs['data-id']; });
                inspected = byId['inspector-body'].children.length > 0 && location.hash.indexOf('node=') === 1 && hl.length > 0;
              }
              console.log('nodes=' + nodes.length + ' edges=' + edges + ' counts=' + byId['node-count'].textContent + '/'
                + byId['edge-count'].textContent + ' inspector=' + inspected);
            })();
            """;

    /** Runs {@code script} with Node.js; its output, after checking it exited 0 within 120 s (the tail on failure). */
    static String runNode(Path node, Path script) throws Exception {
        Process p = new ProcessBuilder(node.toString(), script.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("node did not finish");
        }
        assertEquals(0, p.exitValue(), out.length() > 3000 ? "..." + out.substring(out.length() - 3000) : out);
        return out;
    }

    static Path onPath(String exe) {
        String path = System.getenv("PATH");
        if (path == null) return null;
        for (String dir : path.split(File.pathSeparator)) {
            Path p = Path.of(dir, exe);
            if (Files.isExecutable(p)) return p;
        }
        return null;
    }

    private static int count(String s, String what) {
        int n = 0;
        for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + 1)) n++;
        return n;
    }
}
