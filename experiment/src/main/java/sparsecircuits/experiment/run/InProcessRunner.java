package sparsecircuits.experiment.run;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;
import sparsecircuits.experiment.job.Engine;
import sparsecircuits.experiment.job.Job;
import sparsecircuits.experiment.job.JobRecord;
import sparsecircuits.experiment.job.JobStoppedException;
import sparsecircuits.experiment.store.ResultStore;
import sparsecircuits.kernels.KernelProvider;
import sparsecircuits.kernels.Kernels;
import sparsecircuits.kernels.WorkerPool;

/**
 * Runs a plan in this JVM: up to {@code jobsAtOnce} jobs at a time, each on kernels with {@code threadsPerJob}
 * threads of its own (so jobs × threads should not exceed the cores). A job runs once everything it reads has
 * finished; a job whose id the store already holds is taken from there. Results do not depend on either number:
 * every job is deterministic for any thread count, and jobs share nothing but committed files.
 */
public final class InProcessRunner implements Runner {
    private final int jobsAtOnce, threadsPerJob;

    public InProcessRunner(int jobsAtOnce, int threadsPerJob) {
        if (jobsAtOnce < 1) throw new IllegalArgumentException("jobs at once must be ≥ 1, got " + jobsAtOnce);
        if (threadsPerJob < 1) throw new IllegalArgumentException("threads per job must be ≥ 1, got " + threadsPerJob);
        this.jobsAtOnce = jobsAtOnce;
        this.threadsPerJob = threadsPerJob;
    }

    @Override
    public RunSummary run(PlanSource source, ResultStore store, RunListener listener, BooleanSupplier stop) throws IOException {
        return run(source.plan(), store, listener, stop);
    }

    @Override
    public String describe() {
        return "in-process, " + jobsAtOnce + " job" + (jobsAtOnce == 1 ? "" : "s") + " × " + threadsPerJob + " thread" + (threadsPerJob == 1 ? "" : "s");
    }

    /** Runs {@code plan} against {@code store} until every job finished, one failed (its dependents then never run) or a stop. */
    public RunSummary run(Plan plan, ResultStore store, RunListener userListener, BooleanSupplier stop) throws IOException {
        RunListener listener = serialized(userListener);
        Map<String, JobRecord> done = new LinkedHashMap<>();
        Map<String, String> failures = new LinkedHashMap<>();
        List<String> ran = new ArrayList<>();
        Set<String> running = new HashSet<>();
        Deque<Kernels> free = new ArrayDeque<>();
        List<WorkerPool> pools = new ArrayList<>();
        for (int i = 0; i < jobsAtOnce; i++) {
            WorkerPool pool = new WorkerPool(threadsPerJob);
            pools.add(pool);
            free.add(KernelProvider.create(pool));
        }
        Job.Finished finished = JobExecution.finished(done);
        ExecutorService workers = Executors.newFixedThreadPool(jobsAtOnce, r -> {
            Thread t = new Thread(r, "sparse-circuits-job");
            t.setDaemon(true);
            return t;
        });
        ExecutorCompletionService<Outcome> completions = new ExecutorCompletionService<>(workers);
        boolean stopped = false;
        try {
            while (true) {
                List<Job> jobs = plan.jobs(finished);
                boolean progressed = false;
                for (Job job : jobs) {
                    if (done.containsKey(job.name()) || running.contains(job.name()) || failures.containsKey(job.name())) continue;
                    if (!job.after().stream().allMatch(finished::has) || free.isEmpty() || stopped) continue;
                    Map<String, Object> inputs = job.inputs(finished);
                    String id = JobRecord.id(job.kind(), inputs, Engine.VERSION);
                    var found = store.find(id);
                    if (found.isPresent()) {
                        done.put(job.name(), found.get());
                        listener.finished(job, found.get(), true);
                        progressed = true;
                        continue;
                    }
                    Kernels kernels = free.pop();
                    running.add(job.name());
                    listener.started(job);
                    completions.submit(() -> execute(job, id, inputs, kernels, store, listener, stop));
                }
                listener.counts(jobs.size(), done.size(), running.size(), failures.size());
                if (progressed) continue; // found results may unfold more of the plan
                if (running.isEmpty()) break;
                Outcome o;
                try {
                    o = completions.take().get();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while jobs were running", e);
                } catch (ExecutionException e) {
                    throw new IllegalStateException(e.getCause());
                }
                running.remove(o.job.name());
                free.push(o.kernels);
                if (o.record != null) {
                    done.put(o.job.name(), o.record);
                    ran.add(o.job.name());
                    listener.finished(o.job, o.record, false);
                } else if (o.error instanceof JobStoppedException) {
                    stopped = true;
                } else {
                    failures.put(o.job.name(), message(o.error));
                    listener.failed(o.job, o.error);
                }
                stopped |= stop.getAsBoolean();
            }
        } finally {
            workers.shutdownNow();
            for (WorkerPool p : pools) p.close();
        }
        return new RunSummary(done, ran, failures, stopped);
    }

    /** The listener with its calls one at a time: the runner's thread and the jobs' threads both report. */
    private static RunListener serialized(RunListener l) {
        return new RunListener() {
            @Override
            public synchronized void counts(int known, int finished, int running, int failed) {
                l.counts(known, finished, running, failed);
            }

            @Override
            public synchronized void started(Job job) {
                l.started(job);
            }

            @Override
            public synchronized void progress(Job job, String status) {
                l.progress(job, status);
            }

            @Override
            public synchronized void finished(Job job, JobRecord record, boolean found) {
                l.finished(job, record, found);
            }

            @Override
            public synchronized void failed(Job job, Exception error) {
                l.failed(job, error);
            }

            @Override
            public synchronized void note(Job job, String line) {
                l.note(job, line);
            }
        };
    }

    private record Outcome(Job job, Kernels kernels, JobRecord record, Exception error) {
    }

    private static Outcome execute(Job job, String id, Map<String, Object> inputs, Kernels kernels, ResultStore store,
                                   RunListener listener, BooleanSupplier stop) {
        try {
            JobRecord r = JobExecution.run(job, id, inputs, kernels, store, "in-process", s -> listener.progress(job, s),
                    line -> listener.note(job, line), stop);
            return new Outcome(job, kernels, r, null);
        } catch (Exception e) {
            return new Outcome(job, kernels, null, e);
        }
    }

    private static String message(Exception e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
