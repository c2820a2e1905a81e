package sparsecircuits.pruning.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import org.junit.jupiter.api.Test;

/** The ratios are per pairing, the headline is the widest sparse model's, and the frontier's tasks are common to all. */
class ComparisonTest {

    @Test
    void ratiosArePerPairing() {
        Experiment e = ExperimentSample.sample();
        Comparison.Ratio wide = Comparison.edgeRatio(e, new Experiment.Pairing("s256", "d128"), 0.15);
        assertEquals(Math.sqrt(1024.0 / 64 * 128 / 16), wide.geoMean(), 1e-9);
        assertEquals(2, wide.tasks());
        assertEquals(wide, Comparison.edgeRatio(e, 0.15), "the headline is the widest sparse model's pairing");
        Comparison.Ratio nodes = Comparison.nodeRatio(e, 0.15);
        assertEquals(Math.sqrt(300.0 / 30 * 40 / 10), nodes.geoMean(), 1e-9);
        // s128's partner d256 pruned nothing: no task qualifies
        Comparison.Ratio narrow = Comparison.edgeRatio(e, new Experiment.Pairing("s128", "d256"), 0.15);
        assertTrue(Double.isNaN(narrow.geoMean()));
        assertEquals(0, narrow.tasks());
    }

    @Test
    void geoMeanEdgesOverChosenTasks() {
        Experiment e = ExperimentSample.sample();
        assertEquals(Math.cbrt(64.0 * 16 * 50), Comparison.geoMeanEdges(e, "s256", 0.15, null), 1e-9);
        assertEquals(64.0, Comparison.geoMeanEdges(e, "s256", 0.15, Set.of("bracket_counting")), 1e-9);
        assertTrue(Double.isNaN(Comparison.geoMeanEdges(e, "d256", 0.15, null)));
    }

    @Test
    void commonTasksNeedEveryModel() {
        Experiment e = ExperimentSample.sample();
        assertEquals(Set.of(), Comparison.commonTasks(e, 0.15), "d256 pruned nothing");
        Experiment three = new Experiment(e.title(), e.createdUtc(), e.machine(), e.settings(), e.models().subList(0, 3), e.pairings(),
                e.targets(), e.mainTarget(), e.solvedBelow(), e.tasks(), e.notes());
        assertEquals(Set.of("bracket_counting"), Comparison.commonTasks(three, 0.15));
    }
}
