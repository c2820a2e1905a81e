package sparsecircuits.present.report;

import sparsecircuits.pruning.compare.Experiment;
import sparsecircuits.pruning.compare.Experiment.Model;

import java.util.ArrayList;
import java.util.List;

import static sparsecircuits.present.report.ReportFormat.list;
import static sparsecircuits.present.report.ReportFormat.shade;

/** How every model trained: its loss curves and the L0 schedule it was trained under. */
final class TrainingFigures {
    /** Wide enough for the legend of a dozen models in the right margin, beside the curves rather than over them. */
    private static final int WIDTH = 900;
    private static final int LEGEND_MARGIN = 180;

    private TrainingFigures() {
    }

    static void curves(StringBuilder h, Experiment e) {
        h.append("<section id=\"curves\">\n<h2>Training curves</h2>\n");
        List<Model> ms = list(e.models());
        ReportFormat.Range xr = new ReportFormat.Range(), yr = new ReportFormat.Range();
        for (Model m : ms) {
            xr.addX(m.trainCurve()).addX(m.valCurve());
            yr.addY(m.trainCurve()).addY(m.valCurve());
        }
        String label = "training and validation loss per model";
        if (xr.empty() || yr.empty()) {
            h.append(Svg.noData(WIDTH, 360, label));
        } else {
            Svg p = new Svg(WIDTH, 360, 64, LEGEND_MARGIN, 14, 44, label).axes(Svg.Axis.linear(xr.lo, xr.hi, 8, "step"),
                    Svg.Axis.linear(yr.lo, yr.hi, 6, "loss (nats/token)"));
            List<Svg.Entry> legend = new ArrayList<>();
            for (Model m : ms) {
                String c = shade(e, m);
                p.line(list(m.trainCurve()), c, 1, 0.45, 0);
                p.line(list(m.valCurve()), c, 2.2, 1, 2.8);
                legend.add(new Svg.Entry(m.label(), c, Svg.Entry.BOLD));
            }
            legend.add(new Svg.Entry("thin: train loss", "#777", Svg.Entry.THIN));
            h.append(p.legend(legend).end());
        }
        h.append("\n<p class=\"caption\">Thin light lines: training loss; bold lines with dots: validation loss. Sparse ")
                .append("models in blues, dense models in oranges.</p>\n</section>\n");
    }

    static void l0(StringBuilder h, Experiment e) {
        h.append("<section id=\"l0\">\n<h2>L0 schedule</h2>\n");
        List<Model> ms = list(e.models());
        ReportFormat.Range xr = new ReportFormat.Range(), yr = new ReportFormat.Range();
        List<List<double[]>> series = new ArrayList<>();
        for (Model m : ms) {
            List<double[]> s = list(m.l0Curve());
            if (s.isEmpty() && !m.sparse()) { // a dense model keeps every weight: flat at 1 over its steps
                ReportFormat.Range steps = new ReportFormat.Range().addX(m.trainCurve()).addX(m.valCurve());
                s = steps.empty() ? List.of() : List.of(new double[] {steps.lo, 1}, new double[] {steps.hi, 1});
            }
            series.add(s);
            xr.addX(s);
            yr.addY(s);
        }
        String label = "fraction of parameters nonzero per step";
        if (xr.empty() || yr.empty()) {
            h.append(Svg.noData(WIDTH, 300, label));
        } else {
            Svg p = new Svg(WIDTH, 300, 64, LEGEND_MARGIN, 14, 44, label).axes(Svg.Axis.linear(xr.lo, xr.hi, 8, "step"),
                    Svg.Axis.linear(Math.min(0, yr.lo), Math.max(1, yr.hi), 6, "nonzero fraction"));
            List<Svg.Entry> legend = new ArrayList<>();
            for (int i = 0; i < ms.size(); i++) {
                if (series.get(i).isEmpty()) {
                    continue;
                }
                String c = shade(e, ms.get(i));
                p.line(series.get(i), c, 2, 1, 0);
                legend.add(new Svg.Entry(ms.get(i).label(), c, Svg.Entry.LINE));
            }
            h.append(p.legend(legend).end());
        }
        h.append("\n<p class=\"caption\">The fraction of parameters allowed to be nonzero as trained; dense models stay at 1.</p>\n")
                .append("</section>\n");
    }
}
