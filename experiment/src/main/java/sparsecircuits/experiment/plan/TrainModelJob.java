package sparsecircuits.experiment.plan;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import sparsecircuits.experiment.job.Job;
import sparsecircuits.experiment.job.JobContext;
import sparsecircuits.experiment.job.JobStoppedException;
import sparsecircuits.model.checkpoint.ModelDirectory;
import sparsecircuits.model.checkpoint.ModelFiles;
import sparsecircuits.model.gpt.Gpt;
import sparsecircuits.model.json.Json;
import sparsecircuits.model.train.TrainConfig;
import sparsecircuits.model.train.TrainRun;
import sparsecircuits.model.train.Trainer;
import sparsecircuits.pruning.circuit.CircuitFiles;
import sparsecircuits.pruning.tasks.PaperTaskTargets;

/**
 * Trains one model into {@code models/ID/}: from scratch, or from the checkpoint a killed run left in its staging
 * directory, or by adopting a directory an earlier version wrote there with the same training settings (its
 * checkpoint is resumed, so nothing is trained twice). Its result: the model's size, nonzeros, validation loss and
 * the SHA-256 of its weights.
 */
final class TrainModelJob implements Job {
    final ModelSpec spec;

    TrainModelJob(ModelSpec spec) {
        this.spec = spec;
    }

    @Override
    public String name() {
        return "train " + spec.id();
    }

    @Override
    public String kind() {
        return "train";
    }

    @Override
    public List<Job> after() {
        return List.of();
    }

    @Override
    public Map<String, Object> inputs(Finished finished) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", spec.id());
        m.put("config", ModelFiles.referenceConfig(spec.arch()));
        m.put("train", spec.train().toJson());
        m.put("single_tokens", List.copyOf(PaperTaskTargets.all()));
        return m;
    }

    /** Puts what identifies this model into the inputs of a job that reads it: this job's id and the weights' SHA-256. */
    void identify(Map<String, Object> inputs, Finished finished) {
        inputs.put("model", finished.of(this).id());
        inputs.put("model_sha256", finished.of(this).result().get("model_sha256")); // the weights themselves, as trained
    }

    @Override
    public Result run(JobContext ctx) throws IOException {
        Path dir = ctx.staging().resolve(spec.directory());
        adoptEarlier(ctx.committed(spec.directory()), dir);
        Trainer trainer;
        if (Files.exists(dir.resolve(Trainer.STATE))) {
            trainer = TrainRun.resume(dir, spec.train().steps(), ctx.kernels(), ctx::note);
        } else {
            Files.createDirectories(dir.getParent());
            trainer = TrainRun.start(dir, spec.arch(), spec.train(), PaperTaskTargets.all(), ctx.kernels(), ctx::note);
        }
        if (trainer.stepsDone() < spec.train().steps()) {
            Trainer.Outcome o = trainer.run(dir, new Trainer.Listener() {
                double val = Double.NaN;

                @Override
                public void step(Trainer.StepLog s) {
                    ctx.progress(String.format(Locale.ROOT, "step %d/%d loss %.3f%s", s.step(), s.totalSteps(), s.loss(),
                            Double.isNaN(val) ? "" : String.format(Locale.ROOT, " val %.3f", val)));
                }

                @Override
                public void validation(long step, double loss) {
                    val = loss;
                }
            }, ctx::stopRequested);
            if (o == Trainer.Outcome.STOPPED) throw new JobStoppedException(name() + ": stopped at step " + trainer.stepsDone() + "; checkpoint saved");
        }
        return new Result(summary(dir), List.of(spec.directory()));
    }

    /**
     * Moves a model directory already at the committed place into staging when it was trained with exactly these
     * settings (a run directory from before the job store, or a model whose record was lost): it is resumed, not redone.
     */
    private void adoptEarlier(Path committed, Path staged) throws IOException {
        if (Files.exists(staged) || !Files.isRegularFile(committed.resolve(Trainer.STATE))) return;
        TrainConfig earlier;
        try {
            earlier = ModelDirectory.trainConfig(committed);
        } catch (RuntimeException e) {
            return;
        }
        if (earlier == null || !Json.write(earlier.toJson()).equals(Json.write(spec.train().toJson()))) return;
        Object config = Json.read(committed.resolve(ModelFiles.CONFIG));
        if (!Json.write(config).equals(Json.write(ModelFiles.referenceConfig(spec.arch())))) return;
        Files.createDirectories(staged.getParent());
        Files.move(committed, staged);
    }

    /** What the experiment reads of a trained model. */
    private static Map<String, Object> summary(Path dir) throws IOException {
        Gpt g = ModelDirectory.model(dir);
        ModelDirectory.Progress p = ModelDirectory.progress(dir);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("d_model", (long) g.config().dModel());
        m.put("params", g.parameterCount());
        m.put("nonzeros", g.nonZeroBudget());
        m.put("val_loss", p == null || Double.isNaN(p.lastValLoss()) ? null : p.lastValLoss()); // JSON has no NaN
        m.put("steps", p == null ? 0L : p.stepsDone());
        m.put("model_sha256", CircuitFiles.sha256(dir.resolve(ModelFiles.WEIGHTS)));
        return m;
    }
}
