package sparsecircuits.cluster;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import sparsecircuits.experiment.job.Engine;
import sparsecircuits.experiment.job.Job;
import sparsecircuits.experiment.job.JobRecord;
import sparsecircuits.experiment.run.JobExecution;
import sparsecircuits.experiment.run.PlanSource;
import sparsecircuits.kernels.Kernels;
import sparsecircuits.model.json.Json;

/**
 * One job as a Spark task: what an executor needs to find the job and run it. The executor builds the plan again from
 * its source and unfolds it with the finished jobs' records, checks that the job's inputs give the driver's id (the
 * same code on both sides), and runs it against the store at {@code storeLocation}. A job whose record is already
 * there (an attempt before this one committed, then its executor died) is not run again.
 *
 * @param finished      the records of the plan's finished jobs, by job name, as JSON
 * @param hadoopConf    the driver's {@code spark.hadoop.*} settings, without the prefix
 */
record JobTask(PlanSource source, String jobName, String id, Map<String, String> finished, String storeLocation, int threadsPerJob,
               Map<String, String> hadoopConf) implements Serializable {
    /** What the driver gets back: the job's record, whether it was found committed, and its notes. */
    record Outcome(JobRecord record, boolean found, List<String> notes) {
        String toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("record", record.toJson());
            m.put("found", found);
            m.put("notes", new ArrayList<Object>(notes));
            return Json.write(m);
        }

        @SuppressWarnings("unchecked")
        static Outcome fromJson(String json) {
            Map<String, Object> m = (Map<String, Object>) Json.parse(json);
            List<String> notes = new ArrayList<>();
            for (Object o : (List<Object>) m.get("notes")) notes.add((String) o);
            return new Outcome(JobRecord.fromJson((String) m.get("record")), Boolean.TRUE.equals(m.get("found")), notes);
        }
    }

    /** Runs on an executor (a Spark map over one element). */
    static String run(JobTask task) throws Exception {
        return task.call().toJson();
    }

    /** Stores opened in this executor, by location and settings: opening one reads Hadoop's configuration and probes the directory. */
    private static final Map<List<Object>, HadoopResultStore> STORES = new java.util.concurrent.ConcurrentHashMap<>();
    /**
     * The plan of the last source each task thread ran, unfolded again for every job: building a plan checks every
     * sparse model's L0, and a plan unfolds the same from the same records (the driver too keeps one plan for a run).
     * Per thread, since unfolding sets what the plan's report reads.
     */
    private static final ThreadLocal<Map.Entry<PlanSource, sparsecircuits.experiment.run.Plan>> PLAN = new ThreadLocal<>();

    static HadoopResultStore store(String location, Map<String, String> hadoopConf) throws java.io.IOException {
        List<Object> key = List.of(location, hadoopConf);
        HadoopResultStore s = STORES.get(key);
        if (s == null) {
            Configuration conf = new Configuration();
            hadoopConf.forEach(conf::set);
            s = HadoopResultStore.open(location, conf);
            STORES.put(key, s);
        }
        return s;
    }

    private static sparsecircuits.experiment.run.Plan plan(PlanSource source) {
        Map.Entry<PlanSource, sparsecircuits.experiment.run.Plan> last = PLAN.get();
        if (last != null && last.getKey().equals(source)) return last.getValue();
        sparsecircuits.experiment.run.Plan plan = source.plan();
        PLAN.set(Map.entry(source, plan));
        return plan;
    }

    Outcome call() throws Exception {
        HadoopResultStore store = store(storeLocation, hadoopConf);
        Optional<JobRecord> committed = store.find(id);
        if (committed.isPresent()) return new Outcome(committed.get(), true, List.of());
        Map<String, JobRecord> done = new LinkedHashMap<>();
        finished.forEach((name, json) -> done.put(name, JobRecord.fromJson(json)));
        Job job = JobExecution.unfold(plan(source), jobName, done);
        Map<String, Object> inputs = job.inputs(JobExecution.finished(done));
        String here = JobRecord.id(job.kind(), inputs, Engine.VERSION);
        if (!here.equals(id)) {
            throw new IllegalStateException(jobName + " has id " + here + " on this executor but " + id + " on the driver: they run different versions");
        }
        TaskContext spark = TaskContext.get();
        String runner = "spark executor " + (SparkEnv.get() == null ? "?" : SparkEnv.get().executorId());
        List<String> notes = new ArrayList<>();
        Kernels kernels = ExecutorKernels.borrow(threadsPerJob);
        try {
            JobRecord r = JobExecution.run(job, id, inputs, kernels, store, runner, status -> { }, notes::add,
                    () -> spark != null && spark.isInterrupted());
            return new Outcome(r, false, notes);
        } finally {
            ExecutorKernels.giveBack(kernels);
        }
    }
}
