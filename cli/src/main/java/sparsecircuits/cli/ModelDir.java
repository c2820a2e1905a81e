package sparsecircuits.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import sparsecircuits.model.checkpoint.ModelFiles;

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
}
