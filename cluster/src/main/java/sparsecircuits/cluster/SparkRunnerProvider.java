package sparsecircuits.cluster;

import sparsecircuits.experiment.run.ClusterRunner;
import sparsecircuits.experiment.run.ClusterRunnerProvider;

/** Registers {@link SparkRunner} with {@link java.util.ServiceLoader} (META-INF/services). */
public final class SparkRunnerProvider implements ClusterRunnerProvider {
    @Override
    public ClusterRunner open(String master, int threadsPerJob, String applicationName) {
        return SparkRunner.open(master, threadsPerJob, applicationName);
    }
}
