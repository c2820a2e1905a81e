package sparsecircuits.cli;

import java.util.List;
import sparsecircuits.pruning.tasks.PaperTasks;
import sparsecircuits.pruning.tasks.Task;
import sparsecircuits.pruning.tasks.TaskSource;

/** A {@code --task NAME|FILE} argument: the library resolves it; a bad one is one line with a guess at the name meant. */
final class TaskArg {
    private TaskArg() {
    }

    static Task resolve(String nameOrFile) {
        try {
            return TaskSource.resolve(nameOrFile);
        } catch (TaskSource.UnknownTaskException e) {
            List<String> names = PaperTasks.all().stream().map(Task::name).toList();
            String guess = Options.closest(nameOrFile, names);
            throw new UserError(e.getMessage(), (guess != null ? "did you mean '" + guess + "'? " : "")
                    + "see 'sparse-circuits tasks' for the names, or give a .jsonl file");
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage(), "fix the task file: one {\"prompt_a\", \"target_a\"[, \"prompt_b\", \"target_b\"]} object a line");
        }
    }
}
