package sparsecircuits.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sparsecircuits.experiment.job.Job;
import sparsecircuits.experiment.job.JobRecord;
import sparsecircuits.experiment.plan.ExperimentPlan;
import sparsecircuits.experiment.plan.ExperimentSettings;
import sparsecircuits.experiment.run.InProcessRunner;
import sparsecircuits.experiment.run.RunListener;
import sparsecircuits.experiment.store.LocalDirectoryStore;
import sparsecircuits.experiment.store.ResultStore;

/**
 * A standalone Spark cluster on this machine, started from the build's own files (target/spark-home: Spark's jars from
 * Maven Central, no download): a master and two workers of one core each, every socket on 127.0.0.1 only
 * (SPARK_LOCAL_IP and the host options), executors of at most 768 MB. The driver is this JVM. The same small plan as
 * {@link SparkRunnerTest} must give the in-process runner's results; then again with one worker and its executor
 * killed (kill -9) after the first jobs finished: the plan completes on the other worker, every job's record is there
 * once, and the results are the same.
 */
class StandaloneClusterIT {
    private static final Path TARGET = Path.of("target").toAbsolutePath();
    private static final Path SPARK_HOME = TARGET.resolve("spark-home");
    private static final Path JAR = TARGET.resolve("sparse-circuits-spark.jar");

    @TempDir
    static Path tmp;
    static final List<Process> started = new ArrayList<>();
    static Process workerOne, workerTwo;
    static String master;
    static ExperimentPlan.Outcome reference;

    @BeforeAll
    static void cluster() throws Exception {
        assertTrue(Files.isRegularFile(JAR) && Files.isRegularFile(SPARK_HOME.resolve("RELEASE")), "run after package: " + JAR + ", " + SPARK_HOME);
        int port = freePort();
        master = "spark://127.0.0.1:" + port;
        started.add(start("master", "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1", "--port", Integer.toString(port),
                "--webui-port", "0"));
        waitForPort(port);
        workerOne = start("worker-1", "org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1", "--port", "0", "--webui-port", "0",
                "--cores", "1", "--memory", "1g", "--work-dir", tmp.resolve("work-1").toString(), master);
        workerTwo = start("worker-2", "org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1", "--port", "0", "--webui-port", "0",
                "--cores", "1", "--memory", "1g", "--work-dir", tmp.resolve("work-2").toString(), master);
        started.add(workerOne);
        started.add(workerTwo);
        ClusterFixture.loopbackOnly();
        System.setProperty("spark.jars", JAR.toUri().toString());
        System.setProperty("spark.executor.memory", "768m");
        System.setProperty("spark.cores.max", "2");
        Path dir = tmp.resolve("in-process");
        reference = ExperimentPlan.run(ClusterFixture.plan(), dir, new InProcessRunner(2, 1), RunListener.NONE, () -> false);
        assertTrue(reference.run().complete(), reference.run().failures().toString());
    }

    @AfterAll
    static void stop() {
        for (Process p : started) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }

    @Test
    void theClusterGivesTheInProcessResultsAndSurvivesAKilledWorker() throws Exception {
        ExperimentSettings s = ClusterFixture.plan();
        Path whole = tmp.resolve("cluster"), killed = tmp.resolve("cluster-killed");
        try (SparkRunner runner = SparkRunner.open(master, 1, "sparse-circuits standalone test")) {
            waitForExecutors(runner, 2);
            ResultStore store = runner.store(whole.toUri().toString());
            ExperimentPlan.Outcome b = ExperimentPlan.run(s, store, runner, RunListener.NONE, () -> false);
            assertTrue(b.run().complete(), b.run().failures().toString());
            Set<String> executors = new HashSet<>();
            for (JobRecord r : b.run().records().values()) executors.add(r.worker().runner());
            assertEquals(2, executors.size(), "both executors ran jobs: " + executors);
            ClusterFixture.assertSameResults(reference.run(), tmp.resolve("in-process"), b.run(), whole);

            // again, into a new directory; once three jobs have finished, worker 1 and its executor die
            AtomicInteger finished = new AtomicInteger();
            AtomicBoolean killedOne = new AtomicBoolean();
            List<Long> pids = new ArrayList<>();
            RunListener killer = new RunListener() {
                @Override
                public void finished(Job job, JobRecord record, boolean found) {
                    if (finished.incrementAndGet() == 3 && killedOne.compareAndSet(false, true)) {
                        workerOne.descendants().forEach(h -> pids.add(h.pid()));
                        pids.add(workerOne.pid());
                        kill9(pids);
                    }
                }
            };
            ExperimentPlan.Outcome c = ExperimentPlan.run(s, runner.store(killed.toString()), runner, killer, () -> false);
            assertTrue(killedOne.get() && pids.size() >= 2, "worker 1 and its executor were killed: " + pids);
            assertTrue(c.run().complete(), c.run().failures().toString());
            ClusterFixture.assertSameResults(reference.run(), tmp.resolve("in-process"), c.run(), killed);
            try (var records = Files.list(killed.resolve(LocalDirectoryStore.JOBS))) {
                List<String> names = records.map(p -> p.getFileName().toString()).toList();
                assertEquals(reference.run().records().size(), names.size(), "one record per job, no temporary file left: " + names);
            }
            try (var staging = Files.list(Files.createDirectories(killed.resolve(LocalDirectoryStore.STAGING)))) {
                assertEquals(List.of(), staging.toList(), "no staging left behind");
            }
        }
    }

    private static Process start(String name, String mainClass, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.add("-Xmx256m");
        cmd.addAll(List.of(System.getProperty("sparsecircuits.spark.jvm.args", "").trim().split("\\s+")));
        cmd.add("-Dspark.master.rest.enabled=false");
        cmd.add("-Dspark.worker.timeout=10");
        cmd.add("-cp");
        cmd.add(SPARK_HOME.resolve("conf") + java.io.File.pathSeparator + SPARK_HOME.resolve("jars") + java.io.File.separator + "*");
        cmd.add(mainClass);
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("SPARK_HOME", SPARK_HOME.toString());
        pb.environment().put("SPARK_SCALA_VERSION", "2.13");
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        pb.environment().put("JAVA_HOME", Path.of(System.getProperty("java.home")).toString());
        Path log = TARGET.resolve("standalone-" + name + ".log");
        pb.redirectErrorStream(true).redirectOutput(log.toFile());
        return pb.start();
    }

    private static void kill9(List<Long> pids) {
        for (long pid : pids) {
            try {
                new ProcessBuilder("kill", "-9", Long.toString(pid)).inheritIO().start().waitFor();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static void waitForPort(int port) throws InterruptedException {
        long until = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < until) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 500);
                return;
            } catch (IOException e) {
                Thread.sleep(200);
            }
        }
        throw new AssertionError("the master did not open port " + port + " in 60 s (target/standalone-master.log)");
    }

    private static void waitForExecutors(SparkRunner runner, int executors) throws InterruptedException {
        long until = System.nanoTime() + 120_000_000_000L;
        while (System.nanoTime() < until) {
            if (runner.context().statusTracker().getExecutorInfos().length >= executors + 1) return; // the driver counts as one
            Thread.sleep(250);
        }
        throw new AssertionError("fewer than " + executors + " executors registered in 120 s (target/standalone-*.log)");
    }
}
