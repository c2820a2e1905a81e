package sparsecircuits.cli;

import java.nio.file.Path;
import java.util.Locale;
import sparsecircuits.model.checkpoint.ModelDirectory;
import sparsecircuits.model.corpus.Corpus;
import sparsecircuits.model.gpt.Gpt;
import sparsecircuits.model.json.Json;
import sparsecircuits.model.tokenizer.ByteLevelBpe;
import sparsecircuits.model.train.TrainConfig;
import sparsecircuits.model.train.TrainRun;
import sparsecircuits.model.train.ValidationReport;
import sparsecircuits.model.checkpoint.ModelFiles;
import sparsecircuits.pruning.circuit.CircuitFiles;
import sparsecircuits.pruning.circuit.CircuitRun;
import sparsecircuits.pruning.tasks.PaperTasks;
import sparsecircuits.pruning.tasks.Task;
import sparsecircuits.pruning.tasks.TaskEvaluation;
import sparsecircuits.pruning.tasks.TaskSource;

/** {@code eval}: validation loss of a checkpoint, beside unigram and bigram baselines on the same tokens. */
final class EvalCommand implements Command {
    static final int DEFAULT_BATCHES = 8, DEFAULT_BATCH = 16, DEFAULT_NGRAM_TOKENS = 1_000_000;

    @Override
    public String name() {
        return "eval";
    }

    @Override
    public String summary() {
        return "validation loss of a model, beside unigram and bigram baselines";
    }

    @Override
    public String description() {
        return "Computes the mean next-token cross-entropy (nats/token) of the model on the validation split of the\n"
                + "corpus: windows of block-size+1 tokens from the start of the split, as 'train' validates (with the\n"
                + "run's corpus, batch and eval batches this is the run's last validation loss).\n"
                + "The corpus defaults to the one in the directory's train-config.json, else the synthetic corpus, seed 0.\n"
                + "\n"
                + "For scale it also prints the cross-entropy of a unigram and a bigram model on the same predicted tokens.\n"
                + "Their counts come from the training split (the first --ngram-tokens tokens), with add-one smoothing,\n"
                + "so they are honest held-out baselines: a model that does not beat the bigram line has learned little\n"
                + "beyond token pair statistics. ln(vocab) is the loss of a uniform guess.";
    }

    @Override
    public Options options() {
        return new Options(name())
                .option("--model", "DIR", "the model directory (config.json, model.safetensors, tokenizer.json; required)")
                .option("--corpus", CorpusArg.VALUE, CorpusArg.HELP + " (default: the run's)")
                .number("--batches", "N", "validation batches (default: the run's eval batches, else 8)", 1, 1e6, "8")
                .number("--batch", "N", "windows per batch (default: the run's batch, else 16)", 1, 4096, "16")
                .number("--ngram-tokens", "N", "training tokens counted for the baselines (default 1000000)", 1000, 1e8, "1000000")
                .option("--task", "NAME|FILE", "instead: task loss and accuracy of the unpruned model on a task's held-out pairs")
                .option("--circuit", "DIR", "with --task (or alone: the circuit's own task): the task loss of a saved circuit, its other nodes ablated as when it was pruned")
                .number("--pairs", "N", "with --task: held-out pairs (default 128)", 1, 1e6, "128")
                .flag("--json", "print one JSON object instead of the table");
    }

    @Override
    public void check(Options.Parsed o) {
        ModelDir.require(o, name()); // before the launcher relaunches the JVM
        ModelDir.wholeNumbers(o, "--batches", "--batch", "--ngram-tokens", "--pairs");
    }

    @Override
    public int run(Options.Parsed o, CommandContext ctx) {
        Path dir = ModelDir.require(o, name());
        Gpt model = ModelDirectory.model(dir);
        ByteLevelBpe bpe = ModelDirectory.tokenizer(dir, model);
        if (o.has("--task") || o.has("--circuit")) return taskEval(o, ctx, dir, model, bpe);
        TrainConfig tc = ModelDirectory.trainConfig(dir);
        Corpus corpus = corpus(o.value("--corpus", null), tc);
        int batch = (int) o.number("--batch", tc != null ? tc.batch() : DEFAULT_BATCH);
        int batches = (int) o.number("--batches", tc != null ? tc.evalBatches() : DEFAULT_BATCHES);
        long ngramTokens = (long) o.number("--ngram-tokens", DEFAULT_NGRAM_TOKENS);
        ValidationReport r;
        try (ProgressLine progress = new ProgressLine(ctx.err(), ctx.errIsTerminal(), "eval")) {
            r = ValidationReport.measure(model, bpe, corpus, batches, batch, ngramTokens, Main.kernels().kernels(), progress::step);
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage(), "evaluate on a larger --corpus");
        }
        if (o.has("--json")) {
            ctx.out().println(Json.writePretty(r.toJson(dir.toString())));
        } else {
            text(ctx, dir, model, r);
        }
        return 0;
    }

    /** Task loss and accuracy of the unpruned model, or of a saved circuit, on held-out pairs. */
    private static int taskEval(Options.Parsed o, CommandContext ctx, Path dir, Gpt model, ByteLevelBpe bpe) {
        CircuitFiles.Loaded circuit = null;
        if (o.has("--circuit")) {
            circuit = CircuitFiles.load(Path.of(o.value("--circuit", "")), dir.resolve(ModelFiles.WEIGHTS));
            String why = circuit.whyNotReplayable();
            if (why != null) throw new UserError(why, "prune it again with --ablation mean or zero");
        }
        Task task = task(o.value("--task", circuit == null ? "" : CircuitRun.task(circuit.run())));
        TaskEvaluation r;
        try {
            r = TaskEvaluation.of(model, bpe, task, (int) o.number("--pairs", 128), circuit == null ? null : circuit.mask(), Main.kernels().kernels());
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage(), "give targets whose first tokens differ, or a task with more pairs");
        }
        for (String w : r.warnings()) ctx.err().println("eval: warning: " + w);
        if (o.has("--json")) {
            ctx.out().println(Json.writePretty(r.toJson(dir.toString(), circuit == null ? null : o.value("--circuit", ""))));
            return 0;
        }
        var out = ctx.out();
        out.printf(Locale.ROOT, "task      %s (%s)%n", r.task(), r.singleTarget() ? "single target" : "binary");
        if (circuit != null) {
            out.printf(Locale.ROOT, "circuit   %s: %s nodes, %s edges, %s ablation of the rest%n", o.value("--circuit", ""),
                    circuit.nodes(), circuit.edges(), circuit.ablation().name().toLowerCase(Locale.ROOT));
        }
        out.printf(Locale.ROOT, "pairs     %d held-out (%d sequences)%n", r.pairs(), r.sequences());
        out.printf(Locale.ROOT, "loss      %.4f (per-sequence mean, SPEC §4.5)%n", r.loss());
        out.printf(Locale.ROOT, "accuracy  %.3f%n", r.accuracy());
        if (circuit == null) {
            out.println(r.solved() ? String.format(Locale.ROOT, "solved (loss ≤ %s): circuits can be pruned for it", TaskEvaluation.SOLVED_BELOW)
                    : String.format(Locale.ROOT, "not solved (loss > %s)", TaskEvaluation.SOLVED_BELOW));
        }
        return 0;
    }

    /** The --task (or the circuit's task): a paper task's name or a .jsonl file. */
    private static Task task(String nameOrFile) {
        try {
            return TaskSource.resolve(nameOrFile);
        } catch (TaskSource.UnknownTaskException e) {
            String guess = Options.closest(nameOrFile, PaperTasks.all().stream().map(Task::name).toList());
            throw new UserError(e.getMessage(), (guess != null ? "did you mean '" + guess + "'? " : "")
                    + "see 'sparse-circuits tasks' for the names, or give a .jsonl file");
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage(), "fix the task file: one {\"prompt_a\", \"target_a\"[, \"prompt_b\", \"target_b\"]} object a line");
        }
    }

    private static Corpus corpus(String option, TrainConfig tc) {
        long seed = tc != null ? tc.corpusSeed() : 0;
        try {
            if (option == null) return tc != null ? TrainRun.corpus(tc) : Corpus.synthetic(0);
            TrainRun.checkCorpus(option);
            return TrainRun.corpus(TrainConfig.defaults().toBuilder().corpus(CorpusArg.absolute(option)).corpusSeed(seed).build());
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage(), "give --corpus " + CorpusArg.VALUE);
        }
    }

    private static void text(CommandContext ctx, Path dir, Gpt model, ValidationReport r) {
        var out = ctx.out();
        out.printf(Locale.ROOT, "model     %s (%d layers, d_model %d, vocab %d, context %d)%n", dir,
                model.config().nLayer(), model.config().dModel(), r.vocab(), r.context());
        out.printf(Locale.ROOT, "data      validation split of %s: %d batches × %d windows, %,d predicted tokens%n",
                r.corpus(), r.batches(), r.batch(), r.predictedTokens());
        out.printf(Locale.ROOT, "loss      %.4f nats/token (perplexity %.2f)%n", r.loss(), Math.exp(r.loss()));
        out.printf(Locale.ROOT, "bigram    %.4f   add-one counts of %,d training tokens%n", r.bigram(), r.ngramTokens());
        out.printf(Locale.ROOT, "unigram   %.4f   add-one counts of %,d training tokens%n", r.unigram(), r.ngramTokens());
        out.printf(Locale.ROOT, "uniform   %.4f   ln(vocab)%n", r.uniform());
        double gain = r.bigram() - r.loss();
        out.printf(Locale.ROOT, "%s%n", gain > 0
                ? String.format(Locale.ROOT, "the model beats the bigram baseline by %.4f nats/token", gain)
                : String.format(Locale.ROOT, "the model does not beat the bigram baseline (%.4f nats/token worse)", -gain));
    }
}
