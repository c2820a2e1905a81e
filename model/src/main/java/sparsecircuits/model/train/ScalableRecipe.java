package sparsecircuits.model.train;

import java.util.List;
import sparsecircuits.autograd.optim.Schedule;
import sparsecircuits.autograd.param.Parameter;

/**
 * Which sparse weights the scalable recipe holds, and how many entries (issue 18; DESIGN.md decision 1).
 *
 * <ul>
 *   <li>A 2-D sparse weight whose target kept count k is at most 1/({@value #START_MULTIPLE}·8) of its entries is held
 *       from the first step: its state lives on at most {@value #START_MULTIPLE}·k kept entries plus the candidates, so memory
 *       follows L0 and not rows × cols. The anneal's kept count is capped there, and the run starts at that density
 *       instead of dense; the schedule keeps its meaning once it falls below {@value #START_MULTIPLE}·k (at E 8 and
 *       pfrac 1/4 the cap is density 1/8, reached at 88% of the anneal).</li>
 *   <li>Why {@value #START_MULTIPLE}: the start is what the paper recipe's dense early steps give and a sparse start
 *       lacks. At E 8 (L0 A, 3,500 steps) a start at 8·k ended 5.9% above the paper recipe's validation loss, one at
 *       32·k 1.5% above (BENCHMARKS.md, "The scalable recipe"); a larger multiple would start E 8 denser than
 *       {@link #MAX_START_DENSITY}, where the recipe does not hold it (below). The price is the anneal's speed: its
 *       early steps run at the cap's density.</li>
 *   <li>A weight whose start would be denser than {@link #MAX_START_DENSITY} (at pfrac 1/4: E ≤ 4) stays in the
 *       paper recipe. Above that density the dense kernels beat the held ones (the CSR forward and dX break even with
 *       dense GEMM at 1/8, BENCHMARKS.md "linear crossover"): at E 4 a held start at density 1/2 made the anneal's steps
 *       twice the paper recipe's. Its dense state is then at most {@value #START_MULTIPLE}·8 = 256× its nonzeros, so
 *       memory stops following E² from E 8 at pfrac 1/4.</li>
 *   <li>Biases, gains, sinks and the bigram table are never held (1-D, or never sparse).</li>
 *   <li>Candidates: {@value #CANDIDATE_SHARE_PERCENT}% of k (at least one) per weight, refreshed every
 *       {@link TrainConfig#regrowEvery()} steps from the streamed dense gradient.</li>
 * </ul>
 */
public final class ScalableRecipe {
    /** The start density, as a multiple of the target kept count. */
    public static final int START_MULTIPLE = 32;
    /** The densest start held: a weight whose start would be denser trains in the paper recipe (dense kernels win there). */
    public static final double MAX_START_DENSITY = 1.0 / 8;
    /** Candidates per weight, in percent of its target kept count. */
    public static final int CANDIDATE_SHARE_PERCENT = 25;

    private ScalableRecipe() {
    }

    /** The held sizes of one weight, or why it is not held. */
    public record Holding(boolean held, int keptCap, int candidates) {
    }

    /** Whether a weight kept at {@code targetDensity} of its entries at the end is held: its start is at most 1/8 dense. */
    public static boolean holdsAtDensity(double targetDensity) {
        return START_MULTIPLE * targetDensity <= MAX_START_DENSITY;
    }

    /** What the recipe does with {@code p} under {@code schedule}. */
    public static Holding holding(Parameter p, Schedule schedule) {
        if (!p.isSparse() || p.shape().length != 2) return new Holding(false, p.numel(), 0);
        int target = schedule.keptCount(p.rule().budget(), p.numel(), schedule.totalSteps());
        long cap = (long) START_MULTIPLE * target;
        if (!holdsAtDensity((double) target / p.numel())) return new Holding(false, p.numel(), 0);
        int candidates = (int) Math.max(1, ((long) target * CANDIDATE_SHARE_PERCENT + 99) / 100);
        candidates = (int) Math.min(candidates, p.numel() - cap);
        return new Holding(true, (int) cap, candidates);
    }

    /** Holds every weight the recipe holds (a new run, before its first step); minimum-per-neuron j applies. */
    public static void holdAll(List<Parameter> params, Schedule schedule, int minPerNeuron) {
        for (Parameter p : params) {
            if (p.isHeld()) continue;
            Holding h = holding(p, schedule);
            if (h.held()) p.hold(h.keptCap() + h.candidates(), h.keptCap(), minPerNeuron);
        }
    }
}
