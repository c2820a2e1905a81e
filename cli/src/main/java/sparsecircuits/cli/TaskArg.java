package sparsecircuits.cli;

import java.util.List;
import sparsecircuits.model.tokenizer.ByteLevelBpe;
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
        } catch (IllegalArgumentException e) {
            throw userError(e);
        }
    }

    /** The library's refusal of a task as one line: an unknown name with a guess at the one meant, or the file's fault. */
    static UserError userError(IllegalArgumentException e) {
        if (e instanceof TaskSource.UnknownTaskException u) {
            List<String> names = PaperTasks.all().stream().map(Task::name).toList();
            String guess = Options.closest(u.name(), names);
            return new UserError(e.getMessage(), (guess != null ? "did you mean '" + guess + "'? " : "")
                    + "see 'sparse-circuits tasks' for the names, or give a .jsonl file");
        }
        return new UserError(e.getMessage(), "fix the task file: one {\"prompt_a\", \"target_a\"[, \"prompt_b\", \"target_b\"]} object a line");
    }

    /** Warnings already shown, so that a task warns once per command, not once per split or model. */
    private static final java.util.Set<String> WARNED = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** A task's training and held-out sequences for a command: warnings on stderr prefixed by {@code who}; too few pairs is a UserError. */
    static TaskSource.Sequences sequences(Task task, int pairs, long seed, ByteLevelBpe bpe, CommandContext ctx, String who) {
        TaskSource.Sequences seqs;
        try {
            seqs = TaskSource.sequences(task, pairs, seed, bpe);
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage(), "give targets whose first tokens differ, or a task with more pairs");
        }
        for (String w : seqs.warnings()) if (WARNED.add(who + "\0" + w)) ctx.err().println(who + ": warning: " + w);
        return seqs;
    }
}
