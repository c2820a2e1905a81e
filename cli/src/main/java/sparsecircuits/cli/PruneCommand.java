package sparsecircuits.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import sparsecircuits.autograd.graph.Ops;
import sparsecircuits.autograd.graph.Tensor;
import sparsecircuits.kernels.Kernels;
import sparsecircuits.model.checkpoint.ModelFiles;
import sparsecircuits.model.corpus.Corpus;
import sparsecircuits.model.gpt.Gpt;
import sparsecircuits.model.gpt.Hook;
import sparsecircuits.model.tokenizer.ByteLevelBpe;
import sparsecircuits.model.train.TokenData;
import sparsecircuits.model.train.TrainConfig;
import sparsecircuits.model.train.TrainRun;
import sparsecircuits.pruning.circuit.Circuit;
import sparsecircuits.pruning.circuit.CircuitFiles;
import sparsecircuits.pruning.loss.TaskLoss;
import sparsecircuits.pruning.nodes.NodeLocation;
import sparsecircuits.pruning.nodes.NodeMask;
import sparsecircuits.pruning.nodes.NodeMeans;
import sparsecircuits.pruning.prune.Pruner;
import sparsecircuits.pruning.prune.Recalibration;

import sparsecircuits.pruning.tasks.Task;

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
        Gpt model = ModelDir.model(dir);
        ByteLevelBpe bpe = ModelDir.tokenizer(dir, model);
        Task task = TasksCommand.resolve(o.value("--task", ""));
        Kernels kernels = Main.kernels().kernels();
        NodeMask.Ablation ablation = switch (o.value("--ablation", "mean")) {
            case "zero" -> NodeMask.Ablation.ZERO;
            case "resample" -> NodeMask.Ablation.RESAMPLE;
            default -> NodeMask.Ablation.MEAN;
        };
        int pairs = (int) o.number("--pairs", 256);
        long seed = (long) o.number("--seed", 0);
        double target = o.number("--target", 0.15);

        NodeMeans means = ablation == NodeMask.Ablation.MEAN ? means(dir, model, bpe, kernels, ctx) : null;
        List<TaskLoss.Sequence> train = TasksCommand.sequences(task, Task.Split.TRAIN, pairs, seed, bpe, ctx, name());
        List<TaskLoss.Sequence> held = TasksCommand.sequences(task, Task.Split.HELD_OUT, Math.max(2, pairs / 2), seed, bpe, ctx, name());

        // a model that cannot reach the target unpruned has no circuit for it: say so before any mask training
        double unpruned = TaskLoss.evaluate(model, held, Ops.inference(kernels).sparseBelow(1.0), Hook.NONE).loss();
        if (unpruned > target) {
            throw new UserError(String.format(Locale.ROOT, "the model does not solve %s: its unpruned held-out task loss is %.4f, above the target %.4g; nothing pruned",
                    task.name(), unpruned, target), "train the model longer, or give a --target above " + String.format(Locale.ROOT, "%.3g", unpruned));
        }
        Pruner.Settings s = Pruner.Settings.defaults().toBuilder().kCoef(o.number("--k-coef", 1e-4)).lr(o.number("--lr", 3e-3))
                .steps((int) o.number("--steps", 400)).seed(seed).build();
        long total = NodeLocation.count(model.config());
        Pruner pruner = new Pruner(model, means, ablation, kernels);
        int[] resampleFrom = null;
        if (ablation == NodeMask.Ablation.RESAMPLE) {
            List<int[]> bs = pretraining(model, bpe, ModelDir.trainConfig(dir));
            resampleFrom = new int[bs.size() * bs.get(0).length];
            for (int i = 0; i < bs.size(); i++) System.arraycopy(bs.get(i), 0, resampleFrom, i * bs.get(0).length, bs.get(0).length);
            pruner.resamplingFrom(resampleFrom, seed);
        }
        Pruner.Outcome real = pruneOnce(pruner, model, train, held, s, target, "prune", ctx);
        // in place of CARBS (SPEC §4.8): a seeded random search around the settings, keeping the smallest circuit
        int trials = (int) o.number("--search", 0);
        java.util.SplittableRandom hr = new java.util.SplittableRandom(seed ^ 0x5EA4C4L);
        List<Object> searched = new ArrayList<>();
        for (int i = 0; i < trials && real.reached(); i++) {
            Pruner.Settings t = s.toBuilder().kCoef(s.kCoef() * Math.pow(10, hr.nextDouble(-1, 1))).lr(s.lr() * Math.pow(10, hr.nextDouble(-0.5, 0.5)))
                    .initNoiseBias(s.initNoiseBias() * Math.pow(10, hr.nextDouble(-0.5, 0.5))).seed(seed + 1 + i).build();
            Pruner.Outcome c = pruneOnce(pruner, model, train, held, t, target, "search " + (i + 1) + "/" + trials, ctx);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("k_coef", t.kCoef());
            m.put("lr", t.lr());
            m.put("init_bias", t.initNoiseBias());
            m.put("k", c.bisection().k());
            if (c.reached()) m.put("edges", (long) c.circuit().edges().size());
            searched.add(m);
            if (c.reached() && c.circuit().edges().size() < real.circuit().edges().size()) {
                real = c;
                s = t;
            }
        }
        if (real.bisection().k() < 0) {
            ctx.err().printf(Locale.ROOT, "prune: the unpruned model's held-out task loss is %.4f, above the target %.4g: the task is not solved; nothing written%n",
                    real.bisection().fullLoss(), target);
            return 1;
        }
        Pruner.Bisection b = real.bisection();
        Map<String, Tensor> gates = real.gates();
        Circuit circuit = real.circuit();
        Path out = Path.of(o.value("--out", "runs/" + dir.toAbsolutePath().normalize().getFileName() + "/circuits/" + task.name()));
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("task", task.name());
        info.put("ablation", ablation.name().toLowerCase(Locale.ROOT));
        info.put("target", target);
        info.put("k", b.k());
        info.put("nodes_total", total);
        info.put("task_loss_full", b.fullLoss());
        info.put("task_loss_circuit", b.loss());
        // logit scale + shift (SPEC §4.7), fitted on the training pairs, reported beside the plain circuit
        TaskLoss.HookFor circuitMask = pruner.mask(gates);
        Recalibration.Fit fit = Recalibration.fit(Recalibration.lastLogits(model, train, kernels, circuitMask), train, 16, kernels);
        double recalibrated = Recalibration.lossWith(fit, Recalibration.lastLogits(model, held, kernels, circuitMask), held, kernels);
        info.put("task_loss_circuit_recalibrated", recalibrated);
        info.put("recalibration_logit_scale", fit.scale());
        double necessity = pruner.necessityLoss(gates, held);
        long t0 = System.nanoTime();
        List<Object> blocks = new ArrayList<>();
        for (Pruner.Delta d : pruner.blockDeltas(gates, held, b.loss())) blocks.add(delta(d)); // b.loss(): the circuit's, as evaluated
        info.put("block_ablation_deltas", blocks);
        List<Object> nodeDeltas = nodeDeltas(pruner, gates, held, (int) o.number("--node-deltas", 256), b.loss());
        info.put("node_ablation_deltas", nodeDeltas);
        ctx.err().printf(Locale.ROOT, "ablation deltas of %d locations and %d nodes in %.1f s%n", blocks.size(), nodeDeltas.size(), (System.nanoTime() - t0) / 1e9);
        info.put("task_loss_without_circuit", necessity); // the necessity check: only the circuit ablated
        info.put("train_pairs", (long) train.size() / 2);
        info.put("held_out_pairs", (long) held.size() / 2);
        Map<String, Object> hp = new LinkedHashMap<>();
        hp.put("steps", (long) s.steps());
        hp.put("init_bias", s.initNoiseBias());
        hp.put("k_coef", s.kCoef());
        hp.put("lr", s.lr());
        hp.put("seed", seed);
        info.put("settings", hp);
        if (!searched.isEmpty()) info.put("search", searched);
        List<Object> pts = new ArrayList<>();
        for (Pruner.Point p : b.points()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("k", p.k());
            m.put("task_loss", p.loss());
            pts.add(m);
        }
        info.put("bisection", pts);
        Boolean trustworthy = null;
        if (o.has("--controls")) {
            long limit = 2L * circuit.edges().size();
            // 1. a randomly initialised model with the same per-tensor nonzero counts (its own node means)
            Gpt random = Pruner.randomLike(model, seed + 7919);
            NodeMeans rMeans = ablation == NodeMask.Ablation.MEAN ? means(null, random, bpe, kernels, ctx, ModelDir.trainConfig(dir)) : null;
            Pruner rp = new Pruner(random, rMeans, ablation, kernels);
            if (resampleFrom != null) rp.resamplingFrom(resampleFrom, seed);
            Pruner.Outcome r = pruneOnce(rp, random, train, held, s, target, "control: random init", ctx);
            // 2. the inverted task: every pair's targets swapped (not defined for single-target tasks)
            Pruner.Outcome inv = task.singleTarget() ? null
                    : pruneOnce(pruner, model, Pruner.inverted(train), Pruner.inverted(held), s, target, "control: inverted task", ctx);
            // 3. zero instead of mean ablation (reported, never a flag)
            Pruner.Outcome z = ablation != NodeMask.Ablation.MEAN ? null
                    : pruneOnce(new Pruner(model, null, NodeMask.Ablation.ZERO, kernels), model, train, held, s, target, "control: zero ablation", ctx);
            Map<String, Object> controls = controls(r, inv, z, limit);
            trustworthy = (Boolean) controls.get("trustworthy");
            info.put("controls", controls);
        }
        CircuitFiles.save(out, circuit, means, dir.resolve(ModelFiles.WEIGHTS), info);
        ctx.out().printf(Locale.ROOT, "circuit for %s: %,d of %,d nodes, %,d edges; held-out task loss %.4f (unpruned %.4f, target %.4g)%n",
                task.name(), circuit.nodes(), total, circuit.edges().size(), b.loss(), b.fullLoss(), target);
        ctx.out().println("edges by type: " + circuit.edgesByType());
        ctx.out().printf(Locale.ROOT, "recalibrated (logit scale %.3f + shift, 16 L-BFGS steps): held-out task loss %.4f%n", fit.scale(), recalibrated);
        ctx.out().printf(Locale.ROOT, "necessity: with only the circuit's nodes ablated the task loss is %.4f%n", necessity);
        if (trustworthy != null) {
            ctx.out().println(trustworthy ? "controls: trustworthy (no control reached the target with ≤ 2× the edges)"
                    : "controls: NOT TRUSTWORTHY: a control reached the target with ≤ 2× the circuit's edges (see circuit.json)");
        }
        ctx.out().println("written to " + out.resolve(CircuitFiles.JSON) + " and " + CircuitFiles.TENSORS);
        return 0;
    }

    /** The model's node means: node-means.safetensors beside it, computed once when missing. */
    static NodeMeans means(Path dir, Gpt model, ByteLevelBpe bpe, Kernels kernels, CommandContext ctx) {
        if (Files.isRegularFile(dir.resolve(NodeMeans.FILE))) return NodeMeans.load(dir, model);
        return means(dir, model, bpe, kernels, ctx, ModelDir.trainConfig(dir));
    }

    /** Node means over ~64K pretraining tokens; saved into {@code dir} unless it is null (a control model). */
    static NodeMeans means(Path dir, Gpt model, ByteLevelBpe bpe, Kernels kernels, CommandContext ctx, TrainConfig tc) {
        List<int[]> bs = pretraining(model, bpe, tc);
        int ctxLen = model.config().blockSize(), batch = 16, batches = bs.size();
        ProgressLine line = new ProgressLine(ctx.err(), ctx.errIsTerminal(), "node means");
        NodeMeans m = NodeMeans.compute(model, bs, batch, kernels, i -> {
            if (ctx.errIsTerminal() || i % 16 == 15 || i == batches - 1) line.step(i, batches, (long) (i + 1) * batch * ctxLen + " tokens");
        });
        line.close();
        if (dir != null) {
            m.save(dir);
            ctx.err().println("prune: node means over " + m.tokens() + " pretraining tokens saved to " + dir.resolve(NodeMeans.FILE));
        }
        return m;
    }

    /** About 64K pretraining tokens of the model's corpus (the run's, else the synthetic one) in batches of 16 windows. */
    static List<int[]> pretraining(Gpt model, ByteLevelBpe bpe, TrainConfig tc) {
        Corpus corpus = tc != null ? TrainRun.corpus(tc) : Corpus.synthetic(0);
        int ctxLen = model.config().blockSize(), batch = 16, batches = Math.max(1, (1 << 16) / (batch * ctxLen));
        TokenData data = TokenData.build(corpus, bpe, ctxLen, batches, batch, ctxLen + 1, 0);
        List<int[]> bs = new ArrayList<>();
        sparsecircuits.pruning.trace.Snippets.pretraining(data, batches, batch).forEach(bs::add); // the tracer's windows too
        return bs;
    }

    /** An outcome as circuit.json reports a control; {@code limit} = 2× the real circuit's edges (MAX_VALUE: no flag). */
    /**
     * circuit.json's "controls": the random-init and inverted-task ({@code inv} null: a single-target task) controls,
     * the zero-ablation control ({@code z} null: not run) and the verdict; {@code limit} is twice the circuit's edges.
     */
    static Map<String, Object> controls(Pruner.Outcome r, Pruner.Outcome inv, Pruner.Outcome z, long limit) {
        Map<String, Object> controls = new LinkedHashMap<>();
        controls.put("random_init", json(r, limit));
        controls.put("inverted_task", inv == null ? "not applicable (single-target task)" : json(inv, limit));
        if (z != null) controls.put("zero_ablation", json(z, Long.MAX_VALUE));
        controls.put("trustworthy", !r.flags(limit) && (inv == null || !inv.flags(limit)));
        controls.put("rule", "not trustworthy when the random-init or inverted-task control reaches the target with at most 2x the circuit's edges");
        return controls;
    }

    /** Per-node ablation deltas (at most {@code limit} nodes, largest first) as circuit.json's node_ablation_deltas. */
    static List<Object> nodeDeltas(Pruner pruner, Map<String, Tensor> gates, List<TaskLoss.Sequence> held, int limit, double circuitLoss) {
        List<Object> nodes = new ArrayList<>();
        for (Pruner.Delta d : pruner.nodeDeltas(gates, held, limit, circuitLoss)) nodes.add(delta(d));
        return nodes;
    }

    static Map<String, Object> json(Pruner.Outcome o, long limit) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("reached_target", o.reached());
        m.put("task_loss_full", o.bisection().fullLoss());
        if (o.reached()) {
            m.put("nodes", o.circuit().nodes());
            m.put("edges", (long) o.circuit().edges().size());
            m.put("task_loss_circuit", o.bisection().loss());
        }
        if (limit != Long.MAX_VALUE) m.put("flags_circuit", o.flags(limit));
        return m;
    }

    /** Mask training with a progress line, then the bisection and the circuit. */
    static Pruner.Outcome pruneOnce(Pruner pruner, Gpt model, List<TaskLoss.Sequence> train, List<TaskLoss.Sequence> held,
                                    Pruner.Settings s, double target, String label, CommandContext ctx) {
        long total = NodeLocation.count(model.config());
        ProgressLine line = new ProgressLine(ctx.err(), ctx.errIsTerminal(), label);
        long every = Math.max(1, s.steps() / 10);
        long t0 = System.nanoTime();
        Map<String, float[]> tau = pruner.train(train, s, (step, steps, loss, kept) -> {
            if (ctx.errIsTerminal() || step % every == 0 || step == steps) {
                line.step(step - 1, steps, String.format(Locale.ROOT, "task loss %.4f, kept %,d of %,d nodes", loss, kept, total));
            }
        });
        line.close();
        long t1 = System.nanoTime();
        Pruner.Outcome o = pruner.outcome(tau, held, target);
        ctx.err().printf(Locale.ROOT, "%s: mask training %d steps in %.1f s, bisection over %d circuits in %.1f s%n", label, s.steps(),
                (t1 - t0) / 1e9, o.bisection().points().size(), (System.nanoTime() - t1) / 1e9);
        return o;
    }

    private static Map<String, Object> delta(Pruner.Delta d) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("location", d.hook());
        if (d.channel() >= 0) m.put("channel", (long) d.channel());
        m.put("delta", d.delta());
        return m;
    }

}
