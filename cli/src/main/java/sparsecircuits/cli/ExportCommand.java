package sparsecircuits.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import sparsecircuits.model.checkpoint.AtomicFiles;
import sparsecircuits.model.checkpoint.ModelDirectory;
import sparsecircuits.model.checkpoint.ModelFiles;
import sparsecircuits.model.gpt.Gpt;
import sparsecircuits.model.tokenizer.ByteLevelBpe;
import sparsecircuits.pruning.circuit.CircuitFiles;
import sparsecircuits.pruning.circuit.CircuitRun;
import sparsecircuits.present.export.AttributionGraph;
import sparsecircuits.present.export.CircuitGraph;
import sparsecircuits.present.export.Csv;
import sparsecircuits.present.export.Dot;
import sparsecircuits.present.export.GraphFiles;
import sparsecircuits.present.export.GraphMl;
import sparsecircuits.present.export.PromptActivations;

/** {@code export}: a circuit bundle as DOT, GraphML, CSV, attribution-graph JSON, or a copy of the bundle. */
final class ExportCommand implements Command {
    static final List<String> FORMATS = List.of("dot", "graphml", "csv", "json", "bundle");

    @Override
    public String name() {
        return "export";
    }

    @Override
    public String summary() {
        return "export a circuit as DOT, GraphML, CSV, attribution-graph JSON or a bundle copy";
    }

    @Override
    public String description() {
        return "Writes the circuit in --circuit DIR (pruned from the model in --model DIR; a circuit of another model is\n"
                + "refused) in one format:\n"
                + "  dot      Graphviz (dot -Tsvg circuit.dot > circuit.svg): a row per layer and location, edge width ~ |weight|,\n"
                + "           blue positive, red negative; default --out CIRCUIT/circuit.dot\n"
                + "  graphml  GraphML with typed node and edge attributes for Gephi, Cytoscape, yEd, networkx; default CIRCUIT/circuit.graphml\n"
                + "  csv      nodes.csv and edges.csv (RFC 4180) for pandas and spreadsheets, into the --out directory (default CIRCUIT)\n"
                + "  json     the circuit-tracer / Neuronpedia attribution-graph JSON for one prompt (--prompt TEXT, default the\n"
                + "           task's first held-out prompt; at most the model's context): every node at the last position, one\n"
                + "           virtual layer per block and location, links = activation x weight under the circuit's mask;\n"
                + "           default CIRCUIT/<slug>.json; graph-metadata.json beside it lists the graphs for circuit-tracer's\n"
                + "           local frontend (start-server --graph_file_dir DIR)\n"
                + "  bundle   circuit.json + circuit.safetensors copied into the --out directory (required)\n"
                + "Node ids look like 0.attn.q:5 (hook:channel). --labels FILE gives labels as a JSON object {\"0.attn.q:5\": \"label\"}.\n"
                + "Files are written atomically.";
    }

    @Override
    public Options options() {
        return new Options(name())
                .option("--circuit", "DIR", "the circuit directory (circuit.json + circuit.safetensors; required)")
                .option("--model", "DIR", "the model it was pruned from (required)")
                .option("--format", String.join("|", FORMATS), "what to write (required)")
                .option("--prompt", "TEXT", "json: the prompt of the graph (default: the task's first held-out prompt)")
                .option("--labels", "FILE", "node labels, a JSON object of node id -> label")
                .option("--out", "PATH", "the file (dot, graphml, json) or directory (csv, bundle) to write");
    }

    @Override
    public void check(Options.Parsed o) {
        ModelDir.require(o, name());
        CircuitFlags.require(o, name());
        if (!o.has("--format")) throw new UserError("export needs --format", "give one of " + String.join(", ", FORMATS));
        String f = o.value("--format", "");
        if (!FORMATS.contains(f)) {
            String guess = Options.closest(f, FORMATS);
            throw new UserError("unknown export format '" + f + "'", (guess != null ? "did you mean '" + guess + "'? " : "")
                    + "the formats are " + String.join(", ", FORMATS));
        }
        if (f.equals("bundle") && !o.has("--out")) throw new UserError("export --format bundle needs --out DIR", "give the directory to copy the bundle to");
        if (f.equals("json") && o.has("--out") && !o.value("--out", "").endsWith(".json")) {
            throw new UserError("--out for json must end in .json (the viewers load <slug>.json), got " + o.value("--out", ""),
                    "write e.g. --out graphs/my-circuit.json");
        }
        if (o.has("--prompt") && !f.equals("json")) throw new UserError("--prompt is for --format json only", "leave it out, or write --format json");
    }

    @Override
    public int run(Options.Parsed o, CommandContext ctx) {
        Path modelDir = ModelDir.require(o, name());
        Path circuitDir = CircuitFlags.require(o, name());
        String format = o.value("--format", "");
        Map<String, String> labels = CircuitFlags.labels(o);
        // load (and so check the model hash) for every format, the bundle copy included
        CircuitFiles.Loaded loaded = CircuitFiles.load(circuitDir, modelDir.resolve(ModelFiles.WEIGHTS));
        CircuitGraph g = CircuitGraph.of(circuitDir, loaded, ModelDirectory.config(modelDir), labels);
        List<String> written = new ArrayList<>();
        switch (format) {
            case "dot" -> written.add(write(out(o, circuitDir.resolve("circuit.dot")), Dot.write(g)));
            case "graphml" -> written.add(write(out(o, circuitDir.resolve("circuit.graphml")), GraphMl.write(g)));
            case "csv" -> {
                Path dir = directory(out(o, circuitDir));
                written.add(write(dir.resolve(Csv.NODES), Csv.nodes(g)));
                written.add(write(dir.resolve(Csv.EDGES), Csv.edges(g)));
            }
            case "json" -> {
                Gpt model = ModelDirectory.model(modelDir);
                ByteLevelBpe bpe = ModelDirectory.tokenizer(modelDir, model);
                int[] ids = prompt(o, g, bpe, ctx);
                List<String> tokens = new ArrayList<>(ids.length);
                for (int id : ids) tokens.add(bpe.decode(new int[] {id}));
                // the local frontend loads <slug>.json, so a given file name is the slug
                String given = o.has("--out") ? Path.of(o.value("--out", "")).getFileName().toString() : null;
                Map<String, Object> graph;
                try {
                    AttributionGraph.Settings d = AttributionGraph.Settings.defaults();
                    graph = AttributionGraph.graph(g, tokens, new AttributionGraph.Settings(given == null ? null : given.substring(0, given.length() - 5),
                            d.scan(), d.pinned(), d.supernodes(), activations(loaded, model, ids, ctx), d.createTimeMs()));
                } catch (IllegalArgumentException e) {
                    throw new UserError(e.getMessage().replaceFirst(": shorten the prompt$", ""), "give a shorter (non-empty) --prompt");
                }
                Path file = out(o, circuitDir.resolve(GraphFiles.slug(graph) + ".json"));
                fileNotDirectory(file);
                try {
                    Path index = GraphFiles.write(graph, file);
                    written.add(file.toString());
                    written.add(index.toString());
                } catch (IllegalArgumentException e) {
                    throw new UserError(e.getMessage(), "move that file away, or write the graph to another directory");
                }
            }
            case "bundle" -> {
                Path dir = directory(Path.of(o.value("--out", "")));
                if (sameFile(dir, circuitDir)) throw new UserError("--out is the circuit's own directory", "give another directory to copy the bundle to");
                for (String name : List.of(CircuitFiles.JSON, CircuitFiles.TENSORS)) {
                    byte[] bytes;
                    try {
                        bytes = Files.readAllBytes(circuitDir.resolve(name));
                    } catch (IOException e) {
                        throw new UserError(circuitDir.resolve(name) + ": cannot read (" + e.getMessage() + ")", "check the circuit directory");
                    }
                    AtomicFiles.writeBytes(dir.resolve(name), bytes);
                    written.add(dir.resolve(name).toString());
                }
            }
            default -> throw new IllegalStateException(format); // check() admits only FORMATS
        }
        ctx.out().println("exported " + g.nodes().size() + " nodes and " + g.links().size() + " edges as " + format + " to "
                + String.join(", ", written));
        return 0;
    }

    /** --prompt as the model's token ids, else the circuit's task's first held-out prompt. */
    private static int[] prompt(Options.Parsed o, CircuitGraph g, ByteLevelBpe bpe, CommandContext ctx) {
        // a given prompt's length is checked against the context by AttributionGraph
        if (o.has("--prompt")) return bpe.encode(o.value("--prompt", ""));
        GraphFiles.Prompt p;
        try {
            p = GraphFiles.defaultPrompt(CircuitRun.task(g.run()), bpe, g.config().blockSize());
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage(), "give --prompt TEXT");
        }
        if (p.cut() > 0) ctx.err().println("export: the task's prompt is cut to its last " + p.ids().length + " tokens (the model's context)");
        return p.ids();
    }

    /**
     * The kept nodes' activations at the prompt's last token under the circuit's mask, so that links carry
     * activation x weight; none (links carry weights) for a resample-ablated circuit, which cannot be replayed.
     */
    private static Map<String, Float> activations(CircuitFiles.Loaded c, Gpt model, int[] ids, CommandContext ctx) {
        String why = c.whyNotReplayable();
        if (why != null) {
            ctx.err().println("export: " + why + "; links carry plain weights");
            return Map.of();
        }
        if (ids.length == 0 || ids.length > model.config().blockSize()) return Map.of(); // AttributionGraph refuses it, in its words
        return PromptActivations.of(model, ids, c.masks(), c.replayMeans(), Main.kernels().kernels());
    }

    private static Path out(Options.Parsed o, Path fallback) {
        return o.has("--out") ? Path.of(o.value("--out", "")) : fallback;
    }

    private static Path directory(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UserError(dir + ": cannot create the directory (" + e.getMessage() + ")", "give a writable --out directory");
        }
        return dir;
    }

    private static String write(Path file, String text) {
        fileNotDirectory(file);
        AtomicFiles.write(file, out -> out.write(text.getBytes(StandardCharsets.UTF_8)));
        return file.toString();
    }

    /** Makes the file's directory, and refuses a file name that is a directory. */
    private static void fileNotDirectory(Path file) {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null && !Files.isDirectory(parent)) directory(parent);
        if (Files.isDirectory(file)) throw new UserError(file + " is a directory", "give a file name for --out, e.g. " + file.resolve("circuit.out"));
    }

    private static boolean sameFile(Path a, Path b) {
        try {
            return Files.exists(b) && Files.isSameFile(a, b);
        } catch (IOException e) {
            return false;
        }
    }
}
