package sparsecircuits.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import sparsecircuits.experiment.plan.ExperimentPlan;
import sparsecircuits.experiment.plan.ExperimentSettings;
import sparsecircuits.pruning.tasks.PaperTasks;
import sparsecircuits.model.train.SettingException;
import sparsecircuits.pruning.tasks.Task;

/**
 * {@code experiment}: the paper's frontier measured (SPEC §6.1, §8; Fig. 2 and 3 in small): weight-sparse models of
 * several widths at one L0 and dense models of several widths trained on the same corpus and token budget, each
 * sparse model paired with the dense one closest in validation loss, every solved task pruned at a sweep of target
 * losses, with the controls, into report.html. The library's {@link ExperimentPlan} does the work as jobs; this
 * command parses (a preset, then the flags over it), runs it and prints.
 */
final class ExperimentCommand implements Command {
    static final String DEFAULT_OUT = "runs/experiment";

    @Override
    public String name() {
        return "experiment";
    }

    @Override
    public String summary() {
        return "sparse vs loss-matched dense: train both, prune every solved task at several targets, controls, report.html";
    }

    @Override
    public String description() {
        ExperimentSettings hour = ExperimentSettings.hour().build(), demo = ExperimentSettings.demo().build();
        ExperimentSettings lng = ExperimentSettings.longRun().build();
        return "The capability–interpretability frontier (the paper's Fig. 2 and 3 in small): weight-sparse models of several\n"
                + "widths at one L0 (--sparse-widths; L0 from --base-width and --pfrac, or --l0) and dense models of several widths\n"
                + "(--dense-widths), all with the same layers, vocabulary, context, batch, tokens and corpus, per seed. Each sparse\n"
                + "model is paired with the dense model closest in validation loss (loss-matched, SPEC §6.1); every model evaluates\n"
                + "every task; every task a model solves (held-out task loss ≤ --solved-below) is pruned in it, training node\n"
                + "masks at each k_coef of --k-coefs and bisecting to each of --targets (each target keeps the fewest edges); the\n"
                + "controls (random-init model, inverted task, nonsense task, zero ablation) run on the --controls tasks'\n"
                + "circuits in the sparse models and their partners. A task whose prompt and target merge into one token in\n"
                + "running text is reported as a tokenizer clash, not measured.\n"
                + "Presets (the flags below override them; an estimate of the time is printed before anything runs):\n"
                + preset("demo", demo, "what 'demo' runs; ≤ 10 min on 2 cores")
                + preset("hour", hour, "≤ 60 min on 2 cores; pfrac 1/2 and j = 1 because at pfrac 1/4 the wide models starved")
                + preset("long", lng, "≤ 150 min of job time, resumable across sittings; twice the hour's tokens and mask steps, vocab 1024, dense up to d128")
                + "Without --preset: the sparse model of 'train' (d_model 128, E 2) against dense widths 32–96, 6,000 steps.\n"
                + "The work is a plan of jobs (train, node means, evaluate, prune, viewer page, report), --jobs at once with\n"
                + "--job-threads kernel threads each. Writes into --out:\n"
                + "  models/ID/            the trained models (sparse-dWIDTH, dense-dWIDTH; -sN for seed N; with\n"
                + "                        --shared-out, -HASH of the settings)\n"
                + "  circuits/ID/TASK/     circuit.json + circuit.safetensors at the main --target, per model and task, and\n"
                + "                        view.html, its viewer page (a page that fails is noted, not fatal)\n"
                + "  jobs/ID.json          one record per finished job (its inputs, result and time)\n"
                + "  experiment.json       every figure (format sparse-circuits-experiment/2)\n"
                + "  report.html           one offline page: the frontier (validation loss against circuit edges, per model), edges\n"
                + "                        against target loss per sparse width and its partner, edge and node ratios, the solved\n"
                + "                        grid, controls, the loss-matching gap, seed spread, training curves\n"
                + "A rerun finds every finished job and runs only those whose inputs changed, and the report. Ctrl-C\n"
                + "checkpoints; a killed run loses at most the jobs in flight.";
    }

    private static String preset(String name, ExperimentSettings s, String why) {
        return String.format(java.util.Locale.ROOT, "  %-5s sparse d_model %s over base %d (pfrac %s, j %d), dense %s, %d steps (%.1fM tokens),\n"
                        + "        %d tasks, %d k_coef(s), %d mask steps: %s\n", name, s.sparseWidths(), s.baseWidth(), s.pfrac(), s.minPerNeuron(),
                s.denseWidths(), s.steps(), s.tokens() / 1e6, s.tasks().size(), s.kCoefs().size(), s.pruneSteps(), why);
    }

    @Override
    public Options options() {
        return RunFlags.add(new Options(name())
                .option("--out", "DIR", "experiment directory (default " + DEFAULT_OUT + ")")
                .flag("--estimate", "print the models, tasks and estimated time, and exit without running or writing anything")
                .flag("--shared-out", "--out is shared by several experiments (a sweep): model ids end in a hash of their settings, so a "
                        + "model two experiments share trains once and differing ones never replace each other; experiment.json and "
                        + "report.html are the last experiment's")
                .option("--preset", "demo|hour|long", "start from a preset (see above); flags given override it")
                .option("--sparse-widths", "LIST", "d_model of the sparse models, comma-separated multiples of 16 and of --base-width (default 128)")
                .number("--base-width", "N", "base model width: E = d_model / N (default 64)", 1, 1e6, "64")
                .number("--pfrac", "F", "L0 as a fraction of the base model's parameters (default 0.25)", 1e-9, 1e6, "0.25")
                .number("--l0", "N", "L0 as the nonzeros of all top-k tensors together (instead of --pfrac)", 1, 1e15, "300000")
                .number("--min-per-neuron", "J", "minimum nonzeros per neuron/channel (default 2)", 0, 1e6, "2")
                .number("--layers", "N", "transformer blocks of every model (default 2)", 1, 1000, "2")
                .number("--dense-layers", "N", "blocks of the dense models (default: --layers; a different depth is kept out of the headline)", 1, 1000, "2")
                .number("--afrac", "F", "AbsTopK keeps this fraction of channels; 1 = off (default 0.25)", 1e-9, 1, "0.25")
                .number("--vocab", "N", "tokenizer vocabulary (default 512)", 258, 1e7, "512")
                .number("--ctx", "N", "tokens per training sequence (default 64)", 2, 1e6, "64")
                .number("--batch", "N", "sequences per step (default 16)", 1, 1e6, "16")
                .number("--steps", "N", "training steps of every model (default 6000)", 1, 1e9, "6000")
                .number("--tokens", "N", "training tokens of every model, instead of --steps (steps = tokens / (batch × ctx))", 1, 1e15, "6000000")
                .option("--seeds", "LIST", "seeds: one set of models per seed (default 0)")
                .option("--corpus", CorpusArg.VALUE, CorpusArg.HELP + " (default synthetic)")
                .option("--recipe", "paper|scalable", "how every sparse model trains (see 'train --help'; default paper)")
                .number("--regrow-every", "N", "the scalable recipe's regrowth interval in steps (default 100)", 1, 1e9, "100")
                .option("--dense-widths", "LIST", "d_model of the dense baselines, comma-separated multiples of 16 (default 32,48,64,96)")
                .option("--tasks", "all|LIST", "tasks to evaluate: all 20 paper tasks (default) or names / .jsonl files, comma-separated")
                .option("--targets", "LIST", "target task losses of the sweep (default 0.3,0.15,0.08)")
                .number("--target", "L", "the main target: circuits written, controls and the headline ratio (default 0.15)", 1e-6, 10, "0.15")
                .number("--prune-steps", "N", "mask-training steps per pruning (default 200)", 1, 1e6, "200")
                .option("--k-coefs", "LIST", "k_coef grid: masks are trained with each, and each target keeps the circuit with the fewest edges (default 3e-4,1e-3,3e-3)")
                .number("--pairs", "N", "training pairs per task (default 256; held-out: half as many)", 4, 1e6, "256")
                .option("--controls", "all|none|LIST", "tasks whose circuits get the controls (default all)")
                .number("--solved-below", "L", "a model solves a task when its unpruned held-out loss is at most this (default 0.05)", 1e-6, 10, "0.05"));
    }

    @Override
    public void check(Options.Parsed o) {
        ModelDir.wholeNumbers(o, "--steps", "--tokens", "--prune-steps", "--pairs", "--base-width", "--l0", "--min-per-neuron", "--layers",
                "--dense-layers", "--vocab", "--ctx", "--batch", "--regrow-every");
        if (o.has("--tokens") && o.has("--steps")) throw new UserError("--tokens and --steps both set the training length", "give one of them");
        if (o.has("--l0") && o.has("--pfrac")) throw new UserError("--l0 and --pfrac both set the sparse models' L0", "give one of them");
        RunFlags.check(o);
        plan(settings(o));
    }

    @Override
    public int run(Options.Parsed o, CommandContext ctx) throws IOException {
        if (o.has("--estimate")) {
            ctx.out().println(ExperimentRun.estimate(settings(o)));
            return 0;
        }
        return ExperimentRun.run(settings(o), o.value("--out", DEFAULT_OUT), o, ctx);
    }

    /** Builds the plan once, so that an L0 a model cannot hold or meet is refused before anything is written. */
    private void plan(ExperimentSettings s) {
        try {
            new ExperimentPlan(s);
        } catch (SettingException e) {
            throw SettingFlags.userError(e, this);
        }
    }

    /** Parses the flags into the library's settings; the library checks them, and a refusal is one UserError naming the flag. */
    ExperimentSettings settings(Options.Parsed o) {
        try {
            ExperimentSettings.Builder b = o.has("--preset") ? ExperimentSettings.preset(o.value("--preset", "")) : ExperimentSettings.builder();
            if (o.has("--sparse-widths")) b.sparseWidths(list(o, "--sparse-widths", "128,256,512", Integer::parseInt, "is not a whole number"));
            if (o.has("--base-width")) b.baseWidth((int) o.number("--base-width", 64));
            if (o.has("--pfrac")) b.pfrac(o.number("--pfrac", 0.25));
            if (o.has("--l0")) b.l0((long) o.number("--l0", 0));
            if (o.has("--min-per-neuron")) b.minPerNeuron((int) o.number("--min-per-neuron", 2));
            if (o.has("--layers")) b.layers((int) o.number("--layers", 2));
            if (o.has("--dense-layers")) b.denseLayers((int) o.number("--dense-layers", 2));
            if (o.has("--afrac")) b.afrac(o.number("--afrac", 0.25));
            if (o.has("--vocab")) b.vocab((int) o.number("--vocab", 512));
            if (o.has("--ctx")) b.ctx((int) o.number("--ctx", 64));
            if (o.has("--batch")) b.batch((int) o.number("--batch", 16));
            if (o.has("--steps")) b.steps((long) o.number("--steps", 6000));
            if (o.has("--tokens")) b.tokens((long) o.number("--tokens", 0));
            if (o.has("--seeds")) b.seeds(list(o, "--seeds", "0,1", Long::parseLong, "is not a whole number"));
            if (o.has("--corpus")) b.corpus(CorpusArg.absolute(o.value("--corpus", "synthetic")));
            if (o.has("--recipe")) b.recipe(sparsecircuits.model.train.TrainConfig.Recipe.of(o.value("--recipe", "paper")));
            if (o.has("--regrow-every")) b.regrowEvery((int) o.number("--regrow-every", 100));
            if (o.has("--shared-out")) b.sharedOut(true);
            if (o.has("--dense-widths")) b.denseWidths(list(o, "--dense-widths", "32,48,64", Integer::parseInt, "is not a whole number"));
            if (o.has("--tasks")) {
                b.tasks(o.value("--tasks", "all").equals("all") ? PaperTasks.all().stream().map(Task::name).toList()
                        : list(o, "--tasks", "if_equals,var_swap", s -> s, ""));
            }
            if (o.has("--targets")) b.targets(list(o, "--targets", "0.3,0.15,0.08", Double::parseDouble, "is not a number"));
            if (o.has("--target")) b.mainTarget(o.number("--target", 0.15));
            if (o.has("--prune-steps")) b.pruneSteps((int) o.number("--prune-steps", 200));
            if (o.has("--k-coefs")) b.kCoefs(list(o, "--k-coefs", "3e-4,1e-3,3e-3", Double::parseDouble, "is not a number"));
            if (o.has("--pairs")) b.pairs((int) o.number("--pairs", 256));
            if (o.has("--solved-below")) b.solvedBelow(o.number("--solved-below", 0.05));
            if (o.has("--controls")) {
                String cs = o.value("--controls", "all");
                b.controls(cs.equals("all") ? null : cs.equals("none") ? List.of() : list(o, "--controls", "if_equals", s -> s, ""));
            } else if (o.has("--tasks")) {
                b.controls(null); // a preset's control tasks may not be among the tasks given
            }
            return b.build();
        } catch (SettingException e) {
            throw SettingFlags.userError(e, this);
        } catch (IllegalArgumentException e) { // a task: an unknown name (with a guess at the one meant) or a file that does not read
            throw TaskArg.userError(e);
        }
    }

    private static <T> List<T> list(Options.Parsed o, String flag, String example, Function<String, T> parse, String what) {
        List<T> out = new ArrayList<>();
        for (String raw : o.value(flag, "").split(",")) {
            String s = raw.trim();
            try {
                out.add(parse.apply(s));
            } catch (NumberFormatException e) {
                throw new UserError(flag + ": '" + s + "' " + (what.isEmpty() ? "is not valid" : what), "write e.g. " + flag + " " + example);
            }
        }
        return out;
    }
}
