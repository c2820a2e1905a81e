package sparsecircuits.present.viewer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sparsecircuits.autograd.param.Parameter;
import sparsecircuits.kernels.KernelProvider;
import sparsecircuits.model.gpt.Gpt;
import sparsecircuits.model.gpt.GptConfig;
import sparsecircuits.model.json.Json;
import sparsecircuits.present.export.CircuitGraph;
import sparsecircuits.pruning.loss.TaskLoss;
import sparsecircuits.pruning.nodes.NodeLocation;
import sparsecircuits.pruning.nodes.NodeMask;
import sparsecircuits.pruning.nodes.NodeMeans;
import sparsecircuits.pruning.trace.Tracer;

/** The examples block agrees with the tracer it was computed with, stays within its size budget, and fills the page's panels. */
class ExamplesTest {
    static final GptConfig CFG = GptConfig.builder().vocabSize(24).nLayer(2).dModel(32).dMlp(64).blockSize(12).build();
    static final int BATCH = 8, BATCHES = 4;

    static Gpt model(GptConfig c, long seed) {
        return sparsecircuits.pruning.trace.TracerTest.model(c, seed);
    }

    /** A random circuit of about {@code keep} of the nodes, with random means; its tracer and nodes. */
    record Setup(Gpt model, Tracer tracer, List<CircuitGraph.Node> nodes) {
    }

    static Setup setup(GptConfig c, double keep, long seed) {
        Gpt g = model(c, seed);
        Random r = new Random(seed + 7);
        Map<String, float[]> gates = new LinkedHashMap<>(), means = new LinkedHashMap<>();
        for (NodeLocation l : NodeLocation.of(c)) {
            float[] m = new float[l.width()], mu = new float[l.width()];
            for (int i = 0; i < m.length; i++) {
                m[i] = r.nextDouble() < keep ? 1 : 0;
                mu[i] = (float) r.nextGaussian() * 0.1f;
            }
            gates.put(l.hook(), m);
            means.put(l.hook(), mu);
        }
        Tracer tr = Tracer.of(g, KernelProvider.get()).masked(gates, NodeMeans.of(means, 0), NodeMask.Ablation.MEAN);
        CircuitGraph graph = CircuitGraph.of(c, Map.of(), gates, means, List.of(), Map.of());
        return new Setup(g, tr, graph.nodes());
    }

    static List<int[]> windows(GptConfig c, int batches, long seed) {
        Random r = new Random(seed);
        List<int[]> out = new ArrayList<>();
        for (int b = 0; b < batches; b++) {
            int[] t = new int[BATCH * c.blockSize()];
            for (int i = 0; i < t.length; i++) t[i] = r.nextInt(c.vocabSize());
            out.add(t);
        }
        return out;
    }

    static List<TaskLoss.Sequence> held(GptConfig c, int pairs, int length, long seed) {
        Random r = new Random(seed);
        List<TaskLoss.Sequence> out = new ArrayList<>();
        for (int i = 0; i < pairs; i++) {
            int[] a = new int[length - i % 3], b = new int[length - (i + 1) % 3];
            for (int j = 0; j < a.length; j++) a[j] = r.nextInt(c.vocabSize());
            a[1] = 0; // a token of whitespace (" \n" in these tests)
            for (int j = 0; j < b.length; j++) b[j] = r.nextInt(c.vocabSize());
            out.addAll(TaskLoss.binary(a, 3, b, 5));
        }
        return out;
    }

    static Map<String, Object> compute(Setup s, List<int[]> ws, List<TaskLoss.Sequence> held, Examples.Settings settings) {
        return Examples.compute(s.tracer(), "under the circuit", s.nodes(), id -> id == 0 ? " \n" : "t" + id,
                new Examples.Windows(ws, ws.size(), BATCH, 0), held, settings, m -> { });
    }

    static double num(Object o) {
        return ((Number) o).doubleValue();
    }

    static void close(double want, double got, double tol, String what) {
        assertTrue(Math.abs(want - got) <= tol, what + ": want " + want + ", got " + got + " (tolerance " + tol + ")");
    }

    @Test
    @SuppressWarnings("unchecked")
    void agreesWithTheTracer() {
        Setup s = setup(CFG, 0.3, 3);
        List<int[]> ws = windows(CFG, BATCHES, 11);
        List<TaskLoss.Sequence> held = held(CFG, 6, 9, 5);
        Map<String, Object> ex = compute(s, ws, held, Examples.Settings.DEFAULT);
        assertEquals(true, ex.get("enabled"));
        assertEquals(Json.write(ex), Json.write(compute(s, ws, held, Examples.Settings.DEFAULT)), "deterministic");
        Map<String, Object> nodes = (Map<String, Object>) ex.get("nodes");
        Map<String, Object> windows = (Map<String, Object>) ex.get("windows");
        Map<String, Object> text = (Map<String, Object>) ex.get("text");
        List<Object> prompts = (List<Object>) ex.get("prompts");
        assertEquals(8, prompts.size(), "the first 8 held-out sequences");
        assertEquals(s.nodes().size(), nodes.size());
        assertEquals(" \n", text.get("0"));

        List<int[]> embedded = new ArrayList<>();
        for (int i = 0; i < 8; i++) embedded.add(held.get(i).tokens());
        Tracer.Trace trace = s.tracer().run(embedded, ".*");
        List<int[]> classA = new ArrayList<>(), classB = new ArrayList<>();
        for (int i = 0; i < held.size(); i++) (i % 2 == 0 ? classA : classB).add(held.get(i).tokens());
        Map<String, Tracer.ClassMeans> cm = s.tracer().classMeans(classA, classB, ".*");
        int checkedSnippets = 0, qk = 0, resid = 0;
        for (CircuitGraph.Node n : s.nodes()) {
            Map<String, Object> m = (Map<String, Object>) nodes.get(n.id());
            double scale = num(m.get("s"));
            // snippets: the peak value and every value are the tracer's activation at that window and position
            for (Object qo : (List<Object>) m.get("q")) {
                List<Object> q = (List<Object>) qo;
                for (int side = 2; side <= 3; side++) {
                    for (Object so : (List<Object>) q.get(side)) {
                        List<Object> sn = (List<Object>) so;
                        int w = (int) num(sn.get(0)), start = (int) num(sn.get(1)), peak = (int) num(sn.get(2));
                        float[] vals = Examples.fromQ8((String) sn.get(4), scale);
                        int[] window = new int[CFG.blockSize()];
                        System.arraycopy(ws.get(w / BATCH), (w % BATCH) * CFG.blockSize(), window, 0, CFG.blockSize());
                        float[][] act = s.tracer().run(List.of(window), Tracer.exactly(n.hook())).get(n.hook(), 0);
                        double want = act[start + peak][n.channel()];
                        close(want, num(sn.get(3)), 1e-3 * Math.abs(want) + 1e-5, n.id() + " snippet peak");
                        List<Object> wt = (List<Object>) windows.get(String.valueOf(w));
                        int off = (int) num(wt.get(0));
                        for (int i = 0; i < vals.length; i++) {
                            close(act[start + i][n.channel()], vals[i], scale / 127 * 0.51 + 1e-5, n.id() + " snippet value " + i);
                            assertEquals(window[start + i], (int) num(wt.get(1 + start + i - off)), "snippet token");
                            assertNotNull(text.get(String.valueOf(window[start + i])));
                        }
                        checkedSnippets++;
                    }
                }
            }
            // prompts: every position of every embedded prompt
            float[] p = Examples.fromQ8((String) m.get("p"), scale);
            int k = 0;
            for (int i = 0; i < embedded.size(); i++) {
                for (float[] row : trace.get(n.hook(), i)) {
                    close(row[n.channel()], p[k++], scale / 127 * 0.51 + 1e-6, n.id() + " prompt " + i);
                }
            }
            assertEquals(p.length, k);
            assertTrue(num(m.get("lo")) <= num(m.get("min")) && num(m.get("hi")) >= num(m.get("max")));
            List<Object> cls = (List<Object>) m.get("cls");
            Tracer.ClassMeans c = cm.get(n.hook());
            close(c.a()[n.channel()], num(cls.get(0)), 1e-3 * Math.abs(c.a()[n.channel()]) + 1e-6, "class A");
            close(c.b()[n.channel()], num(cls.get(1)), 1e-3 * Math.abs(c.b()[n.channel()]) + 1e-6, "class B");
            close(c.diff()[n.channel()], num(cls.get(2)), 1e-3 * Math.abs(c.diff()[n.channel()]) + 1e-6, "A - B");
            if (n.sublocation().equals("resid_delta")) {
                resid++;
                List<Object> de = (List<Object>) m.get("de");
                assertEquals(8, de.size());
                for (int i = 0; i < 8; i++) {
                    TaskLoss.Sequence sq = held.get(i);
                    Tracer.DirectEffect d = s.tracer().directEffects(sq.tokens(), n.hook(), sq.correct(), sq.other())[n.channel()];
                    List<Object> pair = (List<Object>) de.get(i);
                    close(d.onA(), num(pair.get(0)), 1e-3 * Math.abs(d.onA()) + 1e-6, "direct effect on the correct target");
                    close(d.onB(), num(pair.get(1)), 1e-3 * Math.abs(d.onB()) + 1e-6, "direct effect on the other target");
                }
                List<Object> top = (List<Object>) ((Map<String, Object>) m.get("unemb")).get("top");
                assertEquals(5, top.size());
                Tracer.TokenWeight t0 = s.tracer().unembeddingTokens(n.channel(), 1, true).get(0);
                assertEquals((long) t0.token(), ((List<Object>) top.get(0)).get(0));
            } else {
                assertNull(m.get("de"));
            }
            if (n.sublocation().equals("q") || n.sublocation().equals("k")) {
                qk++;
                Map<String, Object> att = (Map<String, Object>) m.get("att");
                Tracer.Attention a = s.tracer().attention(embedded.get(0), n.layer(), n.channel());
                assertEquals(n.layer() + "." + a.head(), att.get("head"));
                Map<String, Object> head = (Map<String, Object>) ((Map<String, Object>) ex.get("heads")).get(att.get("head"));
                byte[] pat = java.util.Base64.getDecoder().decode((String) head.get("p"));
                float[] cs = Examples.fromQ8((String) att.get("c"), num(att.get("cs")));
                int t = embedded.get(0).length, j0 = 0;
                assertEquals(t * (t + 1) / 2, pat.length);
                for (int i = 0; i < t; i++) {
                    for (int j = 0; j <= i; j++, j0++) {
                        close(a.pattern()[i][j], (pat[j0] & 0xff) / 255.0, 0.51 / 255, "attention pattern");
                        close(a.channelScores()[i][j], cs[j0], num(att.get("cs")) / 127 * 0.51 + 1e-6, "channel score");
                    }
                }
            } else {
                assertNull(m.get("att"));
            }
        }
        assertTrue(checkedSnippets > s.nodes().size() * 8, checkedSnippets + " snippets");
        assertTrue(qk > 0 && resid > 0, qk + " q/k nodes, " + resid + " resid_delta nodes");
    }

    @Test
    void sizeBudgetOnALargerCircuit() {
        GptConfig big = GptConfig.builder().vocabSize(512).nLayer(4).dModel(64).blockSize(64).build();
        Setup s = setup(big, 0.37, 5);
        int n = s.nodes().size();
        assertTrue(n > 900 && n < 1200, n + " nodes");
        long t0 = System.nanoTime();
        Map<String, Object> ex = compute(s, windows(big, 4, 3), held(big, 8, 32, 4), Examples.Settings.DEFAULT);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        int bytes = ViewerHtml.json(ex).getBytes(StandardCharsets.UTF_8).length;
        System.err.printf("ExamplesTest: %d nodes, %d bytes, %.0f bytes per node, %d ms%n", n, bytes, (double) bytes / n, ms);
        assertTrue(bytes <= 1536L * n, bytes / n + " bytes per node");
    }

    @Test
    @SuppressWarnings("unchecked")
    void singleTargetTasksAndEmptyCircuits() {
        Setup s = setup(CFG, 0.1, 4);
        List<int[]> ws = windows(CFG, 2, 1);
        List<TaskLoss.Sequence> withB = new ArrayList<>(), onlyA = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            withB.addAll(TaskLoss.single(new int[] {1, 2, 3 + i}, 7, new int[] {4, 5, 6 + i}));
            onlyA.addAll(TaskLoss.single(new int[] {1, 2, 3 + i}, 7, null));
        }
        Map<String, Object> ex = compute(s, ws, withB, Examples.Settings.DEFAULT);
        List<Object> prompts = (List<Object>) ex.get("prompts");
        assertEquals(6, prompts.size());
        Map<String, Object> p0 = (Map<String, Object>) prompts.get(0), p1 = (Map<String, Object>) prompts.get(1);
        assertEquals("A", p0.get("class"));
        assertEquals("B", p1.get("class"));
        assertEquals(java.util.Arrays.asList(7L, null), p0.get("targets"));
        assertEquals(java.util.Arrays.asList(null, 7L), p1.get("targets"));
        for (Object o : ((Map<String, Object>) ex.get("nodes")).values()) {
            Map<String, Object> m = (Map<String, Object>) o;
            assertNotNull(((List<Object>) m.get("cls")).get(2));
            if (m.get("de") != null) {
                List<Object> d0 = (List<Object>) ((List<Object>) m.get("de")).get(0), d1 = (List<Object>) ((List<Object>) m.get("de")).get(1);
                assertTrue(d0.get(0) != null && d0.get(1) == null && d1.get(0) == null && d1.get(1) != null, d0 + " " + d1);
            }
        }
        Map<String, Object> a = compute(s, ws, onlyA, Examples.Settings.DEFAULT);
        for (Object o : ((Map<String, Object>) a.get("nodes")).values()) {
            List<Object> cls = (List<Object>) ((Map<String, Object>) o).get("cls");
            assertTrue(cls.get(0) != null && cls.get(1) == null && cls.get(2) == null, "no class B: " + cls);
        }
        Setup empty = new Setup(s.model(), s.tracer(), List.of());
        Map<String, Object> none = compute(empty, ws, withB, Examples.Settings.DEFAULT);
        assertEquals(true, none.get("enabled"));
        assertTrue(((Map<String, Object>) none.get("nodes")).isEmpty());
        Map<String, Object> noPrompts = compute(s, ws, List.of(), Examples.Settings.DEFAULT);
        assertTrue(((List<Object>) noPrompts.get("prompts")).isEmpty());
    }

    @Test
    void offSaysWhy() {
        Map<String, Object> off = Examples.off("no token data");
        assertEquals(false, off.get("enabled"));
        assertEquals("no token data", off.get("reason"));
    }

    /**
     * With Node.js on PATH: the page's script against a fake DOM. Selecting a node fills #examples-body with
     * heat-map tokens (coloured, the peak outlined, values in titles) and #prompt-view with one token per position.
     */
    @Test
    void selectingANodeFillsThePanels(@TempDir Path tmp) throws Exception {
        Path node = ViewerHtmlTest.onPath("node");
        if (node == null) {
            System.err.println("ExamplesTest: node (Node.js) is not on PATH: the page check is skipped");
            return;
        }
        Setup s = setup(CFG, 0.3, 3);
        List<TaskLoss.Sequence> held = held(CFG, 6, 9, 5);
        Map<String, Object> ex = compute(s, windows(CFG, BATCHES, 11), held, Examples.Settings.DEFAULT);
        CircuitGraph g = CircuitGraph.of(CFG, Map.of(), masks(s), Map.of(), List.of(), Map.of());
        String html = ViewerHtml.render(g, Map.of("task", "toy"), "m", null, ModelJs.off("test"), ex);
        Path script = tmp.resolve("page.js");
        int a = html.lastIndexOf("<script>") + "<script>".length();
        String js = html.substring(a, html.indexOf("</script>", a));
        Files.writeString(script, ViewerHtmlTest.FAKE_DOM.replace("__DATA__", Json.write(block(html, "data")))
                .replace("__LIVE__", Json.write(block(html, "live"))).replace("__EXAMPLES__", Json.write(block(html, "examples")))
                + js + CHECK, StandardCharsets.UTF_8);
        String out = ViewerHtmlTest.runNode(node, script);
        // the q/k node picked by CHECK: its examples panel and its prompt view on prompt 0
        Map<?, ?> r = (Map<?, ?>) Json.parse(out.trim());
        assertEquals(true, r.get("hasNote"), out);
        assertTrue(num(r.get("snippetTokens")) >= 16, out);
        assertTrue(num(r.get("peaks")) >= 8, out);
        assertTrue(num(r.get("coloured")) > 0, out);
        assertEquals(true, r.get("legend"), out);
        assertEquals(true, r.get("attention"), out);
        assertEquals((double) held.get(0).tokens().length, num(r.get("promptTokens")), out);
        assertEquals(true, r.get("promptTitles"), out);
        assertEquals(true, r.get("targets"), out);
        assertEquals(true, r.get("whitespace"), out);
        assertEquals(true, r.get("pickerSwitches"), out);
        assertEquals((double) s.nodes().size(), num(r.get("grid")), "a clickable row per circuit node in the nodes x tokens grid: " + out);
        assertEquals(true, r.get("gridSelects"), out);
        assertEquals(true, r.get("cleared"), out);

        // examples off: the reason is shown in both panels
        String offHtml = ViewerHtml.render(g, Map.of("task", "toy"), "m", null, ModelJs.off("test"), Examples.off("--snippet-windows 0"));
        Files.writeString(script, ViewerHtmlTest.FAKE_DOM.replace("__DATA__", Json.write(block(offHtml, "data")))
                .replace("__LIVE__", Json.write(block(offHtml, "live"))).replace("__EXAMPLES__", Json.write(block(offHtml, "examples")))
                + js + OFF_CHECK, StandardCharsets.UTF_8);
        String offOut = ViewerHtmlTest.runNode(node, script);
        assertTrue(offOut.contains("--snippet-windows 0") && !offOut.contains("ERR"), offOut);
        assertFalse(offOut.isBlank());
    }

    private static Map<String, float[]> masks(Setup s) {
        Map<String, float[]> m = new LinkedHashMap<>();
        for (NodeLocation l : NodeLocation.of(CFG)) m.put(l.hook(), new float[l.width()]);
        for (CircuitGraph.Node n : s.nodes()) m.get(n.hook())[n.channel()] = 1;
        return m;
    }


    private static String block(String html, String id) {
        String open = "<script type=\"application/json\" id=\"" + id + "\">";
        int a = html.indexOf(open) + open.length();
        return html.substring(a, html.indexOf("</script>", a));
    }

    /** Selects the first q node, inspects what the panels hold; then picks prompt 1; then clears the selection. */
    private static final String CHECK = """
            ;(function () {
              function all(e, out) { out = out || []; out.push(e); (e.children || []).forEach(function (c) { all(c, out); }); return out; }
              function cls(e, c) { return (' ' + (e.className || (e.attrs && e.attrs['class']) || '') + ' ').indexOf(' ' + c + ' ') >= 0; }
              var nodes = created.filter(function (e) { return e.attrs['class'] === 'node' && /attn\\.q:/.test(e.attrs['data-id'] || ''); });
              nodes[0].ls.click({stopPropagation: function () {}});
              var ex = all(byId['examples-body']), pv = all(byId['prompt-view']);
              var snip = ex.filter(function (e) { return cls(e, 'ex-tok'); });
              var text = ex.map(function (e) { return e.textContent || ''; }).join('|');
              var id = nodes[0].attrs['data-id'];
              var ptoks = function () { return all(byId['prompt-view']).filter(function (e) { return cls(e, 'ex-tok') && String(e.title).indexOf(' ' + id + ': ') >= 0; }); };
              var p0 = ptoks();
              var picker = pv.filter(function (e) { return e.tag === 'select'; })[0];
              var r = {
                hasNote: /circuit/.test(text),
                snippetTokens: snip.length,
                peaks: snip.filter(function (e) { return cls(e, 'ex-peak'); }).length,
                coloured: snip.filter(function (e) { return /rgb/.test(e.style.background || ''); }).length,
                legend: ex.some(function (e) { return cls(e, 'ex-legend'); }),
                attention: ex.some(function (e) { return cls(e, 'ex-att'); }),
                promptTokens: p0.length,
                promptTitles: p0.every(function (e) { return /^-?[0-9]/.test(String(e.title).split(': ').pop()) || /e/.test(e.title); }),
                targets: pv.some(function (e) { return cls(e, 'ex-targets') && /t3/.test(all(e).map(function (x) { return x.textContent; }).join('')); }),
                whitespace: created.some(function (e) { return cls(e, 'ex-tok') && e.textContent === '\\u2423\\u23ce'; })
              };
              picker.value = '1';
              (picker.ls.change || picker.ls.input)({});
              var p1 = ptoks();
              r.pickerSwitches = p1.length > 0;
              var box = pv.filter(function (e) { return e.tag === 'input' && e.type === 'checkbox'; })[0];
              box.checked = true;
              box.ls.change({});
              var rows = created.filter(function (e) { return e.tag === 'rect' && e.ls.click; });
              r.grid = rows.length;
              rows[rows.length - 1].ls.click({});
              r.gridSelects = location.hash.indexOf('node=') === 1 && location.hash !== '#node=' + encodeURIComponent(id);
              byId['graph'].ls.click({});
              r.cleared = /Click a node/.test(byId['examples-body'].textContent);
              console.log(JSON.stringify(r));
            })();
            """;

    private static final String OFF_CHECK = """
            ;(function () {
              var nodes = created.filter(function (e) { return e.attrs['class'] === 'node' && e.attrs['data-id']; });
              nodes[0].ls.click({stopPropagation: function () {}});
              console.log(byId['examples-body'].textContent + ' / ' + byId['prompt-view'].textContent);
            })();
            """;
}
