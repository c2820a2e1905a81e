package sparsecircuits.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ServiceLoader;
import java.util.concurrent.atomic.AtomicBoolean;
import sparsecircuits.experiment.run.ClusterRunner;
import sparsecircuits.experiment.run.ClusterRunnerProvider;
import sparsecircuits.experiment.run.InProcessRunner;
import sparsecircuits.experiment.run.Runner;
import sparsecircuits.experiment.store.LocalDirectoryStore;
import sparsecircuits.experiment.store.ResultStore;
import sparsecircuits.kernels.WorkerPool;

/** The job runner's flags, shared by the commands that run a plan of jobs ({@code experiment}, {@code demo}). */
final class RunFlags {
    private RunFlags() {
    }

    static Options add(Options o) {
        int cores = WorkerPool.configuredThreads();
        return o.number("--jobs", "N", "jobs run at once (default 1)", 1, 1024, "1")
                .number("--job-threads", "T", "kernel threads of each job (default: the cores / --jobs, here " + cores
                        + "; keep jobs × threads at or below the cores; with --master: 1, and Spark's spark.task.cpus)", 1, 1024, Integer.toString(cores))
                .option("--master", "URL", "run the jobs on Apache Spark: local[N] (embedded, N cores), spark://HOST:PORT (a standalone "
                        + "cluster), yarn or k8s://URL (untested); --out may then be a Hadoop URI (hdfs://, s3a://: untested). "
                        + "Without it the jobs run in this process and no Spark class is loaded");
    }

    static void check(Options.Parsed o) {
        ModelDir.wholeNumbers(o, "--jobs", "--job-threads");
        if (o.has("--master") && o.has("--jobs")) {
            throw new UserError("--jobs does not apply with --master", "Spark runs as many jobs at once as the cluster has cores ÷ --job-threads: "
                    + "give local[N] with the cores to use, or size the cluster");
        }
    }

    /** The runner the flags ask for and the result store in {@code out}; close it when the run is over. */
    static Opened open(Options.Parsed o, String out, String applicationName) throws IOException {
        if (!o.has("--master")) {
            int jobs = (int) o.number("--jobs", 1);
            int threads = (int) o.number("--job-threads", Math.max(1, WorkerPool.configuredThreads() / jobs));
            return new Opened(new InProcessRunner(jobs, threads), new LocalDirectoryStore(Path.of(out)), null);
        }
        String master = o.value("--master", "");
        ClusterRunnerProvider provider = ServiceLoader.load(ClusterRunnerProvider.class).findFirst().orElseThrow(() -> new UserError(
                "--master needs the Spark runner (sparse-circuits-spark.jar and Spark's jars), which is not on the class path",
                "run through ./sparse-circuits, which builds it on first use, or build it with './mvnw -B -ntp package -pl cluster -am -DskipTests'"));
        ClusterRunner cluster;
        try {
            cluster = provider.open(master, (int) o.number("--job-threads", 1), applicationName);
        } catch (IllegalArgumentException e) {
            throw new UserError("--master " + master + ": " + e.getMessage(), "check the URL and that the cluster is up");
        }
        try {
            return new Opened(cluster, cluster.store(out), cluster);
        } catch (IllegalArgumentException e) {
            cluster.close();
            throw new UserError("--out " + out + ": " + e.getMessage(), "give a directory (or a file system URI) every executor can write");
        }
    }

    /** The cluster's time per job beyond the job's own, one line: "Spark overhead per job: median 0.21 s, ... over 16 jobs". */
    static String overhead(ClusterRunner cluster) {
        java.util.List<Double> s = cluster.overheadSeconds().values().stream().sorted().toList();
        if (s.isEmpty()) return "cluster overhead per job: no job ran";
        double sum = s.stream().mapToDouble(Double::doubleValue).sum();
        return String.format(java.util.Locale.ROOT, "cluster overhead per job (a core held beyond the job's own time): median %.3f s, mean %.3f s, "
                + "max %.3f s over %d jobs", s.get(s.size() / 2), sum / s.size(), s.get(s.size() - 1), s.size());
    }

    /** A runner, the store it runs against, and what to close after (a cluster connection; null for in-process). */
    record Opened(Runner runner, ResultStore store, ClusterRunner cluster) implements AutoCloseable {
        @Override
        public void close() {
            if (cluster != null) cluster.close();
        }
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
