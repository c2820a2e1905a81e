package sparsecircuits.experiment.plan;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import sparsecircuits.experiment.job.Job;
import sparsecircuits.experiment.job.JobContext;
import sparsecircuits.kernels.Kernels;
import sparsecircuits.model.checkpoint.ModelDirectory;
import sparsecircuits.model.checkpoint.ModelFiles;
import sparsecircuits.model.gpt.Gpt;
import sparsecircuits.model.tokenizer.ByteLevelBpe;
import sparsecircuits.model.train.TrainConfig;
import sparsecircuits.pruning.circuit.CircuitFiles;
import sparsecircuits.pruning.circuit.CircuitRun;
import sparsecircuits.pruning.compare.Experiment;
import sparsecircuits.pruning.compare.ExperimentJson;
import sparsecircuits.pruning.loss.TaskLoss;
import sparsecircuits.pruning.nodes.NodeLocation;
import sparsecircuits.pruning.nodes.NodeMask;
import sparsecircuits.pruning.nodes.NodeMeans;
import sparsecircuits.pruning.nodes.PretrainingMeans;
import sparsecircuits.pruning.prune.Controls;
import sparsecircuits.pruning.prune.Pruner;
import sparsecircuits.pruning.tasks.Task;
import sparsecircuits.pruning.tasks.TaskSource;

/**
 * One model's circuits for one task (SPEC §4, §8.5): node masks trained at each k_coef of the grid under mean
 * ablation, each target's circuit the one with the fewest edges among the grid's bisections; the main target's
 * circuit written to {@code circuits/MODEL_ID/TASK/} with per-node ablation deltas and, when asked, the controls
 * (which go into its circuit.json, where the viewer shows them: the controls run inside this job because they use
 * the pruning's chosen settings and write into its file).
 */
final class PruneJob implements Job {
    /** Kept nodes whose single-node ablation delta the viewer gets (largest first). */
    static final int NODE_DELTAS = 256;
    final TrainModelJob model;
    private final NodeMeansJob means;
    final TaskRef task;
    private final ExperimentSettings s;
    private final boolean controls;
    private final ExperimentPlan plan;

    PruneJob(TrainModelJob model, NodeMeansJob means, TaskRef task, ExperimentSettings settings, boolean controls, ExperimentPlan plan) {
        this.plan = plan;
        this.model = model;
        this.means = means;
        this.task = task;
        this.s = settings;
        this.controls = controls;
    }

    @Override
    public String name() {
        return plan.scoped("prune " + model.spec.id() + " " + task.given());
    }

    @Override
    public String kind() {
        return "prune";
    }

    @Override
    public List<Job> after() {
        return List.of(model, means);
    }

    @Override
    public Map<String, Object> inputs(Finished finished) {
        Map<String, Object> m = new LinkedHashMap<>();
        model.identify(m, finished);
        m.put("means", finished.of(means).id());
        m.putAll(TaskRef.inputsOf(task));
        m.put("pairs", (long) s.pairs());
        m.put("seed", s.taskSeed());
        m.put("prune_steps", (long) s.pruneSteps());
        m.put("k_coefs", new ArrayList<Object>(s.kCoefs()));
        m.put("targets", new ArrayList<Object>(s.targets()));
        m.put("main_target", s.mainTarget());
        m.put("controls", controls);
        // in a sweep the circuit is written under its experiment: the same pruning in two experiments is two results
        if (!plan.scope().isEmpty()) m.put("scope", plan.scope());
        return m;
    }

    ExperimentPlan plan() {
        return plan;
    }

    /** The circuit's directory, relative to the run directory. */
    String circuitDirectory() {
        return plan.scopedPath("circuits/", model.spec.id() + "/" + task.name());
    }

    /** SPEC §8.5's small-run settings at one k_coef of the grid. */
    private Pruner.Settings settings(double kCoef) {
        return Pruner.Settings.smallRun().toBuilder().kCoef(kCoef).steps(s.pruneSteps()).seed(s.taskSeed()).build();
    }

    @Override
    public Result run(JobContext ctx) throws IOException {
        Path dir = ctx.committed(model.spec.directory());
        Kernels kernels = ctx.kernels();
        Gpt g = ModelDirectory.model(dir);
        ByteLevelBpe bpe = ModelDirectory.tokenizer(dir, g);
        NodeMeans nodeMeans = NodeMeans.load(dir, g);
        Task t = task.task();
        TaskSource.Sequences seqs = TaskSource.sequences(t, s.pairs(), s.taskSeed(), bpe);
        List<TaskLoss.Sequence> train = seqs.train(), held = seqs.heldOut();
        Pruner pruner = new Pruner(g, nodeMeans, NodeMask.Ablation.MEAN, kernels);
        // in place of CARBS (SPEC §4.8, §8.5): masks trained at each k_coef of the grid; every target keeps the fewest edges
        List<Pruner.Outcome> grid = new ArrayList<>();
        for (double k : s.kCoefs()) grid.add(prune(pruner, train, held, settings(k), "k_coef " + k, ctx));
        int best = smallest(grid);
        Pruner.Outcome main = grid.get(best);
        Pruner.Settings chosen = settings(s.kCoefs().get(best));
        String rel = circuitDirectory();
        List<Experiment.Circuit> circuits = new ArrayList<>();
        Pruner.Outcome saved = null;
        double savedNecessity = Double.NaN;
        for (double target : s.targets()) {
            Pruner.Outcome o = main;
            if (target != s.mainTarget()) {
                List<Pruner.Outcome> at = new ArrayList<>();
                for (Pruner.Outcome x : grid) at.add(pruner.outcome(x.tau(), held, target));
                o = at.get(smallest(at));
            }
            if (!o.reached()) {
                circuits.add(new Experiment.Circuit(target, false, 0, 0, o.bisection().loss(), Double.NaN, null));
                continue;
            }
            double necessity = pruner.necessityLoss(o.gates(), held);
            boolean written = target == s.mainTarget();
            if (written) {
                saved = o;
                savedNecessity = necessity;
            }
            circuits.add(new Experiment.Circuit(target, true, o.circuit().nodes(), o.circuit().edges().size(), o.bisection().loss(),
                    necessity, written ? rel : null));
        }
        Controls verdict = null;
        if (controls && main.reached()) {
            TrainConfig tc = ModelDirectory.trainConfig(dir);
            verdict = Controls.run(g, pruner, NodeMask.Ablation.MEAN, kernels, main.circuit().edges().size(), s.taskSeed(),
                    random -> new Pruner(random, PretrainingMeans.compute(random, bpe, tc, kernels, PretrainingMeans.Progress.NONE),
                            NodeMask.Ablation.MEAN, kernels),
                    t.singleTarget(), train, held, (p, tr, ho, label) -> prune(p, tr, ho, chosen, label, ctx));
        }
        List<String> outputs = new ArrayList<>();
        if (saved != null) {
            Pruner.Bisection b = saved.bisection();
            CircuitRun run = new CircuitRun(t.name(), NodeMask.Ablation.MEAN, s.mainTarget(), b.k(), NodeLocation.count(g.config()),
                    b.fullLoss(), b.loss(), savedNecessity, null, null, pruner.nodeDeltas(saved.gates(), held, NODE_DELTAS, b.loss()),
                    train.size() / 2, held.size() / 2,
                    new CircuitRun.Settings(s.pruneSteps(), null, chosen.kCoef(), s.kCoefs(), chosen.lr(), s.taskSeed()), null, b.points(), verdict);
            Path out = ctx.staging().resolve(rel);
            Files.createDirectories(out);
            CircuitFiles.save(out, saved.circuit(), nodeMeans, dir.resolve(ModelFiles.WEIGHTS), run);
            outputs.add(rel + "/" + CircuitFiles.JSON); // the files, not the directory: its viewer page is another job's
            outputs.add(rel + "/" + CircuitFiles.TENSORS);
        }
        Experiment.Controls reported = verdict == null ? null : new Experiment.Controls(model.spec.id(), main.circuit().edges().size(),
                control(verdict.randomInit()), control(verdict.inverted()), control(verdict.nonsense()), control(verdict.zeroAblation()),
                verdict.trustworthy());
        return new Result(ExperimentJson.sideJson(circuits, reported), outputs);
    }

    private static Experiment.Control control(Controls.Control c) {
        return c == null ? null : new Experiment.Control(c.reached(), c.nodes(), c.edges(), c.circuitLoss(), c.fullLoss(), c.flags());
    }

    /** Mask training with progress, then the bisection to the main target. */
    private Pruner.Outcome prune(Pruner pruner, List<TaskLoss.Sequence> train, List<TaskLoss.Sequence> held, Pruner.Settings settings,
                                 String label, JobContext ctx) {
        return pruner.prune(train, held, settings, s.mainTarget(), (step, steps, loss, kept) -> ctx.progress(String.format(Locale.ROOT,
                "%s: step %d/%d task loss %.4f, kept %,d nodes", label, step, steps, loss, kept)));
    }

    /** The outcome with the fewest edges (then nodes) among those that reached the target; the first when none did. */
    static int smallest(List<Pruner.Outcome> os) {
        int best = 0;
        for (int i = 1; i < os.size(); i++) {
            Pruner.Outcome a = os.get(i), b = os.get(best);
            if (!a.reached()) continue;
            if (!b.reached() || a.circuit().edges().size() < b.circuit().edges().size()
                    || a.circuit().edges().size() == b.circuit().edges().size() && a.circuit().nodes() < b.circuit().nodes()) best = i;
        }
        return best;
    }
}
