package sparsecircuits.cli;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import sparsecircuits.autograd.graph.Ops;
import sparsecircuits.model.gpt.Gpt;
import sparsecircuits.model.tokenizer.ByteLevelBpe;
import sparsecircuits.pruning.loss.TaskLoss;
import sparsecircuits.pruning.nodes.NodeLocation;
import sparsecircuits.pruning.nodes.NodeMeans;
import sparsecircuits.pruning.tasks.Task;
import sparsecircuits.pruning.viewer.ModelJs;
import sparsecircuits.model.checkpoint.AtomicFiles;
import sparsecircuits.model.checkpoint.ModelFiles;
import sparsecircuits.model.gpt.GptConfig;
import sparsecircuits.pruning.circuit.CircuitFiles;
import sparsecircuits.pruning.export.CircuitGraph;
import sparsecircuits.pruning.viewer.ViewerHtml;

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
                + "red negative; node fill = ablation delta), a node inspector (click a node), the loss-at-k bisection plot,\n"
                + "the controls, a node search and an edge |weight| threshold; the selected node and threshold are kept in the\n"
                + "URL hash. Default --out CIRCUIT/view.html; written atomically.\n"
                + "Live what-if ablation (when the model has at most 500,000 nonzero parameters): the page embeds the sparse\n"
                + "model, the circuit's node means and --live-pairs held-out pairs of the circuit's task, and recomputes the\n"
                + "task loss and the first prompt's two target logits in JavaScript when a node's ablation is toggled in the\n"
                + "inspector (the rest of the model ablated as the circuit). Otherwise the page says why it is off.";
    }

    @Override
    public Options options() {
        return new Options(name())
                .option("--circuit", "DIR", "the circuit directory (circuit.json + circuit.safetensors; required)")
                .option("--model", "DIR", "the model it was pruned from (required)")
                .option("--labels", "FILE", "node labels, a JSON object of node id -> label")
                .option("--out", "FILE", "the .html file to write (default CIRCUIT/view.html)")
                .number("--live-pairs", "N", "held-out pairs embedded for live ablation (default 8; 0 turns it off)", 0, 1e4, "8");
    }

    @Override
    public void check(Options.Parsed o) {
        ModelDir.require(o, name());
        ModelDir.wholeNumbers(o, "--live-pairs");
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
        Page page = writePage(modelDir, circuitDir, labels, (int) o.number("--live-pairs", 8), file, ctx);
        ctx.out().println("wrote " + file + ": " + page.nodes() + " nodes, " + page.edges() + " edges"
                + (page.liveReason() == null ? ", live ablation on" : ", live ablation off: " + page.liveReason()));
        return 0;
    }

    /** What {@link #writePage} wrote: counts, and why live ablation is off (null when on). */
    record Page(Path file, int nodes, int edges, String liveReason) {
    }

    /**
     * Writes the viewer page of the circuit in {@code circuitDir} (pruned from the model in {@code modelDir}) to
     * {@code file}, atomically; used by {@code view} and by {@code experiment} for every circuit it saves.
     *
     * @param livePairs held-out pairs embedded for live ablation (0: off)
     * @throws UserError for a missing or foreign circuit (exit 2)
     */
    static Page writePage(Path modelDir, Path circuitDir, Map<String, String> labels, int livePairs, Path file, CommandContext ctx) {
        GptConfig config = ExportCommand.config(modelDir);
        Path modelFile = modelDir.resolve(ModelFiles.WEIGHTS);
        CircuitFiles.Loaded loaded = CircuitFiles.load(circuitDir, modelFile); // refuses a missing or foreign circuit (exit 2)
        CircuitGraph g = CircuitGraph.of(circuitDir, loaded, config, labels);
        Object sha = loaded.json().get("model_sha256");
        Map<String, Object> live = live(livePairs, ctx, modelDir, loaded);
        String html = ViewerHtml.render(g, loaded.run(), modelDir.getFileName() + "/" + ModelFiles.WEIGHTS, sha == null ? null : String.valueOf(sha), live);
        AtomicFiles.write(file, out -> out.write(html.getBytes(StandardCharsets.UTF_8)));
        return new Page(file, g.nodes().size(), g.links().size(),
                Boolean.TRUE.equals(live.get("enabled")) ? null : String.valueOf(live.get("reason")));
    }

    /** The live-ablation blob: the model, the circuit's means and held-out prompts of its task, or why it is off. */
    private static Map<String, Object> live(int pairs, CommandContext ctx, Path modelDir, CircuitFiles.Loaded loaded) {
        if (pairs == 0) return ModelJs.off("--live-pairs 0");
        String why = loaded.whyNotReplayable();
        if (why != null) return ModelJs.off(why);
        Map<String, float[]> replay = loaded.replayMeans(); // null under zero ablation
        Gpt model = ModelDir.model(modelDir);
        long nnz = ModelJs.nonZeros(model);
        if (nnz > ModelJs.MAX_NONZEROS) {
            return ModelJs.off("the model has " + nnz + " nonzero parameters, more than the " + ModelJs.MAX_NONZEROS + " the page embeds");
        }
        Map<String, float[]> means = new LinkedHashMap<>();
        for (NodeLocation l : NodeLocation.of(model.config())) {
            float[] m = replay == null ? null : replay.get(l.hook());
            means.put(l.hook(), m == null ? new float[l.width()] : m);
        }
        List<TaskLoss.Sequence> seqs;
        try {
            ByteLevelBpe bpe = ModelDir.tokenizer(modelDir, model);
            Task task = TasksCommand.resolve(String.valueOf(loaded.run().get("task")));
            seqs = TasksCommand.sequences(task, Task.Split.HELD_OUT, pairs, 0, bpe, ctx, "view");
        } catch (UserError | IllegalArgumentException e) {
            return ModelJs.off("the task's held-out prompts are not available: " + e.getMessage());
        }
        List<int[]> prompts = new ArrayList<>();
        int[] correct = new int[seqs.size()], other = new int[seqs.size()];
        for (int i = 0; i < seqs.size(); i++) {
            TaskLoss.Sequence s = seqs.get(i);
            prompts.add(s.tokens());
            correct[i] = s.kind() == Ops.Choice.AVOID ? -1 : s.correct();
            other[i] = s.kind() == Ops.Choice.TARGET ? -1 : s.other();
        }
        return ModelJs.data(model, NodeMeans.of(means, 0), prompts, correct, other);
    }
}
