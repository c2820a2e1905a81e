package sparsecircuits.model.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sparsecircuits.autograd.optim.BudgetException;
import sparsecircuits.autograd.param.Parameter;
import sparsecircuits.kernels.KernelProvider;
import sparsecircuits.kernels.Kernels;
import sparsecircuits.kernels.WorkerPool;
import sparsecircuits.model.gpt.Gpt;
import sparsecircuits.model.gpt.GptConfig;

class TrainerTest {
    static final GptConfig ARCH = GptConfig.builder().vocabSize(320).nLayer(2).dModel(32).blockSize(16).build();

    /** Strings the tokenizer keeps whole, shaped like task targets (the paper tasks' list is in pruning). */
    static final List<String> FORCED = List.of("]]\n", "]\n", ".add", " +=", " in", ":\n");

    static TrainConfig cfg(boolean sparse, long steps) {
        return TrainConfig.builder().sparse(sparse).baseWidth(16).minPerNeuron(1).lr(2e-2).steps(steps).batch(4).ctx(16).seed(3)
                .evalEvery(4).evalBatches(2).checkpointEvery(0).corpusSeed(1).build();
    }

    static void assertSameParameters(Gpt a, Gpt b) {
        List<Parameter> pa = a.parameterList(), pb = b.parameterList();
        for (int i = 0; i < pa.size(); i++) {
            assertArrayEquals(pa.get(i).value(), pb.get(i).value(), 0f, pa.get(i).name());
            assertArrayEquals(pa.get(i).m(), pb.get(i).m(), 0f, pa.get(i).name() + " m");
            assertArrayEquals(pa.get(i).v(), pb.get(i).v(), 0f, pa.get(i).name() + " v");
            assertEquals(pa.get(i).nnz(), pb.get(i).nnz(), pa.get(i).name() + " kept");
        }
    }

    @Test
    void stoppedAndResumedRunIsBitIdenticalToAStraightRun(@TempDir Path tmp) throws Exception {
        Kernels k = KernelProvider.get();
        Trainer straight = TrainRun.start(tmp.resolve("a"), ARCH, cfg(true, 12), FORCED, k, s -> { });
        assertEquals(Trainer.Outcome.FINISHED, straight.run(tmp.resolve("a"), new Trainer.Listener() { }, () -> false));

        Path b = tmp.resolve("b");
        Trainer first = TrainRun.start(b, ARCH, cfg(true, 12), FORCED, k, s -> { });
        assertEquals(Trainer.Outcome.STOPPED, first.run(b, new Trainer.Listener() { }, () -> first.stepsDone() >= 6));
        assertEquals(6, first.stepsDone());
        Trainer second = TrainRun.resume(b, 0, k, s -> { });
        assertEquals(6, second.stepsDone());
        assertEquals(Trainer.Outcome.FINISHED, second.run(b, new Trainer.Listener() { }, () -> false));
        assertSameParameters(straight.model(), second.model());
        assertEquals(Files.readAllLines(tmp.resolve("a/train-log.jsonl")).stream().map(TrainerTest::withoutTimes).toList(),
                Files.readAllLines(b.resolve("train-log.jsonl")).stream().map(TrainerTest::withoutTimes).toList());
    }

    static String withoutTimes(String line) {
        return line.replaceAll("\"(ms|forward_ms|backward_ms|optimizer_ms|tokens_per_s)\":[0-9.E-]+,?", "");
    }

    @Test
    void resultsDoNotDependOnTheThreadCount(@TempDir Path tmp) {
        List<Gpt> models = new ArrayList<>();
        for (int threads : new int[] {1, 3}) {
            try (WorkerPool pool = new WorkerPool(threads)) {
                Trainer t = TrainRun.start(tmp.resolve("t" + threads), ARCH, cfg(true, 6), FORCED, KernelProvider.create(pool), s -> { });
                t.run(tmp.resolve("t" + threads), new Trainer.Listener() { }, () -> false);
                models.add(t.model());
            }
        }
        assertSameParameters(models.get(0), models.get(1));
    }

    @Test
    void keptCountsFollowTheScheduleExactlyAndPrunedWeightsRegrow(@TempDir Path tmp) {
        TrainConfig c = cfg(true, 40);
        Trainer t = TrainRun.start(tmp, ARCH, c, FORCED, KernelProvider.get(), s -> { });
        Map<String, BitSet> everDropped = new HashMap<>();
        Map<String, BitSet> previous = new HashMap<>();
        boolean regrew = false;
        for (int step = 0; step < 40; step++) {
            t.step();
            for (Parameter p : t.model().parameterList()) {
                if (!p.isSparse()) {
                    assertEquals(p.numel(), p.nnz(), p.name() + " is dense and never sparsified");
                    continue;
                }
                int expect = t.schedule().keptCount(p.rule().budget(), p.numel(), step);
                assertEquals(expect, p.nnz(), p.name() + " at step " + step);
                assertTrue(p.countNonZero() <= expect, p.name() + ": nonzeros beyond the kept set");
                BitSet kept = new BitSet();
                for (int i : p.keptIndices()) kept.set(i);
                BitSet prev = previous.get(p.name());
                if (prev != null) {
                    BitSet dropped = (BitSet) prev.clone();
                    dropped.andNot(kept);
                    everDropped.computeIfAbsent(p.name(), n -> new BitSet()).or(dropped);
                    BitSet back = (BitSet) kept.clone();
                    back.andNot(prev);
                    back.and(everDropped.get(p.name()));
                    regrew |= !back.isEmpty();
                }
                previous.put(p.name(), kept);
            }
        }
        assertTrue(regrew, "a weight pruned at one step re-entered the kept set later (dense gradients and moments)");
        // the budgets of SPEC §2.1 at the end: matrices pfrac/E², vocab-sized tensors and biases pfrac/E
        double e = c.expansion(ARCH.dModel());
        Parameter fc = t.model().parameter("transformer.h.0.mlp.c_fc.weight");
        assertEquals(Math.floor(0.25 / (e * e) * fc.numel()), fc.nnz(), 1);
        for (String vocabOrBias : List.of("transformer.wte.weight", "lm_head.weight", "transformer.h.1.attn.c_attn.bias",
                "transformer.h.0.mlp.c_proj.bias")) {
            Parameter p = t.model().parameter(vocabOrBias);
            assertEquals(Math.floor(0.25 / e * p.numel()), p.nnz(), 1, vocabOrBias + " keeps pfrac/E");
        }
        Parameter proj = t.model().parameter("transformer.h.1.attn.c_proj.weight");
        assertEquals(Math.floor(0.25 / (e * e) * proj.numel()), proj.nnz(), 1);
        for (String dense : List.of("transformer.h.0.ln_1.weight", "transformer.h.1.attn.attn_imp.sink_logit", "bigram_table", "transformer.ln_f.weight")) {
            assertFalse(t.model().parameter(dense).isSparse(), dense);
        }
    }

    @Test
    void denseModeKeepsEverything(@TempDir Path tmp) {
        Trainer t = TrainRun.start(tmp, ARCH, cfg(false, 5), FORCED, KernelProvider.get(), s -> { });
        for (int i = 0; i < 5; i++) t.step();
        for (Parameter p : t.model().parameterList()) assertEquals(p.numel(), p.nnz(), p.name());
    }

    @Test
    void aDenseRunIgnoresTheBaseWidth(@TempDir Path tmp) {
        // d_model 32 is not a multiple of 64: only a sparse run has an E = d_model / base width
        TrainConfig dense = cfg(false, 3).toBuilder().baseWidth(64).build();
        Trainer t = TrainRun.start(tmp.resolve("dense"), ARCH, dense, FORCED, KernelProvider.get(), s -> { });
        t.step();
        TrainConfig sparse = cfg(true, 3).toBuilder().baseWidth(64).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TrainRun.start(tmp.resolve("sparse"), ARCH, sparse, FORCED, KernelProvider.get(), s -> { }));
        assertEquals("d_model 32 is not a multiple of the base width 64: pick a base width that divides d_model", e.getMessage());
    }

    @Test
    void aNonFiniteLossNamesTheStepAndTheTensorAndKeepsTheCheckpoint(@TempDir Path tmp) throws Exception {
        Trainer t = TrainRun.start(tmp, ARCH, cfg(true, 10), FORCED, KernelProvider.get(), s -> { });
        t.step();
        t.checkpoint(tmp);
        byte[] before = Files.readAllBytes(tmp.resolve(Trainer.STATE));
        t.model().parameter("transformer.h.1.mlp.c_fc.weight").value()[3] = Float.NaN;
        TrainingException e = assertThrows(TrainingException.class, () -> t.run(tmp, new Trainer.Listener() { }, () -> false));
        assertTrue(e.getMessage().startsWith("step 2: the loss is NaN"), e.getMessage());
        assertTrue(e.getMessage().contains("transformer.h.1.mlp.c_fc.weight"), e.getMessage());
        assertArrayEquals(before, Files.readAllBytes(tmp.resolve(Trainer.STATE)), "the last good checkpoint is untouched");
    }

    @Test
    void impossibleBudgetsAndCorruptStateAreRefused(@TempDir Path tmp) throws Exception {
        TrainConfig tooMany = cfg(true, 10).toBuilder().pfrac(0.01).minPerNeuron(4).lr(1e-2).build();
        BudgetException e = assertThrows(BudgetException.class, () -> TrainRun.start(tmp.resolve("x"), ARCH, tooMany, FORCED, KernelProvider.get(), s -> { }));
        assertTrue(e.getMessage().contains("minimum-per-neuron"), e.getMessage());
        assertEquals(BudgetException.Reason.MIN_PER_NEURON, e.reason());
        assertFalse(Files.exists(tmp.resolve("x")), "refused before the run directory is made");
        // E = 32 / 16 = 2: wte keeps pfrac/E, so pfrac 3 asks it for more than it holds (and once trained dense)
        TrainConfig dense = cfg(true, 10).toBuilder().pfrac(3).lr(1e-2).build();
        BudgetException p = assertThrows(BudgetException.class, () -> TrainRun.start(tmp.resolve("p"), ARCH, dense, FORCED, KernelProvider.get(), s -> { }));
        assertEquals(BudgetException.Reason.PFRAC_ABOVE_DENSE, p.reason());
        assertEquals(2.0, p.budgets().maxPfrac());
        assertFalse(Files.exists(tmp.resolve("p")), "refused before the run directory is made");
        Trainer t = TrainRun.start(tmp.resolve("y"), ARCH, cfg(true, 4), FORCED, KernelProvider.get(), s -> { });
        t.run(tmp.resolve("y"), new Trainer.Listener() { }, () -> true);
        byte[] state = Files.readAllBytes(tmp.resolve("y/train-state.bin"));
        Files.write(tmp.resolve("y/train-state.bin"), java.util.Arrays.copyOf(state, state.length - 9));
        var c = assertThrows(sparsecircuits.model.checkpoint.CheckpointException.class,
                () -> TrainRun.resume(tmp.resolve("y"), 0, KernelProvider.get(), s -> { }));
        assertTrue(c.getMessage().contains("train-state.bin"), c.getMessage());
    }
}
