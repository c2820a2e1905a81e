package sparsecircuits.present.export;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import sparsecircuits.model.checkpoint.AtomicFiles;
import sparsecircuits.model.json.Json;
import sparsecircuits.model.json.JsonException;
import sparsecircuits.model.tokenizer.ByteLevelBpe;
import sparsecircuits.pruning.tasks.PaperTasks;
import sparsecircuits.pruning.tasks.Task;

/**
 * The attribution-graph export on disk: its default prompt, its name, and the graph written beside the
 * {@code graph-metadata.json} index circuit-tracer's local frontend serves a directory from.
 */
public final class GraphFiles {
    /** The index of the graphs in a directory (circuit-tracer's {@code start-server --graph_file_dir DIR}). */
    public static final String INDEX = "graph-metadata.json";

    private GraphFiles() {
    }

    /**
     * A prompt as the model's token ids.
     *
     * @param cut tokens dropped on the left to fit the model's context (0 when it fits)
     */
    public record Prompt(int[] ids, int cut) {
    }

    /**
     * The default prompt of a circuit's graph: its task's first held-out prompt, cut on the left to the model's context
     * as the task loss cuts long prompts (so it is a prompt the circuit was pruned on).
     *
     * @throws IllegalArgumentException when the task is not a paper task (a task file is not at hand to take one from)
     */
    public static Prompt defaultPrompt(String task, ByteLevelBpe bpe, int context) {
        Optional<Task> t = PaperTasks.byName(task);
        if (t.isEmpty()) throw new IllegalArgumentException("the circuit's task '" + task + "' is not a paper task, so there is no default prompt");
        int[] ids = bpe.encode(t.get().pairs(Task.Split.HELD_OUT, 1, 0).get(0).promptA());
        if (ids.length <= context) return new Prompt(ids, 0);
        return new Prompt(Arrays.copyOfRange(ids, ids.length - context, ids.length), ids.length - context);
    }

    /** The slug of a graph ({@link AttributionGraph#graph}): its name, and the file name {@code <slug>.json} the frontend loads. */
    public static String slug(Map<String, Object> graph) {
        return String.valueOf(((Map<?, ?>) graph.get("metadata")).get("slug"));
    }

    /**
     * Writes {@code graph} to {@code file} and adds it to the {@value #INDEX} beside it (replacing a graph of the same
     * slug), both atomically.
     *
     * @return the index file
     * @throws IllegalArgumentException naming the index when the one there cannot be read or is not an index (nothing is written)
     */
    public static Path write(Map<String, Object> graph, Path file) {
        Path indexFile = file.toAbsolutePath().getParent().resolve(INDEX);
        Map<String, Object> index;
        try {
            index = AttributionGraph.index(Files.isRegularFile(indexFile) ? Json.read(indexFile) : null, graph);
        } catch (IOException | JsonException | IllegalArgumentException e) {
            throw new IllegalArgumentException(indexFile + ": cannot add the graph (" + e.getMessage().replaceAll("\\s+", " ") + ")", e);
        }
        write(file, Json.write(graph));
        write(indexFile, Json.writePretty(index) + "\n");
        return indexFile;
    }

    private static void write(Path file, String text) {
        AtomicFiles.write(file, out -> out.write(text.getBytes(StandardCharsets.UTF_8)));
    }
}
