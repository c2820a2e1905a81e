package sparsecircuits.present.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The few plotting primitives the report needs, written as inline SVG text: linear and log2 axes with nice ticks,
 * polylines, markers, bars and a legend. One instance draws one plot into a fixed plot area; coordinates are data
 * values, mapped through the axes given to {@link #axes}. Output depends only on the calls made (numbers go through
 * {@link Locale#ROOT}), so the same data give byte-identical SVG. Values that cannot be drawn (NaN, infinities, and
 * non-positive values on a log axis) are skipped, never thrown on.
 */
final class Svg {
    static final String NS = "http://www.w3.org/2000/svg";

    /** One axis: the drawn range, whether it is log2, its tick values and its label. */
    record Axis(double min, double max, boolean log2, double[] ticks, String label) {

        /** A linear axis covering [lo, hi] that starts and ends on a nice tick (about {@code n} ticks). */
        static Axis linear(double lo, double hi, int n, String label) {
            if (!Double.isFinite(lo) || !Double.isFinite(hi)) {
                lo = 0;
                hi = 1;
            }
            if (hi < lo) {
                double t = lo;
                lo = hi;
                hi = t;
            }
            if (hi - lo < 1e-12 * Math.max(1, Math.abs(hi))) { // a flat series still needs a visible range
                double pad = lo == 0 ? 1 : Math.abs(lo) * 0.1;
                lo -= pad;
                hi += pad;
            }
            double step = nice((hi - lo) / Math.max(1, n - 1));
            double start = Math.floor(lo / step) * step;
            double end = Math.ceil(hi / step) * step;
            int count = (int) Math.round((end - start) / step) + 1;
            double[] ticks = new double[count];
            for (int i = 0; i < count; i++) {
                ticks[i] = clean(start + i * step, step);
            }
            return new Axis(ticks[0], ticks[count - 1], false, ticks, label);
        }

        /** A log2 axis from the power of two at or below {@code lo} to the one at or above {@code hi}. */
        static Axis log2(double lo, double hi, String label) {
            if (!(lo > 0) || !(hi > 0) || !Double.isFinite(lo) || !Double.isFinite(hi)) {
                lo = 1;
                hi = 2;
            }
            int a = (int) Math.floor(lg2(Math.min(lo, hi)));
            int b = (int) Math.ceil(lg2(Math.max(lo, hi)));
            if (b == a) {
                b = a + 1;
            }
            int every = Math.max(1, (b - a + 7) / 8); // at most about eight labelled powers
            List<Double> ticks = new ArrayList<>();
            for (int p = a; p <= b; p += every) {
                ticks.add(Math.scalb(1.0, p));
            }
            double[] t = ticks.stream().mapToDouble(Double::doubleValue).toArray();
            return new Axis(Math.scalb(1.0, a), Math.scalb(1.0, b), true, t, label);
        }

        /** Where {@code v} falls on the axis, 0 at min and 1 at max; NaN when it cannot be drawn. */
        double frac(double v) {
            if (!Double.isFinite(v) || (log2 && !(v > 0))) {
                return Double.NaN;
            }
            return log2 ? (lg2(v) - lg2(min)) / (lg2(max) - lg2(min)) : (v - min) / (max - min);
        }

        String tickLabel(double v) {
            if (log2 && v < 1) {
                return "2^" + (int) Math.round(lg2(v));
            }
            if (log2 || (v == Math.rint(v) && Math.abs(v) < 1e15)) {
                return String.format(Locale.ROOT, "%d", (long) v);
            }
            return num(v);
        }
    }

    private final StringBuilder sb = new StringBuilder();
    private final int width;
    private final int height;
    private final int left;
    private final int right;
    private final int top;
    private final int bottom;
    private Axis x;
    private Axis y;

    /** A plot of {@code width × height} pixels with room for tick labels around the plot area. */
    Svg(int width, int height, String label) {
        this(width, height, 64, 16, 14, 44, label);
    }

    Svg(int width, int height, int left, int right, int top, int bottom, String label) {
        this.width = width;
        this.height = height;
        this.left = left;
        this.right = right;
        this.top = top;
        this.bottom = bottom;
        open(sb, width, height, label);
    }

    private static void open(StringBuilder sb, int width, int height, String label) {
        sb.append("<svg xmlns=\"").append(NS).append("\" class=\"plot\" width=\"").append(width).append("\" height=\"")
                .append(height).append("\" viewBox=\"0 0 ").append(width).append(' ').append(height)
                .append("\" role=\"img\" aria-label=\"").append(esc(label)).append("\">\n");
    }

    /** A placeholder the size of a plot that says there is nothing to draw. */
    static String noData(int width, int height, String label) {
        StringBuilder sb = new StringBuilder();
        open(sb, width, height, label);
        sb.append("<rect x=\"0.5\" y=\"0.5\" width=\"").append(width - 1).append("\" height=\"").append(height - 1)
                .append("\" fill=\"none\" stroke=\"#bbb\" stroke-dasharray=\"4 3\"/>\n");
        sb.append("<text x=\"").append(width / 2).append("\" y=\"").append(height / 2)
                .append("\" text-anchor=\"middle\" fill=\"#777\">no data</text>\n</svg>");
        return sb.toString();
    }

    double plotLeft() {
        return left;
    }

    double plotRight() {
        return width - right;
    }

    double plotBottom() {
        return height - bottom;
    }

    /** Pixel x of a data value (NaN when it cannot be drawn). */
    double px(double v) {
        return left + x.frac(v) * (width - left - right);
    }

    /** Pixel y of a data value (NaN when it cannot be drawn). */
    double py(double v) {
        return height - bottom - y.frac(v) * (height - top - bottom);
    }

    /** Draws the frame, grid lines, tick labels and axis labels; {@code xa} may be null for a categorical x. */
    Svg axes(Axis xa, Axis ya) {
        this.x = xa;
        this.y = ya;
        double x0 = left, x1 = width - right, y0 = height - bottom, y1 = top;
        sb.append("<g class=\"axes\" font-size=\"11\" fill=\"#333\">\n");
        for (double t : ya.ticks()) {
            double p = py(t);
            sb.append("<line x1=\"").append(num(x0)).append("\" x2=\"").append(num(x1)).append("\" y1=\"").append(num(p))
                    .append("\" y2=\"").append(num(p)).append("\" stroke=\"#e3e3e3\"/>");
            sb.append("<text x=\"").append(num(x0 - 5)).append("\" y=\"").append(num(p + 4))
                    .append("\" text-anchor=\"end\">").append(esc(ya.tickLabel(t))).append("</text>\n");
        }
        if (xa != null) {
            for (double t : xa.ticks()) {
                double p = px(t);
                sb.append("<line x1=\"").append(num(p)).append("\" x2=\"").append(num(p)).append("\" y1=\"").append(num(y1))
                        .append("\" y2=\"").append(num(y0)).append("\" stroke=\"#e3e3e3\"/>");
                sb.append("<text x=\"").append(num(p)).append("\" y=\"").append(num(y0 + 15))
                        .append("\" text-anchor=\"middle\">").append(esc(xa.tickLabel(t))).append("</text>\n");
            }
            sb.append("<text x=\"").append(num((x0 + x1) / 2)).append("\" y=\"").append(num(height - 6.0))
                    .append("\" text-anchor=\"middle\">").append(esc(xa.label())).append("</text>\n");
        }
        sb.append("<rect x=\"").append(num(x0)).append("\" y=\"").append(num(y1)).append("\" width=\"").append(num(x1 - x0))
                .append("\" height=\"").append(num(y0 - y1)).append("\" fill=\"none\" stroke=\"#888\"/>\n");
        sb.append("<text transform=\"translate(13 ").append(num((y0 + y1) / 2))
                .append(") rotate(-90)\" text-anchor=\"middle\">").append(esc(ya.label())).append("</text>\n</g>\n");
        return this;
    }

    /**
     * A polyline through {@code pts} ({x, y} pairs), broken where a point cannot be drawn, with optional round
     * markers at each drawn point.
     */
    Svg line(List<double[]> pts, String color, double strokeWidth, double opacity, double markerRadius) {
        List<String> run = new ArrayList<>();
        StringBuilder marks = new StringBuilder();
        for (double[] p : pts) {
            double a = p.length > 1 ? px(p[0]) : Double.NaN;
            double b = p.length > 1 ? py(p[1]) : Double.NaN;
            if (Double.isNaN(a) || Double.isNaN(b)) {
                flush(run, color, strokeWidth, opacity);
                continue;
            }
            run.add(num(a) + "," + num(b));
            if (markerRadius > 0) {
                marks.append("<circle cx=\"").append(num(a)).append("\" cy=\"").append(num(b)).append("\" r=\"")
                        .append(num(markerRadius)).append("\" fill=\"").append(color).append("\"/>");
            }
        }
        flush(run, color, strokeWidth, opacity);
        if (!marks.isEmpty()) {
            sb.append("<g opacity=\"").append(num(opacity)).append("\">").append(marks).append("</g>\n");
        }
        return this;
    }

    private void flush(List<String> run, String color, double strokeWidth, double opacity) {
        if (run.size() == 1) { // a lone point still shows as a dot
            String[] xy = run.get(0).split(",");
            sb.append("<circle cx=\"").append(xy[0]).append("\" cy=\"").append(xy[1]).append("\" r=\"")
                    .append(num(Math.max(1.5, strokeWidth))).append("\" fill=\"").append(color).append("\" opacity=\"")
                    .append(num(opacity)).append("\"/>\n");
        } else if (run.size() > 1) {
            sb.append("<polyline fill=\"none\" stroke=\"").append(color).append("\" stroke-width=\"").append(num(strokeWidth))
                    .append("\" stroke-linejoin=\"round\" opacity=\"").append(num(opacity)).append("\" points=\"")
                    .append(String.join(" ", run)).append("\"/>\n");
        }
        run.clear();
    }

    /** One round marker at data point (vx, vy) with a hover title; skipped when it cannot be drawn. */
    Svg marker(double vx, double vy, double r, String color, double opacity, String title) {
        return marker(vx, vy, r, color, opacity, title, null);
    }

    /** A round marker as above, with a CSS class so a reader (or a test) can tell what kind of point it is. */
    Svg marker(double vx, double vy, double r, String color, double opacity, String title, String cssClass) {
        double a = px(vx), b = py(vy);
        if (Double.isNaN(a) || Double.isNaN(b)) {
            return this;
        }
        sb.append("<circle");
        if (cssClass != null) {
            sb.append(" class=\"").append(esc(cssClass)).append('"');
        }
        sb.append(" cx=\"").append(num(a)).append("\" cy=\"").append(num(b)).append("\" r=\"").append(num(r))
                .append("\" fill=\"").append(color).append("\" opacity=\"").append(num(opacity)).append("\"><title>")
                .append(esc(title)).append("</title></circle>\n");
        return this;
    }

    /** A dotted line between two data points, tying a secondary marker to its main one; skipped when it cannot be drawn. */
    Svg tie(double vx1, double vy1, double vx2, double vy2, String color) {
        double a1 = px(vx1), b1 = py(vy1), a2 = px(vx2), b2 = py(vy2);
        if (Double.isNaN(a1) || Double.isNaN(b1) || Double.isNaN(a2) || Double.isNaN(b2)) {
            return this;
        }
        sb.append("<line x1=\"").append(num(a1)).append("\" y1=\"").append(num(b1)).append("\" x2=\"").append(num(a2))
                .append("\" y2=\"").append(num(b2)).append("\" stroke=\"").append(color)
                .append("\" stroke-width=\"1\" stroke-dasharray=\"2 3\"/>\n");
        return this;
    }

    /**
     * A hollow triangle ({@link Entry#TRIANGLE}) or square ({@link Entry#SQUARE}) at data point (vx, vy), for a
     * secondary kind of point beside the main markers; skipped when it cannot be drawn.
     */
    Svg symbol(double vx, double vy, String shape, double size, String color, String title, String cssClass) {
        double a = px(vx), b = py(vy);
        if (Double.isNaN(a) || Double.isNaN(b)) {
            return this;
        }
        sb.append("<g class=\"").append(esc(cssClass)).append("\">").append(shapeAt(a, b, shape, size, color))
                .append("<title>").append(esc(title)).append("</title></g>\n");
        return this;
    }

    private static String shapeAt(double a, double b, String shape, double size, String color) {
        String paint = "\" fill=\"#fff\" stroke=\"" + color + "\" stroke-width=\"1.6\"/>";
        if (Entry.TRIANGLE.equals(shape)) {
            return "<polygon points=\"" + num(a) + "," + num(b - size) + " " + num(a - size) + "," + num(b + size * 0.8) + " "
                    + num(a + size) + "," + num(b + size * 0.8) + paint;
        }
        return "<rect x=\"" + num(a - size * 0.8) + "\" y=\"" + num(b - size * 0.8) + "\" width=\"" + num(size * 1.6)
                + "\" height=\"" + num(size * 1.6) + paint;
    }

    /**
     * A text label beside data point (vx, vy): to its upper right, or its upper left when it would run past the plot
     * area; skipped when the point cannot be drawn.
     */
    Svg label(double vx, double vy, String color, String s) {
        double a = px(vx), b = py(vy);
        if (Double.isNaN(a) || Double.isNaN(b)) {
            return this;
        }
        boolean flip = a + 8 + s.length() * 6.2 > width - right;
        return text(flip ? a - 7 : a + 7, b - 7, flip ? "end" : "start", 0, color, s);
    }

    /** A note in the top-left corner of the plot area, e.g. what the points are computed over. */
    Svg note(String s) {
        return text(left + 6, top + 14, "start", 0, "#555", s);
    }

    /** A bar at pixel x from the bottom of the plot area up to data value {@code vy}; skipped when it cannot be drawn. */
    Svg bar(double pixelX, double pixelWidth, double vy, String color, String title) {
        double b = py(vy);
        if (Double.isNaN(b)) {
            return this;
        }
        double base = height - bottom;
        b = Math.min(b, base - 1); // the smallest bar stays visible
        sb.append("<rect x=\"").append(num(pixelX)).append("\" y=\"").append(num(b)).append("\" width=\"")
                .append(num(pixelWidth)).append("\" height=\"").append(num(base - b)).append("\" fill=\"").append(color)
                .append("\"><title>").append(esc(title)).append("</title></rect>\n");
        return this;
    }

    /** Text at pixel coordinates, optionally rotated about its anchor. */
    Svg text(double pixelX, double pixelY, String anchor, double rotate, String color, String s) {
        sb.append("<text font-size=\"11\" fill=\"").append(color).append("\" text-anchor=\"").append(anchor)
                .append("\" transform=\"translate(").append(num(pixelX)).append(' ').append(num(pixelY)).append(')');
        if (rotate != 0) {
            sb.append(" rotate(").append(num(rotate)).append(')');
        }
        sb.append("\">").append(esc(s)).append("</text>\n");
        return this;
    }

    /** One legend entry: a swatch (line, bold line with marker, or faint dot) and its label. */
    record Entry(String label, String color, String style) {
        static final String THIN = "thin";
        static final String BOLD = "bold";
        static final String DOT = "dot";
        static final String LINE = "line";
        static final String BOX = "box";
        /** A filled point joined by a line: a family's frontier. */
        static final String POINT = "point";
        static final String TRIANGLE = "triangle";
        static final String SQUARE = "square";
    }

    /** A legend box in the top-right corner of the plot area. */
    Svg legend(List<Entry> entries) {
        if (entries.isEmpty()) {
            return this;
        }
        int longest = entries.stream().mapToInt(e -> e.label().length()).max().orElse(0);
        double w = 34 + Math.min(longest, 40) * 6.2, h = 8 + entries.size() * 16;
        double bx = right >= w + 12 ? width - right + 8 : width - right - w - 6, by = top + 6; // in a wide right margin when there is one
        sb.append("<g class=\"legend\" font-size=\"11\">\n<rect x=\"").append(num(bx)).append("\" y=\"").append(num(by))
                .append("\" width=\"").append(num(w)).append("\" height=\"").append(num(h))
                .append("\" fill=\"#fff\" fill-opacity=\"0.9\" stroke=\"#ccc\"/>\n");
        for (int i = 0; i < entries.size(); i++) {
            Entry e = entries.get(i);
            double cy = by + 12 + i * 16;
            switch (e.style()) {
                case Entry.LINE -> sb.append("<line x1=\"").append(num(bx + 6)).append("\" x2=\"").append(num(bx + 24))
                        .append("\" y1=\"").append(num(cy)).append("\" y2=\"").append(num(cy)).append("\" stroke=\"")
                        .append(e.color()).append("\" stroke-width=\"2\"/>");
                case Entry.BOX -> sb.append("<rect x=\"").append(num(bx + 9)).append("\" y=\"").append(num(cy - 5))
                        .append("\" width=\"12\" height=\"10\" fill=\"").append(e.color()).append("\"/>");
                case Entry.TRIANGLE, Entry.SQUARE -> sb.append(shapeAt(bx + 15, cy, e.style(), 4.5, e.color()));
                case Entry.POINT -> sb.append("<line x1=\"").append(num(bx + 6)).append("\" x2=\"").append(num(bx + 24))
                        .append("\" y1=\"").append(num(cy)).append("\" y2=\"").append(num(cy)).append("\" stroke=\"")
                        .append(e.color()).append("\" stroke-width=\"1.5\"/><circle cx=\"").append(num(bx + 15))
                        .append("\" cy=\"").append(num(cy)).append("\" r=\"4.5\" fill=\"").append(e.color()).append("\"/>");
                case Entry.DOT -> sb.append("<circle cx=\"").append(num(bx + 15)).append("\" cy=\"").append(num(cy))
                        .append("\" r=\"3\" fill=\"").append(e.color()).append("\" opacity=\"0.35\"/>");
                case Entry.BOLD -> sb.append("<line x1=\"").append(num(bx + 6)).append("\" x2=\"").append(num(bx + 24))
                        .append("\" y1=\"").append(num(cy)).append("\" y2=\"").append(num(cy)).append("\" stroke=\"")
                        .append(e.color()).append("\" stroke-width=\"2.2\"/><circle cx=\"").append(num(bx + 15))
                        .append("\" cy=\"").append(num(cy)).append("\" r=\"2.8\" fill=\"").append(e.color()).append("\"/>");
                default -> sb.append("<line x1=\"").append(num(bx + 6)).append("\" x2=\"").append(num(bx + 24))
                        .append("\" y1=\"").append(num(cy)).append("\" y2=\"").append(num(cy)).append("\" stroke=\"")
                        .append(e.color()).append("\" stroke-width=\"1\" opacity=\"0.5\"/>");
            }
            sb.append("<text x=\"").append(num(bx + 30)).append("\" y=\"").append(num(cy + 4)).append("\" fill=\"#222\">")
                    .append(esc(e.label())).append("</text>\n");
        }
        sb.append("</g>\n");
        return this;
    }

    /** The finished SVG element. */
    String end() {
        return sb + "</svg>";
    }

    /** The nice step (1, 2 or 5 times a power of ten) at or above {@code raw}. */
    static double nice(double raw) {
        if (!(raw > 0) || !Double.isFinite(raw)) {
            return 1;
        }
        double mag = Math.pow(10, Math.floor(Math.log10(raw)));
        double f = raw / mag;
        double n = f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10;
        return n * mag;
    }

    /** {@code v} rounded to the decimals its tick step has, so 0.30000000000000004 prints as 0.3. */
    private static double clean(double v, double step) {
        int decimals = Math.max(0, (int) -Math.floor(Math.log10(step)) + 1);
        double scaled = Math.round(v * Math.pow(10, decimals)) / Math.pow(10, decimals);
        return scaled == 0 ? 0 : scaled; // no "-0"
    }

    static double lg2(double v) {
        return Math.log(v) / Math.log(2);
    }

    /** A coordinate or value: at most 4 significant decimals, no trailing zeros, Locale.ROOT. */
    static String num(double v) {
        if (!Double.isFinite(v)) {
            return "0";
        }
        String s = Math.abs(v) >= 100 ? String.format(Locale.ROOT, "%.1f", v) : String.format(Locale.ROOT, "%.4g", v);
        if (s.contains("e") || s.contains("E")) {
            s = String.format(Locale.ROOT, "%.6f", v);
        }
        if (s.contains(".")) {
            s = s.replaceAll("0+$", "").replaceAll("\\.$", "");
        }
        return s.equals("-0") ? "0" : s;
    }

    /** Text or attribute value for HTML/SVG: see {@link Markup#escape}. */
    static String esc(String s) {
        return Markup.escape(s);
    }
}
