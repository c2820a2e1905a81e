package sparsecircuits.experiment.run;

import sparsecircuits.experiment.job.Job;
import sparsecircuits.experiment.job.JobRecord;

/** What a runner reports while it works; called from the runner's threads, one call at a time. */
public interface RunListener {
    RunListener NONE = new RunListener() {
    };

    /** The counts changed: jobs known, finished (found or run), running, failed. */
    default void counts(int known, int finished, int running, int failed) {
    }

    /** A job started on a worker. */
    default void started(Job job) {
    }

    /** A running job's own progress. */
    default void progress(Job job, String status) {
    }

    /** A job finished; {@code found} when its result was already in the store. */
    default void finished(Job job, JobRecord record, boolean found) {
    }

    /** A job failed; the jobs after it do not run. */
    default void failed(Job job, Exception error) {
    }

    /** A sentence the user should read, from a job. */
    default void note(Job job, String line) {
    }
}
