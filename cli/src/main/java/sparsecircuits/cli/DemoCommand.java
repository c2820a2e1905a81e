package sparsecircuits.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code demo}: the main job on the embedded default. Today that is training a small weight-sparse GPT on the
 * synthetic Python corpus, then its validation loss against unigram/bigram baselines and a sample. Pruning to
 * circuits, the dense baseline and the report join with the circuits issue.
 */
final class DemoCommand implements Command {
    static final String DEFAULT_OUT = "runs/demo";

    @Override
    public String name() {
        return "demo";
    }

    @Override
    public String summary() {
        return "train a small weight-sparse GPT on the embedded corpus, evaluate it, sample from it (~1.5 min)";
    }

    @Override
    public String description() {
        return "Trains the default sparse model of 'train' (2 layers, d_model 128, pfrac 1/4 of a width-64 base, AbsTopK\n"
                + "1/4, sink, bigram table; 1500 steps of 16 × 64 tokens, about 1.5 min on 2 cores) on the embedded synthetic Python corpus into\n"
                + "--out, then prints its validation loss next to unigram and bigram baselines ('eval') and a sample\n"
                + "('sample'). A finished demo run in --out is reused; an interrupted one is resumed.\n"
                + "Pruning to circuits, the loss-matched dense baseline and the report come with the circuits issue.";
    }

    @Override
    public Options options() {
        return new Options(name())
                .option("--out", "DIR", "run directory (default " + DEFAULT_OUT + ")")
                .number("--steps", "N", "training steps (default 1500)", 1, 1e9, "1500");
    }

    @Override
    public int run(Options.Parsed options, CommandContext ctx) {
        Path dir = Path.of(options.value("--out", DEFAULT_OUT));
        String steps = String.valueOf((long) options.number("--steps", 1500));
        ctx.err().println("demo: weight-sparse GPT on the embedded synthetic Python corpus, into " + dir);
        int status;
        if (Files.exists(dir.resolve("train-state.bin"))) {
            long done = InspectProgress.stepsDone(dir);
            if (done >= Long.parseLong(steps)) {
                ctx.err().println("demo: " + dir + " already holds a finished run of " + done + " steps; reusing it (delete it to train again)");
                status = 0;
            } else {
                status = sub(new ResumeCommand(), ctx, "--run", dir.toString(), "--steps", steps);
            }
        } else {
            status = sub(new TrainCommand(), ctx, "--out", dir.toString(), "--steps", steps);
        }
        if (status != 0) return status;
        ctx.out().println();
        status = sub(new EvalCommand(), ctx, "--model", dir.toString());
        if (status != 0) return status;
        ctx.out().println();
        ctx.out().println("sample (temperature 0.8, seed 0):");
        status = sub(new SampleCommand(), ctx, "--model", dir.toString(), "--prompt", "def ", "--tokens", "120",
                "--temperature", "0.8", "--seed", "0");
        ctx.out().println();
        ctx.out().println("next: 'sparse-circuits inspect --model " + dir + "' for the L0 per tensor, 'kernels-info' for the kernels.");
        return status;
    }

    private static int sub(Command c, CommandContext ctx, String... args) {
        Options.Parsed p = c.options().parse(new ArrayList<>(List.of(args)));
        c.check(p);
        try {
            return c.run(p, ctx);
        } catch (UserError e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(c.name() + ": " + e.getMessage(), e);
        }
    }
}
