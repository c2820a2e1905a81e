package sparsecircuits.present.report;

import sparsecircuits.pruning.compare.Comparison;
import sparsecircuits.pruning.compare.Experiment;
import sparsecircuits.pruning.compare.Experiment.Circuit;
import sparsecircuits.pruning.compare.Experiment.Control;
import sparsecircuits.pruning.compare.Experiment.Controls;
import sparsecircuits.pruning.compare.Experiment.Model;
import sparsecircuits.pruning.compare.Experiment.TaskResult;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * The experiment report: one self-contained HTML5 page (inline CSS, inline SVG plots drawn by {@link Svg}, no
 * scripts, no fonts, no network) that opens from file:// and prints. The page is also well-formed XML, so tests and
 * tools can parse it. Sections: header and settings, headline ratio and notes, models, training curves, L0 schedule,
 * per-task table, edges vs target loss, edges per task, controls, unsolved tasks.
 */
public final class ReportHtml {
    private static final String SPARSE = "#1f6fb4";
    private static final String DENSE = "#e07b00";
    private static final String[] OTHERS = {"#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};

    private ReportHtml() {
    }

    /** The whole page. Never throws on empty, partial or non-finite data. */
    public static String render(Experiment e) {
        StringBuilder h = new StringBuilder(1 << 16);
        String title = e.title() == null || e.title().isBlank() ? "Sparse vs dense circuits" : e.title();
        h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n<title>")
                .append(esc(title)).append("</title>\n<style>\n").append(CSS).append("</style>\n</head>\n<body>\n");
        header(h, e, title);
        headline(h, e);
        models(h, e);
        curves(h, e);
        l0(h, e);
        taskTable(h, e);
        edgesVsTarget(h, e);
        edgeBars(h, e);
        controls(h, e);
        unsolved(h, e);
        h.append("<footer>Written by sparse-circuits. This page is self-contained: no scripts, no network.</footer>\n")
                .append("</body>\n</html>\n");
        return h.toString();
    }

    private static final String CSS = """
            body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:#222;\
            max-width:1100px;margin:1.5em auto;padding:0 1em;line-height:1.45;font-size:15px}
            h1{font-size:1.6em;margin-bottom:.2em}h2{font-size:1.25em;margin-top:1.8em;border-bottom:1px solid #ddd;\
            padding-bottom:.2em}
            .meta{color:#555;margin:.2em 0}
            table{border-collapse:collapse;margin:.6em 0;font-size:13px}
            th,td{border:1px solid #ccc;padding:3px 7px;text-align:right;vertical-align:top}
            th{background:#f3f3f3}td.l,th.l{text-align:left}
            .scroll{overflow-x:auto}
            .main{background:#fffbe6}
            tr.sparse td:first-child{border-left:4px solid #1f6fb4}tr.dense td:first-child{border-left:4px solid #e07b00}
            .tag{display:inline-block;font-size:11px;padding:0 5px;border-radius:3px;color:#fff;margin-left:4px}
            .tag.s{background:#1f6fb4}.tag.d{background:#e07b00}
            .headline{font-size:1.1em;background:#f5f9ff;border:1px solid #c9dcf2;padding:.6em 1em;border-radius:4px}
            .big{font-size:1.5em;font-weight:600}
            .notes{background:#fff6d6;border:1px solid #e8c85a;padding:.5em 1em;border-radius:4px}
            .notes h3{margin:.2em 0;font-size:1em}
            .nr{color:#999;font-style:italic}
            .bad{color:#fff;background:#c62828;font-weight:700}
            .good{color:#1b5e20}
            td.flag{background:#fde0e0}
            .unsolved li{margin:.2em 0}
            svg.plot{max-width:100%;height:auto;display:block;margin:.4em 0}
            .caption{color:#555;font-size:13px;max-width:860px}
            footer{margin-top:2em;color:#888;font-size:12px}
            @media print{body{max-width:none;font-size:11pt}h2{break-after:avoid}svg.plot,table{break-inside:avoid}\
            .scroll{overflow:visible}}
            """;

    // ---------------------------------------------------------------- sections

    private static void header(StringBuilder h, Experiment e, String title) {
        h.append("<header>\n<h1>").append(esc(title)).append("</h1>\n");
        h.append("<p class=\"meta\">Finished ").append(esc(orNa(e.createdUtc()))).append(" on ")
                .append(esc(orNa(e.machine()))).append("</p>\n");
        Map<String, String> settings = e.settings() == null ? Map.of() : e.settings();
        if (!settings.isEmpty()) {
            h.append("<table class=\"settings\">\n<tr><th class=\"l\">setting</th><th class=\"l\">value</th></tr>\n");
            for (Map.Entry<String, String> s : settings.entrySet()) {
                h.append("<tr><td class=\"l\">").append(esc(s.getKey())).append("</td><td class=\"l\">")
                        .append(esc(s.getValue())).append("</td></tr>\n");
            }
            h.append("</table>\n");
        }
        h.append("</header>\n");
    }

    private static void headline(StringBuilder h, Experiment e) {
        h.append("<section id=\"headline\">\n<h2>Headline</h2>\n<div class=\"headline\">\n");
        Comparison.Ratio edges = Comparison.edgeRatio(e, e.mainTarget()), nodes = Comparison.nodeRatio(e, e.mainTarget());
        int tried = list(e.tasks()).size();
        h.append("<p><span class=\"big\" id=\"edge-ratio\">").append(ratioText(edges.geoMean())).append("</span> ")
                .append("geometric-mean edge ratio edges(dense) / edges(sparse) at target loss ")
                .append(esc(plain(e.mainTarget()))).append(", over <span id=\"edge-ratio-tasks\">").append(edges.tasks())
                .append("</span> of ").append(tried).append(" tasks where both models reached the target.</p>\n");
        h.append("<p>Node ratio nodes(dense) / nodes(sparse): <b id=\"node-ratio\">").append(ratioText(nodes.geoMean()))
                .append("</b> over ").append(nodes.tasks()).append(" tasks.</p>\n");

        // every (task, target) pair where both reached: is the sparse circuit smaller?
        int pairs = 0;
        List<String> notSmaller = new ArrayList<>();
        for (TaskResult t : list(e.tasks())) {
            for (double target : list(e.targets())) {
                Circuit s = Comparison.at(t.sparse(), target), d = Comparison.at(t.dense(), target);
                if (s != null && d != null && s.reached() && d.reached()) {
                    pairs++;
                    if (s.edges() >= d.edges()) {
                        notSmaller.add(t.task() + " at " + plain(target) + " (" + count(s.edges()) + " vs "
                                + count(d.edges()) + " edges)");
                    }
                }
            }
        }
        h.append("<p id=\"every-target\">Sparse circuit smaller than dense at every target of the sweep: ");
        if (pairs == 0) {
            h.append("<b>n/a</b> (no task and target where both models reached it).");
        } else if (notSmaller.isEmpty()) {
            h.append("<b class=\"good\">yes</b>, at all ").append(pairs).append(" task/target pairs where both reached it.");
        } else {
            h.append("<b>no</b>: not smaller at ").append(notSmaller.size()).append(" of ").append(pairs).append(" pairs: ")
                    .append(esc(String.join("; ", notSmaller))).append('.');
        }
        h.append("</p>\n</div>\n");

        List<String> notes = new ArrayList<>();
        for (String n : list(e.notes())) {
            notes.add(n);
        }
        if (model(e, e.sparseId()) == null) {
            notes.add("The sparse model id '" + e.sparseId() + "' is not among the models.");
        }
        if (model(e, e.denseId()) == null) {
            notes.add("The loss-matched dense model id '" + e.denseId() + "' is not among the models.");
        }
        h.append("<div class=\"notes\" id=\"notes\">\n<h3>Notes</h3>\n");
        if (notes.isEmpty()) {
            h.append("<p>None.</p>\n");
        } else {
            h.append("<ul>\n");
            for (String n : notes) {
                h.append("<li>").append(esc(n)).append("</li>\n");
            }
            h.append("</ul>\n");
        }
        h.append("</div>\n</section>\n");
    }

    private static void models(StringBuilder h, Experiment e) {
        h.append("<section id=\"models\">\n<h2>Models</h2>\n");
        List<Model> ms = list(e.models());
        if (ms.isEmpty()) {
            h.append("<p class=\"nr\">No models.</p>\n</section>\n");
            return;
        }
        h.append("<div class=\"scroll\"><table>\n<tr><th class=\"l\">id</th><th class=\"l\">mode</th><th>d_model</th>")
                .append("<th>params</th><th>nonzeros</th><th>final val loss</th><th>train time</th></tr>\n");
        for (Model m : ms) {
            boolean s = eq(m.id(), e.sparseId()), d = eq(m.id(), e.denseId());
            h.append("<tr").append(s ? " class=\"sparse\"" : d ? " class=\"dense\"" : "").append("><td class=\"l\">")
                    .append(esc(m.id()));
            if (s) {
                h.append("<span class=\"tag s\">sparse, compared</span>");
            }
            if (d) {
                h.append("<span class=\"tag d\">loss-matched dense</span>");
            }
            double density = m.params() > 0 ? (double) m.nonzeros() / m.params() : Double.NaN;
            h.append("</td><td class=\"l\">").append(esc(m.mode())).append("</td><td>").append(m.dModel()).append("</td><td>")
                    .append(count(m.params())).append("</td><td>").append(count(m.nonzeros()));
            if (Double.isFinite(density)) {
                h.append(" (").append(String.format(Locale.ROOT, "%.3g", 100 * density)).append("%)");
            }
            h.append("</td><td>").append(loss(m.valLoss())).append("</td><td>").append(duration(m.seconds()))
                    .append("</td></tr>\n");
        }
        h.append("</table></div>\n</section>\n");
    }

    private static void curves(StringBuilder h, Experiment e) {
        h.append("<section id=\"curves\">\n<h2>Training curves</h2>\n");
        List<Model> ms = list(e.models());
        Range xr = new Range(), yr = new Range();
        for (Model m : ms) {
            xr.addX(m.trainCurve()).addX(m.valCurve());
            yr.addY(m.trainCurve()).addY(m.valCurve());
        }
        String label = "training and validation loss per model";
        if (xr.empty() || yr.empty()) {
            h.append(Svg.noData(760, 340, label));
        } else {
            Svg p = new Svg(760, 340, label).axes(Svg.Axis.linear(xr.lo, xr.hi, 8, "step"),
                    Svg.Axis.linear(yr.lo, yr.hi, 6, "loss (nats/token)"));
            List<Svg.Entry> legend = new ArrayList<>();
            for (int i = 0; i < ms.size(); i++) {
                Model m = ms.get(i);
                String c = color(e, m, i);
                p.line(list(m.trainCurve()), c, 1, 0.45, 0);
                p.line(list(m.valCurve()), c, 2.2, 1, 2.8);
                legend.add(new Svg.Entry(m.id() + " (" + m.mode() + ")", c, Svg.Entry.BOLD));
            }
            if (!ms.isEmpty()) {
                legend.add(new Svg.Entry("thin: train loss", "#777", Svg.Entry.THIN));
            }
            h.append(p.legend(legend).end());
        }
        h.append("\n<p class=\"caption\">Thin light lines: training loss; bold lines with dots: validation loss.</p>\n")
                .append("</section>\n");
    }

    private static void l0(StringBuilder h, Experiment e) {
        h.append("<section id=\"l0\">\n<h2>L0 schedule</h2>\n");
        List<Model> ms = list(e.models());
        Range xr = new Range(), yr = new Range();
        List<List<double[]>> series = new ArrayList<>();
        for (Model m : ms) {
            List<double[]> s = list(m.l0Curve());
            if (s.isEmpty() && "dense".equals(m.mode())) { // a dense model keeps every weight: flat at 1 over its steps
                Range steps = new Range().addX(m.trainCurve()).addX(m.valCurve());
                s = steps.empty() ? List.of() : List.of(new double[] {steps.lo, 1}, new double[] {steps.hi, 1});
            }
            series.add(s);
            xr.addX(s);
            yr.addY(s);
        }
        String label = "fraction of parameters nonzero per step";
        if (xr.empty() || yr.empty()) {
            h.append(Svg.noData(760, 300, label));
        } else {
            Svg p = new Svg(760, 300, label).axes(Svg.Axis.linear(xr.lo, xr.hi, 8, "step"),
                    Svg.Axis.linear(Math.min(0, yr.lo), Math.max(1, yr.hi), 6, "nonzero fraction"));
            List<Svg.Entry> legend = new ArrayList<>();
            for (int i = 0; i < ms.size(); i++) {
                if (series.get(i).isEmpty()) {
                    continue;
                }
                String c = color(e, ms.get(i), i);
                p.line(series.get(i), c, 2, 1, 0);
                legend.add(new Svg.Entry(ms.get(i).id() + " (" + ms.get(i).mode() + ")", c, Svg.Entry.LINE));
            }
            h.append(p.legend(legend).end());
        }
        h.append("\n<p class=\"caption\">The fraction of parameters allowed to be nonzero as trained; dense models stay at 1.</p>\n")
                .append("</section>\n");
    }

    private static void taskTable(StringBuilder h, Experiment e) {
        h.append("<section id=\"tasks\">\n<h2>Tasks</h2>\n");
        List<TaskResult> ts = list(e.tasks());
        if (ts.isEmpty()) {
            h.append("<p class=\"nr\">No tasks.</p>\n</section>\n");
            return;
        }
        List<Double> targets = list(e.targets());
        h.append("<p class=\"caption\">Kept nodes / edges of each circuit (linked to its directory when written, with \u201cview\u201d ")
                .append("linking its viewer page), and the ")
                .append("ratio edges(dense)/edges(sparse). A task is solved when both unpruned losses are at most ")
                .append(esc(plain(e.solvedBelow()))).append(". The main target is highlighted.</p>\n");
        h.append("<div class=\"scroll\"><table id=\"task-table\">\n<tr><th class=\"l\" rowspan=\"2\">task</th>")
                .append("<th colspan=\"2\">unpruned loss</th><th rowspan=\"2\">solved?</th>");
        for (double t : targets) {
            h.append("<th colspan=\"3\"").append(isMain(e, t) ? " class=\"main\"" : "").append(">target ")
                    .append(esc(plain(t))).append("</th>");
        }
        h.append("<th colspan=\"2\">necessity at ").append(esc(plain(e.mainTarget()))).append("</th></tr>\n<tr>")
                .append("<th>sparse</th><th>dense</th>");
        for (double t : targets) {
            String c = isMain(e, t) ? " class=\"main\"" : "";
            h.append("<th").append(c).append(">sparse n / e</th><th").append(c).append(">dense n / e</th><th").append(c)
                    .append(">ratio</th>");
        }
        h.append("<th>sparse</th><th>dense</th></tr>\n");
        for (TaskResult t : ts) {
            boolean solved = t.solved(e.solvedBelow());
            h.append("<tr><td class=\"l\">").append(esc(t.task())).append("</td><td>").append(loss(t.sparseLoss()))
                    .append("</td><td>").append(loss(t.denseLoss())).append("</td><td>")
                    .append(solved ? "yes" : "<b>no</b>").append("</td>");
            for (double target : targets) {
                String c = isMain(e, target) ? " class=\"main\"" : "";
                Circuit s = Comparison.at(t.sparse(), target), d = Comparison.at(t.dense(), target);
                h.append("<td").append(c).append('>').append(circuitCell(s)).append("</td><td").append(c).append('>')
                        .append(circuitCell(d)).append("</td><td").append(c).append('>');
                if (s != null && d != null && s.reached() && d.reached() && s.edges() > 0) {
                    h.append(ratioText((double) d.edges() / s.edges()));
                } else {
                    h.append("<span class=\"nr\">–</span>");
                }
                h.append("</td>");
            }
            Circuit s = Comparison.at(t.sparse(), e.mainTarget()), d = Comparison.at(t.dense(), e.mainTarget());
            h.append("<td>").append(s == null ? "n/a" : loss(s.necessity())).append("</td><td>")
                    .append(d == null ? "n/a" : loss(d.necessity())).append("</td></tr>\n");
        }
        h.append("</table></div>\n</section>\n");
    }

    private static String circuitCell(Circuit c) {
        if (c == null) {
            return "<span class=\"nr\" title=\"not pruned\">–</span>";
        }
        if (!c.reached()) {
            return "<span class=\"nr\">not reached</span>";
        }
        String text = count(c.nodes()) + " / " + count(c.edges());
        String href = href(c.path());
        String cell = href == null ? text : "<a href=\"" + esc(href) + "\">" + text + "</a>";
        String view = href(c.view());
        if (view != null) {
            cell += " <a class=\"view\" href=\"" + esc(view) + "\" title=\"the viewer page of this circuit\">view</a>";
        } else if (c.viewError() != null) {
            cell += " <span class=\"nr\" title=\"" + esc("viewer page not written: " + c.viewError()) + "\">no view</span>";
        }
        return cell;
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

    private static void edgesVsTarget(StringBuilder h, Experiment e) {
        h.append("<section id=\"edges-vs-target\">\n<h2>Circuit size vs target loss</h2>\n");
        List<Double> targets = new ArrayList<>(new TreeSet<>(list(e.targets())));
        Range xr = new Range(), yr = new Range();
        List<double[]> sparseMean = new ArrayList<>(), denseMean = new ArrayList<>();
        for (double target : targets) {
            double[] sm = Comparison.geoMeanEdges(e, target, true), dm = Comparison.geoMeanEdges(e, target, false);
            if (sm != null) {
                sparseMean.add(sm);
            }
            if (dm != null) {
                denseMean.add(dm);
            }
            for (TaskResult t : list(e.tasks())) {
                for (Circuit c : new Circuit[] {Comparison.at(t.sparse(), target), Comparison.at(t.dense(), target)}) {
                    if (c != null && c.reached() && c.edges() > 0 && Double.isFinite(target)) {
                        xr.add(c.edges());
                        yr.add(target);
                    }
                }
            }
        }
        String label = "edges vs target task loss, sparse and dense";
        if (xr.empty()) {
            h.append(Svg.noData(640, 360, label));
        } else {
            Svg p = new Svg(640, 360, label).axes(Svg.Axis.log2(xr.lo, xr.hi, "circuit edges (log2)"),
                    Svg.Axis.linear(Math.min(0, yr.lo), yr.hi, 6, "target task loss"));
            for (double target : targets) {
                for (TaskResult t : list(e.tasks())) {
                    Circuit s = Comparison.at(t.sparse(), target), d = Comparison.at(t.dense(), target);
                    if (s != null && s.reached()) {
                        p.marker(s.edges(), target, 3, SPARSE, 0.3, t.task() + " sparse: " + count(s.edges()) + " edges");
                    }
                    if (d != null && d.reached()) {
                        p.marker(d.edges(), target, 3, DENSE, 0.3, t.task() + " dense: " + count(d.edges()) + " edges");
                    }
                }
            }
            p.line(sparseMean, SPARSE, 2.2, 1, 3.5).line(denseMean, DENSE, 2.2, 1, 3.5);
            h.append(p.legend(List.of(new Svg.Entry("sparse (geo-mean)", SPARSE, Svg.Entry.BOLD),
                    new Svg.Entry("dense (geo-mean)", DENSE, Svg.Entry.BOLD),
                    new Svg.Entry("one task", "#555", Svg.Entry.DOT))).end());
        }
        h.append("\n<p class=\"caption\">For each target loss, the geometric mean of circuit edges over the tasks that ")
                .append("model reached it on (bold), and each task's circuit (faint). Further left is a smaller circuit.</p>\n")
                .append("</section>\n");
    }

    /** {geometric mean of edges, target} over tasks where the model reached {@code target}; null when none. */
    private static void edgeBars(StringBuilder h, Experiment e) {
        h.append("<section id=\"edge-bars\">\n<h2>Edges per task at target ").append(esc(plain(e.mainTarget())))
                .append("</h2>\n");
        List<TaskResult> shown = new ArrayList<>();
        Range yr = new Range();
        for (TaskResult t : list(e.tasks())) {
            Circuit s = Comparison.at(t.sparse(), e.mainTarget()), d = Comparison.at(t.dense(), e.mainTarget());
            if (s == null && d == null) {
                continue;
            }
            shown.add(t);
            for (Circuit c : new Circuit[] {s, d}) {
                if (c != null && c.reached() && c.edges() > 0) {
                    yr.add(c.edges());
                }
            }
        }
        String label = "edges per task at the main target, sparse and dense";
        int group = 56, width = Math.max(560, 210 + group * shown.size()), height = 360;
        if (yr.empty()) {
            h.append(Svg.noData(width, height, label));
        } else {
            Svg p = new Svg(width, height, 64, 130, 14, 96, label); // the legend sits right of the bars
            p.axes(null, Svg.Axis.log2(yr.lo / 2, yr.hi, "circuit edges (log2)")); // the smallest bar keeps a visible height
            double slot = (p.plotRight() - p.plotLeft()) / shown.size(), bw = Math.min(20, slot * 0.35);
            for (int i = 0; i < shown.size(); i++) {
                TaskResult t = shown.get(i);
                double mid = p.plotLeft() + slot * (i + 0.5);
                Circuit s = Comparison.at(t.sparse(), e.mainTarget()), d = Comparison.at(t.dense(), e.mainTarget());
                bar(p, s, mid - bw - 1, bw, SPARSE, t.task() + " sparse");
                bar(p, d, mid + 1, bw, DENSE, t.task() + " dense");
                p.text(mid, p.plotBottom() + 14, "end", -35, "#222", t.task());
            }
            h.append(p.legend(List.of(new Svg.Entry("sparse", SPARSE, Svg.Entry.BOX),
                    new Svg.Entry("dense", DENSE, Svg.Entry.BOX))).end());
        }
        h.append("\n<p class=\"caption\">Side by side for each task pruned at the main target; \"n/r\" marks a model ")
                .append("that did not reach it.</p>\n</section>\n");
    }

    private static void bar(Svg p, Circuit c, double x, double w, String color, String what) {
        if (c != null && c.reached() && c.edges() > 0) {
            p.bar(x, w, c.edges(), color, what + ": " + count(c.nodes()) + " nodes, " + count(c.edges()) + " edges");
        } else if (c != null) {
            p.text(x + w / 2, p.plotBottom() - 4, "middle", 0, color, "n/r");
        }
    }

    private static void controls(StringBuilder h, Experiment e) {
        h.append("<section id=\"controls\">\n<h2>Controls</h2>\n<p class=\"caption\">A circuit is <b>not trustworthy</b> ")
                .append("when the random-init, the inverted-task or the nonsense-task control (every target drawn at random) ")
                .append("reaches the target loss with at most 2× the real ")
                .append("circuit's edges: pruning then finds a circuit that small without the trained mechanism. Zero ")
                .append("ablation is shown for reference and never flags. Highlighted cells are the controls that flag.</p>\n");
        int rows = 0;
        StringBuilder t = new StringBuilder();
        for (TaskResult task : list(e.tasks())) {
            for (Controls c : list(task.controls())) {
                if (c == null) {
                    continue;
                }
                String role = eq(c.modelId(), e.sparseId()) ? " (sparse)" : eq(c.modelId(), e.denseId()) ? " (dense)" : "";
                t.append("<tr><td class=\"l\">").append(esc(task.task())).append("</td><td class=\"l\">")
                        .append(esc(c.modelId() + role)).append("</td><td>").append(count(c.edges())).append("</td>")
                        .append(controlCell(c.randomInit(), "not run"))
                        .append(controlCell(c.inverted(), "n/a (single-target)"))
                        .append(controlCell(c.nonsense(), "n/a (single-target, or not run)"))
                        .append(controlCell(c.zeroAblation(), "not run"))
                        .append(c.trustworthy() ? "<td class=\"l good verdict\">trustworthy</td>"
                                : "<td class=\"l bad verdict\">NOT TRUSTWORTHY</td>")
                        .append("</tr>\n");
                rows++;
            }
        }
        if (rows == 0) {
            h.append("<p class=\"nr\">No controls were run.</p>\n</section>\n");
            return;
        }
        h.append("<div class=\"scroll\"><table id=\"controls-table\">\n<tr><th class=\"l\">task</th><th class=\"l\">model</th>")
                .append("<th>real edges</th><th>random init</th><th>inverted task</th><th>nonsense task</th><th>zero ablation</th>")
                .append("<th class=\"l\">verdict</th></tr>\n").append(t).append("</table></div>\n</section>\n");
    }

    private static String controlCell(Control c, String absent) {
        if (c == null) {
            return "<td class=\"nr\">" + esc(absent) + "</td>";
        }
        String cls = c.flags() ? " class=\"flag\"" : "";
        String text = c.reached() ? "reached, " + count(c.nodes()) + " / " + count(c.edges())
                : "<span class=\"nr\">not reached</span>";
        return "<td" + cls + " title=\"loss " + loss(c.loss()) + ", full model " + loss(c.fullLoss()) + "\">" + text + "</td>";
    }

    private static void unsolved(StringBuilder h, Experiment e) {
        h.append("<section id=\"unsolved\">\n<h2>Unsolved tasks</h2>\n");
        List<TaskResult> bad = new ArrayList<>();
        for (TaskResult t : list(e.tasks())) {
            if (!t.solved(e.solvedBelow())) {
                bad.add(t);
            }
        }
        if (bad.isEmpty()) {
            h.append("<p>None: every task's unpruned loss is at most ").append(esc(plain(e.solvedBelow())))
                    .append(" in both models.</p>\n</section>\n");
            return;
        }
        h.append("<p>Unpruned held-out loss above ").append(esc(plain(e.solvedBelow())))
                .append(" (or not measured) in at least one model; such tasks have no circuit in that model.</p>\n")
                .append("<ul class=\"unsolved\">\n");
        for (TaskResult t : bad) {
            List<String> by = new ArrayList<>();
            if (!(t.sparseLoss() <= e.solvedBelow())) {
                by.add("sparse");
            }
            if (!(t.denseLoss() <= e.solvedBelow())) {
                by.add("dense");
            }
            h.append("<li><b>").append(esc(t.task())).append("</b>: sparse loss ").append(loss(t.sparseLoss()))
                    .append(", dense loss ").append(loss(t.denseLoss())).append(" (unsolved by ")
                    .append(String.join(" and ", by)).append(")</li>\n");
        }
        h.append("</ul>\n</section>\n");
    }

    // ---------------------------------------------------------------- helpers

    /** Finite bounds of the values added so far. */
    private static final class Range {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;

        Range addX(List<double[]> pts) {
            for (double[] p : list(pts)) {
                if (p != null && p.length > 1 && Double.isFinite(p[1])) {
                    add(p[0]);
                }
            }
            return this;
        }

        Range addY(List<double[]> pts) {
            for (double[] p : list(pts)) {
                if (p != null && p.length > 1 && Double.isFinite(p[0])) {
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

        boolean empty() {
            return lo > hi;
        }
    }

    private static String color(Experiment e, Model m, int index) {
        if (eq(m.id(), e.sparseId())) {
            return SPARSE;
        }
        if (eq(m.id(), e.denseId())) {
            return DENSE;
        }
        return OTHERS[index % OTHERS.length];
    }

    private static Model model(Experiment e, String id) {
        for (Model m : list(e.models())) {
            if (eq(m.id(), id)) {
                return m;
            }
        }
        return null;
    }

    private static boolean isMain(Experiment e, double target) {
        return target == e.mainTarget() || Math.abs(target - e.mainTarget()) <= 1e-9 * Math.abs(target);
    }

    private static boolean eq(String a, String b) {
        return a != null && a.equals(b);
    }

    /** Null-tolerant view of a list, without null elements. */
    private static <T> List<T> list(List<T> l) {
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
        return Svg.esc(s);
    }

    private static String orNa(String s) {
        return s == null || s.isBlank() ? "n/a" : s;
    }

    /** A dense/sparse ratio as printed in the report, e.g. {@code 14.23×}; "n/a" when undefined. */
    static String ratioText(double r) {
        return Double.isFinite(r) ? String.format(Locale.ROOT, "%.2f×", r) : "n/a";
    }

    /** A setting-like number (target, threshold) as written: shortest form, "n/a" when not finite. */
    static String plain(double v) {
        return Double.isFinite(v) ? Svg.num(v) : "n/a";
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
}
