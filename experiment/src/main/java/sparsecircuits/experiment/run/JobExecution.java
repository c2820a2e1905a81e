package sparsecircuits.experiment.run;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import sparsecircuits.experiment.job.Engine;
import sparsecircuits.experiment.job.Job;
import sparsecircuits.experiment.job.JobContext;
import sparsecircuits.experiment.job.JobRecord;
import sparsecircuits.experiment.store.ResultStore;
import sparsecircuits.kernels.Kernels;

/** What every runner does with one job, wherever it runs: compute it into its staging directory, commit, record. */
public final class JobExecution {
    private JobExecution() {
    }

    /**
     * Runs {@code job} (whose inputs give {@code id}) on {@code kernels}, commits its outputs to {@code store} and
     * returns its record. The job's exceptions pass through ({@link sparsecircuits.experiment.job.JobStoppedException}
     * when it stopped at the user's request); nothing is committed then.
     *
     * @param runner what ran it, for the record ("in-process", "spark executor 2")
     */
    public static JobRecord run(Job job, String id, Map<String, Object> inputs, Kernels kernels, ResultStore store, String runner,
                                Consumer<String> progress, Consumer<String> note, BooleanSupplier stop) throws Exception {
        long t0 = System.nanoTime();
        Path staging = store.staging(id);
        JobContext ctx = new JobContext() {
            @Override
            public Kernels kernels() {
                return kernels;
            }

            @Override
            public Path staging() {
                return staging;
            }

            @Override
            public Path committed(String relative) {
                return store.committed(relative);
            }

            @Override
            public void progress(String status) {
                progress.accept(status);
            }

            @Override
            public void note(String line) {
                note.accept(line);
            }

            @Override
            public boolean stopRequested() {
                return stop.getAsBoolean();
            }
        };
        Job.Result result = job.run(ctx);
        JobRecord r = new JobRecord(id, job.kind(), job.name(), Engine.VERSION, inputs, result.outputs(), result.values(),
                (System.nanoTime() - t0) / 1e9, worker(kernels, runner), Instant.now().toString()); // full precision: the report compares it
        store.commit(r);
        return r;
    }

    /** This host, the runner, and the kernels' provider, vector width and threads. */
    public static JobRecord.Worker worker(Kernels k, String runner) {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            host = "localhost";
        }
        return new JobRecord.Worker(host, runner, k.name(), k.vectorBitSize(), k.pool().threads());
    }

    /** The finished jobs of a run, by job name. */
    public static Job.Finished finished(Map<String, JobRecord> byName) {
        return new Job.Finished() {
            @Override
            public JobRecord of(Job job) {
                JobRecord r = byName.get(job.name());
                if (r == null) throw new IllegalStateException(job.name() + " has not finished");
                return r;
            }

            @Override
            public boolean has(Job job) {
                return byName.containsKey(job.name());
            }
        };
    }

    /**
     * The job named {@code name} of a plan unfolded with these finished jobs: how another JVM finds the job a driver
     * sent it. An IllegalStateException when the plan does not list it (the two JVMs run different code).
     */
    public static Job unfold(Plan plan, String name, Map<String, JobRecord> finishedByName) {
        for (Job j : plan.jobs(finished(finishedByName))) if (j.name().equals(name)) return j;
        throw new IllegalStateException("the plan has no job '" + name + "' given " + finishedByName.size()
                + " finished jobs: the driver and this worker run different versions");
    }
}
