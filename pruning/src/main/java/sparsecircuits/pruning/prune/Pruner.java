package sparsecircuits.pruning.prune;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import sparsecircuits.autograd.graph.Ops;
import sparsecircuits.autograd.graph.Tape;
import sparsecircuits.autograd.graph.Tensor;
import sparsecircuits.autograd.param.Parameter;
import sparsecircuits.kernels.Kernels;
import sparsecircuits.model.gpt.Gpt;
import sparsecircuits.pruning.loss.TaskLoss;
import sparsecircuits.pruning.nodes.MaskOps;
import sparsecircuits.pruning.nodes.NodeLocation;
import sparsecircuits.pruning.nodes.NodeMask;
import sparsecircuits.pruning.nodes.NodeMeans;

/**
 * Learned node pruning (SPEC §4.3–4.6): one τ per node; forward keeps a node iff τ &gt; 0 (Heaviside), backward
 * uses the sigmoid surrogate; loss = task loss + k_coef · (kept nodes); AdamW on τ only (the model is frozen),
 * τ clamped to [−1, 1], LR decaying linearly to 0. Then {@link #bisect}: rank nodes by τ, and find the
 * smallest k whose top-k circuit reaches the target task loss on held-out pairs.
 *
 * <p>The frozen model runs its sparse weights through CSR whatever their density ({@code sparseBelow(1)}), and
 * the backward pass is targeted at τ, so no weight gradient (no dense product of a sparse matrix) is computed.
 */
public final class Pruner {

    /**
     * The search's knobs (SPEC §4.3–4.4). Build them by name from a preset: {@link #defaults()} (Table 2's centres) or
     * {@link #smallRun()} (SPEC §8.5), then {@link #toBuilder()}; the canonical constructor is the builder's.
     *
     * @param kCoef          weight of the kept-node count in the loss
     * @param lr             peak AdamW learning rate (decays linearly to 0)
     * @param initNoiseScale τ init standard deviation
     * @param initNoiseBias  τ init mean (every node starts on)
     * @param weightDecay    AdamW decay
     * @param beta2          AdamW β2 (1 − inv_beta2)
     * @param temperature    heaviside_temp of the sigmoid surrogate
     * @param steps          mask-training steps
     * @param batchPairs     task pairs per step
     * @param seed           τ init and batch order
     */
    public record Settings(double kCoef, double lr, double initNoiseScale, double initNoiseBias, double weightDecay,
                           double beta2, float temperature, int steps, int batchPairs, long seed) {
        /** Table 2's CARBS search centres (SPEC §4.4), 400 steps of 16 pairs: {@link Builder}'s defaults. */
        public static Settings defaults() {
            return new Builder().build();
        }

        /**
         * SPEC §8.5's settings for our small models and short runs: the Table 2 centres with k_coef 1e-3, lr 1e-2
         * (few steps, and τ must travel from +0.1 to −1), 200 steps of 8 pairs.
         */
        public static Settings smallRun() {
            return new Builder().kCoef(1e-3).lr(1e-2).steps(200).batchPairs(8).build();
        }

        public Builder toBuilder() {
            return new Builder(this);
        }

        public Settings withSteps(int s) {
            return toBuilder().steps(s).build();
        }

        public Settings withKCoef(double k) {
            return toBuilder().kCoef(k).build();
        }

        /** Named settings; each setter's meaning is the record component's of the same name. */
        public static final class Builder {
            private double kCoef = 1e-4;
            private double lr = 3e-3;
            private double initNoiseScale = 1e-2;
            private double initNoiseBias = 1e-1;
            private double weightDecay = 1e-3;
            private double beta2 = 0.95;
            private float temperature = 1f;
            private int steps = 400;
            private int batchPairs = 16;
            private long seed = 0;

            private Builder() {
            }

            private Builder(Settings s) {
                kCoef = s.kCoef;
                lr = s.lr;
                initNoiseScale = s.initNoiseScale;
                initNoiseBias = s.initNoiseBias;
                weightDecay = s.weightDecay;
                beta2 = s.beta2;
                temperature = s.temperature;
                steps = s.steps;
                batchPairs = s.batchPairs;
                seed = s.seed;
            }

            public Builder kCoef(double v) {
                kCoef = v;
                return this;
            }

            public Builder lr(double v) {
                lr = v;
                return this;
            }

            public Builder initNoiseScale(double v) {
                initNoiseScale = v;
                return this;
            }

            public Builder initNoiseBias(double v) {
                initNoiseBias = v;
                return this;
            }

            public Builder weightDecay(double v) {
                weightDecay = v;
                return this;
            }

            public Builder beta2(double v) {
                beta2 = v;
                return this;
            }

            public Builder temperature(float v) {
                temperature = v;
                return this;
            }

            public Builder steps(int v) {
                steps = v;
                return this;
            }

            public Builder batchPairs(int v) {
                batchPairs = v;
                return this;
            }

            public Builder seed(long v) {
                seed = v;
                return this;
            }

            public Settings build() {
                return new Settings(kCoef, lr, initNoiseScale, initNoiseBias, weightDecay, beta2, temperature, steps, batchPairs, seed);
            }
        }
    }

    /** Progress of mask training. */
    public interface Listener {
        void step(int step, int steps, double taskLoss, long kept);
    }

    /** One point of the bisection: k kept nodes and the held-out task loss of that circuit. */
    public record Point(long k, double loss) {
    }

    /** The result of {@link #bisect}: the chosen k (−1 when even the full model misses the target) and every point tried. */
    public record Bisection(long k, double loss, double fullLoss, List<Point> points) {
    }

    /**
     * Mask training batches by padding (fixed ablation values): a batch's prompts sorted by length, cut into this many
     * runs, each right-padded to a multiple of {@link #PAD_QUANTUM} tokens ({@link TaskLoss#lossPadded(Gpt, List, int, int, Ops, sparsecircuits.model.gpt.Hook)}).
     */
    public static final int PAD_GROUPS = 2, PAD_QUANTUM = 8;

    private final Gpt model;
    private final NodeMeans means;
    private final NodeMask.Ablation ablation;
    private final Kernels kernels;
    private final List<NodeLocation> locations;

    /** The ops of every held-out evaluation, on one pool of arrays (a bisection and the ablation deltas evaluate many circuits). */
    private final Ops evaluation;
    private int[] pretraining;
    private long resampleSeed;
    private long resampleCalls;

    public Pruner(Gpt model, NodeMeans means, NodeMask.Ablation ablation, Kernels kernels) {
        this.model = model;
        this.means = means;
        this.ablation = ablation;
        this.kernels = kernels;
        this.locations = NodeLocation.of(model.config());
        this.evaluation = Ops.inference(kernels).sparseBelow(1.0);
    }

    /**
     * Resample ablation's source: a deleted node takes its activation on a pretraining window at the same
     * position (windows drawn from {@code tokens}, seeded, a fresh draw per batch). Returns this.
     */
    public Pruner resamplingFrom(int[] tokens, long seed) {
        this.pretraining = tokens;
        this.resampleSeed = seed;
        return this;
    }

    /** The mask hook for one batch shape: fixed means/zeros, or activations recorded on pretraining windows. */
    public TaskLoss.HookFor mask(Map<String, Tensor> gates) {
        if (ablation != NodeMask.Ablation.RESAMPLE) return TaskLoss.HookFor.fixed(new NodeMask(gates, means, ablation));
        if (pretraining == null || pretraining.length <= model.config().blockSize()) {
            throw new IllegalStateException("resample ablation needs pretraining tokens (resamplingFrom)");
        }
        return (b, t) -> {
            SplittableRandom r = new SplittableRandom(resampleSeed * 31 + resampleCalls++);
            int[] windows = new int[b * t];
            for (int i = 0; i < b; i++) System.arraycopy(pretraining, r.nextInt(pretraining.length - t), windows, i * t, t);
            sparsecircuits.model.gpt.Hooks.Recorder rec = sparsecircuits.model.gpt.Hooks.recorder("\\d+\\.(attn|mlp)\\..*");
            model.forward(windows, b, new Ops(kernels, null).sparseBelow(1.0), rec);
            return new NodeMask(gates, null, NodeMask.Ablation.RESAMPLE).withResampled(rec.recorded());
        };
    }

    /** Trains τ on the training sequences (two per pair, consecutive); returns τ per location. */
    public Map<String, float[]> train(List<TaskLoss.Sequence> train, Settings s, Listener listener) {
        if (train.size() < 2 || train.size() % 2 != 0) throw new IllegalArgumentException("training needs whole pairs (2 sequences each)");
        SplittableRandom r = new SplittableRandom(s.seed());
        Map<String, Tensor> tau = new LinkedHashMap<>();
        Map<String, float[][]> moments = new LinkedHashMap<>();
        for (NodeLocation l : locations) {
            float[] v = new float[l.width()];
            for (int i = 0; i < v.length; i++) v[i] = (float) (s.initNoiseBias() + s.initNoiseScale() * r.nextGaussian());
            tau.put(l.hook(), Tensor.variable(v, l.width()));
            moments.put(l.hook(), new float[][] {new float[l.width()], new float[l.width()]});
        }
        int pairs = train.size() / 2;
        Tape tape = new Tape(true);
        for (int step = 0; step < s.steps(); step++) {
            List<TaskLoss.Sequence> batch = new ArrayList<>();
            for (int b = 0; b < Math.min(s.batchPairs(), pairs); b++) {
                int p = r.nextInt(pairs);
                batch.add(train.get(2 * p));
                batch.add(train.get(2 * p + 1));
            }
            tape.clear();
            Ops ops = new Ops(kernels, tape).sparseBelow(1.0);
            Map<String, Tensor> gates = new LinkedHashMap<>();
            Tensor kept = null;
            for (Map.Entry<String, Tensor> e : tau.entrySet()) {
                Tensor g = MaskOps.heaviside(ops, e.getValue(), s.temperature());
                gates.put(e.getKey(), g);
                kept = kept == null ? ops.sum(g) : ops.add(kept, ops.sum(g));
            }
            // fixed means/zeros: the batch in PAD_GROUPS right-padded passes (same loss, far fewer and larger products);
            // resample ablation draws activations per batch shape, so it keeps the by-length batches
            Tensor task = ablation == NodeMask.Ablation.RESAMPLE ? TaskLoss.loss(model, batch, ops, mask(gates))
                    : TaskLoss.lossPadded(model, batch, PAD_GROUPS, PAD_QUANTUM, ops, mask(gates).of(batch.size(), 0));
            Tensor loss = ops.add(task, ops.scale(kept, (float) s.kCoef()));
            double taskLoss = task.item();
            long k = Math.round(kept.item());
            for (Tensor t : tau.values()) t.zeroGrad();
            tape.backward(List.of(loss), List.of(new float[] {1f}), new ArrayList<>(tau.values()));
            float lr = (float) (s.lr() * (1 - (double) step / s.steps()));
            for (Map.Entry<String, Tensor> e : tau.entrySet()) { // AdamW, then clamp
                Tensor t = e.getValue();
                float[][] m = moments.get(e.getKey());
                kernels.scale(t.numel(), 1f - (float) (lr * s.weightDecay()), t.data(), 0);
                kernels.adamStep(t.numel(), t.data(), 0, t.grad(), 0, m[0], 0, m[1], 0, lr, 0.9f, (float) s.beta2(), 1e-8f, step + 1);
                float[] d = t.data();
                for (int i = 0; i < d.length; i++) d[i] = Math.max(-1f, Math.min(1f, d[i]));
            }
            listener.step(step + 1, s.steps(), taskLoss, k);
        }
        Map<String, float[]> out = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : tau.entrySet()) out.put(e.getKey(), e.getValue().data().clone());
        return out;
    }

    /** The gates of the top-k nodes by τ (ties to the earlier location and channel). */
    public Map<String, Tensor> topK(Map<String, float[]> tau, long k) {
        return gates(tau, rank(tau), k);
    }

    /** Flat node indices (locations in order, channels within) by descending τ, ties to the lower index. */
    private static int[] rank(Map<String, float[]> tau) {
        int total = 0;
        for (float[] t : tau.values()) total += t.length;
        float[] all = new float[total];
        int q = 0;
        for (float[] t : tau.values()) {
            System.arraycopy(t, 0, all, q, t.length);
            q += t.length;
        }
        Integer[] order = new Integer[total];
        for (int i = 0; i < total; i++) order[i] = i;
        Arrays.sort(order, (a, b) -> all[a] != all[b] ? Float.compare(all[b], all[a]) : Integer.compare(a, b));
        int[] out = new int[total];
        for (int i = 0; i < total; i++) out[i] = order[i];
        return out;
    }

    /** The gates keeping the first k nodes of a ranking. */
    private static Map<String, Tensor> gates(Map<String, float[]> tau, int[] rank, long k) {
        float[] keep = new float[rank.length];
        for (int i = 0; i < Math.min(k, rank.length); i++) keep[rank[i]] = 1f;
        Map<String, Tensor> gates = new LinkedHashMap<>();
        int q = 0;
        for (Map.Entry<String, float[]> e : tau.entrySet()) {
            int w = e.getValue().length;
            gates.put(e.getKey(), Tensor.constant(Arrays.copyOfRange(keep, q, q + w), w));
            q += w;
        }
        return gates;
    }

    /** Held-out task loss of the circuit with these gates. */
    public double loss(Map<String, Tensor> gates, List<TaskLoss.Sequence> heldOut) {
        resampleCalls = 0; // the same resampled windows for every circuit compared, so the bisection sees one function of k
        return TaskLoss.evaluate(model, heldOut, evaluation, mask(gates)).loss();
    }

    /**
     * The necessity check (SPEC §4.9, "inverse pruning"): the held-out task loss with only the circuit's nodes
     * ablated and everything else kept. A faithful circuit's removal should cripple the task.
     */
    public double necessityLoss(Map<String, Tensor> circuitGates, List<TaskLoss.Sequence> heldOut) {
        Map<String, Tensor> inverse = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : circuitGates.entrySet()) {
            float[] g = e.getValue().data(), inv = new float[g.length];
            for (int i = 0; i < g.length; i++) inv[i] = g[i] >= 0.5f ? 0f : 1f;
            inverse.put(e.getKey(), Tensor.constant(inv, inv.length));
        }
        return loss(inverse, heldOut);
    }

    /** One kept node's (or location's) ablation delta: held-out task loss without it minus the circuit's loss. */
    public record Delta(String hook, int channel, double delta) {
    }

    /**
     * Per-location ("block") deltas: every kept node of one location ablated at once; channel is −1. Locations
     * with no kept node are skipped.
     */
    public List<Delta> blockDeltas(Map<String, Tensor> gates, List<TaskLoss.Sequence> heldOut) {
        return blockDeltas(gates, heldOut, loss(gates, heldOut));
    }

    /**
     * {@link #blockDeltas(Map, List)} given the circuit's own held-out loss (the bisection's at its k: one
     * evaluation fewer).
     */
    public List<Delta> blockDeltas(Map<String, Tensor> gates, List<TaskLoss.Sequence> heldOut, double base) {
        List<Delta> out = new ArrayList<>();
        for (String hook : gates.keySet()) {
            float[] g = gates.get(hook).data();
            boolean any = false;
            for (float f : g) any |= f >= 0.5f;
            if (!any) continue;
            Map<String, Tensor> without = new LinkedHashMap<>(gates);
            without.put(hook, Tensor.constant(new float[g.length], g.length));
            out.add(new Delta(hook, -1, loss(without, heldOut) - base));
        }
        return out;
    }

    /** Per-node deltas of the first {@code limit} kept nodes (location order), largest first. */
    public List<Delta> nodeDeltas(Map<String, Tensor> gates, List<TaskLoss.Sequence> heldOut, int limit) {
        return nodeDeltas(gates, heldOut, limit, loss(gates, heldOut));
    }

    /** {@link #nodeDeltas(Map, List, int)} given the circuit's own held-out loss (one evaluation fewer). */
    public List<Delta> nodeDeltas(Map<String, Tensor> gates, List<TaskLoss.Sequence> heldOut, int limit, double base) {
        List<Delta> out = new ArrayList<>();
        for (String hook : gates.keySet()) {
            float[] g = gates.get(hook).data();
            for (int c = 0; c < g.length && out.size() < limit; c++) {
                if (g[c] < 0.5f) continue;
                float[] without = g.clone();
                without[c] = 0f;
                Map<String, Tensor> m = new LinkedHashMap<>(gates);
                m.put(hook, Tensor.constant(without, without.length));
                out.add(new Delta(hook, c, loss(m, heldOut) - base));
            }
        }
        out.sort((a, b) -> Double.compare(b.delta(), a.delta()));
        return out;
    }

    /** One whole pruning: trained τ, the bisection, and the circuit at its k (gates and circuit null when out of reach). */
    public record Outcome(Map<String, float[]> tau, Bisection bisection, Map<String, Tensor> gates,
                          sparsecircuits.pruning.circuit.Circuit circuit) {
        public boolean reached() {
            return bisection.k() >= 0;
        }

        /** Whether this outcome, as a control, undermines a real circuit: it reached the target with ≤ {@code limit} edges. */
        public boolean flags(long limit) {
            return reached() && circuit.edges().size() <= limit;
        }
    }

    /** Mask training, then the bisection to {@code target} on the held-out sequences, then the circuit at that k. */
    public Outcome prune(List<TaskLoss.Sequence> train, List<TaskLoss.Sequence> heldOut, Settings s, double target, Listener listener) {
        Map<String, float[]> tau = train(train, s, listener);
        return outcome(tau, heldOut, target);
    }

    /** The circuit for {@code target} from an already trained τ (one mask training serves a sweep of targets). */
    public Outcome outcome(Map<String, float[]> tau, List<TaskLoss.Sequence> heldOut, double target) {
        Bisection b = bisect(tau, heldOut, target);
        if (b.k() < 0) return new Outcome(tau, b, null, null);
        Map<String, Tensor> gates = topK(tau, b.k());
        return new Outcome(tau, b, gates, sparsecircuits.pruning.circuit.Circuit.of(model, gates));
    }

    /**
     * The random-init control's model (SPEC §7.3): the same architecture freshly initialised with {@code seed}, each
     * sparse tensor cut to the trained model's nonzero count by magnitude (the same per-tensor L0).
     */
    public static Gpt randomLike(Gpt trained, long seed) {
        Gpt random = new Gpt(trained.config(), seed);
        List<Parameter> from = trained.parameterList(), to = random.parameterList(); // one config: the same parameters in the same order
        for (int i = 0; i < from.size(); i++) {
            Parameter p = from.get(i);
            if (p.isSparse() && p.nnz() < p.numel()) to.get(i).sparsify(p.nnz(), 0);
        }
        return random;
    }

    /** Every binary sequence with its two targets swapped: the inverted-task control (A must now predict target B). */
    public static List<TaskLoss.Sequence> inverted(List<TaskLoss.Sequence> seqs) {
        List<TaskLoss.Sequence> out = new ArrayList<>();
        for (TaskLoss.Sequence q : seqs) out.add(new TaskLoss.Sequence(q.tokens(), q.other(), q.correct(), q.kind()));
        return out;
    }

    /**
     * The nonsense task (the control of DESIGN.md's Clarifications): every binary sequence's target drawn at random
     * between its two target tokens (a seeded coin flip per prompt), so that no rule links a prompt to its target.
     * Sequences of another kind are kept as they are.
     */
    public static List<TaskLoss.Sequence> nonsense(List<TaskLoss.Sequence> seqs, long seed) {
        java.util.SplittableRandom coin = new java.util.SplittableRandom(seed);
        List<TaskLoss.Sequence> out = new ArrayList<>();
        for (TaskLoss.Sequence q : seqs) {
            boolean swap = q.kind() == sparsecircuits.pruning.loss.Choice.BINARY && coin.nextBoolean();
            out.add(swap ? new TaskLoss.Sequence(q.tokens(), q.other(), q.correct(), q.kind()) : q);
        }
        return out;
    }

    /** Smallest k (by τ rank) whose circuit's held-out loss is ≤ target; binary search over [0, nodes]. */
    public Bisection bisect(Map<String, float[]> tau, List<TaskLoss.Sequence> heldOut, double target) {
        long total = NodeLocation.count(model.config());
        List<Point> points = new ArrayList<>();
        int[] rank = rank(tau); // one sort for the whole bisection
        double full = loss(gates(tau, rank, total), heldOut);
        points.add(new Point(total, full));
        if (full > target) return new Bisection(-1, full, full, points);
        long lo = 0, hi = total;
        double hiLoss = full;
        while (lo < hi) {
            long mid = (lo + hi) >>> 1;
            double l = loss(gates(tau, rank, mid), heldOut);
            points.add(new Point(mid, l));
            if (l <= target) {
                hi = mid;
                hiLoss = l;
            } else {
                lo = mid + 1;
            }
        }
        points.sort((a, b) -> Long.compare(a.k(), b.k()));
        return new Bisection(hi, hiLoss, full, points);
    }
}
