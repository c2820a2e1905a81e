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
import sparsecircuits.experiment.job.JobRecord;
import sparsecircuits.experiment.job.JobContext;
import sparsecircuits.kernels.info.PlatformInfo;
import sparsecircuits.model.checkpoint.ModelDirectory;
import sparsecircuits.model.checkpoint.ModelFiles;
import sparsecircuits.model.train.Trainer;
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
        return plan.scoped("report");
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
        if (!plan.scope().isEmpty()) m.put("scope", plan.scope());
        // every record as it is now: when any job ran again (even to the same result), the report is written again
        List<Object> ids = new ArrayList<>();
        for (Job j : after) ids.add(finished.of(j).id() + " " + finished.of(j).finishedUtc());
        m.put("jobs", ids);
        return m;
    }

    @Override
    public Result run(JobContext ctx) throws IOException {
        Experiment e = build(ctx, plan.finished());
        Files.writeString(ctx.staging().resolve(plan.reportFile(JSON)), ExperimentJson.write(e));
        Files.writeString(ctx.staging().resolve(plan.reportFile(HTML)), ReportHtml.render(e, jobRuns(plan.finished())));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("tasks", (long) e.tasks().size());
        return new Result(m, List.of(plan.reportFile(JSON), plan.reportFile(HTML)));
    }

    private Experiment build(JobContext ctx, Finished f) {
        ExperimentSettings s = plan.settings();
        List<Experiment.Model> models = new ArrayList<>();
        for (TrainModelJob t : plan.trainJobs()) models.add(model(t, ctx.committed(t.spec.directory())));
        List<ExperimentPlan.Pairing> pairings = plan.pairings(f);
        List<Experiment.Pairing> pairs = new ArrayList<>();
        List<String> described = new ArrayList<>();
        for (ExperimentPlan.Pairing p : pairings) {
            pairs.add(new Experiment.Pairing(p.sparse().spec.id(), p.dense().spec.id()));
            described.add(p.sparse().spec.id() + " ↔ " + p.dense().spec.id());
        }
        List<Experiment.TaskResult> tasks = new ArrayList<>();
        double seconds = 0;
        for (Job j : after) seconds += f.of(j).seconds();
        for (TaskRef t : plan.tasks()) {
            Map<String, Double> losses = new LinkedHashMap<>();
            Map<String, List<Experiment.Circuit>> circuits = new LinkedHashMap<>();
            List<Experiment.Controls> controls = new ArrayList<>();
            String clash = null;
            for (TrainModelJob m : plan.trainJobs()) {
                EvaluateJob e = plan.evaluation(m, t);
                losses.put(m.spec.id(), EvaluateJob.loss(f, e));
                if (clash == null) clash = EvaluateJob.clash(f, e);
                PruneJob p = plan.pruning(m, t);
                if (p != null && f.has(p)) circuits.put(m.spec.id(), side(f, p, controls));
            }
            tasks.add(new Experiment.TaskResult(t.given(), losses, circuits, controls, clash));
        }
        List<String> notes = new ArrayList<>();
        for (ExperimentPlan.Pairing p : pairings) {
            double ls = ExperimentPlan.valLoss(f, p.sparse()), ld = ExperimentPlan.valLoss(f, p.dense());
            double gap = Math.abs(ld - ls) / ls;
            if (gap > 0.02) {
                notes.add(String.format(Locale.ROOT, "%s: the closest dense model (%s) is %.1f%% away in validation loss (%.3f vs %.3f); "
                        + "the match is loose (add dense widths that bracket it).", p.sparse().spec.id(), p.dense().spec.id(), 100 * gap, ls, ld));
            }
        }
        if (s.denseDepth() != s.layers()) {
            notes.add(String.format(Locale.ROOT, "The dense models have %d layers and the sparse ones %d: every ratio here compares different depths, "
                    + "so none is a headline figure.", s.denseDepth(), s.layers()));
        }
        long clashes = tasks.stream().filter(r -> r.tokenizerClash() != null).count();
        if (clashes > 0) {
            notes.add(clashes + " task(s) could not be measured: their prompt and target merge into one token in running text at vocab "
                    + s.vocab() + " (" + String.join(", ", tasks.stream().filter(r -> r.tokenizerClash() != null).map(Experiment.TaskResult::task).toList())
                    + "; the tasks grid says how).");
        }
        List<String> inCorpus = new ArrayList<>();
        for (TaskRef t : plan.tasks()) {
            long most = 0;
            for (TrainModelJob m : plan.trainJobs()) most = Math.max(most, EvaluateJob.pairsInCorpus(f, plan.evaluation(m, t)));
            if (most > 0) inCorpus.add(t.name() + " " + most);
        }
        if (!inCorpus.isEmpty()) {
            notes.add("Held-out pairs that occur verbatim in the real-code corpus were replaced by pairs that do not (task and count: "
                    + String.join(", ", inCorpus) + "); the training pairs of the pruning likewise.");
        }
        for (Experiment.TaskResult t : tasks) {
            List<String> empty = new ArrayList<>();
            for (var side : t.circuits().entrySet()) {
                for (Experiment.Circuit c : side.getValue()) {
                    if (c.target() == s.mainTarget() && c.reached() && c.edges() == 0) empty.add(side.getKey());
                }
            }
            if (!empty.isEmpty()) {
                notes.add(String.format(Locale.ROOT, "%s: the circuit at %.3g has no edges in %s: with its nodes mean-ablated the model still "
                        + "reaches the target through what is not a node (the bigram table, embeddings, biases); the task is left out of "
                        + "the edge ratios.", t.task(), s.mainTarget(), String.join(" and ", empty)));
            }
        }
        String mismatch = kernelsMismatch(after.stream().map(f::of).toList());
        if (mismatch != null) notes.add(mismatch);
        notes.add(String.format(Locale.ROOT, "Compute time of the jobs: %.1f min (a rerun finds finished jobs and does not count them again).", seconds / 60));
        return new Experiment(s.title(), Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(), machine(ctx), plan.describe(described),
                models, pairs, s.targets(), s.mainTarget(), s.solvedBelow(), tasks, notes);
    }

    /** Every job this report reads, where it ran, in the plan's order. */
    private List<ReportHtml.JobRun> jobRuns(Finished f) {
        List<ReportHtml.JobRun> out = new ArrayList<>();
        for (Job j : after) {
            JobRecord.Worker w = f.of(j).worker();
            out.add(new ReportHtml.JobRun(j.name(), w.host() + (w.runner().isEmpty() ? "" : " (" + w.runner() + ")"), w.kernelsKey(), f.of(j).seconds()));
        }
        return out;
    }

    /**
     * A note when the jobs ran on more than one kind of kernels (provider and vector width): a job's bits depend on
     * them, so such a run may not reproduce bit for bit on one machine.
     */
    static String kernelsMismatch(List<JobRecord> records) {
        Map<String, Long> kinds = new java.util.TreeMap<>();
        for (JobRecord r : records) kinds.merge(r.worker().kernelsKey(), 1L, Long::sum);
        if (kinds.size() < 2) return null;
        List<String> parts = new ArrayList<>();
        kinds.forEach((k, n) -> parts.add(k + " (" + n + " job" + (n == 1 ? "" : "s") + ")"));
        return "The jobs ran on different kernels: " + String.join(", ", parts) + ". Results depend on the kernels in their last bits, so this run "
                + "is not bit-identical to a run on one kind; give every executor the same CPU kind and JDK to compare runs exactly.";
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

    /** The report's view of one trained model: sizes, setup, final validation loss, and its curves from train-log.jsonl. */
    private static Experiment.Model model(TrainModelJob t, Path dir) {
        var g = ModelDirectory.model(dir);
        var tc = t.spec.train();
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
        Map<String, String> config = new LinkedHashMap<>();
        ModelFiles.referenceConfig(g.config()).forEach((k, v) -> config.put("model." + k, String.valueOf(v)));
        tc.toJson().forEach((k, v) -> config.put("train." + k, String.valueOf(v)));
        double forced = t.spec.sparse() ? Trainer.forcedShare(g, tc).overall() : Double.NaN;
        var setup = new Experiment.Setup(g.config().nLayer(), t.spec.expansion(), tc.seed(), tc.steps() * tc.batch() * tc.ctx(), forced, config);
        return new Experiment.Model(t.spec.id(), t.spec.sparse() ? "sparse" : "dense", g.config().dModel(), params, nnz, last, seconds,
                train, val, l0, setup);
    }

    /** CPU model, cores, JDK and kernel provider: every figure in the report is from this machine. */
    private static String machine(JobContext ctx) {
        PlatformInfo pi = PlatformInfo.detect();
        return pi.cpuModel() + ", " + pi.logicalCores() + " logical cores; JDK " + pi.jdkVersion() + "; kernels: "
                + ctx.kernels().name() + " " + ctx.kernels().vectorBitSize() + "-bit";
    }
}
