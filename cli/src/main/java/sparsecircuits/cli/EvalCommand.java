package sparsecircuits.cli;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import sparsecircuits.autograd.graph.Ops;
import sparsecircuits.model.corpus.Corpus;
import sparsecircuits.model.gpt.Gpt;
import sparsecircuits.model.gpt.Hook;
import sparsecircuits.model.json.Json;
import sparsecircuits.model.tokenizer.ByteLevelBpe;
import sparsecircuits.model.train.TokenData;
import sparsecircuits.model.train.TrainConfig;
import sparsecircuits.model.train.TrainRun;
import sparsecircuits.model.checkpoint.ModelFiles;
import sparsecircuits.pruning.loss.TaskLoss;

import sparsecircuits.pruning.tasks.Task;

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
                .option("--corpus", "synthetic|PATH", "the embedded generator or a directory of .py files (default: the run's)")
                .number("--batches", "N", "validation batches (default: the run's eval batches, else 8)", 1, 1e6, "8")
                .number("--batch", "N", "windows per batch (default: the run's batch, else 16)", 1, 4096, "16")
                .number("--ngram-tokens", "N", "training tokens counted for the baselines (default 1000000)", 1000, 1e8, "1000000")
                .option("--task", "NAME|FILE", "instead: task loss and accuracy of the unpruned model on a task's held-out pairs")
                .option("--circuit", "DIR", "with --task (or alone: the circuit's own task): the task loss of a saved circuit, its other nodes ablated as when it was pruned")
                .number("--pairs", "N", "with --task: held-out pairs (default 128)", 1, 1e6, "128")
                .flag("--json", "print one JSON object instead of the table");
    }

    /** SPEC §4.5 task loss (per-sequence mean) and accuracy of the unpruned model on held-out pairs. */
    private static int taskEval(Options.Parsed o, CommandContext ctx, Path dir, Gpt model, ByteLevelBpe bpe) {
        sparsecircuits.pruning.circuit.CircuitFiles.Loaded circuit = null;
        TaskLoss.HookFor hook = TaskLoss.HookFor.fixed(Hook.NONE);
        if (o.has("--circuit")) {
            circuit = sparsecircuits.pruning.circuit.CircuitFiles.load(Path.of(o.value("--circuit", "")), dir.resolve(ModelFiles.WEIGHTS));
            hook = circuitHook(circuit);
        }
        String taskName = o.value("--task", circuit == null ? "" : String.valueOf(circuit.run().get("task")));
        Task task = TasksCommand.resolve(taskName);
        int n = (int) o.number("--pairs", 128);
        var seqs = TasksCommand.sequences(task, Task.Split.HELD_OUT, n, 0, bpe, ctx, "eval");
        var res = TaskLoss.evaluate(model, seqs, Ops.inference(Main.kernels().kernels()).sparseBelow(1.0), hook);
        if (o.has("--json")) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("schema", "sparse-circuits/task-eval/1");
            m.put("model", dir.toString());
            m.put("task", task.name());
            if (circuit != null) m.put("circuit", o.value("--circuit", ""));
            m.put("pairs", (long) seqs.size() / 2);
            m.put("sequences", (long) res.sequences());
            m.put("task_loss", res.loss());
            m.put("accuracy", res.accuracy());
            ctx.out().println(Json.writePretty(m));
        } else {
            ctx.out().printf(Locale.ROOT, "task      %s (%s)%n", task.name(), task.singleTarget() ? "single target" : "binary");
            if (circuit != null) {
                ctx.out().printf(Locale.ROOT, "circuit   %s: %s nodes, %s edges, %s ablation of the rest%n", o.value("--circuit", ""),
                        circuit.json().get("nodes"), circuit.json().get("edges"), circuit.run().getOrDefault("ablation", "mean"));
            }
            ctx.out().printf(Locale.ROOT, "pairs     %d held-out (%d sequences)%n", seqs.size() / 2, res.sequences());
            ctx.out().printf(Locale.ROOT, "loss      %.4f (per-sequence mean, SPEC §4.5)%n", res.loss());
            ctx.out().printf(Locale.ROOT, "accuracy  %.3f%n", res.accuracy());
            if (circuit == null) ctx.out().println(res.loss() <= 0.05 ? "solved (loss ≤ 0.05): circuits can be pruned for it" : "not solved (loss > 0.05)");
        }
        return 0;
    }

    /** The mask of a saved circuit, as when it was pruned. */
    private static TaskLoss.HookFor circuitHook(sparsecircuits.pruning.circuit.CircuitFiles.Loaded c) {
        String why = c.whyNotReplayable();
        if (why != null) throw new UserError(why, "prune it again with --ablation mean or zero");
        var mask = c.mask();
        return TaskLoss.HookFor.fixed(mask);
    }

    @Override
    public void check(Options.Parsed o) {
        ModelDir.require(o, name()); // before the launcher relaunches the JVM
        ModelDir.wholeNumbers(o, "--batches", "--batch", "--ngram-tokens", "--pairs");
    }

    @Override
    public int run(Options.Parsed o, CommandContext ctx) {
        Path dir = ModelDir.require(o, name());
        Gpt model = ModelDir.model(dir);
        ByteLevelBpe bpe = ModelDir.tokenizer(dir, model);
        if (o.has("--task") || o.has("--circuit")) return taskEval(o, ctx, dir, model, bpe);
        TrainConfig tc = ModelDir.trainConfig(dir);
        Corpus corpus = corpus(o.value("--corpus", null), tc);
        int batch = (int) o.number("--batch", tc != null ? tc.batch() : DEFAULT_BATCH);
        int batches = (int) o.number("--batches", tc != null ? tc.evalBatches() : DEFAULT_BATCHES);
        int window = model.config().blockSize() + 1;

        try (ProgressLine progress = new ProgressLine(ctx.err(), ctx.errIsTerminal(), "eval")) {
            progress.step(0, 3, "tokenising the validation split of " + corpus.describe());
            TokenData data;
            try {
                // validation tokens exactly as TokenData.build reads them; the training split is only counted below
                int[] validation = TokenData.read(corpus.validation(), bpe, (long) batches * batch * window);
                data = new TokenData(new int[window + 1], validation, window - 1, 0);
            } catch (IllegalArgumentException e) {
                throw new UserError(e.getMessage(), "evaluate on a larger corpus");
            }
            batches = Math.min(batches, Math.max(1, data.validationWindows() / batch)); // as Trainer.validationLoss
            progress.step(1, 3, "loss on " + batches + " batches of " + batch + " × " + (window - 1) + " tokens");
            Ops ops = new Ops(Main.kernels().kernels(), null);
            double sum = 0;
            for (int i = 0; i < batches; i++) sum += model.loss(data.validationBatch(i, batch), batch, ops, Hook.NONE).item();
            double loss = sum / batches;
            long ngramTokens = (long) o.number("--ngram-tokens", DEFAULT_NGRAM_TOKENS);
            progress.step(2, 3, "unigram and bigram counts of up to " + ngramTokens + " training tokens");
            NGrams ng = NGrams.count(corpus.train(), bpe, ngramTokens);
            double[] base = ng.crossEntropy(data, batches, batch);
            progress.close();
            report(ctx, o.has("--json"), dir, corpus, model, batches, batch, loss, ng.tokens, base);
        }
        return 0;
    }

    private static Corpus corpus(String option, TrainConfig tc) {
        long seed = tc != null ? tc.corpusSeed() : 0;
        try {
            if (option == null) return tc != null ? TrainRun.corpus(tc) : Corpus.synthetic(0);
            return option.equals("synthetic") ? Corpus.synthetic(seed) : Corpus.directory(Path.of(option), 10, seed);
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage(), "give --corpus synthetic or a directory of .py files");
        }
    }

    private static void report(CommandContext ctx, boolean json, Path dir, Corpus corpus, Gpt model, int batches, int batch,
                               double loss, long ngramTokens, double[] base) {
        int v = model.config().vocabSize(), t = model.config().blockSize();
        long predicted = (long) batches * batch * t;
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("schema", "sparse-circuits/eval/1");
            m.put("model", dir.toString());
            m.put("corpus", corpus.describe());
            m.put("batches", batches);
            m.put("batch", batch);
            m.put("ctx", t);
            m.put("predicted_tokens", predicted);
            m.put("loss", loss);
            m.put("unigram_entropy", base[0]);
            m.put("bigram_entropy", base[1]);
            m.put("uniform_entropy", Math.log(v));
            m.put("ngram_train_tokens", ngramTokens);
            ctx.out().println(Json.writePretty(m));
            return;
        }
        var out = ctx.out();
        out.printf(Locale.ROOT, "model     %s (%d layers, d_model %d, vocab %d, context %d)%n", dir,
                model.config().nLayer(), model.config().dModel(), v, t);
        out.printf(Locale.ROOT, "data      validation split of %s: %d batches × %d windows, %,d predicted tokens%n",
                corpus.describe(), batches, batch, predicted);
        out.printf(Locale.ROOT, "loss      %.4f nats/token (perplexity %.2f)%n", loss, Math.exp(loss));
        out.printf(Locale.ROOT, "bigram    %.4f   add-one counts of %,d training tokens%n", base[1], ngramTokens);
        out.printf(Locale.ROOT, "unigram   %.4f   add-one counts of %,d training tokens%n", base[0], ngramTokens);
        out.printf(Locale.ROOT, "uniform   %.4f   ln(vocab)%n", Math.log(v));
        double gain = base[1] - loss;
        out.printf(Locale.ROOT, "%s%n", gain > 0
                ? String.format(Locale.ROOT, "the model beats the bigram baseline by %.4f nats/token", gain)
                : String.format(Locale.ROOT, "the model does not beat the bigram baseline (%.4f nats/token worse)", -gain));
    }

    /** Unigram and bigram counts of a token stream (documents joined by <|endoftext|>, as training sees them). */
    static final class NGrams {
        final int vocab;
        final long[] unigram, predecessor;
        final Map<Long, Long> bigram = new HashMap<>();
        long tokens;

        private NGrams(int vocab) {
            this.vocab = vocab;
            this.unigram = new long[vocab];
            this.predecessor = new long[vocab];
        }

        static NGrams count(Iterable<String> docs, ByteLevelBpe bpe, long limit) {
            int v = bpe.vocabSize(), eot = bpe.endOfTextId();
            NGrams ng = new NGrams(v);
            int prev = -1;
            for (Iterator<String> it = docs.iterator(); ng.tokens < limit && it.hasNext(); ) {
                int[] ids = bpe.encode(it.next());
                for (int i = 0; i <= ids.length && ng.tokens < limit; i++, ng.tokens++) {
                    int t = i < ids.length ? ids[i] : eot;
                    ng.unigram[t]++;
                    if (prev >= 0) {
                        ng.predecessor[prev]++;
                        ng.bigram.merge((long) prev * v + t, 1L, Long::sum);
                    }
                    prev = t;
                }
            }
            return ng;
        }

        /** Mean add-one cross-entropy {unigram, bigram} on exactly the targets the model's loss predicts. */
        double[] crossEntropy(TokenData data, int batches, int batch) {
            double uni = 0, bi = 0;
            long n = 0;
            for (int i = 0; i < batches; i++) {
                int[] w = data.validationBatch(i, batch);
                int len = w.length / batch;
                for (int b = 0; b < batch; b++) {
                    for (int j = b * len + 1; j < (b + 1) * len; j++) {
                        int p = w[j - 1], t = w[j];
                        uni -= Math.log((unigram[t] + 1.0) / (tokens + vocab));
                        bi -= Math.log((bigram.getOrDefault((long) p * vocab + t, 0L) + 1.0) / (predecessor[p] + vocab));
                        n++;
                    }
                }
            }
            return new double[] {uni / n, bi / n};
        }
    }
}
