package sparsecircuits.model.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
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

    /** The corpus string of a mix: {@code mix:DIR:SHARE}, SHARE the share of characters from DIR. */
    public static final String MIX_PREFIX = "mix:";

    /** A parsed {@code mix:DIR:SHARE}. */
    public record MixSpec(Path dir, double share) {
        /** The corpus string of this mix. */
        public String corpus() {
            return MIX_PREFIX + dir + ":" + share;
        }
    }

    /**
     * The corpus a train config names: {@code synthetic}, a directory of {@code .py} files, or {@code mix:DIR:SHARE}
     * (the directory's documents interleaved with synthetic ones, SHARE of the characters from the directory; see
     * {@link Corpus#mixed}).
     */
    public static Corpus corpus(TrainConfig cfg) {
        String c = cfg.corpus();
        if ("synthetic".equals(c)) return Corpus.synthetic(cfg.corpusSeed());
        if (c.startsWith(MIX_PREFIX)) {
            MixSpec m = parseMix(c);
            return Corpus.mixed(Corpus.directory(m.dir(), 10, cfg.corpusSeed()), Corpus.synthetic(cfg.corpusSeed()), m.share());
        }
        return Corpus.directory(Path.of(c), 10, cfg.corpusSeed());
    }

    /** The directory of real code a corpus string reads ({@code DIR} or {@code mix:DIR:SHARE}); empty for synthetic. */
    public static java.util.Optional<Path> corpusDirectory(String corpus) {
        if ("synthetic".equals(corpus)) return java.util.Optional.empty();
        return java.util.Optional.of(corpus.startsWith(MIX_PREFIX) ? parseMix(corpus).dir() : Path.of(corpus));
    }

    /**
     * Checks a corpus string before any work, without reading the documents: {@code synthetic}; a directory that exists
     * and holds at least one {@code .py} file; or {@code mix:DIR:SHARE} with such a directory and a share strictly
     * between 0 and 1 (DIR may contain ':': the share follows the last one).
     *
     * @throws SettingException for the setting {@code "corpus"}, saying what is wrong and how to write it
     */
    public static void checkCorpus(String corpus) {
        if (corpus == null || corpus.isBlank()) {
            throw new SettingException("corpus", "no corpus given: use 'synthetic', a directory of .py files, or "
                    + MIX_PREFIX + "DIR:SHARE");
        }
        corpusDirectory(corpus).ifPresent(TrainRun::checkDirectory);
    }

    /**
     * Splits {@code mix:DIR:SHARE} on its last ':' and checks the share (not the directory).
     *
     * @throws SettingException for the setting {@code "corpus"} when the share or the directory is missing or wrong
     */
    public static MixSpec parseMix(String corpus) {
        String rest = corpus.substring(MIX_PREFIX.length());
        int colon = rest.lastIndexOf(':');
        String example = " (e.g. " + MIX_PREFIX + "/usr/lib/python3.11:0.5)";
        if (colon < 0) {
            throw new SettingException("corpus", "corpus '" + corpus + "' has no share: write " + MIX_PREFIX + "DIR:SHARE" + example);
        }
        String dir = rest.substring(0, colon), shareText = rest.substring(colon + 1).strip();
        if (dir.isBlank()) {
            throw new SettingException("corpus", "corpus '" + corpus + "' names no directory: write " + MIX_PREFIX + "DIR:SHARE" + example);
        }
        double share;
        try {
            share = Double.parseDouble(shareText);
        } catch (NumberFormatException e) {
            throw new SettingException("corpus", "the share '" + shareText + "' of corpus '" + corpus
                    + "' is not a number: write a share of the characters from DIR between 0 and 1" + example);
        }
        if (!(share > 0 && share < 1)) {
            throw new SettingException("corpus", "the share " + shareText + " of corpus '" + corpus
                    + "' must be strictly between 0 and 1: use the directory alone for 1, or 'synthetic' for 0");
        }
        return new MixSpec(Path.of(dir), share);
    }

    private static void checkDirectory(Path dir) {
        if (!Files.exists(dir)) {
            throw new SettingException("corpus", "corpus directory " + dir + " does not exist: give a directory of .py files, or 'synthetic'");
        }
        if (!Files.isDirectory(dir)) {
            throw new SettingException("corpus", "corpus directory " + dir + " is not a directory: give a directory of .py files, or 'synthetic'");
        }
        boolean anyPython;
        try (Stream<Path> files = Files.walk(dir)) { // lazy: stops at the first .py file
            anyPython = files.anyMatch(p -> p.getFileName() != null && p.getFileName().toString().endsWith(".py")
                    && Files.isRegularFile(p));
        } catch (IOException | UncheckedIOException e) {
            throw new SettingException("corpus", "corpus directory " + dir + " cannot be listed (" + e.getMessage()
                    + "): give a readable directory of .py files, or 'synthetic'");
        }
        if (!anyPython) {
            throw new SettingException("corpus", "corpus directory " + dir + " holds no .py file: give a directory of .py files, or 'synthetic'");
        }
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
