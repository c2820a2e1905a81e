package sparsecircuits.cli;

import java.util.concurrent.atomic.AtomicBoolean;
import sparsecircuits.experiment.run.InProcessRunner;
import sparsecircuits.kernels.WorkerPool;

/** The job runner's flags, shared by the commands that run a plan of jobs ({@code experiment}, {@code demo}). */
final class RunFlags {
    private RunFlags() {
    }

    static Options add(Options o) {
        int cores = WorkerPool.configuredThreads();
        return o.number("--jobs", "N", "jobs run at once (default 1)", 1, 1024, "1")
                .number("--job-threads", "T", "kernel threads of each job (default: the cores / --jobs, here " + cores
                        + "; keep jobs × threads at or below the cores)", 1, 1024, Integer.toString(cores));
    }

    static void check(Options.Parsed o) {
        ModelDir.wholeNumbers(o, "--jobs", "--job-threads");
    }

    static InProcessRunner runner(Options.Parsed o) {
        int jobs = (int) o.number("--jobs", 1);
        int threads = (int) o.number("--job-threads", Math.max(1, WorkerPool.configuredThreads() / jobs));
        return new InProcessRunner(jobs, threads);
    }

    /**
     * Ctrl-C while a plan runs: running jobs see the stop, a training job checkpoints, and the JVM waits for them (up
     * to 2 minutes) before it exits; a rerun continues. {@link #close()} when the run is over.
     */
    static final class Stop implements java.util.function.BooleanSupplier, AutoCloseable {
        private final AtomicBoolean requested = new AtomicBoolean();
        private final java.util.concurrent.CountDownLatch over = new java.util.concurrent.CountDownLatch(1);
        private final Thread hook = new Thread(() -> {
            requested.set(true);
            try {
                over.await(120, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "sparse-circuits-ctrl-c");

        Stop() {
            Runtime.getRuntime().addShutdownHook(hook);
        }

        @Override
        public boolean getAsBoolean() {
            return requested.get();
        }

        @Override
        public void close() {
            over.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // the JVM is shutting down (Ctrl-C): the hook is running and now returns
            }
        }
    }
}
