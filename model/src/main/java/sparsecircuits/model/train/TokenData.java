package sparsecircuits.model.train;

import java.util.Iterator;
import java.util.SplittableRandom;
import sparsecircuits.model.corpus.Corpus;
import sparsecircuits.model.tokenizer.ByteLevelBpe;

/**
 * Tokenised training and validation streams (documents joined by {@code <|endoftext|>}) and the batch of every
 * step as a pure function of (seed, step): windows of ctx+1 tokens in a seeded order per epoch. A resumed run
 * therefore sees exactly the batches the uninterrupted run would have seen, with no data state to save.
 */
public final class TokenData {
    /** Cap on tokens held for training (an unbounded corpus is read only as far as the run needs). */
    public static final int MAX_TRAIN_TOKENS = 64 << 20;

    private final int[] train;
    private final int[] validation;
    private final int window;
    private final long seed;
    private final int windows;
    private long permEpoch = -1;
    private int[] perm;

    public TokenData(int[] train, int[] validation, int ctx, long seed) {
        this.window = ctx + 1;
        if (train.length < window + 1) {
            throw new SettingException("ctx", "the training corpus has " + train.length + " tokens, fewer than one window of "
                    + window + " (the context + 1): use a larger corpus or a shorter context");
        }
        if (validation.length < window) {
            throw new SettingException("ctx", "the validation split has " + validation.length + " tokens, fewer than one window of "
                    + window + " (the context + 1): use a larger corpus or a shorter context");
        }
        this.train = train;
        this.validation = validation;
        this.seed = seed;
        this.windows = train.length / window;
    }

    /**
     * Reads and tokenises what a run of {@code steps × batch} windows needs (an unbounded corpus is read that far,
     * a finite one whole), and {@code evalTokens} of validation.
     */
    public static TokenData build(Corpus corpus, ByteLevelBpe bpe, int ctx, long steps, int batch, long evalTokens, long seed) {
        long need = Math.min(MAX_TRAIN_TOKENS, Math.max(steps * batch * (long) (ctx + 1), 4L * (ctx + 1)) + 1);
        int[] tr = read(corpus.train(), bpe, corpus.isFinite() ? MAX_TRAIN_TOKENS : need);
        int[] va = read(corpus.validation(), bpe, Math.max(evalTokens, ctx + 1));
        return new TokenData(tr, va, ctx, seed);
    }

    /** Documents joined by {@code <|endoftext|>}, tokenised, up to {@code limit} tokens (the streams {@link #build} makes). */
    public static int[] read(Iterable<String> docs, ByteLevelBpe bpe, long limit) {
        int eot = bpe.endOfTextId();
        int[] out = new int[1 << 16];
        int n = 0;
        Iterator<String> it = docs.iterator();
        while (n < limit && it.hasNext()) {
            int[] ids = bpe.encode(it.next());
            if (n + ids.length + 1 > out.length) {
                out = java.util.Arrays.copyOf(out, Math.max(out.length * 2, n + ids.length + 1));
            }
            System.arraycopy(ids, 0, out, n, ids.length);
            n += ids.length;
            out[n++] = eot;
        }
        return java.util.Arrays.copyOf(out, (int) Math.min(n, limit));
    }

    public int trainTokens() {
        return train.length;
    }

    public int validationTokens() {
        return validation.length;
    }

    /** Windows (ctx+1 tokens) in one pass over the training tokens. */
    public int windowsPerEpoch() {
        return windows;
    }

    /** The windows of step {@code step}: {@code batch × (ctx+1)} tokens. */
    public int[] batch(long step, int batch) {
        int[] out = new int[batch * window];
        for (int b = 0; b < batch; b++) {
            long g = step * batch + b;
            int w = order(g / windows)[(int) (g % windows)];
            System.arraycopy(train, w * window, out, b * window, window);
        }
        return out;
    }

    /** Validation batch i (sequential windows from the start of the validation tokens, wrapping). */
    public int[] validationBatch(int i, int batch) {
        int[] out = new int[batch * window];
        int count = validation.length / window;
        for (int b = 0; b < batch; b++) {
            int w = (i * batch + b) % count;
            System.arraycopy(validation, w * window, out, b * window, window);
        }
        return out;
    }

    /** Validation windows available. */
    public int validationWindows() {
        return validation.length / window;
    }

    private int[] order(long epoch) {
        if (epoch != permEpoch) {
            int[] p = new int[windows];
            for (int i = 0; i < windows; i++) p[i] = i;
            SplittableRandom r = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + epoch);
            for (int i = windows - 1; i > 0; i--) {
                int j = r.nextInt(i + 1);
                int t = p[i]; p[i] = p[j]; p[j] = t;
            }
            perm = p;
            permEpoch = epoch;
        }
        return perm;
    }
}
