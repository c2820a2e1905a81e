package sparsecircuits.model.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import sparsecircuits.kernels.Kernels;
import sparsecircuits.model.checkpoint.AtomicFiles;
import sparsecircuits.model.checkpoint.CheckpointException;
import sparsecircuits.model.checkpoint.ModelFiles;
import sparsecircuits.model.corpus.Corpus;
import sparsecircuits.model.gpt.Gpt;
import sparsecircuits.model.gpt.GptConfig;
import sparsecircuits.model.json.Json;
import sparsecircuits.model.tokenizer.BpeTrainer;
import sparsecircuits.model.tokenizer.ByteLevelBpe;
import sparsecircuits.model.tokenizer.TokenizerJson;

/** Sets up a run directory for a new run ({@link #start}) or reopens one ({@link #resume}). */
public final class TrainRun {
    /** Characters of training text the tokenizer is trained on. */
    public static final long TOKENIZER_SAMPLE_CHARS = 1_500_000;
    public static final String TOKENIZER = "tokenizer.json";

    private TrainRun() {
    }

    /** The corpus a train config names. */
    public static Corpus corpus(TrainConfig cfg) {
        return "synthetic".equals(cfg.corpus()) ? Corpus.synthetic(cfg.corpusSeed())
                : Corpus.directory(Path.of(cfg.corpus()), 10, cfg.corpusSeed());
    }

    /**
     * A new run in {@code dir}: trains the tokenizer (with {@code singleTokens} forced to single tokens), builds the
     * model with the tokenizer's vocabulary and the run's context, tokenises the data, and writes
     * {@code tokenizer.json}, {@code train-config.json} and {@code config.json}.
     *
     * @param arch         the architecture; its vocabulary size is the tokenizer's target, its block size becomes ctx
     * @param singleTokens strings the tokenizer must keep as one token each, in this order (the order is part of the
     *                     tokenizer): the caller's, e.g. the targets of the tasks it will prune. A resumed run reads
     *                     its saved tokenizer, so only a new run needs them.
     * @param notes        one-line progress notes (tokenizer, data)
     */
    public static Trainer start(Path dir, GptConfig arch, TrainConfig cfg, List<String> singleTokens, Kernels kernels,
                                Consumer<String> notes) {
        if (Files.exists(dir.resolve(Trainer.STATE))) {
            throw new IllegalArgumentException(dir + " already holds a run (" + Trainer.STATE + "): resume it, or train into another directory");
        }
        if (cfg.sparse()) cfg.expansion(arch.dModel()); // refuses a width that is not a multiple of the base width; dense ignores it
        Corpus corpus = corpus(cfg);
        GptConfig c = arch.toBuilder().blockSize(cfg.ctx()).build();
        Gpt model = new Gpt(c, cfg.seed());
        Trainer.checkBudgets(model, cfg);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new CheckpointException(dir + ": cannot create the run directory (" + e.getMessage() + ")", e);
        }
        long t0 = System.nanoTime();
        ByteLevelBpe bpe;
        try {
            bpe = new BpeTrainer(arch.vocabSize(), singleTokens).train(sample(corpus.train(), TOKENIZER_SAMPLE_CHARS));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("tokenizer: " + e.getMessage());
        }
        notes.accept(String.format(java.util.Locale.ROOT, "tokenizer: %d tokens trained on %s in %.1f s",
                bpe.vocabSize(), corpus.describe(), (System.nanoTime() - t0) / 1e9));
        try {
            TokenizerJson.save(bpe, dir.resolve(TOKENIZER));
        } catch (IOException e) {
            throw new CheckpointException(dir.resolve(TOKENIZER) + ": cannot write (" + e.getMessage() + ")", e);
        }
        if (bpe.vocabSize() != c.vocabSize()) model = new Gpt(c.withVocabSize(bpe.vocabSize()), cfg.seed()); // a small corpus ran out of merges
        TokenData data = tokens(corpus, bpe, cfg, notes);
        AtomicFiles.writeString(dir.resolve(Trainer.TRAIN_CONFIG), Json.writePretty(cfg.toJson()) + "\n");
        ModelFiles.save(model, dir);
        return new Trainer(model, cfg, data, kernels, 0);
    }

    /**
     * Reopens a run: config, tokenizer, train-config, then train-state.bin (values, kept sets, moments, step).
     * {@code steps > 0} extends (or shortens) the run's total; the schedule follows the new total.
     */
    public static Trainer resume(Path dir, long steps, Kernels kernels, Consumer<String> notes) {
        Path tc = dir.resolve(Trainer.TRAIN_CONFIG);
        if (!Files.isRegularFile(tc)) {
            throw new CheckpointException(dir + ": no " + Trainer.TRAIN_CONFIG + " here: not a directory a training run wrote");
        }
        TrainConfig cfg;
        ByteLevelBpe bpe;
        try {
            @SuppressWarnings("unchecked")
            Map<String, Object> m = (Map<String, Object>) Json.read(tc);
            cfg = TrainConfig.fromJson(m);
            bpe = TokenizerJson.load(dir.resolve(TOKENIZER));
        } catch (IOException e) {
            throw new CheckpointException(dir + ": cannot read the run (" + e.getMessage() + ")", e);
        } catch (ClassCastException e) {
            throw new CheckpointException(tc + ": not a JSON object");
        }
        if (steps > 0) cfg = cfg.withSteps(steps);
        Gpt model = ModelFiles.load(dir);
        long done = TrainState.load(dir.resolve(Trainer.STATE), model.parameterList(), model.finalLogitsBias());
        if (done >= cfg.steps()) {
            throw new SettingException("steps", dir + " has finished its " + cfg.steps() + " steps: a total above " + done + " trains on");
        }
        AtomicFiles.writeString(tc, Json.writePretty(cfg.toJson()) + "\n");
        TokenData data = tokens(corpus(cfg), bpe, cfg, notes);
        notes.accept("resuming at step " + done + " of " + cfg.steps());
        return new Trainer(model, cfg, data, kernels, done);
    }

    static TokenData tokens(Corpus corpus, ByteLevelBpe bpe, TrainConfig cfg, Consumer<String> notes) {
        long t0 = System.nanoTime();
        TokenData data = TokenData.build(corpus, bpe, cfg.ctx(), cfg.steps(), cfg.batch(),
                (long) cfg.evalBatches() * cfg.batch() * (cfg.ctx() + 1), cfg.seed());
        notes.accept(String.format(java.util.Locale.ROOT, "data: %,d training and %,d validation tokens (%.1f s)",
                data.trainTokens(), data.validationTokens(), (System.nanoTime() - t0) / 1e9));
        return data;
    }

    /** The first documents of a stream up to about {@code chars} characters. */
    static List<String> sample(Iterable<String> docs, long chars) {
        List<String> out = new ArrayList<>();
        long n = 0;
        Iterator<String> it = docs.iterator();
        while (n < chars && it.hasNext()) {
            String d = it.next();
            out.add(d);
            n += d.length();
        }
        return out;
    }
}
