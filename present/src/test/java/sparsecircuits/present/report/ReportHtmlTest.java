package sparsecircuits.present.report;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;
import sparsecircuits.pruning.compare.Comparison;
import sparsecircuits.pruning.compare.Experiment;
import sparsecircuits.pruning.compare.Experiment.Circuit;
import sparsecircuits.pruning.compare.Experiment.Model;
import sparsecircuits.pruning.compare.Experiment.Pairing;
import sparsecircuits.pruning.compare.Experiment.TaskResult;
import sparsecircuits.pruning.compare.ExperimentJson;
import sparsecircuits.pruning.compare.ExperimentSample;

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
import static sparsecircuits.pruning.compare.ExperimentSample.c;

/**
 * The frontier report drawn from {@link ExperimentSample#sample()}: sparse E 2 (s128) and E 4 (s256), dense d128 and
 * d256, pairings s128↔d256 and s256↔d128, five tasks (one unsolved by the sparse models, one whose name needs escaping,
 * one the tokenizer cannot measure), controls with one untrustworthy circuit. Checks the numbers against values worked
 * out by hand and the page against the promises it makes (well-formed, no scripts, no network, deterministic).
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
        assertEquals(5, svgs.size(), "Fig. 3, Fig. 2 for each of the two pairings, training curves, L0");
        for (String svg : svgs) {
            Document d = parse(svg);
            assertEquals("svg", d.getDocumentElement().getLocalName());
            assertEquals(Svg.NS, d.getDocumentElement().getNamespaceURI());
            assertFalse(svg.contains("no data"), svg);
            assertTrue(d.getElementsByTagNameNS(Svg.NS, "polyline").getLength()
                    + d.getElementsByTagNameNS(Svg.NS, "circle").getLength() > 1, "the plot draws something");
        }
        Document doc = parse(page);
        assertEquals("html", doc.getDocumentElement().getNodeName());
        String[] order = {"headline", "models", "frontier", "fig2", "solved", "gap", "curves", "l0", "controls"};
        int last = -1;
        for (String id : order) {
            int at = page.indexOf("<section id=\"" + id + "\"");
            assertTrue(at > last, id + " comes after the previous section");
            last = at;
        }
        assertFalse(page.contains("id=\"seeds\""), "one seed: no seed section");
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
    void headlineIsTheWidestPairingsGeometricMeanWorkedOutByHand() throws Exception {
        Experiment e = ExperimentSample.sample();
        // the headline is s256 (E 4) with d128; at 0.15 both reached bracket_counting (1024 vs 64 edges: 16x) and ODD
        // (128 vs 16: 8x); var_swap's dense circuit did not reach it, unsolved_task and bracket_brace have none
        double byHand = Math.sqrt(16.0 * 8.0);
        assertEquals(new Pairing("s256", "d128"), e.headline());
        Comparison.Ratio r = Comparison.edgeRatio(e, 0.15);
        assertEquals(2, r.tasks());
        assertEquals(byHand, r.geoMean(), 1e-12);
        assertEquals(Math.sqrt(10.0 * 4.0), Comparison.nodeRatio(e, 0.15).geoMean(), 1e-12);

        String page = ReportHtml.render(e);
        assertTrue(page.contains("<span class=\"big\" id=\"edge-ratio\">11.31×</span>"), "sqrt(128) = 11.31 printed");
        assertTrue(page.contains("E 4 (d256) against its loss-matched partner d128, over <span id=\"edge-ratio-tasks\">2</span> of 5 tasks"));
        assertTrue(page.contains("<b id=\"node-ratio\">6.32×</b> over 2 tasks"), "sqrt(40) = 6.32");
        // the other pairing has no dense circuits at all: n/a, over 0 tasks
        Element others = byId(parse(page), "other-pairings");
        assertNotNull(others);
        assertEquals("E 2 (d128) vs d256: edge ratio n/a over 0 tasks, node ratio n/a over 0 tasks", others.getTextContent().strip());
        // every pair where both reached has a smaller sparse circuit: 0.3 ×3 tasks, 0.15 ×2, 0.08 ×1
        assertTrue(page.contains("<b class=\"good\">yes</b>, at all 6 task/target pairs"), "every-target claim");
    }

    @Test
    void sparseNotSmallerSomewhereIsSaid() {
        Experiment e = ExperimentSample.sample();
        List<TaskResult> tasks = new ArrayList<>(e.tasks());
        TaskResult t = tasks.get(0);
        List<Circuit> dense = new ArrayList<>(t.circuits("d128"));
        dense.set(0, c(0.3, 15, 30, null)); // dense smaller than sparse's 40 edges at 0.3
        tasks.set(0, withCircuits(t, "d128", dense));
        String page = ReportHtml.render(with(e, e.models(), e.pairings(), tasks));
        assertTrue(page.contains("<b>no</b>: not smaller at 1 of 6 pairs: bracket_counting at 0.3 (40 vs 30 edges)"), page);
    }

    @Test
    void figure3HasOnePointPerModelOverEachModelsOwnTasksWhenFewAreCommon() throws Exception {
        String page = ReportHtml.render(ExperimentSample.sample());
        Element section = byId(parse(page), "frontier");
        Element svg = (Element) section.getElementsByTagNameNS(Svg.NS, "svg").item(0);
        // no task is reached by all four models (d256 has no circuit): each model's own tasks, and the plot says so
        assertTrue(texts(svg).contains("each model's own tasks"), "the plot is labelled");
        assertTrue(svg.getAttribute("aria-label").endsWith("over each model's own tasks"));
        assertEquals(List.of("E 2 (d128)", "E 4 (d256)", "d128"), pointModels(svg), "one point per model with circuits");
        for (String label : pointModels(svg)) {
            assertTrue(texts(svg).contains(label), label + " is written beside its point");
        }
        assertTrue(section.getTextContent().contains("Not plotted (no circuit reached the target, or no validation loss): d256."));
        // s256's controls at 0.15 on bracket_counting: inverted 2000 edges, nonsense 1500; ODD has neither
        assertEquals(1, withClass(svg, "g", "inverted").size());
        assertEquals(1, withClass(svg, "g", "nonsense").size());
        assertTrue(withClass(svg, "g", "inverted").get(0).getTextContent().contains("E 4 (d256) inverted-task control: 2,000 edges over 1 task"));
        // s256's own tasks at 0.15: 64, 16 and 50 edges
        Element table = byId(parse(page), "frontier-table");
        assertTrue(table.getTextContent().contains("E 4 (d256)1.912" + ReportFormat.mean(Math.cbrt(64.0 * 16 * 50)) + "3 tasks"));
    }

    @Test
    void figure3UsesTheCommonTasksWhenThereAreEnough() throws Exception {
        Experiment e = ExperimentSample.sample();
        List<TaskResult> tasks = new ArrayList<>();
        for (TaskResult t : e.tasks()) {
            if (t.task().equals("bracket_counting")) {
                t = withCircuits(t, "d256", List.of(c(0.15, 100, 512, null)));
            } else if (t.task().equals(ExperimentSample.ODD)) {
                t = withCircuits(withCircuits(t, "d256", List.of(c(0.15, 20, 64, null))), "s128", List.of(c(0.15, 20, 32, null)));
            }
            tasks.add(t);
        }
        Map<String, List<Circuit>> all = new LinkedHashMap<>();
        for (String id : List.of("s128", "s256", "d128", "d256")) {
            all.put(id, List.of(c(0.15, 10, id.equals("d256") ? 128 : 40, null)));
        }
        tasks.add(ExperimentSample.task("extra", Map.of("s128", 0.01, "s256", 0.01, "d128", 0.01, "d256", 0.01), all, List.of()));
        String page = ReportHtml.render(with(e, e.models(), e.pairings(), tasks));
        Element section = byId(parse(page), "frontier");
        Element svg = (Element) section.getElementsByTagNameNS(Svg.NS, "svg").item(0);
        assertTrue(texts(svg).contains("common tasks (3)"));
        assertFalse(page.contains("each model's own tasks"));
        assertEquals(List.of("E 2 (d128)", "E 4 (d256)", "d128", "d256"), pointModels(svg));
        assertTrue(section.getTextContent().contains("over the 3 tasks every model reached it on (bracket_counting, "
                + ExperimentSample.ODD + ", extra)"));
        // d256 over the common tasks: 512, 64 and 128 edges, geometric mean 2^(22/3) = 161.3
        assertTrue(byId(parse(page), "frontier-table").getTextContent().contains("d2561.7001613 tasks"));
        assertEquals(2, section.getElementsByTagNameNS(Svg.NS, "polyline").getLength(), "a frontier line per family");
    }

    @Test
    void figure2HasASectionPerPairingWithItsRatiosAtEachTarget() throws Exception {
        Experiment e = ExperimentSample.sample();
        Document d = parse(ReportHtml.render(e));
        List<Element> pairings = withClass(byId(d, "fig2"), "div", "pairing");
        assertEquals(2, pairings.size());
        assertEquals("E 2 (d128) vs its loss-matched partner d256", pairings.get(0).getElementsByTagName("h3").item(0).getTextContent());
        assertEquals("E 4 (d256) vs its loss-matched partner d128", pairings.get(1).getElementsByTagName("h3").item(0).getTextContent());
        for (Element p : pairings) {
            assertEquals(1, p.getElementsByTagNameNS(Svg.NS, "svg").getLength(), "a plot per pairing");
            assertFalse(p.getTextContent().contains("bracket_brace"), "the clashing task is left out of the numbers");
        }
        List<Element> totals = withClass(pairings.get(1), "tr", "total");
        assertEquals(2, totals.size(), "edge ratio and node ratio");
        Pairing head = e.headline();
        List<String> edges = new ArrayList<>(), nodes = new ArrayList<>();
        for (double target : e.targets()) {
            Comparison.Ratio er = Comparison.edgeRatio(e, head, target), nr = Comparison.nodeRatio(e, head, target);
            edges.add(ReportFormat.ratioText(er.geoMean()) + " over " + ReportFormat.tasks(er.tasks()));
            nodes.add(ReportFormat.ratioText(nr.geoMean()) + " over " + ReportFormat.tasks(nr.tasks()));
        }
        assertEquals(List.of("13.15× over 3 tasks", "11.31× over 2 tasks", "25.00× over 1 task"), edges, "0.3: cbrt(22.5 · 100/12 · 400/33)");
        assertEquals(edges, cells(totals.get(0)).subList(1, 4));
        assertEquals(nodes, cells(totals.get(1)).subList(1, 4));
        assertEquals("6.32× over 2 tasks", nodes.get(1));
        // per task: kept nodes / edges of both, linked when written, and the ratio
        String page = ReportHtml.render(e);
        assertTrue(page.contains("<a href=\"circuits/s256/bracket_counting/t0.15\">30 / 64</a>"));
        assertTrue(page.contains("<a href=\"circuits/d128/bracket%20counting/t0.15\">300 / 1,024</a>"));
        assertTrue(page.contains("16.00×") && page.contains("8.00×") && page.contains("22.50×") && page.contains("not reached"));
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

        Experiment e = ExperimentSample.sample();
        List<TaskResult> tasks = new ArrayList<>(e.tasks());
        List<Circuit> sparse = new ArrayList<>(tasks.get(0).circuits("s256"));
        sparse.set(1, sparse.get(1).withView("/abs/view.html", null));
        tasks.set(0, withCircuits(tasks.get(0), "s256", sparse));
        assertFalse(ReportHtml.render(with(e, e.models(), e.pairings(), tasks)).contains("class=\"view\""), "an absolute view path is not linked");
    }

    @Test
    void solvedGridMarksSolvedCellsShowsUnsolvedLossesAndTheClash() throws Exception {
        Experiment e = ExperimentSample.sample();
        Element grid = byId(parse(ReportHtml.render(e)), "solved-grid");
        NodeList rows = grid.getElementsByTagName("tr");
        assertEquals(List.of("task", "E 2 (d128)", "E 4 (d256)", "d128", "d256"), cells((Element) rows.item(0)));
        Map<String, List<String>> byTask = new LinkedHashMap<>();
        for (int i = 1; i < rows.getLength(); i++) {
            List<String> c = cells((Element) rows.item(i));
            byTask.put(c.get(0), c.subList(1, c.size()));
        }
        assertEquals(List.of("✓", "✓", "✓", "✓"), byTask.get("bracket_counting"));
        assertEquals(List.of("0.300", "✓", "✓", "✓"), byTask.get(ExperimentSample.ODD));
        assertEquals(List.of("0.500", "✓", "✓", "0.500"), byTask.get("var_swap"));
        assertEquals(List.of("0.700", "0.600", "✓", "✓"), byTask.get("unsolved_task"));
        String clash = e.tasks().get(4).tokenizerClash();
        assertEquals(List.of("tokenizer clash: " + clash), byTask.get("bracket_brace"), "the clash across the row, not four ✓");
        assertEquals(List.of("1 of 5", "3 of 5", "4 of 5", "3 of 5"), byTask.get("solved"));
    }

    @Test
    void lossGapNamesALooseMatchAndTheClosestDenseWidth() throws Exception {
        Experiment e = ExperimentSample.sample();
        List<List<String>> rows = tableRows(byId(parse(ReportHtml.render(e)), "gap-table"));
        // s128 (2.05) with d256 (1.70): (1.70 − 2.05) / 2.05 = −17.1%; d128 (1.905) is closer, −7.1%
        assertEquals(List.of("E 2 (d128)", "2.050", "d256", "1.700", "−17.1%",
                "loose: the closest dense width is d128, 7.1% away, not the partner"), rows.get(1));
        // s256 (1.912) with d128 (1.905): −0.4%
        assertEquals(List.of("E 4 (d256)", "1.912", "d128", "1.905", "−0.4%", "matched (within 2.0%)"), rows.get(2));

        Experiment closest = with(e, e.models(), List.of(new Pairing("s128", "d128")), e.tasks());
        List<List<String>> one = tableRows(byId(parse(ReportHtml.render(closest)), "gap-table"));
        assertEquals("loose: no dense width is within 2.0%; the closest is d128 (the partner), 7.1% away", one.get(1).get(5));
    }

    @Test
    void seedSpreadAppearsOnlyWithASecondSeed() throws Exception {
        Experiment e = twoSeeds();
        String page = ReportHtml.render(e);
        Document d = parse(page);
        assertNotNull(byId(d, "seeds"));
        assertTrue(page.indexOf("<section id=\"seeds\"") > page.indexOf("<section id=\"gap\""));
        List<List<String>> rows = tableRows(byId(d, "seed-table"));
        assertEquals(3, rows.size(), "header, sparse E 4, dense d128: the other widths have one seed");
        // the second seed's ratio at 0.15: sqrt(512/64 · 64/16) = sqrt(32) = 5.66×; the first's is 11.31×
        assertEquals(List.of("sparse E 4 (d256)", "0, 1", "1.912 – 1.950", "5.66× – 11.31×",
                "seed 0: 11.31× over 2 tasks; seed 1: 5.66× over 2 tasks"), rows.get(1));
        assertEquals(List.of("dense d128", "0, 1", "1.905 – 1.920", "–", "–"), rows.get(2));
        assertEquals(3, withClass(byId(d, "fig2"), "div", "pairing").size());
        assertTrue(page.contains("E 4 (d256) s1"), "the second seed's label");
        // with one seed the section is left out
        assertFalse(ReportHtml.render(ExperimentSample.sample()).contains("Seed spread"));
    }

    @Test
    void notTrustworthyVerdictBelongsToTheRightCircuit() throws Exception {
        List<List<String>> rows = tableRows(byId(parse(ReportHtml.render(ExperimentSample.sample())), "controls-table"));
        assertEquals(4, rows.size(), "header + 3 controls");
        List<String> bad = new ArrayList<>();
        for (List<String> row : rows.subList(1, rows.size())) {
            String verdict = row.get(row.size() - 1);
            if (verdict.equals("NOT TRUSTWORTHY")) {
                bad.add(row.get(1) + " / " + row.get(0));
            } else {
                assertEquals("trustworthy", verdict);
            }
            if (row.get(1).equals(ExperimentSample.ODD)) {
                assertEquals("n/a (single-target)", row.get(4));
            }
        }
        assertEquals(List.of(ExperimentSample.ODD + " / E 4 (d256)"), bad);
        assertEquals("d128", rows.get(3).get(0), "the models in the page's order");
        String page = ReportHtml.render(ExperimentSample.sample());
        assertTrue(page.contains("<td class=\"l bad verdict\">NOT TRUSTWORTHY</td>"), "styled as bad");
        assertTrue(page.contains("<td class=\"flag\" title=\"loss 0.150, full model 2.300\">reached, 12 / 20</td>"), "random init flags");
    }

    @Test
    void textIsEscaped() {
        String page = ReportHtml.render(ExperimentSample.sample());
        assertFalse(page.contains("<&>"));
        assertFalse(page.contains("\"q\""));
        assertFalse(page.contains("<python>"));
        assertFalse(page.contains("<out of time>"));
        assertFalse(page.contains("<circuits>"));
        assertTrue(page.contains("<td class=\"l\">set_or_string &lt;&amp;&gt; &quot;q&quot;</td>"), "in the tables");
        assertTrue(page.contains("<title>set_or_string &lt;&amp;&gt; &quot;q&quot;, E 4 (d256): 16 edges</title>"), "in a plot");
        assertTrue(page.contains("synthetic &lt;python&gt; &amp; friends"));
        assertTrue(page.contains("<li>Dense width 512 was skipped: &lt;out of time&gt; &amp; budget.</li>"), "notes shown");
        assertTrue(page.contains("<title>Sparse vs dense &lt;circuits&gt;</title>"));
        assertTrue(page.contains("(&#39;&quot;:&#39; is one token)"), "the clash text");
        assertEquals("a&#39;b\uFFFDc", Svg.esc("a'b\u0001c"));
    }

    @Test
    void emptyAndDegenerateExperimentsRender() throws Exception {
        Experiment empty = new Experiment(null, null, null, null, null, null, null, Double.NaN, Double.NaN, null, null);
        String page = ReportHtml.render(empty);
        parse(page);
        assertTrue(page.contains("id=\"edge-ratio\">n/a<"));
        assertTrue(page.contains("at target loss n/a: no sparse model with a loss-matched dense partner, over "
                + "<span id=\"edge-ratio-tasks\">0</span> of 0 tasks"));
        assertTrue(page.contains("<p class=\"nr\">No models.</p>") && page.contains("<p class=\"nr\">No tasks.</p>")
                && page.contains("<p class=\"nr\">No pairings.</p>"));
        assertEquals(3, svgs(page).size(), "Fig. 3, training curves, L0");
        for (String svg : svgs(page)) {
            assertTrue(svg.contains("no data"), svg);
        }
        assertEquals(page, ReportHtml.render(null));

        Model nanModel = new Model("only", "sparse", 64, 0, 0, Double.NaN, Double.POSITIVE_INFINITY,
                List.of(new double[] {0, Double.NaN}, new double[] {10, Double.POSITIVE_INFINITY}, new double[] {20, 3.0}),
                List.of(new double[] {Double.NaN, 2.0}), List.of(new double[] {5, 0.5}, new double[] {5, 0.5}), null);
        Model noId = new Model(null, null, 0, 0, 0, 1, 1, null, null, null, null);
        Map<String, List<Circuit>> circuits = new LinkedHashMap<>();
        circuits.put("only", List.of(new Circuit(0.15, true, 0, 0, 0.1, Double.NaN, "file:///etc/passwd")));
        circuits.put("missing", java.util.Arrays.asList(null, new Circuit(0.15, true, 3, 0, 0.1, Double.NaN, "/abs/path")));
        TaskResult zero = new TaskResult("t", null, circuits, null, null);
        TaskResult bare = new TaskResult(null, Map.of(), Map.of(), List.of(), "");
        Experiment one = new Experiment("one", "now", "m", Map.of(), java.util.Arrays.asList(nanModel, noId, null),
                java.util.Arrays.asList(new Pairing("only", "missing"), new Pairing(null, "only"), null),
                java.util.Arrays.asList(0.15, Double.NaN, null), 0.15, 0.1, java.util.Arrays.asList(zero, bare, null), null);
        String p2 = ReportHtml.render(one);
        parse(p2);
        svgs(p2).forEach(s -> assertFalse(s.contains("NaN") || s.contains("Infinity"), s));
        assertTrue(p2.contains("The pairing only with missing names a model that is not among the models."));
        assertFalse(p2.contains("href="), "absolute and scheme links are not written");
        assertTrue(p2.contains("<td class=\"nr\">n/a</td>"), "an unmeasured loss in the grid");
    }

    @Test
    void renderIsDeterministicLocaleFreeAndTheSameFromJson() {
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
        String b = ReportHtml.render(twoSeeds());
        assertEquals(b, ReportHtml.render(ExperimentJson.read(ExperimentJson.write(twoSeeds()))));
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

    /** {@code -Dreport.sample=/tmp/report-sample.html} writes the sample's page (and {@code ...-seeds.html} with two seeds) to look at. */
    @Test
    void writesTheSamplePageWhenAsked() throws Exception {
        String out = System.getProperty("report.sample");
        if (out != null && !out.isBlank()) {
            Files.writeString(Path.of(out), ReportHtml.render(ExperimentSample.sample()), StandardCharsets.UTF_8);
            Files.writeString(Path.of(out.replaceFirst("(\\.html)?$", "-seeds.html")), ReportHtml.render(twoSeeds()), StandardCharsets.UTF_8);
        }
    }

    // ---------------------------------------------------------------- fixtures and DOM helpers

    /**
     * The sample with a second seed of the headline pair: s256b (E 4, seed 1, loss 1.95) paired with d128b (seed 1,
     * loss 1.92); at 0.15 bracket_counting is 512 vs 64 edges and ODD 64 vs 16.
     */
    static Experiment twoSeeds() {
        Experiment e = ExperimentSample.sample();
        Model s = e.model("s256"), d = e.model("d128");
        Model s1 = new Model("s256b", "sparse", 256, s.params(), s.nonzeros(), 1.95, 400, s.trainCurve(), s.valCurve(), s.l0Curve(),
                reseeded(s.setup(), 1));
        Model d1 = new Model("d128b", "dense", 128, d.params(), d.nonzeros(), 1.92, 125, d.trainCurve(), d.valCurve(), d.l0Curve(),
                reseeded(d.setup(), 1));
        List<Model> models = new ArrayList<>(e.models());
        models.add(2, s1);
        models.add(d1);
        List<TaskResult> tasks = new ArrayList<>();
        for (TaskResult t : e.tasks()) {
            if (t.task().equals("bracket_counting")) {
                t = withCircuits(withCircuits(t, "s256b", List.of(c(0.15, 30, 64, null))), "d128b", List.of(c(0.15, 200, 512, null)));
            } else if (t.task().equals(ExperimentSample.ODD)) {
                t = withCircuits(withCircuits(t, "s256b", List.of(c(0.15, 10, 16, null))), "d128b", List.of(c(0.15, 20, 64, null)));
            }
            tasks.add(t);
        }
        List<Pairing> pairings = new ArrayList<>(e.pairings());
        pairings.add(new Pairing("s256b", "d128b"));
        return with(e, models, pairings, tasks);
    }

    private static Experiment.Setup reseeded(Experiment.Setup u, long seed) {
        return new Experiment.Setup(u.layers(), u.expansion(), seed, u.tokens(), u.forcedShare(), u.config());
    }

    static Experiment with(Experiment e, List<Model> models, List<Pairing> pairings, List<TaskResult> tasks) {
        return new Experiment(e.title(), e.createdUtc(), e.machine(), e.settings(), models, pairings, e.targets(), e.mainTarget(),
                e.solvedBelow(), tasks, e.notes());
    }

    /** The task with the model's circuits replaced (and a solved loss for a model it had none for). */
    static TaskResult withCircuits(TaskResult t, String modelId, List<Circuit> circuits) {
        Map<String, List<Circuit>> all = new LinkedHashMap<>(t.circuits());
        all.put(modelId, circuits);
        Map<String, Double> losses = new LinkedHashMap<>(t.losses());
        losses.putIfAbsent(modelId, 0.02);
        return new TaskResult(t.task(), losses, all, t.controls(), t.tokenizerClash());
    }

    static Element byId(Node root, String id) {
        for (Element el : withClass(root, "*", null)) {
            if (id.equals(el.getAttribute("id"))) {
                return el;
            }
        }
        return null;
    }

    /** Elements under {@code root} named {@code tag} ("*" for any) with {@code cls} among their classes (any when null). */
    static List<Element> withClass(Node root, String tag, String cls) {
        NodeList l = root instanceof Document d ? d.getElementsByTagNameNS("*", tag) : ((Element) root).getElementsByTagNameNS("*", tag);
        List<Element> out = new ArrayList<>();
        for (int i = 0; i < l.getLength(); i++) {
            Element el = (Element) l.item(i);
            if (cls == null || List.of(el.getAttribute("class").split(" ")).contains(cls)) {
                out.add(el);
            }
        }
        return out;
    }

    /** The text of a row's cells, header or data. */
    static List<String> cells(Element row) {
        List<String> out = new ArrayList<>();
        NodeList kids = row.getChildNodes();
        for (int i = 0; i < kids.getLength(); i++) {
            if (kids.item(i) instanceof Element cell) {
                out.add(cell.getTextContent());
            }
        }
        return out;
    }

    static List<List<String>> tableRows(Element table) {
        List<List<String>> out = new ArrayList<>();
        for (Element row : withClass(table, "tr", null)) {
            out.add(cells(row));
        }
        return out;
    }

    /** The model labels of Fig. 3's points, from their hover titles, in drawing order. */
    static List<String> pointModels(Element svg) {
        List<String> out = new ArrayList<>();
        for (Element point : withClass(svg, "circle", "model-point")) {
            out.add(point.getTextContent().replaceFirst(": .*", ""));
        }
        return out;
    }

    static List<String> texts(Element svg) {
        List<String> out = new ArrayList<>();
        withClass(svg, "text", null).forEach(t -> out.add(t.getTextContent()));
        return out;
    }
}
