package sparsecircuits.present.report;

import sparsecircuits.pruning.compare.Experiment;
import sparsecircuits.pruning.compare.Experiment.Circuit;
import sparsecircuits.pruning.compare.Experiment.Model;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How the report writes numbers, names and links, shared by its sections: every number goes through
 * {@link Locale#ROOT} and every undefined value prints as "n/a", so the page never depends on the machine's locale and
 * never shows "NaN".
 */
final class ReportFormat {
    static final String SPARSE = "#1f6fb4";
    static final String DENSE = "#e07b00";
    /** Shades per family, so several widths and seeds of one mode stay told apart and still read as that mode. */
    private static final String[] SPARSE_SHADES = {"#1f6fb4", "#6baed6", "#08306b", "#4292c6", "#9ecae1", "#2171b5"};
    private static final String[] DENSE_SHADES = {"#e07b00", "#fdae6b", "#a63603", "#fd8d3c", "#d94801", "#f5c28a"};

    private ReportFormat() {
    }

    /** A model's colour in the plots that show every model: its family's hue, a shade per model of that family. */
    static String shade(Experiment e, Model m) {
        int index = 0;
        for (Model other : list(e.models())) {
            if (other == m) {
                break;
            }
            if (other.sparse() == m.sparse()) {
                index++;
            }
        }
        String[] shades = m.sparse() ? SPARSE_SHADES : DENSE_SHADES;
        return shades[index % shades.length];
    }

    static String family(Model m) {
        return m.sparse() ? SPARSE : DENSE;
    }

    /** The model with {@code id}, or null (also for a null id). */
    static Model model(Experiment e, String id) {
        for (Model m : list(e.models())) {
            if (java.util.Objects.equals(m.id(), id)) {
                return m;
            }
        }
        return null;
    }

    /** How a model is named on the page: its label, or the bare id when the experiment does not have it. */
    static String name(Experiment e, String id) {
        Model m = model(e, id);
        return m == null ? String.valueOf(id) : m.label();
    }

    static long seed(Model m) {
        return m.setup() == null ? 0 : m.setup().seed();
    }

    static boolean sameTarget(double a, double b) {
        return a == b || Math.abs(a - b) <= 1e-9 * Math.abs(a);
    }

    /** A circuit that counts for a geometric mean: reached, with edges (a zero has no log). */
    static boolean counts(Circuit c) {
        return c != null && c.reached() && c.edges() > 0;
    }

    /** Null-tolerant view of a list, without null elements. */
    static <T> List<T> list(List<T> l) {
        if (l == null) {
            return List.of();
        }
        List<T> out = new ArrayList<>(l.size());
        for (T t : l) {
            if (t != null) {
                out.add(t);
            }
        }
        return out;
    }

    static String esc(String s) {
        return Markup.escape(s);
    }

    static String orNa(String s) {
        return s == null || s.isBlank() ? "n/a" : s;
    }

    /** A dense/sparse ratio as printed in the report, e.g. {@code 14.23×}; "n/a" when undefined. */
    static String ratioText(double r) {
        return Double.isFinite(r) ? String.format(Locale.ROOT, "%.2f×", r) : "n/a";
    }

    /** "1 task", "3 tasks". */
    static String tasks(int n) {
        return n + (n == 1 ? " task" : " tasks");
    }

    /** A setting-like number (target, threshold) as written: shortest form, "n/a" when not finite. */
    static String plain(double v) {
        return Double.isFinite(v) ? Svg.num(v) : "n/a";
    }

    /** A share as a percentage with one decimal, e.g. 25.0%. */
    static String percent(double share) {
        return Double.isFinite(share) ? String.format(Locale.ROOT, "%.1f%%", 100 * share) : "n/a";
    }

    static String loss(double v) {
        if (Double.isNaN(v)) {
            return "n/a";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "∞" : "−∞";
        }
        return v == 0 || Math.abs(v) >= 0.001 ? String.format(Locale.ROOT, "%.3f", v) : String.format(Locale.ROOT, "%.1e", v);
    }

    static String count(long v) {
        return String.format(Locale.ROOT, "%,d", v);
    }

    /** A geometric mean of counts: one decimal below 100, whole above. */
    static String mean(double v) {
        if (!Double.isFinite(v)) {
            return "n/a";
        }
        return v < 100 ? String.format(Locale.ROOT, "%.1f", v) : String.format(Locale.ROOT, "%,d", Math.round(v));
    }

    static String duration(double seconds) {
        if (!Double.isFinite(seconds)) {
            return "n/a";
        }
        if (seconds < 120) {
            return String.format(Locale.ROOT, "%.1f s", seconds);
        }
        if (seconds < 7200) {
            return String.format(Locale.ROOT, "%.1f min", seconds / 60);
        }
        return String.format(Locale.ROOT, "%.2f h", seconds / 3600);
    }

    /** A relative link to a circuit directory or file; null for none or for anything with a scheme or an absolute path. */
    static String href(String path) {
        if (path == null || path.isBlank()) {
            return null;
        }
        String p = path.replace('\\', '/');
        if (p.startsWith("/") || p.matches("^[A-Za-z][A-Za-z0-9+.-]*:.*")) {
            return null; // the report links only inside its own run directory
        }
        return p.replace("%", "%25").replace(" ", "%20").replace("#", "%23").replace("?", "%3F");
    }

    /** Finite bounds of the values added so far. */
    static final class Range {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;

        Range addX(List<double[]> pts) {
            for (double[] p : list(pts)) {
                if (p.length > 1 && Double.isFinite(p[1])) {
                    add(p[0]);
                }
            }
            return this;
        }

        Range addY(List<double[]> pts) {
            for (double[] p : list(pts)) {
                if (p.length > 1 && Double.isFinite(p[0])) {
                    add(p[1]);
                }
            }
            return this;
        }

        Range add(double v) {
            if (Double.isFinite(v)) {
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
            return this;
        }

        /** Adds a value for a log axis: only positive ones can be drawn. */
        Range addPositive(double v) {
            return v > 0 ? add(v) : this;
        }

        boolean empty() {
            return lo > hi;
        }
    }
}
