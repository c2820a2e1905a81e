package sparsecircuits.autograd.optim;

import sparsecircuits.autograd.param.Parameter.BudgetClass;

/**
 * The training schedules of SPEC §2.2 and §2.4 (Appendix A.2), as pure functions of the 0-based step
 * {@code t} of a run of {@code T} steps. Immutable.
 *
 * <ul>
 *   <li><b>Warmup/decay</b> (§2.4): with W = warmupFrac·T (a real number, not rounded),
 *       {@code lrFactor(t) = t/W} for t &lt; W, else {@code 1 − (t−W)/(T−W)}; 0 at t = 0 (if W &gt; 0),
 *       1 at t = W, 0 at t = T.
 *   <li><b>L0 anneal</b> (§2.2): {@code pfrac_t = E² + (pfrac − E²)·u}, u = clamp((t − s·T)/((e − s)·T), 0, 1)
 *       with s = annealStartFrac (0.01) and e = annealStopFrac (0.5); exactly E² (dense) for t ≤ s·T and
 *       exactly pfrac for t ≥ e·T.
 *   <li><b>Sharkfin</b> (§2.4): {@code sharkfin(t) = √(pfrac / pfrac_t)}, √(pfrac/E²) at the start, 1 from
 *       the anneal stop on; {@code lr_t = lr · lrFactor(t) · sharkfin(t)}.
 *   <li><b>Kept fraction</b> (§2.1): a MATRIX tensor keeps {@code pfrac_t / E²} (i.e. pfrac_t × its size in
 *       the base model). A VOCAB_OR_BIAS tensor (embedding, unembedding, bias) uses the smooth ("fixed")
 *       schedule of Appendix A.2 by default: pfrac_t is mapped linearly from [pfrac, E²] onto [pfrac, E],
 *       {@code adj = pfrac + (E − pfrac)·(pfrac_t − pfrac)/(E² − pfrac)}, and the fraction is adj/E, so it
 *       goes from 1 (dense) to pfrac/E over the same anneal window as the matrices. The alternative
 *       {@link EmbeddingSchedule#PAPER_STEP} is {@code min(1, pfrac_t/E)}: SPEC §2.2's inferred
 *       reconstruction of the paper's kept bug (dense until pfrac_t &lt; E, then a collapse late in the
 *       window). SPEC says either is acceptable; we default to the smooth one because it anneals every
 *       tensor over the same window and is simpler to reason about. Both reach pfrac/E at the stop.
 *   <li><b>Kept count</b>: {@code kept = clamp(floor(frac·numel·(1 + 2⁻⁴⁰)), 1, numel)}, frac clamped to
 *       [0, 1], computed in double. The relative slack 2⁻⁴⁰ only keeps a product that is an integer in
 *       exact arithmetic (e.g. pfrac·base size) from flooring one below because of rounding in pfrac_t; it
 *       cannot change a result whose exact value is further than ~10⁻¹² relative from an integer. Every
 *       operation is monotone in t, so the count is non-increasing in t whenever pfrac ≤ E² (and
 *       the clamp to numel makes it constant otherwise).
 * </ul>
 */
public final class Schedule {

    /** How embeddings, unembedding and biases anneal (SPEC §2.2). */
    public enum EmbeddingSchedule {
        /** Appendix A.2's fixed schedule: linear from dense to pfrac/E over the anneal window. */
        SMOOTH,
        /** {@code min(1, pfrac_t/E)}: the paper's (inferred) kept bug. */
        PAPER_STEP
    }

    private static final double SLACK = 1.0 + 0x1p-40;

    private final long totalSteps;
    private final double pfrac;
    private final double expansion;
    private final double warmupFrac;
    private final double annealStartFrac;
    private final double annealStopFrac;
    private final EmbeddingSchedule embedding;

    /**
     * @param totalSteps T ≥ 1
     * @param pfrac the target L0 relative to the base model's parameter count (&gt; 0)
     * @param expansion E = d_model / base-width (≥ 1 in practice; &gt; 0)
     * @param warmupFrac W/T in [0, 1) (SPEC: 0.01)
     * @param annealStartFrac in [0, 1] (SPEC: 0.01)
     * @param annealStopFrac in (annealStartFrac, 1] (SPEC: 0.5; 0.8 for the sparsest models)
     */
    public Schedule(long totalSteps, double pfrac, double expansion, double warmupFrac,
                    double annealStartFrac, double annealStopFrac, EmbeddingSchedule embedding) {
        if (totalSteps < 1) throw new IllegalArgumentException("totalSteps must be ≥ 1, got " + totalSteps);
        if (!(pfrac > 0) || Double.isInfinite(pfrac)) throw new IllegalArgumentException("pfrac must be > 0, got " + pfrac);
        if (!(expansion > 0) || Double.isInfinite(expansion)) {
            throw new IllegalArgumentException("expansion factor E must be > 0, got " + expansion);
        }
        if (!(warmupFrac >= 0 && warmupFrac < 1)) throw new IllegalArgumentException("warmupFrac must be in [0, 1), got " + warmupFrac);
        if (!(annealStartFrac >= 0 && annealStartFrac <= 1)) {
            throw new IllegalArgumentException("annealStartFrac must be in [0, 1], got " + annealStartFrac);
        }
        if (!(annealStopFrac > annealStartFrac && annealStopFrac <= 1)) {
            throw new IllegalArgumentException("annealStopFrac must be in (annealStartFrac = " + annealStartFrac
                    + ", 1], got " + annealStopFrac);
        }
        if (embedding == null) throw new IllegalArgumentException("embedding schedule must not be null");
        this.totalSteps = totalSteps;
        this.pfrac = pfrac;
        this.expansion = expansion;
        this.warmupFrac = warmupFrac;
        this.annealStartFrac = annealStartFrac;
        this.annealStopFrac = annealStopFrac;
        this.embedding = embedding;
    }

    /** SPEC defaults: warmup 1%, anneal from 1% to 50%, smooth embedding/bias schedule. */
    public static Schedule standard(long totalSteps, double pfrac, double expansion) {
        return new Schedule(totalSteps, pfrac, expansion, 0.01, 0.01, 0.5, EmbeddingSchedule.SMOOTH);
    }

    /** A dense run: pfrac = E² (no annealing, sharkfin 1, everything kept), same warmup/decay. */
    public static Schedule dense(long totalSteps) {
        return new Schedule(totalSteps, 1.0, 1.0, 0.01, 0.01, 0.5, EmbeddingSchedule.SMOOTH);
    }

    public long totalSteps() {
        return totalSteps;
    }

    public double pfrac() {
        return pfrac;
    }

    public double expansion() {
        return expansion;
    }

    public double annealStartFrac() {
        return annealStartFrac;
    }

    public double annealStopFrac() {
        return annealStopFrac;
    }

    public EmbeddingSchedule embeddingSchedule() {
        return embedding;
    }

    /** Warmup (linear from 0) then linear decay to 0 at T. */
    public double lrFactor(long t) {
        double w = warmupFrac * totalSteps;
        if (t < w) {
            return t / w;
        }
        double f = 1.0 - (t - w) / (totalSteps - w);
        return Math.max(0.0, f);
    }

    /** The anneal progress u in [0, 1]. */
    public double annealProgress(long t) {
        double s = annealStartFrac * totalSteps;
        double e = annealStopFrac * totalSteps;
        if (t <= s) return 0.0;
        if (t >= e) return 1.0;
        return Math.min(1.0, (t - s) / (e - s));
    }

    /** pfrac_t: E² (dense) up to the anneal start, linear to pfrac at the anneal stop, pfrac after. */
    public double pfracAt(long t) {
        double e2 = expansion * expansion;
        double u = annealProgress(t);
        if (u == 0.0) return e2;
        if (u == 1.0) return pfrac;
        return e2 + (pfrac - e2) * u;
    }

    /** √(pfrac / pfrac_t). */
    public double sharkfin(long t) {
        return Math.sqrt(pfrac / pfracAt(t));
    }

    /** lr · lrFactor(t) · sharkfin(t). */
    public double lr(double baseLr, long t) {
        return baseLr * lrFactor(t) * sharkfin(t);
    }

    /** The kept fraction of a tensor of the given budget class at step t, in [0, 1]. */
    public double keptFraction(BudgetClass budget, long t) {
        double pt = pfracAt(t);
        double e2 = expansion * expansion;
        double frac;
        if (budget == BudgetClass.MATRIX) {
            frac = pt / e2;
        } else if (embedding == EmbeddingSchedule.PAPER_STEP) {
            frac = pt / expansion;
        } else {
            double adj = e2 == pfrac ? pfrac : pfrac + (expansion - pfrac) * (pt - pfrac) / (e2 - pfrac);
            frac = adj / expansion;
        }
        return Math.max(0.0, Math.min(1.0, frac));
    }

    /**
     * The target pfrac at which a tensor of the given class keeps {@code fraction} of its entries from the anneal stop
     * on: the inverse of {@link #keptFraction} there, fraction·E² for MATRIX and fraction·E for VOCAB_OR_BIAS (under
     * either embedding schedule). {@code pfracFor(budget, 1)} is the largest pfrac that does not ask the tensor for
     * more entries than it holds.
     */
    public double pfracFor(BudgetClass budget, double fraction) {
        return budget == BudgetClass.MATRIX ? fraction * expansion * expansion : fraction * expansion;
    }

    /** This schedule with another target pfrac. */
    public Schedule withPfrac(double p) {
        return new Schedule(totalSteps, p, expansion, warmupFrac, annealStartFrac, annealStopFrac, embedding);
    }

    /** The kept count of a tensor of {@code numel} entries: clamp(floor(frac·numel·(1+2⁻⁴⁰)), 1, numel). */
    public int keptCount(BudgetClass budget, int numel, long t) {
        return keptCount(keptFraction(budget, t), numel);
    }

    /** The rounding rule alone: clamp(floor(frac·numel·(1+2⁻⁴⁰)), 1, numel). */
    public static int keptCount(double frac, int numel) {
        if (numel < 1) throw new IllegalArgumentException("numel must be ≥ 1, got " + numel);
        double x = Math.floor(frac * numel * SLACK);
        if (!(x >= 1)) return 1;
        return x >= numel ? numel : (int) x;
    }
}
