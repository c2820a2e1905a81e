package sparsecircuits.experiment.plan;

import java.util.ArrayList;
import java.util.List;
import sparsecircuits.model.train.SettingException;
import sparsecircuits.pruning.tasks.PaperTasks;
import sparsecircuits.pruning.tasks.Task;
import sparsecircuits.pruning.tasks.TaskSource;

/**
 * What one sparse-vs-dense experiment runs (SPEC §6.1, §8), built by name from {@link #builder()}'s defaults: the
 * default weight-sparse model and dense models of several widths on the same corpus, steps, batch and seed; every
 * task both compared models solve, pruned in both at each k_coef of a grid and bisected to each target.
 *
 * @param steps        training steps of every model
 * @param denseWidths  d_model of the dense baselines
 * @param tasks        paper task names or JSONL files
 * @param targets      target task losses of the sweep, largest first (the main one included)
 * @param mainTarget   the target whose circuits are written, get the controls and give the headline ratio
 * @param pruneSteps   mask-training steps per pruning
 * @param kCoefs       the k_coef grid: masks trained at each, each target keeps the circuit with the fewest edges
 * @param pairs        training pairs per task (held-out: half as many, at least 2)
 * @param controls     tasks whose circuits get the controls
 * @param solvedBelow  a model solves a task when its unpruned held-out loss is at most this
 * @param seed         seed of models, pairs and masks
 * @param livePairs    held-out pairs each viewer page embeds for live ablation
 */
public record ExperimentSettings(String title, long steps, List<Integer> denseWidths, List<String> tasks, List<Double> targets,
                                 double mainTarget, int pruneSteps, List<Double> kCoefs, int pairs, List<String> controls,
                                 double solvedBelow, long seed, int livePairs) {
    /** The head width every model uses: dense widths must be multiples of it. */
    public static final int HEAD_WIDTH = 16;

    public ExperimentSettings {
        // refusals name the setting (SettingException): a caller points at its own input for it (the CLI at the flag)
        if (steps < 1) throw new SettingException("steps", "training steps must be ≥ 1, got " + steps);
        if (denseWidths.isEmpty()) throw new SettingException("dense_widths", "at least one dense width is needed");
        for (int w : denseWidths) {
            if (w < HEAD_WIDTH || w % HEAD_WIDTH != 0) {
                throw new SettingException("dense_widths", "dense width " + w + " is not a multiple of the head width " + HEAD_WIDTH);
            }
        }
        if (tasks.isEmpty()) throw new SettingException("tasks", "at least one task is needed");
        for (String t : tasks) TaskSource.resolve(t); // unknown names and bad files fail here, before any training
        for (double t : targets) if (!(t > 0)) throw new SettingException("targets", "target " + t + " is not a positive loss");
        if (kCoefs.isEmpty()) throw new SettingException("k_coefs", "the k_coef grid is empty");
        for (double k : kCoefs) {
            if (!(k >= 0) || Double.isInfinite(k)) throw new SettingException("k_coefs", "k_coef " + k + " is not a number ≥ 0");
        }
        for (String c : controls) {
            if (!tasks.contains(c)) throw new SettingException("controls", "the controls' task '" + c + "' is not one of the tasks");
        }
        List<Double> sorted = new ArrayList<>(targets);
        if (!sorted.contains(mainTarget)) sorted.add(mainTarget);
        sorted.sort((a, b) -> Double.compare(b, a));
        targets = List.copyOf(sorted);
        denseWidths = List.copyOf(denseWidths);
        tasks = List.copyOf(tasks);
        kCoefs = List.copyOf(kCoefs);
        controls = List.copyOf(controls);
    }

    /** The full-size experiment's defaults (the {@code experiment} command's). */
    public static Builder builder() {
        return new Builder();
    }

    /** The demo: the experiment at the size a 10-minute budget allows on 2 cores (the {@code demo} command). */
    public static Builder demo() {
        List<String> tasks = List.of("single_double_quote", "while_return_true", "lambda_func", "else_elif", "fstring_brace");
        return builder().title("sparse-circuits demo: weight-sparse vs dense circuits").steps(3500).denseWidths(List.of(48, 64))
                .tasks(tasks).pruneSteps(150).kCoefs(List.of(1e-3)).pairs(128).controls(tasks);
    }

    public Builder toBuilder() {
        return new Builder().title(title).steps(steps).denseWidths(denseWidths).tasks(tasks).targets(targets).mainTarget(mainTarget)
                .pruneSteps(pruneSteps).kCoefs(kCoefs).pairs(pairs).controls(controls).solvedBelow(solvedBelow).seed(seed).livePairs(livePairs);
    }

    /** Named settings from the defaults; {@code controls} default to every task. */
    public static final class Builder {
        private String title = "Weight-sparse vs dense circuits";
        private long steps = 6000;
        private List<Integer> denseWidths = List.of(32, 48, 64, 96);
        private List<String> tasks = PaperTasks.all().stream().map(Task::name).toList();
        private List<Double> targets = List.of(0.3, 0.15, 0.08);
        private double mainTarget = 0.15;
        private int pruneSteps = 200;
        private List<Double> kCoefs = List.of(3e-4, 1e-3, 3e-3);
        private int pairs = 256;
        private List<String> controls;
        private double solvedBelow = 0.05;
        private long seed = 0;
        private int livePairs = 8;

        private Builder() {
        }

        public Builder title(String v) { title = v; return this; }
        public Builder steps(long v) { steps = v; return this; }
        public Builder denseWidths(List<Integer> v) { denseWidths = v; return this; }
        public Builder tasks(List<String> v) { tasks = v; return this; }
        public Builder targets(List<Double> v) { targets = v; return this; }
        public Builder mainTarget(double v) { mainTarget = v; return this; }
        public Builder pruneSteps(int v) { pruneSteps = v; return this; }
        public Builder kCoefs(List<Double> v) { kCoefs = v; return this; }
        public Builder pairs(int v) { pairs = v; return this; }
        public Builder controls(List<String> v) { controls = v; return this; }
        public Builder solvedBelow(double v) { solvedBelow = v; return this; }
        public Builder seed(long v) { seed = v; return this; }
        public Builder livePairs(int v) { livePairs = v; return this; }

        public ExperimentSettings build() {
            return new ExperimentSettings(title, steps, denseWidths, tasks, targets, mainTarget, pruneSteps, kCoefs, pairs,
                    controls == null ? tasks : controls, solvedBelow, seed, livePairs);
        }
    }
}
