package sparsecircuits.model.gpt;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import sparsecircuits.autograd.graph.Ops;
import sparsecircuits.autograd.graph.Tensor;
import sparsecircuits.autograd.param.Parameter;
import sparsecircuits.autograd.param.Parameter.SparsityRule;

/**
 * The weight-sparse GPT (SPEC §1), one forward pass that reads top to bottom. Parameters carry the reference
 * implementation's names ({@code transformer.h.0.attn.c_attn.weight}, ...) and {@code [out, in]} layout.
 * Sparse weights run through CSR when their density is low ({@link Ops#linear}); training, pruning, tracing
 * and evaluation all use this one {@link #forward} with {@link Hook}s.
 */
public final class Gpt {

    /** The eight node locations of a layer (DESIGN.md decision 4), in forward order. */
    public static final List<String> NODE_LOCATIONS = List.of(
            "attn.act_in", "attn.q", "attn.k", "attn.v", "attn.resid_delta", "mlp.act_in", "mlp.post_act", "mlp.resid_delta");

    private final GptConfig config;
    private final Map<String, Parameter> params = new LinkedHashMap<>();
    private final Map<String, Tensor> tensors = new LinkedHashMap<>();
    private final float[] finalLogitsBias;
    private final Layer[] layers;
    private final Tensor wte, wpe, lnF, lmHead, bigram, logitsBias;

    /** The tensors of one block. */
    private record Layer(Tensor ln1, Tensor cAttnW, Tensor cAttnB, Tensor attnProjW, Tensor attnProjB, Tensor sink,
                         Tensor ln2, Tensor fcW, Tensor fcB, Tensor mlpProjW, Tensor mlpProjB) {
        Block parameters() {
            return new Block(ln1.parameter(), cAttnW.parameter(), cAttnB.parameter(), attnProjW.parameter(), attnProjB.parameter(),
                    sink == null ? null : sink.parameter(), ln2.parameter(), fcW.parameter(), fcB.parameter(),
                    mlpProjW.parameter(), mlpProjB.parameter());
        }
    }

    /**
     * The trained parameters of one block, typed, so that code reading weights (circuits, the tracer) never builds a
     * reference name to find one; {@link Parameter#name()} still carries that name for files. Weights are
     * {@code [out, in]}.
     *
     * @param ln1          RMSNorm gain before attention {@code [d]} ({@code ln_1.weight})
     * @param qkv          the attention's q, k and v projections in one {@code [3·a, d]} matrix, a = nHead·dHead: rows
     *                     {@code [0, a)} make q, {@code [a, 2a)} k, {@code [2a, 3a)} v ({@code attn.c_attn.weight})
     * @param qkvBias      their bias {@code [3·a]} ({@code attn.c_attn.bias})
     * @param attnOut      the attention's output projection {@code [d, a]}, v channels to the residual
     *                     ({@code attn.c_proj.weight})
     * @param attnOutBias  its bias {@code [d]} ({@code attn.c_proj.bias})
     * @param sink         per-head sink logits {@code [nHead]} ({@code attn.attn_imp.sink_logit}), null without a sink
     * @param ln2          RMSNorm gain before the MLP {@code [d]} ({@code ln_2.weight})
     * @param mlpIn        the MLP's input projection {@code [dMlp, d]}, residual to neurons ({@code mlp.c_fc.weight})
     * @param mlpInBias    its bias {@code [dMlp]} ({@code mlp.c_fc.bias})
     * @param mlpOut       the MLP's output projection {@code [d, dMlp]}, neurons to the residual ({@code mlp.c_proj.weight})
     * @param mlpOutBias   its bias {@code [d]} ({@code mlp.c_proj.bias})
     */
    public record Block(Parameter ln1, Parameter qkv, Parameter qkvBias, Parameter attnOut, Parameter attnOutBias, Parameter sink,
                        Parameter ln2, Parameter mlpIn, Parameter mlpInBias, Parameter mlpOut, Parameter mlpOutBias) {
    }

    /** A model with freshly initialised weights (SPEC §1.6), deterministic in {@code seed}. */
    public Gpt(GptConfig config, long seed) {
        this.config = config;
        int d = config.dModel(), v = config.vocabSize(), a = config.attnWidth(), m = config.dMlp(), nl = config.nLayer();
        Random rnd = new Random(seed);
        double std = 0.02, projStd = 0.02 / Math.sqrt(2.0 * nl);
        wte = add(Parameter.sparse("transformer.wte.weight", SparsityRule.VOCAB_OR_BIAS, v, d), rnd, std);
        wpe = config.learnedPositions()
                ? add(Parameter.sparse("transformer.wpe.weight", SparsityRule.VOCAB_OR_BIAS, config.blockSize(), d), rnd, std)
                : null;
        layers = new Layer[nl];
        for (int l = 0; l < nl; l++) {
            String p = "transformer.h." + l + ".";
            Tensor ln1 = ones(Parameter.dense(p + "ln_1.weight", d));
            Tensor cAttnW = add(Parameter.sparse(p + "attn.c_attn.weight", SparsityRule.MATRIX_ROWS, 3 * a, d), rnd, std);
            Tensor cAttnB = add(Parameter.sparse(p + "attn.c_attn.bias", SparsityRule.VOCAB_OR_BIAS, 3 * a), rnd, 0);
            Tensor projW = add(Parameter.sparse(p + "attn.c_proj.weight", SparsityRule.MATRIX_COLUMNS, d, a), rnd, projStd);
            Tensor projB = add(Parameter.sparse(p + "attn.c_proj.bias", SparsityRule.VOCAB_OR_BIAS, d), rnd, 0);
            Tensor sink = config.sink() ? add(Parameter.dense(p + "attn.attn_imp.sink_logit", config.nHead()), rnd, 0) : null;
            Tensor ln2 = ones(Parameter.dense(p + "ln_2.weight", d));
            Tensor fcW = add(Parameter.sparse(p + "mlp.c_fc.weight", SparsityRule.MATRIX_ROWS, m, d), rnd, std);
            Tensor fcB = add(Parameter.sparse(p + "mlp.c_fc.bias", SparsityRule.VOCAB_OR_BIAS, m), rnd, 0);
            Tensor mProjW = add(Parameter.sparse(p + "mlp.c_proj.weight", SparsityRule.MATRIX_COLUMNS, d, m), rnd, projStd);
            Tensor mProjB = add(Parameter.sparse(p + "mlp.c_proj.bias", SparsityRule.VOCAB_OR_BIAS, d), rnd, 0);
            layers[l] = new Layer(ln1, cAttnW, cAttnB, projW, projB, sink, ln2, fcW, fcB, mProjW, mProjB);
        }
        lnF = ones(Parameter.dense("transformer.ln_f.weight", d));
        lmHead = add(Parameter.sparse("lm_head.weight", SparsityRule.VOCAB_OR_BIAS, v, d), rnd, std);
        if (config.bigramTable()) {
            Parameter b = Parameter.dense("bigram_table", v, v).excludeFromWeightDecay();
            float[] bv = b.value();
            for (int i = 0; i < bv.length; i++) bv[i] = (float) (0.02 * rnd.nextDouble()); // U[0, 0.02)
            bigram = register(b);
        } else {
            bigram = null;
        }
        finalLogitsBias = new float[v];
        logitsBias = Tensor.constant(finalLogitsBias, v);
    }

    private Tensor register(Parameter p) {
        params.put(p.name(), p);
        Tensor t = Tensor.of(p);
        tensors.put(p.name(), t);
        return t;
    }

    private Tensor add(Parameter p, Random rnd, double std) {
        float[] w = p.value();
        if (std > 0) for (int i = 0; i < w.length; i++) w[i] = (float) (std * rnd.nextGaussian());
        return register(p);
    }

    private Tensor ones(Parameter p) {
        java.util.Arrays.fill(p.value(), 1f);
        return register(p);
    }

    public GptConfig config() {
        return config;
    }

    /** Every trained parameter by reference name, in the reference's order. */
    public Map<String, Parameter> parameters() {
        return Collections.unmodifiableMap(params);
    }

    public List<Parameter> parameterList() {
        return new ArrayList<>(params.values());
    }

    public Parameter parameter(String name) {
        Parameter p = params.get(name);
        if (p == null) throw new IllegalArgumentException("no parameter named " + name);
        return p;
    }

    /** Block {@code layer}'s parameters. */
    public Block block(int layer) {
        if (layer < 0 || layer >= layers.length) {
            throw new IllegalArgumentException("no layer " + layer + " (the model has " + layers.length + ")");
        }
        return layers[layer].parameters();
    }

    /** The token embedding {@code [vocab, d]} ({@code transformer.wte.weight}). */
    public Parameter tokenEmbedding() {
        return wte.parameter();
    }

    /** The learned position embedding {@code [blockSize, d]} ({@code transformer.wpe.weight}), or null when positions are not learned. */
    public Parameter positionEmbedding() {
        return wpe == null ? null : wpe.parameter();
    }

    /** The final RMSNorm gain {@code [d]} ({@code transformer.ln_f.weight}). */
    public Parameter finalNorm() {
        return lnF.parameter();
    }

    /** The unembedding {@code [vocab, d]} ({@code lm_head.weight}). */
    public Parameter unembedding() {
        return lmHead.parameter();
    }

    /** The bigram table {@code [vocab, vocab]} added to the logits (row: the current token), or null when the model has none. */
    public Parameter bigramTable() {
        return bigram == null ? null : bigram.parameter();
    }

    /** The {@code final_logits_bias} buffer (not trained; pruning's logit shift lives here). */
    public float[] finalLogitsBias() {
        return finalLogitsBias;
    }

    /** Parameter count (every element of every trained tensor). */
    public long parameterCount() {
        long n = 0;
        for (Parameter p : params.values()) n += p.numel();
        return n;
    }

    /** Kept (nonzero-budget) count over all parameters. */
    public long nonZeroBudget() {
        long n = 0;
        for (Parameter p : params.values()) n += p.nnz();
        return n;
    }

    /** Logits {@code [batch, tokens, vocab]} for {@code tokens[batch·tokens]} (row-major by sequence). */
    public Tensor forward(int[] tokens, int batch, Ops ops, Hook hook) {
        return forward(tokens, batch, null, ops, hook);
    }

    /**
     * Logits {@code [positions.length × vocab]} only at the token positions the caller reads (flat indices
     * {@code b·tokens + t}, in the caller's order): the blocks run over every token as usual, the final norm, the
     * unembedding and the bigram term only at those rows (a task loss reads one row per sequence). An empty array
     * stops after the last hook ({@code final_resid}) and returns an empty {@code [0 × vocab]} tensor, for callers
     * that only record activations. Values are those of {@link #forward(int[], int, Ops, Hook)} at the same rows.
     */
    public Tensor logitsAt(int[] tokens, int batch, int[] positions, Ops ops, Hook hook) {
        if (positions == null) throw new IllegalArgumentException("positions must not be null (use forward for every position)");
        return forward(tokens, batch, positions, ops, hook);
    }

    /** The flat index of the last token of each of {@code batch} sequences of {@code tokens} tokens (for {@link #logitsAt}). */
    public static int[] lastPositions(int batch, int tokens) {
        int[] last = new int[batch];
        for (int i = 0; i < batch; i++) last[i] = (i + 1) * tokens - 1;
        return last;
    }

    private Tensor forward(int[] tokens, int batch, int[] positions, Ops ops, Hook hook) {
        GptConfig c = config;
        if (batch < 1 || tokens.length % batch != 0) {
            throw new IllegalArgumentException(tokens.length + " tokens do not split into " + batch + " sequences");
        }
        int t = tokens.length / batch, d = c.dModel(), a = c.attnWidth();
        if (t > c.blockSize()) {
            throw new IllegalArgumentException("sequence of " + t + " tokens is longer than the context of " + c.blockSize());
        }
        Tensor x = ops.view(ops.embedding(wte, tokens), batch, t, d);                     // [B, T, d]
        if (wpe != null) x = ops.addRows(x, wpe, positions(batch, t));                   // + wpe[pos]
        for (int l = 0; l < layers.length; l++) {
            Layer L = layers[l];
            String at = l + ".";
            x = at(hook, at + "resid_in", x, ops);
            // ---- attention: read, q/k/v, mix, write
            Tensor h = ops.rmsNorm(x, L.ln1, GptConfig.RMS_EPS);                           // [B, T, d]
            h = at(hook, at + "attn.act_in", ops.absTopK(h, c.keep("attn_in", d)), ops);
            Tensor qkv = ops.linear(h, L.cAttnW, L.cAttnB);                               // [B, T, 3a]
            Tensor q = ops.absTopK(ops.columns(qkv, 0, a), c.keep("attn_q", a));          // [B, T, a]
            Tensor k = ops.absTopK(ops.columns(qkv, a, 2 * a), c.keep("attn_k", a));
            Tensor v = ops.absTopK(ops.columns(qkv, 2 * a, 3 * a), c.keep("attn_v", a));
            k = at(hook, at + "attn.k", k, ops);
            q = at(hook, at + "attn.q", q, ops);
            v = at(hook, at + "attn.v", v, ops);
            Tensor y = ops.attention(q, k, v, L.sink, batch, t, c.nHead(), c.dHead());    // [B, T, a]
            Tensor o = ops.linear(y, L.attnProjW, L.attnProjB);                           // [B, T, d]
            o = at(hook, at + "attn.resid_delta", ops.absTopK(o, c.keep("attn_out", d)), ops);
            x = ops.add(x, o);
            x = at(hook, at + "resid_mid", x, ops);
            // ---- MLP: read, neurons, write
            h = ops.rmsNorm(x, L.ln2, GptConfig.RMS_EPS);                                  // [B, T, d]
            h = at(hook, at + "mlp.act_in", ops.absTopK(h, c.keep("mlp_in", d)), ops);
            Tensor n = ops.gelu(ops.linear(h, L.fcW, L.fcB));                             // [B, T, d_mlp]
            n = at(hook, at + "mlp.post_act", ops.absTopK(n, c.keep("mlp_neuron", c.dMlp())), ops);
            o = ops.linear(n, L.mlpProjW, L.mlpProjB);                                    // [B, T, d]
            o = at(hook, at + "mlp.resid_delta", ops.absTopK(o, c.keep("mlp_out", d)), ops);
            x = ops.add(x, o);
        }
        x = at(hook, "final_resid", x, ops);
        int[] current = tokens;
        if (positions != null) {
            for (int p : positions) {
                if (p < 0 || p >= tokens.length) {
                    throw new IllegalArgumentException("position " + p + " is outside the " + tokens.length + " tokens of the batch");
                }
            }
            if (positions.length == 0) return Tensor.constant(new float[0], 0, c.vocabSize());
            x = ops.embedding(x, positions);                                              // [P, d]: the rows read
            current = new int[positions.length];
            for (int i = 0; i < positions.length; i++) current[i] = tokens[positions[i]];
        }
        x = ops.rmsNorm(x, lnF, GptConfig.RMS_EPS);                                        // [B, T, d] or [P, d]
        Tensor logits = ops.linear(x, lmHead, null);                                      // [B, T, V] or [P, V]
        if (!allZero(finalLogitsBias)) logits = ops.addRowVector(logits, logitsBias);     // + final_logits_bias (0 in training)
        if (bigram != null) logits = ops.addRows(logits, bigram, current);               // + bigram[current token]
        return logits;
    }

    /** Mean next-token cross-entropy of {@code windows[batch·(ctx+1)]}: inputs are the first ctx tokens of each window. */
    public Tensor loss(int[] windows, int batch, Ops ops, Hook hook) {
        int w = windows.length / batch, t = w - 1;
        int[] in = new int[batch * t], targets = new int[batch * t];
        for (int b = 0; b < batch; b++) {
            System.arraycopy(windows, b * w, in, b * t, t);
            System.arraycopy(windows, b * w + 1, targets, b * t, t);
        }
        return ops.crossEntropy(forward(in, batch, ops, hook), targets);
    }

    private static boolean allZero(float[] a) {
        for (float f : a) if (f != 0f) return false;
        return true;
    }

    /** Names the activation (error messages use it) and passes it through the hook. */
    private static Tensor at(Hook hook, String name, Tensor x, Ops ops) {
        return hook.at(name, x.named(name), ops);
    }

    private static int[] positions(int batch, int t) {
        int[] p = new int[batch * t];
        for (int i = 0; i < p.length; i++) p[i] = i % t;
        return p;
    }

    /** The node locations of every layer, as hook names ({@code 0.attn.act_in} ...). */
    public List<String> nodeHookNames() {
        List<String> names = new ArrayList<>();
        for (int l = 0; l < layers.length; l++) for (String loc : NODE_LOCATIONS) names.add(l + "." + loc);
        return names;
    }
}
