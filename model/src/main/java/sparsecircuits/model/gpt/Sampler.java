package sparsecircuits.model.gpt;

import java.util.Arrays;
import java.util.SplittableRandom;
import sparsecircuits.autograd.graph.Ops;

/**
 * Autoregressive sampling from a {@link Gpt}: greedy ({@code temperature 0}) or softmax(logits / T) restricted to
 * the top k logits, drawn with a {@link SplittableRandom} of the given seed, so one seed gives one output. Each
 * step runs the full forward pass on the last {@code blockSize} tokens (no KV cache: the models are small and this
 * keeps one code path with training); generation stops at the stop token or after {@code maxTokens}.
 */
public final class Sampler {
    private final Gpt model;
    private final Ops ops;

    /** @param ops ops without a tape ({@code new Ops(kernels, null)}): sampling needs no gradients */
    public Sampler(Gpt model, Ops ops) {
        this.model = model;
        this.ops = ops;
    }

    /**
     * The completion of {@code prompt}: at most {@code maxTokens} new tokens, ending before {@code stopToken}
     * (which is not returned; -1 for none).
     *
     * @param temperature 0 for greedy (argmax, lowest id on ties), else &gt; 0
     * @param topK        sample among the k most likely tokens; 0 (or ≥ vocab) for all
     */
    public int[] generate(int[] prompt, int maxTokens, double temperature, int topK, long seed, int stopToken) {
        if (prompt.length == 0) throw new IllegalArgumentException("the prompt has no tokens");
        if (maxTokens < 0 || topK < 0 || !(temperature >= 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("need maxTokens ≥ 0, topK ≥ 0 and a finite temperature ≥ 0");
        }
        int v = model.config().vocabSize();
        SplittableRandom rnd = new SplittableRandom(seed);
        int[] seq = Arrays.copyOf(prompt, prompt.length + maxTokens);
        int n = prompt.length, out = 0;
        while (out < maxTokens) {
            int[] ctx = crop(Arrays.copyOf(seq, n), model.config().blockSize());
            float[] logits = model.forward(ctx, 1, ops, Hook.NONE).data();
            int next = pick(logits, (ctx.length - 1) * v, v, temperature, topK, rnd);
            if (next == stopToken) break;
            seq[n++] = next;
            out++;
        }
        return Arrays.copyOfRange(seq, prompt.length, n);
    }

    /** The last {@code blockSize} tokens (the model cannot see further back). */
    public static int[] crop(int[] tokens, int blockSize) {
        return tokens.length <= blockSize ? tokens : Arrays.copyOfRange(tokens, tokens.length - blockSize, tokens.length);
    }

    /** One token from {@code logits[off, off+v)}. */
    static int pick(float[] logits, int off, int v, double temperature, int topK, SplittableRandom rnd) {
        if (temperature == 0) return argmax(logits, off, v);
        int k = topK == 0 || topK >= v ? v : topK;
        Integer[] ids = new Integer[v];
        for (int i = 0; i < v; i++) ids[i] = i;
        if (k < v) Arrays.sort(ids, (a, b) -> Float.compare(logits[off + b], logits[off + a])); // stable: ties by id
        double max = logits[off + argmax(logits, off, v)];
        double[] w = new double[k];
        double sum = 0;
        for (int i = 0; i < k; i++) {
            w[i] = Math.exp((logits[off + ids[i]] - max) / temperature);
            sum += w[i];
        }
        double u = rnd.nextDouble() * sum;
        for (int i = 0; i < k; i++) {
            u -= w[i];
            if (u < 0) return ids[i];
        }
        return ids[k - 1]; // rounding left u ≥ 0: the last candidate
    }

    static int argmax(float[] logits, int off, int v) {
        int best = 0;
        for (int i = 1; i < v; i++) if (logits[off + i] > logits[off + best]) best = i;
        return best;
    }
}
