package sparsecircuits.present.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sparsecircuits.model.checkpoint.CheckpointException;
import sparsecircuits.pruning.circuit.Circuit;

/** The graph read back from a saved bundle is the circuit: same nodes, same edges with the same weights, readable ids. */
class CircuitGraphTest {

    @Test
    void theGraphOfASavedBundleIsTheCircuit(@TempDir Path tmp) {
        ExportFixture f = new ExportFixture(tmp, 5);
        CircuitGraph g = f.graph;
        assertEquals(f.circuit.nodes(), g.nodes().size());
        assertEquals(f.circuit.edges().size(), g.links().size());
        assertTrue(g.links().size() > 20, "the fixture has a real number of edges: " + g.links().size());
        Set<String> ids = new HashSet<>();
        for (CircuitGraph.Node n : g.nodes()) {
            assertTrue(ids.add(n.id()), "unique id " + n.id());
            assertEquals(n.hook() + ":" + n.channel(), n.id());
            assertTrue(f.circuit.kept().get(n.hook())[n.channel()], n.id() + " is kept");
            boolean qkv = Set.of("q", "k", "v").contains(n.sublocation());
            assertEquals(qkv ? n.channel() / 8 : -1, n.head(), "d_head 8 from the config: " + n.id());
            assertTrue(!Float.isNaN(n.mean()), "mean ablation stores the means");
        }
        Set<String> edges = new HashSet<>();
        for (Circuit.Edge e : f.circuit.edges()) edges.add(e.fromHook() + ":" + e.from() + ">" + e.toHook() + ":" + e.to() + "=" + e.weight() + "/" + e.type());
        for (CircuitGraph.Link l : g.links()) {
            assertTrue(edges.remove(l.source() + ">" + l.target() + "=" + l.weight() + "/" + l.type()), "edge of the circuit: " + l);
        }
        assertTrue(edges.isEmpty(), "every circuit edge is in the graph: " + edges);
        String q = f.first("0.attn.q");
        CircuitGraph.Node qn = g.nodes().stream().filter(n -> n.id().equals(q)).findFirst().orElseThrow();
        assertEquals(ExportFixture.AWKWARD, qn.label());
        assertEquals(0.25, qn.delta());
        assertEquals("if_equals", g.run().get("task"));
        assertTrue(g.withLabels(Map.of()).nodes().stream().allMatch(n -> n.label() == null));

        var loaded = sparsecircuits.pruning.circuit.CircuitFiles.load(f.circuitDir, f.modelDir.resolve("model.safetensors"));
        CircuitGraph all = CircuitGraph.of(ExportFixture.CFG, loaded.json(), loaded.masks(), loaded.means(), f.circuit.edges(), Map.of(), true);
        assertEquals(sparsecircuits.pruning.nodes.NodeLocation.count(ExportFixture.CFG), all.nodes().size(), "every node of the model");
        assertEquals(f.circuit.nodes(), all.nodes().stream().filter(CircuitGraph.Node::kept).count());
        assertEquals(g.links(), all.links());
    }

    @Test
    void aCircuitOfAnotherModelIsRefusedWithBothHashes(@TempDir Path tmp) {
        ExportFixture a = new ExportFixture(tmp.resolve("a"), 1), b = new ExportFixture(tmp.resolve("b"), 2);
        CheckpointException e = assertThrows(CheckpointException.class, () ->
                CircuitGraph.load(a.circuitDir, b.modelDir.resolve("model.safetensors"), ExportFixture.CFG, Map.of()));
        assertTrue(e.getMessage().contains("another model"), e.getMessage());
        assertThrows(CheckpointException.class, () -> CircuitGraph.load(tmp.resolve("none"), a.modelDir.resolve("model.safetensors"),
                ExportFixture.CFG, Map.of()));
    }
}
