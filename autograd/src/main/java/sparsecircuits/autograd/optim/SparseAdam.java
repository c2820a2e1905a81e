package sparsecircuits.autograd.optim;

import sparsecircuits.autograd.param.HeldEntries;
import sparsecircuits.autograd.param.Parameter;
import sparsecircuits.kernels.Kernels;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
     * What the sparse tensors' target budgets allow (budgets only shrink during the anneal, so the target is the
     * binding one: {@link Schedule#keptCount} is non-increasing).
     *
     * @param pfrac           the schedule's target pfrac
     * @param expansion       the schedule's E
     * @param minPerNeuron    j of the settings
     * @param maxPfrac        the largest pfrac that asks no sparse tensor for more entries than it holds: E² when only
     *                        matrices are sparse, E when an embedding or bias is (it keeps pfrac/E)
     * @param maxMinPerNeuron the largest j every tensor's budget meets at this pfrac ({@link Integer#MAX_VALUE} when
     *                        no tensor with the rule is sparse at the target)
     * @param minPfrac        the smallest pfrac of at most three significant digits at which j is met, rounded up so
     *                        that it can be written down (0 when j is 0; NaN when no pfrac up to maxPfrac meets j, i.e.
     *                        j is above some neuron's fan-in)
     */
    public record Budgets(double pfrac, double expansion, int minPerNeuron, double maxPfrac, int maxMinPerNeuron, double minPfrac) {
    }

    /** The limits of {@link Budgets} for this optimizer's parameters, schedule and j. */
    public Budgets budgets() {
        int j = settings.minPerNeuron();
        long t = schedule.totalSteps();
        double maxPfrac = Double.POSITIVE_INFINITY, need = 0;
        int maxJ = Integer.MAX_VALUE;
        boolean possible = true;
        for (Parameter p : params) {
            if (!p.isSparse()) continue;
            maxPfrac = Math.min(maxPfrac, schedule.pfracFor(p.rule().budget(), 1));
            if (!p.rule().hasMinimum()) continue;
            int k = schedule.keptCount(p.rule().budget(), p.numel(), t), neurons = neurons(p);
            if (k < p.numel()) maxJ = Math.min(maxJ, k / neurons);
            if ((long) j * neurons > p.numel()) possible = false; // j above the fan-in: no budget is enough
            else need = Math.max(need, schedule.pfracFor(p.rule().budget(), (double) j * neurons / p.numel()));
        }
        double minPfrac = Double.NaN;
        if (j == 0) {
            minPfrac = 0;
        } else if (possible) {
            while (!meets(j, need)) need = Math.nextUp(need); // pfracFor's rounding: a few ulps at most
            // rounded up, it still works (kept counts grow with pfrac); the exact value only when rounding crosses maxPfrac
            double tidy = new BigDecimal(need).round(new MathContext(3, RoundingMode.CEILING)).doubleValue();
            minPfrac = tidy <= maxPfrac ? tidy : need <= maxPfrac ? need : Double.NaN;
        }
        return new Budgets(schedule.pfrac(), schedule.expansion(), j, maxPfrac, maxJ, minPfrac);
    }

    /** Whether every tensor with the rule keeps at least j per neuron at the target budget of pfrac p. */
    private boolean meets(int j, double p) {
        Schedule s = schedule.withPfrac(p);
        for (Parameter q : params) {
            if (!q.isSparse() || !q.rule().hasMinimum()) continue;
            int k = s.keptCount(q.rule().budget(), q.numel(), s.totalSteps());
            if (k < q.numel() && (long) j * neurons(q) > k) return false;
        }
        return true;
    }

    /**
     * How much of the target budgets the minimum-per-neuron rule dictates: the j·neurons entries it forces are kept
     * whatever their magnitude, so a share near 1 means the pattern is the rule's, not the top-k's.
     *
     * @param perTensor per sparse tensor with the rule, in parameter order: min(1, j·neurons / kept) with kept the
     *                  target budget ({@link Schedule#keptCount} at the end of the schedule)
     * @param overall   Σ forced / Σ kept over those tensors (0 when there is none)
     */
    public record ForcedShare(Map<String, Double> perTensor, double overall) {
    }

    /** The {@link ForcedShare} of this optimizer's parameters, schedule and j. */
    public ForcedShare forcedShare() {
        long j = settings.minPerNeuron(), t = schedule.totalSteps();
        Map<String, Double> perTensor = new LinkedHashMap<>();
        long forced = 0, kept = 0;
        for (Parameter p : params) {
            if (!p.isSparse() || !p.rule().hasMinimum()) continue;
            int k = schedule.keptCount(p.rule().budget(), p.numel(), t);
            long f = Math.min(k, j * neurons(p));
            perTensor.put(p.name(), (double) f / k);
            forced += f;
            kept += k;
        }
        return new ForcedShare(Collections.unmodifiableMap(perTensor), kept == 0 ? 0 : (double) forced / kept);
    }

    private static int neurons(Parameter p) {
        return p.rule().neurons() == sparsecircuits.kernels.select.TopK.Neurons.ROWS ? p.rows() : p.cols();
    }

    /**
     * Checks, before training, that the target budget of every sparse tensor can be met: pfrac asks no tensor for
     * more entries than it holds, and the minimum-per-neuron rule fits in every budget.
     *
     * @throws BudgetException naming the first tensor that fails, with the {@link #budgets()} that would work
     */
    public void checkBudgets() {
        long t = schedule.totalSteps();
        for (Parameter p : params) { // pfrac first: above E² (or E) the anneal would run towards a denser model
            if (!p.isSparse() || schedule.pfrac() <= schedule.pfracFor(p.rule().budget(), 1)) continue;
            Budgets b = budgets();
            throw new BudgetException("pfrac " + decimal(b.pfrac()) + " asks for more nonzeros than " + p.name()
                    + " holds: pfrac must be ≤ " + decimal(b.maxPfrac()) + " at expansion factor " + decimal(b.expansion()),
                    BudgetException.Reason.PFRAC_ABOVE_DENSE, p.name(), 0, 0, b);
        }
        int j = settings.minPerNeuron();
        for (Parameter p : params) {
            if (!p.isSparse() || !p.rule().hasMinimum() || j == 0) continue;
            int k = schedule.keptCount(p.rule().budget(), p.numel(), t);
            if (k >= p.numel()) continue;
            int neurons = neurons(p);
            if ((long) j * neurons > k) {
                Budgets b = budgets();
                throw new BudgetException(p.name() + ": minimum-per-neuron rule cannot be met at the target budget: j·neurons = "
                        + j + "·" + neurons + " = " + ((long) j * neurons) + " > k = " + k + "; the largest j that works is "
                        + b.maxMinPerNeuron() + (Double.isNaN(b.minPfrac()) ? ", and no pfrac meets j = " + j
                        : ", the smallest pfrac for j = " + j + " is " + decimal(b.minPfrac())),
                        BudgetException.Reason.MIN_PER_NEURON, p.name(), k, neurons, b);
            }
        }
    }

    /** A number as written by hand: 2 rather than 2.0, 0.0417 rather than 4.17E-2. */
    static String decimal(double x) {
        return BigDecimal.valueOf(x).stripTrailingZeros().toPlainString();
    }

    /**
     * Runs steps 3–6 of SPEC §2.5 at schedule step {@link #stepsTaken()}, then advances the counter. Two passes over
     * each tensor (after the one that sums the squared gradients): the gradient scale, Adam and, for a tensor with no
     * top-k this step, the decay in one kernel; then the top-k, whose write-back applies the decay to the kept values.
     * The floats are those of the four steps run one after the other: the same operations in the same order.
     */
    public StepInfo step() {
        long t = stepsTaken;
        double lrT = schedule.lr(baseLr, t);
        double pfracT = schedule.pfracAt(t);
        double rms = gradientRms();
        float inv = gradientScale(rms);
        float decay = decayFactor(lrT);
        for (Parameter p : params) {
            // decay after the top-k when there is one (it selects on the undecayed values), else in the Adam pass
            float adamDecay = p.weightDecay() && keptCount(p, t) >= p.numel() ? decay : 1f;
            if (p.isHeld()) { // the scalable recipe: the held entries only
                HeldEntries h = p.held();
                kernels.adamStep(h.size(), h.value(), 0, h.grad(), 0, h.m(), 0, h.v(), 0,
                        (float) lrT, settings.beta1(), settings.beta2(), settings.eps(), t + 1, inv, adamDecay);
                continue;
            }
            kernels.adamStep(p.numel(), p.value(), 0, p.grad(), 0, p.m(), 0, p.v(), 0,
                    (float) lrT, settings.beta1(), settings.beta2(), settings.eps(), t + 1, inv, adamDecay);
        }
        long nonZeros = sparsifyAll(t, decay);
        stepsTaken = t + 1;
        return new StepInfo(t, lrT, pfracT, rms, nonZeros);
    }

    /**
     * √(Σ g² / N) over every parameter; throws naming the first non-finite gradient. A held weight (the scalable
     * recipe) counts all its entries, as in the paper recipe, but knows its dense gradient only on a regrowth step
     * (streamed with the candidates): there its Σ g² is exact and its ratio to the held entries' Σ g² is kept; on the
     * other steps its Σ g² is the held entries' times that ratio. Normalising by the held entries alone put the
     * gradients on another scale than the paper recipe's, and with Adam's ε of 0.1 the step depends on it (worth 0.6%
     * of validation loss at E 8, BENCHMARKS.md).
     */
    private double gradientRms() {
        double ss = 0;
        long n = 0;
        for (Parameter p : params) {
            double s;
            if (p.isHeld()) {
                double heldSquares = kernels.sumSquares(p.held().size(), p.held().grad(), 0), dense = p.takeDenseSumSquares();
                if (!Double.isNaN(dense)) {
                    if (heldSquares > 0 && dense > 0 && Double.isFinite(dense)) p.setDenseOverHeldSquares(Math.max(1.0, dense / heldSquares));
                    s = Double.isFinite(heldSquares) ? dense : heldSquares;
                } else {
                    s = heldSquares * p.denseOverHeldSquares();
                }
            } else {
                s = kernels.sumSquares(p.numel(), p.grad(), 0);
            }
            if (!Double.isFinite(s)) {
                throw new IllegalStateException("non-finite gradient in " + p.name() + " at step " + stepsTaken);
            }
            ss += s;
            n += p.numel();
        }
        return Math.sqrt(ss / n);
    }

    /** The factor every gradient is multiplied by: 1 / (rms + rmsEps), rounded once to float. */
    private float gradientScale(double rms) {
        return (float) (1.0 / (rms + settings.rmsEps()));
    }

    /** Decoupled weight decay as a factor: 1 − λ·lr_t, rounded once to float. */
    private float decayFactor(double lr) {
        return (float) (1.0 - (double) settings.weightDecay() * lr);
    }

    /** The kept count of a sparse parameter at schedule step t; numel for a dense one (no top-k). */
    private int keptCount(Parameter p, long t) {
        return p.isSparse() ? schedule.keptCount(p.rule().budget(), p.numel(), t) : p.numel();
    }

    /**
     * Top-k of every sparse parameter with the budget of schedule step t, the decay applied to the kept values of
     * those with weight decay (unless everything is kept: then the Adam pass applied it); returns the total kept count.
     * Tensors are independent, so they are split over the worker pool by size (each tensor has one writer,
     * so the result does not depend on the thread count).
     */
    private long sparsifyAll(long t, float decay) {
        int n = params.size();
        int[] prefix = new int[n + 1];
        for (int i = 0; i < n; i++) {
            Parameter p = params.get(i);
            prefix[i + 1] = prefix[i] + (p.isSparse() ? p.numel() : 0);
        }
        kernels.pool().forWeightedRange(n, prefix, 0, 8, (i0, i1) -> {
            for (int i = i0; i < i1; i++) {
                Parameter p = params.get(i);
                if (!p.isSparse()) continue;
                int k = keptCount(p, t);
                p.sparsify(k, settings.minPerNeuron(), p.weightDecay() && k < p.numel() ? decay : 1f);
            }
        });
        long kept = 0;
        for (Parameter p : params) kept += p.isSparse() ? p.nnz() : p.numel();
        return kept;
    }
}
