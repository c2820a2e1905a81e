package sparsecircuits.cli;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import sparsecircuits.model.checkpoint.ModelDirectory;
import sparsecircuits.model.corpus.SyntheticPython;
import sparsecircuits.model.tokenizer.BpeTrainer;
import sparsecircuits.model.tokenizer.ByteLevelBpe;
import sparsecircuits.pruning.loss.TaskLoss;
import sparsecircuits.pruning.tasks.JsonlTask;
import sparsecircuits.pruning.tasks.PaperTaskTargets;
import sparsecircuits.pruning.tasks.PaperTasks;
import sparsecircuits.pruning.tasks.Pair;
import sparsecircuits.pruning.tasks.Task;
import sparsecircuits.pruning.tasks.TaskSource;
import sparsecircuits.pruning.tasks.TaskTokens;

/**
 * {@code tasks}: the task suite. Without {@code --task} it lists the paper's 20 tasks; with {@code --task NAME|FILE}
 * it shows a few pairs, tokenised. Options take no positional words, so it is {@code tasks --task NAME}, not
 * {@code tasks show NAME}.
 */
final class TasksCommand implements Command {
    static final int QUICK_VOCAB = 512;
    static final long QUICK_CORPUS_CHARS = 1_500_000;

    @Override
    public String name() {
        return "tasks";
    }

    @Override
    public String summary() {
        return "list the paper's tasks, or show a task's pairs tokenised";
    }

    @Override
    public String usageArgs() {
        return "[list | show NAME|FILE] " + Command.super.usageArgs();
    }

    /** {@code tasks list} is {@code tasks}; {@code tasks show X} is {@code tasks --task X}. */
    @Override
    public List<String> words(List<String> args) {
        if (args.isEmpty()) return args;
        if (args.get(0).equals("list")) return args.subList(1, args.size());
        if (args.get(0).equals("show")) {
            if (args.size() < 2 || args.get(1).startsWith("--")) throw new UserError("tasks show needs a task", "write e.g. tasks show single_double_quote");
            List<String> out = new java.util.ArrayList<>(List.of("--task", args.get(1)));
            out.addAll(args.subList(2, args.size()));
            return out;
        }
        return args;
    }

    @Override
    public String description() {
        return "'tasks list' (or no --task): lists the 20 tasks of the paper (name, binary or single-target, what each tests).\n"
                + "'tasks show NAME|FILE' is 'tasks --task NAME|FILE'.\n"
                + "With --task: shows --count pairs of the task's training split (a paper task's name, or a .jsonl file with one\n"
                + "{\"prompt_a\", \"target_a\", \"prompt_b\", \"target_b\"} object a line), each prompt with its tokens and the\n"
                + "two target tokens (the first token of each target string). With --model the model's tokenizer.json is used;\n"
                + "without, a tokenizer trained on the spot (vocab 512, 1.5 MB of the synthetic corpus), which the output says.";
    }

    @Override
    public Options options() {
        return new Options(name())
                .option("--task", "NAME|FILE", "the task to show: a paper task's name or a .jsonl file (default: list the tasks)")
                .option("--model", "DIR", "tokenise with this model directory's tokenizer.json")
                .number("--count", "N", "pairs to show (default 3)", 1, 1000, "3")
                .number("--seed", "S", "the task's seed (default 0)", 0, 1e15, "0");
    }

    @Override
    public void check(Options.Parsed o) {
        if (!o.has("--task")) {
            for (String n : List.of("--model", "--count", "--seed")) {
                if (o.has(n)) throw new UserError(n + " needs --task", "give --task NAME|FILE, or drop " + n + " to list the tasks");
            }
        }
        if (o.has("--model")) ModelDir.require(o, name());
        ModelDir.wholeNumbers(o, "--count", "--seed");
    }

    @Override
    public int run(Options.Parsed o, CommandContext ctx) {
        if (!o.has("--task")) {
            list(ctx.out());
            return 0;
        }
        Task task = TaskArg.resolve(o.value("--task", ""));
        int count = (int) o.number("--count", 3);
        long seed = (long) o.number("--seed", 0);
        ByteLevelBpe bpe;
        String source;
        if (o.has("--model")) {
            Path dir = ModelDir.require(o, name());
            bpe = ModelDirectory.tokenizer(dir, ModelDirectory.model(dir));
            source = dir.resolve("tokenizer.json").toString();
        } else {
            // about a second; no progress line, so that a bad task file still gives exactly one line on stderr
            bpe = new BpeTrainer(QUICK_VOCAB, PaperTaskTargets.all()).train(SyntheticPython.documentsOfAtLeast(0, QUICK_CORPUS_CHARS));
            source = "a tokenizer trained now (vocab " + QUICK_VOCAB + ", 1.5 MB of the synthetic corpus, seed 0), not a model's: give --model DIR for that";
        }
        List<Pair> pairs = task.pairs(Task.Split.TRAIN, count, seed);
        TaskTokens.Tokenized tok;
        try {
            // a generated task's per-pair targets may clash in a small vocabulary: drop those; a file's pairs are the user's
            tok = task instanceof JsonlTask ? TaskTokens.tokenize(task.name(), pairs, bpe)
                    : TaskTokens.tokenizeSkippingClashes(task.name(), pairs, bpe);
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage(), "give the two targets of every pair different first tokens");
        }
        show(ctx.out(), task, seed, source, pairs, tok, bpe);
        return 0;
    }

    private static void list(PrintStream out) {
        int width = PaperTasks.all().stream().mapToInt(t -> t.name().length()).max().orElse(0);
        for (Task t : PaperTasks.all()) {
            out.println(Options.pad(t.name(), width) + "  " + Options.pad(t.singleTarget() ? "single" : "binary", 6) + "  " + t.description());
        }
        out.println();
        out.println("Custom tasks: a .jsonl file, one pair a line; see 'sparse-circuits tasks --help'.");
    }

    private static void show(PrintStream out, Task task, long seed, String source, List<Pair> pairs, TaskTokens.Tokenized tok,
                             ByteLevelBpe bpe) {
        out.printf(Locale.ROOT, "task       %s (%s): %s%n", task.name(), task.singleTarget() ? "single-target" : "binary", task.description());
        out.printf(Locale.ROOT, "tokenizer  %s%n", source);
        out.printf(Locale.ROOT, "pairs      %d of the training split, seed %d%n", pairs.size(), seed);
        for (String w : tok.warnings()) out.println("warning    " + w);
        int i = 0;
        for (TaskTokens.TokenPair tp : tok.pairs()) {
            out.printf(Locale.ROOT, "%npair %d%n", ++i);
            side(out, "A", tp.promptA(), tp.targetA(), bpe);
            if (!tp.singleTarget()) side(out, "B", tp.promptB(), tp.targetB(), bpe);
        }
    }

    private static void side(PrintStream out, String label, int[] prompt, int target, ByteLevelBpe bpe) {
        out.printf(Locale.ROOT, "  %s prompt  %s%n", label, TaskTokens.show(bpe.decode(prompt)));
        out.printf(Locale.ROOT, "    tokens  %d: %s%n", prompt.length, TaskTokens.tokens(prompt, bpe));
        out.printf(Locale.ROOT, "    target  token %d %s%n", target, TaskTokens.show(bpe.decode(new int[] {target})));
    }
}
