package sparsecircuits.pruning.compare;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import sparsecircuits.pruning.compare.Experiment.Circuit;
import sparsecircuits.pruning.compare.Experiment.Control;
import sparsecircuits.pruning.compare.Experiment.Controls;
import sparsecircuits.pruning.compare.Experiment.Model;
import sparsecircuits.pruning.compare.Experiment.TaskResult;

/** An experiment's results as a test fixture, shared with the report's tests (present, through pruning's test jar). */
public final class ExperimentSample {
    private ExperimentSample() {
    }

    /** A task name with markup characters: the report must escape it. */
    public static final String ODD = "set_or_string <&> \"q\"";

    public static Circuit c(double target, long nodes, long edges, String path) {
        return new Circuit(target, true, nodes, edges, target * 0.9, 2.0 + nodes / 100.0, path);
    }

    public static List<double[]> curve(int from, int to, int every, java.util.function.DoubleUnaryOperator f) {
        List<double[]> out = new ArrayList<>();
        for (int s = from; s <= to; s += every) {
            out.add(new double[] {s, f.applyAsDouble(s)});
        }
        return out;
    }

    /** A task's entry from (model id, loss) pairs and (model id, circuits) pairs. */
    public static TaskResult task(String name, Map<String, Double> losses, Map<String, List<Circuit>> circuits, List<Controls> controls) {
        return new TaskResult(name, new LinkedHashMap<>(losses), new LinkedHashMap<>(circuits), controls, null);
    }

    private static Map<String, List<Circuit>> sides(String a, List<Circuit> ca, String b, List<Circuit> cb) {
        Map<String, List<Circuit>> m = new LinkedHashMap<>();
        if (!ca.isEmpty()) m.put(a, ca);
        if (!cb.isEmpty()) m.put(b, cb);
        return m;
    }

    private static Map<String, Double> losses(Object... idThenLoss) {
        Map<String, Double> m = new LinkedHashMap<>();
        for (int i = 0; i < idThenLoss.length; i += 2) m.put((String) idThenLoss[i], ((Number) idThenLoss[i + 1]).doubleValue());
        return m;
    }

    private static Experiment.Setup setup(double expansion, long seed) {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("layers", "2");
        config.put("vocab", "512");
        return new Experiment.Setup(2, expansion, seed, 2000L * 16 * 64, expansion > 0 ? 0.25 : Double.NaN, config);
    }

    /**
     * The realistic sample: sparse E 2 (s128) and E 4 (s256) at one L0, dense d128 and d256. The headline pairing is
     * the widest sparse model's, s256 with d128, whose edge ratio at 0.15 is sqrt(1024/64 · 128/16) = sqrt(128).
     */
    public static Experiment sample() {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("corpus", "synthetic <python> & friends");
        settings.put("steps", "2000");
        settings.put("widths", "dense 128, 256; sparse 128 (E=2), 256 (E=4)");
        settings.put("pfrac", "0.0625");

        List<Model> models = List.of(
                new Model("s128", "sparse", 128, 820_000, 200_000, 2.05, 210.5,
                        curve(0, 2000, 100, s -> 4.5 * Math.exp(-s / 600.0) + 2.0), curve(0, 2000, 500, s -> 4.5 * Math.exp(-s / 600.0) + 2.05),
                        curve(0, 2000, 100, s -> Math.max(0.25, 1 - s / 1000.0)), setup(2, 0)),
                new Model("s256", "sparse", 256, 3_200_000, 200_000, 1.912, 412.5,
                        curve(0, 2000, 100, s -> 4.5 * Math.exp(-s / 600.0) + 1.85), curve(0, 2000, 500, s -> 4.5 * Math.exp(-s / 600.0) + 1.9),
                        curve(0, 2000, 100, s -> Math.max(0.0625, 1 - s / 1000.0)), setup(4, 0)),
                new Model("d128", "dense", 128, 820_000, 820_000, 1.905, 130.0,
                        curve(0, 2000, 100, s -> 4.2 * Math.exp(-s / 500.0) + 1.86), curve(0, 2000, 500, s -> 4.2 * Math.exp(-s / 500.0) + 1.9),
                        List.of(), setup(0, 0)),
                new Model("d256", "dense", 256, 3_200_000, 3_200_000, 1.70, 7300,
                        curve(0, 2000, 100, s -> 4.0 * Math.exp(-s / 450.0) + 1.66), curve(0, 2000, 500, s -> 4.0 * Math.exp(-s / 450.0) + 1.7),
                        curve(0, 2000, 1000, s -> 1.0), null));

        Map<String, List<Circuit>> bracketCircuits = sides("s256",
                List.of(c(0.3, 20, 40, "circuits/s256/bracket_counting/t0.3"), c(0.15, 30, 64, "circuits/s256/bracket_counting/t0.15")
                                .withView("circuits/s256/bracket_counting/t0.15/view.html", null),
                        c(0.08, 50, 120, null)),
                "d128", List.of(c(0.3, 200, 900, null), c(0.15, 300, 1024, "circuits/d128/bracket counting/t0.15")
                        .withView(null, "circuits/d128/bracket counting/t0.15/view.html: cannot write (<disk full> & more)"),
                        c(0.08, 500, 3000, null)));
        bracketCircuits.put("s128", List.of(c(0.3, 40, 150, null), c(0.15, 60, 256, null), c(0.08, 80, 400, null)));
        TaskResult bracket = task("bracket_counting", losses("s128", 0.04, "s256", 0.02, "d128", 0.03, "d256", 0.01), bracketCircuits,
                List.of(new Controls("s256", 64, new Control(false, 0, 0, 0.9, 2.1, false),
                                new Control(true, 500, 2000, 0.14, 2.0, false), new Control(true, 300, 1500, 0.14, 2.0, false),
                                new Control(true, 40, 90, 0.15, 2.1, false), true),
                        new Controls("d128", 1024, new Control(false, 0, 0, 0.8, 2.0, false), null, null, null, true)));
        TaskResult odd = task(ODD, losses("s128", 0.3, "s256", 0.05, "d128", 0.07, "d256", 0.02),
                sides("s256", List.of(c(0.3, 8, 12, null), c(0.15, 10, 16, null), new Circuit(0.08, false, 0, 0, 0.11, Double.NaN, null)),
                        "d128", List.of(c(0.3, 30, 100, null), c(0.15, 40, 128, null), c(0.08, 90, 700, null))),
                List.of(new Controls("s256", 16, new Control(true, 12, 20, 0.15, 2.3, true), null, null,
                        new Control(false, 0, 0, 0.5, 2.3, false), false)));
        TaskResult swap = task("var_swap", losses("s128", 0.5, "s256", 0.04, "d128", 0.09, "d256", 0.5),
                sides("s256", List.of(c(0.3, 10, 33, null), c(0.15, 15, 50, null), c(0.08, 25, 90, null)),
                        "d128", List.of(c(0.3, 70, 400, null), new Circuit(0.15, false, 0, 0, 0.2, Double.NaN, null),
                                new Circuit(0.08, false, 0, 0, 0.2, Double.NaN, null))),
                List.of());
        TaskResult unsolved = task("unsolved_task", losses("s128", 0.7, "s256", 0.6, "d128", 0.05, "d256", 0.04), Map.of(), List.of());
        TaskResult clash = new TaskResult("bracket_brace", losses("s128", 0.01, "s256", 0.01, "d128", 0.01, "d256", 0.01), Map.of(), List.of(),
                "bracket_brace: 12 of 12 pairs merge prompt and target in running text ('\":' is one token)");

        return new Experiment("Sparse vs dense <circuits>", "2026-11-24T19:00:00Z", "Test CPU, 8 cores, JDK 25, vector",
                settings, models, List.of(new Experiment.Pairing("s128", "d256"), new Experiment.Pairing("s256", "d128")),
                List.of(0.3, 0.15, 0.08), 0.15, 0.1, List.of(bracket, odd, swap, unsolved, clash),
                List.of("Dense width 512 was skipped: <out of time> & budget.", "Necessity was not measured for unreached circuits."));
    }
}
