package sparsecircuits.pruning.compare;

import org.junit.jupiter.api.Test;
import sparsecircuits.model.json.Json;
import sparsecircuits.pruning.compare.Experiment.Circuit;
import sparsecircuits.pruning.compare.Experiment.Model;
import sparsecircuits.pruning.compare.Experiment.TaskResult;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** experiment.json must give back the same experiment, NaN and infinities included, and refuse a wrong document clearly. */
class ExperimentJsonTest {

    @Test
    void roundTripGivesEqualRecords() {
        Experiment e = ExperimentSample.sample();
        String json = ExperimentJson.write(e);
        Experiment back = ExperimentJson.read(json);
        assertEquals(e, back);
        assertEquals(json, ExperimentJson.write(back));
        // NaN necessity of an unreached circuit survives as NaN
        Circuit unreached = back.tasks().get(1).circuits("s256").get(2);
        assertTrue(Double.isNaN(unreached.necessity()));
        assertNull(back.tasks().get(1).controls().get(0).inverted());
        assertNull(back.tasks().get(0).circuits("s256").get(2).path());
        assertEquals("circuits/s256/bracket_counting/t0.15/view.html", back.tasks().get(0).circuits("s256").get(1).view());
        assertNull(back.tasks().get(0).circuits("s256").get(1).viewError());
        assertNull(back.tasks().get(0).circuits("d128").get(1).view());
        assertTrue(back.tasks().get(0).circuits("d128").get(1).viewError().contains("cannot write"));
        assertNull(back.tasks().get(0).circuits("s256").get(0).view());
        assertEquals(4, back.models().get(1).setup().expansion());
        assertNull(back.models().get(3).setup());
        assertTrue(back.tasks().get(4).tokenizerClash().contains("one token"));
        assertEquals(new Experiment.Pairing("s256", "d128"), back.headline());
        assertEquals(List.of("corpus", "steps", "widths", "pfrac"), new ArrayList<>(back.settings().keySet()));
    }

    @Test
    void nonFiniteNumbersAreNamedStrings() {
        Model m = new Model("m", "sparse", 8, 10, 5, Double.NaN, Double.POSITIVE_INFINITY,
                List.of(new double[] {0, Double.NEGATIVE_INFINITY}, new double[] {1, Double.NaN}), List.of(), List.of(), null);
        TaskResult t = ExperimentSample.task("t", Map.of("m", Double.NaN), Map.of("m", List.of(new Circuit(0.15, false, 0, 0, Double.NaN, Double.NaN, null))),
                List.of());
        Experiment e = new Experiment("x", "now", "m", Map.of("k", "v"), List.of(m), List.of(new Experiment.Pairing("m", "m")), List.of(0.15, Double.NaN),
                Double.NaN, 0.1, List.of(t), List.of());
        String json = ExperimentJson.write(e);
        Map<?, ?> tree = (Map<?, ?>) Json.parse(json); // valid strict JSON
        assertEquals("NaN", tree.get("mainTarget"));
        assertEquals(List.of(0.15, "NaN"), tree.get("targets"));
        assertTrue(json.contains("\"seconds\": \"Infinity\""));
        assertTrue(json.contains("\"-Infinity\""));
        assertEquals(e, ExperimentJson.read(json));
    }

    @Test
    void curvesCompareByContent() {
        Model a = ExperimentSample.sample().models().get(0);
        Model b = ExperimentSample.sample().models().get(0);
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        List<double[]> changed = new ArrayList<>(b.trainCurve());
        changed.set(3, new double[] {changed.get(3)[0], changed.get(3)[1] + 1e-9});
        Model c = new Model(b.id(), b.mode(), b.dModel(), b.params(), b.nonzeros(), b.valLoss(), b.seconds(), changed,
                b.valCurve(), b.l0Curve(), b.setup());
        assertNotEquals(a, c);
    }

    @Test
    void wrongDocumentsAreRefusedWithThePath() {
        String json = ExperimentJson.write(ExperimentSample.sample());
        String broken = json.replaceFirst("\"edges\": 64", "\"edges\": \"many\"");
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> ExperimentJson.read(broken));
        assertTrue(ex.getMessage().contains("$.tasks[0].circuits.s256[1].edges"), ex.getMessage());
        IllegalArgumentException fmt = assertThrows(IllegalArgumentException.class,
                () -> ExperimentJson.read(json.replace(ExperimentJson.FORMAT, "other/9")));
        assertTrue(fmt.getMessage().contains("other/9"));
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> ExperimentJson.read("{\"models\": [{\"id\": \"m\"}]}"));
        assertTrue(missing.getMessage().contains("$.models[0]") && missing.getMessage().contains("dModel"), missing.getMessage());
    }

    @Test
    void aFileFromBeforeTheViewerPagesReadsWithoutViews() {
        String json = ExperimentJson.write(ExperimentSample.sample());
        String old = json.replaceAll("\\s*\"view\": (null|\"[^\"]*\"),", "").replaceAll(",\\s*\"viewError\": (null|\"[^\"]*\")", "");
        assertFalse(old.contains("\"view"), old);
        Experiment back = ExperimentJson.read(old);
        for (TaskResult t : back.tasks()) {
            for (Circuit c : t.circuits("s256")) assertNull(c.view());
            for (Circuit c : t.circuits("d128")) assertNull(c.viewError());
        }
        assertEquals("circuits/s256/bracket_counting/t0.15", back.tasks().get(0).circuits("s256").get(1).path());
    }

    /** A file of the first format (the demo of 2026-11-24, committed under bench/results) reads as one pairing. */
    @Test
    void aFirstFormatFileReadsAsOnePairing() throws Exception {
        String json;
        try (var in = getClass().getResourceAsStream("experiment-format-1.json")) {
            json = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
        Experiment e = ExperimentJson.read(json);
        assertEquals(List.of(new Experiment.Pairing("sparse-d128", "dense-d64")), e.pairings());
        TaskResult lambda = e.tasks().stream().filter(t -> t.task().equals("lambda_func")).findFirst().orElseThrow();
        Circuit s = Comparison.at(lambda.circuits("sparse-d128"), 0.15), d = Comparison.at(lambda.circuits("dense-d64"), 0.15);
        assertTrue(s.edges() > 0 && d.edges() > 0, "both sides' circuits are read");
        assertTrue(lambda.loss("sparse-d128") <= 0.05);
        assertTrue(ExperimentJson.write(e).contains(ExperimentJson.FORMAT), "written back in the current format");
        assertEquals(e, ExperimentJson.read(ExperimentJson.write(e)));
    }

    @Test
    void emptyExperimentRoundTrips() {
        Experiment empty = new Experiment(null, null, null, null, null, null, null, Double.NaN, Double.NaN, null, null);
        assertEquals(empty, ExperimentJson.read(ExperimentJson.write(empty)));
    }
}
