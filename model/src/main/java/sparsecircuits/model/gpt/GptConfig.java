package sparsecircuits.model.gpt;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The architecture (SPEC §1): pre-norm GPT with RMSNorm, untied embedding and unembedding, optional learned
 * absolute positions, a learnable bigram table added to the logits, a per-head attention sink, and AbsTopK
 * at the locations in {@code afracLocations}. The fields map one-to-one onto the reference {@code GPTConfig}
 * ({@link sparsecircuits.model.checkpoint.ModelFiles} writes and reads {@code config.json}). Build one by name with
 * {@link #builder()} or {@link #toBuilder()}.
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

    /** SPEC §8.2's main model: {@link Builder}'s defaults. */
    public static GptConfig defaults() {
        return new Builder().build();
    }

    /** A builder at {@link #defaults()}. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder at this config's values (heads and MLP width stay as they are when d_model changes). */
    public Builder toBuilder() {
        return new Builder(this);
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
        return toBuilder().vocabSize(v).build();
    }

    /**
     * Named settings from SPEC §8.2's main model: vocabulary 512, 2 layers, d_model 128, d_head 16, heads d_model / d_head
     * and MLP width 4·d_model unless given, context 64, AbsTopK keeping 1/4 at all 8 locations, sink and bigram table on,
     * no learned positions. Each setter's meaning is the record component's of the same name.
     */
    public static final class Builder {
        private int vocabSize = 512;
        private int nLayer = 2;
        private int dModel = 128;
        private Integer nHead; // null: dModel / dHead
        private int dHead = 16;
        private Integer dMlp; // null: 4 · dModel
        private int blockSize = 64;
        private double afrac = 0.25;
        private Set<String> afracLocations = Set.copyOf(LOCATIONS);
        private boolean sink = true;
        private boolean bigramTable = true;
        private boolean learnedPositions = false;

        private Builder() {
        }

        private Builder(GptConfig c) {
            vocabSize = c.vocabSize;
            nLayer = c.nLayer;
            dModel = c.dModel;
            nHead = c.nHead;
            dHead = c.dHead;
            dMlp = c.dMlp;
            blockSize = c.blockSize;
            afrac = c.afrac;
            afracLocations = c.afracLocations;
            sink = c.sink;
            bigramTable = c.bigramTable;
            learnedPositions = c.learnedPositions;
        }

        public Builder vocabSize(int v) {
            vocabSize = v;
            return this;
        }

        public Builder nLayer(int v) {
            nLayer = v;
            return this;
        }

        public Builder dModel(int v) {
            dModel = v;
            return this;
        }

        public Builder nHead(int v) {
            nHead = v;
            return this;
        }

        public Builder dHead(int v) {
            dHead = v;
            return this;
        }

        public Builder dMlp(int v) {
            dMlp = v;
            return this;
        }

        public Builder blockSize(int v) {
            blockSize = v;
            return this;
        }

        public Builder afrac(double v) {
            afrac = v;
            return this;
        }

        public Builder afracLocations(Set<String> v) {
            afracLocations = v;
            return this;
        }

        public Builder sink(boolean v) {
            sink = v;
            return this;
        }

        public Builder bigramTable(boolean v) {
            bigramTable = v;
            return this;
        }

        public Builder learnedPositions(boolean v) {
            learnedPositions = v;
            return this;
        }

        /** @throws IllegalArgumentException when the values do not make a model (the record's checks) */
        public GptConfig build() {
            if (nHead == null) {
                check(dHead >= 1 && dModel % dHead == 0, "d_model " + dModel + " is not a multiple of d_head " + dHead
                        + ": give the number of heads");
            }
            return new GptConfig(vocabSize, nLayer, dModel, nHead != null ? nHead : dModel / dHead, dHead,
                    dMlp != null ? dMlp : 4 * dModel, blockSize, afrac, afracLocations, sink, bigramTable, learnedPositions);
        }
    }
}
