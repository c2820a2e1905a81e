package sparsecircuits.pruning.compare;

import java.util.List;
import java.util.Map;

/**
 * What one sparse-vs-dense experiment found (issue 5 §7): the models trained, which dense model is loss-matched,
 * every task's unpruned losses and circuits at each target, the controls, and the headline edge ratio. Plain data:
 * {@code experiment} fills it, {@link ReportHtml} draws it, and it is written beside the report as JSON.
 *
 * @param title         the report's heading
 * @param createdUtc    ISO-8601 time the experiment finished
 * @param machine       CPU model, cores, JDK, kernel backend
 * @param settings      what was run, as name → value (corpus, steps, widths, targets, pruning settings)
 * @param models        the sparse model first, then every dense width
 * @param sparseId      id of the sparse model in {@code models}
 * @param denseId       id of the loss-matched dense model in {@code models}
 * @param targets       the target task losses of the sweep, e.g. 0.3, 0.15, 0.08
 * @param mainTarget    the target of the headline ratio (0.15)
 * @param solvedBelow   a task counts as solved by a model when its unpruned held-out loss is at most this
 * @param tasks         every task tried, solved or not
 * @param notes         anything a reader must know (missed criteria, skipped work), one sentence each
 */
public record Experiment(String title, String createdUtc, String machine, Map<String, String> settings,
                         List<Model> models, String sparseId, String denseId, List<Double> targets, double mainTarget,
                         double solvedBelow, List<TaskResult> tasks, List<String> notes) {

    /**
     * One trained model.
     *
     * @param id          short id, also its directory name under models/
     * @param mode        "sparse" or "dense"
     * @param dModel      residual width
     * @param params      total parameters
     * @param nonzeros    nonzero parameters at the end
     * @param valLoss     final validation loss (nats/token)
     * @param seconds     training wall time
     * @param trainCurve  (step, training loss) points
     * @param valCurve    (step, validation loss) points
     * @param l0Curve     (step, fraction of parameters nonzero) points: the L0 schedule as trained
     */
    public record Model(String id, String mode, int dModel, long params, long nonzeros, double valLoss, double seconds,
                        List<double[]> trainCurve, List<double[]> valCurve, List<double[]> l0Curve) {

        /** Compares the curves by content: a record's own equals would compare the {@code double[]} points by identity. */
        @Override
        public boolean equals(Object o) {
            return o instanceof Model m && java.util.Objects.equals(id, m.id) && java.util.Objects.equals(mode, m.mode)
                    && dModel == m.dModel && params == m.params && nonzeros == m.nonzeros
                    && Double.compare(valLoss, m.valLoss) == 0 && Double.compare(seconds, m.seconds) == 0
                    && sameCurve(trainCurve, m.trainCurve) && sameCurve(valCurve, m.valCurve) && sameCurve(l0Curve, m.l0Curve);
        }

        @Override
        public int hashCode() {
            return java.util.Objects.hash(id, mode, dModel, params, nonzeros, valLoss, seconds, curveHash(trainCurve),
                    curveHash(valCurve), curveHash(l0Curve));
        }

        private static boolean sameCurve(List<double[]> a, List<double[]> b) {
            if (a == null || b == null) {
                return a == b;
            }
            if (a.size() != b.size()) {
                return false;
            }
            for (int i = 0; i < a.size(); i++) {
                if (!java.util.Arrays.equals(a.get(i), b.get(i))) {
                    return false;
                }
            }
            return true;
        }

        private static int curveHash(List<double[]> c) {
            return c == null ? 0 : java.util.Arrays.deepHashCode(c.toArray());
        }
    }

    /**
     * One task in both compared models.
     *
     * @param task        task name
     * @param sparseLoss  unpruned held-out task loss of the sparse model
     * @param denseLoss   the same for the loss-matched dense model
     * @param sparse      the sparse model's circuits, one per target (empty when the task is unsolved by it)
     * @param dense       the dense model's circuits, one per target (empty when unsolved by it)
     * @param controls    controls on the sparse and dense circuits at the main target (empty when not run)
     */
    public record TaskResult(String task, double sparseLoss, double denseLoss, List<Circuit> sparse, List<Circuit> dense,
                             List<Controls> controls) {
        public boolean solved(double below) {
            return Comparison.solves(sparseLoss, below) && Comparison.solves(denseLoss, below);
        }
    }

    /**
     * One pruned circuit.
     *
     * @param target      the target task loss
     * @param reached     whether the bisection reached it
     * @param nodes       kept nodes
     * @param edges       kept edges
     * @param loss        held-out task loss of the circuit
     * @param necessity   held-out task loss with only the circuit's nodes ablated (NaN when not measured)
     * @param path        the circuit directory relative to the report (null when nothing was written)
     * @param view        the circuit's viewer page ({@code view.html} in its directory) relative to the report; null
     *                    when none was written
     * @param viewError   why the viewer page of a written circuit could not be written (null when it was, or when
     *                    there is no circuit directory)
     */
    public record Circuit(double target, boolean reached, long nodes, long edges, double loss, double necessity, String path,
                          String view, String viewError) {

        /** A circuit without a viewer page (yet). */
        public Circuit(double target, boolean reached, long nodes, long edges, double loss, double necessity, String path) {
            this(target, reached, nodes, edges, loss, necessity, path, null, null);
        }

        /** This circuit with its viewer page at {@code view}, or with {@code viewError} saying why there is none. */
        public Circuit withView(String view, String viewError) {
            return new Circuit(target, reached, nodes, edges, loss, necessity, path, view, viewError);
        }
    }

    /**
     * The controls of one circuit (SPEC §7.3).
     *
     * @param modelId      which model's circuit this checks
     * @param edges        the real circuit's edges
     * @param randomInit   the same pruning on a randomly initialised model with the same nonzeros
     * @param inverted     the same pruning on the inverted task (null for single-target tasks)
     * @param nonsense     the same pruning on the nonsense task: targets at random (null for single-target tasks, and in
     *                     files written before it existed)
     * @param zeroAblation the same pruning with zero instead of mean ablation (reported, never flags)
     * @param trustworthy  false when random-init, inverted or nonsense reached the target with ≤ 2× the real edges
     */
    public record Controls(String modelId, long edges, Control randomInit, Control inverted, Control nonsense, Control zeroAblation,
                           boolean trustworthy) {
    }

    /** One control's outcome; {@code flags} says whether it undermines the circuit. */
    public record Control(boolean reached, long nodes, long edges, double loss, double fullLoss, boolean flags) {
    }
}
