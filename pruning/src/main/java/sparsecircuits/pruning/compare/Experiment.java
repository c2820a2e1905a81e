package sparsecircuits.pruning.compare;

import java.util.List;
import java.util.Map;

/**
 * What one sparse-vs-dense experiment found: the models trained (several sparse widths at one L0, several dense
 * widths, each per seed), which dense model is loss-matched to each sparse one, every task's unpruned loss in every
 * model and its circuits at each target, the controls. Plain data: the experiment's report job fills it, the report
 * draws it, and it is written beside the report as JSON ({@link ExperimentJson}).
 *
 * @param title         the report's heading
 * @param createdUtc    ISO-8601 time the experiment finished
 * @param machine       CPU model, cores, JDK, kernel backend
 * @param settings      what was run, as name → value (corpus, steps, widths, targets, pruning settings)
 * @param models        every model: the sparse ones first (by width, then seed), then the dense ones
 * @param pairings      each sparse model with its loss-matched dense partner (Fig. 2 per E), narrowest first
 * @param targets       the target task losses of the sweep, e.g. 0.3, 0.15, 0.08
 * @param mainTarget    the target of the headline ratio (0.15)
 * @param solvedBelow   a task counts as solved by a model when its unpruned held-out loss is at most this
 * @param tasks         every task tried, solved or not
 * @param notes         anything a reader must know (missed criteria, skipped work), one sentence each
 */
public record Experiment(String title, String createdUtc, String machine, Map<String, String> settings,
                         List<Model> models, List<Pairing> pairings, List<Double> targets, double mainTarget,
                         double solvedBelow, List<TaskResult> tasks, List<String> notes) {

    /** The model with {@code id}, or null. */
    public Model model(String id) {
        for (Model m : models == null ? List.<Model>of() : models) if (m != null && m.id().equals(id)) return m;
        return null;
    }

    /**
     * The headline pairing: the widest sparse model's (the first seed's on a tie), where the paper's effect is
     * largest; null when there is none.
     */
    public Pairing headline() {
        Pairing best = null;
        for (Pairing p : pairings == null ? List.<Pairing>of() : pairings) {
            Model m = model(p.sparseId());
            Model b = best == null ? null : model(best.sparseId());
            if (best == null || m != null && b != null && m.dModel() > b.dModel()) best = p;
        }
        return best;
    }

    /**
     * A sparse model and the dense model closest to it in validation loss, trained with the same seed.
     *
     * @param sparseId id of the sparse model
     * @param denseId  id of its loss-matched dense partner
     */
    public record Pairing(String sparseId, String denseId) {
    }

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
     * @param setup       how it was trained (null in files written before the frontier experiment)
     */
    public record Model(String id, String mode, int dModel, long params, long nonzeros, double valLoss, double seconds,
                        List<double[]> trainCurve, List<double[]> valCurve, List<double[]> l0Curve, Setup setup) {

        public boolean sparse() {
            return "sparse".equals(mode);
        }

        /** "E 4 (d512)" for a sparse model, "d48" for a dense one: how figures label it. */
        public String label() {
            String seed = setup != null && setup.seed() != 0 ? " s" + setup.seed() : "";
            if (!sparse() || setup == null || !(setup.expansion() > 0)) return "d" + dModel + seed;
            double e = setup.expansion();
            return "E " + (e == Math.rint(e) ? Long.toString((long) e) : Double.toString(e)) + " (d" + dModel + ")" + seed;
        }

        /** Compares the curves by content: a record's own equals would compare the {@code double[]} points by identity. */
        @Override
        public boolean equals(Object o) {
            return o instanceof Model m && java.util.Objects.equals(id, m.id) && java.util.Objects.equals(mode, m.mode)
                    && dModel == m.dModel && params == m.params && nonzeros == m.nonzeros
                    && Double.compare(valLoss, m.valLoss) == 0 && Double.compare(seconds, m.seconds) == 0
                    && sameCurve(trainCurve, m.trainCurve) && sameCurve(valCurve, m.valCurve) && sameCurve(l0Curve, m.l0Curve)
                    && java.util.Objects.equals(setup, m.setup);
        }

        @Override
        public int hashCode() {
            return java.util.Objects.hash(id, mode, dModel, params, nonzeros, valLoss, seconds, curveHash(trainCurve),
                    curveHash(valCurve), curveHash(l0Curve), setup);
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
     * How a model was trained, beyond its size.
     *
     * @param layers      transformer blocks
     * @param expansion   E = d_model / base width of a sparse model; 0 for a dense one
     * @param seed        initialisation and data-order seed
     * @param tokens      training tokens (steps × batch × context)
     * @param forcedShare share of the top-k budget the minimum-per-neuron rule forces (NaN for a dense model)
     * @param config      the full training and architecture settings, as name → value
     */
    public record Setup(int layers, double expansion, long seed, long tokens, double forcedShare, Map<String, String> config) {

        @Override
        public boolean equals(Object o) {
            return o instanceof Setup s && layers == s.layers && Double.compare(expansion, s.expansion) == 0 && seed == s.seed
                    && tokens == s.tokens && Double.compare(forcedShare, s.forcedShare) == 0 && java.util.Objects.equals(config, s.config);
        }

        @Override
        public int hashCode() {
            return java.util.Objects.hash(layers, expansion, seed, tokens, forcedShare, config);
        }
    }

    /**
     * One task in every model.
     *
     * @param task            task name
     * @param losses          model id → unpruned held-out task loss
     * @param circuits        model id → its circuits, one per target (absent when the task was not pruned in it)
     * @param controls        controls on circuits at the main target (empty when not run)
     * @param tokenizerClash  why the task cannot be measured with this tokenizer (its prompt and target merge in
     *                        running text), or null
     */
    public record TaskResult(String task, Map<String, Double> losses, Map<String, List<Circuit>> circuits, List<Controls> controls,
                             String tokenizerClash) {

        /** The model's unpruned held-out loss, NaN when it was not evaluated. */
        public double loss(String modelId) {
            Double l = losses == null ? null : losses.get(modelId);
            return l == null ? Double.NaN : l;
        }

        /** The model's circuits, empty when the task was not pruned in it. */
        public List<Circuit> circuits(String modelId) {
            List<Circuit> c = circuits == null ? null : circuits.get(modelId);
            return c == null ? List.of() : c;
        }

        /** The controls of the model's circuit, or null. */
        public Controls controls(String modelId) {
            for (Controls c : controls == null ? List.<Controls>of() : controls) if (c != null && modelId.equals(c.modelId())) return c;
            return null;
        }

        public boolean solvedBy(String modelId, double below) {
            return tokenizerClash == null && Comparison.solves(loss(modelId), below);
        }

        /** Both models of the pairing solve it. */
        public boolean solved(Pairing p, double below) {
            return solvedBy(p.sparseId(), below) && solvedBy(p.denseId(), below);
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
