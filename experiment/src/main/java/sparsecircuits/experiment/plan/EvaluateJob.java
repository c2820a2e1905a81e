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
import sparsecircuits.pruning.tasks.CorpusDisjointTask;
import sparsecircuits.pruning.tasks.Task;
import sparsecircuits.pruning.tasks.TaskSource;
import sparsecircuits.pruning.tasks.TaskTokens;

/**
 * A model's unpruned held-out loss on a task: whether it solves the task, which decides whether the task is pruned.
 * First it checks that the tokenizer keeps each prompt/target boundary in running text (a prompt whose last token
 * merges with the target never shows the model the target alone in training); a task that fails is reported with
 * the clash, loudly, and not pruned. On a real-code corpus the pairs are those not in the corpus, and how many were
 * replaced is recorded.
 */
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
        m.put("checks", "tokenizer boundary"); // records from before the check are not reused: they never looked
        return m;
    }

    @Override
    public Result run(JobContext ctx) {
        Path dir = ctx.committed(model.spec.directory());
        Gpt g = ModelDirectory.model(dir);
        var bpe = ModelDirectory.tokenizer(dir, g);
        int n = TaskSource.heldOutPairs(pairs);
        Task t = task.task();
        String clash = TaskTokens.boundaryClash(task.name(), t.pairs(Task.Split.HELD_OUT, n, seed), bpe).orElse(null);
        Map<String, Object> m = new LinkedHashMap<>();
        if (clash != null) ctx.note(clash);
        m.put("tokenizer_clash", clash);
        int inCorpus = t instanceof CorpusDisjointTask d ? d.select(Task.Split.HELD_OUT, n, seed).excluded().size() : 0;
        if (inCorpus > 0) {
            ctx.note(task.name() + ": " + inCorpus + " held-out pair(s) occur verbatim in the corpus " + task.disjointFrom().orElseThrow()
                    + " and were replaced by pairs that do not");
        }
        m.put("pairs_in_corpus", (long) inCorpus);
        TaskSource.Sequences seqs = TaskSource.heldOut(t, n, seed, bpe);
        for (String w : seqs.warnings()) ctx.note(w); // the warning names the task
        m.put("loss", TaskLoss.evaluate(g, seqs.heldOut(), Ops.inference(ctx.kernels()).sparseBelow(1.0), Hook.NONE).loss());
        return new Result(m, List.of());
    }

    /** The tokenizer clash a finished evaluation found, or null. */
    static String clash(Finished finished, EvaluateJob job) {
        return finished.of(job).result().get("tokenizer_clash") instanceof String c ? c : null;
    }

    /** How many held-out pairs a finished evaluation replaced because they occur in the corpus (0 in older records). */
    static long pairsInCorpus(Finished finished, EvaluateJob job) {
        return finished.of(job).result().get("pairs_in_corpus") instanceof Number n ? n.longValue() : 0;
    }

    /** The loss a finished evaluation found. */
    static double loss(Finished finished, EvaluateJob job) {
        return ((Number) finished.of(job).result().get("loss")).doubleValue();
    }
}
