package sparsecircuits.cli;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
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
                + "URL hash. Default --out CIRCUIT/view.html; written atomically.";
    }

    @Override
    public Options options() {
        return new Options(name())
                .option("--circuit", "DIR", "the circuit directory (circuit.json + circuit.safetensors; required)")
                .option("--model", "DIR", "the model it was pruned from (required)")
                .option("--labels", "FILE", "node labels, a JSON object of node id -> label")
                .option("--out", "FILE", "the .html file to write (default CIRCUIT/view.html)");
    }

    @Override
    public void check(Options.Parsed o) {
        ModelDir.require(o, name());
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
        GptConfig config = ExportCommand.config(modelDir);
        Path modelFile = modelDir.resolve(ModelFiles.WEIGHTS);
        Map<String, String> labels = o.has("--labels") ? ExportCommand.labels(Path.of(o.value("--labels", ""))) : Map.of();
        CircuitFiles.Loaded loaded = CircuitFiles.load(circuitDir, modelFile); // refuses a missing or foreign circuit (exit 2)
        CircuitGraph g = CircuitGraph.of(circuitDir, loaded, config, labels);
        Object sha = loaded.json().get("model_sha256");
        String html = ViewerHtml.render(g, loaded.run(), modelDir.getFileName() + "/" + ModelFiles.WEIGHTS, sha == null ? null : String.valueOf(sha));
        Path file = o.has("--out") ? Path.of(o.value("--out", "")) : circuitDir.resolve("view.html");
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            throw new UserError(parent + ": the --out directory does not exist", "create it first, or give another --out");
        }
        AtomicFiles.write(file, out -> out.write(html.getBytes(StandardCharsets.UTF_8)));
        ctx.out().println("wrote " + file + ": " + g.nodes().size() + " nodes, " + g.links().size() + " edges");
        return 0;
    }
}
