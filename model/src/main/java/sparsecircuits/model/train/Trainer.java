package sparsecircuits.model.train;

import java.io.BufferedWriter;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import sparsecircuits.autograd.graph.Ops;
import sparsecircuits.autograd.graph.Tape;
import sparsecircuits.autograd.graph.Tensor;
import sparsecircuits.autograd.optim.Schedule;
import sparsecircuits.autograd.optim.SparseAdam;
import sparsecircuits.autograd.param.Parameter;
import sparsecircuits.kernels.Kernels;
import sparsecircuits.model.checkpoint.AtomicFiles;
import sparsecircuits.model.checkpoint.CheckpointException;
import sparsecircuits.model.checkpoint.ModelFiles;
import sparsecircuits.model.gpt.Gpt;
import sparsecircuits.model.gpt.Hook;
import sparsecircuits.model.json.Json;

/**
 * The training loop of SPEC §2.5: forward, cross-entropy, backward, gradient-RMS normalisation, Adam, per-tensor
 * top-k under the L0 anneal, decoupled weight decay. Deterministic in (seed, step): batches come from
 * {@link TokenData#batch}, kernels are thread-count independent, and {@link TrainState} restores everything, so
 * a resumed run is bit-identical to an uninterrupted one.
 */
public final class Trainer {

    /** Files of a run directory (DESIGN.md decision 5). */
    public static final String STATE = "train-state.bin", LOG = "train-log.jsonl", TRAIN_CONFIG = "train-config.json";

    /** One optimizer step's metrics. {@code step} counts steps done (1 after the first). */
    public record StepLog(long step, long totalSteps, double loss, double lr, double pfrac, long l0, double gradRms,
                          double forwardMs, double backwardMs, double optimizerMs, double tokensPerSecond) {
        public double ms() {
            return forwardMs + backwardMs + optimizerMs;
        }
    }

    /** Progress callbacks (the CLI draws its progress bar from them). */
    public interface Listener {
        default void step(StepLog s) {
        }

        default void validation(long step, double loss) {
        }

        default void checkpoint(long step, Path dir) {
        }
    }

    /** How {@link #run} ended. */
    public enum Outcome { FINISHED, STOPPED }

    private final Gpt model;
    private final TrainConfig cfg;
    private final TokenData data;
    private final Kernels kernels;
    private final SparseAdam optimizer;
    private final Schedule schedule;
    private final Tape tape = new Tape(true); // one recycling tape: a step allocates almost nothing
    private double lastValidation = Double.NaN;
    private long lastCheckpointStep = -1;

    /** A trainer positioned after {@code stepsDone} steps (0 for a new run; a resume restores state first). */
    public Trainer(Gpt model, TrainConfig cfg, TokenData data, Kernels kernels, long stepsDone) {
        this.model = model;
        this.cfg = cfg;
        this.data = data;
        this.kernels = kernels;
        this.schedule = cfg.schedule(model.config().dModel());
        SparseAdam.Settings s = SparseAdam.Settings.defaults().withMinPerNeuron(cfg.sparse() ? cfg.minPerNeuron() : 0)
                .withWeightDecay((float) cfg.weightDecay());
        this.optimizer = new SparseAdam(model.parameterList(), schedule, cfg.lr(), s, kernels);
        if (cfg.sparse()) optimizer.checkBudgets();
        optimizer.setStepsTaken(stepsDone);
        // a new scalable run holds its sparse weights now; a resumed one got them held from its state
        if (cfg.recipe() == TrainConfig.Recipe.SCALABLE && stepsDone == 0) {
            ScalableRecipe.holdAll(model.parameterList(), schedule, cfg.minPerNeuron());
        }
    }

    /**
     * Refuses, before any work, a sparsity budget that cannot be met: a pfrac that asks a tensor for more entries than
     * it holds, or one the minimum-per-neuron rule cannot meet. Bad input, so an {@link IllegalArgumentException}.
     *
     * @throws sparsecircuits.autograd.optim.BudgetException with the largest pfrac, the largest j and the smallest
     *         pfrac that work
     */
    public static void checkBudgets(Gpt model, TrainConfig cfg) {
        if (!cfg.sparse()) return;
        planner(model, cfg).checkBudgets();
    }

    /**
     * The share of the sparse tensors' target budgets that the minimum-per-neuron rule forces, per tensor with the rule
     * and over all of them (see {@link SparseAdam.ForcedShare}); none and 0 for a dense run.
     */
    public static SparseAdam.ForcedShare forcedShare(Gpt model, TrainConfig cfg) {
        if (!cfg.sparse()) return new SparseAdam.ForcedShare(Map.of(), 0);
        return planner(model, cfg).forcedShare();
    }

    /**
     * The nonzeros the top-k tensors keep at the target budget (the end of the schedule): Σ {@link Schedule#keptCount}
     * over the sparse tensors; every entry of them for a dense config.
     */
    public static long targetNonZeros(Gpt model, TrainConfig cfg) {
        return keptAtTarget(model, cfg.schedule(model.config().dModel()));
    }

    /**
     * The pfrac at which the target budgets of all sparse tensors together keep as close to {@code l0} nonzeros as
     * possible, written with as few digits as keep that total (a dense config is asked as if it were sparse). The total
     * is nearly linear in pfrac (matrices keep pfrac/E², vocab-sized tensors and biases pfrac/E) but each tensor floors
     * its count, so it is searched for, not divided out; ties go to the larger total. It is never above the largest pfrac
     * the model allows ({@link SparseAdam.Budgets#maxPfrac}); whether j fits is {@link #checkBudgets}'s question.
     *
     * @throws SettingException for the setting {@code "l0"} when l0 is below 1 or above what the tensors keep at that
     *         largest pfrac
     */
    public static double pfracForL0(Gpt model, TrainConfig cfg, long l0) {
        TrainConfig sparse = cfg.sparse() ? cfg : cfg.toBuilder().sparse(true).build();
        Schedule schedule = sparse.schedule(model.config().dModel());
        double max = planner(model, sparse).budgets().maxPfrac();
        long most = keptAtTarget(model, schedule.withPfrac(max));
        if (l0 < 1) throw new SettingException("l0", "the target L0 must be at least 1 nonzero, got " + l0);
        if (l0 > most) {
            throw new SettingException("l0", "the target L0 of " + l0 + " nonzeros is more than this model's sparse tensors hold: at most "
                    + most + " (at pfrac " + BigDecimal.valueOf(max).stripTrailingZeros().toPlainString()
                    + "); ask for fewer or use a wider model");
        }
        // bisection for the smallest pfrac keeping ≥ l0 (hi) and the largest keeping fewer (lo; 0 stands for none)
        double lo = 0, hi = max;
        while (true) {
            double mid = lo + (hi - lo) / 2;
            if (mid <= lo || mid >= hi) break;
            if (keptAtTarget(model, schedule.withPfrac(mid)) >= l0) hi = mid;
            else lo = mid;
        }
        long above = keptAtTarget(model, schedule.withPfrac(hi));
        boolean below = lo > 0 && l0 - keptAtTarget(model, schedule.withPfrac(lo)) < above - l0;
        double best = below ? lo : hi;
        long total = below ? keptAtTarget(model, schedule.withPfrac(lo)) : above;
        // the shortest decimal with the same total, so the pfrac can be written into a config as it is
        for (int digits = 1; digits <= 17; digits++) {
            for (RoundingMode mode : new RoundingMode[] {RoundingMode.HALF_EVEN,
                    RoundingMode.CEILING, RoundingMode.FLOOR}) {
                double p = new BigDecimal(best).round(new MathContext(digits, mode)).doubleValue();
                if (p > 0 && p <= max && keptAtTarget(model, schedule.withPfrac(p)) == total) return p;
            }
        }
        return best;
    }

    /** Σ kept count at the end of {@code schedule} over the model's sparse tensors. */
    private static long keptAtTarget(Gpt model, Schedule schedule) {
        long n = 0;
        for (Parameter p : model.parameterList()) {
            if (p.isSparse()) n += schedule.keptCount(p.rule().budget(), p.numel(), schedule.totalSteps());
        }
        return n;
    }

    /** An optimizer for the budget questions asked before training: it never steps, so scalar kernels do. */
    private static SparseAdam planner(Gpt model, TrainConfig cfg) {
        SparseAdam.Settings s = SparseAdam.Settings.defaults().withMinPerNeuron(cfg.minPerNeuron());
        return new SparseAdam(model.parameterList(), cfg.schedule(model.config().dModel()), cfg.lr(), s,
                sparsecircuits.kernels.KernelProvider.scalar(sparsecircuits.kernels.WorkerPool.defaultPool()));
    }

    public Gpt model() {
        return model;
    }

    public TrainConfig config() {
        return cfg;
    }

    public Schedule schedule() {
        return schedule;
    }

    public TokenData data() {
        return data;
    }

    /** Steps done so far. */
    public long stepsDone() {
        return optimizer.stepsTaken();
    }

    /** The validation loss of the last evaluation (NaN before the first). */
    public double lastValidation() {
        return lastValidation;
    }

    /** One optimizer step on the batch of the current step. */
    public StepLog step() {
        long t = optimizer.stepsTaken();
        int[] windows = data.batch(t, cfg.batch());
        tape.clear();
        Ops ops = new Ops(kernels, tape);
        boolean pattern = cfg.patternGradEvery() > 0 && cfg.sparse()
                && t >= (long) Math.ceil(cfg.annealStopFrac() * cfg.steps()) && t % cfg.patternGradEvery() != 0;
        ops.patternGradients(pattern);
        ops.regrowth(cfg.recipe() == TrainConfig.Recipe.SCALABLE && t % cfg.regrowEvery() == 0);
        long t0 = System.nanoTime();
        Tensor loss = model.loss(windows, cfg.batch(), ops, Hook.NONE);
        float l = loss.item();
        if (!Float.isFinite(l)) {
            throw new TrainingException("step " + (t + 1) + ": the loss is " + l + "; first non-finite tensor: "
                    + firstNonFinite(tape) + " (lower the learning rate, or check the corpus)");
        }
        long t1 = System.nanoTime();
        tape.backward(loss);
        tape.clear();
        long t2 = System.nanoTime();
        SparseAdam.StepInfo info;
        try {
            info = optimizer.step();
        } catch (IllegalStateException e) {
            throw new TrainingException(e.getMessage() + " (lower the learning rate)");
        }
        for (Parameter p : model.parameterList()) p.zeroGrad();
        long t3 = System.nanoTime();
        double ms = (t3 - t0) / 1e6;
        return new StepLog(t + 1, cfg.steps(), l, info.lr(), info.pfrac(), info.nonZeros(), info.gradRms(),
                (t1 - t0) / 1e6, (t2 - t1) / 1e6, (t3 - t2) / 1e6, cfg.batch() * (double) cfg.ctx() / (ms / 1000));
    }

    private static boolean isFinite(float[] a) {
        float s = 0;
        for (float x : a) s += x * 0f; // NaN or ±Inf make the product NaN
        return s == 0f;
    }

    private static String firstNonFinite(Tape tape) {
        String lastNamed = "the embedding";
        for (Tape.Node n : tape.nodes()) {
            Tensor out = n.output();
            for (Tensor in : n.inputs()) {
                Parameter p = in.parameter();
                if (p != null && !isFinite(p.isHeld() ? p.held().value() : p.value())) return "parameter " + p.name();
            }
            if (!isFinite(out.data())) return "output of op '" + n.op() + "' after " + lastNamed;
            if (out.name() != null) lastNamed = out.name();
        }
        return "the loss itself";
    }

    /** Mean validation loss over the configured number of batches (no tape). */
    public double validationLoss() {
        Ops ops = new Ops(kernels, null);
        int batches = Math.min(cfg.evalBatches(), Math.max(1, data.validationWindows() / cfg.batch()));
        double sum = 0;
        for (int i = 0; i < batches; i++) {
            sum += model.loss(data.validationBatch(i, cfg.batch()), cfg.batch(), ops, Hook.NONE).item();
        }
        lastValidation = sum / batches;
        return lastValidation;
    }

    /**
     * Trains to {@code cfg.steps()}, logging every step to {@code train-log.jsonl}, validating every
     * {@code evalEvery} steps, checkpointing every {@code checkpointEvery} steps and at the end. When
     * {@code stop} turns true (Ctrl-C), checkpoints after the current step and returns {@link Outcome#STOPPED}.
     */
    public Outcome run(Path dir, Listener listener, BooleanSupplier stop) {
        truncateLog(dir.resolve(LOG), stepsDone());
        try (BufferedWriter log = Files.newBufferedWriter(dir.resolve(LOG), StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
            while (stepsDone() < cfg.steps()) {
                StepLog s = step();
                log.write(Json.write(stepJson(s)));
                log.write('\n');
                listener.step(s);
                boolean last = s.step() == cfg.steps();
                if (cfg.evalEvery() > 0 && s.step() % cfg.evalEvery() == 0 || last) {
                    double v = validationLoss();
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("step", s.step());
                    m.put("val_loss", v);
                    log.write(Json.write(m));
                    log.write('\n');
                    listener.validation(s.step(), v);
                }
                log.flush();
                boolean stopNow = stop.getAsBoolean();
                if (last || stopNow || cfg.checkpointEvery() > 0 && s.step() % cfg.checkpointEvery() == 0) {
                    checkpoint(dir);
                    listener.checkpoint(s.step(), dir);
                }
                if (stopNow && !last) return Outcome.STOPPED;
            }
        } catch (IOException e) {
            throw new CheckpointException(dir.resolve(LOG) + ": cannot write (" + e.getMessage() + ")", e);
        }
        return Outcome.FINISHED;
    }

    /** Writes train-state.bin (the resume truth) then model.safetensors + config.json (the export), atomically each. */
    public void checkpoint(Path dir) {
        // a non-finite weight shows up as a non-finite loss one step later; here, before it could reach the
        // files, the last good checkpoint is kept instead (scanning every weight each step would cost more)
        for (Parameter p : model.parameterList()) {
            if (!isFinite(p.isHeld() ? p.held().value() : p.value())) {
                throw new TrainingException("step " + stepsDone() + ": parameter " + p.name() + " became non-finite (lower the learning rate)");
            }
        }
        TrainState.save(dir.resolve(STATE), stepsDone(), model.parameterList(), model.finalLogitsBias());
        ModelFiles.save(model, dir);
        lastCheckpointStep = stepsDone();
    }

    /** Steps done at the last checkpoint written by this trainer (−1 if none). */
    public long lastCheckpointStep() {
        return lastCheckpointStep;
    }

    static Map<String, Object> stepJson(StepLog s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("step", s.step());
        m.put("loss", (double) s.loss());
        m.put("lr", s.lr());
        m.put("pfrac", s.pfrac());
        m.put("l0", s.l0());
        m.put("grad_rms", s.gradRms());
        m.put("ms", round(s.ms()));
        m.put("forward_ms", round(s.forwardMs()));
        m.put("backward_ms", round(s.backwardMs()));
        m.put("optimizer_ms", round(s.optimizerMs()));
        m.put("tokens_per_s", Math.round(s.tokensPerSecond()));
        return m;
    }

    private static double round(double ms) {
        return Math.round(ms * 100) / 100.0;
    }

    /** Keeps only the log lines of steps ≤ {@code steps} (a resumed run rewrites what came after). */
    static void truncateLog(Path file, long steps) {
        if (!Files.exists(file)) return;
        try {
            List<String> keep = new ArrayList<>();
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (line.isBlank()) continue;
                Object o;
                try {
                    o = Json.parse(line);
                } catch (RuntimeException e) {
                    continue; // a line cut by a kill
                }
                if (o instanceof Map<?, ?> m && m.get("step") instanceof Number n && n.longValue() <= steps) keep.add(line);
            }
            AtomicFiles.writeString(file, keep.isEmpty() ? "" : String.join("\n", keep) + "\n");
        } catch (IOException e) {
            throw new CheckpointException(file + ": cannot read (" + e.getMessage() + ")", e);
        }
    }
}
