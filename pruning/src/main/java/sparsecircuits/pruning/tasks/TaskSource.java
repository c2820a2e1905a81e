package sparsecircuits.pruning.tasks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import sparsecircuits.model.tokenizer.ByteLevelBpe;
import sparsecircuits.pruning.loss.TaskLoss;

/** Where a task comes from (a paper task's name or a JSONL file) and its pairs as token sequences for a model. */
public final class TaskSource {
    private TaskSource() {
    }

    /** A paper task by name, else a JSONL file of pairs; anything else is an IllegalArgumentException saying which. */
    public static Task resolve(String nameOrFile) {
        Optional<Task> paper = PaperTasks.byName(nameOrFile);
        if (paper.isPresent()) return paper.get();
        Path file = Path.of(nameOrFile);
        if (!Files.isRegularFile(file)) throw new UnknownTaskException(nameOrFile);
        return JsonlTask.load(file);
    }

    /** A name that is neither a paper task nor a file. */
    public static final class UnknownTaskException extends IllegalArgumentException {
        private final String name;

        UnknownTaskException(String name) {
            super("unknown task '" + name + "' (not a paper task, not a file)");
            this.name = name;
        }

        public String name() {
            return name;
        }
    }

    /**
     * Both splits of a task as the pruner reads them: {@code pairs} training pairs and half as many held-out (at
     * least 2), tokenised, with what was dropped on the way.
     *
     * @param warnings one sentence per kind of dropped pair (a paper task's pairs whose targets share a first token)
     */
    public record Sequences(List<TaskLoss.Sequence> train, List<TaskLoss.Sequence> heldOut, List<String> warnings) {
    }

    /** The held-out pairs for {@code pairs} training pairs. */
    public static int heldOutPairs(int pairs) {
        return Math.max(2, pairs / 2);
    }

    /**
     * The task's training and held-out sequences: a JSONL file's pairs strictly (a target clash is the file's to fix),
     * a paper task's with clashing pairs dropped (rare: two names sharing a first token). Fewer than 2 usable pairs in
     * a split is an IllegalArgumentException.
     */
    public static Sequences sequences(Task task, int pairs, long seed, ByteLevelBpe bpe) {
        List<String> warnings = new java.util.ArrayList<>();
        List<TaskLoss.Sequence> train = split(task, Task.Split.TRAIN, pairs, seed, bpe, warnings);
        List<TaskLoss.Sequence> held = split(task, Task.Split.HELD_OUT, heldOutPairs(pairs), seed, bpe, warnings);
        return new Sequences(train, held, List.copyOf(warnings));
    }

    /** Only the held-out split, {@code pairs} pairs of it (for evaluating a model, which needs no training pairs). */
    public static Sequences heldOut(Task task, int pairs, long seed, ByteLevelBpe bpe) {
        List<String> warnings = new java.util.ArrayList<>();
        List<TaskLoss.Sequence> held = split(task, Task.Split.HELD_OUT, pairs, seed, bpe, warnings);
        return new Sequences(List.of(), held, List.copyOf(warnings));
    }

    private static String kind(String warning) {
        return warning.replaceAll("\\(e\\.g\\..*", "").replaceAll("\\d+", "N");
    }

    private static List<TaskLoss.Sequence> split(Task task, Task.Split split, int n, long seed, ByteLevelBpe bpe, List<String> warnings) {
        List<Pair> pairs = task.pairs(split, n, seed);
        TaskTokens.Tokenized tok = task instanceof JsonlTask ? TaskTokens.tokenize(task.name(), pairs, bpe)
                : TaskTokens.tokenizeSkippingClashes(task.name(), pairs, bpe);
        for (String w : tok.warnings()) { // once per kind of warning (counts and examples aside), not once per split
            if (warnings.stream().noneMatch(x -> kind(x).equals(kind(w)))) warnings.add(w);
        }
        if (tok.pairs().size() < 2) {
            throw new IllegalArgumentException("task " + task.name() + " has fewer than 2 usable " + split.name().toLowerCase(Locale.ROOT)
                    + " pairs; use a task with more pairs");
        }
        return TaskLoss.sequences(tok.pairs());
    }
}
