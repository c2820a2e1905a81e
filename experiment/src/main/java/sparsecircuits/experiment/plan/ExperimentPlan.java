package sparsecircuits.experiment.plan;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import sparsecircuits.experiment.job.Job;
import sparsecircuits.experiment.run.PlanSource;
import sparsecircuits.experiment.run.Plan;
import sparsecircuits.experiment.run.RunListener;
import sparsecircuits.experiment.run.RunSummary;
import sparsecircuits.experiment.run.Runner;
import sparsecircuits.experiment.store.LocalDirectoryStore;
import sparsecircuits.experiment.store.ResultStore;
import sparsecircuits.model.train.ScalableRecipe;
import sparsecircuits.model.train.TrainConfig;
import sparsecircuits.model.train.TrainRun;
import sparsecircuits.pruning.compare.Comparison;
import sparsecircuits.pruning.compare.Experiment;
import sparsecircuits.pruning.compare.ExperimentJson;
import sparsecircuits.pruning.prune.Pruner;
import sparsecircuits.pruning.tasks.TaskSource;

/**
 * The frontier experiment as a plan of jobs. It unfolds in three stages: (1) train every model (sparse widths and dense
 * widths, per seed); (2) once all are trained, each sparse model is paired with the dense model of its seed closest in
 * validation loss, and every model evaluates every task; (3) every task a model solves is pruned in that model (a
 * pairing's ratio uses the tasks both solve, the frontier figure the tasks all models solve), each written circuit gets
 * its viewer page, and when every pruning is known the report is written. The controls run on the control tasks'
 * circuits in the sparse models and their partners.
 */
public final class ExperimentPlan implements Plan {
    private final ExperimentSettings settings;
    /** "" for an experiment alone in its run directory; in a sweep, the experiment's name (see {@link #scoped}). */
    private final String scope;
    private final List<TaskRef> tasks = new ArrayList<>();
    private final List<TrainModelJob> trains = new ArrayList<>();
    private final Map<String, Job> made = new LinkedHashMap<>();
    private Job.Finished finished;

    /**
     * @throws sparsecircuits.model.train.SettingException when a sparse model's L0 cannot be held or met (before
     *         anything runs)
     */
    public ExperimentPlan(ExperimentSettings settings) {
        this(settings, "");
    }

    /**
     * The plan of one experiment of a sweep, named {@code scope}: its models are shared with the sweep's other
     * experiments (their ids are hashed from their settings, so the run directory must be shared-out), while its
     * prunings, pages and report are its own ({@code circuits/SCOPE/…}, {@code report-SCOPE.html}, job names
     * "SCOPE: …"), since they depend on which models the experiment pairs.
     */
    public ExperimentPlan(ExperimentSettings settings, String scope) {
        if (!scope.isEmpty() && !settings.sharedOut()) throw new IllegalArgumentException("an experiment of a sweep needs a shared-out run directory");
        if (!scope.matches("[A-Za-z0-9._=-]*")) throw new IllegalArgumentException("a sweep's experiment name holds letters, digits and ._=- only: " + scope);
        this.settings = settings;
        this.scope = scope;
        for (String t : settings.tasks()) tasks.add(TaskRef.of(t, settings.corpus()));
        for (ModelSpec m : ModelSpec.all(settings)) trains.add(new TrainModelJob(m));
    }

    public ExperimentSettings settings() {
        return settings;
    }

    /** What a run of the experiment gave: the run's summary, and the experiment's figures when the report was written. */
    public record Outcome(RunSummary run, Experiment experiment) {
    }

    /** The plan of {@code settings} (in a sweep: its experiment {@code scope}), as a runner on another JVM builds it again. */
    public record Source(ExperimentSettings settings, String scope) implements PlanSource {
        public Source(ExperimentSettings settings) {
            this(settings, "");
        }

        @Override
        public Plan plan() {
            return new ExperimentPlan(settings, scope);
        }

        @Override
        public String describe() {
            return settings.title();
        }
    }

    /**
     * The settings with their directory of real code ({@code DIR} or {@code mix:DIR:SHARE}) copied into the store at
     * {@code corpus/NAME-HASH/} (the .py files only; HASH of their paths, sizes and modification times, so an edited
     * corpus is copied again) and read from there: for a runner whose workers read the run directory, not the machine
     * the run was started on. Settings without a directory, or whose directory is already in the store, are returned
     * as they are. The models' ids and the tasks' inputs then name the copy, not the original.
     */
    public static ExperimentSettings withCorpusInStore(ExperimentSettings s, ResultStore store) throws IOException {
        var dir = TrainRun.corpusDirectory(s.corpus());
        if (dir.isEmpty()) return s;
        Path source = dir.get().toAbsolutePath().normalize();
        java.util.function.Predicate<Path> python = p -> p.getFileName() != null && p.getFileName().toString().endsWith(".py");
        StringBuilder listing = new StringBuilder();
        try (var files = Files.walk(source)) {
            for (Path f : files.filter(Files::isRegularFile).filter(python).sorted().toList()) {
                listing.append(source.relativize(f)).append(' ').append(Files.size(f)).append(' ').append(Files.getLastModifiedTime(f).toMillis()).append('\n');
            }
        }
        String name = source.getFileName() == null ? "corpus" : source.getFileName().toString();
        String relative = "corpus/" + name + "-" + sparsecircuits.experiment.job.JobRecord.sha256Hex(listing.toString()).substring(0, 8);
        String copy = store.importFiles(source, python, relative).toString();
        String corpus = s.corpus().startsWith(TrainRun.MIX_PREFIX) ? new TrainRun.MixSpec(Path.of(copy), TrainRun.parseMix(s.corpus()).share()).corpus() : copy;
        return s.toBuilder().corpus(corpus).build();
    }

    /** Runs the experiment into {@code runDir} (a local result store) with {@code runner}. */
    public static Outcome run(ExperimentSettings settings, Path runDir, Runner runner, RunListener listener,
                              BooleanSupplier stop) throws IOException {
        return run(settings, new LocalDirectoryStore(runDir), runner, listener, stop);
    }

    /** Runs the experiment against {@code store} with {@code runner}. */
    public static Outcome run(ExperimentSettings settings, ResultStore store, Runner runner, RunListener listener,
                              BooleanSupplier stop) throws IOException {
        RunSummary summary = runner.run(new Source(settings), store, listener, stop);
        Experiment e = null;
        if (summary.records().containsKey("report")) {
            e = ExperimentJson.read(Files.readString(store.committed(ReportJob.JSON), StandardCharsets.UTF_8));
        }
        return new Outcome(summary, e);
    }

    /**
     * A rough estimate of a run's time on 2 cores of the machine the presets were measured on (AMD EPYC Zen 5, one job
     * at a time): printed before a run starts, never used to choose anything.
     *
     * @param models           models trained
     * @param trainingSeconds  their training
     * @param pruningSeconds   the prunings, assuming each model solves {@link #SOLVED_SHARE} of the tasks
     */
    public record Estimate(int models, double trainingSeconds, double pruningSeconds) {
        public double seconds() {
            return trainingSeconds + pruningSeconds;
        }
    }

    /** The share of tasks a model is assumed to solve in {@link #estimate}: most runs here solved 15–50%. */
    static final double SOLVED_SHARE = 0.3;

    /**
     * The time of a run of {@code s} from nothing. A training step costs 18.5 ms + 5.6 ms per GFLOP (6 × tokens ×
     * (12·d²·layers + vocab·d), fitted to the dense steps of the width benchmark, d_model 64–512, BENCHMARKS.md), plus
     * 15% for validation, checkpoints and the tokenizer. A sparse step of the paper recipe is costed as dense (during
     * the anneal it is dearer, after it cheaper). A sparse model the scalable recipe holds costs {@link #heldStepMs}:
     * at the start multiple during the anneal, at its L0 after it. A mask step costs 0.6 dense training steps
     * (measured in the demo's prunings), or for a sparse model 0.8 {@link #heldStepMs} steps at its L0 (there are no
     * weight gradients; 71 ms measured at E 8, BENCHMARKS.md); a pruning 1.5 × steps × k_coefs mask steps, 5 × with the
     * controls.
     */
    public static Estimate estimate(ExperimentSettings s) {
        double train = 0, prune = 0;
        // shapes only: the settings say every model's width and depth (ModelSpec.all would build each sparse model
        // again to check its budget, which the plan does once)
        List<int[]> widthAndDepth = new ArrayList<>();
        for (int w : s.sparseWidths()) widthAndDepth.add(new int[] {w, s.layers()});
        for (int w : s.denseWidths()) widthAndDepth.add(new int[] {w, s.denseDepth()});
        int models = widthAndDepth.size() * s.seeds().size();
        int sparseModels = s.sparseWidths().size();
        for (int i = 0; i < widthAndDepth.size(); i++) {
            int[] m = widthAndDepth.get(i);
            double d = m[0], gflop = 6.0 * s.batch() * s.ctx() * (12 * d * d * m[1] + s.vocab() * d) / 1e9;
            double stepMs = (18.5 + 5.6 * gflop) * 1.15, trainMs = stepMs;
            if (i < sparseModels && heldByScalableRecipe(s, m[0])) {
                double anneal = TrainConfig.defaults().annealStopFrac();
                trainMs = (anneal * heldStepMs(s, m[0], ScalableRecipe.START_MULTIPLE) + (1 - anneal) * heldStepMs(s, m[0], 1)) * 1.15;
            }
            train += s.seeds().size() * s.steps() * trainMs / 1000;
            // a mask step has no weight gradients: a sparse model's costs 0.8 × its held step (71 ms measured at E 8)
            double maskMs = i < sparseModels ? 0.8 * heldStepMs(s, m[0], 1) : 0.6 * stepMs;
            for (String t : s.tasks()) {
                double work = 1.5 * s.pruneSteps() * s.kCoefs().size() * (s.controls().contains(t) ? 5 : 1);
                prune += s.seeds().size() * SOLVED_SHARE * work * maskMs / 1000;
            }
        }
        return new Estimate(models, train, prune);
    }

    /** Whether the scalable recipe holds the block matrices of the sparse model of width {@code d} (ScalableRecipe). */
    static boolean heldByScalableRecipe(ExperimentSettings s, int d) {
        double density = s.l0() > 0 ? s.l0() / topKParameters(s, d) : s.pfrac() * Math.pow((double) s.baseWidth() / d, 2);
        return s.recipe() == TrainConfig.Recipe.SCALABLE && ScalableRecipe.holdsAtDensity(density);
    }

    /**
     * A step of the scalable recipe holding {@code multiple} × L0 kept entries (the start multiple during the anneal, 1
     * after it), in ms on 2 threads: 18.5 ms, plus the activation work (AbsTopK, attention, norms: 6.8e-5 ms per token ×
     * layer × d_model), plus 25 ms per GFLOP of weight work on the held entries (6 × tokens × (multiple + 0.25) × L0,
     * candidates included). Fitted to the width benchmark's scalable steps after the anneal (L0 A and L0 B, d_model
     * 64–1024, within 20%; at d_model 2048 it falls 28% short); the anneal's cost is this model's extrapolation.
     */
    static double heldStepMs(ExperimentSettings s, int d, int multiple) {
        double tokens = (double) s.batch() * s.ctx();
        double l0 = s.l0() > 0 ? s.l0() : s.pfrac() * topKParameters(s, s.baseWidth());
        return 18.5 + 6.8e-5 * tokens * s.layers() * d + 25 * 6 * tokens * (multiple + 0.25) * l0 / 1e9;
    }

    /** The weights of width {@code d} under top-k: the blocks' matrices, token embedding and unembedding. */
    private static double topKParameters(ExperimentSettings s, int d) {
        return 12.0 * d * d * s.layers() + 2.0 * s.vocab() * d;
    }

    @Override
    public List<Job> jobs(Job.Finished f) {
        finished = f;
        List<Job> jobs = new ArrayList<>(trains);
        if (!trains.stream().allMatch(f::has)) return jobs;
        Set<TrainModelJob> paired = new HashSet<>();
        for (Pairing p : pairings(f)) {
            paired.add(p.sparse());
            paired.add(p.dense());
        }
        boolean complete = true;
        for (TaskRef t : tasks) {
            for (TrainModelJob m : trains) {
                EvaluateJob e = evaluation(m, t);
                jobs.add(e);
                if (!f.has(e)) {
                    complete = false;
                    continue;
                }
                if (EvaluateJob.clash(f, e) != null || !Comparison.solves(EvaluateJob.loss(f, e), settings.solvedBelow())) continue;
                boolean controls = paired.contains(m) && settings.controls().contains(t.given());
                jobs.add(means(m));
                PruneJob p = (PruneJob) made.computeIfAbsent(scoped("prune " + m.spec.id() + " " + t.given()),
                        k -> new PruneJob(m, means(m), t, settings, controls, this));
                jobs.add(p);
                if (!f.has(p)) {
                    complete = false;
                } else if (!f.of(p).outputs().isEmpty()) {
                    jobs.add(made.computeIfAbsent(scoped("view " + m.spec.id() + " " + t.given()), k -> new ViewPageJob(p, settings.livePairs())));
                }
            }
        }
        if (complete) {
            List<Job> before = List.copyOf(new LinkedHashSet<>(jobs));
            jobs.add(made.computeIfAbsent(scoped("report"), k -> new ReportJob(this, before)));
        }
        return List.copyOf(new LinkedHashSet<>(jobs));
    }

    /** A job name of this experiment's own work: "SCOPE: name" in a sweep. */
    String scoped(String name) {
        return scoped(scope, name);
    }

    static String scoped(String scope, String name) {
        return scope.isEmpty() ? name : scope + ": " + name;
    }

    /** Where this experiment's own files go under the run directory: "" alone, else under a directory named for it. */
    String scopedPath(String directory, String file) {
        return scope.isEmpty() ? directory + file : directory + scope + "/" + file;
    }

    /** The report's files: experiment.json and report.html, in a sweep experiment-SCOPE.json and report-SCOPE.html. */
    String reportFile(String file) {
        return reportFile(scope, file);
    }

    static String reportFile(String scope, String file) {
        if (scope.isEmpty()) return file;
        int dot = file.lastIndexOf('.');
        return file.substring(0, dot) + "-" + scope + file.substring(dot);
    }

    public String scope() {
        return scope;
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

    /** A sparse model and its loss-matched dense partner. */
    record Pairing(TrainModelJob sparse, TrainModelJob dense) {
    }

    /** Each sparse model with the dense model of its seed closest in validation loss (the first on a tie). */
    List<Pairing> pairings(Job.Finished f) {
        List<Pairing> out = new ArrayList<>();
        for (TrainModelJob s : trains) {
            if (!s.spec.sparse()) continue;
            List<TrainModelJob> dense = trains.stream().filter(d -> !d.spec.sparse() && d.spec.train().seed() == s.spec.train().seed()).toList();
            out.add(new Pairing(s, dense.get(Comparison.lossMatched(valLoss(f, s), dense.stream().map(d -> valLoss(f, d)).toList()))));
        }
        return out;
    }

    static double valLoss(Job.Finished f, TrainModelJob t) {
        return f.of(t).result().get("val_loss") instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    private NodeMeansJob means(TrainModelJob m) {
        return (NodeMeansJob) made.computeIfAbsent("means " + m.spec.id(), k -> new NodeMeansJob(m));
    }

    EvaluateJob evaluation(TrainModelJob m, TaskRef t) {
        return (EvaluateJob) made.computeIfAbsent("evaluate " + m.spec.id() + " " + t.given(),
                k -> new EvaluateJob(m, t, settings.pairs(), settings.taskSeed()));
    }

    /** The pruning of a task in a model, or null when the task is not pruned. */
    PruneJob pruning(TrainModelJob m, TaskRef t) {
        return (PruneJob) made.get(scoped("prune " + m.spec.id() + " " + t.given()));
    }

    /** The viewer page of a pruning's circuit, or null when it wrote none. */
    ViewPageJob view(PruneJob p) {
        return (ViewPageJob) made.get(scoped("view " + p.model.spec.id() + " " + p.task.given()));
    }

    /** What was run, as the report's settings table says it; {@code pairings} as "sparse id ↔ dense id" lines. */
    Map<String, String> describe(List<String> pairings) {
        ExperimentSettings s = settings;
        Map<String, String> m = new LinkedHashMap<>();
        m.put("corpus", corpus(s.corpus()) + "; vocab " + s.vocab() + ", context " + s.ctx());
        m.put("training", String.format(Locale.ROOT, "%d steps of %d × %d tokens (%.2fM tokens), every model; seeds %s", s.steps(),
                s.batch(), s.ctx(), s.tokens() / 1e6, s.seeds()));
        String budget = s.l0() > 0 ? "L0 " + s.l0() + " nonzeros in the top-k tensors"
                : "L0 = pfrac " + ExperimentSettings.fraction(s.pfrac()) + " of a width-" + s.baseWidth() + " base";
        m.put("sparse models", String.format(Locale.ROOT, "d_model %s (E %s) at one L0: %s; %d layers, AbsTopK %s, at least %d weights "
                        + "per neuron, sink, bigram table", s.sparseWidths(), s.sparseWidths().stream().map(w -> Integer.toString(w / s.baseWidth())).toList(),
                budget, s.layers(), ExperimentSettings.fraction(s.afrac()), s.minPerNeuron())
                + (s.recipe() == sparsecircuits.model.train.TrainConfig.Recipe.SCALABLE
                        ? "; scalable recipe (state on the pattern and candidates, regrowth every " + s.regrowEvery() + " steps)"
                        : "; the paper's recipe"));
        m.put("dense models", "d_model " + s.denseWidths() + ", " + s.denseDepth() + " layers"
                + (s.denseDepth() != s.layers() ? " (a different depth: kept out of the headline)" : ""));
        m.put("loss-matched pairs", String.join("; ", pairings));
        m.put("tasks", String.join(", ", s.tasks()));
        m.put("targets", s.targets().toString());
        m.put("main target", Double.toString(s.mainTarget()));
        m.put("solved", "unpruned held-out task loss ≤ " + s.solvedBelow() + "; every task a model solves is pruned in it");
        m.put("pruning", String.format(Locale.ROOT, "%d mask steps at each k_coef of %s, lr %.0e, %d pairs a batch, mean ablation; "
                        + "masks trained per task at the main target, bisection per target, fewest edges kept", s.pruneSteps(), s.kCoefs(),
                Pruner.Settings.smallRun().lr(), Pruner.Settings.smallRun().batchPairs()));
        m.put("pairs", s.pairs() + " training, " + TaskSource.heldOutPairs(s.pairs()) + " held-out per task");
        m.put("controls", (s.controls().isEmpty() ? "none" : String.join(", ", s.controls())) + " (in the sparse models and their partners)");
        return m;
    }

    private static String corpus(String c) {
        if (c.equals("synthetic")) return "embedded synthetic Python (seed 0)";
        if (c.startsWith(TrainRun.MIX_PREFIX)) {
            TrainRun.MixSpec m = TrainRun.parseMix(c);
            return String.format(Locale.ROOT, ".py files of %s mixed with the synthetic generator (%s of the characters)", m.dir(), m.share());
        }
        return ".py files of " + c;
    }
}
