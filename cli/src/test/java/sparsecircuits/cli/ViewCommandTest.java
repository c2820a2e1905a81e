package sparsecircuits.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sparsecircuits.model.json.Json;
import sparsecircuits.pruning.circuit.CircuitSample;

/** view through Main.run on a fixed circuit of a tiny trained model: the page with the circuit's counts, one line for bad input. */
class ViewCommandTest {

    @Test
    void writesThePageAndRefusesBadInput(@TempDir Path tmp) throws Exception {
        Path model = tmp.resolve("m"), circuit = tmp.resolve("c");
        assertEquals(0, TrainCommandTest.train(model, "--steps", "2").status());
        CircuitSample.save(model, circuit);
        Map<?, ?> cj = (Map<?, ?>) Json.read(circuit.resolve("circuit.json"));
        long nodes = ((Number) cj.get("nodes")).longValue(), edges = ((Number) cj.get("edges")).longValue();
        assertTrue(nodes > 0 && edges > 0, nodes + " nodes, " + edges + " edges");

        MainTest.Run r = view(model, circuit);
        assertEquals(0, r.status(), r.err());
        Path page = circuit.resolve("view.html");
        assertTrue(r.out().contains(page.toString()) && r.out().contains(nodes + " nodes, " + edges + " edges"), r.out());
        String html = Files.readString(page);
        String open = "<script type=\"application/json\" id=\"data\">";
        int a = html.indexOf(open) + open.length();
        Map<?, ?> data = (Map<?, ?>) Json.parse(html.substring(a, html.indexOf("</script>", a)));
        assertEquals(nodes, ((List<?>) data.get("nodes")).size());
        assertEquals((long) edges, ((Number) ((Map<?, ?>) data.get("links")).get("n")).longValue());
        assertEquals(cj.get("model_sha256"), ((Map<?, ?>) data.get("model")).get("sha256"));
        String liveOpen = "<script type=\"application/json\" id=\"live\">";
        int b = html.indexOf(liveOpen) + liveOpen.length();
        Map<?, ?> live = (Map<?, ?>) Json.parse(html.substring(b, html.indexOf("</script>", b)));
        assertEquals(true, live.get("enabled"), "live ablation for a tiny model: " + live.get("reason") + "\n" + r.err());
        assertEquals(16, ((List<?>) live.get("prompts")).size(), "8 held-out pairs, both sides");
        assertTrue(r.out().contains("live ablation on"), r.out());
        examplesMatchThePage(html, data, live, r);
        liveMatchesEval(model, circuit, html, tmp);
        try (var s = Files.list(circuit)) {
            assertEquals(3, s.count(), "circuit.json, circuit.safetensors, view.html and no temporary files");
        }

        MainTest.Run elsewhere = view(model, circuit, "--out", tmp.resolve("v.html").toString());
        assertEquals(0, elsewhere.status(), elsewhere.err());
        assertTrue(Files.readString(tmp.resolve("v.html")).startsWith("<!DOCTYPE html>"));
        MainTest.Run off = view(model, circuit, "--out", tmp.resolve("off.html").toString(), "--live-pairs", "0");
        assertEquals(0, off.status(), off.err());
        assertTrue(off.out().contains("live ablation off (--live-pairs 0)"), off.out());
        assertTrue(off.out().contains("examples on"), "examples do not need live ablation: " + off.out());
        MainTest.Run noEx = view(model, circuit, "--out", tmp.resolve("noex.html").toString(), "--snippet-windows", "0");
        assertEquals(0, noEx.status(), noEx.err());
        assertTrue(noEx.out().contains("examples off (--snippet-windows 0)"), noEx.out());
        // a model directory without its training config: the corpus is unknown, examples say so and the page is written
        Path bare = tmp.resolve("bare");
        Files.createDirectories(bare);
        try (var s = Files.list(model)) {
            for (Path f : s.toList()) if (Files.isRegularFile(f) && !f.getFileName().toString().equals("train-config.json")) Files.copy(f, bare.resolve(f.getFileName()));
        }
        MainTest.Run bareRun = view(bare, circuit, "--out", tmp.resolve("bare.html").toString());
        assertEquals(0, bareRun.status(), bareRun.err());
        assertTrue(bareRun.out().contains("examples off: ") && bareRun.out().contains("train-config.json"), bareRun.out());
        String bareHtml = Files.readString(tmp.resolve("bare.html"));
        assertEquals(false, ((Map<?, ?>) Json.parse(block(bareHtml, "examples"))).get("enabled"));
        MainTest.assertOneLineError(view(model, circuit, "--out", tmp.resolve("x.html").toString(), "--snippet-windows", "1.5"), "whole number");
        // a model above --live-max-nonzeros: the page is written, live ablation off with the reason
        MainTest.Run small = view(model, circuit, "--out", tmp.resolve("small.html").toString(), "--live-max-nonzeros", "10", "--snippet-windows", "0");
        assertEquals(0, small.status(), small.err());
        assertTrue(small.out().contains("live ablation off: the model has") && small.out().contains("--live-max-nonzeros"), small.out());

        // bad input: one line, exit 2, nothing written
        Path other = tmp.resolve("other");
        assertEquals(0, TrainCommandTest.train(other, "--steps", "2", "--seed", "9").status());
        MainTest.assertOneLineError(view(other, circuit, "--out", tmp.resolve("foreign.html").toString()), "comes from another model");
        assertFalse(Files.exists(tmp.resolve("foreign.html")));
        MainTest.assertOneLineError(view(model, tmp.resolve("nowhere")), "circuit.json is missing");
        MainTest.assertOneLineError(view(model, circuit, "--out", tmp.resolve("v.txt").toString()), "must end in .html");
        MainTest.assertOneLineError(view(model, circuit, "--out", tmp.toString()), "is a directory");
        MainTest.assertOneLineError(view(model, circuit, "--out", tmp.resolve("no/such/dir/v.html").toString()), "does not exist");
        MainTest.assertOneLineError(MainTest.run("view", "--model", model.toString()), "needs --circuit");
        MainTest.Run help = MainTest.run("view", "--help");
        assertEquals(0, help.status());
        assertTrue(help.out().contains("file://"), help.out());
    }

    /** The examples block: on, a node entry per circuit node, its prompts the live ablation's first ones. */
    private static void examplesMatchThePage(String html, Map<?, ?> data, Map<?, ?> live, MainTest.Run r) {
        Map<?, ?> ex = (Map<?, ?>) Json.parse(block(html, "examples"));
        assertEquals(true, ex.get("enabled"), "examples for a tiny model: " + ex.get("reason") + "\n" + r.err());
        assertTrue(r.out().contains("examples on"), r.out());
        assertTrue(String.valueOf(ex.get("note")).contains("pruned circuit"), String.valueOf(ex.get("note")));
        Map<?, ?> nodes = (Map<?, ?>) ex.get("nodes");
        for (Object n : (List<?>) data.get("nodes")) {
            Map<?, ?> x = (Map<?, ?>) nodes.get(((Map<?, ?>) n).get("id"));
            assertTrue(x != null && x.get("q") != null && x.get("p") != null, "examples of " + n);
        }
        List<?> prompts = (List<?>) ex.get("prompts"), livePrompts = (List<?>) live.get("prompts");
        assertEquals(8, prompts.size());
        for (int i = 0; i < prompts.size(); i++) {
            Map<?, ?> p = (Map<?, ?>) prompts.get(i), lp = (Map<?, ?>) livePrompts.get(i);
            List<?> lt = (List<?>) lp.get("tokens"), et = (List<?>) p.get("tokens");
            long cut = p.get("cut") == null ? 0 : ((Number) p.get("cut")).longValue();
            assertEquals(lt.subList((int) cut, lt.size()), et, "prompt " + i + ": the live prompt, cut on the left to the context as the task loss cuts it");
            assertEquals(lt.size() - cut, Math.min(lt.size(), ((Number) ((Map<?, ?>) data.get("model")).get("block_size")).longValue()));
            List<?> t = (List<?>) p.get("targets");
            assertEquals(lp.get("correct"), t.get(0) == null ? -1L : t.get(0));
            assertEquals(lp.get("other"), t.get(1) == null ? -1L : t.get(1));
        }
        int bytes = block(html, "examples").length();
        System.err.printf("ViewCommandTest: examples block %d bytes for %d nodes (%d per node); %s%n", bytes, nodes.size(), bytes / Math.max(1, nodes.size()),
                r.out().trim());
    }

    /**
     * With Node.js on PATH: the page's live forward pass with every node outside the circuit ablated gives the task
     * loss 'eval --circuit --pairs 8' computes in Java on the same held-out pairs (within 1e-4).
     */
    private static void liveMatchesEval(Path model, Path circuit, String html, Path tmp) throws Exception {
        Path node = null;
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "node"))) node = Path.of(dir, "node");
        }
        if (node == null) {
            System.err.println("ViewCommandTest: node (Node.js) is not on PATH: the live-ablation check against eval is skipped");
            return;
        }
        MainTest.Run ev = MainTest.run("eval", "--model", model.toString(), "--circuit", circuit.toString(), "--pairs", "8", "--json");
        assertEquals(0, ev.status(), ev.err());
        double want = ((Number) ((Map<?, ?>) Json.parse(ev.out())).get("task_loss")).doubleValue();
        int a = html.lastIndexOf("<script>") + "<script>".length();
        String js = html.substring(a, html.indexOf("</script>", a));
        String data = block(html, "data"), live = block(html, "live");
        String dom = """
                'use strict';
                var byId = {}, created = [];
                function E(tag) {
                  var e = {tag: tag, attrs: {}, children: [], style: {}, textContent: '', ls: {},
                    setAttribute: function (k, v) { this.attrs[k] = String(v); }, appendChild: function (c) { this.children.push(c); return c; },
                    addEventListener: function (t, f) { this.ls[t] = f; },
                    classList: {add: function () {}, remove: function () {}, toggle: function () {}}};
                  created.push(e); return e;
                }
                ['graph', 'empty', 'inspector', 'inspector-body', 'threshold', 'threshold-value', 'search', 'node-count', 'edge-count', 'edge-shown',
                 'title', 'header-body', 'loss-plot', 'controls-body', 'live-status', 'live-loss', 'live-logits'].forEach(function (i) { byId[i] = E('x'); });
                byId['data'] = {textContent: __DATA__};
                byId['live'] = {textContent: __LIVE__};
                byId['examples'] = {textContent: '{}'};
                var performance = {now: function () { return 0; }};
                var localStorage = {getItem: function () { return null; }, setItem: function () {}, removeItem: function () {}};
                var document = {documentElement: E('html'), getElementById: function (i) { if (!byId[i]) byId[i] = E('x'); return byId[i]; },
                  createElement: E, createElementNS: function (ns, t) { return E(t); }, addEventListener: function () {}};
                var location = {hash: '', pathname: '/v.html', search: ''};
                var history = {replaceState: function () {}};
                var window = {addEventListener: function () {}};
                """.replace("__DATA__", Json.write(data)).replace("__LIVE__", Json.write(live));
        String check = """
                ;window.liveReady.then(function (ok) {
                  if (!ok) throw new Error('live ablation did not start: ' + byId['live-status'].textContent);
                  var D = JSON.parse(byId['data'].textContent), C = JSON.parse(byId['live'].textContent).config, inC = {}, out = [];
                  D.nodes.forEach(function (n) { inC[n.id] = 1; });
                  var rows = ['attn.act_in', 'attn.q', 'attn.k', 'attn.v', 'attn.resid_delta', 'mlp.act_in', 'mlp.post_act', 'mlp.resid_delta'];
                  for (var l = 0; l < C.n_layer; l++) rows.forEach(function (loc) {
                    var w = /attn\\.[qkv]$/.test(loc) ? C.n_head * C.d_head : loc === 'mlp.post_act' ? C.d_mlp : C.d_model;
                    for (var c = 0; c < w; c++) if (!inC[l + '.' + loc + ':' + c]) out.push(l + '.' + loc + ':' + c);
                  });
                  console.log(window.liveAblation(out).loss);
                }).catch(function (e) { console.error(e); process.exit(3); });
                """;
        Path script = tmp.resolve("live.js");
        Files.writeString(script, dom + js + check);
        Process p = new ProcessBuilder(node.toString(), script.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS), "node did not finish");
        assertEquals(0, p.exitValue(), out);
        assertEquals(want, Double.parseDouble(out.trim()), 1e-4, "the page's circuit loss vs eval --circuit");
    }

    private static String block(String html, String id) {
        String open = "<script type=\"application/json\" id=\"" + id + "\">";
        int a = html.indexOf(open) + open.length();
        return html.substring(a, html.indexOf("</script>", a));
    }

    private static MainTest.Run view(Path model, Path circuit, String... extra) {
        List<String> a = new java.util.ArrayList<>(List.of("view", "--model", model.toString(), "--circuit", circuit.toString()));
        a.addAll(List.of(extra));
        return MainTest.run(a.toArray(String[]::new));
    }
}
