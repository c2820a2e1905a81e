package sparsecircuits.cli;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import sparsecircuits.model.gpt.Gpt;
import sparsecircuits.model.tokenizer.ByteLevelBpe;
import sparsecircuits.pruning.loss.TaskLoss;
import sparsecircuits.pruning.nodes.NodeLocation;
import sparsecircuits.pruning.nodes.NodeMeans;
import sparsecircuits.pruning.tasks.Task;
import sparsecircuits.present.viewer.Examples;
import sparsecircuits.present.viewer.ModelJs;
import sparsecircuits.pruning.trace.Tracer;
import sparsecircuits.model.train.TokenData;
import sparsecircuits.model.train.TrainConfig;
import sparsecircuits.model.train.TrainRun;
import sparsecircuits.model.train.Trainer;
import sparsecircuits.model.checkpoint.AtomicFiles;
import sparsecircuits.model.checkpoint.ModelFiles;
import sparsecircuits.model.gpt.GptConfig;
import sparsecircuits.pruning.circuit.CircuitFiles;
import sparsecircuits.present.export.CircuitGraph;
import sparsecircuits.present.viewer.ViewerHtml;
import sparsecircuits.pruning.loss.Choice;

/** {@code view}: a circuit as one self-contained HTML page (data, CSS and JS inline; opens from file://). */
final class ViewCommand implements Command {

    @Override
    public String name() {
        return "view";
    }

    @Override
    public String summary() {
        return "write a circuit's self-contained HTML viewer page";
    }

    @Override
    public String description() {
        return "Writes one HTML file for the circuit in --circuit DIR (pruned from the model in --model DIR; a circuit of\n"
                + "another model is refused): data, CSS and JS inline, no network, opens from file://. It shows the run header\n"
                + "(model and SHA-256, task, k, nodes, edges, full vs circuit loss, ablation, seed), the layered circuit graph\n"
                + "(a row per layer and location, bottom to top; q/k/v grouped by head; edge width ~ |weight|, blue positive,\n"
                + "red negative; node fill = ablation delta; block zoom from the menu or a row label), a node inspector (click a\n"
                + "node), the loss-at-k bisection plot, the controls, a node search, an edge |weight| and a node-importance\n"
                + "(|ablation delta|) slider. Pin and label nodes in the inspector: both persist in the browser's localStorage,\n"
                + "and 'export graph JSON' saves the circuit-tracer / Neuronpedia attribution graph with them (qParams.pinnedIds,\n"
                + "clerp). The selected node, sliders and zoom are kept in the URL hash. Default --out CIRCUIT/view.html;\n"
                + "written atomically.\n"
                + "Live what-if ablation (when the model has at most --live-max-nonzeros nonzero parameters): the page embeds the sparse\n"
                + "model, the circuit's node means and --live-pairs held-out pairs of the circuit's task, and recomputes the\n"
                + "task loss and the first prompt's two target logits in JavaScript when a node's ablation is toggled in the\n"
                + "inspector (the rest of the model ablated as the circuit). Otherwise the page says why it is off.\n"
                + "Examples (on by default, for circuits of at most " + Examples.MAX_NODES + " nodes): every circuit node's top and\n"
                + "bottom activating pretraining snippets at the 0.1/1/10/50 % quantiles (--snippet-windows windows of the\n"
                + "model's training corpus, as train-config.json names it; --snippet-radius tokens either side of the chosen\n"
                + "token; 2 snippets a quantile side) as token heat maps on one colour scale per node; its class A / class B /\n"
                + "A-B means on the task's held-out prompts; for resid_delta nodes the direct effect on the two target logits;\n"
                + "for residual channels the top and bottom tokens by embedding and unembedding weight; for q/k channels the\n"
                + "head's attention pattern on the first prompt; and a prompt view colouring the first 8 held-out prompts\n"
                + "(those the live ablation uses) by the selected node, or all circuit nodes x tokens. All activations are\n"
                + "recorded under the pruned circuit (the other nodes ablated), not in the\n"
                + "full model. --snippet-windows 0 turns examples off; without the corpus or task prompts the page says why.";
    }

    @Override
    public Options options() {
        return new Options(name())
                .option("--circuit", "DIR", "the circuit directory (circuit.json + circuit.safetensors; required)")
                .option("--model", "DIR", "the model it was pruned from (required)")
                .option("--labels", "FILE", "node labels, a JSON object of node id -> label")
                .option("--out", "FILE", "the .html file to write (default CIRCUIT/view.html)")
                .number("--live-pairs", "N", "held-out pairs embedded for live ablation (default 8; 0 turns it off)", 0, 1e4, "8")
                .number("--live-max-nonzeros", "N", "the largest model (nonzero parameters) embedded for live ablation (default "
                        + ModelJs.MAX_NONZEROS + "; the page grows ~6 bytes and a toggle ~1 ms per 1,000 nonzeros)", 1, 1e8,
                        String.valueOf(ModelJs.MAX_NONZEROS))
                .number("--snippet-windows", "N", "pretraining windows scanned for the examples' snippets (default "
                        + PageSettings.DEFAULT_WINDOWS + "; 0 turns examples off)", 0, 1e6, String.valueOf(PageSettings.DEFAULT_WINDOWS))
                .number("--snippet-radius", "N", "tokens either side of a snippet's chosen token (default " + PageSettings.DEFAULT_RADIUS + ")",
                        0, 64, String.valueOf(PageSettings.DEFAULT_RADIUS));
    }

    @Override
    public void check(Options.Parsed o) {
        ModelDir.require(o, name());
        ModelDir.wholeNumbers(o, "--live-pairs", "--snippet-windows", "--snippet-radius", "--live-max-nonzeros");
        if (!o.has("--circuit")) throw new UserError("view needs --circuit DIR", "give a directory written by 'prune', e.g. --circuit runs/m/circuits/if_equals");
        if (o.has("--out")) {
            String out = o.value("--out", "");
            if (Files.isDirectory(Path.of(out))) throw new UserError("--out " + out + " is a directory", "give a file name, e.g. --out " + Path.of(out).resolve("view.html"));
            if (!out.endsWith(".html") && !out.endsWith(".htm")) {
                throw new UserError("--out must end in .html, got " + out, "write e.g. --out circuit-view.html");
            }
        }
    }

    @Override
    public int run(Options.Parsed o, CommandContext ctx) {
        Path modelDir = ModelDir.require(o, name());
        Path circuitDir = Path.of(o.value("--circuit", ""));
        Map<String, String> labels = o.has("--labels") ? ExportCommand.labels(Path.of(o.value("--labels", ""))) : Map.of();
        Path file = o.has("--out") ? Path.of(o.value("--out", "")) : circuitDir.resolve("view.html");
        Path parent = file.toAbsolutePath().getParent();
        if (o.has("--out") && parent != null && !Files.isDirectory(parent)) {
            throw new UserError(parent + ": the --out directory does not exist", "create it first, or give another --out");
        }
        PageSettings settings = new PageSettings((int) o.number("--live-pairs", 8),
                (int) o.number("--snippet-windows", PageSettings.DEFAULT_WINDOWS), (int) o.number("--snippet-radius", PageSettings.DEFAULT_RADIUS),
                (long) o.number("--live-max-nonzeros", ModelJs.MAX_NONZEROS));
        long t0 = System.nanoTime();
        Page page = writePage(modelDir, circuitDir, labels, settings, file, ctx);
        ctx.out().println("wrote " + file + ": " + page.nodes() + " nodes, " + page.edges() + " edges"
                + (page.liveReason() == null ? ", live ablation on" : ", live ablation off: " + page.liveReason())
                + (page.examplesReason() == null ? ", examples on" : ", examples off: " + page.examplesReason())
                + String.format(java.util.Locale.ROOT, " (%.1f s)", (System.nanoTime() - t0) / 1e9));
        return 0;
    }

    /** What {@link #writePage} wrote: counts, and why live ablation / examples are off (null when on). */
    record Page(Path file, int nodes, int edges, String liveReason, String examplesReason) {
    }

    /**
     * How a page is written: held-out pairs embedded for live ablation (0: off), pretraining windows scanned for the
     * examples' snippets (0: examples off) and the snippets' radius in tokens.
     */
    record PageSettings(int livePairs, int snippetWindows, int snippetRadius, long liveMaxNonZeros) {
        static final int DEFAULT_WINDOWS = 64, DEFAULT_RADIUS = 8;

        PageSettings(int livePairs, int snippetWindows, int snippetRadius) {
            this(livePairs, snippetWindows, snippetRadius, ModelJs.MAX_NONZEROS);
        }

        /** Live ablation on {@code livePairs} pairs, examples with their defaults. */
        static PageSettings of(int livePairs) {
            return new PageSettings(livePairs, DEFAULT_WINDOWS, DEFAULT_RADIUS);
        }
    }

    /**
     * Writes the viewer page of the circuit in {@code circuitDir} (pruned from the model in {@code modelDir}) to
     * {@code file}, atomically; used by {@code view} and by {@code experiment} for every circuit it saves.
     *
     * @param livePairs held-out pairs embedded for live ablation (0: off)
     * @throws UserError for a missing or foreign circuit (exit 2)
     */
    static Page writePage(Path modelDir, Path circuitDir, Map<String, String> labels, int livePairs, Path file, CommandContext ctx) {
        return writePage(modelDir, circuitDir, labels, PageSettings.of(livePairs), file, ctx);
    }

    /** {@link #writePage(Path, Path, Map, int, Path, CommandContext)} with the examples' settings given too. */
    static Page writePage(Path modelDir, Path circuitDir, Map<String, String> labels, PageSettings settings, Path file, CommandContext ctx) {
        GptConfig config = ExportCommand.config(modelDir);
        Path modelFile = modelDir.resolve(ModelFiles.WEIGHTS);
        CircuitFiles.Loaded loaded = CircuitFiles.load(circuitDir, modelFile); // refuses a missing or foreign circuit (exit 2)
        CircuitGraph g = CircuitGraph.of(circuitDir, loaded, config, labels);
        Object sha = loaded.json().get("model_sha256");
        Held held = new Held(modelDir, loaded, settings.livePairs() > 0 ? settings.livePairs() : 8, ctx);
        Map<String, Object> live = live(settings.livePairs(), settings.liveMaxNonZeros(), modelDir, loaded, held);
        Map<String, Object> examples = examples(settings, modelDir, loaded, g, held, ctx);
        String html = ViewerHtml.render(g, loaded.run(), modelDir.getFileName() + "/" + ModelFiles.WEIGHTS, sha == null ? null : String.valueOf(sha),
                live, examples, graphPrompt(held));
        AtomicFiles.write(file, out -> out.write(html.getBytes(StandardCharsets.UTF_8)));
        return new Page(file, g.nodes().size(), g.links().size(),
                Boolean.TRUE.equals(live.get("enabled")) ? null : String.valueOf(live.get("reason")),
                Boolean.TRUE.equals(examples.get("enabled")) ? null : String.valueOf(examples.get("reason")));
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
     * and the examples: the same {@code pairs} pairs (live ablation's count, else 8), so the prompt view shows the
     * prompts the live ablation runs.
     */
    private static final class Held {
        final Path modelDir;
        final CircuitFiles.Loaded loaded;
        final int pairs;
        final CommandContext ctx;
        Gpt model;
        ByteLevelBpe bpe;
        List<TaskLoss.Sequence> seqs;
        String why;
        boolean tried;

        Held(Path modelDir, CircuitFiles.Loaded loaded, int pairs, CommandContext ctx) {
            this.modelDir = modelDir;
            this.loaded = loaded;
            this.pairs = pairs;
            this.ctx = ctx;
        }

        Gpt model() {
            if (model == null) model = ModelDir.model(modelDir);
            return model;
        }

        /** The held-out sequences (both sides of each pair), or null with {@link #why} set. */
        List<TaskLoss.Sequence> sequences() {
            if (!tried) {
                tried = true;
                try {
                    bpe = ModelDir.tokenizer(modelDir, model());
                    Task task = TasksCommand.resolve(String.valueOf(loaded.run().get("task")));
                    seqs = TasksCommand.sequences(task, Task.Split.HELD_OUT, pairs, 0, bpe, ctx, "view");
                } catch (UserError | IllegalArgumentException e) {
                    why = "the task's held-out prompts are not available: " + e.getMessage();
                }
            }
            return seqs;
        }
    }

    /** The live-ablation blob: the model, the circuit's means and held-out prompts of its task, or why it is off. */
    private static Map<String, Object> live(int pairs, long maxNonZeros, Path modelDir, CircuitFiles.Loaded loaded, Held held) {
        if (pairs == 0) return ModelJs.off("--live-pairs 0");
        String why = loaded.whyNotReplayable();
        if (why != null) return ModelJs.off(why);
        Map<String, float[]> replay = loaded.replayMeans(); // null under zero ablation
        Gpt model = held.model();
        long nnz = ModelJs.nonZeros(model);
        if (nnz > maxNonZeros) {
            return ModelJs.off("the model has " + nnz + " nonzero parameters, more than the " + maxNonZeros + " the page embeds (--live-max-nonzeros)");
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
            TaskLoss.Sequence s = seqs.get(i);
            prompts.add(s.tokens());
            correct[i] = s.kind() == Choice.AVOID ? -1 : s.correct();
            other[i] = s.kind() == Choice.TARGET ? -1 : s.other();
        }
        return ModelJs.data(model, NodeMeans.of(means, 0), prompts, correct, other, maxNonZeros);
    }

    /**
     * The examples block ({@link Examples}): snippets over {@code snippetWindows} training windows of the model's
     * corpus and the held-out task prompts, all under the circuit's mask; or why it is off.
     */
    private static Map<String, Object> examples(PageSettings s, Path modelDir, CircuitFiles.Loaded loaded, CircuitGraph g, Held held,
                                                CommandContext ctx) {
        if (s.snippetWindows() == 0) return Examples.off("--snippet-windows 0");
        String why = loaded.whyNotReplayable();
        if (why != null) return Examples.off("the circuit cannot be replayed: " + why);
        if (g.nodes().size() > Examples.MAX_NODES) {
            return Examples.off("the circuit has " + g.nodes().size() + " nodes, more than the " + Examples.MAX_NODES + " the page collects examples for");
        }
        List<TaskLoss.Sequence> seqs = held.sequences();
        if (seqs == null) return Examples.off(held.why);
        TrainConfig tc;
        try {
            tc = ModelDir.trainConfig(modelDir);
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
        Tracer tracer = Tracer.of(model, Main.kernels().kernels()).masked(loaded);
        long kept = g.nodes().size(), total = NodeLocation.count(model.config());
        String note = "under the pruned circuit (the " + (total - kept) + " nodes outside it " + loaded.ablation().name().toLowerCase(Locale.ROOT)
                + "-ablated), not in the full model";
        ByteLevelBpe bpe = held.bpe;
        long t0 = System.nanoTime();
        long[] last = {0};
        try (ProgressLine line = new ProgressLine(ctx.err(), ctx.errIsTerminal(), "view: examples")) {
            return Examples.compute(tracer, note, g.nodes(), id -> bpe.decode(new int[] {id}),
                    new Examples.Windows(sparsecircuits.pruning.trace.Snippets.pretraining(data, batches, batch), batches, batch, 0),
                    seqs, new Examples.Settings(s.snippetRadius(), 2, 8, 5), msg -> {
                        long now = System.nanoTime();
                        // only when it takes a while: after 2 s, then at most every 0.2 s on a terminal, 5 s elsewhere
                        if (now - t0 < 2_000_000_000L || now - last[0] < (ctx.errIsTerminal() ? 200_000_000L : 5_000_000_000L)) return;
                        last[0] = now;
                        line.show("view: examples: " + msg + String.format(Locale.ROOT, " (%.0f s)", (now - t0) / 1e9));
                    });
        } catch (IllegalArgumentException | IllegalStateException e) {
            return Examples.off("collecting them failed: " + e.getMessage()); // the page is still written
        }
    }
}
