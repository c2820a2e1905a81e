package sparsecircuits.cluster;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaFutureAction;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.launcher.JavaModuleOptions;
import scala.Tuple2;
import sparsecircuits.experiment.job.Engine;
import sparsecircuits.experiment.job.Job;
import sparsecircuits.experiment.job.JobRecord;
import sparsecircuits.experiment.run.ClusterRunner;
import sparsecircuits.experiment.run.JobExecution;
import sparsecircuits.experiment.run.Plan;
import sparsecircuits.experiment.run.PlanSource;
import sparsecircuits.experiment.run.RunListener;
import sparsecircuits.experiment.run.RunSummary;
import sparsecircuits.experiment.store.ResultStore;

/**
 * Runs a plan on Apache Spark: every job that is ready (everything it reads has finished) and not already in the
 * store becomes a Spark job of one task, submitted at once; Spark places the tasks on executors, {@code spark.task.cpus}
 * = threads per job, so N tasks on N cores do not oversubscribe. The driver keeps the plan and unfolds it as records
 * come back, exactly as {@link sparsecircuits.experiment.run.InProcessRunner} does, so the same plan gives the same
 * jobs with the same ids and, on executors with the same kernels, the same results. A task whose executor dies is
 * retried by Spark ({@code spark.task.maxFailures}); speculation is off, since two attempts of one job would share its
 * staging directory.
 */
public final class SparkRunner implements ClusterRunner {
    private static final Pattern SPARK_URL = Pattern.compile("spark://([^:/]+):(\\d+)");
    private static final Pattern LOCAL = Pattern.compile("local(\\[(\\*|\\d+)(,\\d+)?])?");
    private final String master;
    private final int threadsPerJob;
    private final JavaSparkContext sc;
    private final Map<String, String> hadoopConf = new LinkedHashMap<>();
    private final double startSeconds;
    private final TaskTimes taskTimes = new TaskTimes();
    private final Map<String, Double> overhead = new java.util.concurrent.ConcurrentHashMap<>();

    private SparkRunner(String master, int threadsPerJob, JavaSparkContext sc, double startSeconds) {
        this.master = master;
        this.threadsPerJob = threadsPerJob;
        this.sc = sc;
        this.startSeconds = startSeconds;
        for (Tuple2<String, String> e : sc.getConf().getAllWithPrefix("spark.hadoop.")) hadoopConf.put(e._1(), e._2());
        sc.sc().addSparkListener(taskTimes);
    }

    /** How long each Spark job's task held its core (launch to finish), by the job's description (our job's name). */
    private static final class TaskTimes extends org.apache.spark.scheduler.SparkListener {
        private final Map<Integer, String> stageToJob = new java.util.concurrent.ConcurrentHashMap<>();
        private final Map<String, Double> seconds = new java.util.concurrent.ConcurrentHashMap<>();

        @Override
        public void onJobStart(org.apache.spark.scheduler.SparkListenerJobStart start) {
            String name = start.properties() == null ? null : start.properties().getProperty("spark.job.description");
            if (name == null) return;
            for (Object id : scala.jdk.javaapi.CollectionConverters.asJava(start.stageIds())) stageToJob.put((Integer) id, name);
        }

        @Override
        public void onTaskEnd(org.apache.spark.scheduler.SparkListenerTaskEnd end) {
            String name = stageToJob.get(end.stageId());
            if (name != null && end.taskInfo().successful()) {
                seconds.put(name, (end.taskInfo().finishTime() - end.taskInfo().launchTime()) / 1000.0);
            }
        }
    }

    /** Connects to {@code master}; an IllegalArgumentException (one sentence) when it is malformed or unreachable. */
    static SparkRunner open(String master, int threadsPerJob, String applicationName) {
        if (threadsPerJob < 1) throw new IllegalArgumentException("threads per job must be ≥ 1, got " + threadsPerJob);
        boolean local = checkMaster(master, threadsPerJob);
        SparkConf conf = new SparkConf(true).setMaster(master).setAppName(applicationName);
        conf.set("spark.task.cpus", Integer.toString(threadsPerJob));
        conf.set("spark.speculation", "false");
        conf.setIfMissing("spark.ui.showConsoleProgress", "false");
        // the executors need the Vector API and Spark's own module options on every JVM (README, "On a cluster")
        conf.setIfMissing("spark.executor.extraJavaOptions", JavaModuleOptions.defaultModuleOptions());
        if (!local && !conf.contains("spark.jars")) conf.set("spark.jars", ownJar());
        if (local) { // nothing needs to leave this machine
            conf.setIfMissing("spark.driver.host", "127.0.0.1");
            conf.setIfMissing("spark.driver.bindAddress", "127.0.0.1");
        }
        try {
            long t0 = System.nanoTime();
            JavaSparkContext sc = new JavaSparkContext(conf);
            return new SparkRunner(master, threadsPerJob, sc, (System.nanoTime() - t0) / 1e9);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("cannot start Spark on " + master + ": " + HadoopResultStore.message(e), e);
        }
    }

    /** Whether {@code master} is local; refuses a malformed one and a standalone master nobody answers at. */
    static boolean checkMaster(String master, int threadsPerJob) {
        Matcher l = LOCAL.matcher(master);
        if (l.matches()) {
            int cores = l.group(2) == null ? 1 : l.group(2).equals("*") ? Runtime.getRuntime().availableProcessors() : Integer.parseInt(l.group(2));
            if (cores < threadsPerJob) {
                throw new IllegalArgumentException(master + " gives " + cores + " core" + (cores == 1 ? "" : "s") + ", fewer than the " + threadsPerJob
                        + " threads of one job: no job could be placed (give local[" + threadsPerJob + "] or more, or fewer threads per job)");
            }
            return true;
        }
        Matcher s = SPARK_URL.matcher(master);
        if (s.matches()) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(s.group(1), Integer.parseInt(s.group(2))), 5000);
            } catch (IOException e) {
                throw new IllegalArgumentException("no Spark master answers at " + s.group(1) + ":" + s.group(2) + " (" + HadoopResultStore.message(e)
                        + "): start it, or give the URL its web page shows");
            }
            return false;
        }
        if (master.startsWith("yarn") || master.startsWith("k8s://") || master.startsWith("mesos://")) return false; // untested: Spark decides
        throw new IllegalArgumentException("'" + master + "' is not a Spark master: give local[N], spark://HOST:PORT, yarn or k8s://URL");
    }

    /** The jar this class came from, which executors load the jobs from. */
    private static String ownJar() {
        try {
            URI where = SparkRunner.class.getProtectionDomain().getCodeSource().getLocation().toURI();
            if (where.getPath() != null && where.getPath().endsWith(".jar")) return where.toString();
        } catch (Exception e) {
            // fall through
        }
        throw new IllegalArgumentException("the executors need sparse-circuits-spark.jar, but this runner was not loaded from a jar: "
                + "build it (./mvnw -B -ntp package -pl cluster -am -DskipTests) and set spark.jars to it");
    }

    @Override
    public ResultStore store(String location) throws IOException {
        Configuration conf = new Configuration(sc.hadoopConfiguration());
        HadoopResultStore store = HadoopResultStore.open(location, conf);
        checkExecutorsCanWrite(store);
        return store;
    }

    /** One small task per core that writes and removes a file in the run directory: refused before any job runs. */
    private void checkExecutorsCanWrite(HadoopResultStore store) {
        if (LOCAL.matcher(master).matches()) return; // the executors are this JVM, which just wrote there
        String location = store.uri().toString();
        Map<String, String> hadoop = hadoopConf;
        try {
            sc.parallelize(List.of(0), 1).map(i -> {
                JobTask.store(location, hadoop); // as a job opens it (and kept for the jobs)
                return i;
            }).collect();
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("the executors cannot use the run directory " + location + ": " + failure(e), e);
        }
    }

    @Override
    public RunSummary run(PlanSource source, ResultStore store, RunListener listener, BooleanSupplier stop) throws IOException {
        if (!(store instanceof HadoopResultStore hadoopStore)) {
            throw new IllegalArgumentException("the Spark runner needs a store every executor can open (SparkRunner.store), not " + store.describe());
        }
        Plan plan = source.plan();
        Map<String, JobRecord> done = new LinkedHashMap<>();
        Map<String, String> doneJson = new LinkedHashMap<>(); // sent with every task: written once per record
        Map<String, String> failures = new LinkedHashMap<>();
        List<String> ran = new java.util.ArrayList<>();
        Set<String> running = new HashSet<>();
        Job.Finished finished = JobExecution.finished(done);
        LinkedBlockingQueue<Returned> returned = new LinkedBlockingQueue<>();
        ExecutorService waiters = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "sparse-circuits-spark-wait");
            t.setDaemon(true);
            return t;
        });
        boolean stopped = false;
        overhead.clear();
        try {
            while (true) {
                List<Job> jobs = plan.jobs(finished);
                boolean progressed = false;
                for (Job job : jobs) {
                    if (done.containsKey(job.name()) || running.contains(job.name()) || failures.containsKey(job.name())) continue;
                    if (!job.after().stream().allMatch(finished::has) || stopped) continue;
                    Map<String, Object> inputs = job.inputs(finished);
                    String id = JobRecord.id(job.kind(), inputs, Engine.VERSION);
                    var found = store.find(id);
                    if (found.isPresent()) {
                        done.put(job.name(), found.get());
                        doneJson.put(job.name(), found.get().toJson());
                        listener.finished(job, found.get(), true);
                        progressed = true;
                        continue;
                    }
                    JobTask task = new JobTask(source, job.name(), id, new LinkedHashMap<>(doneJson), hadoopStore.uri().toString(), threadsPerJob, hadoopConf);
                    sc.setJobDescription(job.name());
                    JavaFutureAction<List<String>> action = sc.parallelize(List.of(task), 1).map(JobTask::run).collectAsync();
                    running.add(job.name());
                    listener.started(job);
                    waiters.submit(() -> returned.add(await(job, action)));
                }
                listener.counts(jobs.size(), done.size(), running.size(), failures.size());
                if (progressed) continue;
                if (running.isEmpty()) break;
                Returned r = null;
                while (r == null) {
                    try {
                        r = returned.poll(200, TimeUnit.MILLISECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IOException("interrupted while jobs were running", e);
                    }
                    if (r == null && !stopped && stop.getAsBoolean()) {
                        stopped = true;
                        sc.cancelAllJobs(); // the executors see their tasks interrupted: a training job checkpoints and stops
                    }
                }
                running.remove(r.job.name());
                if (r.outcome != null) {
                    JobRecord rec = r.outcome.record();
                    done.put(r.job.name(), rec);
                    doneJson.put(r.job.name(), rec.toJson());
                    if (!r.outcome.found()) ran.add(r.job.name());
                    for (String note : r.outcome.notes()) listener.note(r.job, note);
                    listener.finished(r.job, rec, r.outcome.found());
                } else if (!stopped) {
                    failures.put(r.job.name(), r.error);
                    listener.failed(r.job, new IOException(r.error));
                }
                stopped |= stop.getAsBoolean();
            }
        } finally {
            waiters.shutdownNow();
        }
        long until = System.nanoTime() + 1_000_000_000L; // one wait for the listener's last reports, not one per job
        for (String name : ran) {
            Double held = taskTime(name, until);
            if (held != null) overhead.put(name, Math.max(0, held - done.get(name).seconds()));
        }
        return new RunSummary(done, ran, failures, stopped);
    }

    /** The task time of a job: Spark's listener reports it on its own thread, shortly after the result arrives. */
    private Double taskTime(String name, long untilNanos) {
        while (!taskTimes.seconds.containsKey(name) && System.nanoTime() < untilNanos) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return taskTimes.seconds.remove(name);
    }

    @Override
    public double startSeconds() {
        return startSeconds;
    }

    @Override
    public Map<String, Double> overheadSeconds() {
        return Map.copyOf(overhead);
    }

    /** A job's Spark action, once it ended: its outcome, or why it failed. */
    private record Returned(Job job, JobTask.Outcome outcome, String error) {
    }

    private static Returned await(Job job, JavaFutureAction<List<String>> action) {
        try {
            return new Returned(job, JobTask.Outcome.fromJson(action.get().get(0)), null);
        } catch (ExecutionException e) {
            return new Returned(job, null, failure(e.getCause() == null ? e : e.getCause()));
        } catch (InterruptedException | RuntimeException e) {
            return new Returned(job, null, failure(e));
        }
    }

    /**
     * Why a Spark job failed, in one line: Spark's "Job aborted due to stage failure: … (host executor 1):
     * java.lang.IllegalStateException: why" becomes "IllegalStateException: why (after N attempts)".
     */
    static String failure(Throwable e) {
        String first = HadoopResultStore.message(e);
        Matcher attempts = Pattern.compile("failed (\\d+) times").matcher(first);
        int cut = first.lastIndexOf("): ");
        String why = cut >= 0 ? first.substring(cut + 3) : first;
        why = why.replaceFirst("^(?:[a-z_$][\\w$]*\\.)+([A-Z][\\w$]*(?:Exception|Error))", "$1");
        return attempts.find() && !attempts.group(1).equals("1") ? why + " (after " + attempts.group(1) + " attempts)" : why;
    }

    @Override
    public String describe() {
        return "spark " + master + ", " + threadsPerJob + " thread" + (threadsPerJob == 1 ? "" : "s") + " per job";
    }

    /** The Spark context, for tests and benchmarks that look at the cluster. */
    JavaSparkContext context() {
        return sc;
    }

    @Override
    public void close() {
        sc.stop();
    }

}
