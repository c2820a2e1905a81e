package sparsecircuits.model.train;

import java.util.LinkedHashMap;
import java.util.Map;
import sparsecircuits.autograd.graph.Ops;
import sparsecircuits.kernels.Kernels;
import sparsecircuits.model.corpus.Corpus;
import sparsecircuits.model.gpt.Gpt;
import sparsecircuits.model.gpt.Hook;
import sparsecircuits.model.tokenizer.ByteLevelBpe;

/**
 * A model's mean next-token cross-entropy (nats/token) on the validation split of a corpus, read as training validates
 * (windows of context + 1 tokens from the start of the split), beside unigram and bigram baselines counted on the
 * training split ({@link NGramBaseline}) and ln(vocab), the loss of a uniform guess.
 *
 * @param corpus      where the documents come from ({@link Corpus#describe()})
 * @param batches     validation batches read (at most as many as the split holds)
 * @param batch       windows per batch
 * @param context     the model's context: tokens predicted per window
 * @param vocab       the model's vocabulary
 * @param ngramTokens training tokens the baselines counted
 */
public record ValidationReport(String corpus, int batches, int batch, int context, int vocab, double loss, double unigram, double bigram,
                               long ngramTokens) {
    public static final String SCHEMA = "sparse-circuits/eval/1";

    /** Steps of {@link #measure}, as they start: {@code index} of {@code total}. */
    public interface Progress {
        void step(int index, int total, String what);
    }

    /** Tokens whose prediction the loss averages. */
    public long predictedTokens() {
        return (long) batches * batch * context;
    }

    /** ln(vocab): the loss of a uniform guess. */
    public double uniform() {
        return Math.log(vocab);
    }

    /**
     * Measures it: {@code batches} batches of {@code batch} validation windows (fewer when the split is shorter), the
     * baselines from the first {@code ngramTokens} training tokens.
     *
     * @throws IllegalArgumentException when the validation split is shorter than one window
     */
    public static ValidationReport measure(Gpt model, ByteLevelBpe bpe, Corpus corpus, int batches, int batch, long ngramTokens,
                                           Kernels kernels, Progress progress) {
        int window = model.config().blockSize() + 1;
        progress.step(0, 3, "tokenising the validation split of " + corpus.describe());
        // validation tokens exactly as TokenData.build reads them; the training split is only counted below
        int[] validation = TokenData.read(corpus.validation(), bpe, (long) batches * batch * window);
        if (validation.length < window) {
            throw new IllegalArgumentException("the validation split of " + corpus.describe() + " has " + validation.length
                    + " tokens, fewer than one window of " + window + " (the model's context + 1)");
        }
        TokenData data = new TokenData(new int[window + 1], validation, window - 1, 0);
        int read = Math.min(batches, Math.max(1, data.validationWindows() / batch)); // as Trainer.validationLoss
        progress.step(1, 3, "loss on " + read + " batches of " + batch + " × " + (window - 1) + " tokens");
        Ops ops = new Ops(kernels, null);
        double sum = 0;
        for (int i = 0; i < read; i++) sum += model.loss(data.validationBatch(i, batch), batch, ops, Hook.NONE).item();
        progress.step(2, 3, "unigram and bigram counts of up to " + ngramTokens + " training tokens");
        NGramBaseline ng = NGramBaseline.count(corpus.train(), bpe, ngramTokens);
        double[] base = ng.crossEntropy(data, read, batch);
        return new ValidationReport(corpus.describe(), read, batch, window - 1, model.config().vocabSize(), sum / read, base[0], base[1], ng.tokens());
    }

    /** As JSON (schema {@value #SCHEMA}); {@code model} names the model directory. */
    public Map<String, Object> toJson(String model) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("schema", SCHEMA);
        m.put("model", model);
        m.put("corpus", corpus);
        m.put("batches", batches);
        m.put("batch", batch);
        m.put("ctx", context);
        m.put("predicted_tokens", predictedTokens());
        m.put("loss", loss);
        m.put("unigram_entropy", unigram);
        m.put("bigram_entropy", bigram);
        m.put("uniform_entropy", uniform());
        m.put("ngram_train_tokens", ngramTokens);
        return m;
    }
}
