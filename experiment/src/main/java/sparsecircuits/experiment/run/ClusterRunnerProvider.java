package sparsecircuits.experiment.run;

/**
 * Opens cluster runners; found through {@link java.util.ServiceLoader}, so that the library (and the command line)
 * has no compile-time dependency on any cluster framework: the Spark module registers one, and without it on the
 * class path no cluster class is ever loaded.
 */
public interface ClusterRunnerProvider {
    /**
     * A runner on the cluster at {@code master} ("local[2]", "spark://host:7077", ...) whose jobs each get
     * {@code threadsPerJob} kernel threads. An IllegalArgumentException (one sentence) when the master is malformed or
     * cannot be reached.
     */
    ClusterRunner open(String master, int threadsPerJob, String applicationName);
}
