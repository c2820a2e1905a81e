package sparsecircuits.experiment.run;

import java.io.IOException;
import java.util.function.BooleanSupplier;
import sparsecircuits.experiment.store.ResultStore;

/**
 * Runs a plan's jobs against a result store until every job finished, one failed (the jobs after it do not run), or
 * the user asked to stop. {@link InProcessRunner} runs them in this JVM; a {@link ClusterRunner} on a cluster. A job's
 * result does not depend on the runner: the same plan gives the same records' results and the same files on any.
 */
public interface Runner {
    RunSummary run(PlanSource source, ResultStore store, RunListener listener, BooleanSupplier stop) throws IOException;

    /** The runner in a few words: "in-process, 2 jobs × 1 thread", "spark local[2], 1 thread per job". */
    String describe();
}
