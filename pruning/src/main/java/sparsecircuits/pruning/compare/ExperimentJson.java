package sparsecircuits.pruning.compare;

import sparsecircuits.model.json.Json;
import sparsecircuits.pruning.compare.Experiment.Circuit;
import sparsecircuits.pruning.compare.Experiment.Control;
import sparsecircuits.pruning.compare.Experiment.Controls;
import sparsecircuits.pruning.compare.Experiment.Model;
import sparsecircuits.pruning.compare.Experiment.TaskResult;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * {@link Experiment} as {@code experiment.json}, written beside the report so the report can be drawn again.
 *
 * <p>The document is one object whose members are the record components under the same names, plus
 * {@code "format": "sparse-circuits-experiment/2"}; a task's per-model losses and circuits are objects keyed by model
 * id; a model's {@code setup} is absent in files of the first format, which is still read (its
 * {@code sparseId}/{@code denseId} become the one pairing, its tasks' two sides the two models' entries); nested records are objects, lists are arrays, a curve is an array
 * of {@code [step, value]} pairs, and a null component ({@code Circuit.path}, {@code Circuit.view}, {@code Controls.inverted}) is
 * {@code null}; a missing {@code Circuit.view} or {@code viewError} (a file from before the viewer pages) reads as
 * null. JSON has no NaN or infinities, so a non-finite double is written as the <em>string</em>
 * {@code "NaN"}, {@code "Infinity"} or {@code "-Infinity"} and read back as that value; {@code null} is kept for
 * "absent", and a double member that is null reads as NaN. So {@code read(write(e)).equals(e)} for every experiment.
 */
public final class ExperimentJson {
    static final String FORMAT = "sparse-circuits-experiment/2";
    /** The first format: one sparse model and its loss-matched dense one ({@code sparseId}, {@code denseId}); still read. */
    static final String FORMAT_1 = "sparse-circuits-experiment/1";

    private ExperimentJson() {
    }

    /** The pretty JSON text of {@code e}. */
    public static String write(Experiment e) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("format", FORMAT);
        o.put("title", e.title());
        o.put("createdUtc", e.createdUtc());
        o.put("machine", e.machine());
        o.put("settings", e.settings() == null ? null : new LinkedHashMap<>(e.settings()));
        o.put("models", each(e.models(), ExperimentJson::model));
        o.put("pairings", each(e.pairings(), p -> {
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("sparseId", p.sparseId());
            x.put("denseId", p.denseId());
            return x;
        }));
        o.put("targets", e.targets() == null ? null : e.targets().stream().map(ExperimentJson::num).toList());
        o.put("mainTarget", num(e.mainTarget()));
        o.put("solvedBelow", num(e.solvedBelow()));
        o.put("tasks", each(e.tasks(), ExperimentJson::task));
        o.put("notes", e.notes() == null ? null : new ArrayList<>(e.notes()));
        return Json.writePretty(o) + "\n";
    }

    private static Map<String, Object> model(Model m) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("id", m.id());
        o.put("mode", m.mode());
        o.put("dModel", m.dModel());
        o.put("params", m.params());
        o.put("nonzeros", m.nonzeros());
        o.put("valLoss", num(m.valLoss()));
        o.put("seconds", num(m.seconds()));
        o.put("trainCurve", curve(m.trainCurve()));
        o.put("valCurve", curve(m.valCurve()));
        o.put("l0Curve", curve(m.l0Curve()));
        Experiment.Setup u = m.setup();
        if (u != null) {
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("layers", u.layers());
            x.put("expansion", num(u.expansion()));
            x.put("seed", u.seed());
            x.put("tokens", u.tokens());
            x.put("forcedShare", num(u.forcedShare()));
            x.put("config", u.config() == null ? null : new LinkedHashMap<>(u.config()));
            o.put("setup", x);
        }
        return o;
    }

    private static Map<String, Object> task(TaskResult t) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("task", t.task());
        Map<String, Object> losses = new LinkedHashMap<>();
        if (t.losses() != null) t.losses().forEach((k, v) -> losses.put(k, num(v)));
        o.put("losses", losses);
        Map<String, Object> circuits = new LinkedHashMap<>();
        if (t.circuits() != null) t.circuits().forEach((k, v) -> circuits.put(k, each(v, ExperimentJson::circuit)));
        o.put("circuits", circuits);
        o.put("controls", each(t.controls(), ExperimentJson::controls));
        o.put("tokenizerClash", t.tokenizerClash());
        return o;
    }

    private static Map<String, Object> circuit(Circuit c) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("target", num(c.target()));
        o.put("reached", c.reached());
        o.put("nodes", c.nodes());
        o.put("edges", c.edges());
        o.put("loss", num(c.loss()));
        o.put("necessity", num(c.necessity()));
        o.put("path", c.path());
        o.put("view", c.view());
        o.put("viewError", c.viewError());
        return o;
    }

    private static Map<String, Object> controls(Controls c) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("modelId", c.modelId());
        o.put("edges", c.edges());
        o.put("randomInit", control(c.randomInit()));
        o.put("inverted", control(c.inverted()));
        o.put("nonsense", control(c.nonsense()));
        o.put("zeroAblation", control(c.zeroAblation()));
        o.put("trustworthy", c.trustworthy());
        return o;
    }

    private static Map<String, Object> control(Control c) {
        if (c == null) {
            return null;
        }
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("reached", c.reached());
        o.put("nodes", c.nodes());
        o.put("edges", c.edges());
        o.put("loss", num(c.loss()));
        o.put("fullLoss", num(c.fullLoss()));
        o.put("flags", c.flags());
        return o;
    }

    private static <T> List<Object> each(List<T> items, java.util.function.Function<T, Object> f) {
        if (items == null) {
            return null;
        }
        List<Object> out = new ArrayList<>(items.size());
        for (T t : items) {
            out.add(t == null ? null : f.apply(t));
        }
        return out;
    }

    private static List<Object> curve(List<double[]> pts) {
        if (pts == null) {
            return null;
        }
        List<Object> out = new ArrayList<>(pts.size());
        for (double[] p : pts) {
            if (p == null) {
                out.add(null);
                continue;
            }
            List<Object> pair = new ArrayList<>(p.length);
            for (double v : p) {
                pair.add(num(v));
            }
            out.add(pair);
        }
        return out;
    }

    /** A double as JSON can hold it: the number, or its name as a string when not finite. */
    private static Object num(Double v) {
        if (v == null) {
            return null;
        }
        return Double.isFinite(v) ? v : v.isNaN() ? "NaN" : v > 0 ? "Infinity" : "-Infinity";
    }

    // ---------------------------------------------------------------- reading

    /**
     * Parses the text {@link #write} produces.
     *
     * @throws sparsecircuits.model.json.JsonException for malformed JSON
     * @throws IllegalArgumentException when a member is missing or of the wrong kind, naming where
     *                                  (e.g. {@code $.tasks[2].sparse[0].edges})
     */
    public static Experiment read(String json) {
        Obj o = new Obj(Json.parse(json), "$");
        String format = o.str("format");
        boolean first = FORMAT_1.equals(format);
        if (format != null && !FORMAT.equals(format) && !first) {
            throw new IllegalArgumentException("experiment.json: format '" + format + "' is neither " + FORMAT + " nor " + FORMAT_1);
        }
        Map<String, String> settings = o.strings("settings");
        List<Double> targets = o.list("targets", (v, p) -> dbl(v, p));
        List<String> notes = o.list("notes", (v, p) -> {
            if (v != null && !(v instanceof String)) {
                throw wrong(p, "a string", v);
            }
            return (String) v;
        });
        List<Experiment.Pairing> pairings;
        List<TaskResult> tasks;
        if (first) { // one pairing; each task's two sides become the two models' entries
            String sparseId = o.str("sparseId"), denseId = o.str("denseId");
            pairings = List.of(new Experiment.Pairing(sparseId, denseId));
            tasks = o.list("tasks", (v, p) -> readFirstFormatTask(new Obj(v, p), sparseId, denseId));
        } else {
            pairings = o.list("pairings", (v, p) -> {
                Obj x = new Obj(v, p);
                return new Experiment.Pairing(x.str("sparseId"), x.str("denseId"));
            });
            tasks = o.list("tasks", (v, p) -> readTask(new Obj(v, p)));
        }
        return new Experiment(o.str("title"), o.str("createdUtc"), o.str("machine"), settings,
                o.list("models", (v, p) -> readModel(new Obj(v, p))), pairings, targets,
                o.dbl("mainTarget"), o.dbl("solvedBelow"), tasks, notes);
    }

    private static Model readModel(Obj o) {
        Experiment.Setup setup = null;
        Map<String, Object> u = o.map("setup");
        if (u != null) {
            Obj x = new Obj(u, o.path + ".setup");
            setup = new Experiment.Setup(Math.toIntExact(x.lng("layers")), x.dbl("expansion"), x.lng("seed"), x.lng("tokens"),
                    x.dbl("forcedShare"), x.strings("config"));
        }
        return new Model(o.str("id"), o.str("mode"), Math.toIntExact(o.lng("dModel")), o.lng("params"), o.lng("nonzeros"),
                o.dbl("valLoss"), o.dbl("seconds"), o.curve("trainCurve"), o.curve("valCurve"), o.curve("l0Curve"), setup);
    }

    private static TaskResult readTask(Obj o) {
        Map<String, Double> losses = new LinkedHashMap<>();
        Map<String, Object> l = o.map("losses");
        if (l != null) l.forEach((k, v) -> losses.put(k, dbl(v, o.path + ".losses." + k)));
        Map<String, List<Circuit>> circuits = new LinkedHashMap<>();
        Map<String, Object> c = o.map("circuits");
        if (c != null) {
            Obj all = new Obj(c, o.path + ".circuits");
            for (String k : c.keySet()) circuits.put(k, all.list(k, (v, p) -> readCircuit(new Obj(v, p))));
        }
        return new TaskResult(o.str("task"), losses, circuits, o.list("controls", (v, p) -> readControls(new Obj(v, p))),
                o.str("tokenizerClash"));
    }

    private static TaskResult readFirstFormatTask(Obj o, String sparseId, String denseId) {
        Map<String, Double> losses = new LinkedHashMap<>();
        losses.put(sparseId, o.dbl("sparseLoss"));
        losses.put(denseId, o.dbl("denseLoss"));
        Map<String, List<Circuit>> circuits = new LinkedHashMap<>();
        List<Circuit> s = o.list("sparse", (v, p) -> readCircuit(new Obj(v, p))), d = o.list("dense", (v, p) -> readCircuit(new Obj(v, p)));
        if (s != null && !s.isEmpty()) circuits.put(sparseId, s);
        if (d != null && !d.isEmpty()) circuits.put(denseId, d);
        return new TaskResult(o.str("task"), losses, circuits, o.list("controls", (v, p) -> readControls(new Obj(v, p))), null);
    }

    /** One model's circuits at every target and its controls (null when not run), as a job's result holds them. */
    public static Map<String, Object> sideJson(List<Circuit> circuits, Controls controls) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("circuits", each(circuits, ExperimentJson::circuit));
        o.put("controls", controls == null ? null : controls(controls));
        return o;
    }

    /** The circuits of {@link #sideJson}. */
    public static List<Circuit> readSideCircuits(Map<String, Object> json) {
        return new Obj(json, "$").list("circuits", (v, p) -> readCircuit(new Obj(v, p)));
    }

    /** The controls of {@link #sideJson}, or null. */
    public static Controls readSideControls(Map<String, Object> json) {
        Object c = json.get("controls");
        return c == null ? null : readControls(new Obj(c, "$.controls"));
    }

    private static Circuit readCircuit(Obj o) {
        return new Circuit(o.dbl("target"), o.bool("reached"), o.lng("nodes"), o.lng("edges"), o.dbl("loss"),
                o.dbl("necessity"), o.str("path"), o.str("view"), o.str("viewError"));
    }

    private static Controls readControls(Obj o) {
        return new Controls(o.str("modelId"), o.lng("edges"), readControl(o, "randomInit"), readControl(o, "inverted"), readControl(o, "nonsense"),
                readControl(o, "zeroAblation"), o.bool("trustworthy"));
    }

    private static Control readControl(Obj parent, String name) {
        Map<String, Object> m = parent.map(name);
        if (m == null) {
            return null;
        }
        Obj o = new Obj(m, parent.path + "." + name);
        return new Control(o.bool("reached"), o.lng("nodes"), o.lng("edges"), o.dbl("loss"), o.dbl("fullLoss"),
                o.bool("flags"));
    }

    private static double dbl(Object v, String path) {
        if (v == null) {
            return Double.NaN;
        }
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        if (v instanceof String s) {
            switch (s) {
                case "NaN": return Double.NaN;
                case "Infinity": return Double.POSITIVE_INFINITY;
                case "-Infinity": return Double.NEGATIVE_INFINITY;
                default: break;
            }
        }
        throw wrong(path, "a number (or \"NaN\", \"Infinity\", \"-Infinity\")", v);
    }

    private static IllegalArgumentException wrong(String path, String expected, Object got) {
        return new IllegalArgumentException("experiment.json: " + path + " must be " + expected + ", got " + Json.kind(got));
    }

    /** A JSON object being read, with its path for error messages. */
    private static final class Obj {
        final Map<String, Object> m;
        final String path;

        @SuppressWarnings("unchecked")
        Obj(Object v, String path) {
            if (!(v instanceof Map)) {
                throw wrong(path, "an object", v);
            }
            this.m = (Map<String, Object>) v;
            this.path = path;
        }

        private Object get(String name, boolean required) {
            if (required && !m.containsKey(name)) {
                throw new IllegalArgumentException("experiment.json: " + path + " has no member '" + name + "'");
            }
            return m.get(name);
        }

        String str(String name) {
            Object v = m.get(name);
            if (v != null && !(v instanceof String)) {
                throw wrong(path + "." + name, "a string", v);
            }
            return (String) v;
        }

        double dbl(String name) {
            return ExperimentJson.dbl(get(name, true), path + "." + name);
        }

        long lng(String name) {
            Object v = get(name, true);
            if (v instanceof Long l) {
                return l;
            }
            if (v instanceof Double d && d == Math.rint(d) && Math.abs(d) < 0x1p53) {
                return d.longValue();
            }
            throw wrong(path + "." + name, "a whole number", v);
        }

        boolean bool(String name) {
            Object v = get(name, true);
            if (v instanceof Boolean b) {
                return b;
            }
            throw wrong(path + "." + name, "true or false", v);
        }

        /** A member holding an object of strings, or null. */
        Map<String, String> strings(String name) {
            Map<String, Object> raw = map(name);
            if (raw == null) return null;
            Map<String, String> out = new LinkedHashMap<>();
            for (Map.Entry<String, Object> s : raw.entrySet()) {
                if (s.getValue() != null && !(s.getValue() instanceof String)) throw wrong(path + "." + name + "." + s.getKey(), "a string", s.getValue());
                out.put(s.getKey(), (String) s.getValue());
            }
            return out;
        }

        @SuppressWarnings("unchecked")
        Map<String, Object> map(String name) {
            Object v = m.get(name);
            if (v != null && !(v instanceof Map)) {
                throw wrong(path + "." + name, "an object", v);
            }
            return (Map<String, Object>) v;
        }

        <T> List<T> list(String name, BiFunction<Object, String, T> each) {
            Object v = m.get(name);
            if (v == null) {
                return null;
            }
            if (!(v instanceof List<?> l)) {
                throw wrong(path + "." + name, "an array", v);
            }
            List<T> out = new ArrayList<>(l.size());
            for (int i = 0; i < l.size(); i++) {
                String p = path + "." + name + "[" + i + "]";
                out.add(l.get(i) == null ? null : each.apply(l.get(i), p));
            }
            return out;
        }

        List<double[]> curve(String name) {
            return list(name, (v, p) -> {
                if (!(v instanceof List<?> pair)) {
                    throw wrong(p, "an array of numbers", v);
                }
                double[] out = new double[pair.size()];
                for (int i = 0; i < out.length; i++) {
                    out[i] = ExperimentJson.dbl(pair.get(i), p + "[" + i + "]");
                }
                return out;
            });
        }
    }
}
