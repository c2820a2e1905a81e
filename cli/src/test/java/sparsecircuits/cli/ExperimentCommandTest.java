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
import sparsecircuits.pruning.compare.Experiment;
import sparsecircuits.pruning.compare.ExperimentJson;

/** experiment through Main.run at toy size: the models, the loss-matched pick, circuits, controls, report; a rerun; bad input. */
class ExperimentCommandTest {

    /** Toy sizes; targets and the solved bar so high that toy models "solve" every task (var_swap's full-vocabulary loss ~ ln V). */
    private static final String[] TINY = {"--steps", "3", "--dense-widths", "16,32", "--prune-steps", "3", "--pairs", "8",
        "--targets", "10,9", "--target", "9", "--solved-below", "9", "--k-coefs", "1e-3,1e-2"};

    /** experiment with TINY, where {@code extra} overrides an option of TINY or adds one. */
    private static MainTest.Run experiment(Path out, String... extra) {
        List<String> a = new java.util.ArrayList<>(List.of("experiment", "--out", out.toString()));
        List<String> x = List.of(extra);
        for (int i = 0; i < TINY.length; i += 2) if (!x.contains(TINY[i])) a.addAll(List.of(TINY[i], TINY[i + 1]));
        a.addAll(x);
        return MainTest.run(a.toArray(String[]::new));
    }

    @Test
    void runsEverythingWritesTheReportAndFindsFinishedJobsOnARerun(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("e");
        MainTest.Run r = experiment(out, "--tasks", "if_equals,var_swap", "--controls", "if_equals,var_swap");
        assertEquals(0, r.status(), r.err());
        Experiment e = ExperimentJson.read(Files.readString(out.resolve("experiment.json")));
        assertEquals(List.of("sparse-d128", "dense-d16", "dense-d32"), e.models().stream().map(Experiment.Model::id).toList());
        // the loss-matched dense model is the one closest in validation loss to the sparse model
        double s = e.models().get(0).valLoss();
        Experiment.Model best = e.models().stream().skip(1).min((a, b) -> Double.compare(Math.abs(a.valLoss() - s), Math.abs(b.valLoss() - s))).orElseThrow();
        assertEquals(best.id(), e.denseId());
        assertEquals("sparse-d128", e.sparseId());
        assertEquals(List.of(10.0, 9.0), e.targets());
        assertEquals(2, e.tasks().size());
        for (Experiment.TaskResult t : e.tasks()) {
            assertTrue(t.solved(9), t.task() + " is solved under the toy threshold");
            assertEquals(2, t.sparse().size());
            assertEquals(2, t.dense().size());
            assertEquals(2, t.controls().size(), "controls on both models' circuits");
            Experiment.Circuit main = t.sparse().get(1);
            assertTrue(main.reached());
            assertTrue(Files.isRegularFile(out.resolve(main.path()).resolve("circuit.json")), main.path());
            assertTrue(Files.isRegularFile(out.resolve("circuits").resolve(e.denseId()).resolve(t.task()).resolve("circuit.safetensors")));
            for (Experiment.Circuit c : List.of(t.sparse().get(0), t.dense().get(0))) {
                assertEquals(null, c.path(), "the circuit at a target other than the main one is not written");
                assertEquals(null, c.view(), "so it has no viewer page");
            }
            for (Experiment.Circuit c : List.of(main, t.dense().get(1))) {
                assertEquals(c.path() + "/view.html", c.view(), t.task());
                assertEquals(null, c.viewError(), t.task());
                String page = Files.readString(out.resolve(c.view()));
                assertTrue(page.startsWith("<!DOCTYPE html>") && page.contains(t.task()), c.view());
                Map<?, ?> run = (Map<?, ?>) ((Map<?, ?>) Json.parse(Files.readString(out.resolve(c.path()).resolve("circuit.json")))).get("run");
                assertEquals(c.nodes(), ((List<?>) run.get("node_ablation_deltas")).size(), "a delta per node, for the viewer");
                Map<?, ?> controls = (Map<?, ?>) run.get("controls");
                assertTrue(controls != null && controls.containsKey("random_init") && controls.containsKey("trustworthy"),
                        "the controls go into circuit.json, where view shows them: " + controls);
            }
        }
        Experiment.TaskResult swap = e.tasks().get(1);
        assertEquals("var_swap", swap.task());
        assertEquals(null, swap.controls().get(0).inverted(), "single-target task: no inverted control");
        String html = Files.readString(out.resolve("report.html"));
        assertTrue(html.contains("if_equals") && html.contains("<svg"), "report names the tasks and draws its plots");
        for (Experiment.TaskResult t : e.tasks()) {
            for (Experiment.Circuit c : List.of(t.sparse().get(1), t.dense().get(1))) {
                assertTrue(html.contains("<a class=\"view\" href=\"" + c.view() + "\""), "the report links " + c.view());
            }
        }
        assertTrue(r.out().contains("report: "), r.out());

        assertTrue(r.err().contains("18 jobs run, 0 found"), r.err());
        assertTrue(Files.isDirectory(out.resolve("jobs")), "one record per finished job");

        // a rerun finds every job; a deleted viewer page is written again, and the report with it
        Path lost = out.resolve(e.tasks().get(0).sparse().get(1).view());
        Files.delete(lost);
        MainTest.Run resumed = experiment(out, "--tasks", "if_equals,var_swap", "--controls", "if_equals,var_swap");
        assertEquals(0, resumed.status(), resumed.err());
        assertTrue(resumed.err().contains("2 jobs run, 16 found"), resumed.err());
        assertTrue(Files.isRegularFile(lost), "the missing page is written again");
        assertEquals(ExperimentJson.write(withoutTime(e)), ExperimentJson.write(withoutTime(ExperimentJson.read(Files.readString(out.resolve("experiment.json"))))));
    }

    /** The experiment without what changes from run to run (time, notes with the compute time). */
    private static Experiment withoutTime(Experiment e) {
        return new Experiment(e.title(), null, e.machine(), e.settings(), e.models().stream().map(m -> new Experiment.Model(m.id(), m.mode(),
                m.dModel(), m.params(), m.nonzeros(), m.valLoss(), 0, m.trainCurve(), m.valCurve(), m.l0Curve())).toList(), e.sparseId(), e.denseId(),
                e.targets(), e.mainTarget(), e.solvedBelow(), e.tasks(), List.of());
    }

    @Test
    void anUnsolvedTaskIsListedNotPruned(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("u");
        MainTest.Run r = experiment(out, "--tasks", "if_equals", "--solved-below", "1e-6", "--controls", "none", "--dense-widths", "16");
        assertEquals(0, r.status(), r.err());
        Experiment e = ExperimentJson.read(Files.readString(out.resolve("experiment.json")));
        Experiment.TaskResult t = e.tasks().get(0);
        assertFalse(t.solved(e.solvedBelow()));
        assertTrue(t.sparse().isEmpty() && t.dense().isEmpty(), "an unsolved task is not pruned");
        assertFalse(Files.exists(out.resolve("circuits")));
        assertTrue(r.out().contains("not solved"), r.out());
        assertTrue(Files.readString(out.resolve("report.html")).contains("if_equals"));
    }

    @Test
    void badInputGetsOneLine(@TempDir Path tmp) {
        for (List<String> args : List.of(List.of("--dense-widths", "30"), List.of("--dense-widths", "x"), List.of("--tasks", "bogus_task"),
                List.of("--tasks", "if_equals", "--controls", "for_while"), List.of("--targets", "0.3,zero"), List.of("--k-coefs", "-1"),
                List.of("--tasks", tmp.resolve("missing.jsonl").toString()))) {
            List<String> a = new java.util.ArrayList<>(List.of("experiment", "--out", tmp.resolve("b").toString()));
            a.addAll(args);
            MainTest.Run r = MainTest.run(a.toArray(String[]::new));
            assertEquals(2, r.status(), args + ": " + r);
            assertEquals(1, r.errLines().size(), args + ": " + r.err());
        }
        assertFalse(Files.exists(tmp.resolve("b")), "nothing written for bad input");
    }
}
