package sparsecircuits.pruning.compare;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import sparsecircuits.pruning.compare.Experiment.Circuit;
import sparsecircuits.pruning.compare.Experiment.TaskResult;

/**
 * The experiment's statistics, computed once for the report, the command line and the sweeps: the dense/sparse
 * ratios of circuit size, the loss-matched dense model, and when a task counts as solved.
 */
public final class Comparison {
    private Comparison() {
    }

    /**
     * A geometric-mean ratio dense/sparse at one target.
     *
     * @param geoMean the geometric mean of the per-task ratios; NaN when no task qualifies
     * @param tasks   over how many tasks (both models reached the target with a nonzero count)
     */
    public record Ratio(double geoMean, int tasks) {
    }

    /**
     * Geometric mean over tasks of edges(dense)/edges(sparse) at {@code target} for one pairing, where both models
     * reached it.
     */
    public static Ratio edgeRatio(Experiment e, Experiment.Pairing p, double target) {
        return ratio(e, p, target, true);
    }

    /** The same as {@link #edgeRatio} for kept nodes. */
    public static Ratio nodeRatio(Experiment e, Experiment.Pairing p, double target) {
        return ratio(e, p, target, false);
    }

    /** The headline pairing's edge ratio ({@link Experiment#headline()}); NaN over 0 tasks when there is none. */
    public static Ratio edgeRatio(Experiment e, double target) {
        return e.headline() == null ? new Ratio(Double.NaN, 0) : edgeRatio(e, e.headline(), target);
    }

    /** The headline pairing's node ratio. */
    public static Ratio nodeRatio(Experiment e, double target) {
        return e.headline() == null ? new Ratio(Double.NaN, 0) : nodeRatio(e, e.headline(), target);
    }

    private static Ratio ratio(Experiment e, Experiment.Pairing p, double target, boolean edges) {
        double logSum = 0;
        int n = 0;
        for (TaskResult t : list(e.tasks())) {
            Circuit s = at(t.circuits(p.sparseId()), target), d = at(t.circuits(p.denseId()), target);
            if (s == null || d == null || !s.reached() || !d.reached()) {
                continue;
            }
            long a = edges ? d.edges() : d.nodes(), b = edges ? s.edges() : s.nodes();
            if (a > 0 && b > 0) { // a zero count has no finite log ratio
                logSum += Math.log((double) a / b);
                n++;
            }
        }
        return new Ratio(n == 0 ? Double.NaN : Math.exp(logSum / n), n);
    }

    /** The circuit pruned to {@code target}, or null when there is none. */
    public static Circuit at(List<Circuit> circuits, double target) {
        for (Circuit c : list(circuits)) {
            if (c != null && (c.target() == target || Math.abs(c.target() - target) <= 1e-9 * Math.abs(target))) {
                return c;
            }
        }
        return null;
    }

    /**
     * The geometric mean of one model's circuit edges at {@code target} over {@code tasks} (all tasks when null) where
     * it reached the target with edges; NaN when there is none.
     */
    public static double geoMeanEdges(Experiment e, String modelId, double target, Set<String> tasks) {
        double logSum = 0;
        int n = 0;
        for (TaskResult t : list(e.tasks())) {
            if (tasks != null && !tasks.contains(t.task())) continue;
            Circuit c = at(t.circuits(modelId), target);
            if (c != null && c.reached() && c.edges() > 0) {
                logSum += Math.log(c.edges());
                n++;
            }
        }
        return n == 0 ? Double.NaN : Math.exp(logSum / n);
    }

    /**
     * The frontier's tasks (Fig. 3): those where every model reached {@code target} with a circuit that has edges. When
     * fewer than {@code minimum}, the figure falls back to each model's own tasks, and says so.
     */
    public static Set<String> commonTasks(Experiment e, double target) {
        Set<String> out = new LinkedHashSet<>();
        for (TaskResult t : list(e.tasks())) {
            boolean all = !list(e.models()).isEmpty();
            for (Experiment.Model m : list(e.models())) {
                Circuit c = at(t.circuits(m.id()), target);
                if (c == null || !c.reached() || c.edges() <= 0) all = false;
            }
            if (all) out.add(t.task());
        }
        return out;
    }

    /**
     * The loss-matched baseline: the index of the dense model whose validation loss is closest to the sparse one's
     * (the first on a tie).
     */
    public static int lossMatched(double sparseLoss, List<Double> denseLosses) {
        int best = 0;
        for (int i = 1; i < denseLosses.size(); i++) {
            if (Math.abs(denseLosses.get(i) - sparseLoss) < Math.abs(denseLosses.get(best) - sparseLoss)) best = i;
        }
        return best;
    }

    /** A model solves a task when its unpruned held-out task loss is at most {@code solvedBelow}. */
    public static boolean solves(double unprunedLoss, double solvedBelow) {
        return unprunedLoss <= solvedBelow;
    }

    private static <T> List<T> list(List<T> l) {
        return l == null ? List.of() : l;
    }
}
