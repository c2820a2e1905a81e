package sparsecircuits.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
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
    void runsThePlanPrintsWhatItFoundAndFindsFinishedJobsOnARerun(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("e");
        MainTest.Run r = experiment(out, "--tasks", "if_equals", "--dense-widths", "16", "--controls", "none");
        assertEquals(0, r.status(), r.err());
        // 2 trainings, 2 node means, 2 evaluations, 2 prunings, 2 viewer pages, the report (ExperimentPlanTest checks their content)
        assertTrue(r.err().contains("11 jobs run, 0 found"), r.err());
        assertTrue(r.err().contains("train sparse-d128 done in"), "a line per finished job in a log: " + r.err());
        Experiment e = ExperimentJson.read(Files.readString(out.resolve("experiment.json")));
        assertEquals(List.of("sparse-d128", "dense-d16"), e.models().stream().map(Experiment.Model::id).toList());
        assertTrue(r.err().contains("estimated") && r.err().contains("2 models, 1 tasks"), "the estimate comes first: " + r.err());
        assertTrue(r.out().contains("sparse-d128") && r.out().contains("E 2 (d128)") && r.out().contains("1 solved"), r.out());
        assertTrue(r.out().contains("sparse-d128      vs dense-d16") && r.out().contains("<- headline (widest)"), r.out());
        assertTrue(r.out().contains("report: " + out.resolve("report.html").toAbsolutePath().normalize()), r.out());
        for (String f : List.of("report.html", "circuits/sparse-d128/if_equals/circuit.json", "circuits/dense-d16/if_equals/view.html")) {
            assertTrue(Files.isRegularFile(out.resolve(f)), f);
        }
        try (var records = Files.list(out.resolve("jobs"))) {
            assertEquals(11, records.count(), "one record per finished job");
        }

        MainTest.Run again = experiment(out, "--tasks", "if_equals", "--dense-widths", "16", "--controls", "none");
        assertEquals(0, again.status(), again.err());
        assertTrue(again.err().contains("0 jobs run, 11 found"), again.err());
        assertEquals(r.out(), again.out(), "the same figures, printed from the records");
    }

    @Test
    void estimatePrintsThePlanAndWritesNothing(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("e");
        MainTest.Run r = experiment(out, "--tasks", "if_equals", "--dense-widths", "16,32", "--estimate");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().startsWith("3 models, 1 tasks; estimated"), r.out());
        assertTrue(!Files.exists(out), "nothing written");
    }

    @Test
    void aSharedOutNamesModelsBySettings(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("e");
        MainTest.Run r = experiment(out, "--tasks", "if_equals", "--dense-widths", "16", "--controls", "none", "--shared-out");
        assertEquals(0, r.status(), r.err());
        Experiment e = ExperimentJson.read(Files.readString(out.resolve("experiment.json")));
        for (Experiment.Model m : e.models()) {
            assertTrue(m.id().matches("(sparse-d128|dense-d16)-[0-9a-f]{8}"), m.id());
            assertTrue(Files.isDirectory(out.resolve("models").resolve(m.id())), m.id());
        }
    }

    @Test
    void anUnsolvedTaskIsListedNotPruned(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("u");
        MainTest.Run r = experiment(out, "--tasks", "if_equals", "--solved-below", "1e-6", "--controls", "none", "--dense-widths", "16");
        assertEquals(0, r.status(), r.err());
        Experiment e = ExperimentJson.read(Files.readString(out.resolve("experiment.json")));
        Experiment.TaskResult t = e.tasks().get(0);
        assertFalse(t.solved(e.headline(), e.solvedBelow()));
        assertTrue(t.circuits().isEmpty(), "an unsolved task is not pruned");
        assertFalse(Files.exists(out.resolve("circuits")));
        assertTrue(r.out().contains("0 solved") && r.out().contains("no task solved and pruned in both"), r.out());
        assertTrue(Files.readString(out.resolve("report.html")).contains("if_equals"));
    }

    @Test
    void badInputGetsOneLine(@TempDir Path tmp) {
        for (List<String> args : List.of(List.of("--dense-widths", "30"), List.of("--dense-widths", "x"), List.of("--tasks", "bogus_task"),
                List.of("--tasks", "if_equals", "--controls", "for_while"), List.of("--targets", "0.3,zero"), List.of("--k-coefs", "-1"),
                List.of("--tasks", tmp.resolve("missing.jsonl").toString()), List.of("--sparse-widths", "96"), List.of("--sparse-widths", ""),
                List.of("--steps", "10", "--tokens", "1000"), List.of("--l0", "1000000000000"), List.of("--min-per-neuron", "1000"),
                List.of("--corpus", tmp.toString()), List.of("--corpus", "mix:" + tmp + ":1.5"), List.of("--preset", "weekend"),
                List.of("--seeds", "1,1"), List.of("--dense-widths", ""))) {
            List<String> a = new java.util.ArrayList<>(List.of("experiment", "--out", tmp.resolve("b").toString()));
            a.addAll(args);
            MainTest.Run r = MainTest.run(a.toArray(String[]::new));
            assertEquals(2, r.status(), args + ": " + r);
            assertEquals(1, r.errLines().size(), args + ": " + r.err());
        }
        MainTest.Run l0 = MainTest.run("experiment", "--out", tmp.resolve("b").toString(), "--min-per-neuron", "1000");
        assertTrue(l0.err().contains("--min-per-neuron") && l0.err().contains("largest j"), "names the flag and what works: " + l0.err());
        assertFalse(Files.exists(tmp.resolve("b")), "nothing written for bad input");
    }

    @Test
    void masterWithoutTheSparkRunnerOrWithJobsIsBadInput(@TempDir Path tmp) {
        // the cli's tests have no cluster module on their class path, as a jar run without the launcher's --master build
        MainTest.Run none = MainTest.run("experiment", "--out", tmp.resolve("s").toString(), "--master", "local[2]", "--steps", "3");
        assertEquals(2, none.status(), none.toString());
        assertEquals(1, none.errLines().size(), none.err());
        assertTrue(none.err().contains("--master needs the Spark runner") && none.err().contains("./mvnw -B -ntp package -pl cluster -am"), none.err());
        MainTest.Run jobs = MainTest.run("experiment", "--out", tmp.resolve("s").toString(), "--master", "local[2]", "--jobs", "2");
        assertEquals(2, jobs.status(), jobs.toString());
        assertTrue(jobs.err().contains("--jobs does not apply with --master"), jobs.err());
        assertFalse(Files.exists(tmp.resolve("s")), "nothing written for bad input");
    }

    @Test
    void sparksJvmOptionsSkipPackagesThisJdkDoesNotHave() {
        assertTrue(Launcher.opensAPackageThatExists("--add-opens=java.base/java.lang=ALL-UNNAMED"));
        assertFalse(Launcher.opensAPackageThatExists("--add-opens=java.base/sun.no.such.pkg=ALL-UNNAMED"));
        assertTrue(Launcher.opensAPackageThatExists("--enable-native-access=ALL-UNNAMED"));
        assertTrue(Launcher.sparkModuleOptions().isEmpty(), "no Spark on this class path: no options");
    }

    @Test
    void sweepRunsAGridAndRefusesABadOne(@TempDir Path tmp) throws java.io.IOException {
        Path grid = Files.writeString(tmp.resolve("grid.json"), """
                {"preset": "demo", "steps": 3, "pfrac": [0.25, 0.5], "sparse_widths": [64], "dense_widths": [16], "seeds": [0],
                 "tasks": ["if_equals"], "controls": [], "k_coefs": [1e-3], "targets": [10, 9], "target": 9, "solved_below": 9,
                 "prune_steps": 3, "pairs": 8}""");
        Path out = tmp.resolve("sweep");
        MainTest.Run r = MainTest.run("sweep", "--grid", grid.toString(), "--out", out.toString(), "--jobs", "2", "--job-threads", "1");
        assertEquals(0, r.status(), r.toString());
        assertTrue(r.out().contains("pfrac=0.25") && r.out().contains("report-pfrac=0.5.html"), r.out());
        assertTrue(Files.isRegularFile(out.resolve("report-pfrac=0.25.html")));
        MainTest.Run est = MainTest.run("sweep", "--grid", grid.toString(), "--estimate");
        assertEquals(0, est.status(), est.toString());
        assertTrue(est.out().startsWith("pfrac=0.25: 2 models, 1 tasks; estimated"), est.out());
        Path bad = Files.writeString(tmp.resolve("bad.json"), "{\"pfrac\": [0.25], \"depth\": 3}");
        MainTest.Run b = MainTest.run("sweep", "--grid", bad.toString(), "--out", tmp.resolve("b").toString());
        assertEquals(2, b.status(), b.toString());
        assertEquals(1, b.errLines().size(), b.err());
        assertTrue(b.err().contains("unknown key 'depth'"), b.err());
        assertFalse(Files.exists(tmp.resolve("b")), "nothing written for bad input");
    }
}
