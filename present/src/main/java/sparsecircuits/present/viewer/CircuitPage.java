package sparsecircuits.present.viewer;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import sparsecircuits.kernels.Kernels;
import sparsecircuits.model.checkpoint.AtomicFiles;
import sparsecircuits.model.checkpoint.CheckpointException;
import sparsecircuits.model.checkpoint.ModelDirectory;
import sparsecircuits.model.checkpoint.ModelFiles;
import sparsecircuits.model.gpt.Gpt;
import sparsecircuits.model.tokenizer.ByteLevelBpe;
import sparsecircuits.model.train.TokenData;
import sparsecircuits.model.train.TrainConfig;
import sparsecircuits.model.train.TrainRun;
import sparsecircuits.model.train.Trainer;
import sparsecircuits.present.export.CircuitGraph;
import sparsecircuits.pruning.circuit.CircuitFiles;
import sparsecircuits.pruning.circuit.CircuitRun;
import sparsecircuits.pruning.loss.Choice;
import sparsecircuits.pruning.loss.TaskLoss;
import sparsecircuits.pruning.nodes.NodeLocation;
import sparsecircuits.pruning.nodes.NodeMeans;
import sparsecircuits.pruning.tasks.Task;
import sparsecircuits.pruning.tasks.TaskSource;
import sparsecircuits.pruning.trace.Snippets;
import sparsecircuits.pruning.trace.Tracer;

/**
 * The viewer page of a saved circuit, written from its directory and its model's: the graph ({@link ViewerHtml}),
 * live what-if ablation ({@link ModelJs}) and the examples ({@link Examples}). Live ablation and examples are
 * conveniences: when one cannot be had, the page is still written and says why ({@link Written}).
 */
public final class CircuitPage {
    /** Warnings already given, so an experiment writing many pages of one task says each once. */
    /** Held-out pairs the prompt view shows when live ablation is off: as many as live ablation embeds by default. */
    static final int PROMPT_PAIRS = 8;

    private CircuitPage() {
    }

    /**
     * How a page is written.
     *
     * @param livePairs       held-out pairs embedded for live ablation (0: off)
     * @param snippetWindows  pretraining windows scanned for the examples' snippets (0: examples off)
     * @param snippetRadius   tokens either side of a snippet's chosen token
     * @param liveMaxNonZeros the largest model (nonzero parameters) embedded for live ablation
     */
    public record Settings(int livePairs, int snippetWindows, int snippetRadius, long liveMaxNonZeros) {
        public static final int DEFAULT_WINDOWS = 64, DEFAULT_RADIUS = 8;

        public Settings {
            if (livePairs < 0 || snippetWindows < 0 || snippetRadius < 0 || liveMaxNonZeros < 0) {
                throw new IllegalArgumentException("page settings must not be negative: " + livePairs + " live pairs, " + snippetWindows
                        + " snippet windows, radius " + snippetRadius + ", " + liveMaxNonZeros + " nonzeros at most");
            }
        }

        /** Live ablation on {@code livePairs} pairs up to {@link ModelJs#MAX_NONZEROS}, examples with their defaults. */
        public static Settings of(int livePairs) {
            return new Settings(livePairs, DEFAULT_WINDOWS, DEFAULT_RADIUS, ModelJs.MAX_NONZEROS);
        }
    }

    /**
     * What was written: counts, why live ablation / examples are off (null when on), and what the reader of the page
     * should know about the task's prompts (e.g. targets that encode to more than one token).
     */
    public record Written(Path file, int nodes, int edges, String liveReason, String examplesReason, List<String> warnings) {
    }

    /**
     * Writes the page of the circuit in {@code circuitDir} (pruned from the model in {@code modelDir}) to {@code file},
     * atomically.
     *
     * @param labels   node id -> a person's label (may be empty)
     * @param progress occasional status text during the examples pass (only when it takes more than 2 s)
     * @throws CheckpointException for a missing, foreign or malformed circuit, or an unreadable model
     */
    public static Written write(Path modelDir, Path circuitDir, Map<String, String> labels, Settings settings, Path file,
                                Kernels kernels, Consumer<String> progress) {
        CircuitFiles.Loaded loaded = CircuitFiles.load(circuitDir, modelDir.resolve(ModelFiles.WEIGHTS)); // refuses a foreign circuit
        CircuitGraph g = CircuitGraph.of(circuitDir, loaded, ModelDirectory.config(modelDir), labels);
        Object sha = loaded.json().get("model_sha256");
        Held held = new Held(modelDir, loaded, settings.livePairs() > 0 ? settings.livePairs() : PROMPT_PAIRS);
        Map<String, Object> live = live(settings, loaded, held);
        Map<String, Object> examples = examples(settings, modelDir, loaded, g, held, kernels, progress);
        String html = ViewerHtml.render(g, loaded.run(), modelDir.getFileName() + "/" + ModelFiles.WEIGHTS, sha == null ? null : String.valueOf(sha),
                live, examples, graphPrompt(held));
        AtomicFiles.write(file, out -> out.write(html.getBytes(StandardCharsets.UTF_8)));
        return new Written(file, g.nodes().size(), g.links().size(), reason(live), reason(examples), held.warnings);
    }

    private static String reason(Map<String, Object> block) {
        return Boolean.TRUE.equals(block.get("enabled")) ? null : String.valueOf(block.get("reason"));
    }

    /**
     * The prompt of the page's attribution-graph export: the first held-out prompt as token texts (null when the
     * task's prompts are not available; the page then says the export is off).
     */
    private static List<String> graphPrompt(Held held) {
        List<TaskLoss.Sequence> seqs = held.sequences();
        if (seqs == null || seqs.isEmpty()) return null;
        List<String> tokens = new ArrayList<>();
        for (int id : seqs.get(0).tokens()) tokens.add(held.bpe.decode(new int[] {id}));
        return tokens;
    }

    /**
     * The model, its tokenizer and the task's held-out sequences, loaded once on first use for both live ablation
     * and the examples: the same {@code pairs} pairs, so the prompt view shows the prompts the live ablation runs.
     */
    private static final class Held {
        final Path modelDir;
        final CircuitFiles.Loaded loaded;
        final int pairs;
        Gpt model;
        ByteLevelBpe bpe;
        List<TaskLoss.Sequence> seqs;
        String why;
        boolean tried;
        List<String> warnings = List.of();

        Held(Path modelDir, CircuitFiles.Loaded loaded, int pairs) {
            this.modelDir = modelDir;
            this.loaded = loaded;
            this.pairs = pairs;
        }

        Gpt model() {
            if (model == null) model = ModelDirectory.model(modelDir);
            return model;
        }

        /** The held-out sequences (both sides of each pair), or null with {@link #why} set. */
        List<TaskLoss.Sequence> sequences() {
            if (!tried) {
                tried = true;
                try {
                    bpe = ModelDirectory.tokenizer(modelDir, model());
                    Task task = TaskSource.resolve(CircuitRun.task(loaded.run()));
                    TaskSource.Sequences s = TaskSource.heldOut(task, pairs, 0, bpe);
                    warnings = s.warnings();
                    seqs = s.heldOut();
                } catch (CheckpointException | IllegalArgumentException e) {
                    why = "the task's held-out prompts are not available: " + e.getMessage();
                }
            }
            return seqs;
        }
    }

    /** The live-ablation block: the model, the circuit's means and held-out prompts of its task, or why it is off. */
    private static Map<String, Object> live(Settings s, CircuitFiles.Loaded loaded, Held held) {
        if (s.livePairs() == 0) return ModelJs.off("not asked for (0 held-out pairs)");
        String why = loaded.whyNotReplayable();
        if (why != null) return ModelJs.off(why);
        Map<String, float[]> replay = loaded.replayMeans(); // null under zero ablation
        Gpt model = held.model();
        long nnz = ModelJs.nonZeros(model);
        if (nnz > s.liveMaxNonZeros()) {
            return ModelJs.off("the model has " + nnz + " nonzero parameters, more than the " + s.liveMaxNonZeros() + " the page embeds");
        }
        Map<String, float[]> means = new LinkedHashMap<>();
        for (NodeLocation l : NodeLocation.of(model.config())) {
            float[] m = replay == null ? null : replay.get(l.hook());
            means.put(l.hook(), m == null ? new float[l.width()] : m);
        }
        List<TaskLoss.Sequence> seqs = held.sequences();
        if (seqs == null) return ModelJs.off(held.why);
        List<int[]> prompts = new ArrayList<>();
        int[] correct = new int[seqs.size()], other = new int[seqs.size()];
        for (int i = 0; i < seqs.size(); i++) {
            TaskLoss.Sequence q = seqs.get(i);
            prompts.add(q.tokens());
            correct[i] = q.kind() == Choice.AVOID ? -1 : q.correct();
            other[i] = q.kind() == Choice.TARGET ? -1 : q.other();
        }
        return ModelJs.data(model, NodeMeans.of(means, 0), prompts, correct, other, s.liveMaxNonZeros());
    }

    /**
     * The examples block ({@link Examples}): snippets over {@code snippetWindows} training windows of the model's
     * corpus and the held-out task prompts, all under the circuit's mask; or why it is off.
     */
    private static Map<String, Object> examples(Settings s, Path modelDir, CircuitFiles.Loaded loaded, CircuitGraph g, Held held,
                                                Kernels kernels, Consumer<String> progress) {
        if (s.snippetWindows() == 0) return Examples.off("not asked for (0 pretraining windows)");
        String why = loaded.whyNotReplayable();
        if (why != null) return Examples.off("the circuit cannot be replayed: " + why);
        if (g.nodes().size() > Examples.MAX_NODES) {
            return Examples.off("the circuit has " + g.nodes().size() + " nodes, more than the " + Examples.MAX_NODES + " the page collects examples for");
        }
        List<TaskLoss.Sequence> seqs = held.sequences();
        if (seqs == null) return Examples.off(held.why);
        TrainConfig tc;
        try {
            tc = ModelDirectory.trainConfig(modelDir);
        } catch (RuntimeException e) {
            return Examples.off("the model's " + Trainer.TRAIN_CONFIG + " is unreadable: " + e.getMessage());
        }
        if (tc == null) return Examples.off(modelDir + " has no " + Trainer.TRAIN_CONFIG + ", so the model's pretraining corpus is unknown");
        Gpt model = held.model();
        int ctxLen = model.config().blockSize(), batch = Math.min(16, s.snippetWindows());
        int batches = (s.snippetWindows() + batch - 1) / batch;
        TokenData data;
        try {
            data = TokenData.build(TrainRun.corpus(tc), held.bpe, ctxLen, batches, batch, ctxLen + 1, 0);
        } catch (RuntimeException e) {
            return Examples.off("the pretraining corpus " + tc.corpus() + " is not readable: " + e.getMessage());
        }
        Tracer tracer = Tracer.of(model, kernels).masked(loaded);
        long kept = g.nodes().size(), total = NodeLocation.count(model.config());
        String note = "under the pruned circuit (the " + (total - kept) + " nodes outside it " + loaded.ablation().name().toLowerCase(Locale.ROOT)
                + "-ablated), not in the full model";
        ByteLevelBpe bpe = held.bpe;
        try {
            return Examples.compute(tracer, note, g.nodes(), id -> bpe.decode(new int[] {id}),
                    new Examples.Windows(Snippets.pretraining(data, batches, batch), batches, batch, 0),
                    seqs, new Examples.Settings(s.snippetRadius(), 2, 8, 5), occasionally(progress));
        } catch (IllegalArgumentException | IllegalStateException e) {
            return Examples.off("collecting them failed: " + e.getMessage()); // the page is still written
        }
    }

    /**
     * Passes the examples' frequent messages on only when the pass takes a while: after 2 s, then at most every
     * 0.2 s, with the seconds so far (a caller writing to a log may thin them further).
     */
    static Consumer<String> occasionally(Consumer<String> progress) {
        long t0 = System.nanoTime();
        long[] last = {0};
        return msg -> {
            long now = System.nanoTime();
            if (now - t0 < 2_000_000_000L || now - last[0] < 200_000_000L) return;
            last[0] = now;
            progress.accept("examples: " + msg + String.format(Locale.ROOT, " (%.0f s)", (now - t0) / 1e9));
        };
    }
}
