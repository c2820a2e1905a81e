package sparsecircuits.pruning.trace;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import sparsecircuits.autograd.graph.Ops;
import sparsecircuits.autograd.graph.Tensor;
import sparsecircuits.kernels.Kernels;
import sparsecircuits.model.gpt.Gpt;
import sparsecircuits.model.gpt.GptConfig;
import sparsecircuits.model.gpt.Hook;
import sparsecircuits.pruning.circuit.CircuitFiles;
import sparsecircuits.pruning.nodes.NodeMask;
import sparsecircuits.pruning.nodes.NodeMeans;
import sparsecircuits.pruning.tasks.TaskTokens;

/**
 * Records, patches and explains activations of a frozen model, with or without a circuit's mask, through the one
 * {@link Gpt#forward} (DESIGN.md decision 3): the mask is the pruner's own {@link NodeMask}, so what is recorded
 * under a circuit is exactly what the masked forward pass computes (the reference repo's issue #5).
 *
 * <p>Activations come back token-major, {@code [tokens][channels]} per prompt. Prompts of equal length run as one
 * batch, in the order {@link sparsecircuits.pruning.loss.TaskLoss#lastLogits} uses, so last-token logits agree with
 * it bit for bit.
 */
public final class Tracer {

    private final Gpt model;
    private final Ops ops;
    private final Hook mask;

    private Tracer(Gpt model, Ops ops, Hook mask) {
        this.model = model;
        this.ops = ops;
        this.mask = mask;
    }

    /** An unmasked tracer running on {@code ops} (no tape needed: nothing is differentiated). */
    public Tracer(Gpt model, Ops ops) {
        this(model, ops, Hook.NONE);
    }

    /**
     * An unmasked tracer on CSR products throughout (a frozen model never runs a dense product on a sparse matrix), its
     * passes on inference ops that reuse one pool of arrays (each pass's results are copied out before the next).
     */
    public static Tracer of(Gpt model, Kernels kernels) {
        return new Tracer(model, Ops.inference(kernels).sparseBelow(1.0));
    }

    /** This tracer with a circuit's mask: gate 1 keeps a node, 0 replaces it by its mean (MEAN) or 0 (ZERO). */
    public Tracer masked(Map<String, float[]> gates, NodeMeans means, NodeMask.Ablation ablation) {
        if (ablation == NodeMask.Ablation.RESAMPLE) {
            throw new IllegalArgumentException("resample ablation draws other sequences' activations per call; the tracer replays mean or zero ablation only");
        }
        Map<String, Tensor> gs = new LinkedHashMap<>();
        gates.forEach((k, v) -> gs.put(k, Tensor.constant(v, v.length)));
        return new Tracer(model, ops, new NodeMask(gs, means, ablation));
    }

    /** This tracer with a saved circuit's mask and ablation (as {@code eval --circuit} replays it). */
    public Tracer masked(CircuitFiles.Loaded circuit) {
        Map<String, float[]> means = circuit.replayMeans(); // refuses what cannot be replayed
        return masked(circuit.masks(), means == null ? null : NodeMeans.of(means, 0), circuit.ablation());
    }

    public Gpt model() {
        return model;
    }

    public Ops ops() {
        return ops;
    }

    /** The mask hook this tracer applies ({@link Hook#NONE} when unmasked), for running other code under the same circuit. */
    public Hook hook() {
        return mask;
    }

    /** A regex matching exactly these hook names (for {@link #run}). */
    public static String exactly(String... names) {
        StringBuilder b = new StringBuilder();
        for (String n : names) b.append(b.isEmpty() ? "" : "|").append(Pattern.quote(n));
        return b.toString();
    }

    /**
     * What one run recorded: per hook name, per prompt, {@code [tokens][channels]}; and per prompt the logits at its
     * last token ({@code [vocab]}).
     */
    public record Trace(Map<String, List<float[][]>> activations, List<float[]> lastLogits) {
        /** The activations of prompt {@code i} at {@code name}. */
        public float[][] get(String name, int i) {
            List<float[][]> a = activations.get(name);
            if (a == null) throw new IllegalArgumentException("nothing recorded at " + name + " (recorded: " + activations.keySet() + ")");
            return a.get(i);
        }
    }

    /** Records every hook location whose name matches {@code regex} (a full match). */
    public Trace run(List<int[]> prompts, String regex) {
        return run(prompts, regex, Map.of());
    }

    /**
     * Records every location matching {@code regex} while replacing the activations named in {@code patches}: per
     * name, per prompt a {@code [tokens][channels]} array, or null to leave that prompt alone. The mask acts first,
     * then the patch, then the recording, so a patched location records the patch and the pass continues with it.
     */
    public Trace run(List<int[]> prompts, String regex, Map<String, List<float[][]>> patches) {
        Pattern p = Pattern.compile(regex);
        int n = prompts.size(), ctx = model.config().blockSize();
        for (int i = 0; i < n; i++) {
            int len = prompts.get(i).length;
            if (len == 0 || len > ctx) {
                throw new IllegalArgumentException("prompt " + i + " has " + len + " tokens; the model takes 1 to " + ctx);
            }
        }
        patches.forEach((name, per) -> {
            if (per.size() != n) throw new IllegalArgumentException("patch of " + name + " has " + per.size() + " prompts, the run has " + n);
        });
        Map<String, float[][][]> rec = new LinkedHashMap<>();
        float[][] logits = new float[n][];
        Map<Integer, List<Integer>> groups = new TreeMap<>();
        for (int i = 0; i < n; i++) groups.computeIfAbsent(prompts.get(i).length, k -> new ArrayList<>()).add(i);
        int v = model.config().vocabSize();
        for (List<Integer> group : groups.values()) {
            int t = prompts.get(group.get(0)).length, b = group.size();
            int[] tokens = new int[b * t];
            for (int i = 0; i < b; i++) System.arraycopy(prompts.get(group.get(i)), 0, tokens, i * t, t);
            Hook patch = (name, x, o) -> {
                List<float[][]> per = patches.get(name);
                if (per == null) return x;
                float[] d = x.data().clone();
                int c = x.cols();
                for (int i = 0; i < b; i++) {
                    float[][] val = per.get(group.get(i));
                    if (val == null) continue;
                    if (val.length != t) throw new IllegalArgumentException("patch of " + name + " for prompt " + group.get(i) + " has " + val.length + " rows, the prompt " + t + " tokens");
                    for (int r = 0; r < t; r++) {
                        if (val[r].length != c) throw new IllegalArgumentException("patch of " + name + " has rows of " + val[r].length + " channels, the location " + c);
                        System.arraycopy(val[r], 0, d, (i * t + r) * c, c);
                    }
                }
                return Tensor.constant(d, x.shape());
            };
            Hook record = (name, x, o) -> {
                if (!p.matcher(name).matches()) return x;
                float[][][] out = rec.computeIfAbsent(name, k -> new float[n][][]);
                float[] d = x.data();
                int c = x.cols();
                for (int i = 0; i < b; i++) {
                    float[][] rows = new float[t][];
                    for (int r = 0; r < t; r++) rows[r] = Arrays.copyOfRange(d, (i * t + r) * c, (i * t + r + 1) * c);
                    out[group.get(i)] = rows;
                }
                return x;
            };
            float[] last = model.logitsAt(tokens, b, Gpt.lastPositions(b, t), ops, mask.then(patch).then(record)).data();
            for (int i = 0; i < b; i++) logits[group.get(i)] = Arrays.copyOfRange(last, i * v, (i + 1) * v);
            ops.recycle(); // activations and logits are copied
        }
        Map<String, List<float[][]>> acts = new LinkedHashMap<>();
        rec.forEach((k, a) -> acts.put(k, List.of(a)));
        return new Trace(acts, List.of(logits));
    }

    // ================================================================== task distribution

    /** Mean activation at the last token per channel of one location: over class A, class B, and a − b. */
    public record ClassMeans(float[] a, float[] b, float[] diff) {
    }

    /**
     * Per location matching {@code regex}: the mean last-token activation over the class A prompts (a task's A sides),
     * over the class B prompts, and their difference A − B (what tells the classes apart).
     */
    public Map<String, ClassMeans> classMeans(List<int[]> classA, List<int[]> classB, String regex) {
        if (classA.isEmpty() || classB.isEmpty()) throw new IllegalArgumentException("class means need prompts of both classes");
        Map<String, double[]> ma = lastTokenMeans(classA, regex), mb = lastTokenMeans(classB, regex);
        Map<String, ClassMeans> out = new LinkedHashMap<>();
        for (String name : ma.keySet()) {
            double[] a = ma.get(name), b = mb.get(name);
            float[] fa = new float[a.length], fb = new float[a.length], fd = new float[a.length];
            for (int j = 0; j < a.length; j++) {
                fa[j] = (float) a[j];
                fb[j] = (float) b[j];
                fd[j] = (float) (a[j] - b[j]);
            }
            out.put(name, new ClassMeans(fa, fb, fd));
        }
        return out;
    }

    /**
     * {@link #classMeans(List, List, String)} over a task's pairs: class A is every pair's A prompt, class B every B
     * prompt (single-target pairs without one add to A only). Prompts longer than the context are cut on the left,
     * as the task loss cuts them.
     */
    public Map<String, ClassMeans> classMeans(List<TaskTokens.TokenPair> pairs, String regex) {
        List<int[]> a = new ArrayList<>(), b = new ArrayList<>();
        int ctx = model.config().blockSize();
        for (TaskTokens.TokenPair p : pairs) {
            a.add(p.promptA().length <= ctx ? p.promptA() : Arrays.copyOfRange(p.promptA(), p.promptA().length - ctx, p.promptA().length));
            if (p.promptB() != null) {
                b.add(p.promptB().length <= ctx ? p.promptB() : Arrays.copyOfRange(p.promptB(), p.promptB().length - ctx, p.promptB().length));
            }
        }
        return classMeans(a, b, regex);
    }

    private Map<String, double[]> lastTokenMeans(List<int[]> prompts, String regex) {
        Trace tr = run(prompts, regex);
        Map<String, double[]> out = new LinkedHashMap<>();
        tr.activations().forEach((name, per) -> {
            double[] s = new double[per.get(0)[0].length];
            for (float[][] a : per) {
                float[] last = a[a.length - 1];
                for (int j = 0; j < s.length; j++) s[j] += last[j];
            }
            for (int j = 0; j < s.length; j++) s[j] /= per.size();
            out.put(name, s);
        });
        return out;
    }

    // ================================================================== attention

    /**
     * One head's attention on a prompt, as the forward pass computes it. {@code pattern[i][j]} is query i's weight on
     * key j (0 for j > i), {@code sink[i]} the weight the sink takes (1 − the row's sum), and {@code channelScores[i][j]}
     * the chosen channel's share of the score, {@code q[i,c]·k[j,c]/√d_head} (the scores are the sum of these over the
     * head's channels).
     */
    public record Attention(int layer, int head, int channel, float[][] pattern, float[] sink, float[][] channelScores) {
    }

    /**
     * The attention of the head that q/k channel {@code channel} of layer {@code layer} belongs to (head =
     * channel / d_head), on q and k as recorded under this tracer's mask; the softmax is the forward pass's own kernel.
     */
    public Attention attention(int[] prompt, int layer, int channel) {
        GptConfig c = model.config();
        if (layer < 0 || layer >= c.nLayer()) throw new IllegalArgumentException("no layer " + layer + " (the model has " + c.nLayer() + ")");
        int width = c.attnWidth(), dh = c.dHead();
        if (channel < 0 || channel >= width) throw new IllegalArgumentException("no q/k channel " + channel + " (width " + width + ")");
        return attention(run(List.of(prompt), exactly(layer + ".attn.q", layer + ".attn.k")), 0, layer, channel);
    }

    /**
     * {@link #attention(int[], int, int)} from a trace that already recorded {@code layer}'s q and k for its prompt
     * number {@code prompt} (one pass serves every q/k channel of a circuit).
     */
    public Attention attention(Trace recorded, int prompt, int layer, int channel) {
        GptConfig c = model.config();
        int width = c.attnWidth(), dh = c.dHead();
        String qn = layer + ".attn.q", kn = layer + ".attn.k";
        if (!recorded.activations().containsKey(qn) || !recorded.activations().containsKey(kn)) {
            throw new IllegalArgumentException("the trace did not record " + qn + " and " + kn);
        }
        float[][] q = recorded.get(qn, prompt), k = recorded.get(kn, prompt);
        int t = q.length, h = channel / dh;
        float[] qf = flat(q), kf = flat(k);
        float[] sink = c.sink() ? model.block(layer).sink().value() : null;
        float[] probs = new float[t * t], out = new float[t * dh];
        // the forward's own kernel on this head alone: one head of a batch-1 pass is computed by the same loop
        ops.kernels().attentionForward(1, t, 1, dh, width, qf, h * dh, kf, h * dh, qf, h * dh, sink, sink == null ? 0 : h, probs, 0, out, 0);
        float scale = (float) (1.0 / Math.sqrt(dh));
        float[][] pattern = new float[t][], ch = new float[t][t];
        float[] sinkShare = new float[t];
        for (int i = 0; i < t; i++) {
            pattern[i] = Arrays.copyOfRange(probs, i * t, (i + 1) * t);
            double s = 0;
            for (int j = 0; j <= i; j++) {
                s += pattern[i][j];
                ch[i][j] = q[i][channel] * k[j][channel] * scale;
            }
            sinkShare[i] = (float) (1 - s);
        }
        return new Attention(layer, h, channel, pattern, sinkShare, ch);
    }

    private static float[] flat(float[][] a) {
        int c = a[0].length;
        float[] f = new float[a.length * c];
        for (int i = 0; i < a.length; i++) System.arraycopy(a[i], 0, f, i * c, c);
        return f;
    }

    // ================================================================== residual channels and logits

    /** A token and its weight in a residual channel. */
    public record TokenWeight(int token, float weight) {
    }

    /** The {@code n} tokens with the largest ({@code top}) or smallest weight in residual channel {@code channel} of the embedding. */
    public List<TokenWeight> embeddingTokens(int channel, int n, boolean top) {
        return tokens(model.tokenEmbedding().value(), model.config().dModel(), channel, n, top);
    }

    /** As {@link #embeddingTokens} for the unembedding {@code lm_head.weight}: which tokens this channel pushes up (top) or down. */
    public List<TokenWeight> unembeddingTokens(int channel, int n, boolean top) {
        return tokens(model.unembedding().value(), model.config().dModel(), channel, n, top);
    }

    /** Column {@code channel} of a {@code [V, d]} table, sorted by weight (ties: lower token first), first {@code n}. */
    static List<TokenWeight> tokens(float[] table, int d, int channel, int n, boolean top) {
        if (channel < 0 || channel >= d) throw new IllegalArgumentException("no residual channel " + channel + " (d_model " + d + ")");
        int v = table.length / d;
        List<TokenWeight> all = new ArrayList<>(v);
        for (int t = 0; t < v; t++) all.add(new TokenWeight(t, table[t * d + channel]));
        Comparator<TokenWeight> byWeight = Comparator.comparingDouble(TokenWeight::weight);
        all.sort((top ? byWeight.reversed() : byWeight).thenComparingInt(TokenWeight::token));
        return List.copyOf(all.subList(0, Math.min(n, v)));
    }

    /**
     * A node's direct effect on two logits at a prompt's last token. {@code activation} is the node's value there and
     * {@code onA}/{@code onB} its contribution to the logits of the two targets.
     */
    public record DirectEffect(float activation, float onA, float onB) {
        /** The effect on the A − B logit difference (the task's contrast). */
        public float onDifference() {
            return onA - onB;
        }
    }

    /**
     * Direct effects of every channel of a residual-stream location ({@code {l}.attn|mlp.resid_delta},
     * {@code {l}.resid_in|resid_mid}, {@code final_resid}) on the logits of {@code targetA} and {@code targetB} at the
     * prompt's last token, under this tracer's mask.
     *
     * <p>The approximation: the final RMSNorm is linearised at the prompt's own scale, so channel c adds
     * {@code a_c · rstd · ln_f[c] · lm_head[target, c]}, with {@code rstd = 1/√(mean(x²) + ε)} of the final residual x
     * at that token. It is the logit change from removing the node while holding the norm's scale fixed; the paths
     * through later layers (indirect effects) and the norm's own change are left out. For {@code final_resid} the
     * effects sum to the logit less the bigram table and logit bias.
     */
    public DirectEffect[] directEffects(int[] prompt, String location, int targetA, int targetB) {
        requireResidual(location);
        return directEffects(run(List.of(prompt), exactly(location, "final_resid")), 0, location, targetA, targetB);
    }

    /**
     * {@link #directEffects(int[], String, int, int)} from a trace that already recorded {@code location} and
     * {@code final_resid} for prompt {@code i} (one pass serves every location and target pair).
     */
    public DirectEffect[] directEffects(Trace recorded, int i, String location, int targetA, int targetB) {
        requireResidual(location);
        int v = model.config().vocabSize(), d = model.config().dModel();
        for (int tk : new int[] {targetA, targetB}) {
            if (tk < 0 || tk >= v) throw new IllegalArgumentException("no token " + tk + " (vocab " + v + ")");
        }
        if (!recorded.activations().containsKey(location) || !recorded.activations().containsKey("final_resid")) {
            throw new IllegalArgumentException("the trace did not record " + location + " and final_resid");
        }
        float[][] a = recorded.get(location, i), x = recorded.get("final_resid", i);
        float[] node = a[a.length - 1], fin = x[x.length - 1];
        double ss = 0;
        for (float f : fin) ss += (double) f * f;
        double rstd = 1.0 / Math.sqrt(ss / d + GptConfig.RMS_EPS);
        float[] gain = model.finalNorm().value(), wu = model.unembedding().value();
        DirectEffect[] out = new DirectEffect[d];
        for (int c = 0; c < d; c++) {
            double s = node[c] * rstd * gain[c];
            out[c] = new DirectEffect(node[c], (float) (s * wu[targetA * d + c]), (float) (s * wu[targetB * d + c]));
        }
        return out;
    }

    private static void requireResidual(String location) {
        if (!(location.endsWith(".resid_delta") || location.endsWith(".resid_in") || location.endsWith(".resid_mid") || location.equals("final_resid"))) {
            throw new IllegalArgumentException(location + " is not in the residual stream's basis; direct effects are for resid_delta, resid_in, resid_mid and final_resid");
        }
    }
}
