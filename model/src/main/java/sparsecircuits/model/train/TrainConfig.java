package sparsecircuits.model.train;

import java.util.LinkedHashMap;
import java.util.Map;
import sparsecircuits.autograd.optim.Schedule;

/**
 * Our training settings (SPEC §2), saved as {@code train-config.json} beside the reference {@code config.json}.
 * Build one by name: {@link #builder()} (from the defaults) or {@link #toBuilder()}; the canonical constructor is the
 * builder's (a call of 19 positional values is easy to get wrong).
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
 * @param corpus             "synthetic", a directory of .py files, or "mix:DIR:SHARE" (see {@link TrainRun#corpus})
 * @param corpusSeed         seed of the synthetic corpus / the directory's train/validation split
 * @param recipe             how sparse weights are trained: the paper's (dense state) or the scalable one (issue 18)
 * @param regrowEvery        the scalable recipe's regrowth interval: every this many steps a streamed dense gradient
 *                           brings in new candidates
 */
public record TrainConfig(boolean sparse, double pfrac, int baseWidth, int minPerNeuron, double lr, long steps,
                          int batch, int ctx, long seed, double warmupFrac, double annealStartFrac, double annealStopFrac,
                          double weightDecay, int evalEvery, int evalBatches, int checkpointEvery, int patternGradEvery,
                          String corpus, long corpusSeed, Recipe recipe, int regrowEvery) {

    /**
     * The schema of a paper-recipe config; it is written exactly as before the scalable recipe existed, so the runs and
     * experiment jobs made then keep their identity.
     */
    public static final String SCHEMA = "sparse-circuits/train-config/1";
    /** The schema of a scalable-recipe config: schema 1 plus "recipe" and "regrow_every". */
    public static final String SCHEMA_2 = "sparse-circuits/train-config/2";

    /** How the sparse weights are trained (DESIGN.md decision 1). */
    public enum Recipe {
        /** Dense values, gradients and Adam moments; a dense dW every step (SPEC §2). */
        PAPER,
        /** State only on the kept pattern and regrowth candidates; dW on them every step, streamed regrowth (issue 18). */
        SCALABLE;

        /** The name in files and flags. */
        public String key() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        /** @throws SettingException naming the recipes */
        public static Recipe of(String key) {
            for (Recipe r : values()) if (r.key().equals(key)) return r;
            throw new SettingException("recipe", "unknown recipe '" + key + "': use paper or scalable");
        }
    }

    public TrainConfig {
        need(pfrac > 0 && Double.isFinite(pfrac), "pfrac", "pfrac must be > 0, got " + pfrac);
        need(baseWidth >= 1, "base_width", "base width must be ≥ 1, got " + baseWidth);
        need(minPerNeuron >= 0, "min_per_neuron", "min-per-neuron j must be ≥ 0, got " + minPerNeuron);
        need(lr > 0 && Double.isFinite(lr), "lr", "learning rate must be > 0, got " + lr);
        need(steps >= 1, "steps", "steps must be ≥ 1, got " + steps);
        need(batch >= 1, "batch", "batch must be ≥ 1, got " + batch);
        need(ctx >= 2, "ctx", "ctx must be ≥ 2, got " + ctx);
        need(warmupFrac >= 0 && warmupFrac < 1, "warmup_frac", "warmup fraction must be in [0, 1), got " + warmupFrac);
        need(annealStartFrac >= 0 && annealStopFrac > annealStartFrac && annealStopFrac <= 1, "anneal_stop_frac",
                "anneal window must satisfy 0 ≤ start < stop ≤ 1, got " + annealStartFrac + " .. " + annealStopFrac);
        need(weightDecay >= 0, "weight_decay", "weight decay must be ≥ 0, got " + weightDecay);
        need(evalEvery >= 0, "eval_every", "evaluation interval must be ≥ 0, got " + evalEvery);
        need(evalBatches >= 1, "eval_batches", "evaluation batches must be ≥ 1, got " + evalBatches);
        need(checkpointEvery >= 0, "checkpoint_every", "checkpoint interval must be ≥ 0, got " + checkpointEvery);
        need(patternGradEvery >= 0, "pattern_grad_every", "pattern-gradient interval must be ≥ 0, got " + patternGradEvery);
        need(corpus != null && !corpus.isBlank(), "corpus", "corpus must be 'synthetic', a directory, or mix:DIR:SHARE");
        need(recipe != null, "recipe", "no recipe: use paper or scalable");
        need(regrowEvery >= 1, "regrow_every", "the regrowth interval must be ≥ 1 step, got " + regrowEvery);
        need(recipe == Recipe.PAPER || sparse, "recipe", "the scalable recipe trains sparse weights, and a dense run has none: use the paper recipe for it");
    }

    /** Refuses a value; {@code key} is the setting's train-config.json key. */
    private static void need(boolean ok, String key, String message) {
        if (!ok) throw new SettingException(key, message);
    }

    /** The defaults of a small laptop run (SPEC §8.2–8.3: batch 16 × 64 tokens, 600 steps, j = 2): {@link Builder}'s. */
    public static TrainConfig defaults() {
        return new Builder().build();
    }

    /**
     * {@link #defaults()} as a dense baseline: no weight top-k, and half the sparse peak learning rate (SPEC §8.3:
     * sparse ~1e-2 to 3e-2, dense ~3e-3 to 1e-2).
     */
    public static TrainConfig denseDefaults() {
        return builder().sparse(false).lr(5e-3).build();
    }

    /** A builder at {@link #defaults()}. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder at this config's values. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /**
     * E = d_model / baseWidth; refuses a pair that does not divide (DESIGN.md Clarifications). Only sparse runs have
     * an E: a dense run ignores the base width, so callers ask only when {@link #sparse()}.
     */
    public double expansion(int dModel) {
        if (dModel % baseWidth != 0) {
            throw new SettingException("base_width", "d_model " + dModel + " is not a multiple of the base width " + baseWidth
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
        return toBuilder().steps(s).build();
    }

    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("schema", recipe == Recipe.PAPER ? SCHEMA : SCHEMA_2);
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
        if (recipe != Recipe.PAPER) {
            m.put("recipe", recipe.key());
            m.put("regrow_every", regrowEvery);
        }
        return m;
    }

    public static TrainConfig fromJson(Map<String, Object> m) {
        boolean second = SCHEMA_2.equals(m.get("schema"));
        if (!SCHEMA.equals(m.get("schema")) && !second) {
            throw new IllegalArgumentException("train-config.json: schema is " + m.get("schema") + ", expected " + SCHEMA + " or " + SCHEMA_2);
        }
        Builder b = builder();
        if (second) b.recipe(Recipe.of(String.valueOf(m.get("recipe")))).regrowEvery((int) num(m, "regrow_every"));
        return b.sparse("sparse".equals(m.get("mode"))).pfrac(num(m, "pfrac")).baseWidth((int) num(m, "base_width"))
                .minPerNeuron((int) num(m, "min_per_neuron")).lr(num(m, "lr")).steps(lng(m, "steps")).batch((int) num(m, "batch"))
                .ctx((int) num(m, "ctx")).seed(lng(m, "seed")).warmupFrac(num(m, "warmup_frac"))
                .annealStartFrac(num(m, "anneal_start_frac")).annealStopFrac(num(m, "anneal_stop_frac"))
                .weightDecay(num(m, "weight_decay")).evalEvery((int) num(m, "eval_every")).evalBatches((int) num(m, "eval_batches"))
                .checkpointEvery((int) num(m, "checkpoint_every")).patternGradEvery((int) num(m, "pattern_grad_every"))
                .corpus((String) m.get("corpus")).corpusSeed(lng(m, "corpus_seed")).build();
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

    /** Named settings from {@link #defaults()} (each setter's meaning is the record component's of the same name). */
    public static final class Builder {
        private boolean sparse = true;
        private double pfrac = 0.25;
        private int baseWidth = 64;
        private int minPerNeuron = 2;
        private double lr = 1e-2;
        private long steps = 600;
        private int batch = 16;
        private int ctx = 64;
        private long seed = 0;
        private double warmupFrac = 0.01;
        private double annealStartFrac = 0.01;
        private double annealStopFrac = 0.5;
        private double weightDecay = 0.1;
        private int evalEvery = 50;
        private int evalBatches = 8;
        private int checkpointEvery = 100;
        private int patternGradEvery = 0;
        private String corpus = "synthetic";
        private long corpusSeed = 0;
        private Recipe recipe = Recipe.PAPER;
        private int regrowEvery = 100;

        private Builder() {
        }

        private Builder(TrainConfig c) {
            sparse = c.sparse;
            pfrac = c.pfrac;
            baseWidth = c.baseWidth;
            minPerNeuron = c.minPerNeuron;
            lr = c.lr;
            steps = c.steps;
            batch = c.batch;
            ctx = c.ctx;
            seed = c.seed;
            warmupFrac = c.warmupFrac;
            annealStartFrac = c.annealStartFrac;
            annealStopFrac = c.annealStopFrac;
            weightDecay = c.weightDecay;
            evalEvery = c.evalEvery;
            evalBatches = c.evalBatches;
            checkpointEvery = c.checkpointEvery;
            patternGradEvery = c.patternGradEvery;
            corpus = c.corpus;
            corpusSeed = c.corpusSeed;
            recipe = c.recipe;
            regrowEvery = c.regrowEvery;
        }

        public Builder sparse(boolean v) {
            sparse = v;
            return this;
        }

        public Builder pfrac(double v) {
            pfrac = v;
            return this;
        }

        public Builder baseWidth(int v) {
            baseWidth = v;
            return this;
        }

        public Builder minPerNeuron(int v) {
            minPerNeuron = v;
            return this;
        }

        public Builder lr(double v) {
            lr = v;
            return this;
        }

        public Builder steps(long v) {
            steps = v;
            return this;
        }

        public Builder batch(int v) {
            batch = v;
            return this;
        }

        public Builder ctx(int v) {
            ctx = v;
            return this;
        }

        public Builder seed(long v) {
            seed = v;
            return this;
        }

        public Builder warmupFrac(double v) {
            warmupFrac = v;
            return this;
        }

        public Builder annealStartFrac(double v) {
            annealStartFrac = v;
            return this;
        }

        public Builder annealStopFrac(double v) {
            annealStopFrac = v;
            return this;
        }

        public Builder weightDecay(double v) {
            weightDecay = v;
            return this;
        }

        public Builder evalEvery(int v) {
            evalEvery = v;
            return this;
        }

        public Builder evalBatches(int v) {
            evalBatches = v;
            return this;
        }

        public Builder checkpointEvery(int v) {
            checkpointEvery = v;
            return this;
        }

        public Builder patternGradEvery(int v) {
            patternGradEvery = v;
            return this;
        }

        public Builder corpus(String v) {
            corpus = v;
            return this;
        }

        public Builder corpusSeed(long v) {
            corpusSeed = v;
            return this;
        }

        public Builder recipe(Recipe v) {
            recipe = v;
            return this;
        }

        public Builder regrowEvery(int v) {
            regrowEvery = v;
            return this;
        }

        /** @throws IllegalArgumentException when a value is out of range (the record's checks) */
        public TrainConfig build() {
            return new TrainConfig(sparse, pfrac, baseWidth, minPerNeuron, lr, steps, batch, ctx, seed, warmupFrac, annealStartFrac,
                    annealStopFrac, weightDecay, evalEvery, evalBatches, checkpointEvery, patternGradEvery, corpus, corpusSeed,
                    recipe, regrowEvery);
        }
    }
}
