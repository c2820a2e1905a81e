package sparsecircuits.model.train;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import sparsecircuits.model.tokenizer.ByteLevelBpe;

/**
 * Unigram and bigram counts of a token stream (documents joined by {@code <|endoftext|>}, as training sees them), and
 * their add-one cross-entropy on validation windows: the scale a model's loss is read against (a model that does not
 * beat the bigram has learned little beyond token pair statistics).
 */
public final class NGramBaseline {
    private final int vocab;
    private final long[] unigram, predecessor;
    private final Map<Long, Long> bigram = new HashMap<>();
    private long tokens;

    private NGramBaseline(int vocab) {
        this.vocab = vocab;
        this.unigram = new long[vocab];
        this.predecessor = new long[vocab];
    }

    /** Counts the first {@code limit} tokens of {@code docs}. */
    public static NGramBaseline count(Iterable<String> docs, ByteLevelBpe bpe, long limit) {
        int v = bpe.vocabSize(), eot = bpe.endOfTextId();
        NGramBaseline ng = new NGramBaseline(v);
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

    /** The tokens counted. */
    public long tokens() {
        return tokens;
    }

    /** Mean add-one cross-entropy {unigram, bigram} on exactly the targets a model's loss predicts in these validation batches. */
    public double[] crossEntropy(TokenData data, int batches, int batch) {
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
