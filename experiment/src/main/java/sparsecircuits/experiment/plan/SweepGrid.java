package sparsecircuits.experiment.plan;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.BiConsumer;
import sparsecircuits.model.json.Json;
import sparsecircuits.model.train.TrainConfig;
import sparsecircuits.pruning.tasks.PaperTasks;
import sparsecircuits.pruning.tasks.Task;

/**
 * A sweep's grid: a JSON object of experiment settings, each a value or a list of values. Settings that define the
 * models (L0 and the rest of the training) may list several values: the sweep is one experiment per combination, all
 * in one shared run directory, so that a model two experiments share (a dense baseline, which does not depend on L0)
 * trains once. Settings that are lists already (widths, seeds, tasks, k_coefs, targets, controls) are every
 * experiment's list; the pruning's other settings take one value for all.
 *
 * <pre>{"preset": "hour", "pfrac": [0.25, 0.5], "sparse_widths": [128, 256], "seeds": [0, 1], "tasks": ["if_equals"]}</pre>
 */
public final class SweepGrid {
    /** One experiment of the sweep: its name (from the values it was given) and its settings. */
    public record Point(String scope, ExperimentSettings settings) implements java.io.Serializable {
    }

    private record Key(boolean crossed, BiConsumer<ExperimentSettings.Builder, Object> apply) {
    }

    private static final Map<String, Key> KEYS = new LinkedHashMap<>();

    static {
        crossed("base_width", (b, v) -> b.baseWidth(whole(v)));
        crossed("pfrac", (b, v) -> b.pfrac(number(v)));
        crossed("l0", (b, v) -> b.l0(whole(v)));
        crossed("min_per_neuron", (b, v) -> b.minPerNeuron(whole(v)));
        crossed("layers", (b, v) -> b.layers(whole(v)));
        crossed("dense_layers", (b, v) -> b.denseLayers(whole(v)));
        crossed("afrac", (b, v) -> b.afrac(number(v)));
        crossed("vocab", (b, v) -> b.vocab(whole(v)));
        crossed("ctx", (b, v) -> b.ctx(whole(v)));
        crossed("batch", (b, v) -> b.batch(whole(v)));
        crossed("steps", (b, v) -> b.steps(whole(v)));
        crossed("corpus", (b, v) -> b.corpus(text(v)));
        crossed("recipe", (b, v) -> b.recipe(TrainConfig.Recipe.of(text(v))));
        crossed("regrow_every", (b, v) -> b.regrowEvery(whole(v)));
        given("sparse_widths", (b, v) -> b.sparseWidths(((List<?>) v).stream().map(SweepGrid::whole).toList()));
        given("dense_widths", (b, v) -> b.denseWidths(((List<?>) v).stream().map(SweepGrid::whole).toList()));
        given("seeds", (b, v) -> b.seeds(((List<?>) v).stream().map(x -> (long) whole(x)).toList()));
        given("tasks", (b, v) -> b.tasks(((List<?>) v).stream().map(SweepGrid::text).toList()));
        given("targets", (b, v) -> b.targets(((List<?>) v).stream().map(SweepGrid::number).toList()));
        given("k_coefs", (b, v) -> b.kCoefs(((List<?>) v).stream().map(SweepGrid::number).toList()));
        given("controls", (b, v) -> b.controls(((List<?>) v).stream().map(SweepGrid::text).toList()));
        given("target", (b, v) -> b.mainTarget(number(v)));
        given("prune_steps", (b, v) -> b.pruneSteps(whole(v)));
        given("pairs", (b, v) -> b.pairs(whole(v)));
        given("solved_below", (b, v) -> b.solvedBelow(number(v)));
        given("title", (b, v) -> b.title(text(v)));
    }

    private static void crossed(String k, BiConsumer<ExperimentSettings.Builder, Object> f) {
        KEYS.put(k, new Key(true, f));
    }

    /** A key taken as given by every experiment: one value, or a list that is the experiments' list ({@link #LISTED}). */
    private static void given(String k, BiConsumer<ExperimentSettings.Builder, Object> f) {
        KEYS.put(k, new Key(false, f));
    }

    private static final List<String> LISTED = List.of("sparse_widths", "dense_widths", "seeds", "tasks", "targets", "k_coefs", "controls");

    private SweepGrid() {
    }

    /**
     * The experiments of the grid in {@code json} (a preset named by "preset", default the experiment's defaults, with
     * the grid's settings over it), in the order of the grid's lists. An IllegalArgumentException (one sentence) for an
     * unknown key, an empty list, a list where one value is taken, or a value of the wrong kind; a
     * {@link sparsecircuits.model.train.SettingException} for a setting an experiment refuses.
     */
    public static List<Point> parse(String json) {
        Object parsed;
        try {
            parsed = Json.parse(json);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("not JSON: " + e.getMessage());
        }
        if (!(parsed instanceof Map<?, ?> grid)) throw new IllegalArgumentException("the grid must be a JSON object of settings");
        String preset = "default";
        List<String> crossedKeys = new ArrayList<>();
        List<List<Object>> crossedValues = new ArrayList<>();
        Map<String, Object> fixed = new LinkedHashMap<>();
        for (var e : grid.entrySet()) {
            String k = String.valueOf(e.getKey());
            Object v = e.getValue();
            if (k.equals("preset")) {
                preset = text(v);
                if (!ExperimentSettings.PRESETS.contains(preset)) {
                    throw new IllegalArgumentException("unknown preset '" + preset + "'; the presets are " + ExperimentSettings.PRESETS);
                }
                continue;
            }
            Key key = KEYS.get(k);
            if (key == null) throw new IllegalArgumentException("unknown key '" + k + "'; the keys are preset, " + String.join(", ", new TreeSet<>(KEYS.keySet())));
            if (v instanceof List<?> l && l.isEmpty() && !k.equals("controls")) throw new IllegalArgumentException("'" + k + "' is an empty list: give at least one value");
            if (k.equals("tasks") && "all".equals(v)) v = PaperTasks.all().stream().map(Task::name).map(x -> (Object) x).toList();
            if (LISTED.contains(k)) {
                if (!(v instanceof List<?>)) throw new IllegalArgumentException("'" + k + "' must be a list (every experiment's " + k.replace('_', ' ') + ")");
                fixed.put(k, v);
            } else if (v instanceof List<?> l) {
                if (!key.crossed()) {
                    throw new IllegalArgumentException("'" + k + "' takes one value, used by every experiment of the sweep; only the models' settings "
                            + "(" + String.join(", ", KEYS.entrySet().stream().filter(x -> x.getValue().crossed()).map(Map.Entry::getKey).toList()) + ") may list several");
                }
                crossedKeys.add(k);
                crossedValues.add(new ArrayList<>(l));
            } else {
                fixed.put(k, v);
            }
        }
        List<Point> points = new ArrayList<>();
        int[] at = new int[crossedKeys.size()];
        while (true) {
            ExperimentSettings.Builder b = "default".equals(preset) ? ExperimentSettings.builder() : ExperimentSettings.preset(preset);
            if (fixed.containsKey("tasks") && !fixed.containsKey("controls")) { // the preset's controls among the grid's tasks
                List<?> tasks = (List<?>) fixed.get("tasks");
                List<String> controls = b.build().controls();
                b.controls(tasks.stream().map(String::valueOf).filter(controls::contains).toList());
            }
            for (var e : fixed.entrySet()) KEYS.get(e.getKey()).apply().accept(b, e.getValue());
            List<String> name = new ArrayList<>();
            for (int i = 0; i < at.length; i++) {
                Object v = crossedValues.get(i).get(at[i]);
                KEYS.get(crossedKeys.get(i)).apply().accept(b, v);
                if (crossedValues.get(i).size() > 1) name.add(crossedKeys.get(i) + "=" + label(v));
            }
            String scope = name.isEmpty() ? "all" : String.join("_", name);
            points.add(new Point(scope, b.sharedOut(true).build()));
            int i = at.length - 1;
            while (i >= 0 && ++at[i] == crossedValues.get(i).size()) at[i--] = 0;
            if (i < 0) break;
        }
        return points;
    }

    private static String label(Object v) {
        String s = v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue()) && Math.abs(n.doubleValue()) < 1e15
                ? Long.toString(n.longValue()) : String.valueOf(v);
        return s.replaceAll("[^A-Za-z0-9.=-]", "-");
    }

    private static double number(Object v) {
        if (v instanceof Number n) return n.doubleValue();
        throw new IllegalArgumentException("expected a number, got " + Json.write(v));
    }

    private static int whole(Object v) {
        double d = number(v);
        if (d != Math.rint(d) || Math.abs(d) > Integer.MAX_VALUE) throw new IllegalArgumentException("expected a whole number, got " + Json.write(v));
        return (int) d;
    }

    private static String text(Object v) {
        if (v instanceof String s) return s;
        throw new IllegalArgumentException("expected a string, got " + Json.write(v));
    }

    /** For messages: "2 experiments (pfrac=0.25, pfrac=0.5)". */
    public static String describe(List<Point> points) {
        return String.format(Locale.ROOT, "%d experiment%s (%s)", points.size(), points.size() == 1 ? "" : "s",
                String.join(", ", points.stream().map(Point::scope).toList()));
    }
}
