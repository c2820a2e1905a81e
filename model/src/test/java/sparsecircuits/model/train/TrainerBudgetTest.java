package sparsecircuits.model.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.doubles;
import static org.quicktheories.generators.SourceDSL.longs;

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

    static long sparseTensors() {
        return MODEL.parameterList().stream().filter(p -> p.isSparse()).count();
    }

    @Test
    void targetNonZerosIsTheSumOfTheTargetBudgets() {
        long all = MODEL.parameterList().stream().filter(p -> p.isSparse()).mapToLong(p -> p.numel()).sum();
        assertEquals(all, Trainer.targetNonZeros(MODEL, TrainConfig.denseDefaults()), "a dense run keeps everything");
        // E = 2: vocab-sized tensors and biases keep pfrac/2, matrices pfrac/4; pfrac 2 keeps every vocab-sized entry
        long matrices = MODEL.parameterList().stream().filter(p -> p.isSparse() && p.rule().hasMinimum()).mapToLong(p -> p.numel()).sum();
        assertEquals(all - matrices + matrices / 2, Trainer.targetNonZeros(MODEL, sparse(2, 0)));
    }

    @Test
    void pfracForL0RoundTrips() {
        qt().withExamples(40).forAll(doubles().between(0.001, 2)).checkAssert(pfrac -> {
            long l0 = Trainer.targetNonZeros(MODEL, sparse(pfrac, 2));
            double back = Trainer.pfracForL0(MODEL, sparse(0.25, 2), l0);
            assertTrue(back > 0 && back <= 2, "at most the largest pfrac: " + back);
            assertEquals(l0, Trainer.targetNonZeros(MODEL, sparse(back, 2)), "pfrac " + pfrac + " → " + l0 + " → " + back);
        });
        assertEquals(0.25, Trainer.pfracForL0(MODEL, sparse(1, 2), Trainer.targetNonZeros(MODEL, sparse(0.25, 2))),
                "the shortest pfrac with that total");
        assertEquals(0.25, Trainer.pfracForL0(MODEL, TrainConfig.denseDefaults().toBuilder().baseWidth(16).build(), Trainer.targetNonZeros(MODEL, sparse(0.25, 2))),
                "a dense config is asked as if sparse");
    }

    @Test
    void pfracForL0IsTheClosestTotalForAnyL0() {
        long most = Trainer.targetNonZeros(MODEL, sparse(2, 0));
        qt().withExamples(60).forAll(longs().between(1, most)).checkAssert(l0 -> {
            double p = Trainer.pfracForL0(MODEL, sparse(0.25, 2), l0);
            // the total steps by at most one entry per tensor at a time
            assertTrue(Math.abs(Trainer.targetNonZeros(MODEL, sparse(p, 2)) - l0) <= sparseTensors(), l0 + " → " + p);
        });
        assertEquals(2.0, Trainer.pfracForL0(MODEL, sparse(0.25, 2), most));
    }

    @Test
    void anL0AboveWhatTheModelHoldsIsRefused() {
        long most = Trainer.targetNonZeros(MODEL, sparse(2, 0));
        SettingException e = assertThrows(SettingException.class, () -> Trainer.pfracForL0(MODEL, sparse(0.25, 2), most + 1));
        assertEquals("l0", e.setting());
        assertTrue(e.getMessage().contains("at most " + most + " (at pfrac 2)"), e.getMessage());
        assertEquals("l0", assertThrows(SettingException.class, () -> Trainer.pfracForL0(MODEL, sparse(0.25, 2), 0)).setting());
    }
}
