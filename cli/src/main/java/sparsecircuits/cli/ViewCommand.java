package sparsecircuits.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import sparsecircuits.present.viewer.CircuitPage;
import sparsecircuits.present.viewer.Examples;
import sparsecircuits.present.viewer.ModelJs;

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
                        + CircuitPage.Settings.DEFAULT_WINDOWS + "; 0 turns examples off)", 0, 1e6, String.valueOf(CircuitPage.Settings.DEFAULT_WINDOWS))
                .number("--snippet-radius", "N", "tokens either side of a snippet's chosen token (default " + CircuitPage.Settings.DEFAULT_RADIUS + ")",
                        0, 64, String.valueOf(CircuitPage.Settings.DEFAULT_RADIUS));
    }

    @Override
    public void check(Options.Parsed o) {
        ModelDir.require(o, name());
        ModelDir.wholeNumbers(o, "--live-pairs", "--snippet-windows", "--snippet-radius", "--live-max-nonzeros");
        CircuitFlags.require(o, name());
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
        Path circuitDir = CircuitFlags.require(o, name());
        Map<String, String> labels = CircuitFlags.labels(o);
        Path file = o.has("--out") ? Path.of(o.value("--out", "")) : circuitDir.resolve("view.html");
        Path parent = file.toAbsolutePath().getParent();
        if (o.has("--out") && parent != null && !Files.isDirectory(parent)) {
            throw new UserError(parent + ": the --out directory does not exist", "create it first, or give another --out");
        }
        CircuitPage.Settings settings = new CircuitPage.Settings((int) o.number("--live-pairs", 8),
                (int) o.number("--snippet-windows", CircuitPage.Settings.DEFAULT_WINDOWS),
                (int) o.number("--snippet-radius", CircuitPage.Settings.DEFAULT_RADIUS),
                (long) o.number("--live-max-nonzeros", ModelJs.MAX_NONZEROS));
        long t0 = System.nanoTime();
        CircuitPage.Written page = write(modelDir, circuitDir, labels, settings, file, ctx);
        for (String w : page.warnings()) ctx.err().println("view: warning: " + w);
        // the library says why in its terms; the flag that changes it is the command's to name
        String live = page.liveReason() == null ? ", live ablation on"
                : settings.livePairs() == 0 ? ", live ablation off (--live-pairs 0)"
                : ", live ablation off: " + page.liveReason() + (page.liveReason().contains("nonzero parameters") ? " (--live-max-nonzeros)" : "");
        String examples = page.examplesReason() == null ? ", examples on"
                : settings.snippetWindows() == 0 ? ", examples off (--snippet-windows 0)" : ", examples off: " + page.examplesReason();
        ctx.out().println("wrote " + file + ": " + page.nodes() + " nodes, " + page.edges() + " edges" + live + examples
                + String.format(Locale.ROOT, " (%.1f s)", (System.nanoTime() - t0) / 1e9));
        return 0;
    }


    /** The page, with the examples' occasional status on a progress line (on a log, at most every 5 s). */
    private static CircuitPage.Written write(Path modelDir, Path circuitDir, Map<String, String> labels, CircuitPage.Settings settings,
                                             Path file, CommandContext ctx) {
        try (ProgressLine line = new ProgressLine(ctx.err(), ctx.errIsTerminal(), "view")) {
            long[] last = {0};
            Consumer<String> progress = msg -> {
                long now = System.nanoTime();
                if (!ctx.errIsTerminal() && now - last[0] < 5_000_000_000L) return;
                last[0] = now;
                line.show("view: " + msg);
            };
            return CircuitPage.write(modelDir, circuitDir, labels, settings, file, Main.kernels().kernels(), progress);
        }
    }
}
