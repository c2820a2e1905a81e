package sparsecircuits.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import sparsecircuits.kernels.Kernels;
import sparsecircuits.model.train.TrainRun;
import sparsecircuits.model.train.Trainer;

/** {@code resume}: continues a run directory made by {@code train}, bit-exactly. */
final class ResumeCommand implements Command {

    @Override
    public String name() {
        return "resume";
    }

    @Override
    public String summary() {
        return "continue a stopped or finished training run from its last checkpoint";
    }

    @Override
    public String description() {
        return "Reads train-state.bin (weights, kept sets, Adam moments, step) from the run directory and trains on\n"
                + "with the same settings (train-config.json). The result is bit-identical to a run that was never\n"
                + "stopped. --steps N changes the run's total (the LR and L0 schedules follow the new total).";
    }

    @Override
    public Options options() {
        return new Options(name())
                .option("--run", "DIR", "the run directory written by 'train --out DIR' (required)")
                .number("--steps", "N", "new total number of steps (default: the run's own)", 1, 1e9, "1200");
    }

    @Override
    public void check(Options.Parsed o) {
        if (!o.has("--run")) throw new UserError("resume needs --run DIR", "give the directory a 'train' run wrote, e.g. --run runs/sparse-d128-s0");
    }

    @Override
    public int run(Options.Parsed o, CommandContext ctx) {
        Path dir = Path.of(o.value("--run", ""));
        if (!Files.isDirectory(dir)) {
            throw new UserError("run directory " + dir + " does not exist", "give the --out directory of a 'train' run");
        }
        if (!Files.isRegularFile(dir.resolve(Trainer.TRAIN_CONFIG))) {
            throw new UserError(dir + " has no " + Trainer.TRAIN_CONFIG, "'resume' continues a directory made by '" + Main.PROGRAM + " train --out'");
        }
        Kernels kernels = Main.kernels().kernels();
        Trainer trainer;
        try {
            trainer = TrainRun.resume(dir, (long) o.number("--steps", 0), kernels, ctx.err()::println);
        } catch (IllegalArgumentException e) {
            throw SettingFlags.userError(e, this);
        }
        return Training.run(trainer, dir, ctx);
    }
}
