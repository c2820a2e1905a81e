package sparsecircuits.model.checkpoint;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import sparsecircuits.model.gpt.Gpt;
import sparsecircuits.model.gpt.GptConfig;
import sparsecircuits.model.json.Json;
import sparsecircuits.model.json.JsonException;
import sparsecircuits.model.tokenizer.ByteLevelBpe;
import sparsecircuits.model.tokenizer.TokenizerJson;
import sparsecircuits.model.train.TrainConfig;
import sparsecircuits.model.train.TrainRun;
import sparsecircuits.model.train.Trainer;

/**
 * What a model directory written by training holds, read with one rule each: the weights, the tokenizer (which
 * must fit the model's vocabulary), the training settings and the training log. A file that is there but cannot
 * be used is a {@link CheckpointException} saying which file and what to do.
 */
public final class ModelDirectory {
    private ModelDirectory() {
    }

    /** The weights (config.json + model.safetensors). */
    public static Gpt model(Path dir) {
        return ModelFiles.load(dir);
    }

    /** config.json alone, for readers that need the shapes but not the weights (a circuit's graph, its exports). */
    public static GptConfig config(Path dir) {
        Path file = dir.resolve(ModelFiles.CONFIG);
        try {
            return ModelFiles.parseConfig(Json.read(file), file);
        } catch (IOException e) {
            throw new CheckpointException(file + ": cannot read (" + AtomicFiles.describe(e) + "); give a model directory written by training", e);
        } catch (JsonException e) {
            throw new CheckpointException(file + ": not valid JSON (" + e.getMessage() + ")", e);
        }
    }

    /** The directory's tokenizer.json, which must match the model's vocabulary. */
    public static ByteLevelBpe tokenizer(Path dir, Gpt model) {
        Path file = dir.resolve(TrainRun.TOKENIZER);
        if (!Files.isRegularFile(file)) {
            throw new CheckpointException(dir + " has no " + TrainRun.TOKENIZER + "; a model directory from training has one: copy the run's tokenizer.json there");
        }
        ByteLevelBpe bpe;
        try {
            bpe = TokenizerJson.load(file);
        } catch (IOException | IllegalArgumentException e) {
            throw new CheckpointException(file + ": cannot read the tokenizer (" + e.getMessage() + "); restore the run's tokenizer.json", e);
        }
        if (bpe.vocabSize() != model.config().vocabSize()) {
            throw new CheckpointException(file + " has " + bpe.vocabSize() + " tokens but the model has a vocabulary of "
                    + model.config().vocabSize() + "; use the tokenizer.json the model was trained with");
        }
        return bpe;
    }

    /** train-config.json, or null when the directory has none (a model not trained here). */
    public static TrainConfig trainConfig(Path dir) {
        Path file = dir.resolve(Trainer.TRAIN_CONFIG);
        if (!Files.isRegularFile(file)) return null;
        try {
            @SuppressWarnings("unchecked")
            Map<String, Object> m = (Map<String, Object>) Json.read(file);
            return TrainConfig.fromJson(m);
        } catch (IOException | JsonException | ClassCastException | IllegalArgumentException e) {
            throw new CheckpointException(file + ": cannot read (" + e.getMessage() + "); restore it, or remove it to treat " + dir + " as a bare model", e);
        }
    }

    /** What train-log.jsonl says: the last step and its loss, the last validation loss (NaN / -1 when absent). */
    public record Progress(long stepsDone, double lastLoss, long lastValStep, double lastValLoss) {
    }

    /** The progress in train-log.jsonl, or null when there is none. */
    public static Progress progress(Path dir) {
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

    /** The rows of train-log.jsonl that have a step (a torn last line, from a crash mid-write, is skipped), or null without a log. */
    public static List<Map<?, ?>> logRows(Path dir) {
        Path file = dir.resolve(Trainer.LOG);
        if (!Files.isRegularFile(file)) return null;
        List<Map<?, ?>> rows = new ArrayList<>();
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
            throw new CheckpointException(file + ": cannot read (" + e.getMessage() + "); check the file's permissions", e);
        }
        return rows;
    }
}
