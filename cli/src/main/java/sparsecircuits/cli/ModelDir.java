package sparsecircuits.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import sparsecircuits.model.checkpoint.ModelDirectory;
import sparsecircuits.model.checkpoint.ModelFiles;
import sparsecircuits.model.gpt.Gpt;
import sparsecircuits.model.tokenizer.ByteLevelBpe;
import sparsecircuits.model.train.TrainConfig;

/**
 * The {@code --model DIR} flag and whole-number flags, checked before a command runs. What a model directory holds
 * is read by {@link ModelDirectory}, whose CheckpointExceptions Main prints as one line (exit 2).
 */
final class ModelDir {
    private ModelDir() {
    }

    /** The --model directory, which must exist and hold a config.json. */
    static Path require(Options.Parsed o, String command) {
        if (!o.has("--model")) {
            throw new UserError(command + " needs --model DIR", "give a model directory, e.g. --model runs/sparse-d128-s0");
        }
        Path dir = Path.of(o.value("--model", ""));
        if (!Files.isDirectory(dir)) {
            throw new UserError("model directory " + dir + " does not exist", "give the --out directory of a 'train' run");
        }
        if (!Files.isRegularFile(dir.resolve(ModelFiles.CONFIG))) {
            throw new UserError(dir + " is not a model directory (no " + ModelFiles.CONFIG + ")",
                    "give a directory with config.json and model.safetensors, e.g. one written by 'train'");
        }
        return dir;
    }

    /** Rejects a fraction in whole-number options (Options checks only the range). */
    static void wholeNumbers(Options.Parsed o, String... names) {
        for (String n : names) {
            double v = o.number(n, 0);
            if (v != Math.rint(v)) throw new UserError(n + " must be a whole number, got " + o.value(n, ""), "drop the fraction");
        }
    }

    // Forwarding for ExperimentCommand, PruneCommand and TasksCommand until they call ModelDirectory (issue 16); remove then.

    static Gpt model(Path dir) {
        return ModelDirectory.model(dir);
    }

    static ByteLevelBpe tokenizer(Path dir, Gpt model) {
        return ModelDirectory.tokenizer(dir, model);
    }

    static TrainConfig trainConfig(Path dir) {
        return ModelDirectory.trainConfig(dir);
    }

    record Progress(long stepsDone, double lastLoss, long lastValStep, double lastValLoss) {
    }

    static Progress progress(Path dir) {
        ModelDirectory.Progress p = ModelDirectory.progress(dir);
        return p == null ? null : new Progress(p.stepsDone(), p.lastLoss(), p.lastValStep(), p.lastValLoss());
    }

    static List<Map<?, ?>> logRows(Path dir) {
        return ModelDirectory.logRows(dir);
    }
}
