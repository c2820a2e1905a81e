package sparsecircuits.present.viewer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sparsecircuits.autograd.graph.Ops;
import sparsecircuits.autograd.graph.Tensor;
import sparsecircuits.autograd.param.Parameter;
import sparsecircuits.kernels.KernelProvider;
import sparsecircuits.model.gpt.Gpt;
import sparsecircuits.model.gpt.GptConfig;
import sparsecircuits.model.json.Json;
import sparsecircuits.present.export.CircuitGraph;
import sparsecircuits.pruning.loss.Choice;
import sparsecircuits.pruning.loss.TaskLoss;
import sparsecircuits.pruning.nodes.NodeLocation;
import sparsecircuits.pruning.nodes.NodeMask;
import sparsecircuits.pruning.nodes.NodeMeans;

/**
 * Live what-if ablation (issue 6 §3): the page's JavaScript forward pass over the embedded sparse model gives the
 * same task loss (within 1e-4) and target logits (within 1e-3) as the Java forward pass with the same node mask,
 * for several masks; the model blob is off (with a reason) above the size limit.
 */
class LiveAblationTest {
    static final GptConfig CFG = ViewerHtmlTest.CFG;

    /** A tiny sparse model with every tensor nonzero and random (sinks, gains, biases, bigram table, final logits bias). */
    static Gpt model() {
        Gpt g = new Gpt(CFG, 5);
        Random r = new Random(9);
        Set<Parameter> gains = Collections.newSetFromMap(new IdentityHashMap<>());
        for (int l = 0; l < CFG.nLayer(); l++) gains.addAll(List.of(g.block(l).ln1(), g.block(l).ln2()));
        gains.add(g.finalNorm());
        for (Parameter p : g.parameterList()) {
            float[] v = p.value();
            boolean gain = gains.contains(p);
            for (int i = 0; i < v.length; i++) {
                v[i] = gain ? (float) (0.5 + r.nextDouble()) : (float) (0.4 * r.nextGaussian());
            }
            if (p.isSparse()) p.sparsify(Math.max(1, p.numel() / 3), 0);
        }
        float[] flb = g.finalLogitsBias();
        for (int i = 0; i < flb.length; i++) flb[i] = (float) (0.3 * r.nextGaussian());
        return g;
    }

    static NodeMeans means() {
        Map<String, float[]> m = new LinkedHashMap<>();
        Random r = new Random(4);
        for (NodeLocation l : NodeLocation.of(CFG)) {
            float[] v = new float[l.width()];
            for (int i = 0; i < v.length; i++) v[i] = (float) r.nextGaussian();
            m.put(l.hook(), v);
        }
        return NodeMeans.of(m, 100);
    }

    @Test
    void thePagesForwardPassMatchesJava(@TempDir Path tmp) throws Exception {
        Path node = ViewerHtmlTest.onPath("node");
        if (node == null) {
            Assumptions.abort("node (Node.js) is not on PATH: the live-ablation check of the page's script is skipped");
        }
        Gpt model = model();
        NodeMeans means = means();
        Random r = new Random(12);
        int[] lengths = {5, 3, 6, 8, 4, 6, 2};
        List<int[]> prompts = new ArrayList<>();
        int n = lengths.length;
        int[] correct = new int[n], other = new int[n];
        List<TaskLoss.Sequence> seqs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int[] t = new int[lengths[i]];
            for (int j = 0; j < t.length; j++) t[j] = r.nextInt(CFG.vocabSize());
            prompts.add(t);
            correct[i] = r.nextInt(CFG.vocabSize());
            other[i] = (correct[i] + 1 + r.nextInt(CFG.vocabSize() - 1)) % CFG.vocabSize();
            Choice kind = Choice.BINARY;
            if (i == 4) { other[i] = -1; kind = Choice.TARGET; }
            if (i == 5) { correct[i] = -1; kind = Choice.AVOID; }
            seqs.add(new TaskLoss.Sequence(t, correct[i], other[i], kind));
        }
        // masks: all kept; a random half ablated; one location fully ablated; a few nodes in each layer
        List<List<String>> masks = new ArrayList<>();
        masks.add(List.of());
        List<String> half = new ArrayList<>(), loc = new ArrayList<>(), few = new ArrayList<>();
        Random mr = new Random(2);
        for (NodeLocation l : NodeLocation.of(CFG)) {
            for (int c = 0; c < l.width(); c++) {
                String id = CircuitGraph.id(l.hook(), c);
                if (mr.nextBoolean()) half.add(id);
                if (l.hook().equals("0.attn.v")) loc.add(id);
                if (c % 5 == 1) few.add(id);
            }
        }
        masks.add(half);
        masks.add(loc);
        masks.add(few);

        Map<String, Object> live = ModelJs.data(model, means, prompts, correct, other);
        assertEquals(true, live.get("enabled"), String.valueOf(live.get("reason")));
        CircuitGraph g = ViewerHtmlTest.graph(false);
        String html = ViewerHtml.render(g, g.run(), "model.safetensors", "ab".repeat(32), live);
        int a = html.lastIndexOf("<script>") + "<script>".length();
        String js = html.substring(a, html.indexOf("</script>", a));
        String run = "\n;window.liveReady.then(function (ok) {\n  if (!ok) throw new Error('live ablation did not start: ' + byId['live-status'].textContent);\n"
                + "  var masks = " + Json.write(masks) + ";\n"
                + "  masks.forEach(function (m) { var r = window.liveAblation(m); console.log(JSON.stringify([r.loss, r.logitA, r.logitB])); });\n"
                + "  var nodes = created.filter(function (e) { return e.attrs['class'] === 'node' && e.attrs['data-id']; });\n"
                + "  nodes[0].ls.click({stopPropagation: function () {}});\n"
                + "  var b = created.filter(function (e) { return e.tag === 'button'; });\n"
                + "  b[b.length - 1].ls.click();\n" // the page computes after a short timeout, so that it can paint 'computing...'
                + "  return new Promise(function (done) { setTimeout(done, 200); });\n"
                + "}).then(function () {\n"
                + "  console.log('live-loss ' + byId['live-loss'].textContent + ' | ' + byId['live-logits'].textContent);\n"
                // a toggle above block 0 starts from the baseline's saved block inputs: the same loss as the full pass
                + "  var D = JSON.parse(byId['data'].textContent), C = JSON.parse(byId['live'].textContent).config, inC = {}, out = [];\n"
                + "  D.nodes.forEach(function (n) { inC[n.id] = 1; });\n"
                + "  var rows = ['attn.act_in', 'attn.q', 'attn.k', 'attn.v', 'attn.resid_delta', 'mlp.act_in', 'mlp.post_act', 'mlp.resid_delta'];\n"
                + "  for (var l = 0; l < C.n_layer; l++) rows.forEach(function (loc) {\n"
                + "    var w = /attn[.][qkv]$/.test(loc) ? C.n_head * C.d_head : loc === 'mlp.post_act' ? C.d_mlp : C.d_model;\n"
                + "    for (var c = 0; c < w; c++) if (!inC[l + '.' + loc + ':' + c]) out.push(l + '.' + loc + ':' + c);\n"
                + "  });\n"
                + "  var first = D.nodes[0].id, upper = D.nodes.filter(function (n) { return n.layer === C.n_layer - 1; })[0].id;\n"
                + "  window.liveToggle(first);\n" // restores the node the button ablated
                + "  var r = window.liveToggle(upper), full = window.liveAblation(out.concat([upper]));\n"
                + "  console.log(JSON.stringify([r.loss, full.loss, r.logitA, full.logitA]));\n"
                + "}).catch(function (e) { console.error(e); process.exit(3); });\n";
        Path script = tmp.resolve("live.js");
        Files.writeString(script, ViewerHtmlTest.FAKE_DOM.replace("__DATA__", Json.write(ViewerHtmlTest.block(html)))
                .replace("__LIVE__", Json.write(ViewerHtmlTest.liveBlock(html)))
                .replace("__EXAMPLES__", Json.write(ViewerHtmlTest.examplesBlock(html))) + js + run, StandardCharsets.UTF_8);
        String out = ViewerHtmlTest.runNode(node, script);
        String[] lines = out.trim().split("\n");
        assertEquals(masks.size() + 2, lines.length, out);

        Ops ops = new Ops(KernelProvider.get(), null);
        double[] javaLoss = new double[masks.size()];
        for (int i = 0; i < masks.size(); i++) {
            NodeMask mask = mask(masks.get(i), means);
            javaLoss[i] = TaskLoss.evaluate(model, seqs, ops, mask).loss();
            float[] first = TaskLoss.lastLogits(model, seqs.subList(0, 1), ops, (b, t) -> mask)[0];
            List<?> js3 = (List<?>) Json.parse(lines[i]);
            double jsLoss = ((Number) js3.get(0)).doubleValue();
            assertEquals(javaLoss[i], jsLoss, 1e-4, "task loss, mask " + i + " (" + masks.get(i).size() + " nodes ablated)");
            assertEquals(first[correct[0]], ((Number) js3.get(1)).doubleValue(), 1e-3, "logit A, mask " + i);
            assertEquals(first[other[0]], ((Number) js3.get(2)).doubleValue(), 1e-3, "logit B, mask " + i);
        }
        for (int i = 1; i < masks.size(); i++) {
            assertTrue(Math.abs(javaLoss[i] - javaLoss[0]) > 1e-3, "mask " + i + " changes the loss (the comparison means something)");
        }
        String ui = lines[masks.size()];
        assertTrue(ui.startsWith("live-loss ") && !ui.contains("n/a") && ui.contains("circuit"), ui);
        List<?> cached = (List<?>) Json.parse(lines[masks.size() + 1]);
        assertEquals(((Number) cached.get(1)).doubleValue(), ((Number) cached.get(0)).doubleValue(), 1e-12,
                "a toggle in the last block, resumed from saved streams, vs the full forward pass");
        assertEquals(((Number) cached.get(3)).doubleValue(), ((Number) cached.get(2)).doubleValue(), 1e-12);
    }

    @Test
    void aModelAboveTheLimitIsOffWithAReason() {
        Map<String, Object> off = ModelJs.off("the model has 9 nonzero parameters, more than the 1 the page embeds");
        CircuitGraph g = ViewerHtmlTest.graph(false);
        String html = ViewerHtml.render(g, g.run(), null, null, off);
        Map<?, ?> d = (Map<?, ?>) Json.parse(ViewerHtmlTest.liveBlock(html));
        assertEquals(false, d.get("enabled"));
        assertTrue(html.contains("live ablation is off: "));
        assertTrue(ModelJs.nonZeros(model()) < ModelJs.MAX_NONZEROS);
        assertFalse((Boolean) ModelJs.data(model(), means(), List.of(), new int[0], new int[0]).get("enabled"), "no prompts: off");
    }

    static NodeMask mask(List<String> ablated, NodeMeans means) {
        Map<String, Tensor> gates = new LinkedHashMap<>();
        Map<String, float[]> g = new LinkedHashMap<>();
        for (NodeLocation l : NodeLocation.of(CFG)) {
            float[] v = new float[l.width()];
            java.util.Arrays.fill(v, 1f);
            g.put(l.hook(), v);
        }
        for (String id : ablated) {
            int i = id.lastIndexOf(':');
            g.get(id.substring(0, i))[Integer.parseInt(id.substring(i + 1))] = 0f;
        }
        for (Map.Entry<String, float[]> e : g.entrySet()) gates.put(e.getKey(), Tensor.constant(e.getValue(), e.getValue().length));
        return new NodeMask(gates, means, NodeMask.Ablation.MEAN);
    }
}
