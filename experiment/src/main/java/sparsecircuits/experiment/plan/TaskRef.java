package sparsecircuits.experiment.plan;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import sparsecircuits.pruning.tasks.PaperTasks;
import sparsecircuits.pruning.tasks.Task;
import sparsecircuits.pruning.tasks.TaskSource;

/** A task as the experiment names it (a paper task or a JSONL file), and what identifies its pairs in a job's inputs. */
record TaskRef(String given) {
    Task task() {
        return TaskSource.resolve(given);
    }

    String name() {
        return task().name();
    }

    /** The name, and for a file its SHA-256: an edited file gives its jobs new ids. */
    Map<String, Object> inputs() throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("task", given);
        if (PaperTasks.byName(given).isEmpty()) m.put("file_sha256", sparsecircuits.pruning.circuit.CircuitFiles.sha256(Path.of(given)));
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
