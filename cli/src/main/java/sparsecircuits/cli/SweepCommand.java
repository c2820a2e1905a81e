package sparsecircuits.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import sparsecircuits.experiment.plan.ExperimentPlan;
import sparsecircuits.experiment.plan.SweepGrid;
import sparsecircuits.experiment.plan.SweepPlan;
import sparsecircuits.experiment.store.ResultStore;
import sparsecircuits.model.train.SettingException;
import sparsecircuits.pruning.compare.Comparison;
import sparsecircuits.pruning.compare.Experiment;

/** {@code sweep --grid FILE}: the experiments of a grid as one plan of jobs, in process or on Spark. */
final class SweepCommand implements Command {
    static final String DEFAULT_OUT = "runs/sweep";

    @Override
    public String name() {
        return "sweep";
    }

    @Override
    public String summary() {
        return "several experiments from a JSON grid (L0, steps, ... × widths, seeds, tasks) as one plan, in process or on Spark";
    }

    @Override
    public String description() {
        return "Runs the experiments of a grid file as one plan of jobs in one run directory. The grid is a JSON object of\n"
                + "experiment settings (the keys of 'experiment', in snake_case), over a preset named by \"preset\":\n"
                + "  {\"preset\": \"demo\", \"pfrac\": [0.25, 0.5], \"sparse_widths\": [128, 256], \"seeds\": [0, 1],\n"
                + "   \"tasks\": [\"if_equals\", \"var_swap\"], \"k_coefs\": [1e-3, 3e-3], \"targets\": [0.3, 0.15]}\n"
                + "Settings of the models (base_width, pfrac, l0, min_per_neuron, layers, dense_layers, afrac, vocab, ctx,\n"
                + "batch, steps, corpus, recipe, regrow_every) may list several values: one experiment per combination, named\n"
                + "by them (pfrac=0.25). sparse_widths, dense_widths, seeds, tasks (or \"all\"), targets, k_coefs and controls\n"
                + "are every experiment's lists; target, prune_steps, pairs, solved_below and title take one value.\n"
                + "A model two experiments share (a dense baseline does not depend on L0) trains once. Writes into --out:\n"
                + "  models/ID/                      every model (ids end in a hash of their settings)\n"
                + "  circuits/NAME/MODEL/TASK/       each experiment's circuits and viewer pages\n"
                + "  report-NAME.html, experiment-NAME.json   each experiment's report\n"
                + "  jobs/ID.json                    one record per finished job\n"
                + "A rerun finds finished jobs; Ctrl-C stops after checkpoints. With --master the jobs run on Spark.";
    }

    @Override
    public Options options() {
        return RunFlags.add(new Options(name())
                .option("--grid", "FILE", "the grid: a JSON object of settings and lists of settings (required)")
                .option("--out", "DIR", "run directory shared by the experiments (default " + DEFAULT_OUT + ")")
                .flag("--estimate", "print the experiments and their estimated time, and exit without running or writing anything"));
    }

    @Override
    public void check(Options.Parsed o) {
        RunFlags.check(o);
        grid(o);
    }

    /** The grid's experiments, each plan built once so that a setting no model can hold is refused before anything runs. */
    private List<SweepGrid.Point> grid(Options.Parsed o) {
        if (!o.has("--grid")) throw new UserError("--grid is required", "give a JSON grid file, e.g. --grid examples/sweep-grid.json");
        Path file = Path.of(o.value("--grid", ""));
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new UserError("--grid " + file + ": cannot read it (" + e.getClass().getSimpleName() + ")", "give an existing JSON file");
        }
        try {
            List<SweepGrid.Point> points = SweepGrid.parse(text);
            for (SweepGrid.Point p : points) new ExperimentPlan(p.settings(), p.scope());
            return points;
        } catch (SettingException e) {
            throw new UserError("--grid " + file + ": '" + e.setting() + "': " + e.getMessage(), "fix that setting in the grid");
        } catch (IllegalArgumentException e) {
            throw new UserError("--grid " + file + ": " + e.getMessage(), "see 'sparse-circuits sweep --help' for the grid's keys");
        }
    }

    @Override
    public int run(Options.Parsed o, CommandContext ctx) throws IOException {
        List<SweepGrid.Point> points = grid(o);
        if (o.has("--estimate")) {
            for (SweepGrid.Point p : points) ctx.out().println(p.scope() + ": " + ExperimentRun.estimate(p.settings()));
            ctx.out().println("(a model two experiments share trains once: the sum above counts it once per experiment)");
            return 0;
        }
        String out = o.value("--out", DEFAULT_OUT);
        try (RunFlags.Opened opened = RunFlags.open(o, out, "sparse-circuits sweep")) {
            ResultStore store = opened.store();
            if (opened.cluster() != null) {
                List<SweepGrid.Point> copied = new ArrayList<>();
                for (SweepGrid.Point p : points) copied.add(new SweepGrid.Point(p.scope(), ExperimentPlan.withCorpusInStore(p.settings(), store)));
                points = copied;
            }
            ctx.err().println("sweep: " + SweepGrid.describe(points) + " into " + store.describe() + " on " + opened.runner().describe()
                    + " (finished jobs are not redone)");
            JobProgress progress = new JobProgress("sweep", ctx);
            List<SweepGrid.Point> plan = points;
            SweepPlan.Outcome outcome = ExperimentRun.runWithProgress(progress, opened, ctx, stop -> SweepPlan.run(plan, store, opened.runner(), progress, stop));
            Integer failed = ExperimentRun.failedStatus("sweep", outcome.run(), progress, store, ctx);
            if (failed != null) return failed;
            print(outcome.experiments(), store, ctx);
            return 0;
        }
    }

    private static void print(Map<String, Experiment> experiments, ResultStore store, CommandContext ctx) {
        ctx.out().println("experiment, headline pairing (widest sparse model vs its loss-matched dense one), edge ratio at the main target:");
        for (var e : experiments.entrySet()) {
            Experiment x = e.getValue();
            Experiment.Pairing h = x.headline();
            String ratio = "no pairing";
            if (h != null) {
                Comparison.Ratio edges = Comparison.edgeRatio(x, h, x.mainTarget());
                ratio = edges.tasks() == 0 ? h.sparseId() + " vs " + h.denseId() + ": no task solved and pruned in both"
                        : String.format(Locale.ROOT, "%s vs %s: %.2f× over %d task%s", h.sparseId(), h.denseId(), edges.geoMean(), edges.tasks(),
                        edges.tasks() == 1 ? "" : "s");
            }
            ctx.out().printf(Locale.ROOT, "  %-24s %s%n", e.getKey(), ratio);
            ctx.out().println("  " + " ".repeat(24) + " report: " + store.committed(SweepPlan.reportPage(e.getKey())).toAbsolutePath().normalize());
        }
    }
}
