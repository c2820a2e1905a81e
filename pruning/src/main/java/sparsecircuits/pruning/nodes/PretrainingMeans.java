package sparsecircuits.pruning.nodes;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;
import sparsecircuits.kernels.Kernels;
import sparsecircuits.model.corpus.Corpus;
import sparsecircuits.model.gpt.Gpt;
import sparsecircuits.model.tokenizer.ByteLevelBpe;
import sparsecircuits.model.train.TokenData;
import sparsecircuits.model.train.TrainConfig;
import sparsecircuits.model.train.TrainRun;
import sparsecircuits.pruning.trace.Snippets;

/**
 * The node means mean ablation needs (SPEC §4.3): every node's mean over about 64K tokens of the model's own
 * pretraining corpus, in batches of 16 windows; stored as {@value NodeMeans#FILE} beside the model and computed once.
 */
public final class PretrainingMeans {
    /** Windows per batch of the means pass. */
    public static final int BATCH = 16;

    private PretrainingMeans() {
    }

    /** The model's stored means, or computed over its pretraining tokens and saved beside it. */
    public static NodeMeans loadOrCompute(Path dir, Gpt model, ByteLevelBpe bpe, TrainConfig tc, Kernels kernels, Progress progress) {
        if (Files.isRegularFile(dir.resolve(NodeMeans.FILE))) return NodeMeans.load(dir, model);
        NodeMeans m = compute(model, bpe, tc, kernels, progress);
        m.save(dir);
        return m;
    }

    /** What a means pass reports: after each batch, how many of how many are done and the tokens so far. */
    public interface Progress {
        Progress NONE = (done, batches, tokens) -> { };

        void batch(int done, int batches, long tokens);
    }

    /** Means over the pretraining tokens of {@code tc}'s corpus (the synthetic one without a training config). */
    public static NodeMeans compute(Gpt model, ByteLevelBpe bpe, TrainConfig tc, Kernels kernels, Progress progress) {
        List<int[]> bs = batches(model, bpe, tc);
        int ctx = model.config().blockSize();
        IntConsumer each = i -> progress.batch(i + 1, bs.size(), (long) (i + 1) * BATCH * ctx);
        return NodeMeans.compute(model, bs, BATCH, kernels, each);
    }

    /** About 64K pretraining tokens of the model's corpus (the run's, else the synthetic one) in batches of 16 windows. */
    public static List<int[]> batches(Gpt model, ByteLevelBpe bpe, TrainConfig tc) {
        Corpus corpus = tc != null ? TrainRun.corpus(tc) : Corpus.synthetic(0);
        int ctx = model.config().blockSize(), batches = Math.max(1, (1 << 16) / (BATCH * ctx));
        TokenData data = TokenData.build(corpus, bpe, ctx, batches, BATCH, ctx + 1, 0);
        List<int[]> bs = new ArrayList<>();
        Snippets.pretraining(data, batches, BATCH).forEach(bs::add); // the tracer's windows too
        return bs;
    }

    /** The batches as one token array, for resample ablation's pool of other sequences. */
    public static int[] concatenated(List<int[]> batches) {
        int each = batches.get(0).length;
        int[] all = new int[batches.size() * each];
        for (int i = 0; i < batches.size(); i++) System.arraycopy(batches.get(i), 0, all, i * each, each);
        return all;
    }
}
