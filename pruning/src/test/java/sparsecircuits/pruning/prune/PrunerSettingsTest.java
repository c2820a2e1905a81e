package sparsecircuits.pruning.prune;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The two presets hold the numbers prune and experiment used before they were named: circuits stay bit-identical. */
class PrunerSettingsTest {

    static List<Object> values(Pruner.Settings s) {
        return List.of(s.kCoef(), s.lr(), s.initNoiseScale(), s.initNoiseBias(), s.weightDecay(), s.beta2(), s.temperature(), s.steps(),
                s.batchPairs(), s.seed());
    }

    @Test
    void defaultsAreTable2sCentres() {
        assertEquals(List.of(1e-4, 3e-3, 1e-2, 1e-1, 1e-3, 0.95, 1f, 400, 16, 0L), values(Pruner.Settings.defaults()));
    }

    @Test
    void smallRunIsSpec85() {
        assertEquals(List.of(1e-3, 1e-2, 1e-2, 1e-1, 1e-3, 0.95, 1f, 200, 8, 0L), values(Pruner.Settings.smallRun()));
    }

    @Test
    void buildersAndWithersChangeOnlyTheirField() {
        Pruner.Settings s = Pruner.Settings.smallRun().toBuilder().kCoef(3e-3).steps(60).seed(5).build();
        assertEquals(List.of(3e-3, 1e-2, 1e-2, 1e-1, 1e-3, 0.95, 1f, 60, 8, 5L), values(s));
        assertEquals(s, s.toBuilder().build());
        assertEquals(s.toBuilder().steps(7).build(), s.withSteps(7));
        assertEquals(s.toBuilder().kCoef(1e-2).build(), s.withKCoef(1e-2));
        Pruner.Settings t = s.toBuilder().lr(0.5).initNoiseScale(0.2).initNoiseBias(0.3).weightDecay(0.4).beta2(0.6).temperature(2f)
                .batchPairs(3).build();
        assertEquals(List.of(3e-3, 0.5, 0.2, 0.3, 0.4, 0.6, 2f, 60, 3, 5L), values(t));
    }
}
