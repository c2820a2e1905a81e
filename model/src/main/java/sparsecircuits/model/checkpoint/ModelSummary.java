package sparsecircuits.model.checkpoint;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import sparsecircuits.autograd.optim.Schedule;
import sparsecircuits.autograd.param.Parameter;
import sparsecircuits.model.gpt.Gpt;
import sparsecircuits.model.gpt.GptConfig;
import sparsecircuits.model.train.TrainConfig;
import sparsecircuits.model.train.Trainer;

/**
 * What a model directory holds, counted: the config, parameters and nonzeros (L0) in total and per tensor, and for a
 * run made by training the L0 budget its schedule allows at the steps done and its progress.
 *
 * @param dir           the model directory, as given
 * @param budget        the nonzeros the L0 schedule allows after the steps done (the minimum-per-neuron rule may keep
 *                      a few more); null without a sparse training config that fits the model
 * @param budgetProblem why a training config's budget does not apply to the model, or null
 * @param training      the training run's settings and progress, or null for a bare model
 */
public record ModelSummary(String dir, GptConfig config, long parameters, long nonzeros, Long budget, String budgetProblem,
                           List<Tensor> tensors, Training training) {
    public static final String SCHEMA = "sparse-circuits/inspect/1";

    /** One parameter tensor; {@code budget} is null without a schedule (and the whole tensor for a dense one with it). */
    public record Tensor(String name, List<Integer> shape, boolean sparse, int numel, int nonzeros, Integer budget) {
        public double density() {
            return (double) nonzeros / numel;
        }
    }

    /**
     * The training run: its mode, corpus and total steps (null without train-config.json), and what train-log.jsonl
     * says (NaN / null when absent).
     */
    public record Training(String mode, String corpus, Long stepsTotal, long stepsDone, double lastLoss, Long lastValStep,
                           double lastValLoss, boolean resumable) {
    }

    /** L0 / parameters. */
    public double density() {
        return (double) nonzeros / parameters;
    }

    /**
     * Reads and counts the model directory.
     *
     * @throws CheckpointException for an unreadable model, train-config.json or train-log.jsonl
     */
    public static ModelSummary of(Path dir) {
        Gpt model = ModelDirectory.model(dir);
        TrainConfig tc = ModelDirectory.trainConfig(dir);
        ModelDirectory.Progress progress = ModelDirectory.progress(dir);
        long done = progress != null ? progress.stepsDone() : 0;
        Schedule schedule = null;
        String problem = null;
        try {
            if (tc != null && tc.sparse()) schedule = tc.schedule(model.config().dModel());
        } catch (IllegalArgumentException e) { // a train-config.json of another model: the rest still stands
            problem = Trainer.TRAIN_CONFIG + " does not fit the model (" + e.getMessage() + ")";
        }
        List<Tensor> tensors = new ArrayList<>();
        long nonzeros = 0, budget = 0;
        for (Parameter p : model.parameterList()) {
            int nz = p.countNonZero();
            int allowed = schedule != null && p.isSparse() ? schedule.keptCount(p.rule().budget(), p.numel(), done) : p.numel();
            nonzeros += nz;
            budget += allowed;
            tensors.add(new Tensor(p.name(), Arrays.stream(p.shape()).boxed().toList(), p.isSparse(), p.numel(), nz,
                    schedule != null ? allowed : null));
        }
        Training training = tc == null && progress == null ? null : new Training(
                tc == null ? null : tc.sparse() ? "sparse" : "dense", tc == null ? null : tc.corpus(), tc == null ? null : tc.steps(), done,
                progress == null ? Double.NaN : progress.lastLoss(), progress == null || progress.lastValStep() < 0 ? null : progress.lastValStep(),
                progress == null ? Double.NaN : progress.lastValLoss(), Files.isRegularFile(dir.resolve(Trainer.STATE)));
        return new ModelSummary(dir.toString(), model.config(), model.parameterCount(), nonzeros, schedule != null ? budget : null, problem,
                tensors, training);
    }

    /** As JSON (schema {@value #SCHEMA}): every key always present, null where nothing applies. */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("schema", SCHEMA);
        m.put("model", dir);
        m.put("config", ModelFiles.referenceConfig(config));
        m.put("learned_positions", config.learnedPositions());
        m.put("parameters", parameters);
        m.put("nonzeros", nonzeros);
        m.put("density", density());
        m.put("budget", budget);
        List<Object> ts = new ArrayList<>();
        for (Tensor t : tensors) {
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("name", t.name());
            x.put("shape", t.shape());
            x.put("sparse", t.sparse());
            x.put("numel", t.numel());
            x.put("nonzeros", t.nonzeros());
            x.put("density", t.density());
            if (t.budget() != null) x.put("budget", t.budget());
            ts.add(x);
        }
        m.put("tensors", ts);
        Map<String, Object> t = null;
        if (training != null) {
            t = new LinkedHashMap<>();
            t.put("mode", training.mode());
            t.put("corpus", training.corpus());
            t.put("steps_total", training.stepsTotal());
            t.put("steps_done", training.stepsDone());
            t.put("last_loss", Double.isNaN(training.lastLoss()) ? null : training.lastLoss());
            t.put("last_val_step", training.lastValStep());
            t.put("last_val_loss", Double.isNaN(training.lastValLoss()) ? null : training.lastValLoss());
            t.put("resumable", training.resumable());
        }
        m.put("training", t);
        return m;
    }
}
