package sparsecircuits.cli;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import sparsecircuits.autograd.optim.BudgetException;
import sparsecircuits.autograd.optim.SparseAdam;
import sparsecircuits.kernels.Kernels;
import sparsecircuits.model.gpt.GptConfig;
import sparsecircuits.model.train.TrainConfig;
import sparsecircuits.model.train.TrainRun;
import sparsecircuits.model.train.Trainer;
import sparsecircuits.pruning.tasks.PaperTaskTargets;

/** {@code train}: a weight-sparse (or dense baseline) GPT from scratch into a run directory. */
final class TrainCommand implements Command {

    @Override
    public String name() {
        return "train";
    }

    @Override
    public String summary() {
        return "train a weight-sparse GPT (or a dense baseline) on the embedded corpus or a .py directory";
    }

    @Override
    public String description() {
        return "Trains the paper's weight-sparse transformer (SPEC §1–2): pre-norm GPT with RMSNorm, untied embeddings,\n"
                + "bigram table, attention sink, AbsTopK at 8 locations; Adam with gradient-RMS normalisation, per-tensor\n"
                + "top-k after every step under a linear L0 anneal (dense at 1% of the run, target at 50%), sharkfin LR.\n"
                + "--mode dense trains the same architecture without weight top-k (a baseline).\n"
                + "The tokenizer (byte-level BPE, the paper tasks' targets forced to single tokens) is trained first.\n"
                + "\n"
                + "Writes into --out: config.json + model.safetensors (loadable by the reference GPT), tokenizer.json,\n"
                + "train-config.json, train-state.bin (for 'resume'), train-log.jsonl (one JSON line per step).\n"
                + "Ctrl-C saves a checkpoint and stops; 'resume --run DIR' continues bit-exactly.";
    }

    @Override
    public Options options() {
        TrainConfig d = TrainConfig.defaults();
        GptConfig a = GptConfig.defaults();
        return new Options(name())
                .option("--out", "DIR", "run directory (default runs/<mode>-d<d_model>-s<seed>)")
                .option("--mode", "sparse|dense", "weight-sparse training or the dense baseline (default sparse)")
                .number("--d-model", "N", "residual width (default " + a.dModel() + ")", 16, 8192, String.valueOf(a.dModel()))
                .number("--layers", "N", "transformer blocks (default " + a.nLayer() + ")", 1, 64, String.valueOf(a.nLayer()))
                .number("--d-head", "N", "width of one attention head (default " + a.dHead() + ")", 1, 1024, String.valueOf(a.dHead()))
                .number("--heads", "N", "attention heads (default d_model / d_head)", 1, 1024, String.valueOf(a.nHead()))
                .number("--base-width", "N", "base model width for pfrac; E = d_model / base width (default " + d.baseWidth()
                        + "; a dense model ignores it)", 1, 8192, String.valueOf(d.baseWidth()))
                .number("--pfrac", "F", "target L0 relative to the base model's parameter count (default " + decimal(d.pfrac()) + ")",
                        1e-6, 1e6, decimal(d.pfrac()))
                .number("--min-per-neuron", "J", "minimum nonzeros per neuron/channel (default " + d.minPerNeuron() + "; the paper uses 4)",
                        0, 1024, String.valueOf(d.minPerNeuron()))
                .number("--afrac", "F", "AbsTopK keeps this fraction of channels at 8 locations; 1 = off (default " + decimal(a.afrac()) + ")",
                        1e-3, 1, decimal(a.afrac()))
                .flag("--no-sink", "no attention sink logit")
                .flag("--learned-positions", "add a learned absolute position embedding (default: none)")
                .number("--vocab", "N", "tokenizer vocabulary, <|endoftext|> included (default " + a.vocabSize() + ")", 260, 65536,
                        String.valueOf(a.vocabSize()))
                .number("--ctx", "N", "tokens per training sequence (default " + d.ctx() + ")", 2, 8192, String.valueOf(d.ctx()))
                .number("--batch", "N", "sequences per step (default " + d.batch() + ")", 1, 4096, String.valueOf(d.batch()))
                .number("--steps", "N", "optimizer steps (default " + d.steps() + ")", 1, 1e9, String.valueOf(d.steps()))
                .number("--lr", "F", "peak learning rate (default " + decimal(d.lr()) + " sparse, " + decimal(TrainConfig.denseDefaults().lr())
                        + " dense)", 1e-7, 10, decimal(d.lr()))
                .number("--weight-decay", "F", "decoupled weight decay (default " + decimal(d.weightDecay()) + ")", 0, 10, decimal(d.weightDecay()))
                .number("--anneal-stop", "F", "fraction of the run at which L0 reaches its target (default " + decimal(d.annealStopFrac()) + ")",
                        0.02, 1, decimal(d.annealStopFrac()))
                .number("--seed", "N", "initialisation and data order (default " + d.seed() + ")", 0, 9.007199254740991e15, String.valueOf(d.seed()))
                .option("--corpus", CorpusArg.VALUE, CorpusArg.HELP + " (default " + d.corpus() + ")")
                .number("--corpus-seed", "N", "seed of the synthetic corpus / the directory split (default " + d.corpusSeed() + ")", 0,
                        9.007199254740991e15, String.valueOf(d.corpusSeed()))
                .number("--eval-every", "N", "validation loss every N steps; 0 = at the end (default " + d.evalEvery() + ")", 0, 1e9,
                        String.valueOf(d.evalEvery()))
                .number("--eval-batches", "N", "validation batches per evaluation (default " + d.evalBatches() + ")", 1, 1e6,
                        String.valueOf(d.evalBatches()))
                .number("--checkpoint-every", "N", "checkpoint every N steps; 0 = at the end (default " + d.checkpointEvery() + ")", 0, 1e9,
                        String.valueOf(d.checkpointEvery()))
                .option("--recipe", "paper|scalable", "how sparse weights train: 'paper' keeps dense values, gradients and Adam moments"
                        + " and a dense dW every step (SPEC §2); 'scalable' keeps them only on the kept pattern and regrowth candidates,"
                        + " dW on those every step and a streamed dense gradient every --regrow-every steps (default paper)")
                .number("--regrow-every", "N", "the scalable recipe's regrowth interval in steps (default " + d.regrowEvery() + ")", 1, 1e9,
                        String.valueOf(d.regrowEvery()));
    }

    @Override
    public void check(Options.Parsed o) {
        String mode = o.value("--mode", "sparse");
        if (!mode.equals("sparse") && !mode.equals("dense")) {
            throw new UserError("--mode must be sparse or dense, got '" + mode + "'", "write --mode sparse or --mode dense");
        }
        for (String whole : new String[] {"--d-model", "--layers", "--d-head", "--heads", "--base-width", "--vocab", "--ctx",
                "--batch", "--steps", "--seed", "--corpus-seed", "--eval-every", "--eval-batches", "--checkpoint-every",
                "--min-per-neuron", "--regrow-every"}) {
            double v = o.number(whole, 0);
            if (v != Math.rint(v)) throw new UserError(whole + " must be a whole number, got " + o.value(whole, ""), "drop the fraction");
        }
    }

    @Override
    public int run(Options.Parsed o, CommandContext ctx) {
        boolean sparse = o.value("--mode", "sparse").equals("sparse");
        TrainConfig defaults = sparse ? TrainConfig.defaults() : TrainConfig.denseDefaults();
        GptConfig archDefaults = GptConfig.defaults();
        int d = (int) o.number("--d-model", archDefaults.dModel());
        int dHead = (int) o.number("--d-head", archDefaults.dHead());
        if (!o.has("--heads") && d % dHead != 0) {
            throw new UserError("--d-model " + d + " is not a multiple of --d-head " + dHead, "pick a d_model divisible by d_head, or give --heads");
        }
        int heads = (int) o.number("--heads", Math.max(1, d / dHead));
        double afrac = o.number("--afrac", archDefaults.afrac());
        int ctxLen = (int) o.number("--ctx", defaults.ctx());
        TrainConfig cfg;
        GptConfig arch;
        try {
            arch = GptConfig.builder().vocabSize((int) o.number("--vocab", archDefaults.vocabSize()))
                    .nLayer((int) o.number("--layers", archDefaults.nLayer())).dModel(d).nHead(heads).dHead(dHead).dMlp(4 * d)
                    .blockSize(ctxLen).afrac(afrac).afracLocations(afrac >= 1 ? Set.of() : Set.copyOf(GptConfig.LOCATIONS))
                    .sink(!o.has("--no-sink")).learnedPositions(o.has("--learned-positions")).build();
            String corpus = o.value("--corpus", defaults.corpus());
            corpus = CorpusArg.absolute(corpus);
            cfg = defaults.toBuilder().pfrac(o.number("--pfrac", defaults.pfrac())).baseWidth((int) o.number("--base-width", defaults.baseWidth()))
                    .minPerNeuron((int) o.number("--min-per-neuron", defaults.minPerNeuron())).lr(o.number("--lr", defaults.lr()))
                    .steps((long) o.number("--steps", defaults.steps())).batch((int) o.number("--batch", defaults.batch())).ctx(ctxLen)
                    .seed((long) o.number("--seed", defaults.seed())).annealStopFrac(o.number("--anneal-stop", defaults.annealStopFrac()))
                    .weightDecay(o.number("--weight-decay", defaults.weightDecay())).evalEvery((int) o.number("--eval-every", defaults.evalEvery()))
                    .evalBatches((int) o.number("--eval-batches", defaults.evalBatches()))
                    .checkpointEvery((int) o.number("--checkpoint-every", defaults.checkpointEvery()))
                    .recipe(TrainConfig.Recipe.of(o.value("--recipe", TrainConfig.Recipe.PAPER.key())))
                    .regrowEvery((int) o.number("--regrow-every", defaults.regrowEvery())).corpus(corpus)
                    .corpusSeed((long) o.number("--corpus-seed", defaults.corpusSeed())).build();
        } catch (IllegalArgumentException e) {
            throw SettingFlags.userError(e, this);
        }
        if (sparse) { // a dense model ignores the base width (DESIGN.md Clarifications, "Widths")
            try {
                cfg.expansion(d);
            } catch (IllegalArgumentException e) {
                throw new UserError("--d-model " + d + " is not a multiple of --base-width " + cfg.baseWidth() + " (E = d_model / base width)",
                        "give a --base-width that divides " + d + ", or train --mode dense, which ignores it");
            }
        }
        Path dir = Path.of(o.value("--out", "runs/" + (sparse ? "sparse" : "dense") + "-d" + d + "-s" + cfg.seed()));
        Kernels kernels = Main.kernels().kernels();
        Trainer trainer;
        if (Files.exists(dir.resolve(Trainer.STATE))) {
            throw new UserError(dir + " already holds a run (" + Trainer.STATE + ")",
                    "continue it with '" + Main.PROGRAM + " resume --run " + dir + "', or pick another --out");
        }
        try {
            trainer = TrainRun.start(dir, arch, cfg, PaperTaskTargets.all(), kernels, ctx.err()::println);
        } catch (BudgetException e) {
            throw budgetError(e, d, cfg.baseWidth());
        } catch (IllegalArgumentException e) {
            throw SettingFlags.userError(e, this);
        }
        var m = trainer.model();
        ctx.err().printf(Locale.ROOT, "model: %d layers, d_model %d, %d heads × %d, vocab %d, %,d parameters; %s%s, %s, %d threads%n",
                m.config().nLayer(), d, m.config().nHead(), dHead, m.config().vocabSize(), m.parameterCount(),
                sparse ? "sparse pfrac " + cfg.pfrac() + " E " + (int) cfg.expansion(d) : "dense", "",
                kernels.name(), kernels.pool().threads());
        return Training.run(trainer, dir, ctx);
    }

    /** The library's budget limits in the flags' terms: what cannot be met, and the values that work. */
    static UserError budgetError(BudgetException e, int dModel, int baseWidth) {
        SparseAdam.Budgets b = e.budgets();
        String pfrac = "--pfrac " + decimal(b.pfrac());
        if (e.reason() == BudgetException.Reason.PFRAC_ABOVE_DENSE) {
            String max = "--pfrac " + decimal(b.maxPfrac());
            return new UserError(pfrac + " asks for more nonzeros than " + e.tensor() + " holds at E = " + decimal(b.expansion())
                    + " (--d-model " + dModel + " / --base-width " + baseWidth + ")",
                    "the largest valid value is " + max + ": give " + max + " or less, or raise E with a wider --d-model or a smaller --base-width");
        }
        String j = "--min-per-neuron " + b.minPerNeuron();
        String largestJ = "give --min-per-neuron " + b.maxMinPerNeuron() + " (the largest that works at " + pfrac + ")";
        return new UserError(j + " cannot be met at " + pfrac + ": " + e.tensor() + " keeps " + e.kept()
                + (e.kept() == 1 ? " weight" : " weights") + " at the target budget, fewer than " + b.minPerNeuron() + " for each of its " + e.neurons() + " neurons",
                Double.isNaN(b.minPfrac()) ? largestJ + "; no --pfrac up to " + decimal(b.maxPfrac()) + " meets " + j
                        : largestJ + " or --pfrac " + decimal(b.minPfrac()) + " (the smallest that works with " + j + ")");
    }

    /** 2 rather than 2.0, 0.0417 rather than 4.17E-2. */
    private static String decimal(double x) {
        return BigDecimal.valueOf(x).stripTrailingZeros().toPlainString();
    }

}
