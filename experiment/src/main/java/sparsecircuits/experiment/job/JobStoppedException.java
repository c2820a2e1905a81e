package sparsecircuits.experiment.job;

/** A job stopped at the user's request after saving what lets it continue (a training checkpoint in its staging directory). */
public final class JobStoppedException extends RuntimeException {
    public JobStoppedException(String message) {
        super(message);
    }
}
