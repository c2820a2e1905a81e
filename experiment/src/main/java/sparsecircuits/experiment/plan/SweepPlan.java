package sparsecircuits.experiment.plan;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import sparsecircuits.experiment.job.Job;
import sparsecircuits.experiment.run.Plan;
import sparsecircuits.experiment.run.PlanSource;
import sparsecircuits.experiment.run.RunListener;
import sparsecircuits.experiment.run.RunSummary;
import sparsecircuits.experiment.run.Runner;
import sparsecircuits.experiment.store.ResultStore;
import sparsecircuits.pruning.compare.Experiment;
import sparsecircuits.pruning.compare.ExperimentJson;

/**
 * The experiments of a sweep ({@link SweepGrid}) as one plan in one run directory: the union of their plans, a job
 * that two experiments list under the same name (training a model they share, its node means, its evaluations)
 * listed once, so it runs once. Each experiment prunes, pages and reports on its own ({@link ExperimentPlan#scoped}).
 */
public final class SweepPlan implements Plan {
    private final List<ExperimentPlan> plans = new ArrayList<>();

    public SweepPlan(List<SweepGrid.Point> points) {
        for (SweepGrid.Point p : points) plans.add(new ExperimentPlan(p.settings(), p.scope()));
    }

    @Override
    public List<Job> jobs(Job.Finished finished) {
        Map<String, Job> union = new LinkedHashMap<>();
        for (ExperimentPlan p : plans) for (Job j : p.jobs(finished)) union.putIfAbsent(j.name(), j);
        return List.copyOf(union.values());
    }

    /** The sweep's plan, as a runner on another JVM builds it again. */
    public record Source(List<SweepGrid.Point> points) implements PlanSource {
        public Source {
            points = List.copyOf(points);
        }

        @Override
        public Plan plan() {
            return new SweepPlan(points);
        }

        @Override
        public String describe() {
            return "sweep of " + SweepGrid.describe(points);
        }
    }

    /** What a sweep gave: the run, and each experiment's figures (by its name) when its report was written. */
    public record Outcome(RunSummary run, Map<String, Experiment> experiments) {
    }

    /** Runs the sweep against {@code store} with {@code runner}. */
    public static Outcome run(List<SweepGrid.Point> points, ResultStore store, Runner runner, RunListener listener, BooleanSupplier stop)
            throws IOException {
        RunSummary summary = runner.run(new Source(points), store, listener, stop);
        Map<String, Experiment> out = new LinkedHashMap<>();
        for (SweepGrid.Point p : points) {
            if (summary.records().containsKey(ExperimentPlan.scoped(p.scope(), "report"))) {
                out.put(p.scope(), ExperimentJson.read(Files.readString(store.committed(ExperimentPlan.reportFile(p.scope(), ReportJob.JSON)),
                        StandardCharsets.UTF_8)));
            }
        }
        return new Outcome(summary, out);
    }

    /** The report page of experiment {@code scope}, relative to the run directory. */
    public static String reportPage(String scope) {
        return ExperimentPlan.reportFile(scope, ReportJob.HTML);
    }
}
