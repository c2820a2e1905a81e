package sparsecircuits.present.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.networknt.schema.Error;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sparsecircuits.kernels.KernelProvider;
import sparsecircuits.model.checkpoint.ModelFiles;
import sparsecircuits.model.json.Json;
import sparsecircuits.pruning.circuit.CircuitFiles;

/**
 * The attribution-graph JSON held to Neuronpedia's real schema ({@code neuronpedia-graph-schema.json} beside this
 * class in the test resources; its source repository, path, commit and licence are in the README there), validated
 * with networknt's json-schema-validator as draft-07, the schema's own {@code $schema}.
 *
 * <p>The text validated is {@link AttributionGraph#write}, which is {@code Json.write(AttributionGraph.graph(...))},
 * the same two calls {@code export --format json} makes; the full case also takes its activations from
 * {@link PromptActivations} under the circuit's mask, as the command does.
 */
class AttributionGraphSchemaTest {
    static final List<String> PROMPT = AttributionGraphTest.PROMPT;
    static final int[] PROMPT_IDS = {3, 1, 4};

    @Test
    void aGraphWithPinsASupernodeLabelsAndActivationsPasses(@TempDir Path tmp) {
        ExportFixture f = new ExportFixture(tmp, 21); // its graph has labels, one of them awkward, one multi-line
        String q = f.first("0.attn.q"), v = f.first("1.attn.v"), mlp = f.first("1.mlp.post_act");
        CircuitFiles.Loaded c = CircuitFiles.load(f.circuitDir, f.modelDir.resolve(ModelFiles.WEIGHTS));
        Map<String, Float> acts = PromptActivations.of(ModelFiles.load(f.modelDir), PROMPT_IDS, c.masks(), c.replayMeans(), KernelProvider.get());
        assertFalse(acts.isEmpty(), "real activations under the circuit's mask");
        AttributionGraph.Settings s = new AttributionGraph.Settings("schema-test", "sparse-circuits/test", List.of(q, mlp),
                List.of(new AttributionGraph.Supernode("q and v", List.of(q, v)), new AttributionGraph.Supernode("mlp", List.of(mlp))),
                acts, 1_764_000_000_000L);
        String json = AttributionGraph.write(f.graph, PROMPT, s);

        Map<String, Object> root = AttributionGraphTest.obj(Json.parse(json));
        Map<String, Object> qp = AttributionGraphTest.obj(root.get("qParams"));
        assertEquals(2, AttributionGraphTest.list(qp.get("pinnedIds")).size());
        assertEquals(2, AttributionGraphTest.list(qp.get("supernodes")).size());
        assertTrue(json.contains("\"activation\":"), "activations are written");
        assertTrue(json.contains("line one\\nline two"), "labels are written");
        assertValid(json);
    }

    @Test
    void aBareGraphPasses(@TempDir Path tmp) {
        ExportFixture f = new ExportFixture(tmp, 22);
        CircuitGraph bare = CircuitGraph.load(f.circuitDir, f.modelDir.resolve(ModelFiles.WEIGHTS), ExportFixture.CFG, Map.of());
        String json = AttributionGraph.write(bare, List.of("x"), AttributionGraph.Settings.defaults());
        assertFalse(json.contains("\"activation\":"));
        assertValid(json);
    }

    @Test
    void theValidatorCatchesABrokenGraph(@TempDir Path tmp) {
        ExportFixture f = new ExportFixture(tmp, 23);
        assertValid(AttributionGraph.write(f.graph, PROMPT, AttributionGraph.Settings.defaults()));

        assertInvalid(f, "a node without clerp", g -> node(g).remove("clerp"), "clerp");
        assertInvalid(f, "a node without feature", g -> node(g).remove("feature"), "feature");
        assertInvalid(f, "ctx_idx as a string", g -> node(g).put("ctx_idx", "2"), "ctx_idx");
        assertInvalid(f, "a fractional feature id", g -> node(g).put("feature", 1.5), "feature");
        assertInvalid(f, "a link weight as a string", g -> AttributionGraphTest.obj(AttributionGraphTest.list(g.get("links")).get(0))
                .put("weight", "0.5"), "weight");
        assertInvalid(f, "metadata without scan", g -> AttributionGraphTest.obj(g.get("metadata")).remove("scan"), "scan");
        assertInvalid(f, "no links", g -> g.remove("links"), "links");
        assertInvalid(f, "a pinned id that is a number", g -> AttributionGraphTest.obj(g.get("qParams")).put("pinnedIds", List.of(7L)),
                "pinnedIds");
    }

    private static Map<String, Object> node(Map<String, Object> g) {
        return AttributionGraphTest.obj(AttributionGraphTest.list(g.get("nodes")).get(0));
    }

    private static void assertInvalid(ExportFixture f, String what, Consumer<Map<String, Object>> breakIt, String mentioned) {
        Map<String, Object> g = AttributionGraph.graph(f.graph, PROMPT, AttributionGraph.Settings.defaults());
        assertFalse(AttributionGraphTest.list(g.get("links")).isEmpty(), "the fixture's circuit has links");
        breakIt.accept(g);
        List<Error> errors = NeuronpediaSchema.errors(Json.write(g));
        assertFalse(errors.isEmpty(), what + ": the schema should refuse it");
        assertTrue(errors.stream().anyMatch(e -> e.toString().contains(mentioned)), what + ": " + show(errors));
    }

    private static void assertValid(String json) {
        List<Error> errors = NeuronpediaSchema.errors(json);
        assertTrue(errors.isEmpty(), errors.size() + " schema error(s):\n" + show(errors));
    }

    private static String show(List<Error> errors) {
        return NeuronpediaSchema.show(errors);
    }
}
