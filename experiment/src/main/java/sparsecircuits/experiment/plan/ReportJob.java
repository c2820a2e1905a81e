package sparsecircuits.experiment.plan;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import sparsecircuits.experiment.job.Job;
import sparsecircuits.experiment.job.JobContext;
import sparsecircuits.kernels.info.PlatformInfo;
import sparsecircuits.model.checkpoint.ModelDirectory;
import sparsecircuits.pruning.compare.Experiment;
import sparsecircuits.pruning.compare.ExperimentJson;
import sparsecircuits.present.report.ReportHtml;

/** The experiment's figures ({@code experiment.json}) and its page ({@code report.html}), from every other job's result. */
final class ReportJob implements Job {
    static final String JSON = "experiment.json", HTML = "report.html";
    private final ExperimentPlan plan;
    private final List<Job> after;

    ReportJob(ExperimentPlan plan, List<Job> after) {
        this.plan = plan;
        this.after = List.copyOf(after);
    }

    @Override
    public String name() {
        return "report";
    }

    @Override
    public String kind() {
        return "report";
    }

    @Override
    public List<Job> after() {
        return after;
    }

    @Override
    public Map<String, Object> inputs(Finished finished) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("title", plan.settings().title());
        // every record as it is now: when any job ran again (even to the same result), the report is written again
        List<Object> ids = new ArrayList<>();
        for (Job j : after) ids.add(finished.of(j).id() + " " + finished.of(j).finishedUtc());
        m.put("jobs", ids);
        return m;
    }

    @Override
    public Result run(JobContext ctx) throws IOException {
        Experiment e = build(ctx, plan.finished());
        Files.writeString(ctx.staging().resolve(JSON), ExperimentJson.write(e));
        Files.writeString(ctx.staging().resolve(HTML), ReportHtml.render(e));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("tasks", (long) e.tasks().size());
        return new Result(m, List.of(JSON, HTML));
    }

    private Experiment build(JobContext ctx, Finished f) {
        ExperimentSettings s = plan.settings();
        List<Experiment.Model> models = new ArrayList<>();
        for (TrainModelJob t : plan.trainJobs()) models.add(model(t, ctx.committed(t.spec.directory())));
        TrainModelJob sparse = plan.trainJobs().get(0), dense = plan.matched(f);
        List<Experiment.TaskResult> tasks = new ArrayList<>();
        double seconds = 0;
        for (Job j : after) seconds += f.of(j).seconds();
        for (TaskRef t : plan.tasks()) {
            EvaluateJob es = plan.evaluation(sparse, t), ed = plan.evaluation(dense, t);
            double ls = EvaluateJob.loss(f, es), ld = EvaluateJob.loss(f, ed);
            List<Experiment.Circuit> cs = List.of(), cd = List.of();
            List<Experiment.Controls> controls = new ArrayList<>();
            PruneJob ps = plan.pruning(sparse, t), pd = plan.pruning(dense, t);
            if (ps != null && pd != null) {
                cs = side(f, ps, controls);
                cd = side(f, pd, controls);
            }
            tasks.add(new Experiment.TaskResult(t.given(), ls, ld, cs, cd, controls));
        }
        Experiment.Model ms = models.get(0), md = models.get(plan.trainJobs().indexOf(dense));
        List<String> notes = new ArrayList<>();
        double gap = Math.abs(md.valLoss() - ms.valLoss()) / ms.valLoss();
        if (gap > 0.05) {
            notes.add(String.format(Locale.ROOT, "The closest dense model's validation loss is %.1f%% away from the sparse model's; "
                    + "the match is loose (add dense widths).", 100 * gap));
        }
        long unsolved = tasks.stream().filter(r -> !r.solved(s.solvedBelow())).count();
        if (unsolved > 0) notes.add(unsolved + " of " + tasks.size() + " tasks are not solved by both models and were not pruned (listed below).");
        for (Experiment.TaskResult t : tasks) {
            List<String> empty = new ArrayList<>();
            for (var side : List.of(Map.entry(sparse.spec.id(), t.sparse()), Map.entry(dense.spec.id(), t.dense()))) {
                for (Experiment.Circuit c : side.getValue()) {
                    if (c.target() == s.mainTarget() && c.reached() && c.edges() == 0) empty.add(side.getKey());
                }
            }
            if (!empty.isEmpty()) {
                notes.add(String.format(Locale.ROOT, "%s: the circuit at %.3g has no edges in %s: with its nodes mean-ablated the model still "
                        + "reaches the target through what is not a node (the bigram table, embeddings, biases); the task is left out of "
                        + "the edge ratio.", t.task(), s.mainTarget(), String.join(" and ", empty)));
            }
        }
        notes.add(String.format(Locale.ROOT, "Compute time of the jobs: %.1f min (a rerun finds finished jobs and does not count them again).", seconds / 60));
        return new Experiment(s.title(), Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(), machine(ctx), plan.describe(dense.spec.id()),
                models, sparse.spec.id(), dense.spec.id(), s.targets(), s.mainTarget(), s.solvedBelow(), tasks, notes);
    }

    /** One model's circuits, with their viewer pages, and its controls (added to {@code controls} when run). */
    private List<Experiment.Circuit> side(Finished f, PruneJob p, List<Experiment.Controls> controls) {
        Map<String, Object> r = f.of(p).result();
        Experiment.Controls c = ExperimentJson.readSideControls(r);
        if (c != null) controls.add(c);
        List<Experiment.Circuit> out = new ArrayList<>();
        ViewPageJob view = plan.view(p);
        for (Experiment.Circuit x : ExperimentJson.readSideCircuits(r)) {
            out.add(x.path() != null && view != null ? x.withView(ViewPageJob.view(f, view), ViewPageJob.error(f, view)) : x);
        }
        return out;
    }

    /** The report's view of one trained model: sizes, final validation loss, and its curves from train-log.jsonl. */
    private static Experiment.Model model(TrainModelJob t, Path dir) {
        var g = ModelDirectory.model(dir);
        long params = g.parameterCount(), nnz = g.nonZeroBudget();
        List<double[]> train = new ArrayList<>(), val = new ArrayList<>(), l0 = new ArrayList<>();
        double seconds = 0;
        List<Map<?, ?>> rows = ModelDirectory.logRows(dir);
        for (Map<?, ?> m : rows == null ? List.<Map<?, ?>>of() : rows) {
            long step = ((Number) m.get("step")).longValue();
            if (m.get("loss") instanceof Number l && step % 10 == 0) train.add(new double[] {step, l.doubleValue()});
            if (m.get("val_loss") instanceof Number v) val.add(new double[] {step, v.doubleValue()});
            if (m.get("l0") instanceof Number z && step % 10 == 0) l0.add(new double[] {step, z.doubleValue() / params});
            if (m.get("ms") instanceof Number ms) seconds += ms.doubleValue() / 1000;
        }
        double last = val.isEmpty() ? Double.NaN : val.get(val.size() - 1)[1];
        return new Experiment.Model(t.spec.id(), t.spec.sparse() ? "sparse" : "dense", g.config().dModel(), params, nnz, last, seconds,
                train, val, l0);
    }

    /** CPU model, cores, JDK and kernel provider: every figure in the report is from this machine. */
    private static String machine(JobContext ctx) {
        PlatformInfo pi = PlatformInfo.detect();
        return pi.cpuModel() + ", " + pi.logicalCores() + " logical cores; JDK " + pi.jdkVersion() + "; kernels: "
                + ctx.kernels().name() + " " + ctx.kernels().vectorBitSize() + "-bit";
    }
}
