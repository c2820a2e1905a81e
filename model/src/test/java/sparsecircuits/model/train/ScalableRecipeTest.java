package sparsecircuits.model.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sparsecircuits.autograd.optim.Schedule;
import sparsecircuits.autograd.param.HeldEntries;
import sparsecircuits.autograd.param.Parameter;
import sparsecircuits.kernels.KernelProvider;
import sparsecircuits.kernels.Kernels;
import sparsecircuits.kernels.WorkerPool;
import sparsecircuits.model.gpt.Gpt;
import sparsecircuits.model.gpt.GptConfig;

/** Training with the scalable recipe (issue 18) end to end on a tiny model at E 16 (j = 1 needs pfrac 1 there). */
class ScalableRecipeTest {
    static final GptConfig ARCH = arch(256);

    static GptConfig arch(int dModel) {
        return GptConfig.builder().vocabSize(320).nLayer(2).dModel(dModel).blockSize(16).build();
    }

    static TrainConfig cfg(long steps) {
        return TrainerTest.cfg(true, steps).toBuilder().pfrac(1).recipe(TrainConfig.Recipe.SCALABLE).regrowEvery(3).build(); // base 16
    }

    /** Every parameter's state: dense values, or the held indices, values and moments. */
    static void assertSameState(Gpt a, Gpt b) {
        List<Parameter> pa = a.parameterList(), pb = b.parameterList();
        for (int i = 0; i < pa.size(); i++) {
            Parameter x = pa.get(i), y = pb.get(i);
            assertEquals(x.isHeld(), y.isHeld(), x.name());
            assertArrayEquals(x.denseValues(), y.denseValues(), 0f, x.name());
            if (x.isHeld()) {
                assertArrayEquals(x.held().flat(), y.held().flat(), x.name() + " held");
                assertArrayEquals(x.held().m(), y.held().m(), 0f, x.name() + " m");
                assertArrayEquals(x.held().v(), y.held().v(), 0f, x.name() + " v");
                assertArrayEquals(x.held().keptPositions(), y.held().keptPositions(), x.name() + " kept");
                assertEquals(x.denseOverHeldSquares(), y.denseOverHeldSquares(), 0.0, x.name() + " gradient scale ratio");
            } else {
                assertArrayEquals(x.m(), y.m(), 0f, x.name() + " m");
            }
        }
    }

    @Test
    void aScalableRunHoldsItsWeightsFollowsTheCappedScheduleAndLearns(@TempDir Path tmp) {
        Trainer t = TrainRun.start(tmp, ARCH, cfg(24), TrainerTest.FORCED, KernelProvider.get(), s -> { });
        Schedule schedule = t.schedule();
        int held = 0;
        for (Parameter p : t.model().parameterList()) {
            ScalableRecipe.Holding h = ScalableRecipe.holding(p, schedule);
            assertEquals(h.held(), p.isHeld(), p.name());
            if (p.isHeld()) held++;
        }
        // the four matrices of each block (start density 32/256 = 1/8); wte and lm_head keep pfrac/E = 1/16 of their
        // entries, a start denser than 1/8
        assertEquals(2 * 4, held, "the four matrices of each block");
        List<Double> losses = new ArrayList<>();
        t.run(tmp, new Trainer.Listener() {
            @Override
            public void step(Trainer.StepLog s) {
                losses.add(s.loss());
                for (Parameter p : t.model().parameterList()) {
                    if (!p.isHeld()) continue;
                    int want = Math.min(schedule.keptCount(p.rule().budget(), p.numel(), s.step() - 1), p.heldKeptCap());
                    assertEquals(want, p.held().keptCount(), p.name() + " at step " + s.step());
                }
            }
        }, () -> false);
        assertTrue(losses.get(losses.size() - 1) < losses.get(0) - 0.5, "it learns: " + losses);
        assertTrue(Files.exists(tmp.resolve("model.safetensors")));
        Gpt reloaded = sparsecircuits.model.checkpoint.ModelDirectory.model(tmp);
        for (Parameter p : t.model().parameterList()) {
            assertArrayEquals(p.denseValues(), reloaded.parameter(p.name()).value(), 0f, p.name() + " written dense");
        }
    }

    @Test
    void resultsDoNotDependOnTheThreadCountAndAResumeIsBitExact(@TempDir Path tmp) {
        List<Gpt> models = new ArrayList<>();
        for (int threads : new int[] {1, 3}) {
            try (WorkerPool pool = new WorkerPool(threads)) {
                Trainer t = TrainRun.start(tmp.resolve("t" + threads), ARCH, cfg(10), TrainerTest.FORCED, KernelProvider.create(pool), s -> { });
                t.run(tmp.resolve("t" + threads), new Trainer.Listener() { }, () -> false);
                models.add(t.model());
            }
        }
        assertSameState(models.get(0), models.get(1));
        Kernels k = KernelProvider.get();
        Trainer straight = TrainRun.start(tmp.resolve("s"), ARCH, cfg(10), TrainerTest.FORCED, k, s -> { });
        straight.run(tmp.resolve("s"), new Trainer.Listener() { }, () -> false);
        assertSameState(models.get(0), straight.model());
        Path b = tmp.resolve("b");
        Trainer first = TrainRun.start(b, ARCH, cfg(10), TrainerTest.FORCED, k, s -> { });
        first.run(b, new Trainer.Listener() { }, () -> first.stepsDone() >= 4); // stops between two regrowths
        Trainer second = TrainRun.resume(b, 0, k, s -> { });
        assertEquals(4, second.stepsDone());
        assertSameState(first.model(), second.model());
        assertTrue(second.model().parameterList().stream().anyMatch(Parameter::isHeld), "the state restores held weights");
        second.run(b, new Trainer.Listener() { }, () -> false);
        assertSameState(models.get(0), second.model());
    }

    @Test
    void aStateFromTheScalableRecipesFirstBuildIsRefusedWithTheReason(@TempDir Path tmp) throws Exception {
        Trainer t = TrainRun.start(tmp, ARCH, cfg(4), TrainerTest.FORCED, KernelProvider.get(), s -> { });
        t.run(tmp, new Trainer.Listener() { }, () -> false);
        Path state = tmp.resolve("train-state.bin");
        byte[] b = Files.readAllBytes(state);
        b[7] = 2; // the version field (big-endian int after the magic): 2, before the gradient-scale ratio was stored
        Files.write(state, b);
        sparsecircuits.model.checkpoint.CheckpointException e = org.junit.jupiter.api.Assertions.assertThrows(
                sparsecircuits.model.checkpoint.CheckpointException.class, () -> TrainRun.resume(tmp, 0, KernelProvider.get(), s -> { }));
        assertTrue(e.getMessage().contains("state version 2") && e.getMessage().contains("train"), e.getMessage());
    }

    /** A start denser than 1/8 trains in the paper recipe: E 4 at pfrac 1/4 (start 1/2), held from E 8 (start 1/8). */
    @Test
    void aWeightWhoseStartWouldBeDenserThanTheCrossoverIsNotHeld() {
        for (int d : new int[] {64, 128}) {
            Gpt g = new Gpt(arch(d), 1);
            Schedule s = cfg(100).toBuilder().pfrac(0.25).build().schedule(d);
            Parameter attn = g.parameterList().stream().filter(p -> p.name().endsWith("attn.c_attn.weight")).findFirst().orElseThrow();
            assertEquals(d == 128, ScalableRecipe.holding(attn, s).held(), "E " + d / 16);
        }
    }

    @Test
    void atOneL0TheHeldStateIsTheSameAtEveryWidth() {
        List<Long> bytes = new ArrayList<>();
        long candidateBytes = 0;
        for (int d : new int[] {128, 256, 512}) { // E 8, 16, 32 over base 16
            Gpt g = new Gpt(arch(d), 1);
            TrainConfig c = cfg(100).toBuilder().pfrac(0.25).build(); // every block matrix is held from E 8 (start density ≤ 1/8)
            Schedule s = c.schedule(d);
            ScalableRecipe.holdAll(g.parameterList(), s, c.minPerNeuron());
            long total = 0, candidates = 0;
            for (Parameter p : g.parameterList()) {
                // the block matrices; wte and lm_head keep pfrac/E of their entries, so their start is denser than 1/8
                // and they stay in the paper recipe (their dense state then grows with E, not E²)
                if (!p.isSparse() || p.shape().length != 2 || p.name().contains("wte") || p.name().contains("lm_head")) continue;
                assertTrue(p.isHeld(), p.name() + " is held at E " + d / 16);
                HeldEntries h = p.held();
                total += h.stateBytes();
                candidates += 28L * p.candidateCount();
            }
            bytes.add(total);
            candidateBytes = Math.max(candidateBytes, candidates);
        }
        for (long b : bytes) assertEquals(bytes.get(0), b, candidateBytes, "held bytes at each E: " + bytes);
        assertFalse(bytes.isEmpty());
    }
}
