package sparsecircuits.experiment.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sparsecircuits.model.json.Json;
import sparsecircuits.experiment.run.InProcessRunner;
import sparsecircuits.experiment.run.RunListener;
import sparsecircuits.pruning.compare.Experiment;

/** A small experiment through the library: the jobs it runs, what a rerun finds, what a deleted result recomputes. */
class ExperimentPlanTest {
    /** Toy sizes; the solved bar so high that toy models "solve" every task. */
    static ExperimentSettings tiny() {
        return ExperimentSettings.builder().steps(3).denseWidths(List.of(16)).tasks(List.of("if_equals", "var_swap"))
                .controls(List.of("if_equals", "var_swap")).pruneSteps(3).pairs(8).targets(List.of(10.0, 9.0)).mainTarget(9).solvedBelow(9)
                .kCoefs(List.of(1e-3)).build();
    }

    private static ExperimentPlan.Outcome run(Path dir, int jobs) throws IOException {
        return ExperimentPlan.run(tiny(), dir, new InProcessRunner(jobs, 1), RunListener.NONE, () -> false);
    }

    @TempDir
    static Path shared;
    static ExperimentPlan.Outcome first;

    /** One run of the tiny experiment; each test works on its own copy of the run directory. */
    @BeforeAll
    static void runOnce() throws IOException {
        first = run(shared.resolve("first"), 2);
    }

    private static Path copy(Path to) throws IOException {
        Path from = shared.resolve("first");
        try (var files = Files.walk(from)) {
            for (Path f : files.toList()) {
                Path t = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) Files.createDirectories(t);
                else Files.copy(f, t);
            }
        }
        return to;
    }

    @Test
    void aRerunAfterDeletingOneCircuitRecomputesThatJobAndTheReportOnly(@TempDir Path tmp) throws IOException {
        Path dir = copy(tmp.resolve("e"));
        assertTrue(first.run().complete(), first.run().failures().toString());
        // 2 trainings, 2 node means, 4 evaluations, 4 prunings, 4 viewer pages, the report
        assertEquals(17, first.run().ran().size(), first.run().ran().toString());
        Experiment e = first.experiment();
        assertNotNull(e);
        assertEquals(List.of("sparse-d128", "dense-d16"), e.models().stream().map(Experiment.Model::id).toList());
        assertEquals(2, e.tasks().size());
        assertTrue(Files.isRegularFile(dir.resolve("report.html")));
        circuitsPagesAndControls(e, dir);
        String page = Files.readString(dir.resolve("report.html"));
        assertTrue(page.contains("<section id=\"jobs\">") && page.contains("prune sparse-d128 if_equals") && page.contains("in-process"),
                "the report says where each job ran");

        ExperimentPlan.Outcome again = run(dir, 1);
        assertEquals(List.of(), again.run().ran(), "everything is found");

        Path circuit = dir.resolve("circuits/sparse-d128/if_equals");
        Files.delete(circuit.resolve("circuit.json"));
        Files.delete(circuit.resolve("circuit.safetensors"));
        ExperimentPlan.Outcome third = run(dir, 1);
        assertEquals(List.of("prune sparse-d128 if_equals", "report"), third.run().ran());
        assertEquals(ExperimentJsonOf.tasks(first.experiment()), ExperimentJsonOf.tasks(third.experiment()), "the same figures");
    }

    @Test
    void aChangedSettingRecomputesOnlyTheJobsThatReadIt(@TempDir Path tmp) throws IOException {
        Path dir = copy(tmp.resolve("e"));
        ExperimentSettings more = tiny().toBuilder().controls(List.of("if_equals")).build();
        ExperimentPlan.Outcome r = ExperimentPlan.run(more, dir, new InProcessRunner(1, 1), RunListener.NONE, () -> false);
        assertEquals(List.of("prune sparse-d128 var_swap", "view sparse-d128 var_swap", "prune dense-d16 var_swap", "view dense-d16 var_swap",
                "report"), r.run().ran(), "the controls are a setting of var_swap's prunings, and their pages show them; no model is trained again");
        assertEquals(List.of(), r.experiment().tasks().get(1).controls(), "var_swap without its controls now");
    }

    /** What the experiment wrote: the circuits at each target, the main one's files and page, the controls, the report's links. */
    private static void circuitsPagesAndControls(Experiment e, Path dir) throws IOException {
        double s = e.models().get(0).valLoss();
        Experiment.Model best = e.models().stream().skip(1).min((a, b) -> Double.compare(Math.abs(a.valLoss() - s), Math.abs(b.valLoss() - s))).orElseThrow();
        assertEquals(best.id(), e.pairings().get(0).denseId(), "the loss-matched dense model is the one closest in validation loss");
        Experiment.Pairing pair = e.pairings().get(0);
        assertEquals(List.of(10.0, 9.0), e.targets());
        String html = Files.readString(dir.resolve("report.html"));
        for (Experiment.TaskResult t : e.tasks()) {
            assertTrue(t.solved(pair, 9), t.task() + " is solved under the toy threshold");
            assertEquals(null, t.tokenizerClash());
            assertEquals(2, t.circuits("sparse-d128").size());
            assertEquals(2, t.controls().size(), "controls on both models' circuits");
            for (Experiment.Circuit c : List.of(t.circuits("sparse-d128").get(0), t.circuits("dense-d16").get(0))) {
                assertEquals(null, c.path(), "the circuit at a target other than the main one is not written");
                assertEquals(null, c.view(), "so it has no viewer page");
            }
            for (Experiment.Circuit c : List.of(t.circuits("sparse-d128").get(1), t.circuits("dense-d16").get(1))) {
                assertTrue(c.reached());
                assertEquals(c.path() + "/view.html", c.view(), t.task());
                assertEquals(null, c.viewError(), t.task());
                String page = Files.readString(dir.resolve(c.view()));
                assertTrue(page.startsWith("<!DOCTYPE html>") && page.contains(t.task()), c.view());
                assertTrue(html.contains("<a class=\"view\" href=\"" + c.view() + "\""), "the report links " + c.view());
                var run = (java.util.Map<?, ?>) ((java.util.Map<?, ?>) Json.parse(Files.readString(dir.resolve(c.path()).resolve("circuit.json")))).get("run");
                assertEquals(c.nodes(), ((List<?>) run.get("node_ablation_deltas")).size(), "a delta per node, for the viewer");
                var controls = (java.util.Map<?, ?>) run.get("controls");
                assertTrue(controls != null && controls.containsKey("random_init") && controls.containsKey("trustworthy"),
                        "the controls go into circuit.json, where view shows them: " + controls);
            }
        }
        Experiment.TaskResult swap = e.tasks().get(1);
        assertEquals("var_swap", swap.task());
        assertEquals(null, swap.controls().get(0).inverted(), "single-target task: no inverted control");
        assertNotNull(e.tasks().get(0).controls().get(0).inverted());
    }

    /** Two sparse widths at one L0, two dense widths: each sparse model gets a partner, every model every task. */
    @Test
    void severalSparseWidthsEachGetALossMatchedPartner(@TempDir Path tmp) throws IOException {
        ExperimentSettings s = tiny().toBuilder().sparseWidths(List.of(64, 128)).denseWidths(List.of(16, 32)).tasks(List.of("if_equals"))
                .controls(List.of()).build();
        ExperimentPlan.Outcome r = ExperimentPlan.run(s, tmp.resolve("e"), new InProcessRunner(2, 1), RunListener.NONE, () -> false);
        assertTrue(r.run().complete(), r.run().failures().toString());
        Experiment e = r.experiment();
        assertEquals(List.of("sparse-d64", "sparse-d128", "dense-d16", "dense-d32"), e.models().stream().map(Experiment.Model::id).toList());
        assertEquals(List.of("sparse-d64", "sparse-d128"), e.pairings().stream().map(Experiment.Pairing::sparseId).toList());
        assertEquals("sparse-d128", e.headline().sparseId(), "the headline is the widest sparse model's");
        for (Experiment.Pairing p : e.pairings()) {
            double sparse = e.model(p.sparseId()).valLoss();
            for (String d : List.of("dense-d16", "dense-d32")) {
                assertTrue(Math.abs(e.model(p.denseId()).valLoss() - sparse) <= Math.abs(e.model(d).valLoss() - sparse), p + " is the closest");
            }
        }
        assertEquals(1.0, e.model("sparse-d64").setup().expansion());
        assertEquals(2.0, e.model("sparse-d128").setup().expansion());
        assertEquals(0.0, e.model("dense-d16").setup().expansion());
        assertEquals(3L * 16 * 64, e.model("dense-d32").setup().tokens());
        assertTrue(e.model("sparse-d64").setup().forcedShare() > 0 && Double.isNaN(e.model("dense-d16").setup().forcedShare()));
        Experiment.TaskResult t = e.tasks().get(0);
        assertEquals(4, t.losses().size(), "every model evaluates every task");
        assertEquals(4, t.circuits().size(), "every model that solves a task prunes it");
    }

    /** --recipe scalable trains every sparse model with it (the dense ones cannot) and says so in experiment.json. */
    @Test
    void theScalableRecipeAppliesToTheSparseModelsAndIsRecorded(@TempDir Path tmp) throws IOException {
        ExperimentSettings s = tiny().toBuilder().tasks(List.of("if_equals")).controls(List.of())
                .recipe(sparsecircuits.model.train.TrainConfig.Recipe.SCALABLE).regrowEvery(2).build();
        ExperimentPlan.Outcome r = ExperimentPlan.run(s, tmp.resolve("e"), new InProcessRunner(1, 1), RunListener.NONE, () -> false);
        assertTrue(r.run().complete(), r.run().failures().toString());
        Experiment.Model sparse = r.experiment().model("sparse-d128"), dense = r.experiment().model("dense-d16");
        assertEquals("scalable", sparse.setup().config().get("train.recipe"));
        assertEquals("2", sparse.setup().config().get("train.regrow_every"));
        assertEquals(null, dense.setup().config().get("train.recipe"), "a dense model trains as it always did");
        assertTrue(sparsecircuits.pruning.compare.ExperimentJson.write(r.experiment()).contains("\"train.recipe\": \"scalable\""));
    }

    /**
     * Two experiments in one shared run directory (a sweep): the dense model they share trains once, the sparse models
     * that differ in L0 keep their own directories, and a rerun of the first finds everything but its report.
     */
    @Test
    void experimentsSharingARunDirectoryTrainACommonModelOnce(@TempDir Path tmp) throws IOException {
        ExperimentSettings a = tiny().toBuilder().tasks(List.of("if_equals")).controls(List.of()).sharedOut(true).build();
        ExperimentSettings b = a.toBuilder().pfrac(0.5).build();
        List<ModelSpec> ma = ModelSpec.all(a), mb = ModelSpec.all(b);
        assertEquals(ma.get(1).id(), mb.get(1).id(), "the same dense model, the same id");
        assertTrue(ma.get(1).id().matches("dense-d16-[0-9a-f]{8}"), ma.get(1).id());
        assertTrue(!ma.get(0).id().equals(mb.get(0).id()) && ma.get(0).id().startsWith("sparse-d128-"), ma.get(0).id() + " vs " + mb.get(0).id());
        assertEquals("sparse-d128", ModelSpec.all(a.toBuilder().sharedOut(false).build()).get(0).id(), "a run directory of its own keeps plain ids");

        Path dir = tmp.resolve("sweep");
        ExperimentPlan.Outcome first = ExperimentPlan.run(a, dir, new InProcessRunner(1, 1), RunListener.NONE, () -> false);
        ExperimentPlan.Outcome second = ExperimentPlan.run(b, dir, new InProcessRunner(1, 1), RunListener.NONE, () -> false);
        assertTrue(first.run().complete() && second.run().complete(), second.run().failures().toString());
        assertTrue(second.run().ran().contains("train " + mb.get(0).id()), second.run().ran().toString());
        assertTrue(second.run().ran().stream().noneMatch(j -> j.startsWith("train " + mb.get(1).id()) || j.startsWith("prune " + mb.get(1).id())),
                "the shared dense model is trained and pruned once: " + second.run().ran());
        for (ModelSpec m : List.of(ma.get(0), mb.get(0), ma.get(1))) assertTrue(Files.isDirectory(dir.resolve(m.directory())), m.directory());
        assertEquals(List.of(mb.get(0).id(), mb.get(1).id()), second.experiment().models().stream().map(Experiment.Model::id).toList());

        ExperimentPlan.Outcome again = ExperimentPlan.run(a, dir, new InProcessRunner(1, 1), RunListener.NONE, () -> false);
        assertEquals(List.of("report"), again.run().ran(), "only the report, which the second experiment's replaced");
        assertEquals(ExperimentJsonOf.tasks(first.experiment()), ExperimentJsonOf.tasks(again.experiment()), "the same figures");
    }

    /** On a real-code mix, a held-out pair that occurs verbatim in the directory is replaced, and the report says so. */
    @Test
    void pairsFoundInARealCodeCorpusAreReplaced(@TempDir Path tmp) throws IOException {
        ExperimentSettings base = tiny().toBuilder().tasks(List.of("if_equals")).controls(List.of()).build();
        int heldOut = sparsecircuits.pruning.tasks.TaskSource.heldOutPairs(base.pairs());
        var task = sparsecircuits.pruning.tasks.PaperTasks.byName("if_equals").orElseThrow();
        var pairs = task.pairs(sparsecircuits.pruning.tasks.Task.Split.HELD_OUT, heldOut, base.taskSeed());
        Path code = Files.createDirectories(tmp.resolve("code"));
        Files.writeString(code.resolve("copied.py"), "import os\n\n" + pairs.get(1).promptA() + pairs.get(1).targetA() + "\n        pass\n");
        Files.writeString(code.resolve("other.py"), "def main():\n    return 0\n"); // a mix needs a validation document too
        ExperimentSettings s = base.toBuilder().corpus("mix:" + code + ":0.5").build();

        ExperimentPlan plan = new ExperimentPlan(s);
        TaskRef ref = plan.tasks().get(0);
        assertEquals(code.toString(), ref.inputs().get("disjoint_from"));
        assertEquals(1, ((sparsecircuits.pruning.tasks.CorpusDisjointTask) ref.task())
                .select(sparsecircuits.pruning.tasks.Task.Split.HELD_OUT, heldOut, s.taskSeed()).excluded().size());
        assertTrue(!ref.task().pairs(sparsecircuits.pruning.tasks.Task.Split.HELD_OUT, heldOut, s.taskSeed()).contains(pairs.get(1)));
        assertEquals(null, new ExperimentPlan(base).tasks().get(0).inputs().get("disjoint_from"), "a synthetic corpus changes no task");

        ExperimentPlan.Outcome r = ExperimentPlan.run(s, tmp.resolve("e"), new InProcessRunner(1, 1), RunListener.NONE, () -> false);
        assertTrue(r.run().complete(), r.run().failures().toString());
        assertTrue(r.experiment().notes().stream().anyMatch(n -> n.contains("occur verbatim in the real-code corpus") && n.contains("if_equals 1")),
                r.experiment().notes().toString());
    }

    @Test
    void badSettingsAreRefusedBeforeAnyWork(@TempDir Path tmp) throws IOException {
        assertRefused("dense_widths", () -> tiny().toBuilder().denseWidths(List.of(30)).build());
        assertRefused("dense_widths", () -> tiny().toBuilder().denseWidths(List.of()).build());
        assertRefused("sparse_widths", () -> tiny().toBuilder().sparseWidths(List.of()).build());
        assertRefused("sparse_widths", () -> tiny().toBuilder().sparseWidths(List.of(96)).build()); // not a multiple of base 64
        assertThrows(IllegalArgumentException.class, () -> tiny().toBuilder().tasks(List.of("no_such_task")).build());
        assertRefused("controls", () -> tiny().toBuilder().controls(List.of("for_while")).build());
        assertRefused("k_coefs", () -> tiny().toBuilder().kCoefs(List.of(-1.0)).build());
        assertRefused("seeds", () -> tiny().toBuilder().seeds(List.of(1L, 1L)).build());
        assertRefused("preset", () -> ExperimentSettings.preset("weekend"));
        Path empty = Files.createDirectories(tmp.resolve("no-python"));
        assertRefused("corpus", () -> tiny().toBuilder().corpus(empty.toString()).build());
        Path py = Files.createDirectories(tmp.resolve("python"));
        Files.writeString(py.resolve("a.py"), "x = 1\n");
        assertRefused("corpus", () -> tiny().toBuilder().corpus("mix:" + py + ":1.5").build());
        assertEquals("mix:" + py + ":0.5", tiny().toBuilder().corpus("mix:" + py + ":0.5").build().corpus());
        // the budget: an L0 the model cannot hold, a j the rule cannot meet: refused when the plan is made, before any job
        assertRefused("l0", () -> new ExperimentPlan(tiny().toBuilder().l0(1_000_000_000_000L).build()));
        assertRefused("min_per_neuron", () -> new ExperimentPlan(tiny().toBuilder().minPerNeuron(1000).build()));
        assertEquals(10, tiny().toBuilder().batch(2).ctx(8).tokens(150).build().steps(), "steps = ⌈tokens / (batch × ctx)⌉");
    }

    @Test
    void anL0InNonzerosSetsPfracAtEveryWidth() {
        ExperimentSettings s = tiny().toBuilder().sparseWidths(List.of(64, 128)).l0(60_000).build();
        for (ModelSpec m : ModelSpec.all(s)) {
            if (!m.sparse()) continue;
            long kept = sparsecircuits.model.train.Trainer.targetNonZeros(new sparsecircuits.model.gpt.Gpt(m.arch(), 0), m.train());
            assertEquals(60_000, kept, 60_000 * 0.02, m.id() + " keeps ≈ the L0 asked for");
        }
    }

    @Test
    void theEstimateGrowsWithWidthAndTokens() {
        ExperimentPlan.Estimate small = ExperimentPlan.estimate(ExperimentSettings.demo().build());
        ExperimentPlan.Estimate hour = ExperimentPlan.estimate(ExperimentSettings.hour().build());
        assertTrue(small.seconds() > 60 && small.seconds() < hour.seconds(), small + " vs " + hour);
        assertEquals(4, small.models());
    }

    /** The scalable recipe's models cost less once they are held (E 8 at L0 A), and the same where it holds nothing (E 2). */
    @Test
    void theEstimateKnowsWhereTheScalableRecipeHoldsItsWeights() {
        for (int width : new int[] {128, 512}) {
            ExperimentSettings paper = ExperimentSettings.builder().sparseWidths(List.of(width)).denseWidths(List.of(48)).build();
            ExperimentSettings scalable = paper.toBuilder().recipe(sparsecircuits.model.train.TrainConfig.Recipe.SCALABLE).build();
            double p = ExperimentPlan.estimate(paper).trainingSeconds(), q = ExperimentPlan.estimate(scalable).trainingSeconds();
            if (width == 128) assertEquals(p, q, 1e-9, "E 2 at pfrac 1/4: 32× the target is dense, nothing is held");
            else assertTrue(q < p, "E 8: " + q + " s vs the paper recipe's " + p + " s");
        }
        // the fit against the width benchmark's scalable step after the anneal at E 8, L0 A (89.6 ms measured)
        ExperimentSettings e8 = ExperimentSettings.builder().sparseWidths(List.of(512)).recipe(sparsecircuits.model.train.TrainConfig.Recipe.SCALABLE).build();
        assertTrue(ExperimentPlan.heldByScalableRecipe(e8, 512) && !ExperimentPlan.heldByScalableRecipe(e8, 128));
        assertEquals(89.6, ExperimentPlan.heldStepMs(e8, 512, 1), 0.2 * 89.6);
    }

    private static void assertRefused(String setting, org.junit.jupiter.api.function.Executable e) {
        sparsecircuits.model.train.SettingException x = assertThrows(sparsecircuits.model.train.SettingException.class, e);
        assertEquals(setting, x.setting(), x.getMessage());
    }

    /** The task results as JSON text, to compare two experiments' figures. */
    static final class ExperimentJsonOf {
        static String tasks(Experiment e) {
            return sparsecircuits.pruning.compare.ExperimentJson.write(new Experiment(null, null, null, null, List.of(), null,
                    e.targets(), e.mainTarget(), e.solvedBelow(), e.tasks(), List.of()));
        }
    }

    @Test
    void jobsOnDifferentKernelsAreFlagged() {
        java.util.function.BiFunction<String, Integer, sparsecircuits.experiment.job.JobRecord> on = (kernels, bits) ->
                new sparsecircuits.experiment.job.JobRecord("x", "fake", "job", "test", Map.of(), List.of(), Map.of(), 1,
                        new sparsecircuits.experiment.job.JobRecord.Worker("h", "spark executor 1", kernels, bits, 1), "2026-12-08T00:00:00Z");
        assertNull(ReportJob.kernelsMismatch(List.of(on.apply("vector", 512), on.apply("vector", 512))));
        String note = ReportJob.kernelsMismatch(List.of(on.apply("vector", 512), on.apply("vector", 256), on.apply("vector", 512)));
        assertTrue(note.contains("vector 256-bit (1 job), vector 512-bit (2 jobs)") && note.contains("not bit-identical"), note);
    }

    @Test
    void aDirectoryCorpusIsCopiedIntoTheStoreForClusterRunners(@TempDir Path tmp) throws IOException {
        Path code = Files.createDirectories(tmp.resolve("code/pkg"));
        Files.writeString(code.resolve("a.py"), "def f(x):\n    return x\n".repeat(50));
        Files.writeString(code.resolve("notes.txt"), "not python");
        Path corpus = code.getParent();
        var store = new sparsecircuits.experiment.store.LocalDirectoryStore(tmp.resolve("run"));
        ExperimentSettings s = tiny().toBuilder().corpus(corpus.toString()).build();
        ExperimentSettings moved = ExperimentPlan.withCorpusInStore(s, store);
        Path copy = Path.of(moved.corpus());
        assertTrue(copy.startsWith(tmp.resolve("run/corpus")) && copy.getFileName().toString().matches("code-[0-9a-f]{8}"), moved.corpus());
        assertTrue(Files.isRegularFile(copy.resolve("pkg/a.py")) && !Files.exists(copy.resolve("notes.txt")), "the .py files only");
        assertEquals(moved.corpus(), ExperimentPlan.withCorpusInStore(s, store).corpus(), "the same corpus: the same copy");
        ExperimentSettings mix = ExperimentPlan.withCorpusInStore(s.toBuilder().corpus("mix:" + corpus + ":0.5").build(), store);
        assertEquals("mix:" + copy + ":0.5", mix.corpus());
        assertEquals(tiny(), ExperimentPlan.withCorpusInStore(tiny(), store), "the synthetic corpus stays as it is");
    }
}
