package sparsecircuits.pruning.tasks;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import sparsecircuits.autograd.graph.Ops;
import sparsecircuits.kernels.Kernels;
import sparsecircuits.model.gpt.Gpt;
import sparsecircuits.model.gpt.Hook;
import sparsecircuits.model.tokenizer.ByteLevelBpe;
import sparsecircuits.pruning.loss.TaskLoss;
import sparsecircuits.pruning.nodes.NodeMask;

/**
 * The SPEC §4.5 task loss (per-sequence mean) and accuracy of a model, or of a circuit of it (its other nodes ablated
 * as when it was pruned), on a task's held-out pairs.
 *
 * @param pairs     held-out pairs evaluated (sequences / 2)
 * @param sequences sequences evaluated (both sides of each pair)
 * @param warnings  one sentence per kind of pair dropped on tokenising ({@link TaskSource.Sequences#warnings()})
 */
public record TaskEvaluation(String task, boolean singleTarget, long pairs, int sequences, double loss, double accuracy, List<String> warnings) {
    public static final String SCHEMA = "sparse-circuits/task-eval/1";
    /** The held-out loss at most which a model is taken to solve a task (the experiment's default gate). */
    public static final double SOLVED_BELOW = 0.05;

    /**
     * Evaluates {@code model} (under {@code circuit}'s mask when not null) on {@code pairs} held-out pairs of the task.
     *
     * @throws IllegalArgumentException when the task has fewer than 2 usable held-out pairs for this tokenizer
     */
    public static TaskEvaluation of(Gpt model, ByteLevelBpe bpe, Task task, int pairs, NodeMask circuit, Kernels kernels) {
        TaskSource.Sequences s = TaskSource.heldOut(task, pairs, 0, bpe);
        List<TaskLoss.Sequence> seqs = s.heldOut();
        TaskLoss.Result r = TaskLoss.evaluate(model, seqs, Ops.inference(kernels).sparseBelow(1.0),
                TaskLoss.HookFor.fixed(circuit == null ? Hook.NONE : circuit));
        return new TaskEvaluation(task.name(), task.singleTarget(), seqs.size() / 2, r.sequences(), r.loss(), r.accuracy(), s.warnings());
    }

    /** Whether the loss is at most {@link #SOLVED_BELOW}: circuits can be pruned for the task. */
    public boolean solved() {
        return loss <= SOLVED_BELOW;
    }

    /**
     * As JSON (schema {@value #SCHEMA}).
     *
     * @param model   the model directory, as given
     * @param circuit the circuit directory, or null for the unpruned model (then the key is left out)
     */
    public Map<String, Object> toJson(String model, String circuit) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("schema", SCHEMA);
        m.put("model", model);
        m.put("task", task);
        if (circuit != null) m.put("circuit", circuit);
        m.put("pairs", pairs);
        m.put("sequences", (long) sequences);
        m.put("task_loss", loss);
        m.put("accuracy", accuracy);
        return m;
    }
}
