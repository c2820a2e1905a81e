package sparsecircuits.experiment.plan;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import sparsecircuits.model.corpus.CorpusStrings;
import sparsecircuits.model.train.TrainRun;
import sparsecircuits.pruning.tasks.CorpusDisjointTask;
import sparsecircuits.pruning.tasks.PaperTasks;
import sparsecircuits.pruning.tasks.Task;
import sparsecircuits.pruning.tasks.TaskSource;

/**
 * A task as the experiment names it (a paper task or a JSONL file), and what identifies its pairs in a job's inputs.
 * When the models read a directory of real code ({@code disjointFrom}), the task's pairs are those that do not occur
 * in it verbatim (issue 17 §5).
 */
record TaskRef(String given, Optional<Path> disjointFrom) {
    /** The task of an experiment on {@code corpus} (synthetic, a directory or a mix). */
    static TaskRef of(String given, String corpus) {
        return new TaskRef(given, TrainRun.corpusDirectory(corpus));
    }

    Task task() {
        Task t = TaskSource.resolve(given);
        return disjointFrom.isPresent() ? CorpusDisjointTask.of(t, CorpusStrings.ofDirectory(disjointFrom.get())) : t;
    }

    String name() {
        return task().name();
    }

    /** The name, and for a file its SHA-256: an edited file gives its jobs new ids. */
    Map<String, Object> inputs() throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("task", given);
        if (PaperTasks.byName(given).isEmpty()) m.put("file_sha256", sparsecircuits.pruning.circuit.CircuitFiles.sha256(Path.of(given)));
        disjointFrom.ifPresent(d -> m.put("disjoint_from", d.toString()));
        return m;
    }

    static Map<String, Object> inputsOf(TaskRef t) {
        try {
            return t.inputs();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(t.given() + ": cannot read the task file", e);
        }
    }
}
