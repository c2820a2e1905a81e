package sparsecircuits.experiment.plan;

import java.util.ArrayList;
import java.util.List;
import sparsecircuits.autograd.optim.BudgetException;
import sparsecircuits.experiment.job.JobRecord;
import sparsecircuits.model.checkpoint.ModelFiles;
import sparsecircuits.model.gpt.Gpt;
import sparsecircuits.model.gpt.GptConfig;
import sparsecircuits.model.json.Json;
import sparsecircuits.model.train.SettingException;
import sparsecircuits.model.train.TrainConfig;
import sparsecircuits.model.train.Trainer;

/**
 * One model an experiment trains: its id (its directory under {@code models/}; in a shared run directory it ends in a
 * hash of the settings), architecture and training settings.
 * A sparse model is {@code train}'s at the experiment's width, base width and L0; a dense model keeps the same
 * architecture at another width without weight top-k (AbsTopK included, DESIGN.md Clarifications).
 */
public record ModelSpec(String id, GptConfig arch, TrainConfig train) {

    /**
     * Every model of {@code s}: per seed, the sparse widths then the dense widths. Refuses, before anything trains, an
     * L0 a sparse model cannot hold or one the minimum-per-neuron rule cannot meet, naming what would work.
     */
    public static List<ModelSpec> all(ExperimentSettings s) {
        List<ModelSpec> out = new ArrayList<>();
        for (long seed : s.seeds()) {
            for (int w : s.sparseWidths()) out.add(sparse(s, w, seed));
            for (int w : s.denseWidths()) out.add(dense(s, w, seed));
        }
        return out;
    }

    /** The sparse model of width {@code dModel} and {@code seed}, its budget checked. */
    static ModelSpec sparse(ExperimentSettings s, int dModel, long seed) {
        TrainConfig tc = TrainConfig.defaults().toBuilder().steps(s.steps()).seed(seed).batch(s.batch()).ctx(s.ctx())
                .baseWidth(s.baseWidth()).pfrac(s.pfrac()).minPerNeuron(s.minPerNeuron()).corpus(s.corpus())
                .recipe(s.recipe()).regrowEvery(s.regrowEvery()).build();
        GptConfig arch = architecture(s, dModel, s.layers());
        Gpt probe = new Gpt(arch, 0); // the budgets are a matter of shapes; the weights are thrown away
        if (s.l0() > 0) tc = tc.toBuilder().pfrac(Trainer.pfracForL0(probe, tc, s.l0())).build();
        try {
            Trainer.checkBudgets(probe, tc);
        } catch (BudgetException e) {
            String key = e.reason() == BudgetException.Reason.MIN_PER_NEURON ? "min_per_neuron" : s.l0() > 0 ? "l0" : "pfrac";
            throw new SettingException(key, "sparse width " + dModel + " (E " + dModel / s.baseWidth() + "): " + e.getMessage());
        }
        return named("sparse-d" + dModel + suffix(seed), arch, tc, s);
    }

    /** The dense model of width {@code dModel} and {@code seed}. */
    static ModelSpec dense(ExperimentSettings s, int dModel, long seed) {
        TrainConfig tc = TrainConfig.denseDefaults().toBuilder().steps(s.steps()).seed(seed).batch(s.batch()).ctx(s.ctx())
                .corpus(s.corpus()).build();
        String depth = s.denseDepth() != s.layers() ? "-L" + s.denseDepth() : "";
        return named("dense-d" + dModel + depth + suffix(seed), architecture(s, dModel, s.denseDepth()), tc, s);
    }

    /**
     * The model {@code name}: its id is the name, or in a shared run directory the name and 8 hex digits of the SHA-256
     * of its architecture and training settings (what {@link TrainModelJob} reads), so equal models of two experiments
     * share one id and differing ones never share a directory.
     */
    private static ModelSpec named(String name, GptConfig arch, TrainConfig tc, ExperimentSettings s) {
        if (!s.sharedOut()) return new ModelSpec(name, arch, tc);
        String settings = Json.write(ModelFiles.referenceConfig(arch)) + "\n" + Json.write(tc.toJson());
        return new ModelSpec(name + "-" + JobRecord.sha256Hex(settings).substring(0, 8), arch, tc);
    }

    private static GptConfig architecture(ExperimentSettings s, int dModel, int layers) {
        return GptConfig.builder().dModel(dModel).nLayer(layers).afrac(s.afrac()).vocabSize(s.vocab()).blockSize(s.ctx()).build();
    }

    /** Seed 0 keeps the plain id, so run directories from before several seeds still hold their models. */
    private static String suffix(long seed) {
        return seed == 0 ? "" : "-s" + seed;
    }

    public boolean sparse() {
        return train.sparse();
    }

    /** E of a sparse model; 0 for a dense one. */
    public double expansion() {
        return sparse() ? train.expansion(arch.dModel()) : 0;
    }

    /** The directory of the model, relative to the run directory. */
    public String directory() {
        return "models/" + id;
    }
}
