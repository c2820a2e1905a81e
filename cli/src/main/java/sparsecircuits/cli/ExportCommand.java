package sparsecircuits.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import sparsecircuits.model.checkpoint.AtomicFiles;
import sparsecircuits.model.checkpoint.ModelFiles;
import sparsecircuits.model.gpt.Gpt;
import sparsecircuits.model.gpt.GptConfig;
import sparsecircuits.model.json.Json;
import sparsecircuits.model.json.JsonException;
import sparsecircuits.model.tokenizer.ByteLevelBpe;
import sparsecircuits.model.tokenizer.TokenizerJson;
import sparsecircuits.model.train.TrainRun;
import sparsecircuits.pruning.circuit.CircuitFiles;
import sparsecircuits.present.export.AttributionGraph;
import sparsecircuits.present.export.CircuitGraph;
import sparsecircuits.present.export.Csv;
import sparsecircuits.present.export.Dot;
import sparsecircuits.present.export.GraphMl;
import sparsecircuits.present.export.PromptActivations;
import sparsecircuits.pruning.tasks.PaperTasks;
import sparsecircuits.pruning.tasks.Task;

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
        if (!o.has("--circuit")) throw new UserError("export needs --circuit DIR", "give a directory written by 'prune', e.g. --circuit runs/m/circuits/if_equals");
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
        Path circuitDir = Path.of(o.value("--circuit", ""));
        String format = o.value("--format", "");
        GptConfig config = config(modelDir);
        Path modelFile = modelDir.resolve(ModelFiles.WEIGHTS);
        Map<String, String> labels = o.has("--labels") ? labels(Path.of(o.value("--labels", ""))) : Map.of();
        // load (and so check the model hash) for every format, the bundle copy included
        CircuitFiles.Loaded loaded = CircuitFiles.load(circuitDir, modelFile);
        CircuitGraph g = CircuitGraph.of(circuitDir, loaded, config, labels);
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
                ByteLevelBpe bpe = tokenizer(modelDir);
                int[] ids = prompt(o, g, bpe, ctx);
                List<String> tokens = new ArrayList<>(ids.length);
                for (int id : ids) tokens.add(bpe.decode(new int[] {id}));
                Map<String, Float> acts = activations(loaded, modelDir, ids, ctx);
                // the local frontend loads <slug>.json, so a given file name is the slug
                String given = o.has("--out") ? Path.of(o.value("--out", "")).getFileName().toString() : null;
                Map<String, Object> graph;
                try {
                    AttributionGraph.Settings d = AttributionGraph.Settings.defaults();
                    graph = AttributionGraph.graph(g, tokens, new AttributionGraph.Settings(given == null ? null : given.substring(0, given.length() - 5),
                            d.scan(), d.pinned(), d.supernodes(), acts, d.createTimeMs()));
                } catch (IllegalArgumentException e) {
                    throw new UserError(e.getMessage().replaceFirst(": shorten the prompt$", ""), "give a shorter (non-empty) --prompt");
                }
                @SuppressWarnings("unchecked")
                String slug = String.valueOf(((Map<String, Object>) graph.get("metadata")).get("slug"));
                Path file = out(o, circuitDir.resolve(slug + ".json"));
                Path indexFile = file.toAbsolutePath().getParent().resolve("graph-metadata.json");
                Map<String, Object> index;
                try {
                    index = AttributionGraph.index(Files.isRegularFile(indexFile) ? Json.read(indexFile) : null, graph);
                } catch (IOException | JsonException | IllegalArgumentException e) {
                    throw new UserError(indexFile + ": cannot add the graph (" + e.getMessage().replaceAll("\\s+", " ") + ")",
                            "move that file away, or write the graph to another directory");
                }
                written.add(write(file, Json.write(graph)));
                written.add(write(indexFile, Json.writePretty(index) + "\n"));
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

    /** The model's config.json alone: the weights are needed only for their hash. */
    static GptConfig config(Path modelDir) {
        Path file = modelDir.resolve(ModelFiles.CONFIG);
        try {
            return ModelFiles.parseConfig(Json.read(file), file);
        } catch (IOException | JsonException e) {
            throw new UserError(file + ": cannot read (" + e.getMessage() + ")", "give a model directory written by 'train'");
        }
    }

    static Map<String, String> labels(Path file) {
        Object parsed;
        try {
            parsed = Json.read(file);
        } catch (IOException | JsonException e) {
            throw new UserError(file + ": cannot read the labels (" + e.getMessage().replaceAll("\\s+", " ") + ")",
                    "give a JSON object of node id -> label, e.g. {\"0.attn.q:5\": \"quote detector\"}");
        }
        if (!(parsed instanceof Map<?, ?> m)) {
            throw new UserError(file + " is " + Json.kind(parsed) + ", not an object of node id -> label", "write e.g. {\"0.attn.q:5\": \"quote detector\"}");
        }
        java.util.LinkedHashMap<String, String> out = new java.util.LinkedHashMap<>();
        for (Map.Entry<?, ?> e : m.entrySet()) {
            if (!(e.getValue() instanceof String s)) {
                throw new UserError(file + ": the label of " + e.getKey() + " is " + Json.kind(e.getValue()) + ", not a string", "write labels as strings");
            }
            out.put((String) e.getKey(), s);
        }
        return out;
    }

    /** --prompt as the model's token ids, else the circuit's task's first held-out prompt. */
    private static int[] prompt(Options.Parsed o, CircuitGraph g, ByteLevelBpe bpe, CommandContext ctx) {
        String text;
        if (o.has("--prompt")) {
            text = o.value("--prompt", "");
        } else {
            String task = String.valueOf(g.run().getOrDefault("task", ""));
            Optional<Task> t = PaperTasks.byName(task);
            if (t.isEmpty()) {
                throw new UserError("the circuit's task '" + task + "' is not a paper task, so there is no default prompt", "give --prompt TEXT");
            }
            text = t.get().pairs(Task.Split.HELD_OUT, 1, 0).get(0).promptA();
        }
        int[] ids = bpe.encode(text); // a given prompt's length is checked against the context by AttributionGraph
        int context = g.config().blockSize();
        if (!o.has("--prompt") && ids.length > context) {
            // the task loss cuts long prompts on the left too, so this is the prompt the circuit was pruned on
            ids = java.util.Arrays.copyOfRange(ids, ids.length - context, ids.length);
            ctx.err().println("export: the task's prompt is cut to its last " + context + " tokens (the model's context)");
        }
        return ids;
    }

    private static ByteLevelBpe tokenizer(Path modelDir) {
        Path file = modelDir.resolve(TrainRun.TOKENIZER);
        if (!Files.isRegularFile(file)) {
            throw new UserError(modelDir + " has no " + TrainRun.TOKENIZER, "json export tokenizes the prompt with the model's tokenizer; copy the run's tokenizer.json there");
        }
        try {
            return TokenizerJson.load(file);
        } catch (IOException | IllegalArgumentException e) {
            throw new UserError(file + ": cannot read the tokenizer (" + e.getMessage() + ")", "restore the run's tokenizer.json");
        }
    }

    /**
     * The kept nodes' activations at the prompt's last token under the circuit's mask, so that links carry
     * activation x weight; none (links carry weights) for a resample-ablated circuit, which cannot be replayed.
     */
    private static Map<String, Float> activations(CircuitFiles.Loaded c, Path modelDir, int[] ids, CommandContext ctx) {
        String why = c.whyNotReplayable();
        if (why != null) {
            ctx.err().println("export: " + why + "; links carry plain weights");
            return Map.of();
        }
        Gpt model = ModelDir.model(modelDir);
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
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null && !Files.isDirectory(parent)) directory(parent);
        if (Files.isDirectory(file)) throw new UserError(file + " is a directory", "give a file name for --out, e.g. " + file.resolve("circuit.out"));
        AtomicFiles.write(file, out -> out.write(text.getBytes(StandardCharsets.UTF_8)));
        return file.toString();
    }

    private static boolean sameFile(Path a, Path b) {
        try {
            return Files.exists(b) && Files.isSameFile(a, b);
        } catch (IOException e) {
            return false;
        }
    }
}
