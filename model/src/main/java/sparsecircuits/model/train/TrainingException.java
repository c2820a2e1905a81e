package sparsecircuits.model.train;

/**
 * Training cannot go on (a non-finite loss or gradient, an impossible sparsity budget). One actionable line;
 * the last good checkpoint is left as it was.
 */
public final class TrainingException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public TrainingException(String message) {
        super(message);
    }
}
