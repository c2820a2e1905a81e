package sparsecircuits.experiment.plan;

import sparsecircuits.model.gpt.GptConfig;
import sparsecircuits.model.train.TrainConfig;

/**
 * One model an experiment trains: its id (its directory under {@code models/}), architecture and training settings.
 * The sparse model is the default one ({@code train}'s: d_model 128, pfrac 1/4 of a width-64 base, so E = 2); a
 * dense model keeps its architecture at another width (AbsTopK included, DESIGN.md Clarifications).
 */
public record ModelSpec(String id, GptConfig arch, TrainConfig train) {
    /** The default sparse model trained for {@code steps} with {@code seed}. */
    public static ModelSpec sparse(long steps, long seed) {
        TrainConfig tc = TrainConfig.defaults().toBuilder().steps(steps).seed(seed).build();
        GptConfig arch = GptConfig.builder().blockSize(tc.ctx()).build();
        return new ModelSpec("sparse-d" + arch.dModel(), arch, tc);
    }

    /** A dense model of width {@code dModel} trained for {@code steps} with {@code seed}. */
    public static ModelSpec dense(int dModel, long steps, long seed) {
        TrainConfig tc = TrainConfig.denseDefaults().toBuilder().steps(steps).seed(seed).build();
        GptConfig arch = GptConfig.builder().dModel(dModel).blockSize(tc.ctx()).build();
        return new ModelSpec("dense-d" + dModel, arch, tc);
    }

    public boolean sparse() {
        return train.sparse();
    }

    /** The directory of the model, relative to the run directory. */
    public String directory() {
        return "models/" + id;
    }
}
