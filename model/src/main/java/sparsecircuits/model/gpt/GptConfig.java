package sparsecircuits.model.gpt;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The architecture (SPEC §1): pre-norm GPT with RMSNorm, untied embedding and unembedding, optional learned
 * absolute positions, a learnable bigram table added to the logits, a per-head attention sink, and AbsTopK
 * at the locations in {@code afracLocations}. The fields map one-to-one onto the reference {@code GPTConfig}
 * ({@link sparsecircuits.model.checkpoint.ModelFiles} writes and reads {@code config.json}).
 *
 * @param vocabSize        tokens, {@code <|endoftext|>} included
 * @param nLayer           blocks
 * @param dModel           residual width
 * @param nHead            attention heads
 * @param dHead            width of one head (nHead·dHead need not equal dModel)
 * @param dMlp             MLP hidden width
 * @param blockSize        longest context (rows of the position table)
 * @param afrac            AbsTopK keeps floor(afrac·width) channels per token; 1 turns it off
 * @param afracLocations   where AbsTopK applies (the reference loctype names, {@link #LOCATIONS})
 * @param sink             per-head attention sink logit
 * @param bigramTable      learnable bigram table added to the logits
 * @param learnedPositions learned absolute position embedding added to the token embedding
 */
public record GptConfig(int vocabSize, int nLayer, int dModel, int nHead, int dHead, int dMlp, int blockSize,
                        double afrac, Set<String> afracLocations, boolean sink, boolean bigramTable,
                        boolean learnedPositions) {

    /** The eight AbsTopK locations of SPEC §1.5, in the reference's loctype names. */
    public static final List<String> LOCATIONS = List.of(
            "attn_in", "attn_out", "mlp_in", "mlp_out", "mlp_neuron", "attn_v", "attn_k", "attn_q");

    /** RMSNorm ε: float32 machine epsilon, the default of torch's nn.RMSNorm (SPEC §1.1). */
    public static final float RMS_EPS = Math.ulp(1f);

    public GptConfig {
        afracLocations = Set.copyOf(new LinkedHashSet<>(afracLocations));
        check(vocabSize >= 2, "vocab size must be at least 2, got " + vocabSize);
        check(nLayer >= 1, "layers must be at least 1, got " + nLayer);
        check(dModel >= 1 && nHead >= 1 && dHead >= 1 && dMlp >= 1, "widths must be positive (d_model " + dModel
                + ", heads " + nHead + ", d_head " + dHead + ", d_mlp " + dMlp + ")");
        check(dModel % nHead == 0, "d_model " + dModel + " is not divisible by the " + nHead
                + " heads (the reference GPTConfig asserts it): pick heads that divide d_model");
        check(blockSize >= 1, "context (block size) must be at least 1, got " + blockSize);
        check(afrac > 0 && afrac <= 1, "afrac must be in (0, 1], got " + afrac);
        for (String loc : afracLocations) {
            check(LOCATIONS.contains(loc), "unknown AbsTopK location '" + loc + "' (known: " + String.join(", ", LOCATIONS) + ")");
        }
        for (int w : new int[] {dModel, nHead * dHead, dMlp}) {
            check(afrac == 1 || (int) (afrac * w) >= 1, "afrac " + afrac + " keeps no channel of a width-" + w + " activation");
        }
    }

    private static void check(boolean ok, String message) {
        if (!ok) throw new IllegalArgumentException(message);
    }

    /** SPEC's defaults around a width: d_head 16, 4× MLP, afrac 1/4 at all 8 locations, sink and bigram table on. */
    public static GptConfig standard(int vocabSize, int nLayer, int dModel, int blockSize) {
        int dHead = 16;
        check(dModel % dHead == 0, "d_model " + dModel + " is not a multiple of d_head " + dHead);
        return new GptConfig(vocabSize, nLayer, dModel, dModel / dHead, dHead, 4 * dModel, blockSize,
                0.25, Set.copyOf(LOCATIONS), true, true, false);
    }

    /** Total attention width nHead·dHead (the q, k and v node count per layer). */
    public int attnWidth() {
        return nHead * dHead;
    }

    /** The AbsTopK keep count for an activation of this width at this location (width itself when off). */
    public int keep(String location, int width) {
        if (afrac >= 1 || !afracLocations.contains(location)) return width;
        return (int) (afrac * width);
    }

    public GptConfig withVocabSize(int v) {
        return new GptConfig(v, nLayer, dModel, nHead, dHead, dMlp, blockSize, afrac, afracLocations, sink, bigramTable, learnedPositions);
    }
}
