package sparsecircuits.experiment.store;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import sparsecircuits.experiment.job.JobRecord;

/**
 * Where finished jobs live: their records by id and the files they wrote, in the run directory's layout
 * ({@code models/ID/}, {@code circuits/MODEL_ID/TASK/}, {@code experiment.json}, {@code report.html},
 * {@code jobs/ID.json}). Jobs never write the run directory themselves: they write a staging directory the store
 * gives them, and {@link #commit} puts the files in place and then the record, so a result is either complete or
 * absent. {@link LocalDirectoryStore} keeps it on a local disk; another store (a cluster file system) changes no job.
 */
public interface ResultStore {
    /** The record of a finished job whose outputs are all in place, if there is one. */
    Optional<JobRecord> find(String id) throws IOException;

    /**
     * The staging directory of job {@code id}, created when missing. A job killed in the middle left its staging
     * directory behind: the same id gets it back, so a training job continues from its last checkpoint.
     */
    Path staging(String id) throws IOException;

    /**
     * Puts the staged outputs of {@code record} in place (replacing what was there: a result with other inputs
     * under the same path), forgets the records of jobs whose outputs were replaced, writes the record last, and
     * removes the staging directory.
     */
    void commit(JobRecord record) throws IOException;

    /** A local path of a committed file or directory, relative to the run directory, for reading. */
    Path committed(String relative);

    /**
     * Copies the files under local directory {@code dir} that {@code which} accepts into the run directory at
     * {@code relative} (their paths below {@code dir} kept), unless it is there already, and returns the local path
     * jobs read it at ({@link #committed}). The copy appears whole or not at all (written aside, then renamed), so a
     * directory named by a hash of its contents is copied once. For inputs every worker must read from the run
     * directory rather than from the machine that started the run (a corpus of real code).
     */
    Path importFiles(Path dir, java.util.function.Predicate<Path> which, String relative) throws IOException;

    /** Whether committing {@code record} replaces {@code other}: one of other's outputs lies at or inside one of record's. */
    static boolean replaces(JobRecord record, JobRecord other) {
        if (other.id().equals(record.id())) return false;
        for (String a : other.outputs()) {
            for (String b : record.outputs()) if (Path.of(a).normalize().startsWith(Path.of(b).normalize())) return true;
        }
        return false;
    }

    /** A description for messages, e.g. the run directory's path. */
    String describe();
}
