package sparsecircuits.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import sparsecircuits.model.checkpoint.ModelFiles;
import sparsecircuits.model.gpt.Gpt;
import sparsecircuits.model.json.Json;
import sparsecircuits.model.json.JsonException;
import sparsecircuits.model.tokenizer.ByteLevelBpe;
import sparsecircuits.model.tokenizer.TokenizerJson;
import sparsecircuits.model.train.TrainConfig;
import sparsecircuits.model.train.TrainRun;
import sparsecircuits.model.train.Trainer;

/**
 * What eval, sample and inspect read from a {@code --model DIR}: the model, its tokenizer, and for a run made by
 * {@code train} its train-config.json and train-log.jsonl. Problems with the directory become one-line {@link UserError}s.
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

    /** The weights (a bad config.json or model.safetensors is a CheckpointException: exit 2 in Main). */
    static Gpt model(Path dir) {
        return ModelFiles.load(dir);
    }

    /** The directory's tokenizer.json, which must match the model's vocabulary. */
    static ByteLevelBpe tokenizer(Path dir, Gpt model) {
        Path file = dir.resolve(TrainRun.TOKENIZER);
        if (!Files.isRegularFile(file)) {
            throw new UserError(dir + " has no " + TrainRun.TOKENIZER, "a model directory from 'train' has one; copy the run's tokenizer.json there");
        }
        ByteLevelBpe bpe;
        try {
            bpe = TokenizerJson.load(file);
        } catch (IOException | IllegalArgumentException e) {
            throw new UserError(file + ": cannot read the tokenizer (" + e.getMessage() + ")", "restore the run's tokenizer.json");
        }
        if (bpe.vocabSize() != model.config().vocabSize()) {
            throw new UserError(file + " has " + bpe.vocabSize() + " tokens but the model has a vocabulary of "
                    + model.config().vocabSize(), "use the tokenizer.json the model was trained with");
        }
        return bpe;
    }

    /** train-config.json, or null when the directory has none (not made by 'train'). */
    static TrainConfig trainConfig(Path dir) {
        Path file = dir.resolve(Trainer.TRAIN_CONFIG);
        if (!Files.isRegularFile(file)) return null;
        try {
            @SuppressWarnings("unchecked")
            Map<String, Object> m = (Map<String, Object>) Json.read(file);
            return TrainConfig.fromJson(m);
        } catch (IOException | JsonException | ClassCastException | IllegalArgumentException e) {
            throw new UserError(file + ": cannot read (" + e.getMessage() + ")", "restore it, or remove it to treat " + dir + " as a bare model");
        }
    }

    /** What train-log.jsonl says: the last step and its loss, the last validation loss (NaN/-1 when absent). */
    record Progress(long stepsDone, double lastLoss, long lastValStep, double lastValLoss) {
    }

    /** The progress in train-log.jsonl, or null when there is none. A torn last line (a crash mid-write) is skipped. */
    static Progress progress(Path dir) {
        List<Map<?, ?>> rows = logRows(dir);
        if (rows == null) return null;
        long step = 0, valStep = -1;
        double loss = Double.NaN, val = Double.NaN;
        for (Map<?, ?> m : rows) {
            long s = ((Number) m.get("step")).longValue();
            if (m.get("loss") instanceof Number l) {
                step = s;
                loss = l.doubleValue();
            }
            if (m.get("val_loss") instanceof Number v) {
                valStep = s;
                val = v.doubleValue();
            }
        }
        return new Progress(step, loss, valStep, val);
    }

    /** The rows of train-log.jsonl that have a step (a torn last line is skipped), or null when there is no log. */
    static List<Map<?, ?>> logRows(Path dir) {
        Path file = dir.resolve(Trainer.LOG);
        if (!Files.isRegularFile(file)) return null;
        List<Map<?, ?>> rows = new java.util.ArrayList<>();
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (line.isBlank()) continue;
                Object parsed;
                try {
                    parsed = Json.parse(line);
                } catch (JsonException e) {
                    continue;
                }
                if (parsed instanceof Map<?, ?> m && m.get("step") instanceof Number) rows.add(m);
            }
        } catch (IOException e) {
            throw new UserError(file + ": cannot read (" + e.getMessage() + ")", "check the file's permissions");
        }
        return rows;
    }

    /** Rejects a fraction in whole-number options (Options checks only the range). */
    static void wholeNumbers(Options.Parsed o, String... names) {
        for (String n : names) {
            double v = o.number(n, 0);
            if (v != Math.rint(v)) throw new UserError(n + " must be a whole number, got " + o.value(n, ""), "drop the fraction");
        }
    }
}
