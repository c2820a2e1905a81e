package sparsecircuits.pruning.prune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import sparsecircuits.kernels.KernelProvider;
import sparsecircuits.kernels.Kernels;
import sparsecircuits.kernels.WorkerPool;
import sparsecircuits.model.gpt.Gpt;
import sparsecircuits.model.gpt.GptConfig;
import sparsecircuits.model.json.Json;
import sparsecircuits.pruning.circuit.Circuit;
import sparsecircuits.pruning.loss.TaskLoss;
import sparsecircuits.pruning.nodes.NodeMask;
import sparsecircuits.pruning.nodes.NodeMeans;

/**
 * The circuits of a small model as the pruner found them before issue 15 (pruning at width) changed the frozen
 * model's pass: node sets, edges, the full loss and every bisection point, recorded once in
 * {@code golden-circuit.json} by {@link #main} at commit 05ca81d and never regenerated. Faster pruning must find the
 * same nodes and edges, with losses within 1e-4.
 */
class GoldenCircuitTest {
    static final GptConfig CFG = GptConfig.builder().vocabSize(24).nLayer(2).dModel(64).dMlp(128).blockSize(6).build();
    static final double LOSS_TOLERANCE = 1e-4;
    /** The bisection target: the full model's held-out loss plus this (the binary task loss is ln 2 ≈ 0.69 at chance). */
    static final double TARGET_ABOVE_FULL = 0.3;

    /** The two prunings recorded: mean ablation at two sparsity penalties (one small circuit, one larger). */
    static final double[] K_COEFS = {1e-2, 3e-3};

    /** What the pruner finds for each k_coef, as the fixture stores it. */
    static Map<String, Object> run() {
        return run(KernelProvider.get());
    }

    /** {@link #run()} on these kernels (their thread count). */
    static Map<String, Object> run(Kernels kernels) {
        Gpt g = PrunerTest.opinionatedModel(CFG, 16);
        NodeMeans means = PrunerTest.means(g);
        List<TaskLoss.Sequence> train = PrunerTest.task(g, 32, 1), held = PrunerTest.task(g, 16, 2);
        Pruner pruner = new Pruner(g, means, NodeMask.Ablation.MEAN, kernels);
        Map<String, Object> out = new LinkedHashMap<>();
        for (double kCoef : K_COEFS) {
            Map<String, float[]> tau = pruner.train(train, Pruner.Settings.defaults().withSteps(200).withKCoef(kCoef), (a, b, c, d) -> { });
            double full = pruner.loss(pruner.topK(tau, sparsecircuits.pruning.nodes.NodeLocation.count(CFG)), held);
            Pruner.Outcome o = pruner.outcome(tau, held, full + TARGET_ABOVE_FULL);
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("full_loss", o.bisection().fullLoss());
            one.put("k", o.bisection().k());
            one.put("loss", o.bisection().loss());
            List<Object> points = new ArrayList<>();
            for (Pruner.Point p : o.bisection().points()) points.add(List.of(p.k(), p.loss()));
            one.put("points", points);
            Map<String, Object> nodes = new LinkedHashMap<>();
            List<Object> edges = new ArrayList<>();
            if (o.circuit() != null) {
                for (var e : o.circuit().kept().entrySet()) {
                    List<Object> idx = new ArrayList<>();
                    for (int i = 0; i < e.getValue().length; i++) if (e.getValue()[i]) idx.add((long) i);
                    nodes.put(e.getKey(), idx);
                }
                for (Circuit.Edge e : o.circuit().edges()) edges.add(e.type() + " " + e.fromHook() + ":" + e.from() + " -> " + e.toHook() + ":" + e.to());
            }
            one.put("nodes", nodes);
            one.put("edges", edges);
            out.put("k_coef " + kCoef, one);
        }
        return out;
    }

    @Test
    @SuppressWarnings("unchecked")
    void theSameCircuitsAsBeforeIssue15() throws IOException {
        Map<String, Object> expected;
        try (InputStream in = GoldenCircuitTest.class.getResourceAsStream("golden-circuit.json")) {
            assertNotNull(in, "golden-circuit.json is missing from the test resources");
            expected = (Map<String, Object>) Json.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
        Map<String, Object> got = run();
        assertEquals(expected.keySet(), got.keySet());
        for (String key : expected.keySet()) {
            Map<String, Object> e = (Map<String, Object>) expected.get(key), g = (Map<String, Object>) got.get(key);
            assertEquals(e.get("nodes"), g.get("nodes"), key + ": node sets");
            assertEquals(e.get("edges"), g.get("edges"), key + ": edges");
            assertEquals(((Number) e.get("k")).longValue(), ((Number) g.get("k")).longValue(), key + ": k");
            for (String loss : List.of("full_loss", "loss")) {
                assertEquals(((Number) e.get(loss)).doubleValue(), ((Number) g.get(loss)).doubleValue(), LOSS_TOLERANCE, key + ": " + loss);
            }
            List<List<Number>> ep = (List<List<Number>>) e.get("points"), gp = (List<List<Number>>) g.get("points");
            assertEquals(ep.size(), gp.size(), key + ": bisection points");
            for (int i = 0; i < ep.size(); i++) {
                assertEquals(ep.get(i).get(0).longValue(), gp.get(i).get(0).longValue(), key + ": bisection point " + i + " k");
                assertEquals(ep.get(i).get(1).doubleValue(), gp.get(i).get(1).doubleValue(), LOSS_TOLERANCE, key + ": bisection point " + i + " loss");
            }
        }
    }

    /** Writes the fixture: run once, at the commit before issue 15's changes (the class comment names it). */
    public static void main(String[] args) throws IOException {
        Path out = Path.of(args.length > 0 ? args[0] : "pruning/src/test/resources/sparsecircuits/pruning/prune/golden-circuit.json");
        Files.createDirectories(out.getParent());
        Files.writeString(out, Json.writePretty(run()) + "\n");
    }

    /** Mask training, bisection and the circuit are bit-identical on 1 and 3 threads (every loss, every node, every edge). */
    @Test
    void bitIdenticalCircuitsForAnyThreadCount() {
        Map<String, Object> one, three;
        try (WorkerPool pool = new WorkerPool(1)) {
            one = run(KernelProvider.create(pool));
        }
        try (WorkerPool pool = new WorkerPool(3)) {
            three = run(KernelProvider.create(pool));
        }
        assertEquals(one, three);
    }

    /** The ablation deltas (every node's and every location's held-out evaluation) are bit-identical on 1 and 3 threads. */
    @Test
    void bitIdenticalAblationDeltasForAnyThreadCount() {
        Gpt g = PrunerTest.opinionatedModel(CFG, 16);
        NodeMeans means = PrunerTest.means(g);
        List<TaskLoss.Sequence> train = PrunerTest.task(g, 32, 1), held = PrunerTest.task(g, 16, 2);
        List<List<Pruner.Delta>> byThreads = new ArrayList<>();
        for (int threads : new int[] {1, 3}) {
            try (WorkerPool pool = new WorkerPool(threads)) {
                Pruner pruner = new Pruner(g, means, NodeMask.Ablation.MEAN, KernelProvider.create(pool));
                Map<String, float[]> tau = pruner.train(train, Pruner.Settings.defaults().withSteps(60).withKCoef(3e-3), (a, b, c, d) -> { });
                Map<String, sparsecircuits.autograd.graph.Tensor> gates = pruner.topK(tau, 40);
                List<Pruner.Delta> deltas = new ArrayList<>(pruner.nodeDeltas(gates, held, 25));
                deltas.addAll(pruner.blockDeltas(gates, held));
                byThreads.add(deltas);
            }
        }
        assertEquals(25, byThreads.get(0).stream().filter(d -> d.channel() >= 0).count(), "25 node deltas");
        assertEquals(byThreads.get(0), byThreads.get(1));
    }
}
