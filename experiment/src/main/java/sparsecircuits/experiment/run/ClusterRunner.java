package sparsecircuits.experiment.run;

import java.io.IOException;
import sparsecircuits.experiment.store.ResultStore;

/**
 * A runner on a cluster, open until closed: its jobs run in other JVMs (or other machines), so their results live in a
 * store every worker can reach, named by a location (a path, or a URI of a file system the cluster knows).
 */
public interface ClusterRunner extends Runner, AutoCloseable {
    /**
     * The result store at {@code location} (a path or a file system URI), created when missing; an
     * IllegalArgumentException (one sentence) when the location cannot hold one (an unknown scheme, not writable).
     */
    ResultStore store(String location) throws IOException;

    /** How long connecting to the cluster took (seconds): the run's start-up, paid once per plan. */
    double startSeconds();

    /**
     * For each job the last run computed, by name: the seconds it held its core beyond its own run time (sending it,
     * building the plan again, finding it, committing its files, returning its record), what the cluster adds per job.
     */
    java.util.Map<String, Double> overheadSeconds();

    @Override
    void close();
}
