package sparsecircuits.experiment.job;

import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * One unit of an experiment's work: train a model, compute its node means, evaluate a task, prune a circuit, write a
 * page, write the report. A job says what it reads ({@link #after()}, {@link #inputs}) and how to compute it
 * ({@link #run}, which says what it wrote); its id is a hash of its inputs and the engine version, so
 * a finished job is found in the result store and never computed twice, and a job whose inputs changed gets a new id.
 */
public interface Job {
    /** Unique within a plan and readable: "train sparse-d128", "prune dense-d48 lambda_func". */
    String name();

    /** What kind of work: train, means, evaluate, prune, view, report. */
    String kind();

    /** The jobs whose results this one reads; it runs after they finished. */
    List<Job> after();

    /**
     * Everything the result depends on, as JSON values: the job's settings, and for what it reads from other jobs their
     * ids (which stand for their inputs) or the SHA-256 of the files they wrote. Called once {@link #after()} finished.
     */
    Map<String, Object> inputs(Finished finished);

    /**
     * Computes the result: reads other jobs' files through {@link JobContext#committed}, writes its outputs under
     * {@link JobContext#staging()} (with the same relative paths), and returns what it found and wrote.
     */
    Result run(JobContext ctx) throws IOException;

    /**
     * What a job found, as JSON values, and the files or directories it wrote (relative to the run directory). A
     * directory output replaces the whole directory when committed.
     */
    record Result(Map<String, Object> values, List<String> outputs) {
        public Result {
            values = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(values));
            outputs = List.copyOf(outputs);
        }
    }

    /** The records of the jobs that finished so far, by job. */
    interface Finished {
        /** The record of a finished job; an IllegalStateException when it has not finished. */
        JobRecord of(Job job);

        /** Whether {@code job} has finished. */
        boolean has(Job job);
    }
}
