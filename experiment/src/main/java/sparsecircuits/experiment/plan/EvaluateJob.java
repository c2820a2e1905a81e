package sparsecircuits.experiment.plan;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import sparsecircuits.autograd.graph.Ops;
import sparsecircuits.experiment.job.Job;
import sparsecircuits.experiment.job.JobContext;
import sparsecircuits.model.checkpoint.ModelDirectory;
import sparsecircuits.model.gpt.Gpt;
import sparsecircuits.model.gpt.Hook;
import sparsecircuits.pruning.loss.TaskLoss;
import sparsecircuits.pruning.tasks.TaskSource;

/** A model's unpruned held-out loss on a task: whether it solves the task, which decides whether the task is pruned. */
final class EvaluateJob implements Job {
    final TrainModelJob model;
    final TaskRef task;
    private final int pairs;
    private final long seed;

    EvaluateJob(TrainModelJob model, TaskRef task, int pairs, long seed) {
        this.model = model;
        this.task = task;
        this.pairs = pairs;
        this.seed = seed;
    }

    @Override
    public String name() {
        return "evaluate " + model.spec.id() + " " + task.given();
    }

    @Override
    public String kind() {
        return "evaluate";
    }

    @Override
    public List<Job> after() {
        return List.of(model);
    }

    @Override
    public Map<String, Object> inputs(Finished finished) {
        Map<String, Object> m = new LinkedHashMap<>();
        model.identify(m, finished);
        m.putAll(TaskRef.inputsOf(task));
        m.put("pairs", (long) pairs);
        m.put("seed", seed);
        return m;
    }

    @Override
    public Result run(JobContext ctx) {
        Path dir = ctx.committed(model.spec.directory());
        Gpt g = ModelDirectory.model(dir);
        TaskSource.Sequences seqs = TaskSource.heldOut(task.task(), TaskSource.heldOutPairs(pairs), seed, ModelDirectory.tokenizer(dir, g));
        for (String w : seqs.warnings()) ctx.note(w); // the warning names the task
        double loss = TaskLoss.evaluate(g, seqs.heldOut(), Ops.inference(ctx.kernels()).sparseBelow(1.0), Hook.NONE).loss();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("loss", loss);
        return new Result(m, List.of());
    }

    /** The loss a finished evaluation found. */
    static double loss(Finished finished, EvaluateJob job) {
        return ((Number) finished.of(job).result().get("loss")).doubleValue();
    }
}
