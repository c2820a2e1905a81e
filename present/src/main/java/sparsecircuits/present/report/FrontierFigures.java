package sparsecircuits.present.report;

import sparsecircuits.pruning.compare.Comparison;
import sparsecircuits.pruning.compare.Experiment;
import sparsecircuits.pruning.compare.Experiment.Circuit;
import sparsecircuits.pruning.compare.Experiment.Control;
import sparsecircuits.pruning.compare.Experiment.Controls;
import sparsecircuits.pruning.compare.Experiment.Model;
import sparsecircuits.pruning.compare.Experiment.Pairing;
import sparsecircuits.pruning.compare.Experiment.TaskResult;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

import static sparsecircuits.present.report.ReportFormat.DENSE;
import static sparsecircuits.present.report.ReportFormat.SPARSE;
import static sparsecircuits.present.report.ReportFormat.count;
import static sparsecircuits.present.report.ReportFormat.counts;
import static sparsecircuits.present.report.ReportFormat.esc;
import static sparsecircuits.present.report.ReportFormat.family;
import static sparsecircuits.present.report.ReportFormat.href;
import static sparsecircuits.present.report.ReportFormat.list;
import static sparsecircuits.present.report.ReportFormat.loss;
import static sparsecircuits.present.report.ReportFormat.mean;
import static sparsecircuits.present.report.ReportFormat.name;
import static sparsecircuits.present.report.ReportFormat.plain;
import static sparsecircuits.present.report.ReportFormat.ratioText;
import static sparsecircuits.present.report.ReportFormat.sameTarget;
import static sparsecircuits.present.report.ReportFormat.tasks;

/**
 * The frontier's figures. Fig. 3: every model's circuit size (geometric-mean edges at the main target) against its
 * validation loss, sparse and dense each joined into a frontier, with the sparse models' control sizes beside them.
 * Fig. 2 per pairing: each sparse model and its loss-matched dense partner, circuit size against target loss, and the
 * per-task numbers behind it.
 */
final class FrontierFigures {
    /** With fewer tasks common to every model, Fig. 3 falls back to each model's own tasks (and says so). */
    static final int MIN_COMMON_TASKS = 3;
    private static final String INVERTED = "#7b3294";
    private static final String NONSENSE = "#444";

    private FrontierFigures() {
    }

    /** One model's place in Fig. 3 and its controls' sizes beside it (NaN where there is none). */
    private record Point(Model model, double edges, int tasks, double inverted, int invertedTasks, double nonsense,
                         int nonsenseTasks) {
    }

    static void frontier(StringBuilder h, Experiment e) {
        double main = e.mainTarget();
        Set<String> common = Comparison.commonTasks(e, main);
        boolean shared = common.size() >= MIN_COMMON_TASKS;
        h.append("<section id=\"frontier\">\n<h2>Fig. 3: circuit size against model loss</h2>\n");
        List<Point> points = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (Model m : list(e.models())) {
            Set<String> over = shared ? common : reached(e, m.id(), main);
            double edges = Comparison.geoMeanEdges(e, m.id(), main, over);
            if (!Double.isFinite(edges) || !Double.isFinite(m.valLoss())) {
                missing.add(m.label());
                continue;
            }
            double[] inv = m.sparse() ? controlMean(e, m.id(), over, Controls::inverted) : new double[] {Double.NaN, 0};
            double[] non = m.sparse() ? controlMean(e, m.id(), over, Controls::nonsense) : new double[] {Double.NaN, 0};
            points.add(new Point(m, edges, over.size(), inv[0], (int) inv[1], non[0], (int) non[1]));
        }
        String over = shared ? "common tasks (" + common.size() + ")" : "each model's own tasks";
        String aria = "circuit edges at target loss " + plain(main) + " against validation loss, per model, over " + over;
        h.append(frontierPlot(points, aria, over));
        h.append("\n<p class=\"caption\">x: the geometric mean of circuit edges at target loss ").append(esc(plain(main)));
        if (shared) {
            h.append(" over the ").append(common.size()).append(" tasks every model reached it on (")
                    .append(esc(String.join(", ", common))).append(')');
        } else {
            h.append(" over <b>each model's own tasks</b>: ").append(common.isEmpty() ? "no task" : "only " + tasks(common.size()))
                    .append(" reached it in every model (fewer than ").append(MIN_COMMON_TASKS)
                    .append("), so the models are measured on different tasks; read the positions with care");
        }
        h.append(". y: the model's validation loss. Each family's models are joined from smallest circuits to largest: ")
                .append("its frontier; a frontier further left is more interpretable at the same loss. Beside each sparse ")
                .append("model, the geometric-mean edges of its inverted-task (triangle) and nonsense-task (square) ")
                .append("controls over the same tasks, where they reached the target: a control far to the right of its ")
                .append("model means the real circuit is specific to the task.");
        if (!missing.isEmpty()) {
            h.append(" Not plotted (no circuit reached the target, or no validation loss): ")
                    .append(esc(String.join(", ", missing))).append('.');
        }
        h.append("</p>\n");
        frontierTable(h, points);
        h.append("</section>\n");
    }

    private static String frontierPlot(List<Point> points, String aria, String over) {
        ReportFormat.Range xr = new ReportFormat.Range(), yr = new ReportFormat.Range();
        for (Point p : points) {
            xr.addPositive(p.edges()).addPositive(p.inverted()).addPositive(p.nonsense());
            yr.add(p.model().valLoss());
        }
        if (xr.empty() || yr.empty()) {
            return Svg.noData(820, 400, aria);
        }
        double pad = Math.max(0.02, (yr.hi - yr.lo) * 0.08); // room above the top point for its label
        // and room left and right of the outer points (x is padded by a factor: it is a log axis)
        Svg plot = new Svg(820, 400, 64, 190, 14, 44, aria).axes(Svg.Axis.log2(xr.lo / 1.3, xr.hi * 1.3, "circuit edges (log2), geometric mean"),
                Svg.Axis.linear(yr.lo - pad, yr.hi + pad, 6, "validation loss (nats/token)"));
        boolean anyInverted = false, anyNonsense = false;
        for (boolean sparse : new boolean[] {true, false}) {
            List<double[]> line = new ArrayList<>();
            points.stream().filter(p -> p.model().sparse() == sparse)
                    .sorted(Comparator.comparingDouble(Point::edges).thenComparingDouble(p -> p.model().valLoss()))
                    .forEach(p -> line.add(new double[] {p.edges(), p.model().valLoss()}));
            plot.line(line, sparse ? SPARSE : DENSE, 1.6, 0.7, 0);
        }
        for (Point p : points) {
            double y = p.model().valLoss();
            for (double control : new double[] {p.inverted(), p.nonsense()}) {
                if (control > 0) { // a dotted tie shows which model a control belongs to
                    plot.tie(p.edges(), y, control, y, "#999");
                }
            }
            if (p.inverted() > 0) {
                anyInverted = true;
                plot.symbol(p.inverted(), y, Svg.Entry.TRIANGLE, 4.5, INVERTED, p.model().label() + " inverted-task control: "
                        + mean(p.inverted()) + " edges over " + tasks(p.invertedTasks()), "control inverted");
            }
            if (p.nonsense() > 0) {
                anyNonsense = true;
                plot.symbol(p.nonsense(), y, Svg.Entry.SQUARE, 4, NONSENSE, p.model().label() + " nonsense-task control: "
                        + mean(p.nonsense()) + " edges over " + tasks(p.nonsenseTasks()), "control nonsense");
            }
        }
        for (Point p : points) {
            String color = family(p.model());
            plot.marker(p.edges(), p.model().valLoss(), 5, color, 1, p.model().label() + ": " + mean(p.edges())
                    + " edges over " + tasks(p.tasks()) + ", validation loss " + loss(p.model().valLoss()), "model-point");
            plot.label(p.edges(), p.model().valLoss(), color, p.model().label());
        }
        List<Svg.Entry> legend = new ArrayList<>(List.of(new Svg.Entry("sparse models", SPARSE, Svg.Entry.POINT),
                new Svg.Entry("dense models", DENSE, Svg.Entry.POINT)));
        if (anyInverted) {
            legend.add(new Svg.Entry("inverted-task control", INVERTED, Svg.Entry.TRIANGLE));
        }
        if (anyNonsense) {
            legend.add(new Svg.Entry("nonsense-task control", NONSENSE, Svg.Entry.SQUARE));
        }
        return plot.note(over).legend(legend).end();
    }

    private static void frontierTable(StringBuilder h, List<Point> points) {
        if (points.isEmpty()) {
            return;
        }
        h.append("<div class=\"scroll\"><table id=\"frontier-table\">\n<tr><th class=\"l\">model</th><th>validation loss</th>")
                .append("<th>edges (geo-mean)</th><th>over</th><th>inverted-task control</th><th>nonsense-task control</th></tr>\n");
        for (Point p : points) {
            h.append("<tr class=\"").append(p.model().sparse() ? "sparse" : "dense").append("\"><td class=\"l\">")
                    .append(esc(p.model().label())).append("</td><td>").append(loss(p.model().valLoss())).append("</td><td>")
                    .append(mean(p.edges())).append("</td><td>").append(tasks(p.tasks())).append("</td><td>")
                    .append(controlText(p.model(), p.inverted(), p.invertedTasks())).append("</td><td>")
                    .append(controlText(p.model(), p.nonsense(), p.nonsenseTasks())).append("</td></tr>\n");
        }
        h.append("</table></div>\n");
    }

    private static String controlText(Model m, double edges, int tasks) {
        if (!m.sparse()) {
            return "<span class=\"nr\">–</span>";
        }
        return Double.isFinite(edges) ? mean(edges) + " over " + tasks(tasks) : "<span class=\"nr\">none reached</span>";
    }

    /** The tasks where the model has a circuit at {@code target} that counts for a geometric mean. */
    private static Set<String> reached(Experiment e, String modelId, double target) {
        Set<String> out = new LinkedHashSet<>();
        for (TaskResult t : list(e.tasks())) {
            if (counts(Comparison.at(t.circuits(modelId), target))) {
                out.add(t.task());
            }
        }
        return out;
    }

    /** {geometric mean of the control's edges, how many tasks} over {@code over} where the control reached the target. */
    private static double[] controlMean(Experiment e, String modelId, Set<String> over, Function<Controls, Control> which) {
        double logSum = 0;
        int n = 0;
        for (TaskResult t : list(e.tasks())) {
            Controls c = over.contains(t.task()) ? t.controls(modelId) : null;
            Control k = c == null ? null : which.apply(c);
            if (k != null && k.reached() && k.edges() > 0) {
                logSum += Math.log(k.edges());
                n++;
            }
        }
        return new double[] {n == 0 ? Double.NaN : Math.exp(logSum / n), n};
    }

    // ---------------------------------------------------------------- Fig. 2, per pairing

    static void perPairing(StringBuilder h, Experiment e) {
        h.append("<section id=\"fig2\">\n<h2>Fig. 2 per E: circuit size against target loss</h2>\n")
                .append("<p class=\"caption\">For each sparse model and its loss-matched dense partner: the geometric mean ")
                .append("of circuit edges at each target loss over the tasks that model reached it on (bold), each task's ")
                .append("circuit (faint), and the numbers per task. Cells give kept nodes / edges, linked to the circuit's ")
                .append("directory when written, with \u201cview\u201d linking its viewer page. The main target is highlighted.");
        int clashes = (int) list(e.tasks()).stream().filter(t -> t.tokenizerClash() != null).count();
        if (clashes > 0) {
            h.append(' ').append(tasks(clashes)).append(" with a tokenizer clash ").append(clashes == 1 ? "is" : "are")
                    .append(" left out (see the tasks grid).");
        }
        h.append("</p>\n");
        List<Pairing> pairings = list(e.pairings());
        if (pairings.isEmpty()) {
            h.append("<p class=\"nr\">No pairings.</p>\n");
        }
        for (int i = 0; i < pairings.size(); i++) {
            pairing(h, e, pairings.get(i), i + 1);
        }
        h.append("</section>\n");
    }

    private static void pairing(StringBuilder h, Experiment e, Pairing p, int index) {
        String s = name(e, p.sparseId()), d = name(e, p.denseId());
        h.append("<div class=\"pairing\" id=\"pairing-").append(index).append("\">\n<h3>").append(esc(s))
                .append(" <span class=\"vs\">vs its loss-matched partner</span> ").append(esc(d)).append("</h3>\n");
        h.append(pairingPlot(e, p, s, d));
        pairingTable(h, e, p);
        h.append("</div>\n");
    }

    private static List<Double> targets(Experiment e) {
        TreeSet<Double> sorted = new TreeSet<>();
        for (Double t : list(e.targets())) {
            if (Double.isFinite(t)) {
                sorted.add(t);
            }
        }
        return new ArrayList<>(sorted);
    }

    private static String pairingPlot(Experiment e, Pairing p, String sparseName, String denseName) {
        String aria = "edges against target loss, " + sparseName + " and " + denseName;
        List<Double> targets = targets(e);
        ReportFormat.Range yr = new ReportFormat.Range();
        for (double target : targets) {
            for (TaskResult t : measurable(e)) {
                for (String id : new String[] {p.sparseId(), p.denseId()}) {
                    Circuit c = Comparison.at(t.circuits(id), target);
                    if (counts(c)) {
                        yr.add(c.edges());
                    }
                }
            }
        }
        if (yr.empty() || targets.isEmpty()) {
            return Svg.noData(680, 320, aria);
        }
        Svg plot = new Svg(680, 320, 64, 210, 14, 44, aria).axes(Svg.Axis.linear(0, targets.get(targets.size() - 1), 6, "target task loss"),
                Svg.Axis.log2(yr.lo, yr.hi, "circuit edges (log2)"));
        Set<String> names = new LinkedHashSet<>();
        measurable(e).forEach(t -> names.add(t.task()));
        List<Svg.Entry> legend = new ArrayList<>();
        String[][] sides = {{p.sparseId(), SPARSE, sparseName}, {p.denseId(), DENSE, denseName}};
        for (String[] side : sides) {
            List<double[]> means = new ArrayList<>();
            for (double target : targets) {
                for (TaskResult t : measurable(e)) {
                    Circuit c = Comparison.at(t.circuits(side[0]), target);
                    if (counts(c)) {
                        plot.marker(target, c.edges(), 3, side[1], 0.3, t.task() + ", " + side[2] + ": " + count(c.edges()) + " edges");
                    }
                }
                double m = Comparison.geoMeanEdges(e, side[0], target, names);
                if (Double.isFinite(m)) {
                    means.add(new double[] {target, m});
                }
            }
            plot.line(means, side[1], 2.2, 1, 3.5);
            legend.add(new Svg.Entry(side[2] + (means.isEmpty() ? ": no circuit" : " (geo-mean)"), side[1], Svg.Entry.BOLD));
        }
        legend.add(new Svg.Entry("one task", "#555", Svg.Entry.DOT));
        return plot.legend(legend).end();
    }

    /** The tasks a pairing's numbers can speak for: all but those the tokenizer cannot measure. */
    private static List<TaskResult> measurable(Experiment e) {
        return list(e.tasks()).stream().filter(t -> t.tokenizerClash() == null).toList();
    }

    private static void pairingTable(StringBuilder h, Experiment e, Pairing p) {
        List<Double> targets = list(e.targets());
        h.append("<div class=\"scroll\"><table class=\"pairing-table\">\n<tr><th class=\"l\" rowspan=\"2\">task</th>")
                .append("<th colspan=\"2\">unpruned loss</th>");
        for (double t : targets) {
            h.append("<th colspan=\"3\"").append(main(e, t)).append(">target ").append(esc(plain(t))).append("</th>");
        }
        h.append("</tr>\n<tr><th>sparse</th><th>dense</th>");
        for (double t : targets) {
            h.append("<th").append(main(e, t)).append(">sparse n / e</th><th").append(main(e, t)).append(">dense n / e</th><th")
                    .append(main(e, t)).append(">ratio</th>");
        }
        h.append("</tr>\n");
        for (TaskResult t : measurable(e)) {
            h.append("<tr><td class=\"l\">").append(esc(t.task())).append("</td>").append(lossCell(e, t, p.sparseId()))
                    .append(lossCell(e, t, p.denseId()));
            for (double target : targets) {
                Circuit s = Comparison.at(t.circuits(p.sparseId()), target), d = Comparison.at(t.circuits(p.denseId()), target);
                h.append("<td").append(main(e, target)).append('>').append(circuitCell(s)).append("</td><td")
                        .append(main(e, target)).append('>').append(circuitCell(d)).append("</td><td").append(main(e, target)).append('>')
                        .append(counts(s) && counts(d) ? ratioText((double) d.edges() / s.edges()) : "<span class=\"nr\">–</span>")
                        .append("</td>");
            }
            h.append("</tr>\n");
        }
        for (boolean edges : new boolean[] {true, false}) {
            h.append("<tr class=\"total\"><td class=\"l\" colspan=\"3\">").append(edges ? "edge" : "node")
                    .append(" ratio dense / sparse (geo-mean)</td>");
            for (double target : targets) {
                Comparison.Ratio r = edges ? Comparison.edgeRatio(e, p, target) : Comparison.nodeRatio(e, p, target);
                h.append("<td colspan=\"3\"").append(main(e, target)).append('>').append(ratioText(r.geoMean()))
                        .append(" over ").append(tasks(r.tasks())).append("</td>");
            }
            h.append("</tr>\n");
        }
        h.append("</table></div>\n");
    }

    private static String lossCell(Experiment e, TaskResult t, String modelId) {
        double l = t.loss(modelId);
        return Comparison.solves(l, e.solvedBelow()) ? "<td>" + loss(l) + "</td>" : "<td class=\"no\" title=\"unsolved\">" + loss(l) + "</td>";
    }

    private static String main(Experiment e, double target) {
        return sameTarget(target, e.mainTarget()) ? " class=\"main\"" : "";
    }

    static String circuitCell(Circuit c) {
        if (c == null) {
            return "<span class=\"nr\" title=\"not pruned\">–</span>";
        }
        if (!c.reached()) {
            return "<span class=\"nr\">not reached</span>";
        }
        String text = count(c.nodes()) + " / " + count(c.edges());
        String link = href(c.path());
        String cell = link == null ? text : "<a href=\"" + esc(link) + "\">" + text + "</a>";
        String view = href(c.view());
        if (view != null) {
            cell += " <a class=\"view\" href=\"" + esc(view) + "\" title=\"the viewer page of this circuit\">view</a>";
        } else if (c.viewError() != null) {
            cell += " <span class=\"nr\" title=\"" + esc("viewer page not written: " + c.viewError()) + "\">no view</span>";
        }
        return cell;
    }
}
