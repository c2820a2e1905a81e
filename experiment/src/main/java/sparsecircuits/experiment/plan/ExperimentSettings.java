package sparsecircuits.experiment.plan;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import sparsecircuits.model.train.SettingException;
import sparsecircuits.model.train.TrainConfig;
import sparsecircuits.model.train.TrainRun;
import sparsecircuits.pruning.tasks.PaperTasks;
import sparsecircuits.pruning.tasks.Task;
import sparsecircuits.pruning.tasks.TaskSource;

/**
 * What one frontier experiment runs (SPEC §6.1, §8; the paper's Fig. 2 and 3 in small), built by name from a preset
 * ({@link #builder()}, {@link #demo()}, {@link #preset(String)}): weight-sparse models of several widths at one L0
 * and dense models of several widths, all with the same layers, vocabulary, context, batch, steps and corpus, each
 * trained once per seed; every sparse model paired with the dense model closest in validation loss; every task a
 * pair solves pruned in both at each k_coef of a grid and bisected to each target, and every task all models solve
 * pruned in all of them (the frontier figure).
 *
 * @param title         the report's heading
 * @param sparseWidths  d_model of the weight-sparse models, at one L0
 * @param baseWidth     width of the base model: E = d_model / baseWidth, L0 = pfrac × the base model's parameters
 * @param pfrac         the L0 relative to the base model (ignored when {@code l0} is set)
 * @param l0            the nonzeros of all top-k tensors together at the end of the anneal; 0: from pfrac
 * @param minPerNeuron  j of the minimum-per-neuron rule
 * @param layers        transformer blocks of every sparse model (and of the dense ones unless {@code denseLayers})
 * @param denseLayers   blocks of the dense models; 0: the same as {@code layers}
 * @param afrac         AbsTopK keeps this fraction of channels; 1 turns it off
 * @param vocab         tokenizer vocabulary, special token included
 * @param ctx           tokens per training sequence
 * @param batch         sequences per step
 * @param steps         training steps of every model
 * @param seeds         one set of models per seed (initialisation and data order)
 * @param corpus        "synthetic", a directory of .py files, or "mix:DIR:SHARE" (DIR's share of characters)
 * @param recipe        how every sparse model trains: the paper's recipe or the scalable one (issue 18)
 * @param regrowEvery   the scalable recipe's regrowth interval in steps
 * @param denseWidths   d_model of the dense baselines
 * @param tasks         paper task names or JSONL files
 * @param targets       target task losses of the sweep, largest first (the main one included)
 * @param mainTarget    the target whose circuits are written, get the controls and give the headline ratio
 * @param pruneSteps    mask-training steps per pruning
 * @param kCoefs        the k_coef grid: masks trained at each, each target keeps the circuit with the fewest edges
 * @param pairs         training pairs per task (held-out: half as many, at least 2)
 * @param controls      tasks whose circuits get the controls
 * @param solvedBelow   a model solves a task when its unpruned held-out loss is at most this
 * @param livePairs     held-out pairs each viewer page embeds for live ablation
 * @param sharedOut     the run directory is shared by several experiments (a sweep): every model's id ends in a hash of
 *                      its settings ({@link ModelSpec#id()}), so a model two experiments share trains once and models
 *                      that differ never replace each other's files
 */
public record ExperimentSettings(String title, List<Integer> sparseWidths, int baseWidth, double pfrac, long l0, int minPerNeuron,
                                 int layers, int denseLayers, double afrac, int vocab, int ctx, int batch, long steps, List<Long> seeds,
                                 String corpus, TrainConfig.Recipe recipe, int regrowEvery, List<Integer> denseWidths, List<String> tasks, List<Double> targets, double mainTarget,
                                 int pruneSteps, List<Double> kCoefs, int pairs, List<String> controls, double solvedBelow, int livePairs,
                                 boolean sharedOut) implements java.io.Serializable {
    /** The head width every model uses: widths must be multiples of it. */
    public static final int HEAD_WIDTH = 16;
    /** The presets, smallest first. */
    public static final List<String> PRESETS = List.of("demo", "hour", "long");

    public ExperimentSettings {
        // refusals name the setting (SettingException): a caller points at its own input for it (the CLI at the flag)
        if (steps < 1) throw new SettingException("steps", "training steps must be ≥ 1, got " + steps);
        widths("sparse_widths", "sparse", sparseWidths);
        widths("dense_widths", "dense", denseWidths);
        if (baseWidth < 1) throw new SettingException("base_width", "the base width must be ≥ 1, got " + baseWidth);
        for (int w : sparseWidths) {
            if (w % baseWidth != 0) {
                throw new SettingException("sparse_widths", "sparse width " + w + " is not a multiple of the base width " + baseWidth
                        + ": E = d_model / base width must be whole");
            }
        }
        if (!(pfrac > 0) || Double.isInfinite(pfrac)) throw new SettingException("pfrac", "pfrac must be > 0, got " + pfrac);
        if (l0 < 0) throw new SettingException("l0", "L0 must be ≥ 0 (0: from pfrac), got " + l0);
        if (minPerNeuron < 0) throw new SettingException("min_per_neuron", "min-per-neuron j must be ≥ 0, got " + minPerNeuron);
        if (layers < 1) throw new SettingException("layers", "layers must be ≥ 1, got " + layers);
        if (denseLayers < 0) throw new SettingException("dense_layers", "dense layers must be ≥ 1 (0: as the sparse models), got " + denseLayers);
        if (!(afrac > 0 && afrac <= 1)) throw new SettingException("afrac", "afrac must be in (0, 1], got " + afrac);
        if (vocab < 258) throw new SettingException("vocab_size", "the vocabulary must hold the 256 bytes, the special token and a merge: ≥ 258, got " + vocab);
        if (ctx < 2) throw new SettingException("ctx", "the context must be ≥ 2 tokens, got " + ctx);
        if (batch < 1) throw new SettingException("batch", "the batch must be ≥ 1, got " + batch);
        if (seeds.isEmpty()) throw new SettingException("seeds", "at least one seed is needed");
        if (new LinkedHashSet<>(seeds).size() != seeds.size()) throw new SettingException("seeds", "the seeds " + seeds + " repeat one");
        for (long s : seeds) if (s < 0) throw new SettingException("seeds", "seeds must be ≥ 0, got " + s);
        TrainRun.checkCorpus(corpus);
        if (recipe == null) throw new SettingException("recipe", "no recipe: use paper or scalable");
        if (regrowEvery < 1) throw new SettingException("regrow_every", "the regrowth interval must be ≥ 1 step, got " + regrowEvery);
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
        sparseWidths = List.copyOf(sparseWidths);
        denseWidths = List.copyOf(denseWidths);
        seeds = List.copyOf(seeds);
        tasks = List.copyOf(tasks);
        kCoefs = List.copyOf(kCoefs);
        controls = List.copyOf(controls);
    }

    private static void widths(String key, String kind, List<Integer> widths) {
        if (widths.isEmpty()) throw new SettingException(key, "at least one " + kind + " width is needed");
        if (new LinkedHashSet<>(widths).size() != widths.size()) throw new SettingException(key, "the " + kind + " widths " + widths + " repeat one");
        for (int w : widths) {
            if (w < HEAD_WIDTH || w % HEAD_WIDTH != 0) {
                throw new SettingException(key, kind + " width " + w + " is not a multiple of the head width " + HEAD_WIDTH);
            }
        }
    }

    /** The blocks of the dense models. */
    public int denseDepth() {
        return denseLayers == 0 ? layers : denseLayers;
    }

    /** Training tokens of every model: steps × batch × context. */
    public long tokens() {
        return steps * batch * ctx;
    }

    /** The seed of the task pairs and the masks: the first model seed, so every model is pruned on the same pairs. */
    public long taskSeed() {
        return seeds.get(0);
    }

    /**
     * The full-size experiment's defaults (the {@code experiment} command's without a preset): the default sparse
     * model of {@code train} (d_model 128 over a width-64 base, E 2) against dense widths 32–96, every paper task.
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The demo (≤ 10 min on 2 cores, the {@code demo} command): two sparse widths at one L0 (E 1 and E 4 over a
     * width-64 base) against dense widths 48 and 64, five tasks. The narrow sparse model is E 1 rather than E 2
     * because it costs half as much to train, so the budget holds the wide one.
     */
    public static Builder demo() {
        List<String> tasks = List.of("single_double_quote", "while_return_true", "lambda_func", "else_elif", "fstring_brace");
        return builder().title("sparse-circuits demo: weight-sparse vs dense circuits").sparseWidths(List.of(64, 256)).steps(3000)
                .denseWidths(List.of(48, 64)).tasks(tasks).pruneSteps(150).kCoefs(List.of(1e-3)).pairs(128)
                .controls(List.of("single_double_quote", "lambda_func"));
    }

    /**
     * The hour preset (≤ 60 min on 2 cores): sparse E 2, 4 and 8 at pfrac 1/2 of a width-64 base with j = 1 against
     * dense widths 32–96, all 20 tasks, 6,000 steps (6.1M tokens). Chosen by measurement (BENCHMARKS.md, "The frontier
     * experiment"): at pfrac 1/4 validation loss rose with E (2.228, 2.268, 2.288) and the wide models were starved of
     * nonzeros; at pfrac 1/2 it falls; j = 1 because j = 2 at E 8 forces half of each budget (all of it at pfrac 1/4).
     */
    public static Builder hour() {
        return builder().title("sparse-circuits frontier (hour preset)").sparseWidths(List.of(128, 256, 512)).pfrac(0.5).minPerNeuron(1)
                .steps(6000).denseWidths(List.of(32, 48, 64, 96)).pruneSteps(150).kCoefs(List.of(1e-3)).pairs(128)
                .controls(List.of("single_double_quote", "while_return_true", "lambda_func", "if_equals"));
    }

    /**
     * The long preset (≤ 150 min of summed job time, resumable across sittings): the hour preset's sparse models at twice
     * the tokens; dense widths one step up (48–128: at the hour's tokens every sparse model's partner was the widest,
     * d96); twice the mask steps (an E 8 pruning did not converge in 150). One k_coef and controls on the hour's four
     * tasks, because the three-point grid with controls on every task was estimated at 242 min. Vocabulary 1024: the
     * hour's E 4 model solved 8 paper tasks with it against 6 at 512 (single_double_quote among them), for 7% more
     * time. Synthetic corpus: a real-code mix (half the characters from CPython's stdlib) cost the E 4 model 5 of its 6
     * solved tasks at the hour's tokens and solved none of the custom tasks either.
     */
    public static Builder longRun() {
        return hour().title("sparse-circuits frontier (long preset)").vocab(1024).steps(12000).denseWidths(List.of(48, 64, 96, 128))
                .pruneSteps(300);
    }

    /** The preset of that name. */
    public static Builder preset(String name) {
        return switch (name) {
            case "demo" -> demo();
            case "hour" -> hour();
            case "long" -> longRun();
            default -> throw new SettingException("preset", "unknown preset '" + name + "': the presets are " + String.join(", ", PRESETS));
        };
    }

    public Builder toBuilder() {
        return new Builder().title(title).sparseWidths(sparseWidths).baseWidth(baseWidth).pfrac(pfrac).l0(l0).minPerNeuron(minPerNeuron)
                .layers(layers).denseLayers(denseLayers).afrac(afrac).vocab(vocab).ctx(ctx).batch(batch).steps(steps).seeds(seeds)
                .corpus(corpus).recipe(recipe).regrowEvery(regrowEvery).denseWidths(denseWidths).tasks(tasks).targets(targets).mainTarget(mainTarget).pruneSteps(pruneSteps)
                .kCoefs(kCoefs).pairs(pairs).controls(controls).solvedBelow(solvedBelow).livePairs(livePairs).sharedOut(sharedOut);
    }

    /**
     * Named settings from the defaults; {@code controls} default to every task. {@link #tokens(long)} sets the steps
     * from a token budget once batch and context are known (the last of steps or tokens given wins).
     */
    public static final class Builder {
        private String title = "Weight-sparse vs dense circuits";
        private List<Integer> sparseWidths = List.of(128);
        private int baseWidth = 64;
        private double pfrac = 0.25;
        private long l0 = 0;
        private int minPerNeuron = 2;
        private int layers = 2;
        private int denseLayers = 0;
        private double afrac = 0.25;
        private int vocab = 512;
        private int ctx = 64;
        private int batch = 16;
        private long steps = 6000;
        private long tokens = 0;
        private List<Long> seeds = List.of(0L);
        private String corpus = "synthetic";
        private TrainConfig.Recipe recipe = TrainConfig.Recipe.PAPER;
        private int regrowEvery = TrainConfig.defaults().regrowEvery();
        private List<Integer> denseWidths = List.of(32, 48, 64, 96);
        private List<String> tasks = PaperTasks.all().stream().map(Task::name).toList();
        private List<Double> targets = List.of(0.3, 0.15, 0.08);
        private double mainTarget = 0.15;
        private int pruneSteps = 200;
        private List<Double> kCoefs = List.of(3e-4, 1e-3, 3e-3);
        private int pairs = 256;
        private List<String> controls;
        private double solvedBelow = 0.05;
        private int livePairs = 8;
        private boolean sharedOut = false;

        private Builder() {
        }

        public Builder title(String v) { title = v; return this; }
        public Builder sparseWidths(List<Integer> v) { sparseWidths = v; return this; }
        public Builder baseWidth(int v) { baseWidth = v; return this; }
        public Builder pfrac(double v) { pfrac = v; return this; }
        public Builder l0(long v) { l0 = v; return this; }
        public Builder minPerNeuron(int v) { minPerNeuron = v; return this; }
        public Builder layers(int v) { layers = v; return this; }
        public Builder denseLayers(int v) { denseLayers = v; return this; }
        public Builder afrac(double v) { afrac = v; return this; }
        public Builder vocab(int v) { vocab = v; return this; }
        public Builder ctx(int v) { ctx = v; return this; }
        public Builder batch(int v) { batch = v; return this; }
        public Builder steps(long v) { steps = v; tokens = 0; return this; }
        /** A token budget: steps = ⌈tokens / (batch × ctx)⌉ at build time. */
        public Builder tokens(long v) {
            if (v < 1) throw new SettingException("tokens", "the token budget must be ≥ 1, got " + v);
            tokens = v;
            return this;
        }
        public Builder seeds(List<Long> v) { seeds = v; return this; }
        /** One seed (the common case). */
        public Builder seed(long v) { seeds = List.of(v); return this; }
        public Builder corpus(String v) { corpus = v; return this; }
        public Builder recipe(TrainConfig.Recipe v) { recipe = v; return this; }
        public Builder regrowEvery(int v) { regrowEvery = v; return this; }
        public Builder denseWidths(List<Integer> v) { denseWidths = v; return this; }
        public Builder tasks(List<String> v) { tasks = v; return this; }
        public Builder targets(List<Double> v) { targets = v; return this; }
        public Builder mainTarget(double v) { mainTarget = v; return this; }
        public Builder pruneSteps(int v) { pruneSteps = v; return this; }
        public Builder kCoefs(List<Double> v) { kCoefs = v; return this; }
        public Builder pairs(int v) { pairs = v; return this; }
        /** The tasks that get the controls; null: every task. */
        public Builder controls(List<String> v) { controls = v; return this; }
        public Builder solvedBelow(double v) { solvedBelow = v; return this; }
        public Builder livePairs(int v) { livePairs = v; return this; }
        public Builder sharedOut(boolean v) { sharedOut = v; return this; }

        public ExperimentSettings build() {
            long s = steps;
            if (tokens > 0) {
                if (batch < 1 || ctx < 1) throw new SettingException("batch", "batch and context must be ≥ 1 to turn tokens into steps");
                long perStep = (long) batch * ctx;
                s = (tokens + perStep - 1) / perStep;
            }
            return new ExperimentSettings(title, sparseWidths, baseWidth, pfrac, l0, minPerNeuron, layers, denseLayers, afrac, vocab, ctx,
                    batch, s, seeds, corpus, recipe, regrowEvery, denseWidths, tasks, targets, mainTarget, pruneSteps, kCoefs, pairs,
                    controls == null ? tasks : controls, solvedBelow, livePairs, sharedOut);
        }
    }

    /** A number as a reader writes it: 1/4 rather than 0.25, 0.1 rather than 0.1000. */
    static String fraction(double x) {
        for (int d = 2; d <= 16; d *= 2) {
            if (x * d == Math.rint(x * d) && x < 1) return (long) (x * d) + "/" + d;
        }
        return String.format(Locale.ROOT, "%s", x);
    }
}
