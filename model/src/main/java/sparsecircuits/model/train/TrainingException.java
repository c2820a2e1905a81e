package sparsecircuits.model.train;

/**
 * Training cannot go on (a non-finite loss or gradient). One actionable line; the last good checkpoint is left as
 * it was. A budget that cannot be met is bad input, refused before training ({@link Trainer#checkBudgets}).
 */
public final class TrainingException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public TrainingException(String message) {
        super(message);
    }
}
