package sparsecircuits.present.report;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;
import sparsecircuits.pruning.compare.Experiment;
import sparsecircuits.pruning.compare.Comparison;
import sparsecircuits.pruning.compare.ExperimentJson;
import sparsecircuits.pruning.compare.ExperimentSample;
import sparsecircuits.pruning.compare.Experiment.Circuit;
import sparsecircuits.pruning.compare.Experiment.Control;
import sparsecircuits.pruning.compare.Experiment.Controls;
import sparsecircuits.pruning.compare.Experiment.Model;
import sparsecircuits.pruning.compare.Experiment.TaskResult;

import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The report drawn from a hand-built experiment: 3 models, 4 tasks (one unsolved, one whose name needs escaping),
 * controls with one untrustworthy circuit. Checks the numbers against values worked out by hand and the page against
 * the promises it makes (well-formed, no scripts, no network, deterministic).
 */
class ReportHtmlTest {
    static Document parse(String xml) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        DocumentBuilder b = f.newDocumentBuilder();
        b.setErrorHandler(null);
        return b.parse(new InputSource(new StringReader(xml)));
    }

    static List<String> svgs(String page) {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("<svg\\b.*?</svg>", Pattern.DOTALL).matcher(page);
        while (m.find()) {
            out.add(m.group());
        }
        return out;
    }

    @Test
    void everySvgAndTheWholePageAreWellFormedXml() throws Exception {
        String page = ReportHtml.render(ExperimentSample.sample());
        List<String> svgs = svgs(page);
        assertEquals(4, svgs.size(), "training curves, L0, edges vs target, edges per task");
        for (String svg : svgs) {
            Document d = parse(svg);
            assertEquals("svg", d.getDocumentElement().getLocalName());
            assertEquals(Svg.NS, d.getDocumentElement().getNamespaceURI());
            assertFalse(svg.contains("no data"), svg);
            assertTrue(d.getElementsByTagNameNS(Svg.NS, "polyline").getLength()
                    + d.getElementsByTagNameNS(Svg.NS, "rect").getLength() > 1, "the plot draws something");
        }
        Document doc = parse(page);
        assertEquals("html", doc.getDocumentElement().getNodeName());
        String[] order = {"headline", "models", "curves", "l0", "tasks", "edges-vs-target", "edge-bars", "controls", "unsolved"};
        int last = -1;
        for (String id : order) {
            int at = page.indexOf("<section id=\"" + id + "\"");
            assertTrue(at > last, id + " comes after the previous section");
            last = at;
        }
    }

    @Test
    void noScriptsNoNetworkNoExternalResources() {
        String page = ReportHtml.render(ExperimentSample.sample());
        String lower = page.toLowerCase(Locale.ROOT);
        assertFalse(lower.contains("<script"));
        assertFalse(lower.contains("<link"));
        assertFalse(lower.contains("@import"));
        assertFalse(lower.contains("url("));
        assertFalse(lower.contains("@font-face"));
        String withoutNs = page.replace("xmlns=\"http://www.w3.org/2000/svg\"", "");
        assertFalse(withoutNs.contains("http://"), "only the SVG namespace may name a URL");
        assertFalse(withoutNs.contains("https://"));
        assertFalse(withoutNs.contains("//"), "no protocol-relative links either");
    }

    @Test
    void headlineRatioIsTheGeometricMeanWorkedOutByHand() {
        Experiment e = ExperimentSample.sample();
        // at 0.15 both models reached bracket_counting (1024 vs 64 edges: 16x) and ExperimentSample.ODD (128 vs 16: 8x); var_swap's
        // dense circuit did not reach it and unsolved_task has no circuit
        double byHand = Math.sqrt(16.0 * 8.0);
        Comparison.Ratio r = Comparison.edgeRatio(e, 0.15);
        assertEquals(2, r.tasks());
        assertEquals(byHand, r.geoMean(), 1e-12);
        Comparison.Ratio nodes = Comparison.nodeRatio(e, 0.15);
        assertEquals(Math.sqrt(10.0 * 4.0), nodes.geoMean(), 1e-12);

        String page = ReportHtml.render(e);
        assertTrue(page.contains("<span class=\"big\" id=\"edge-ratio\">11.31×</span>"), "11.31× printed");
        assertEquals("11.31×", String.format(Locale.ROOT, "%.2f×", byHand));
        assertTrue(page.contains("<span id=\"edge-ratio-tasks\">2</span> of 4 tasks"));
        assertTrue(page.contains("<b id=\"node-ratio\">6.32×</b> over 2 tasks"));
        // every pair where both reached has a smaller sparse circuit: 0.3 ×3 tasks, 0.15 ×2, 0.08 ×1
        assertTrue(page.contains("<b class=\"good\">yes</b>, at all 6 task/target pairs"), "every-target claim");
        // the per-task ratios appear in the table
        assertTrue(page.contains("16.00×") && page.contains("8.00×") && page.contains("22.50×"));
        // unreached circuits are named, links are relative and encoded
        assertTrue(page.contains("not reached"));
        assertTrue(page.contains("<a href=\"circuits/s256/bracket_counting/t0.15\">30 / 64</a>"));
        assertTrue(page.contains("<a href=\"circuits/d128/bracket%20counting/t0.15\">300 / 1,024</a>"));
    }

    @Test
    void aCircuitsViewerPageIsLinkedBesideItOrWhyNotIsSaid() throws Exception {
        String page = ReportHtml.render(ExperimentSample.sample());
        parse(page);
        assertTrue(page.contains("<a href=\"circuits/s256/bracket_counting/t0.15\">30 / 64</a> <a class=\"view\" "
                + "href=\"circuits/s256/bracket_counting/t0.15/view.html\" title=\"the viewer page of this circuit\">view</a>"), page);
        assertEquals(1, page.split("class=\"view\"", -1).length - 1, "only the circuit with a page links one");
        assertTrue(page.contains("<a href=\"circuits/d128/bracket%20counting/t0.15\">300 / 1,024</a> <span class=\"nr\" "
                + "title=\"viewer page not written: circuits/d128/bracket counting/t0.15/view.html: cannot write (&lt;disk full&gt; &amp; more)\">"
                + "no view</span>"), page);

        TaskResult t = ExperimentSample.sample().tasks().get(0);
        List<Circuit> sparse = new ArrayList<>(t.sparse());
        sparse.set(1, sparse.get(1).withView("/abs/view.html", null));
        List<TaskResult> tasks = new ArrayList<>(ExperimentSample.sample().tasks());
        tasks.set(0, new TaskResult(t.task(), t.sparseLoss(), t.denseLoss(), sparse, t.dense(), t.controls()));
        assertFalse(ReportHtml.render(withTasks(ExperimentSample.sample(), tasks)).contains("class=\"view\""), "an absolute view path is not linked");
    }

    @Test
    void sparseNotSmallerSomewhereIsSaid() {
        Experiment e = ExperimentSample.sample();
        TaskResult t = e.tasks().get(0);
        List<Circuit> dense = new ArrayList<>(t.dense());
        dense.set(0, ExperimentSample.c(0.3, 15, 30, null)); // dense smaller than sparse's 40 edges at 0.3
        List<TaskResult> tasks = new ArrayList<>(e.tasks());
        tasks.set(0, new TaskResult(t.task(), t.sparseLoss(), t.denseLoss(), t.sparse(), dense, t.controls()));
        String page = ReportHtml.render(withTasks(e, tasks));
        assertTrue(page.contains("<b>no</b>: not smaller at 1 of 6 pairs: bracket_counting at 0.3 (40 vs 30 edges)"), page);
    }

    @Test
    void unsolvedTaskIsListedWithBothLosses() throws Exception {
        String page = ReportHtml.render(ExperimentSample.sample());
        Document d = parse(page);
        Element list = byClass(d, "ul", "unsolved");
        assertNotNull(list);
        NodeList items = list.getElementsByTagName("li");
        assertEquals(1, items.getLength());
        assertEquals("unsolved_task: sparse loss 0.600, dense loss 0.050 (unsolved by sparse)", items.item(0).getTextContent());
        // and in the per-task table it is "no"
        assertTrue(page.contains("<td class=\"l\">unsolved_task</td><td>0.600</td><td>0.050</td><td><b>no</b></td>"));
    }

    @Test
    void notTrustworthyVerdictBelongsToTheRightCircuit() throws Exception {
        Document d = parse(ReportHtml.render(ExperimentSample.sample()));
        Element table = null;
        NodeList tables = d.getElementsByTagName("table");
        for (int i = 0; i < tables.getLength(); i++) {
            if ("controls-table".equals(((Element) tables.item(i)).getAttribute("id"))) {
                table = (Element) tables.item(i);
            }
        }
        assertNotNull(table);
        NodeList rows = table.getElementsByTagName("tr");
        assertEquals(4, rows.getLength(), "header + 3 controls");
        List<String> bad = new ArrayList<>();
        for (int i = 1; i < rows.getLength(); i++) {
            NodeList cells = ((Element) rows.item(i)).getElementsByTagName("td");
            Element verdict = (Element) cells.item(cells.getLength() - 1);
            String task = cells.item(0).getTextContent();
            if (verdict.getTextContent().equals("NOT TRUSTWORTHY")) {
                assertTrue(verdict.getAttribute("class").contains("bad"), "styled as bad");
                bad.add(task + " / " + cells.item(1).getTextContent());
            } else {
                assertEquals("trustworthy", verdict.getTextContent());
            }
            if (task.equals(ExperimentSample.ODD)) {
                assertEquals("n/a (single-target)", cells.item(4).getTextContent());
                assertTrue(((Element) cells.item(3)).getAttribute("class").contains("flag"), "random init flags");
            }
        }
        assertEquals(List.of(ExperimentSample.ODD + " / s256 (sparse)"), bad);
    }

    @Test
    void textIsEscaped() {
        String page = ReportHtml.render(ExperimentSample.sample());
        assertFalse(page.contains("<&>"));
        assertFalse(page.contains("<python>"));
        assertFalse(page.contains("<out of time>"));
        assertFalse(page.contains("<circuits>"));
        assertTrue(page.contains("set_or_string &lt;&amp;&gt; &quot;q&quot;"));
        assertTrue(page.contains("synthetic &lt;python&gt; &amp; friends"));
        assertTrue(page.contains("<li>Dense width 512 was skipped: &lt;out of time&gt; &amp; budget.</li>"), "notes shown");
        assertTrue(page.contains("<title>Sparse vs dense &lt;circuits&gt;</title>"));
        assertEquals("a&#39;b\uFFFDc", Svg.esc("a'b\u0001c"));
    }

    @Test
    void emptyAndDegenerateExperimentsRender() throws Exception {
        Experiment empty = new Experiment(null, null, null, null, null, null, null, null, Double.NaN, Double.NaN, null, null);
        String page = ReportHtml.render(empty);
        parse(page);
        assertTrue(page.contains("id=\"edge-ratio\">n/a<"));
        assertTrue(page.contains("<b>n/a</b> (no task and target"));
        assertTrue(page.contains("at target loss n/a, over <span id=\"edge-ratio-tasks\">0</span> of 0 tasks"));
        assertTrue(page.contains("<p class=\"nr\">No models.</p>") && page.contains("<p class=\"nr\">No tasks.</p>"));
        assertEquals(4, svgs(page).size());
        for (String svg : svgs(page)) {
            assertTrue(svg.contains("no data"), svg);
        }

        Model nanModel = new Model("only", "sparse", 64, 0, 0, Double.NaN, Double.POSITIVE_INFINITY,
                List.of(new double[] {0, Double.NaN}, new double[] {10, Double.POSITIVE_INFINITY}, new double[] {20, 3.0}),
                List.of(new double[] {Double.NaN, 2.0}), List.of(new double[] {5, 0.5}, new double[] {5, 0.5}));
        TaskResult zero = new TaskResult("t", Double.NaN, 0.01,
                List.of(new Circuit(0.15, true, 0, 0, 0.1, Double.NaN, "file:///etc/passwd")),
                List.of(new Circuit(0.15, true, 3, 0, 0.1, Double.NaN, "/abs/path")), List.of());
        Experiment one = new Experiment("one", "now", "m", Map.of(), List.of(nanModel), "only", "missing",
                List.of(0.15, Double.NaN), 0.15, 0.1, List.of(zero), List.of());
        String p2 = ReportHtml.render(one);
        parse(p2);
        svgs(p2).forEach(s -> assertFalse(s.contains("NaN") || s.contains("Infinity"), s));
        assertTrue(p2.contains("The loss-matched dense model id &#39;missing&#39; is not among the models."));
        assertFalse(p2.contains("href="), "absolute and scheme links are not written");
        assertTrue(p2.contains("<b>t</b>: sparse loss n/a"), "NaN loss counts as unsolved");
    }

    @Test
    void renderIsDeterministicAndLocaleFree() {
        String a = ReportHtml.render(ExperimentSample.sample());
        assertEquals(a, ReportHtml.render(ExperimentSample.sample()));
        Locale before = Locale.getDefault();
        try {
            Locale.setDefault(Locale.GERMANY);
            assertEquals(a, ReportHtml.render(ExperimentSample.sample()), "decimal commas would change the page");
        } finally {
            Locale.setDefault(before);
        }
        assertEquals(a, ReportHtml.render(ExperimentJson.read(ExperimentJson.write(ExperimentSample.sample()))));
    }

    @Test
    void axesHaveNiceTicks() {
        Svg.Axis lin = Svg.Axis.linear(0.013, 0.97, 6, "y");
        assertEquals(0.0, lin.min());
        assertEquals(1.0, lin.max());
        assertEquals("[0.0, 0.2, 0.4, 0.6, 0.8, 1.0]", java.util.Arrays.toString(lin.ticks()));
        Svg.Axis log = Svg.Axis.log2(40, 3000, "x");
        assertEquals(32.0, log.min());
        assertEquals(4096.0, log.max());
        assertEquals("[32.0, 64.0, 128.0, 256.0, 512.0, 1024.0, 2048.0, 4096.0]", java.util.Arrays.toString(log.ticks()));
        assertEquals(0.5, log.frac(Math.sqrt(32.0 * 4096)), 1e-12);
        assertTrue(Double.isNaN(log.frac(0)));
        Svg.Axis flat = Svg.Axis.linear(1, 1, 5, "flat");
        assertTrue(flat.min() < 1 && flat.max() > 1);
        assertEquals("1.5", Svg.num(1.5));
        assertEquals("512.3", Svg.num(512.25000001));
    }

    @Test
    void writesTheSamplePageWhenAsked() throws Exception {
        String out = System.getProperty("report.sample");
        if (out != null && !out.isBlank()) {
            Files.writeString(Path.of(out), ReportHtml.render(ExperimentSample.sample()), StandardCharsets.UTF_8);
        }
    }

    static Experiment withTasks(Experiment e, List<TaskResult> tasks) {
        return new Experiment(e.title(), e.createdUtc(), e.machine(), e.settings(), e.models(), e.sparseId(), e.denseId(),
                e.targets(), e.mainTarget(), e.solvedBelow(), tasks, e.notes());
    }

    static Element byClass(Document d, String tag, String cls) {
        NodeList l = d.getElementsByTagName(tag);
        for (int i = 0; i < l.getLength(); i++) {
            Element el = (Element) l.item(i);
            if (List.of(el.getAttribute("class").split(" ")).contains(cls)) {
                return el;
            }
        }
        return null;
    }
}
