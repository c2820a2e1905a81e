package sparsecircuits.experiment.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sparsecircuits.experiment.job.JobRecord;
import sparsecircuits.experiment.run.InProcessRunner;
import sparsecircuits.experiment.run.RunListener;
import sparsecircuits.experiment.store.LocalDirectoryStore;

/** A grid's experiments: how the grid expands, and one plan in which a shared model trains once. */
class SweepPlanTest {
    static final String TINY = """
            {"preset": "demo", "steps": 3, "pfrac": [0.25, 0.5], "sparse_widths": [64, 128], "dense_widths": [16], "seeds": [0],
             "tasks": ["if_equals", "var_swap"], "k_coefs": [1e-3], "targets": [10, 9], "target": 9, "solved_below": 9,
             "prune_steps": 3, "pairs": 8}""";

    @Test
    void theModelsSettingsAreCrossedAndTheListsShared() {
        List<SweepGrid.Point> points = SweepGrid.parse("{\"pfrac\": [0.25, 0.5], \"steps\": [100, 300], \"seeds\": [0, 1], "
                + "\"tasks\": [\"if_equals\", \"var_swap\"], \"prune_steps\": 5}");
        assertEquals(List.of("pfrac=0.25_steps=100", "pfrac=0.25_steps=300", "pfrac=0.5_steps=100", "pfrac=0.5_steps=300"),
                points.stream().map(SweepGrid.Point::scope).toList());
        for (SweepGrid.Point p : points) {
            assertEquals(List.of(0L, 1L), p.settings().seeds());
            assertEquals(5, p.settings().pruneSteps());
            assertTrue(p.settings().sharedOut(), "the experiments share one run directory");
            assertEquals(List.of("if_equals", "var_swap"), p.settings().controls(), "the default controls, among the grid's tasks");
        }
        assertEquals(300, points.get(3).settings().steps());
        assertEquals(List.of("all"), SweepGrid.parse("{\"preset\": \"demo\"}").stream().map(SweepGrid.Point::scope).toList());
        assertEquals(20, SweepGrid.parse("{\"tasks\": \"all\"}").get(0).settings().tasks().size());
    }

    @Test
    void aBadGridIsRefusedInOneSentence() {
        for (String[] bad : new String[][] {
                {"{\"widths\": [1]}", "unknown key 'widths'"},
                {"{\"pfrac\": []}", "'pfrac' is an empty list"},
                {"{\"pairs\": [8, 16]}", "'pairs' takes one value"},
                {"{\"seeds\": 3}", "'seeds' must be a list"},
                {"{\"steps\": \"many\"}", "expected a number"},
                {"[1, 2]", "must be a JSON object"},
                {"{\"preset\": \"week\"}", "unknown preset 'week'"},
                {"{not json", "not JSON"}}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SweepGrid.parse(bad[0]), bad[0]);
            assertTrue(e.getMessage().contains(bad[1]) && !e.getMessage().contains("\n"), bad[0] + ": " + e.getMessage());
        }
    }

    @Test
    void aSharedModelTrainsOnceAndEachExperimentReportsOnItsOwn(@TempDir Path dir) throws IOException {
        List<SweepGrid.Point> points = SweepGrid.parse(TINY);
        SweepPlan.Outcome o = SweepPlan.run(points, new LocalDirectoryStore(dir), new InProcessRunner(2, 1), RunListener.NONE, () -> false);
        assertTrue(o.run().complete(), o.run().failures().toString());
        assertEquals(List.of("pfrac=0.25", "pfrac=0.5"), List.copyOf(o.experiments().keySet()));
        long trainings = o.run().records().values().stream().filter(r -> r.kind().equals("train")).map(JobRecord::id).distinct().count();
        assertEquals(5, trainings, "2 × 2 sparse models and one dense model for both");
        for (String scope : List.of("pfrac=0.25", "pfrac=0.5")) {
            assertTrue(Files.isRegularFile(dir.resolve("report-" + scope + ".html")) && Files.isRegularFile(dir.resolve("experiment-" + scope + ".json")));
            assertEquals(3, o.experiments().get(scope).models().size());
            assertTrue(Files.isDirectory(dir.resolve("circuits").resolve(scope)), scope);
        }
        String dense = o.experiments().get("pfrac=0.25").pairings().get(0).denseId();
        assertEquals(dense, o.experiments().get("pfrac=0.5").pairings().get(0).denseId(), "the same dense model in both");
        SweepPlan.Outcome again = SweepPlan.run(points, new LocalDirectoryStore(dir), new InProcessRunner(1, 1), RunListener.NONE, () -> false);
        assertEquals(List.of(), again.run().ran(), "a rerun finds everything");
    }
}
