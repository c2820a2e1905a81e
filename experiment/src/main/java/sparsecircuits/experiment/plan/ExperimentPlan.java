package sparsecircuits.experiment.plan;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BooleanSupplier;
import sparsecircuits.experiment.job.Job;
import sparsecircuits.experiment.run.InProcessRunner;
import sparsecircuits.experiment.run.Plan;
import sparsecircuits.experiment.run.RunListener;
import sparsecircuits.experiment.run.RunSummary;
import sparsecircuits.experiment.store.LocalDirectoryStore;
import sparsecircuits.experiment.store.ResultStore;
import sparsecircuits.pruning.compare.Comparison;
import sparsecircuits.pruning.compare.Experiment;
import sparsecircuits.pruning.compare.ExperimentJson;

/**
 * The sparse-vs-dense experiment as a plan of jobs. It unfolds in three stages: (1) train the sparse model and every
 * dense width; (2) once all are trained, the dense model closest in validation loss is the loss-matched one, and both
 * compared models get their node means and an evaluation of every task; (3) a task both solve is pruned in both,
 * each written circuit gets its viewer page, and when every pruning is known the report is written.
 */
public final class ExperimentPlan implements Plan {
    private final ExperimentSettings settings;
    private final List<TaskRef> tasks = new ArrayList<>();
    private final List<TrainModelJob> trains = new ArrayList<>();
    private final Map<String, Job> made = new LinkedHashMap<>();
    private Job.Finished finished;

    public ExperimentPlan(ExperimentSettings settings) {
        this.settings = settings;
        for (String t : settings.tasks()) tasks.add(new TaskRef(t));
        trains.add(new TrainModelJob(ModelSpec.sparse(settings.steps(), settings.seed())));
        for (int w : settings.denseWidths()) trains.add(new TrainModelJob(ModelSpec.dense(w, settings.steps(), settings.seed())));
    }

    public ExperimentSettings settings() {
        return settings;
    }

    /** What a run of the experiment gave: the run's summary, and the experiment's figures when the report was written. */
    public record Outcome(RunSummary run, Experiment experiment) {
    }

    /** Runs the experiment into {@code runDir} (a local result store) with {@code runner}. */
    public static Outcome run(ExperimentSettings settings, Path runDir, InProcessRunner runner, RunListener listener,
                              BooleanSupplier stop) throws IOException {
        return run(settings, new LocalDirectoryStore(runDir), runner, listener, stop);
    }

    /** Runs the experiment against {@code store} with {@code runner}. */
    public static Outcome run(ExperimentSettings settings, ResultStore store, InProcessRunner runner, RunListener listener,
                              BooleanSupplier stop) throws IOException {
        RunSummary summary = runner.run(new ExperimentPlan(settings), store, listener, stop);
        Experiment e = null;
        if (summary.records().containsKey("report")) {
            e = ExperimentJson.read(Files.readString(store.committed(ReportJob.JSON), StandardCharsets.UTF_8));
        }
        return new Outcome(summary, e);
    }

    @Override
    public List<Job> jobs(Job.Finished f) {
        finished = f;
        List<Job> jobs = new ArrayList<>(trains);
        if (!trains.stream().allMatch(f::has)) return jobs;
        TrainModelJob sparse = trains.get(0), dense = matched(f);
        for (TrainModelJob m : List.of(sparse, dense)) jobs.add(means(m));
        boolean complete = true;
        for (TaskRef t : tasks) {
            EvaluateJob es = evaluation(sparse, t), ed = evaluation(dense, t);
            jobs.add(es);
            jobs.add(ed);
            if (!f.has(es) || !f.has(ed)) {
                complete = false;
                continue;
            }
            if (!Comparison.solves(EvaluateJob.loss(f, es), settings.solvedBelow())
                    || !Comparison.solves(EvaluateJob.loss(f, ed), settings.solvedBelow())) continue;
            for (TrainModelJob m : List.of(sparse, dense)) {
                PruneJob p = (PruneJob) made.computeIfAbsent("prune " + m.spec.id() + " " + t.given(),
                        k -> new PruneJob(m, means(m), t, settings, settings.controls().contains(t.given())));
                jobs.add(p);
                if (!f.has(p)) {
                    complete = false;
                } else if (!f.of(p).outputs().isEmpty()) {
                    jobs.add(made.computeIfAbsent("view " + m.spec.id() + " " + t.given(), k -> new ViewPageJob(p, settings.livePairs())));
                }
            }
        }
        if (complete) {
            List<Job> before = List.copyOf(jobs);
            jobs.add(made.computeIfAbsent("report", k -> new ReportJob(this, before)));
        }
        return jobs;
    }

    Job.Finished finished() {
        return finished;
    }

    List<TrainModelJob> trainJobs() {
        return trains;
    }

    List<TaskRef> tasks() {
        return tasks;
    }

    /** The dense model closest in validation loss to the sparse one (the first on a tie). */
    TrainModelJob matched(Job.Finished f) {
        List<TrainModelJob> dense = trains.subList(1, trains.size());
        return dense.get(Comparison.lossMatched(valLoss(f, trains.get(0)), dense.stream().map(d -> valLoss(f, d)).toList()));
    }

    private static double valLoss(Job.Finished f, TrainModelJob t) {
        return f.of(t).result().get("val_loss") instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    private NodeMeansJob means(TrainModelJob m) {
        return (NodeMeansJob) made.computeIfAbsent("means " + m.spec.id(), k -> new NodeMeansJob(m));
    }

    EvaluateJob evaluation(TrainModelJob m, TaskRef t) {
        return (EvaluateJob) made.computeIfAbsent("evaluate " + m.spec.id() + " " + t.given(),
                k -> new EvaluateJob(m, t, settings.pairs(), settings.seed()));
    }

    /** The pruning of a task in a model, or null when the task is not pruned. */
    PruneJob pruning(TrainModelJob m, TaskRef t) {
        return (PruneJob) made.get("prune " + m.spec.id() + " " + t.given());
    }

    /** The viewer page of a pruning's circuit, or null when it wrote none. */
    ViewPageJob view(PruneJob p) {
        return (ViewPageJob) made.get("view " + p.model.spec.id() + " " + p.task.given());
    }

    /** What was run, as the report's settings table says it. */
    Map<String, String> describe(String matched) {
        ExperimentSettings s = settings;
        Map<String, String> m = new LinkedHashMap<>();
        ModelSpec sparse = trains.get(0).spec;
        m.put("corpus", "embedded synthetic Python (seed " + sparse.train().corpusSeed() + "), vocab " + sparse.arch().vocabSize()
                + ", context " + sparse.arch().blockSize());
        m.put("training", s.steps() + " steps of " + sparse.train().batch() + " × " + sparse.train().ctx() + " tokens, every model");
        m.put("sparse model", String.format(Locale.ROOT, "%d layers, d_model %d, pfrac %s of a width-%d base (E %d), AbsTopK %s, sink, bigram table",
                sparse.arch().nLayer(), sparse.arch().dModel(), fraction(sparse.train().pfrac()), sparse.train().baseWidth(),
                (int) sparse.train().expansion(sparse.arch().dModel()), fraction(sparse.arch().afrac())));
        m.put("dense widths", s.denseWidths().toString());
        m.put("loss-matched dense", matched);
        m.put("tasks", String.join(", ", s.tasks()));
        m.put("targets", s.targets().toString());
        m.put("main target", Double.toString(s.mainTarget()));
        m.put("solved", "unpruned held-out task loss ≤ " + s.solvedBelow() + " in both models");
        m.put("pruning", String.format(Locale.ROOT, "%d mask steps at each k_coef of %s, lr %.0e, %d pairs a batch, mean ablation; "
                        + "masks trained per task at the main target, bisection per target, fewest edges kept", s.pruneSteps(), s.kCoefs(),
                sparsecircuits.pruning.prune.Pruner.Settings.smallRun().lr(), sparsecircuits.pruning.prune.Pruner.Settings.smallRun().batchPairs()));
        m.put("pairs", s.pairs() + " training, " + sparsecircuits.pruning.tasks.TaskSource.heldOutPairs(s.pairs()) + " held-out per task");
        m.put("controls", s.controls().isEmpty() ? "none" : String.join(", ", s.controls()));
        m.put("seed", Long.toString(s.seed()));
        return m;
    }

    private static String fraction(double x) {
        return x == 0.25 ? "1/4" : x == 0.5 ? "1/2" : Double.toString(x);
    }
}
