package sparsecircuits.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import sparsecircuits.experiment.plan.ExperimentPlan;
import sparsecircuits.experiment.plan.ExperimentSettings;
import sparsecircuits.experiment.run.RunSummary;
import sparsecircuits.experiment.store.ResultStore;
import sparsecircuits.pruning.compare.Comparison;
import sparsecircuits.pruning.compare.Experiment;

/** Runs an experiment's plan with the progress display and prints what it found: {@code experiment} and {@code demo}. */
final class ExperimentRun {
    private ExperimentRun() {
    }

    /** Runs the experiment's plan into {@code out} with the runner the flags ask for; prints what it found; the exit status. */
    static int run(ExperimentSettings s, String out, Options.Parsed flags, CommandContext ctx) throws IOException {
        try (RunFlags.Opened opened = RunFlags.open(flags, out, "sparse-circuits " + s.title())) {
            ResultStore store = opened.store();
            if (opened.cluster() != null) s = ExperimentPlan.withCorpusInStore(s, store); // executors read the corpus from the run directory
            ctx.err().println("experiment: " + estimate(s) + " (finished jobs in " + store.describe() + " are not redone)");
            if (opened.cluster() != null) {
                ctx.err().printf(Locale.ROOT, "experiment: jobs run on %s (connected in %.1f s)%n", opened.runner().describe(), opened.cluster().startSeconds());
            }
            final ExperimentSettings settings = s;
            JobProgress progress = new JobProgress("experiment", ctx);
            ExperimentPlan.Outcome outcome = runWithProgress(progress, opened, ctx, stop -> ExperimentPlan.run(settings, store, opened.runner(), progress, stop));
            Integer failed = failedStatus("experiment", outcome.run(), progress, store, ctx);
            if (failed != null) return failed;
            print(outcome.experiment(), store.committed("report.html"), ctx);
            return 0;
        }
    }

    /** A plan's run, as the runner does it. */
    interface PlanRun<T> {
        T run(RunFlags.Stop stop) throws IOException;
    }

    /** Runs {@code run} with Ctrl-C handling and the progress line closed after; prints a cluster's overhead. */
    static <T> T runWithProgress(JobProgress progress, RunFlags.Opened opened, CommandContext ctx, PlanRun<T> run) throws IOException {
        T outcome;
        try (RunFlags.Stop stop = new RunFlags.Stop()) {
            outcome = run.run(stop);
        } finally {
            progress.close();
        }
        if (opened.cluster() != null) ctx.err().println(progress.who() + ": " + RunFlags.overhead(opened.cluster()));
        return outcome;
    }

    /** Prints what ran; the exit status when the run stopped or a job failed, else null (go on and print the results). */
    static Integer failedStatus(String who, RunSummary run, JobProgress progress, ResultStore store, CommandContext ctx) {
        int ran = run.ran().size();
        ctx.err().printf(Locale.ROOT, "%s: %d job%s run, %d found finished in %s%n", who, ran, ran == 1 ? "" : "s", progress.found(), store.describe());
        if (run.stopped()) {
            ctx.err().println("stopped; run the same command again to continue");
            return 130;
        }
        if (!run.failures().isEmpty()) {
            run.failures().forEach((job, why) -> ctx.err().println(who + ": " + job + " failed: " + why));
            ctx.err().println("the jobs after a failed one did not run; fix the cause and run the same command again (finished jobs are kept)");
            return 1;
        }
        return null;
    }

    /** The plan's size and estimated time, one line. */
    static String estimate(ExperimentSettings s) {
        ExperimentPlan.Estimate e = ExperimentPlan.estimate(s);
        return String.format(Locale.ROOT, "%d models, %d tasks; estimated %.0f min on 2 cores like the presets' machine (training %.0f, pruning %.0f)",
                e.models(), s.tasks().size(), e.seconds() / 60, e.trainingSeconds() / 60, e.pruningSeconds() / 60);
    }

    private static void print(Experiment e, Path report, CommandContext ctx) {
        ctx.out().printf(Locale.ROOT, "%nmodels (validation loss, nats/token; tasks solved of %d):%n", e.tasks().size());
        for (Experiment.Model m : e.models()) {
            long solved = e.tasks().stream().filter(t -> t.solvedBy(m.id(), e.solvedBelow())).count();
            ctx.out().printf(Locale.ROOT, "  %-16s %-12s %.4f  %,10d nonzeros of %,11d  %2d solved%n", m.id(), m.label(), m.valLoss(), m.nonzeros(),
                    m.params(), solved);
        }
        for (Experiment.TaskResult t : e.tasks()) {
            if (t.tokenizerClash() != null) ctx.out().println("tokenizer clash: " + t.tokenizerClash());
        }
        ctx.out().printf(Locale.ROOT, "%nper sparse model and its loss-matched dense partner, at target %.3g (dense / sparse, geometric mean):%n",
                e.mainTarget());
        for (Experiment.Pairing p : e.pairings()) {
            Comparison.Ratio edges = Comparison.edgeRatio(e, p, e.mainTarget()), nodes = Comparison.nodeRatio(e, p, e.mainTarget());
            boolean head = p.equals(e.headline());
            ctx.out().printf(Locale.ROOT, "  %-16s vs %-16s %s%s%n", p.sparseId(), p.denseId(), edges.tasks() == 0 ? "no task solved and pruned in both"
                    : String.format(Locale.ROOT, "edges %.2f×, nodes %.2f× over %d task%s", edges.geoMean(), nodes.geoMean(), edges.tasks(),
                    edges.tasks() == 1 ? "" : "s"), head ? "  <- headline (widest)" : "");
        }
        for (Experiment.TaskResult t : e.tasks()) {
            for (Experiment.Controls c : t.controls()) {
                if (!c.trustworthy()) ctx.out().printf(Locale.ROOT, "controls flag %s in %s: NOT TRUSTWORTHY%n", t.task(), c.modelId());
            }
        }
        ctx.out().println("report: " + report.toAbsolutePath().normalize());
    }

}
