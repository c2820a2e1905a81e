package sparsecircuits.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import sparsecircuits.experiment.plan.ExperimentPlan;
import sparsecircuits.experiment.plan.ExperimentSettings;
import sparsecircuits.experiment.run.InProcessRunner;
import sparsecircuits.pruning.compare.Comparison;
import sparsecircuits.pruning.compare.Experiment;

/** Runs an experiment's plan with the progress display and prints what it found: {@code experiment} and {@code demo}. */
final class ExperimentRun {
    private ExperimentRun() {
    }

    /** Runs the experiment's plan into {@code out} and prints what it found; the exit status. */
    static int run(ExperimentSettings s, Path out, InProcessRunner runner, CommandContext ctx) throws IOException {
        JobProgress progress = new JobProgress("experiment", ctx);
        ExperimentPlan.Outcome outcome;
        try (RunFlags.Stop stop = new RunFlags.Stop()) {
            outcome = ExperimentPlan.run(s, out, runner, progress, stop);
        } finally {
            progress.close();
        }
        int ran = outcome.run().ran().size();
        ctx.err().printf(Locale.ROOT, "experiment: %d job%s run, %d found finished in %s%n", ran, ran == 1 ? "" : "s", progress.found(), out);
        if (outcome.run().stopped()) {
            ctx.err().println("stopped; run the same command again to continue");
            return 130;
        }
        if (!outcome.run().failures().isEmpty()) {
            outcome.run().failures().forEach((job, why) -> ctx.err().println("experiment: " + job + " failed: " + why));
            ctx.err().println("the jobs after a failed one did not run; fix the cause and run the same command again (finished jobs are kept)");
            return 1;
        }
        print(outcome.experiment(), out, ctx);
        return 0;
    }

    private static void print(Experiment e, Path out, CommandContext ctx) {
        ctx.out().printf(Locale.ROOT, "%nmodels (validation loss, nats/token):%n");
        for (Experiment.Model m : e.models()) {
            ctx.out().printf(Locale.ROOT, "  %-12s %.4f  %,9d nonzeros of %,9d%s%n", m.id(), m.valLoss(), m.nonzeros(), m.params(),
                    m.id().equals(e.denseId()) ? "  <- loss-matched dense" : m.id().equals(e.sparseId()) ? "  <- sparse" : "");
        }
        for (Experiment.TaskResult t : e.tasks()) {
            boolean solved = t.solved(e.solvedBelow());
            ctx.out().printf(Locale.ROOT, "%n%s: unpruned task loss sparse %.4f, dense %.4f%s%n", t.task(), t.sparseLoss(), t.denseLoss(),
                    solved ? "" : String.format(Locale.ROOT, " -> not solved (> %.3g in %s): not pruned", e.solvedBelow(),
                            !Comparison.solves(t.sparseLoss(), e.solvedBelow()) && !Comparison.solves(t.denseLoss(), e.solvedBelow()) ? "either model"
                                    : !Comparison.solves(t.sparseLoss(), e.solvedBelow()) ? "the sparse model" : "the dense model"));
            for (int i = 0; i < t.sparse().size() && i < t.dense().size(); i++) {
                ctx.out().printf(Locale.ROOT, "  target %.3g: sparse %s, dense %s%n", t.sparse().get(i).target(), show(t.sparse().get(i)), show(t.dense().get(i)));
            }
            for (Experiment.Controls c : t.controls()) {
                ctx.out().printf(Locale.ROOT, "  controls (%s): %s%n", c.modelId(), c.trustworthy() ? "trustworthy" : "NOT TRUSTWORTHY");
            }
        }
        Comparison.Ratio edges = Comparison.edgeRatio(e, e.mainTarget());
        ctx.out().println();
        if (edges.tasks() > 0) {
            ctx.out().printf(Locale.ROOT, "geometric-mean edges(dense) / edges(sparse) at target %.3g over %d task%s: %.2f×%n",
                    e.mainTarget(), edges.tasks(), edges.tasks() == 1 ? "" : "s", edges.geoMean());
        } else {
            ctx.out().printf(Locale.ROOT, "no task was solved and pruned in both models at target %.3g: no edge ratio%n", e.mainTarget());
        }
        long unsolved = e.tasks().stream().filter(r -> !r.solved(e.solvedBelow())).count();
        if (unsolved > 0) ctx.out().println(unsolved + " of " + e.tasks().size() + " tasks unsolved (listed in the report)");
        ctx.out().println("report: " + out.resolve("report.html").toAbsolutePath().normalize());
    }

    private static String show(Experiment.Circuit c) {
        return c.reached() ? String.format(Locale.ROOT, "%,d nodes / %,d edges", c.nodes(), c.edges()) : "not reached";
    }
}
