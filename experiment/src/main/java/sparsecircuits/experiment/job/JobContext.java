package sparsecircuits.experiment.job;

import java.nio.file.Path;
import sparsecircuits.kernels.Kernels;

/** What a running job gets from its runner. */
public interface JobContext {
    /** The kernels of this job, with its own thread count (the runner's threads per job). */
    Kernels kernels();

    /** A local directory the job writes its outputs into, under their paths relative to the run directory. */
    Path staging();

    /** A local path of a file or directory another job committed (relative to the run directory), to read. */
    Path committed(String relative);

    /** The job's own progress, as a short line of text (shown beside the runner's counts). */
    void progress(String status);

    /** Something the user should read (a warning, a page that could not be written): one sentence. */
    void note(String line);

    /** Whether the user asked the run to stop (Ctrl-C): a long job checkpoints and throws {@link JobStoppedException}. */
    boolean stopRequested();
}
