package sparsecircuits.model.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import sparsecircuits.autograd.optim.SparseAdam;
import sparsecircuits.model.gpt.Gpt;
import sparsecircuits.model.gpt.GptConfig;

/** The budget questions asked of a model and a config before training. */
class TrainerBudgetTest {
    /** d_model 32 over base width 16: E = 2. */
    static final Gpt MODEL = new Gpt(GptConfig.builder().vocabSize(320).nLayer(2).dModel(32).blockSize(16).build(), 1);

    static TrainConfig sparse(double pfrac, int j) {
        return TrainConfig.builder().sparse(true).baseWidth(16).pfrac(pfrac).minPerNeuron(j).build();
    }

    @Test
    void forcedShareOfTheMinimumPerNeuronRule() {
        // every matrix with the rule keeps pfrac/E² of d·fan-out with fan-in d = 32 per neuron: forced j·E²/(pfrac·32)
        SparseAdam.ForcedShare whole = Trainer.forcedShare(MODEL, sparse(0.25, 2));
        assertEquals(8, whole.perTensor().size(), "4 matrices with the rule in each of 2 layers");
        assertEquals("transformer.h.0.attn.c_attn.weight", whole.perTensor().keySet().iterator().next(), "parameter order");
        whole.perTensor().forEach((name, share) -> assertEquals(1.0, share, name + ": kept == j·neurons"));
        assertEquals(1.0, whole.overall());

        assertEquals(0.5, Trainer.forcedShare(MODEL, sparse(0.5, 2)).overall(), 1e-12, "twice the budget, half forced");
        assertEquals(0.25, Trainer.forcedShare(MODEL, sparse(0.5, 1)).overall(), 1e-12);
        SparseAdam.ForcedShare none = Trainer.forcedShare(MODEL, sparse(0.25, 0));
        assertEquals(0.0, none.overall());
        none.perTensor().values().forEach(share -> assertEquals(0.0, share));

        SparseAdam.ForcedShare dense = Trainer.forcedShare(MODEL, TrainConfig.denseDefaults());
        assertEquals(0.0, dense.overall());
        assertTrue(dense.perTensor().isEmpty());
    }
}
