package sparsecircuits.autograd.param;

import sparsecircuits.kernels.select.TopK;
import sparsecircuits.kernels.sparse.CsrMatrix;

import java.util.Arrays;
import java.util.Objects;

/**
 * A named trainable tensor: shape, dense {@code value}, dense {@code grad}, and dense Adam moments
 * {@code m}, {@code v} allocated on the first optimizer step.
 *
 * <p>Everything stays dense even for a sparse parameter (SPEC §2.1, §7.5 item 1; DESIGN.md decision 1):
 * the dense value array is the truth, and an entry zeroed by one top-k keeps receiving gradients and
 * Adam updates, so it can re-enter the top-k later (regrowth). What makes a parameter sparse is only
 * that {@link #sparsify} runs after each optimizer step, zeroing every entry outside the kept set and
 * rebuilding the {@link CsrMatrix} the sparse kernels run on.
 *
 * <p>Layout: a 2-D weight is {@code [out × in]} (the reference {@code nn.Linear}); a 1-D tensor (bias,
 * gain) is treated as {@code [1 × n]}; any higher-rank shape as {@code [shape[0] × rest]}.
 */
public final class Parameter {

    /** Whether a parameter is ever sparsified. */
    public enum Kind {
        /** Never sparsified: RMSNorm gains, attention sinks, the bigram table. */
        DENSE,
        /** Per-tensor top-k after every optimizer step, under a {@link SparsityRule}. */
        SPARSE
    }

    /** How a sparse tensor's budget scales with the expansion factor E (SPEC §2.1). */
    public enum BudgetClass {
        /**
         * Weight matrices (c_attn, attn.c_proj, c_fc, mlp.c_proj): keep pfrac × (size in the base model),
         * i.e. a fraction pfrac/E² of this tensor.
         */
        MATRIX,
        /** Embedding, unembedding and biases (one dimension scales with E): fraction pfrac/E. */
        VOCAB_OR_BIAS
    }

    /**
     * Which axis is a "neuron" for the minimum-per-neuron rule, and which budget class applies.
     * ROWS for c_fc and c_attn weights, COLUMNS for mlp.c_proj and attn.c_proj, NONE for embeddings,
     * unembedding and biases.
     */
    public record SparsityRule(TopK.Neurons neurons, BudgetClass budget) {
        public SparsityRule {
            Objects.requireNonNull(neurons, "neurons");
            Objects.requireNonNull(budget, "budget");
        }

        /** c_fc, c_attn: each output row keeps ≥ j inputs; matrix budget. */
        public static final SparsityRule MATRIX_ROWS = new SparsityRule(TopK.Neurons.ROWS, BudgetClass.MATRIX);
        /** mlp.c_proj, attn.c_proj: each input column keeps ≥ j outputs; matrix budget. */
        public static final SparsityRule MATRIX_COLUMNS = new SparsityRule(TopK.Neurons.COLUMNS, BudgetClass.MATRIX);
        /** wte, lm_head, wpe, biases: no per-neuron minimum; vocab/bias budget. */
        public static final SparsityRule VOCAB_OR_BIAS = new SparsityRule(TopK.Neurons.NONE, BudgetClass.VOCAB_OR_BIAS);

        /** Whether the minimum-per-neuron rule applies (ROWS or COLUMNS). */
        public boolean hasMinimum() {
            return neurons != TopK.Neurons.NONE;
        }
    }

    private final String name;
    private final int[] shape;
    private final int numel;
    private final int rows;
    private final int cols;
    private final Kind kind;
    private final SparsityRule rule;
    /** The dense values and gradient; null once the parameter {@link #hold holds} only some entries. */
    private float[] value;
    private float[] grad;
    /** The scalable recipe's state (issue 18), or null in the paper recipe. */
    private HeldEntries held;
    /** In held mode: the most entries the top-k keeps (the recipe's start density), whatever the schedule asks. */
    private int heldKeptCap;
    /** In held mode: how many candidates each regrowth brings in. */
    private int candidateCount;
    /** Regrowth candidates found in this step's backward pass, joining the held set after the next top-k; or null. */
    private int[] pendingCandidates;
    /** Σ g² of the whole dense gradient, streamed in this step's backward pass with the candidates; NaN when none. */
    private double pendingDenseSumSquares = Double.NaN;
    /**
     * In held mode: Σ g² of the dense gradient over Σ g² of the held entries, at the last regrowth step. Between
     * regrowths the optimizer scales the held entries' Σ g² by it, to normalise on the paper recipe's scale.
     */
    private double denseOverHeldSquares = 1.0;
    private float[] m;
    private float[] v;
    private boolean weightDecay;

    /**
     * The CSR matrix of the kept set, built on demand by {@link #csr()} and then rewritten in place: a training step
     * changes the pattern every step, and during the anneal the dense path does not read it at all.
     */
    private CsrMatrix csr;
    /** Whether {@link #kept} changed since {@link #csr} was built. */
    private boolean csrStale;
    /** Whether every entry is kept (never sparsified, or k ≥ numel); then {@link #kept} is unused. */
    private boolean allKept = true;
    private int nnz;
    /** The kept flat indices, ascending, in {@code kept[0, nnz)} (a buffer reused from step to step). */
    private int[] kept;

    private Parameter(String name, Kind kind, SparsityRule rule, int... shape) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("parameter name must be non-empty");
        }
        if (shape == null || shape.length == 0) {
            throw new IllegalArgumentException(name + ": shape must have at least one dimension");
        }
        long n = 1;
        for (int d : shape) {
            if (d <= 0) {
                throw new IllegalArgumentException(name + ": every dimension must be positive, got " + Arrays.toString(shape));
            }
            n *= d;
            if (n > Integer.MAX_VALUE - 16) {
                throw new IllegalArgumentException(name + ": too many elements " + Arrays.toString(shape));
            }
        }
        this.name = name;
        this.shape = shape.clone();
        this.numel = (int) n;
        this.rows = shape.length == 1 ? 1 : shape[0];
        this.cols = numel / rows;
        this.kind = kind;
        this.rule = rule;
        if (kind == Kind.SPARSE && rule.hasMinimum() && shape.length != 2) {
            throw new IllegalArgumentException(name + ": the minimum-per-neuron rule " + rule.neurons()
                    + " needs a 2-D [out, in] weight, got shape " + Arrays.toString(shape));
        }
        this.value = new float[numel];
        this.weightDecay = shape.length >= 2;
        this.nnz = numel;
    }

    /** A parameter that is never sparsified (norm gains, sinks, bigram table). */
    public static Parameter dense(String name, int... shape) {
        return new Parameter(name, Kind.DENSE, null, shape);
    }

    /** A parameter sparsified by per-tensor top-k under {@code rule}. */
    public static Parameter sparse(String name, SparsityRule rule, int... shape) {
        Objects.requireNonNull(rule, "rule");
        return new Parameter(name, Kind.SPARSE, rule, shape);
    }

    /**
     * Excludes this parameter from decoupled weight decay (the bigram table: SPEC §2.3 decays every
     * ≥2-D parameter except it). 1-D parameters are never decayed. Returns this.
     */
    public Parameter excludeFromWeightDecay() {
        this.weightDecay = false;
        return this;
    }

    /** Whether decoupled weight decay applies: ≥2-D and not excluded. */
    public boolean weightDecay() {
        return weightDecay;
    }

    public String name() {
        return name;
    }

    public int[] shape() {
        return shape.clone();
    }

    public int numel() {
        return numel;
    }

    /** Rows of the {@code [rows × cols]} view (out for a weight, 1 for a 1-D tensor). */
    public int rows() {
        return rows;
    }

    /** Columns of the {@code [rows × cols]} view. */
    public int cols() {
        return cols;
    }

    public Kind kind() {
        return kind;
    }

    public boolean isSparse() {
        return kind == Kind.SPARSE;
    }

    /** The sparsity rule, or null for a DENSE parameter. */
    public SparsityRule rule() {
        return rule;
    }

    /**
     * The dense values (the truth; entries outside the kept set are zero after {@link #sparsify}).
     * @throws IllegalStateException in held mode, where no dense array exists (see {@link #denseValues()})
     */
    public float[] value() {
        if (held != null) throw new IllegalStateException(name + " holds only some entries (scalable recipe): read held() or denseValues()");
        return value;
    }

    /** The dense gradient buffer (backward accumulates into it), allocated on first use. */
    public float[] grad() {
        if (held != null) throw new IllegalStateException(name + " holds only some entries (scalable recipe): its gradient is held().grad()");
        if (grad == null) grad = new float[numel];
        return grad;
    }

    /** Zeroes the gradient. */
    public void zeroGrad() {
        if (held != null) held.zeroGrad();
        else if (grad != null) Arrays.fill(grad, 0f);
    }

    /** A dense copy of the values in either mode (a transient array, for writing a model file). */
    public float[] denseValues() {
        if (held == null) return value.clone();
        float[] out = new float[numel];
        held.toDense(out, 0);
        return out;
    }

    /** Whether only some entries are held (the scalable recipe); then {@link #held()} is the state. */
    public boolean isHeld() {
        return held != null;
    }

    /** The held state, or null in the paper recipe. */
    public HeldEntries held() {
        return held;
    }

    /** In held mode, how many regrowth candidates a refresh brings in (held count − kept cap); 0 otherwise. */
    public int candidateCount() {
        return held != null ? candidateCount : 0;
    }

    /** In held mode, the most entries the top-k keeps (the start density); numel otherwise. */
    public int heldKeptCap() {
        return held != null ? heldKeptCap : numel;
    }

    /**
     * Switches a sparse 2-D weight to the scalable recipe's storage: the top {@code heldCount} entries by |w| (with
     * the minimum-per-neuron rule) are held, the top {@code keptCount} of them kept, and the dense arrays and moments are
     * released. From here on the top-k keeps at most {@code keptCount}.
     */
    public void hold(int heldCount, int keptCount, int j) {
        if (kind != Kind.SPARSE || shape.length != 2) throw new IllegalStateException(name + ": only a sparse 2-D weight can be held");
        if (held != null) throw new IllegalStateException(name + " is already held");
        if (keptCount > heldCount || heldCount > numel) {
            throw new IllegalArgumentException(name + ": kept " + keptCount + " ≤ held " + heldCount + " ≤ " + numel + " must hold");
        }
        int jj = rule.hasMinimum() ? j : 0;
        int[] chosen = new int[heldCount];
        TopK.selectWithMinimum(value, 0, rows, cols, heldCount, jj, rule.neurons(), chosen, 0);
        HeldEntries h = HeldEntries.of(rows, cols, value, chosen, heldCount);
        h.keepTopK(keptCount, jj, rule.neurons(), 1f);
        becomeHeld(h, keptCount, heldCount - keptCount);
    }

    /**
     * Regrowth candidates of this step (ascending flat indices outside the kept set, streamed from the dense gradient):
     * after the next top-k the held set becomes the kept entries and these.
     */
    public void offerCandidates(int[] sortedFlat, double denseSumSquares) {
        if (held == null) throw new IllegalStateException(name + " is not held: only the scalable recipe regrows from candidates");
        if (!(denseSumSquares >= 0)) throw new IllegalArgumentException(name + ": the dense gradient's Σg² must be ≥ 0, got " + denseSumSquares);
        pendingCandidates = sortedFlat.clone();
        pendingDenseSumSquares = denseSumSquares;
    }

    /** This step's dense Σ g² from the regrowth pass (NaN when this step had none), cleared by the call. */
    public double takeDenseSumSquares() {
        double s = pendingDenseSumSquares;
        pendingDenseSumSquares = Double.NaN;
        return s;
    }

    /** In held mode, the dense-over-held Σ g² ratio of the last regrowth step (1 before the first). */
    public double denseOverHeldSquares() {
        return denseOverHeldSquares;
    }

    /** Sets the ratio (the optimizer at a regrowth step; a resumed run's state). */
    public void setDenseOverHeldSquares(double ratio) {
        if (!(ratio > 0) || Double.isInfinite(ratio)) throw new IllegalArgumentException(name + ": the Σg² ratio must be positive and finite, got " + ratio);
        denseOverHeldSquares = ratio;
    }

    /** Whether candidates wait for the next top-k. */
    public boolean hasPendingCandidates() {
        return pendingCandidates != null;
    }

    /** Restores the held state of a resumed run (the dense arrays are released). */
    public void restoreHeld(HeldEntries state, int keptCap, int candidates) {
        if (kind != Kind.SPARSE || shape.length != 2) throw new IllegalStateException(name + ": only a sparse 2-D weight can be held");
        if (state.rows() != rows || state.cols() != cols) throw new IllegalArgumentException(name + ": held state of another shape");
        becomeHeld(state, keptCap, candidates);
    }

    /** Switches storage to {@code state}, releasing the dense arrays, moments and CSR buffers. */
    private void becomeHeld(HeldEntries state, int keptCap, int candidates) {
        held = state;
        denseOverHeldSquares = 1.0;
        pendingDenseSumSquares = Double.NaN;
        heldKeptCap = keptCap;
        candidateCount = candidates;
        value = null;
        grad = null;
        m = null;
        v = null;
        csr = null;
        kept = null;
        allKept = false;
        nnz = state.keptCount();
    }

    /** Whether the Adam moments have been allocated (after the first optimizer step or a restore). */
    public boolean hasMoments() {
        return m != null || held != null;
    }

    /** First Adam moment, allocated (zeroed) on first use; dense for every kind. */
    public float[] m() {
        if (held != null) return held.m();
        if (m == null) {
            m = new float[numel];
        }
        return m;
    }

    /** Second Adam moment, allocated (zeroed) on first use; dense for every kind. */
    public float[] v() {
        if (held != null) return held.v();
        if (v == null) {
            v = new float[numel];
        }
        return v;
    }

    /**
     * Per-tensor exact top-k by |w| with the minimum-per-neuron rule (SPEC §2.1): keeps the k entries
     * chosen by {@link TopK#selectWithMinimum} (the top-min(j, neuron size) of every neuron of the rule's
     * axis forced in, then the largest remaining |w|; ties to the lower flat index), zeroes every other
     * entry of the dense value array, and rebuilds the CSR pattern. With k ≥ numel everything is kept.
     * Gradients and moments are not touched.
     *
     * @param k the kept count for this tensor (see {@code Schedule.keptCount})
     * @param j the minimum per neuron; ignored when the rule has no neuron axis
     * @throws IllegalStateException for a DENSE parameter
     * @throws IllegalArgumentException when k &lt; 0, or j·neurons &gt; k (the rule cannot be met)
     */
    public void sparsify(int k, int j) {
        sparsify(k, j, 1f);
    }

    /**
     * {@link #sparsify(int, int)}, then every kept value multiplied by {@code keptScale} (decoupled weight decay,
     * folded into the write-back: the selection is made on the values before the product, and the result is bit for
     * bit that of scaling the values after the sparsify; with k ≥ numel every value is scaled).
     */
    public void sparsify(int k, int j, float keptScale) {
        if (kind != Kind.SPARSE) {
            throw new IllegalStateException(name + " is a DENSE parameter and is never sparsified");
        }
        if (held != null) { // the held entries only; the start density caps the count; then this step's candidates
            int keep = Math.min(Math.min(k, heldKeptCap), held.size());
            held.keepTopK(keep, rule.hasMinimum() ? j : 0, rule.neurons(), keptScale);
            if (pendingCandidates != null) {
                held.regrow(pendingCandidates, pendingCandidates.length);
                pendingCandidates = null;
            }
            nnz = keep;
            return;
        }
        if (k < 0) {
            throw new IllegalArgumentException(name + ": kept count k must be ≥ 0, got " + k);
        }
        if (j < 0) {
            throw new IllegalArgumentException(name + ": minimum per neuron j must be ≥ 0, got " + j);
        }
        if (k >= numel) {
            markAllKept();
            if (keptScale != 1f) for (int i = 0; i < numel; i++) value[i] *= keptScale;
            return;
        }
        if (kept == null || kept.length < k) {
            kept = new int[k];
        }
        try { // zeroes the rest and scales the kept entries in the selection's own pass over the values
            TopK.keepTopK(value, 0, rows, cols, k, rule.hasMinimum() ? j : 0, rule.neurons(), keptScale, kept, 0);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(name + " " + Arrays.toString(shape) + ": " + e.getMessage(), e);
        }
        nnz = k;
        allKept = false;
        csrStale = true;
    }

    private void markAllKept() {
        csr = null; // csr() builds the full pattern from the current values when asked
        allKept = true;
        csrStale = false;
        nnz = numel;
    }

    /** The kept flat indices in ascending order (every index when everything is kept). */
    public int[] keptIndices() {
        if (held != null) return held.keptFlat();
        int[] out = new int[nnz];
        if (allKept) {
            for (int i = 0; i < numel; i++) out[i] = i;
            return out;
        }
        System.arraycopy(kept, 0, out, 0, nnz);
        return out;
    }

    /**
     * Restores a kept set saved by {@link #keptIndices} (a resumed run): the dense values must already hold the
     * saved values (zero outside the set). Indices must be ascending and in range.
     */
    public void restoreKept(int[] sortedIndices) {
        if (kind != Kind.SPARSE) throw new IllegalStateException(name + " is a DENSE parameter");
        int k = sortedIndices.length;
        for (int q = 0; q < k; q++) {
            if (sortedIndices[q] < 0 || sortedIndices[q] >= numel || q > 0 && sortedIndices[q] <= sortedIndices[q - 1]) {
                throw new IllegalArgumentException(name + ": kept index " + sortedIndices[q] + " at " + q + " is out of order or range");
            }
        }
        if (k == numel) {
            markAllKept();
            return;
        }
        if (kept == null || kept.length < k) kept = new int[k];
        System.arraycopy(sortedIndices, 0, kept, 0, k);
        nnz = k;
        allKept = false;
        csrStale = true;
    }

    /** The size of the kept set after the last {@link #sparsify} (numel if never sparsified or dense). */
    public int nnz() {
        return nnz;
    }

    /** The kept fraction {@code nnz / numel}. */
    public double density() {
        return (double) nnz / numel;
    }

    /** The number of entries whose value is actually nonzero (≤ {@link #nnz()}). */
    public int countNonZero() {
        int c = 0;
        for (float x : held != null ? held.value() : value) {
            if (x != 0f) c++;
        }
        return c;
    }

    /**
     * The {@code [rows × cols]} CSR matrix of the kept set. After {@link #sparsify} it holds the pattern
     * and values of that call; if everything is kept (never sparsified, k ≥ numel, or a DENSE parameter)
     * a full pattern is built from the current values. Values changed after the last sparsify are
     * picked up by {@link #refreshCsrValues()}.
     */
    public CsrMatrix csr() {
        if (held != null) return held.csr(); // every held entry, the non-kept ones at value 0
        if (allKept) {
            if (csr == null) {
                int[] all = new int[numel];
                for (int i = 0; i < numel; i++) all[i] = i;
                csr = CsrMatrix.fromSortedIndices(rows, cols, value, 0, all, 0, numel);
            }
            return csr;
        }
        if (csrStale) { // sparsify and restoreKept leave it stale, so a kept set always has its matrix built here
            if (csr != null && csr.capacity() >= nnz) {
                csr.reassign(value, 0, kept, 0, nnz);
            } else {
                csr = CsrMatrix.fromSortedIndices(rows, cols, value, 0, kept, 0, nnz);
            }
            csrStale = false;
        }
        return csr;
    }

    /** Re-reads the CSR values from the dense array (same pattern). */
    public void refreshCsrValues() {
        if (held == null && csr != null && !csrStale) {
            csr.refreshValues(value, 0);
        }
    }

    @Override
    public String toString() {
        return name + Arrays.toString(shape) + " " + kind + (rule == null ? "" : " " + rule) + " nnz=" + nnz;
    }
}
