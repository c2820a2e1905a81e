package sparsecircuits.model.train;

import java.util.LinkedHashMap;
import java.util.Map;
import sparsecircuits.autograd.optim.Schedule;

/**
 * Our training settings (SPEC §2), saved as {@code train-config.json} beside the reference {@code config.json}.
 *
 * @param sparse             weight top-k on (false: dense baseline, same architecture, LR factor 1)
 * @param pfrac              target L0 relative to the base model (SPEC §2.1)
 * @param baseWidth          width of the base model; E = d_model / baseWidth
 * @param minPerNeuron       j of the minimum-per-neuron rule (SPEC §2.1; small models need 1–2)
 * @param lr                 peak learning rate before the sharkfin factor
 * @param steps              optimizer steps
 * @param batch              sequences per step
 * @param ctx                tokens per sequence
 * @param seed               initialisation and data order
 * @param warmupFrac         linear warmup (SPEC: 0.01)
 * @param annealStartFrac    L0 anneal start (SPEC: 0.01)
 * @param annealStopFrac     L0 anneal stop (SPEC: 0.5)
 * @param weightDecay        decoupled, after top-k (SPEC: 0.1)
 * @param evalEvery          validation loss every this many steps (0: only at the end)
 * @param evalBatches        validation batches per evaluation
 * @param checkpointEvery    checkpoint every this many steps (0: only at the end)
 * @param patternGradEvery   0: dense dW always (the paper). N &gt; 0: after the anneal, dW only on the kept pattern
 *                           (SDDMM), with a dense dW every N-th step so pruned weights can still regrow
 * @param corpus             "synthetic" or a directory of .py files
 * @param corpusSeed         seed of the synthetic corpus / the directory's train/validation split
 */
public record TrainConfig(boolean sparse, double pfrac, int baseWidth, int minPerNeuron, double lr, long steps,
                          int batch, int ctx, long seed, double warmupFrac, double annealStartFrac, double annealStopFrac,
                          double weightDecay, int evalEvery, int evalBatches, int checkpointEvery, int patternGradEvery,
                          String corpus, long corpusSeed) {

    public static final String SCHEMA = "sparse-circuits/train-config/1";

    public TrainConfig {
        need(pfrac > 0 && Double.isFinite(pfrac), "pfrac must be > 0, got " + pfrac);
        need(baseWidth >= 1, "base width must be ≥ 1, got " + baseWidth);
        need(minPerNeuron >= 0, "min-per-neuron j must be ≥ 0, got " + minPerNeuron);
        need(lr > 0 && Double.isFinite(lr), "learning rate must be > 0, got " + lr);
        need(steps >= 1, "steps must be ≥ 1, got " + steps);
        need(batch >= 1, "batch must be ≥ 1, got " + batch);
        need(ctx >= 2, "ctx must be ≥ 2, got " + ctx);
        need(warmupFrac >= 0 && warmupFrac < 1, "warmup fraction must be in [0, 1), got " + warmupFrac);
        need(annealStartFrac >= 0 && annealStopFrac > annealStartFrac && annealStopFrac <= 1,
                "anneal window must satisfy 0 ≤ start < stop ≤ 1, got " + annealStartFrac + " .. " + annealStopFrac);
        need(weightDecay >= 0, "weight decay must be ≥ 0, got " + weightDecay);
        need(evalEvery >= 0 && evalBatches >= 1 && checkpointEvery >= 0 && patternGradEvery >= 0,
                "evaluation, checkpoint and pattern-gradient intervals must be ≥ 0, evaluation batches ≥ 1");
        need(corpus != null && !corpus.isBlank(), "corpus must be 'synthetic' or a directory");
    }

    private static void need(boolean ok, String message) {
        if (!ok) throw new IllegalArgumentException(message);
    }

    /** The defaults of a small laptop run (SPEC §8.2–8.3: batch 16 × 64 tokens, 600 steps, j = 2). */
    public static TrainConfig defaults() {
        return new TrainConfig(true, 0.25, 64, 2, 1e-2, 600, 16, 64, 0, 0.01, 0.01, 0.5, 0.1, 50, 8, 100, 0, "synthetic", 0);
    }

    /**
     * E = d_model / baseWidth; refuses a pair that does not divide (DESIGN.md Clarifications). Only sparse runs have
     * an E: a dense run ignores the base width, so callers ask only when {@link #sparse()}.
     */
    public double expansion(int dModel) {
        if (dModel % baseWidth != 0) {
            throw new IllegalArgumentException("d_model " + dModel + " is not a multiple of the base width " + baseWidth
                    + ": pick a base width that divides d_model");
        }
        return (double) dModel / baseWidth;
    }

    /** The optimizer schedule of this run for a model of width dModel. */
    public Schedule schedule(int dModel) {
        if (!sparse) return Schedule.dense(steps);
        return new Schedule(steps, pfrac, expansion(dModel), warmupFrac, annealStartFrac, annealStopFrac,
                Schedule.EmbeddingSchedule.SMOOTH);
    }

    public TrainConfig withSteps(long s) {
        return new TrainConfig(sparse, pfrac, baseWidth, minPerNeuron, lr, s, batch, ctx, seed, warmupFrac, annealStartFrac,
                annealStopFrac, weightDecay, evalEvery, evalBatches, checkpointEvery, patternGradEvery, corpus, corpusSeed);
    }

    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("schema", SCHEMA);
        m.put("mode", sparse ? "sparse" : "dense");
        m.put("pfrac", pfrac);
        m.put("base_width", baseWidth);
        m.put("min_per_neuron", minPerNeuron);
        m.put("lr", lr);
        m.put("steps", steps);
        m.put("batch", batch);
        m.put("ctx", ctx);
        m.put("seed", seed);
        m.put("warmup_frac", warmupFrac);
        m.put("anneal_start_frac", annealStartFrac);
        m.put("anneal_stop_frac", annealStopFrac);
        m.put("weight_decay", weightDecay);
        m.put("eval_every", evalEvery);
        m.put("eval_batches", evalBatches);
        m.put("checkpoint_every", checkpointEvery);
        m.put("pattern_grad_every", patternGradEvery);
        m.put("corpus", corpus);
        m.put("corpus_seed", corpusSeed);
        return m;
    }

    public static TrainConfig fromJson(Map<String, Object> m) {
        if (!SCHEMA.equals(m.get("schema"))) {
            throw new IllegalArgumentException("train-config.json: schema is " + m.get("schema") + ", expected " + SCHEMA);
        }
        return new TrainConfig("sparse".equals(m.get("mode")), num(m, "pfrac"), (int) num(m, "base_width"),
                (int) num(m, "min_per_neuron"), num(m, "lr"), lng(m, "steps"), (int) num(m, "batch"), (int) num(m, "ctx"),
                lng(m, "seed"), num(m, "warmup_frac"), num(m, "anneal_start_frac"), num(m, "anneal_stop_frac"),
                num(m, "weight_decay"), (int) num(m, "eval_every"), (int) num(m, "eval_batches"), (int) num(m, "checkpoint_every"),
                (int) num(m, "pattern_grad_every"), (String) m.get("corpus"), lng(m, "corpus_seed"));
    }

    private static long lng(Map<String, Object> m, String key) {
        Object v = m.get(key);
        if (!(v instanceof Number n)) throw new IllegalArgumentException("train-config.json: '" + key + "' is missing or not a number");
        return n.longValue();
    }

    private static double num(Map<String, Object> m, String key) {
        Object v = m.get(key);
        if (!(v instanceof Number n)) throw new IllegalArgumentException("train-config.json: '" + key + "' is missing or not a number");
        return n.doubleValue();
    }
}
