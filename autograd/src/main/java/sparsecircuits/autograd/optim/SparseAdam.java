package sparsecircuits.autograd.optim;

import sparsecircuits.autograd.param.Parameter;
import sparsecircuits.kernels.Kernels;

import java.util.List;

/**
 * One training step's parameter update, in the authoritative order of SPEC §2.5 (steps 3–6), given the
 * gradients the backward pass left in each {@link Parameter#grad()}:
 * <ol>
 *   <li>global gradient-RMS normalisation over <b>all</b> parameters (bigram table included, SPEC §7.5
 *       item 4): rms = √(Σg² / N), every gradient divided by (rms + 1e-5);
 *   <li>Adam on every parameter with dense moments (β 0.9/0.95, ε 0.1, bias-corrected, no built-in decay:
 *       {@link Kernels#adamStep}, which is {@code torch.optim.Adam});
 *   <li>per-tensor exact top-k of every SPARSE parameter with the current budget
 *       ({@link Schedule#keptCount}) and the minimum-per-neuron rule j (ROWS/COLUMNS rules only);
 *   <li>decoupled weight decay {@code p ← p − λ·lr_t·p} for every ≥2-D parameter except the bigram table
 *       ({@link Parameter#weightDecay()}).
 * </ol>
 * lr_t = lr · warmup/decay(t) · sharkfin(t) with t the number of steps taken before this one (0-based
 * schedule step); Adam's bias-correction step is t + 1. The counter is {@link #stepsTaken()} and can be
 * restored with {@link #setStepsTaken} (checkpoints). Gradients are left normalised, not zeroed.
 */
public final class SparseAdam {

    /** Hyper-parameters; {@link #defaults()} are SPEC §2.3's. */
    public record Settings(float beta1, float beta2, float eps, float weightDecay, int minPerNeuron, float rmsEps) {
        public Settings {
            if (!(beta1 >= 0 && beta1 < 1)) throw new IllegalArgumentException("beta1 must be in [0, 1), got " + beta1);
            if (!(beta2 >= 0 && beta2 < 1)) throw new IllegalArgumentException("beta2 must be in [0, 1), got " + beta2);
            if (!(eps >= 0)) throw new IllegalArgumentException("eps must be ≥ 0, got " + eps);
            if (!(weightDecay >= 0)) throw new IllegalArgumentException("weightDecay must be ≥ 0, got " + weightDecay);
            if (minPerNeuron < 0) throw new IllegalArgumentException("minPerNeuron j must be ≥ 0, got " + minPerNeuron);
            if (!(rmsEps > 0)) throw new IllegalArgumentException("rmsEps must be > 0, got " + rmsEps);
        }

        /** β (0.9, 0.95), ε 0.1, λ 0.1, j 4, rms ε 1e-5. */
        public static Settings defaults() {
            return new Settings(0.9f, 0.95f, 0.1f, 0.1f, 4, 1e-5f);
        }

        public Settings withMinPerNeuron(int j) {
            return new Settings(beta1, beta2, eps, weightDecay, j, rmsEps);
        }

        public Settings withWeightDecay(float lambda) {
            return new Settings(beta1, beta2, eps, lambda, minPerNeuron, rmsEps);
        }
    }

    /** What one step did: its schedule step, lr_t, pfrac_t and the gradient RMS before normalisation. */
    public record StepInfo(long step, double lr, double pfrac, double gradRms, long nonZeros) {
    }

    private final List<Parameter> params;
    private final Schedule schedule;
    private final Kernels kernels;
    private final Settings settings;
    private final double baseLr;
    private long stepsTaken;

    public SparseAdam(List<Parameter> params, Schedule schedule, double baseLr, Settings settings, Kernels kernels) {
        if (params == null || params.isEmpty()) throw new IllegalArgumentException("no parameters to optimise");
        if (!(baseLr >= 0) || Double.isInfinite(baseLr)) throw new IllegalArgumentException("lr must be ≥ 0, got " + baseLr);
        java.util.Set<String> names = new java.util.HashSet<>();
        for (Parameter p : params) {
            if (!names.add(p.name())) throw new IllegalArgumentException("duplicate parameter name " + p.name());
        }
        this.params = List.copyOf(params);
        this.schedule = java.util.Objects.requireNonNull(schedule, "schedule");
        this.settings = java.util.Objects.requireNonNull(settings, "settings");
        this.kernels = java.util.Objects.requireNonNull(kernels, "kernels");
        this.baseLr = baseLr;
    }

    public List<Parameter> parameters() {
        return params;
    }

    public Schedule schedule() {
        return schedule;
    }

    public Settings settings() {
        return settings;
    }

    public double baseLr() {
        return baseLr;
    }

    /** Steps taken so far: the schedule step of the next {@link #step()}; Adam's t is this + 1. */
    public long stepsTaken() {
        return stepsTaken;
    }

    /** Restores the step counter (from a checkpoint, together with each parameter's moments). */
    public void setStepsTaken(long steps) {
        if (steps < 0) throw new IllegalArgumentException("steps must be ≥ 0, got " + steps);
        this.stepsTaken = steps;
    }

    /**
     * Checks, before training, that the minimum-per-neuron rule can be met at the final (smallest) budget
     * of every sparse tensor (budgets only shrink: {@link Schedule#keptCount} is non-increasing).
     *
     * @throws IllegalArgumentException naming the first tensor where j·neurons &gt; k
     */
    public void checkBudgets() {
        int j = settings.minPerNeuron();
        for (Parameter p : params) {
            if (!p.isSparse() || !p.rule().hasMinimum() || j == 0) continue;
            int k = schedule.keptCount(p.rule().budget(), p.numel(), schedule.totalSteps());
            if (k >= p.numel()) continue;
            int neurons = p.rule().neurons() == sparsecircuits.kernels.select.TopK.Neurons.ROWS ? p.rows() : p.cols();
            if ((long) j * neurons > k) {
                throw new IllegalArgumentException(p.name() + ": minimum-per-neuron rule cannot be met at the target budget: j·neurons = "
                        + j + "·" + neurons + " = " + ((long) j * neurons) + " > k = " + k + " (lower j or raise pfrac)");
            }
        }
    }

    /** Runs steps 3–6 of SPEC §2.5 at schedule step {@link #stepsTaken()}, then advances the counter. */
    public StepInfo step() {
        long t = stepsTaken;
        double lrT = schedule.lr(baseLr, t);
        double pfracT = schedule.pfracAt(t);
        double rms = normalizeGradients();
        adam((float) lrT, t + 1);
        long nonZeros = sparsifyAll(t);
        decay(lrT);
        stepsTaken = t + 1;
        return new StepInfo(t, lrT, pfracT, rms, nonZeros);
    }

    /**
     * Global gradient-RMS normalisation: rms = √(Σ g² / N) over every parameter, then g /= (rms + rmsEps).
     * Returns rms (before).
     *
     * @throws IllegalStateException naming the first parameter with a non-finite gradient (nothing changed)
     */
    public double normalizeGradients() {
        double ss = 0;
        long n = 0;
        for (Parameter p : params) {
            double s = kernels.sumSquares(p.numel(), p.grad(), 0);
            if (!Double.isFinite(s)) {
                throw new IllegalStateException("non-finite gradient in " + p.name() + " at step " + stepsTaken);
            }
            ss += s;
            n += p.numel();
        }
        double rms = Math.sqrt(ss / n);
        float inv = (float) (1.0 / (rms + settings.rmsEps()));
        for (Parameter p : params) {
            kernels.scale(p.numel(), inv, p.grad(), 0);
        }
        return rms;
    }

    private void adam(float lr, long adamStep) {
        for (Parameter p : params) {
            kernels.adamStep(p.numel(), p.value(), 0, p.grad(), 0, p.m(), 0, p.v(), 0,
                    lr, settings.beta1(), settings.beta2(), settings.eps(), adamStep);
        }
    }

    /**
     * Top-k of every sparse parameter with the budget of schedule step t; returns the total kept count.
     * Tensors are independent, so they are split over the worker pool by size (each tensor has one writer,
     * so the result does not depend on the thread count).
     */
    private long sparsifyAll(long t) {
        int n = params.size();
        int[] prefix = new int[n + 1];
        for (int i = 0; i < n; i++) {
            Parameter p = params.get(i);
            prefix[i + 1] = prefix[i] + (p.isSparse() ? p.numel() : 0);
        }
        kernels.pool().forWeightedRange(n, prefix, 0, 8, (i0, i1) -> {
            for (int i = i0; i < i1; i++) {
                Parameter p = params.get(i);
                if (p.isSparse()) p.sparsify(schedule.keptCount(p.rule().budget(), p.numel(), t), settings.minPerNeuron());
            }
        });
        long kept = 0;
        for (Parameter p : params) kept += p.isSparse() ? p.nnz() : p.numel();
        return kept;
    }

    private void decay(double lr) {
        float factor = (float) (1.0 - (double) settings.weightDecay() * lr);
        if (factor == 1f) return;
        for (Parameter p : params) {
            if (p.weightDecay()) {
                kernels.scale(p.numel(), factor, p.value(), 0);
                if (p.isSparse()) p.refreshCsrValues();
            }
        }
    }
}
