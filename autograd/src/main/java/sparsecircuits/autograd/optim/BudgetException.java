package sparsecircuits.autograd.optim;

/**
 * A sparsity budget that training cannot meet, found before the first step by {@link SparseAdam#checkBudgets}.
 * It carries the numbers, not only a sentence, so that a caller can say what would work in its own terms (the
 * CLI names its flags): {@link #budgets()} holds the largest pfrac, the largest j and the smallest pfrac that work.
 */
public final class BudgetException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    /** What cannot be met. */
    public enum Reason {
        /** pfrac asks a tensor to keep more entries than it holds (pfrac above {@link SparseAdam.Budgets#maxPfrac}). */
        PFRAC_ABOVE_DENSE,
        /** The tensor's target budget keeps fewer than j entries per neuron (j above {@link SparseAdam.Budgets#maxMinPerNeuron}). */
        MIN_PER_NEURON
    }

    private final Reason reason;
    private final String tensor;
    private final long kept;
    private final int neurons;
    private final transient SparseAdam.Budgets budgets;

    /**
     * @param tensor  the first tensor that fails
     * @param kept    its kept count at the target budget (MIN_PER_NEURON; 0 otherwise)
     * @param neurons its neurons under the minimum-per-neuron rule (MIN_PER_NEURON; 0 otherwise)
     */
    public BudgetException(String message, Reason reason, String tensor, long kept, int neurons, SparseAdam.Budgets budgets) {
        super(message);
        this.reason = reason;
        this.tensor = tensor;
        this.kept = kept;
        this.neurons = neurons;
        this.budgets = budgets;
    }

    public Reason reason() {
        return reason;
    }

    public String tensor() {
        return tensor;
    }

    public long kept() {
        return kept;
    }

    public int neurons() {
        return neurons;
    }

    public SparseAdam.Budgets budgets() {
        return budgets;
    }
}
