package sparsecircuits.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import sparsecircuits.autograd.graph.Ops;
import sparsecircuits.autograd.graph.Tensor;
import sparsecircuits.kernels.Kernels;
import sparsecircuits.model.checkpoint.ModelDirectory;
import sparsecircuits.model.checkpoint.ModelFiles;
import sparsecircuits.model.gpt.Gpt;
import sparsecircuits.model.gpt.Hook;
import sparsecircuits.model.tokenizer.ByteLevelBpe;
import sparsecircuits.model.train.TrainConfig;
import sparsecircuits.pruning.circuit.Circuit;
import sparsecircuits.pruning.circuit.CircuitFiles;
import sparsecircuits.pruning.circuit.CircuitRun;
import sparsecircuits.pruning.loss.TaskLoss;
import sparsecircuits.pruning.nodes.NodeLocation;
import sparsecircuits.pruning.nodes.NodeMask;
import sparsecircuits.pruning.nodes.NodeMeans;
import sparsecircuits.pruning.nodes.PretrainingMeans;
import sparsecircuits.pruning.prune.Controls;
import sparsecircuits.pruning.prune.Pruner;
import sparsecircuits.pruning.prune.Recalibration;
import sparsecircuits.pruning.tasks.Task;
import sparsecircuits.pruning.tasks.TaskSource;

/** {@code prune}: the minimal circuit of a model for a task (SPEC §4), written as a circuit bundle. */
final class PruneCommand implements Command {

    @Override
    public String name() {
        return "prune";
    }

    @Override
    public String summary() {
        return "prune a model to the minimal circuit for a task (mask training + bisection on k)";
    }

    @Override
    public String description() {
        return "Learns one mask parameter per node (Heaviside forward, sigmoid-surrogate backward; loss = task loss +\n"
                + "k_coef·kept nodes; AdamW, clamp to [-1, 1], linear LR decay) on the task's training pairs with every\n"
                + "deleted node mean-ablated (or zero-ablated), then bisects on k by mask rank on held-out pairs for the\n"
                + "smallest circuit whose task loss reaches --target. The model is frozen and runs on its CSR weights.\n"
                + "Node means over pretraining tokens are computed once and stored as node-means.safetensors beside the\n"
                + "model. Writes circuit.json + circuit.safetensors into --out (default runs/<model>/circuits/<task>).\n"
                + "A model whose unpruned held-out task loss misses the target does not solve the task: one line, exit status 2,\n"
                + "nothing pruned. 'eval --model DIR --circuit OUT' replays a written circuit.";
    }

    @Override
    public Options options() {
        return new Options(name())
                .option("--model", "DIR", "the model directory (required)")
                .option("--task", "NAME|FILE", "a paper task (see 'tasks') or a JSONL file (required)")
                .number("--target", "L", "target task loss, per-sequence mean (default 0.15)", 1e-6, 10, "0.15")
                .option("--ablation", "mean|zero|resample", "what a deleted node becomes: its pretraining mean (default), 0, or its value on another pretraining sequence at the same position")
                .number("--steps", "N", "mask-training steps (default 400)", 1, 1e7, "400")
                .number("--k-coef", "F", "weight of the kept-node count in the loss (default 1e-4)", 0, 10, "1e-4")
                .number("--lr", "F", "mask learning rate (default 3e-3)", 1e-7, 10, "3e-3")
                .number("--pairs", "N", "training pairs (default 256; held-out: half as many)", 4, 1e6, "256")
                .number("--seed", "N", "mask init and batches (default 0)", 0, 1e15, "0")
                .number("--node-deltas", "N", "ablation deltas for at most N kept nodes (default 256; 0 = none)", 0, 1e6, "256")
                .number("--search", "N", "extra pruning runs with random k_coef, lr and init around the settings; keeps the smallest circuit (default 0)", 0, 1000, "4")
                .flag("--controls", "also prune a random-init model (same nonzeros), the inverted task, and with zero ablation; flag the circuit")
                .option("--out", "DIR", "where the circuit goes");
    }

    @Override
    public void check(Options.Parsed o) {
        ModelDir.require(o, name());
        if (!o.has("--task")) throw new UserError("prune needs --task NAME|FILE", "see 'sparse-circuits tasks' for the names");
        String a = o.value("--ablation", "mean");
        if (!a.equals("mean") && !a.equals("zero") && !a.equals("resample")) {
            throw new UserError("--ablation must be mean, zero or resample, got '" + a + "'", "write e.g. --ablation mean");
        }
        ModelDir.wholeNumbers(o, "--steps", "--pairs", "--seed", "--search", "--node-deltas");
    }

    @Override
    public int run(Options.Parsed o, CommandContext ctx) {
        Path dir = ModelDir.require(o, name());
        Gpt model = ModelDirectory.model(dir);
        ByteLevelBpe bpe = ModelDirectory.tokenizer(dir, model);
        TrainConfig tc = ModelDirectory.trainConfig(dir);
        Task task = TaskArg.resolve(o.value("--task", ""));
        Kernels kernels = Main.kernels().kernels();
        NodeMask.Ablation ablation = switch (o.value("--ablation", "mean")) {
            case "zero" -> NodeMask.Ablation.ZERO;
            case "resample" -> NodeMask.Ablation.RESAMPLE;
            default -> NodeMask.Ablation.MEAN;
        };
        int pairs = (int) o.number("--pairs", 256);
        long seed = (long) o.number("--seed", 0);
        double target = o.number("--target", 0.15);

        NodeMeans means = ablation == NodeMask.Ablation.MEAN ? means(dir, model, bpe, tc, kernels, ctx) : null;
        TaskSource.Sequences seqs = TaskArg.sequences(task, pairs, seed, bpe, ctx, name());
        List<TaskLoss.Sequence> train = seqs.train(), held = seqs.heldOut();

        // a model that cannot reach the target unpruned has no circuit for it: say so before any mask training
        double unpruned = TaskLoss.evaluate(model, held, Ops.inference(kernels).sparseBelow(1.0), Hook.NONE).loss();
        if (unpruned > target) {
            throw new UserError(String.format(Locale.ROOT, "the model does not solve %s: its unpruned held-out task loss is %.4f, above the target %.4g; nothing pruned",
                    task.name(), unpruned, target), "train the model longer, or give a --target above " + String.format(Locale.ROOT, "%.3g", unpruned));
        }
        Pruner.Settings s = Pruner.Settings.defaults().toBuilder().kCoef(o.number("--k-coef", 1e-4)).lr(o.number("--lr", 3e-3))
                .steps((int) o.number("--steps", 400)).seed(seed).build();
        Pruner pruner = new Pruner(model, means, ablation, kernels);
        int[] resampleFrom = null;
        if (ablation == NodeMask.Ablation.RESAMPLE) {
            resampleFrom = PretrainingMeans.concatenated(PretrainingMeans.batches(model, bpe, tc));
            pruner.resamplingFrom(resampleFrom, seed);
        }
        Pruner.Outcome real = pruneOnce(pruner, train, held, s, target, "prune", ctx);
        // in place of CARBS (SPEC §4.8): a seeded random search around the settings, keeping the smallest circuit
        int trials = (int) o.number("--search", 0);
        java.util.SplittableRandom hr = new java.util.SplittableRandom(seed ^ 0x5EA4C4L);
        List<CircuitRun.Trial> searched = new ArrayList<>();
        for (int i = 0; i < trials && real.reached(); i++) {
            Pruner.Settings t = s.toBuilder().kCoef(s.kCoef() * Math.pow(10, hr.nextDouble(-1, 1))).lr(s.lr() * Math.pow(10, hr.nextDouble(-0.5, 0.5)))
                    .initNoiseBias(s.initNoiseBias() * Math.pow(10, hr.nextDouble(-0.5, 0.5))).seed(seed + 1 + i).build();
            Pruner.Outcome c = pruneOnce(pruner, train, held, t, target, "search " + (i + 1) + "/" + trials, ctx);
            searched.add(new CircuitRun.Trial(t.kCoef(), t.lr(), t.initNoiseBias(), c.bisection().k(), c.reached() ? (long) c.circuit().edges().size() : null));
            if (c.reached() && c.circuit().edges().size() < real.circuit().edges().size()) {
                real = c;
                s = t;
            }
        }
        if (!real.reached()) {
            ctx.err().printf(Locale.ROOT, "prune: the unpruned model's held-out task loss is %.4f, above the target %.4g: the task is not solved; nothing written%n",
                    real.bisection().fullLoss(), target);
            return 1;
        }
        Pruner.Bisection b = real.bisection();
        Map<String, Tensor> gates = real.gates();
        Circuit circuit = real.circuit();
        Path out = Path.of(o.value("--out", "runs/" + dir.toAbsolutePath().normalize().getFileName() + "/circuits/" + task.name()));
        // logit scale + shift (SPEC §4.7), fitted on the training pairs, reported beside the plain circuit
        TaskLoss.HookFor circuitMask = pruner.mask(gates);
        Recalibration.Fit fit = Recalibration.fit(Recalibration.lastLogits(model, train, kernels, circuitMask), train, 16, kernels);
        double recalibrated = Recalibration.lossWith(fit, Recalibration.lastLogits(model, held, kernels, circuitMask), held, kernels);
        double necessity = pruner.necessityLoss(gates, held); // only the circuit ablated
        long t0 = System.nanoTime();
        List<Pruner.Delta> blocks = pruner.blockDeltas(gates, held, b.loss()); // b.loss(): the circuit's, as evaluated
        List<Pruner.Delta> nodes = pruner.nodeDeltas(gates, held, (int) o.number("--node-deltas", 256), b.loss());
        ctx.err().printf(Locale.ROOT, "ablation deltas of %d locations and %d nodes in %.1f s%n", blocks.size(), nodes.size(), (System.nanoTime() - t0) / 1e9);
        Controls controls = null;
        if (o.has("--controls")) {
            int[] pool = resampleFrom;
            Pruner.Settings chosen = s;
            controls = Controls.run(model, pruner, ablation, kernels, circuit.edges().size(), seed, random -> {
                Pruner rp = new Pruner(random, ablation == NodeMask.Ablation.MEAN ? means(null, random, bpe, tc, kernels, ctx) : null, ablation, kernels);
                if (pool != null) rp.resamplingFrom(pool, seed);
                return rp;
            }, task.singleTarget(), train, held, (p, tr, ho, label) -> pruneOnce(p, tr, ho, chosen, target, label, ctx));
        }
        CircuitRun run = new CircuitRun(task.name(), ablation, target, b.k(), NodeLocation.count(model.config()), b.fullLoss(), b.loss(), necessity,
                new CircuitRun.Recalibrated(recalibrated, fit.scale()), blocks, nodes, train.size() / 2, held.size() / 2,
                new CircuitRun.Settings(s.steps(), s.initNoiseBias(), s.kCoef(), null, s.lr(), seed), searched.isEmpty() ? null : searched,
                b.points(), controls);
        CircuitFiles.save(out, circuit, means, dir.resolve(ModelFiles.WEIGHTS), run);
        ctx.out().printf(Locale.ROOT, "circuit for %s: %,d of %,d nodes, %,d edges; held-out task loss %.4f (unpruned %.4f, target %.4g)%n",
                task.name(), circuit.nodes(), run.nodesTotal(), circuit.edges().size(), b.loss(), b.fullLoss(), target);
        ctx.out().println("edges by type: " + circuit.edgesByType());
        ctx.out().printf(Locale.ROOT, "recalibrated (logit scale %.3f + shift, 16 L-BFGS steps): held-out task loss %.4f%n", fit.scale(), recalibrated);
        ctx.out().printf(Locale.ROOT, "necessity: with only the circuit's nodes ablated the task loss is %.4f%n", necessity);
        if (controls != null) {
            ctx.out().println(controls.trustworthy() ? "controls: trustworthy (no control reached the target with ≤ 2× the edges)"
                    : "controls: NOT TRUSTWORTHY: a control reached the target with ≤ 2× the circuit's edges (see circuit.json)");
        }
        ctx.out().println("written to " + out.resolve(CircuitFiles.JSON) + " and " + CircuitFiles.TENSORS);
        return 0;
    }

    /** The model's node means (computed once and saved beside it), or a control model's (dir null: not saved), with a progress line. */
    private static NodeMeans means(Path dir, Gpt model, ByteLevelBpe bpe, TrainConfig tc, Kernels kernels, CommandContext ctx) {
        if (dir != null && Files.isRegularFile(dir.resolve(NodeMeans.FILE))) return NodeMeans.load(dir, model);
        NodeMeans m;
        try (ProgressLine line = new ProgressLine(ctx.err(), ctx.errIsTerminal(), "node means")) {
            m = PretrainingMeans.compute(model, bpe, tc, kernels, (done, batches, tokens) -> {
                if (ctx.errIsTerminal() || done % 16 == 0 || done == batches) line.step(done - 1, batches, tokens + " tokens");
            });
        }
        if (dir != null) {
            m.save(dir);
            ctx.err().println("prune: node means over " + m.tokens() + " pretraining tokens saved to " + dir.resolve(NodeMeans.FILE));
        }
        return m;
    }

    /** Mask training with a progress line, then the bisection and the circuit. */
    private static Pruner.Outcome pruneOnce(Pruner pruner, List<TaskLoss.Sequence> train, List<TaskLoss.Sequence> held,
                                            Pruner.Settings s, double target, String label, CommandContext ctx) {
        ProgressLine line = new ProgressLine(ctx.err(), ctx.errIsTerminal(), label);
        long every = Math.max(1, s.steps() / 10);
        long t0 = System.nanoTime();
        Map<String, float[]> tau = pruner.train(train, s, (step, steps, loss, kept) -> {
            if (ctx.errIsTerminal() || step % every == 0 || step == steps) {
                line.step(step - 1, steps, String.format(Locale.ROOT, "task loss %.4f, kept %,d nodes", loss, kept));
            }
        });
        line.close();
        long t1 = System.nanoTime();
        Pruner.Outcome o = pruner.outcome(tau, held, target);
        ctx.err().printf(Locale.ROOT, "%s: mask training %d steps in %.1f s, bisection over %d circuits in %.1f s%n", label, s.steps(),
                (t1 - t0) / 1e9, o.bisection().points().size(), (System.nanoTime() - t1) / 1e9);
        return o;
    }
}
