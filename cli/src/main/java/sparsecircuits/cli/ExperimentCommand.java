package sparsecircuits.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import sparsecircuits.autograd.graph.Ops;
import sparsecircuits.autograd.param.Parameter;
import sparsecircuits.kernels.Kernels;
import sparsecircuits.model.checkpoint.AtomicFiles;
import sparsecircuits.model.checkpoint.ModelFiles;
import sparsecircuits.model.gpt.Gpt;
import sparsecircuits.model.gpt.Hook;
import sparsecircuits.model.tokenizer.ByteLevelBpe;
import sparsecircuits.pruning.circuit.CircuitFiles;
import sparsecircuits.pruning.loss.TaskLoss;
import sparsecircuits.pruning.nodes.NodeLocation;
import sparsecircuits.pruning.nodes.NodeMask;
import sparsecircuits.pruning.nodes.NodeMeans;
import sparsecircuits.pruning.prune.Pruner;
import sparsecircuits.pruning.compare.Experiment;
import sparsecircuits.pruning.compare.ExperimentJson;
import sparsecircuits.present.report.ReportHtml;
import sparsecircuits.pruning.tasks.PaperTasks;
import sparsecircuits.pruning.tasks.Task;

/**
 * {@code experiment}: the paper's headline measured (SPEC §6.1, §8): a weight-sparse model and dense models of
 * several widths trained on the same corpus and token budget, the dense one closest in validation loss picked,
 * both pruned on every task both solve, at a sweep of target losses, with the controls, into report.html.
 */
final class ExperimentCommand implements Command {
    static final String DEFAULT_OUT = "runs/experiment";
    /** Each written circuit's viewer page, in its directory. */
    static final String VIEW = "view.html";
    /** Held-out pairs each viewer page embeds for live ablation ('view --live-pairs' default). */
    static final int VIEW_LIVE_PAIRS = 8;

    /** Everything one experiment runs; {@code demo} builds a smaller one. */
    record Plan(Path out, long steps, List<Integer> denseWidths, List<String> tasks, List<Double> targets, double target,
                int pruneSteps, List<Double> kCoefs, int pairs, List<String> controls, double solvedBelow, long seed, String title) {
    }

    @Override
    public String name() {
        return "experiment";
    }

    @Override
    public String summary() {
        return "sparse vs loss-matched dense: train both, prune every solved task at several targets, controls, report.html";
    }

    @Override
    public String description() {
        return "Trains the default weight-sparse model ('train': 2 layers, d_model 128, pfrac 1/4 of a width-64 base) and\n"
                + "dense models of each --dense-widths on the same corpus, steps and batch; picks the dense model whose\n"
                + "validation loss is closest to the sparse one's (loss-matched, SPEC §6.1); evaluates every task on both; prunes\n"
                + "each task both models solve (held-out task loss ≤ --solved-below) in both, training the node masks at each\n"
                + "k_coef of --k-coefs and bisecting to each of --targets (each target keeps the fewest edges); runs the controls (random-init model with the same nonzeros, inverted task,\n"
                + "zero ablation) on the tasks named by --controls; and writes into --out:\n"
                + "  models/ID/            the trained models (reused when finished, resumed when interrupted)\n"
                + "  circuits/ID/TASK/     circuit.json + circuit.safetensors at the main --target, per model and task, and\n"
                + "                        view.html, its viewer page (as 'view' writes it; a page that fails is noted, not fatal)\n"
                + "  experiment.json       every figure (schema sparse-circuits-experiment/1), rewritten after each task\n"
                + "  report.html           one offline page: training curves, L0 schedule, per-task nodes and edges, the\n"
                + "                        geometric-mean edge ratio, edges vs target loss, controls, unsolved tasks\n"
                + "A rerun with the same settings keeps the tasks already in experiment.json (writing any viewer page their\n"
                + "circuits lack). Ctrl-C during training\n"
                + "checkpoints; a killed run loses at most the task in progress.";
    }

    @Override
    public Options options() {
        return new Options(name())
                .option("--out", "DIR", "experiment directory (default " + DEFAULT_OUT + ")")
                .number("--steps", "N", "training steps of every model (default 6000)", 1, 1e9, "6000")
                .option("--dense-widths", "LIST", "d_model of the dense baselines, comma-separated multiples of 16 (default 32,48,64,96)")
                .option("--tasks", "all|LIST", "tasks to evaluate: all 20 paper tasks (default) or names / .jsonl files, comma-separated")
                .option("--targets", "LIST", "target task losses of the sweep (default 0.3,0.15,0.08)")
                .number("--target", "L", "the main target: circuits written, controls and the headline ratio (default 0.15)", 1e-6, 10, "0.15")
                .number("--prune-steps", "N", "mask-training steps per pruning (default 200)", 1, 1e6, "200")
                .option("--k-coefs", "LIST", "k_coef grid: masks are trained with each, and each target keeps the circuit with the fewest edges (default 3e-4,1e-3,3e-3)")
                .number("--pairs", "N", "training pairs per task (default 256; held-out: half as many)", 4, 1e6, "256")
                .option("--controls", "all|none|LIST", "tasks whose circuits get the controls (default all)")
                .number("--solved-below", "L", "a model solves a task when its unpruned held-out loss is at most this (default 0.05)", 1e-6, 10, "0.05")
                .number("--seed", "N", "seed of models, pairs and masks (default 0)", 0, 1e15, "0");
    }

    @Override
    public void check(Options.Parsed o) {
        ModelDir.wholeNumbers(o, "--steps", "--prune-steps", "--pairs", "--seed");
        plan(o);
    }

    @Override
    public int run(Options.Parsed o, CommandContext ctx) {
        return run(plan(o), ctx);
    }

    static Plan plan(Options.Parsed o) {
        List<Integer> widths = new ArrayList<>();
        for (String w : o.value("--dense-widths", "32,48,64,96").split(",")) {
            int d;
            try {
                d = Integer.parseInt(w.trim());
            } catch (NumberFormatException e) {
                throw new UserError("--dense-widths: '" + w.trim() + "' is not a whole number", "write e.g. --dense-widths 32,48,64");
            }
            if (d < 16 || d % 16 != 0) throw new UserError("--dense-widths: " + d + " is not a multiple of the head width 16", "write e.g. --dense-widths 32,48,64");
            widths.add(d);
        }
        List<String> tasks = new ArrayList<>();
        String ts = o.value("--tasks", "all");
        if (ts.equals("all")) {
            for (Task t : PaperTasks.all()) tasks.add(t.name());
        } else {
            for (String t : ts.split(",")) {
                TasksCommand.resolve(t.trim()); // unknown names and bad files fail here, before any training
                tasks.add(t.trim());
            }
        }
        double target = o.number("--target", 0.15);
        List<Double> targets = new ArrayList<>();
        for (String t : o.value("--targets", "0.3,0.15,0.08").split(",")) {
            try {
                double v = Double.parseDouble(t.trim());
                if (!(v > 0)) throw new NumberFormatException();
                targets.add(v);
            } catch (NumberFormatException e) {
                throw new UserError("--targets: '" + t.trim() + "' is not a positive number", "write e.g. --targets 0.3,0.15,0.08");
            }
        }
        if (!targets.contains(target)) targets.add(target);
        targets.sort((a, b) -> Double.compare(b, a));
        List<Double> kCoefs = new ArrayList<>();
        for (String k : o.value("--k-coefs", "3e-4,1e-3,3e-3").split(",")) {
            try {
                double v = Double.parseDouble(k.trim());
                if (!(v >= 0) || Double.isInfinite(v)) throw new NumberFormatException();
                kCoefs.add(v);
            } catch (NumberFormatException e) {
                throw new UserError("--k-coefs: '" + k.trim() + "' is not a number ≥ 0", "write e.g. --k-coefs 3e-4,1e-3,3e-3");
            }
        }
        String cs = o.value("--controls", "all");
        List<String> controls = cs.equals("all") ? tasks : cs.equals("none") ? List.of() : List.of(cs.split(","));
        for (String c : controls) {
            if (!tasks.contains(c.trim())) throw new UserError("--controls: '" + c.trim() + "' is not one of --tasks", "name tasks that are evaluated, or use all / none");
        }
        return new Plan(Path.of(o.value("--out", DEFAULT_OUT)), (long) o.number("--steps", 6000), widths, tasks, targets, target,
                (int) o.number("--prune-steps", 200), kCoefs, (int) o.number("--pairs", 256), controls.stream().map(String::trim).toList(),
                o.number("--solved-below", 0.05), (long) o.number("--seed", 0), "Weight-sparse vs dense circuits");
    }

    static int run(Plan p, CommandContext ctx) {
        long started = System.nanoTime();
        Path models = p.out().resolve("models");
        // 1. the models: sparse, then each dense width, on the same corpus, steps, batch and seed
        String sparseId = "sparse-d128";
        int status = trained(models.resolve(sparseId), p.steps(), ctx, "--seed", Long.toString(p.seed()));
        if (status != 0) return status;
        List<String> ids = new ArrayList<>(List.of(sparseId));
        for (int w : p.denseWidths()) {
            String id = "dense-d" + w;
            status = trained(models.resolve(id), p.steps(), ctx, "--mode", "dense", "--d-model", Integer.toString(w),
                    "--seed", Long.toString(p.seed())); // a dense model ignores the base width
            if (status != 0) return status;
            ids.add(id);
        }
        List<Experiment.Model> ms = new ArrayList<>();
        for (String id : ids) ms.add(model(id, models.resolve(id)));
        double sparseLoss = ms.get(0).valLoss();
        Experiment.Model matched = ms.get(1);
        for (Experiment.Model m : ms.subList(1, ms.size())) {
            if (Math.abs(m.valLoss() - sparseLoss) < Math.abs(matched.valLoss() - sparseLoss)) matched = m;
        }
        ctx.out().printf(Locale.ROOT, "%nmodels (validation loss, nats/token):%n");
        for (Experiment.Model m : ms) {
            ctx.out().printf(Locale.ROOT, "  %-12s %.4f  %,9d nonzeros of %,9d%s%n", m.id(), m.valLoss(), m.nonzeros(), m.params(),
                    m == matched ? "  <- loss-matched dense" : m.id().equals(sparseId) ? "  <- sparse" : "");
        }

        // 2. the tasks, in both compared models
        Side sparse = new Side(sparseId, models.resolve(sparseId), ctx);
        Side dense = new Side(matched.id(), models.resolve(matched.id()), ctx);
        Map<String, String> settings = settings(p, matched.id());
        Path json = p.out().resolve("experiment.json");
        List<Experiment.TaskResult> results = new ArrayList<>();
        for (Experiment.TaskResult t : previous(json, settings, ms)) {
            results.add(withViews(t, p.out(), models.resolve(sparseId), models.resolve(matched.id()), ctx));
        }
        List<String> notes = new ArrayList<>();
        double gap = Math.abs(matched.valLoss() - sparseLoss) / sparseLoss;
        if (gap > 0.05) {
            notes.add(String.format(Locale.ROOT, "The closest dense model's validation loss is %.1f%% away from the sparse model's; "
                    + "the match is loose (add widths with --dense-widths).", 100 * gap));
        }
        for (String name : p.tasks()) {
            if (results.stream().anyMatch(r -> r.task().equals(name))) {
                ctx.err().println("experiment: " + name + ": kept from the previous run in " + json);
                continue;
            }
            Task task = TasksCommand.resolve(name);
            double ls = sparse.unpruned(task, p), ld = dense.unpruned(task, p);
            boolean solved = ls <= p.solvedBelow() && ld <= p.solvedBelow();
            ctx.out().printf(Locale.ROOT, "%n%s: unpruned task loss sparse %.4f, dense %.4f%s%n", name, ls, ld,
                    solved ? "" : String.format(Locale.ROOT, " -> not solved by %s (> %.3g): not pruned",
                            ls > p.solvedBelow() && ld > p.solvedBelow() ? "either model" : ls > p.solvedBelow() ? "the sparse model" : "the dense model",
                            p.solvedBelow()));
            List<Experiment.Circuit> cs = List.of(), cd = List.of();
            List<Experiment.Controls> controls = new ArrayList<>();
            if (solved) {
                boolean withControls = p.controls().contains(name);
                Side.Pruned ps = sparse.prune(task, p, withControls), pd = dense.prune(task, p, withControls);
                cs = ps.circuits();
                cd = pd.circuits();
                if (ps.controls() != null) controls.add(ps.controls());
                if (pd.controls() != null) controls.add(pd.controls());
                for (int i = 0; i < p.targets().size(); i++) {
                    Experiment.Circuit a = cs.get(i), b = cd.get(i);
                    ctx.out().printf(Locale.ROOT, "  target %.3g: sparse %s, dense %s%n", p.targets().get(i), show(a), show(b));
                }
                for (Experiment.Controls c : controls) {
                    ctx.out().printf(Locale.ROOT, "  controls (%s): %s%n", c.modelId(), c.trustworthy() ? "trustworthy" : "NOT TRUSTWORTHY");
                }
            }
            results.add(new Experiment.TaskResult(name, ls, ld, cs, cd, controls));
            write(p, ms, sparseId, matched.id(), settings, results, notes, started);
        }
        Experiment e = write(p, ms, sparseId, matched.id(), settings, results, notes, started);
        sparsecircuits.pruning.compare.Comparison.Ratio edges = sparsecircuits.pruning.compare.Comparison.edgeRatio(e, p.target());
        ctx.out().println();
        if (edges.tasks() > 0) {
            ctx.out().printf(Locale.ROOT, "geometric-mean edges(dense) / edges(sparse) at target %.3g over %d task%s: %.2f×%n",
                    p.target(), edges.tasks(), edges.tasks() == 1 ? "" : "s", edges.geoMean());
        } else {
            ctx.out().printf(Locale.ROOT, "no task was solved and pruned in both models at target %.3g: no edge ratio%n", p.target());
        }
        long unsolved = results.stream().filter(r -> !r.solved(p.solvedBelow())).count();
        if (unsolved > 0) ctx.out().println(unsolved + " of " + results.size() + " tasks unsolved (listed in the report)");
        ctx.out().println("report: " + p.out().resolve("report.html").toAbsolutePath().normalize());
        return 0;
    }

    /**
     * Writes the viewer page of a written circuit ({@code view.html} in its directory, as {@code view} writes it) and
     * returns its entry with the page's path; when that fails, the entry says why and the experiment goes on.
     *
     * @param out      the experiment directory, which the circuit's path is relative to
     * @param modelDir the model the circuit was pruned from
     */
    static Experiment.Circuit withView(Experiment.Circuit c, Path out, Path modelDir, CommandContext ctx) {
        if (c == null || c.path() == null) return c;
        Path circuitDir = out.resolve(c.path());
        String rel = c.path() + "/" + VIEW;
        try {
            ViewCommand.writePage(modelDir, circuitDir, Map.of(), VIEW_LIVE_PAIRS, circuitDir.resolve(VIEW), ctx);
            return c.withView(rel, null);
        } catch (RuntimeException e) { // a page is a convenience: it never costs the experiment
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().replaceAll("\\s+", " ");
            ctx.err().println("experiment: " + rel + ": the viewer page was not written (" + why + "); going on");
            return c.withView(null, why);
        }
    }

    /** A task kept from an earlier run, with a viewer page written for each of its circuits whose page is missing. */
    private static Experiment.TaskResult withViews(Experiment.TaskResult t, Path out, Path sparseDir, Path denseDir, CommandContext ctx) {
        List<Experiment.Circuit> sparse = withViews(t.sparse(), out, sparseDir, ctx), dense = withViews(t.dense(), out, denseDir, ctx);
        return sparse == t.sparse() && dense == t.dense() ? t
                : new Experiment.TaskResult(t.task(), t.sparseLoss(), t.denseLoss(), sparse, dense, t.controls());
    }

    private static List<Experiment.Circuit> withViews(List<Experiment.Circuit> cs, Path out, Path modelDir, CommandContext ctx) {
        if (cs == null) return null;
        List<Experiment.Circuit> fixed = new ArrayList<>(cs.size());
        boolean changed = false;
        for (Experiment.Circuit c : cs) {
            boolean missing = c != null && c.path() != null && (c.view() == null || !Files.isRegularFile(out.resolve(c.view())));
            fixed.add(missing ? withView(c, out, modelDir, ctx) : c);
            changed |= missing;
        }
        return changed ? fixed : cs;
    }

    private static String show(Experiment.Circuit c) {
        return c.reached() ? String.format(Locale.ROOT, "%,d nodes / %,d edges", c.nodes(), c.edges()) : "not reached";
    }

    /** One compared model: loaded once, its node means, its pruner. */
    private static final class Side {
        final String id;
        final Path dir;
        final Gpt model;
        final ByteLevelBpe bpe;
        final Kernels kernels = Main.kernels().kernels();
        final CommandContext ctx;
        NodeMeans means;
        Gpt random; // the random-init control's model and its means: the same for every task, so built once
        NodeMeans randomMeans;

        Side(String id, Path dir, CommandContext ctx) {
            this.id = id;
            this.dir = dir;
            this.model = ModelDir.model(dir);
            this.bpe = ModelDir.tokenizer(dir, model);
            this.ctx = ctx;
        }

        List<TaskLoss.Sequence> seqs(Task task, Task.Split split, Plan p) {
            int n = split == Task.Split.TRAIN ? p.pairs() : Math.max(2, p.pairs() / 2);
            return TasksCommand.sequences(task, split, n, p.seed(), bpe, ctx, "experiment");
        }

        double unpruned(Task task, Plan p) {
            Ops ops = Ops.inference(kernels).sparseBelow(1.0);
            return TaskLoss.evaluate(model, seqs(task, Task.Split.HELD_OUT, p), ops, Hook.NONE).loss();
        }

        record Pruned(List<Experiment.Circuit> circuits, Experiment.Controls controls) {
        }

        Pruned prune(Task task, Plan p, boolean withControls) {
            if (means == null) means = PruneCommand.means(dir, model, bpe, kernels, ctx);
            List<TaskLoss.Sequence> train = seqs(task, Task.Split.TRAIN, p), held = seqs(task, Task.Split.HELD_OUT, p);
            Pruner pruner = new Pruner(model, means, NodeMask.Ablation.MEAN, kernels);
            // in place of CARBS (SPEC §4.8, §8.5): masks trained at each k_coef of the grid; every target keeps the fewest edges
            List<Pruner.Outcome> grid = new ArrayList<>();
            for (double k : p.kCoefs()) {
                grid.add(PruneCommand.pruneOnce(pruner, model, train, held, settings(p, k), p.target(),
                        id + " " + task.name() + (p.kCoefs().size() > 1 ? " k_coef " + k : ""), ctx));
            }
            int best = smallest(grid);
            Pruner.Outcome main = grid.get(best);
            Pruner.Settings s = settings(p, p.kCoefs().get(best));
            List<Experiment.Circuit> circuits = new ArrayList<>();
            Path rel = Path.of("circuits", id, task.name());
            Pruner.Outcome saved = null; // the main target's circuit: written after the controls, which go into its circuit.json
            double savedNecessity = Double.NaN;
            int savedAt = -1;
            for (double t : p.targets()) {
                Pruner.Outcome o = main;
                if (t != p.target()) {
                    List<Pruner.Outcome> at = new ArrayList<>();
                    for (Pruner.Outcome g : grid) at.add(pruner.outcome(g.tau(), held, t));
                    o = at.get(smallest(at));
                }
                if (!o.reached()) {
                    circuits.add(new Experiment.Circuit(t, false, 0, 0, o.bisection().loss(), Double.NaN, null));
                    continue;
                }
                double necessity = pruner.necessityLoss(o.gates(), held);
                boolean written = t == p.target();
                if (written) {
                    saved = o;
                    savedNecessity = necessity;
                    savedAt = circuits.size();
                }
                circuits.add(new Experiment.Circuit(t, true, o.circuit().nodes(), o.circuit().edges().size(), o.bisection().loss(),
                        necessity, written ? rel.toString().replace('\\', '/') : null));
            }
            Experiment.Controls controls = null;
            Map<String, Object> controlsJson = null;
            if (withControls && main.reached()) {
                long edges = main.circuit().edges().size(), limit = 2 * edges;
                if (random == null) {
                    random = Pruner.randomLike(model, p.seed() + 7919);
                    randomMeans = PruneCommand.means(null, random, bpe, kernels, ctx, ModelDir.trainConfig(dir));
                }
                NodeMeans rMeans = randomMeans;
                Pruner.Outcome r = PruneCommand.pruneOnce(new Pruner(random, rMeans, NodeMask.Ablation.MEAN, kernels), random, train, held, s,
                        p.target(), id + " control: random init", ctx);
                Pruner.Outcome inv = task.singleTarget() ? null : PruneCommand.pruneOnce(pruner, model, Pruner.inverted(train),
                        Pruner.inverted(held), s, p.target(), id + " control: inverted task", ctx);
                Pruner.Outcome z = PruneCommand.pruneOnce(new Pruner(model, null, NodeMask.Ablation.ZERO, kernels), model, train, held, s,
                        p.target(), id + " control: zero ablation", ctx);
                boolean trustworthy = !r.flags(limit) && (inv == null || !inv.flags(limit));
                controls = new Experiment.Controls(id, edges, control(r, limit), inv == null ? null : control(inv, limit),
                        control(z, Long.MAX_VALUE), trustworthy);
                controlsJson = PruneCommand.controls(r, inv, z, limit);
            }
            if (saved != null) {
                save(p.out().resolve(rel), task, saved, savedNecessity, train, held, p, s, pruner, controlsJson);
                circuits.set(savedAt, withView(circuits.get(savedAt), p.out(), dir, ctx));
            }
            return new Pruned(circuits, controls);
        }

        /** The outcome with the fewest edges (then nodes) among those that reached the target; the first when none did. */
        private static int smallest(List<Pruner.Outcome> os) {
            int best = 0;
            for (int i = 1; i < os.size(); i++) {
                Pruner.Outcome a = os.get(i), b = os.get(best);
                if (!a.reached()) continue;
                if (!b.reached() || a.circuit().edges().size() < b.circuit().edges().size()
                        || a.circuit().edges().size() == b.circuit().edges().size() && a.circuit().nodes() < b.circuit().nodes()) best = i;
            }
            return best;
        }

        private void save(Path out, Task task, Pruner.Outcome o, double necessity, List<TaskLoss.Sequence> train,
                          List<TaskLoss.Sequence> held, Plan p, Pruner.Settings s, Pruner pruner, Map<String, Object> controls) {
            Map<String, Object> info = new LinkedHashMap<>();
            info.put("task", task.name());
            info.put("ablation", "mean");
            info.put("target", p.target());
            info.put("k", o.bisection().k());
            info.put("nodes_total", NodeLocation.count(model.config()));
            info.put("task_loss_full", o.bisection().fullLoss());
            info.put("task_loss_circuit", o.bisection().loss());
            info.put("task_loss_without_circuit", necessity);
            info.put("train_pairs", (long) train.size() / 2);
            info.put("held_out_pairs", (long) held.size() / 2);
            Map<String, Object> hp = new LinkedHashMap<>();
            hp.put("steps", (long) p.pruneSteps());
            hp.put("k_coef", s.kCoef());
            hp.put("k_coef_grid", new ArrayList<Object>(p.kCoefs()));
            hp.put("lr", s.lr());
            hp.put("seed", p.seed());
            info.put("settings", hp);
            List<Object> pts = new ArrayList<>();
            for (Pruner.Point q : o.bisection().points()) pts.add(Map.of("k", q.k(), "task_loss", q.loss()));
            info.put("bisection", pts);
            // per-node deltas (as prune writes them) feed the viewer's node fill and importance slider
            info.put("node_ablation_deltas", PruneCommand.nodeDeltas(pruner, o.gates(), held, 256, o.bisection().loss()));
            if (controls != null) info.put("controls", controls);
            CircuitFiles.save(out, o.circuit(), means, dir.resolve(ModelFiles.WEIGHTS), info);
        }

        private static Experiment.Control control(Pruner.Outcome o, long limit) {
            return new Experiment.Control(o.reached(), o.reached() ? o.circuit().nodes() : 0, o.reached() ? o.circuit().edges().size() : 0,
                    o.bisection().loss(), o.bisection().fullLoss(), limit != Long.MAX_VALUE && o.flags(limit));
        }
    }

    /** SPEC §8.5's small-run settings: lr 1e-2, init N(0.1, 0.01²), wd 1e-3, β2 0.95, 8 pairs a batch; k_coef from the grid. */
    static Pruner.Settings settings(Plan p, double kCoef) {
        return Pruner.Settings.smallRun().toBuilder().kCoef(kCoef).steps(p.pruneSteps()).seed(p.seed()).build();
    }

    /** Trains (or resumes, or reuses) one model directory to {@code steps}. */
    static int trained(Path dir, long steps, CommandContext ctx, String... trainArgs) {
        String s = Long.toString(steps);
        if (Files.exists(dir.resolve("train-state.bin"))) {
            ModelDir.Progress progress = ModelDir.progress(dir);
            long done = progress == null ? 0 : progress.stepsDone();
            if (done >= steps) {
                ctx.err().println("experiment: " + dir + " holds a finished run of " + done + " steps; reusing it");
                return 0;
            }
            return sub(new ResumeCommand(), ctx, "--run", dir.toString(), "--steps", s);
        }
        List<String> args = new ArrayList<>(List.of("--out", dir.toString(), "--steps", s));
        args.addAll(List.of(trainArgs));
        return sub(new TrainCommand(), ctx, args.toArray(String[]::new));
    }

    static int sub(Command c, CommandContext ctx, String... args) {
        Options.Parsed parsed = c.options().parse(new ArrayList<>(List.of(args)));
        c.check(parsed);
        try {
            return c.run(parsed, ctx);
        } catch (UserError e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(c.name() + ": " + e.getMessage(), e);
        }
    }

    /** The report's view of one trained model: sizes, final validation loss, and its curves from train-log.jsonl. */
    private static Experiment.Model model(String id, Path dir) {
        Gpt g = ModelDir.model(dir);
        long params = 0, nnz = 0;
        for (Parameter q : g.parameterList()) {
            params += q.numel();
            nnz += q.isSparse() ? q.nnz() : q.numel();
        }
        List<double[]> train = new ArrayList<>(), val = new ArrayList<>(), l0 = new ArrayList<>();
        double seconds = 0;
        List<Map<?, ?>> rows = ModelDir.logRows(dir);
        for (Map<?, ?> m : rows == null ? List.<Map<?, ?>>of() : rows) {
            long step = ((Number) m.get("step")).longValue();
            if (m.get("loss") instanceof Number l && step % 10 == 0) train.add(new double[] {step, l.doubleValue()});
            if (m.get("val_loss") instanceof Number v) val.add(new double[] {step, v.doubleValue()});
            if (m.get("l0") instanceof Number z && step % 10 == 0) l0.add(new double[] {step, z.doubleValue() / params});
            if (m.get("ms") instanceof Number ms) seconds += ms.doubleValue() / 1000;
        }
        double last = val.isEmpty() ? Double.NaN : val.get(val.size() - 1)[1];
        return new Experiment.Model(id, id.startsWith("sparse") ? "sparse" : "dense", g.config().dModel(), params, nnz, last, seconds, train, val, l0);
    }

    /** CPU model, cores, JDK and kernel provider: every figure in the report is from this machine. */
    private static String machine() {
        sparsecircuits.kernels.info.PlatformInfo pi = sparsecircuits.kernels.info.PlatformInfo.detect();
        return pi.cpuModel() + ", " + pi.logicalCores() + " logical cores; JDK " + pi.jdkVersion() + "; kernels: "
                + Main.kernels().kernels().getClass().getSimpleName();
    }

    private static Map<String, String> settings(Plan p, String matched) {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("corpus", "embedded synthetic Python (seed 0), vocab 512, context 64");
        s.put("training", p.steps() + " steps of 16 × 64 tokens, every model");
        s.put("sparse model", "2 layers, d_model 128, pfrac 1/4 of a width-64 base (E 2), AbsTopK 1/4, sink, bigram table");
        s.put("dense widths", p.denseWidths().toString());
        s.put("loss-matched dense", matched);
        s.put("tasks", String.join(", ", p.tasks()));
        s.put("targets", p.targets().toString());
        s.put("main target", Double.toString(p.target()));
        s.put("solved", "unpruned held-out task loss ≤ " + p.solvedBelow() + " in both models");
        Pruner.Settings ps = settings(p, 0);
        s.put("pruning", String.format(Locale.ROOT, "%d mask steps at each k_coef of %s, lr %.0e, %d pairs a batch, mean ablation; "
                + "masks trained per task at the main target, bisection per target, fewest edges kept", p.pruneSteps(), p.kCoefs(), ps.lr(), ps.batchPairs()));
        s.put("pairs", p.pairs() + " training, " + Math.max(2, p.pairs() / 2) + " held-out per task");
        s.put("controls", p.controls().isEmpty() ? "none" : String.join(", ", p.controls()));
        s.put("seed", Long.toString(p.seed()));
        return s;
    }

    /** Tasks finished by an earlier run with the same settings and models (a rerun continues where it stopped). */
    private static List<Experiment.TaskResult> previous(Path json, Map<String, String> settings, List<Experiment.Model> models) {
        if (!Files.isRegularFile(json)) return List.of();
        try {
            Experiment e = ExperimentJson.read(Files.readString(json, StandardCharsets.UTF_8));
            if (!settings.equals(e.settings())) return List.of();
            for (int i = 0; i < models.size(); i++) {
                if (e.models().size() != models.size() || Double.compare(e.models().get(i).valLoss(), models.get(i).valLoss()) != 0) return List.of();
            }
            return e.tasks();
        } catch (IOException | IllegalArgumentException ex) {
            return List.of(); // unreadable: start the tasks again
        }
    }

    private static Experiment write(Plan p, List<Experiment.Model> ms, String sparseId, String denseId, Map<String, String> settings,
                                    List<Experiment.TaskResult> results, List<String> notes, long started) {
        List<String> all = new ArrayList<>(notes);
        long unsolved = results.stream().filter(r -> !r.solved(p.solvedBelow())).count();
        if (unsolved > 0) all.add(unsolved + " of " + results.size() + " tasks are not solved by both models and were not pruned (listed below).");
        for (Experiment.TaskResult t : results) {
            List<String> empty = new ArrayList<>();
            for (var side : List.of(Map.entry(sparseId, t.sparse()), Map.entry(denseId, t.dense()))) {
                for (Experiment.Circuit c : side.getValue()) {
                    if (c.target() == p.target() && c.reached() && c.edges() == 0) empty.add(side.getKey());
                }
            }
            if (!empty.isEmpty()) {
                all.add(String.format(Locale.ROOT, "%s: the circuit at %.3g has no edges in %s: with its nodes mean-ablated the model still "
                        + "reaches the target through what is not a node (the bigram table, embeddings, biases); the task is left out of "
                        + "the edge ratio.", t.task(), p.target(), String.join(" and ", empty)));
            }
        }
        all.add(String.format(Locale.ROOT, "Wall time so far: %.1f min.", (System.nanoTime() - started) / 6e10));
        Experiment e = new Experiment(p.title(), Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(), machine(),
                settings, ms, sparseId, denseId, p.targets(), p.target(), p.solvedBelow(), List.copyOf(results), all);
        try {
            Files.createDirectories(p.out());
            AtomicFiles.writeString(p.out().resolve("experiment.json"), ExperimentJson.write(e));
            AtomicFiles.writeString(p.out().resolve("report.html"), ReportHtml.render(e));
        } catch (IOException ex) {
            throw new UserError(p.out() + ": cannot write the report (" + ex.getMessage() + ")", "check that the directory is writable");
        }
        return e;
    }
}
