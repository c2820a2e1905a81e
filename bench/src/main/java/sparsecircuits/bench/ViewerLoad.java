package sparsecircuits.bench;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WindowType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import sparsecircuits.model.gpt.GptConfig;
import sparsecircuits.model.json.Json;
import sparsecircuits.pruning.circuit.Circuit;
import sparsecircuits.pruning.export.CircuitGraph;
import sparsecircuits.pruning.nodes.NodeLocation;
import sparsecircuits.pruning.viewer.ModelJs;
import sparsecircuits.pruning.viewer.ViewerHtml;

/**
 * The viewer at scale (the target: a circuit of 1,000 nodes and 20,000 edges opens and is interactive in
 * under 2 s in headless Chromium, and its page is under 5 MB). Builds a seeded synthetic {@link CircuitGraph} of
 * exactly 1,000 nodes and 20,000 edges over a 4-layer, d_model 256 config (16 heads × 16, d_mlp 1024), nodes at all 8
 * locations of every layer and edges of all 6 weight types; renders it with {@link ViewerHtml#render} (live
 * ablation and examples off); then opens it {@code --runs} times in Debian's headless chromium (a fresh tab each
 * time) and measures in the page: navigation start to {@code window.viewerReadyMs}, to the first frame after it,
 * the wall time from {@code driver.get()} to {@code data-ready} seen, a node click until the inspector is filled,
 * and a |weight|-threshold change. Writes results.json and results.md to {@code --out}.
 *
 * <p>Usage: {@code ViewerLoad [--runs N] [--out DIR] [--page FILE] [--seed N] [--commit ID]}; run through bench/run-viewer-load.sh.
 */
public final class ViewerLoad {
    static final int NODES = 1_000, EDGES = 20_000, LAYERS = 4, D_MODEL = 256;
    /** Nodes per layer and location (250 per layer, 1,000 in all): MLP neurons the most, as in pruned circuits. */
    static final Map<String, Integer> PER_LOCATION = new LinkedHashMap<>();
    /** The 6 weight-edge types: from location, to location. */
    static final String[][] TYPES = {
        {"c_attn.q", "attn.act_in", "attn.q"}, {"c_attn.k", "attn.act_in", "attn.k"}, {"c_attn.v", "attn.act_in", "attn.v"},
        {"attn.c_proj", "attn.v", "attn.resid_delta"}, {"c_fc", "mlp.act_in", "mlp.post_act"}, {"mlp.c_proj", "mlp.post_act", "mlp.resid_delta"}};

    static {
        PER_LOCATION.put("attn.act_in", 30);
        PER_LOCATION.put("attn.q", 25);
        PER_LOCATION.put("attn.k", 25);
        PER_LOCATION.put("attn.v", 30);
        PER_LOCATION.put("attn.resid_delta", 30);
        PER_LOCATION.put("mlp.act_in", 30);
        PER_LOCATION.put("mlp.post_act", 50);
        PER_LOCATION.put("mlp.resid_delta", 30);
    }

    static final Path CHROMIUM = Path.of("/usr/bin/chromium"), CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    /** The flags of cli's ViewerBrowserIT. */
    static final List<String> FLAGS = List.of("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic", "--window-size=1400,1000");
    /**
     * Injected before the page's own script (CDP Page.addScriptToEvaluateOnNewDocument): from the first animation
     * frame on, waits for data-ready and records the first frame after it (a setTimeout after that frame's
     * requestAnimationFrame, i.e. once the frame with the drawn circuit has been produced).
     */
    static final String FRAME_PROBE = """
            (function () {
              function tick() {
                var d = document.documentElement;
                if (d && d.getAttribute('data-ready') === 'true') {
                  var raf = performance.now();
                  setTimeout(function () { window.__benchFrameAfterReady = {raf: raf, after: performance.now()}; }, 0);
                  return;
                }
                requestAnimationFrame(tick);
              }
              requestAnimationFrame(tick);
            })();
            """;
    /** A node click, timed in the page: the handler, plus forced style/layout, plus the next frame. */
    static final String CLICK = """
            var id = arguments[0], done = arguments[arguments.length - 1];
            var g = document.querySelector('g.node[data-id="' + id + '"]'), body = document.getElementById('inspector-body');
            var t0 = performance.now();
            g.dispatchEvent(new MouseEvent('click', {bubbles: true}));
            var t1 = performance.now(), filled = body.textContent.indexOf(id) >= 0;
            void body.offsetHeight; void document.getElementById('graph').getBoundingClientRect();
            var t2 = performance.now();
            requestAnimationFrame(function () { setTimeout(function () {
              done({handler: t1 - t0, layout: t2 - t0, frame: performance.now() - t0, ok: filled});
            }, 0); });
            """;
    /** A threshold change ('input' on #threshold), timed in the page as {@link #CLICK}; returns the edges shown. */
    static final String THRESHOLD = """
            var v = arguments[0], done = arguments[arguments.length - 1];
            var thr = document.getElementById('threshold'), shown = document.getElementById('edge-shown');
            var t0 = performance.now();
            thr.value = String(v);
            thr.dispatchEvent(new Event('input', {bubbles: true}));
            var t1 = performance.now(), n = parseInt(shown.textContent, 10);
            void shown.offsetHeight; void document.getElementById('graph').getBoundingClientRect();
            var t2 = performance.now();
            requestAnimationFrame(function () { setTimeout(function () {
              done({handler: t1 - t0, layout: t2 - t0, frame: performance.now() - t0, shown: n});
            }, 0); });
            """;

    /** Selenium warns that it has no CDP implementation for this Chromium; the frame probe needs none (held: JUL keeps loggers weakly). */
    static final java.util.logging.Logger DEVTOOLS_LOG = java.util.logging.Logger.getLogger("org.openqa.selenium.devtools");

    private ViewerLoad() {
    }

    public static void main(String[] args) throws Exception {
        int runs = 5;
        long seed = 1;
        String commit = "?";
        String stamp = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC).format(Instant.now());
        Path out = Path.of("bench", "results", stamp + "-viewer-load");
        Path page = Path.of("bench", "target", "viewer-load", "viewer-" + NODES + "n-" + EDGES + "e.html");
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (i + 1 >= args.length) throw new IllegalArgumentException(a + " needs a value");
            switch (a) {
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                case "--seed" -> seed = Long.parseLong(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                case "--page" -> page = Path.of(args[++i]);
                case "--commit" -> commit = args[++i];
                default -> throw new IllegalArgumentException("unknown argument " + a + " (--runs N, --out DIR, --page FILE, --seed N, --commit ID)");
            }
        }
        DEVTOOLS_LOG.setLevel(java.util.logging.Level.SEVERE);
        if (runs < 1) throw new IllegalArgumentException("--runs must be at least 1");
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
            System.err.println("viewer-load: needs Debian's chromium and chromium-driver (" + CHROMIUM + ", " + CHROMEDRIVER
                    + "): apt-get install chromium chromium-driver");
            System.exit(2);
        }
        Files.createDirectories(out);
        Files.createDirectories(page.toAbsolutePath().getParent());

        // the page
        GptConfig config = GptConfig.standard(2048, LAYERS, D_MODEL, 128);
        long t0 = System.nanoTime();
        CircuitGraph g = graph(config, seed);
        long t1 = System.nanoTime();
        String html = ViewerHtml.render(g, g.run(), "model.safetensors", sha256("viewer-load seed " + seed),
                ModelJs.off("off for the load benchmark"), Map.of("enabled", false, "reason", "off for the load benchmark"));
        long t2 = System.nanoTime();
        byte[] bytes = html.getBytes(StandardCharsets.UTF_8);
        Files.write(page, bytes);
        System.out.printf(Locale.ROOT, "viewer-load: %d nodes, %d edges; page %s: %d bytes (%.2f MB), rendered in %.0f ms%n",
                g.nodes().size(), g.links().size(), page, bytes.length, bytes.length / 1e6, (t2 - t1) / 1e6);

        // the node to click: the one with the most edges (the inspector lists and highlights them)
        Map<String, Integer> degree = new LinkedHashMap<>();
        for (CircuitGraph.Link l : g.links()) {
            degree.merge(l.source(), 1, Integer::sum);
            degree.merge(l.target(), 1, Integer::sum);
        }
        String clickId = degree.entrySet().stream().max(Map.Entry.<String, Integer>comparingByValue()).orElseThrow().getKey();
        float[] absW = new float[g.links().size()];
        for (int i = 0; i < absW.length; i++) absW[i] = Math.abs(g.links().get(i).weight());
        Arrays.sort(absW);
        double thrValue = absW[absW.length / 2]; // about half the edges hidden

        // the browser
        Map<String, Object> machine = machine();
        String load0 = loadavg();
        Path profile = Files.createTempDirectory("viewer-load-profile");
        System.setProperty(ChromeDriverService.CHROME_DRIVER_EXE_PROPERTY, CHROMEDRIVER.toString());
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER.toString())).usingAnyFreePort().build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toString());
        options.addArguments(FLAGS);
        options.addArguments("--user-data-dir=" + profile);
        ChromeDriver driver = new ChromeDriver(service, options);
        List<Map<String, Object>> perRun = new ArrayList<>();
        boolean probe = true;
        try {
            driver.manage().timeouts().scriptTimeout(java.time.Duration.ofSeconds(60)).pageLoadTimeout(java.time.Duration.ofSeconds(120));
            machine.put("chromium", String.valueOf(driver.getCapabilities().getBrowserVersion()));
            Object chrome = driver.getCapabilities().getCapability("chrome");
            if (chrome instanceof Map<?, ?> m) machine.put("chromedriver", String.valueOf(m.get("chromedriverVersion")));
            machine.put("chromium_flags", String.join(" ", FLAGS));
            String url = page.toAbsolutePath().toUri().toString();
            JavascriptExecutor js = driver;
            for (int run = 1; run <= runs; run++) {
                String previous = driver.getWindowHandle();
                driver.switchTo().newWindow(WindowType.TAB);
                String tab = driver.getWindowHandle();
                driver.switchTo().window(previous).close();
                driver.switchTo().window(tab);
                if (probe) {
                    try {
                        driver.executeCdpCommand("Page.addScriptToEvaluateOnNewDocument", Map.of("source", FRAME_PROBE));
                    } catch (RuntimeException e) {
                        probe = false;
                        System.err.println("viewer-load: no CDP frame probe (" + e.getMessage().lines().findFirst().orElse("") + ")");
                    }
                }
                long s = System.nanoTime();
                driver.get(url);
                while (!"true".equals(js.executeScript("return document.documentElement.getAttribute('data-ready');"))) {
                    if (System.nanoTime() - s > 120e9) throw new IllegalStateException("the page never set data-ready");
                    Thread.sleep(1);
                }
                double wall = (System.nanoTime() - s) / 1e6;
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("run", (long) run);
                r.put("wall_get_to_ready_ms", wall);
                Object frame = null;
                for (long w = System.nanoTime(); probe && frame == null && System.nanoTime() - w < 30e9; ) {
                    frame = js.executeScript("return window.__benchFrameAfterReady || null;");
                    if (frame == null) Thread.sleep(2);
                }
                @SuppressWarnings("unchecked")
                Map<String, Object> nav = (Map<String, Object>) js.executeScript("""
                        var n = performance.getEntriesByType('navigation')[0] || {}, p = {};
                        performance.getEntriesByType('paint').forEach(function (e) { p[e.name] = e.startTime; });
                        return {ready: window.viewerReadyMs, responseEnd: n.responseEnd, domInteractive: n.domInteractive,
                          domContentLoaded: n.domContentLoadedEventEnd, load: n.loadEventEnd,
                          fcp: p['first-contentful-paint'] == null ? null : p['first-contentful-paint'],
                          nodes: document.querySelectorAll('g.node[data-id]').length, svgElements: document.querySelectorAll('#graph *').length,
                          nodeCount: document.getElementById('node-count').textContent, edgeCount: document.getElementById('edge-count').textContent};
                        """);
                r.put("nav_to_ready_ms", num(nav.get("ready")));
                if (frame instanceof Map<?, ?> f) r.put("nav_to_first_frame_after_ready_ms", num(f.get("after")));
                r.put("nav_to_dom_content_loaded_ms", num(nav.get("domContentLoaded")));
                r.put("nav_to_load_ms", num(nav.get("load")));
                r.put("nav_to_first_contentful_paint_ms", num(nav.get("fcp")));
                r.put("svg_elements", (long) num(nav.get("svgElements")));
                if (!String.valueOf(NODES).equals(nav.get("nodeCount")) || !String.valueOf(EDGES).equals(nav.get("edgeCount"))
                        || ((Number) nav.get("nodes")).intValue() != NODES) {
                    throw new IllegalStateException("the page does not show the circuit: " + nav);
                }
                Map<?, ?> click = (Map<?, ?>) js.executeAsyncScript(CLICK, clickId);
                if (!Boolean.TRUE.equals(click.get("ok"))) throw new IllegalStateException("the inspector does not show " + clickId + ": " + click);
                r.put("click_handler_ms", num(click.get("handler")));
                r.put("click_handler_layout_ms", num(click.get("layout")));
                r.put("click_to_next_frame_ms", num(click.get("frame")));
                Map<?, ?> up = (Map<?, ?>) js.executeAsyncScript(THRESHOLD, thrValue);
                int shown = ((Number) up.get("shown")).intValue();
                if (shown <= 0 || shown >= EDGES) throw new IllegalStateException("threshold " + thrValue + " shows " + shown + " edges");
                r.put("threshold_edges_shown", (long) shown);
                r.put("threshold_handler_ms", num(up.get("handler")));
                r.put("threshold_handler_layout_ms", num(up.get("layout")));
                r.put("threshold_to_next_frame_ms", num(up.get("frame")));
                Map<?, ?> down = (Map<?, ?>) js.executeAsyncScript(THRESHOLD, 0);
                if (((Number) down.get("shown")).intValue() != EDGES) throw new IllegalStateException("threshold 0 shows " + down.get("shown"));
                r.put("threshold_reset_handler_ms", num(down.get("handler")));
                r.put("threshold_reset_to_next_frame_ms", num(down.get("frame")));
                r.replaceAll((k, v) -> v instanceof Double d && !Double.isFinite(d) ? null : v); // not measured (e.g. no paint entry): null
                perRun.add(r);
                System.out.printf(Locale.ROOT, "run %d: ready %.0f ms (first frame after %.0f ms, wall %.0f ms); click %.1f ms (frame %.1f); "
                                + "threshold %.1f ms (frame %.1f, %d edges shown)%n", run, (double) r.get("nav_to_ready_ms"),
                        r.get("nav_to_first_frame_after_ready_ms") instanceof Double f ? f : Double.NaN, wall, (double) r.get("click_handler_ms"),
                        (double) r.get("click_to_next_frame_ms"), (double) r.get("threshold_handler_ms"),
                        (double) r.get("threshold_to_next_frame_ms"), shown);
            }
        } finally {
            driver.quit();
            deleteTree(profile);
        }
        machine.put("loadavg_before", load0);
        machine.put("loadavg_after", loadavg());

        // results
        Map<String, Object> res = new LinkedHashMap<>();
        res.put("schema", "sparse-circuits/bench-viewer-load/1");
        res.put("utc", DateTimeFormatter.ISO_INSTANT.format(Instant.now()));
        res.put("commit", commit);
        res.put("machine", machine);
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("nodes", (long) g.nodes().size());
        p.put("edges", (long) g.links().size());
        p.put("config", "layers " + config.nLayer() + ", d_model " + config.dModel() + ", heads " + config.nHead() + " x d_head "
                + config.dHead() + ", d_mlp " + config.dMlp());
        p.put("nodes_per_layer_and_location", new LinkedHashMap<>(PER_LOCATION.entrySet().stream()
                .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, e -> (long) e.getValue(), (a, b) -> a, LinkedHashMap::new))));
        p.put("seed", seed);
        p.put("live_ablation", false);
        p.put("examples", false);
        p.put("file", page.toString());
        p.put("bytes", (long) bytes.length);
        p.put("sha256", sha256(bytes));
        p.put("graph_build_ms", (t1 - t0) / 1e6);
        p.put("render_ms", (t2 - t1) / 1e6);
        p.put("clicked_node", clickId);
        p.put("clicked_node_degree", (long) degree.get(clickId));
        p.put("threshold_value", thrValue);
        p.put("svg_elements", perRun.get(0).get("svg_elements"));
        res.put("page", p);
        res.put("runs", (long) runs);
        res.put("frame_probe", probe);
        Map<String, Object> summary = new LinkedHashMap<>();
        for (String k : perRun.get(0).keySet()) {
            if (k.equals("run") || k.equals("threshold_edges_shown") || k.equals("svg_elements")) continue;
            double[] v = perRun.stream().map(r -> r.get(k)).filter(o -> o instanceof Double).mapToDouble(o -> (Double) o).toArray();
            if (v.length == 0) continue;
            Map<String, Object> st = new LinkedHashMap<>();
            st.put("median", median(v));
            st.put("max", Arrays.stream(v).max().orElseThrow());
            st.put("min", Arrays.stream(v).min().orElseThrow());
            st.put("runs_measured", (long) v.length);
            summary.put(k, st);
        }
        res.put("summary", summary);
        res.put("per_run", perRun);
        // open = the later of the wall time to ready and the first frame after ready (the wall time alone without the probe)
        double openMedian = later(stat(summary, "wall_get_to_ready_ms", "median"), stat(summary, "nav_to_first_frame_after_ready_ms", "median"));
        double openMax = later(stat(summary, "wall_get_to_ready_ms", "max"), stat(summary, "nav_to_first_frame_after_ready_ms", "max"));
        Map<String, Object> target = new LinkedHashMap<>();
        target.put("file_under_5MB", bytes.length < 5_000_000);
        target.put("open_median_ms", openMedian);
        target.put("open_max_ms", openMax);
        target.put("open_under_2s_median", openMedian < 2000);
        target.put("open_under_2s_every_run", openMax < 2000);
        res.put("target", target);
        Files.writeString(out.resolve("results.json"), Json.writePretty(res) + "\n");
        String md = markdown(res, summary, machine, p, runs, openMedian, openMax, bytes.length);
        Files.writeString(out.resolve("results.md"), md);
        System.out.print(md);
        System.out.println("results in " + out);
    }

    /** The synthetic circuit: {@link #PER_LOCATION} nodes at random channels of every layer, 5,000 random distinct edges per layer. */
    static CircuitGraph graph(GptConfig config, long seed) {
        Random r = new Random(seed);
        Map<String, float[]> masks = new LinkedHashMap<>(), means = new LinkedHashMap<>();
        Map<String, int[]> chosen = new LinkedHashMap<>();
        List<Object> deltas = new ArrayList<>();
        long total = 0;
        for (NodeLocation l : NodeLocation.of(config)) {
            total += l.width();
            String loc = l.hook().substring(l.hook().indexOf('.') + 1);
            int n = PER_LOCATION.get(loc);
            int[] ch = sample(l.width(), n, r);
            Arrays.sort(ch);
            float[] mask = new float[l.width()], mean = new float[l.width()];
            for (int c : ch) mask[c] = 1f;
            for (int c = 0; c < mean.length; c++) mean[c] = (float) (0.5 * r.nextGaussian());
            masks.put(l.hook(), mask);
            means.put(l.hook(), mean);
            chosen.put(l.hook(), ch);
            for (int c : ch) {
                double d = Math.abs(r.nextGaussian()) * 0.05 * (r.nextInt(5) == 0 ? -1 : 1);
                deltas.add(Map.of("location", l.hook(), "channel", (long) c, "delta", d));
            }
        }
        int perLayer = EDGES / LAYERS;
        long[] cap = new long[TYPES.length];
        long capSum = 0;
        for (int t = 0; t < TYPES.length; t++) {
            cap[t] = (long) PER_LOCATION.get(TYPES[t][1]) * PER_LOCATION.get(TYPES[t][2]);
            capSum += cap[t];
        }
        int[] want = new int[TYPES.length]; // largest remainder: exactly perLayer
        Integer[] order = new Integer[TYPES.length];
        int got = 0;
        for (int t = 0; t < TYPES.length; t++) {
            want[t] = (int) (perLayer * cap[t] / capSum);
            got += want[t];
            order[t] = t;
        }
        long cs = capSum;
        Arrays.sort(order, Comparator.comparingDouble(t -> -((double) perLayer * cap[t] / cs - want[t])));
        for (int i = 0; got < perLayer; i++, got++) want[order[i % order.length]]++;
        List<Circuit.Edge> edges = new ArrayList<>(EDGES);
        for (int layer = 0; layer < LAYERS; layer++) {
            for (int t = 0; t < TYPES.length; t++) {
                int[] from = chosen.get(layer + "." + TYPES[t][1]), to = chosen.get(layer + "." + TYPES[t][2]);
                for (int k : sample(from.length * to.length, want[t], r)) {
                    float w = (float) (Math.exp(0.8 * r.nextGaussian()) * 0.05 * (r.nextBoolean() ? 1 : -1));
                    edges.add(new Circuit.Edge(layer + "." + TYPES[t][1], from[k / to.length], layer + "." + TYPES[t][2], to[k % to.length], w, TYPES[t][0]));
                }
            }
        }
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("task", "viewer_load_synthetic");
        run.put("ablation", "mean");
        run.put("k", (long) NODES);
        run.put("nodes_total", total);
        run.put("target", 0.15);
        run.put("task_loss_full", 0.05);
        run.put("task_loss_circuit", 0.14);
        run.put("node_ablation_deltas", deltas);
        List<Object> bisection = new ArrayList<>();
        for (long k = 64; k <= 8192; k *= 2) bisection.add(Map.of("k", k, "task_loss", 0.05 + 2.0 / Math.sqrt(k)));
        run.put("bisection", bisection);
        run.put("controls", Map.of("trustworthy", true));
        run.put("settings", Map.of("seed", seed));
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("run", run);
        CircuitGraph g = CircuitGraph.of(config, json, masks, means, edges, Map.of());
        if (g.nodes().size() != NODES || g.links().size() != EDGES) {
            throw new IllegalStateException("built " + g.nodes().size() + " nodes and " + g.links().size() + " edges");
        }
        return g;
    }

    /** {@code n} distinct ints of [0, range) (a partial Fisher-Yates shuffle). */
    static int[] sample(int range, int n, Random r) {
        if (n > range) throw new IllegalArgumentException(n + " of " + range);
        int[] a = new int[range];
        for (int i = 0; i < range; i++) a[i] = i;
        for (int i = 0; i < n; i++) {
            int j = i + r.nextInt(range - i);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
        return Arrays.copyOf(a, n);
    }

    static String markdown(Map<String, Object> res, Map<String, Object> summary, Map<String, Object> machine, Map<String, Object> p,
                           int runs, double openMedian, double openMax, int bytes) {
        StringBuilder b = new StringBuilder();
        b.append("# Viewer at scale: ").append(p.get("nodes")).append(" nodes, ").append(p.get("edges")).append(" edges in headless Chromium\n\n");
        b.append("- ").append(res.get("utc")).append(", commit ").append(res.get("commit")).append("; CPU: ").append(machine.get("cpu")).append(" (").append(machine.get("cores"))
                .append(" cores); Chromium ").append(machine.get("chromium")).append(" (chromedriver ")
                .append(String.valueOf(machine.get("chromedriver")).split(" ")[0]).append("); JDK ").append(machine.get("jdk")).append('\n');
        b.append("- load average before / after: ").append(machine.get("loadavg_before")).append(" / ").append(machine.get("loadavg_after")).append('\n');
        b.append("- page: ").append(p.get("config")).append("; nodes at all 8 locations of every layer, edges of all 6 weight types; seed ")
                .append(p.get("seed")).append("; live ablation and examples off; ").append(p.get("svg_elements")).append(" SVG elements in #graph\n");
        b.append(String.format(Locale.ROOT, "- file: %,d bytes (%.2f MB); rendered by ViewerHtml.render in %.0f ms%n", bytes, bytes / 1e6,
                (Double) p.get("render_ms")));
        b.append("- ").append(runs).append(" loads, each in a fresh tab; click on ").append(p.get("clicked_node")).append(" (")
                .append(p.get("clicked_node_degree")).append(" edges, the most); threshold set to the median |weight| ")
                .append(String.format(Locale.ROOT, "%.4f", (Double) p.get("threshold_value"))).append(", then back to 0\n\n");
        b.append("| measure | median ms | max ms | min ms |\n|---|---|---|---|\n");
        String[][] rows = {
            {"nav_to_ready_ms", "navigation start → `window.viewerReadyMs` (page initialised)"},
            {"nav_to_first_frame_after_ready_ms", "navigation start → first frame after ready (drawn)"},
            {"wall_get_to_ready_ms", "wall: `driver.get()` → `data-ready` seen (WebDriver)"},
            {"nav_to_first_contentful_paint_ms", "navigation start → first contentful paint"},
            {"click_handler_ms", "node click: handler (inspector filled)"},
            {"click_handler_layout_ms", "node click: handler + style/layout"},
            {"click_to_next_frame_ms", "node click → next frame"},
            {"threshold_handler_ms", "threshold change (half the edges hidden): handler"},
            {"threshold_to_next_frame_ms", "threshold change → next frame"},
            {"threshold_reset_handler_ms", "threshold back to 0 (all shown): handler"},
            {"threshold_reset_to_next_frame_ms", "threshold back to 0 → next frame"}};
        for (String[] row : rows) {
            if (!(summary.get(row[0]) instanceof Map<?, ?> s)) continue;
            long n = (Long) s.get("runs_measured");
            String label = n < runs ? row[1] + " (" + n + " of " + runs + " runs had it)" : row[1];
            b.append(String.format(Locale.ROOT, "| %s | %.1f | %.1f | %.1f |%n", label, (Double) s.get("median"), (Double) s.get("max"), (Double) s.get("min")));
        }
        b.append(String.format(Locale.ROOT, "%nTarget (open and interactive < 2 s, file < 5 MB): open = the later of the wall time to ready and the "
                        + "first frame after ready: median %.0f ms, max %.0f ms → %s; file %.2f MB → %s.%n", openMedian, openMax,
                openMax < 2000 ? "met on every run" : openMedian < 2000 ? "met at the median, not on every run" : "NOT met",
                bytes / 1e6, bytes < 5_000_000 ? "met" : "NOT met"));
        b.append("\nPer-run values and the machine: results.json. Rerun: `bash bench/run-viewer-load.sh [--runs N]`.\n");
        return b.toString();
    }

    static Map<String, Object> machine() throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        String cpu = "?";
        long processors = 0;
        Path info = Path.of("/proc/cpuinfo");
        if (Files.isReadable(info)) {
            for (String line : Files.readAllLines(info)) {
                if (line.startsWith("model name") && cpu.equals("?")) cpu = line.substring(line.indexOf(':') + 1).trim();
                if (line.startsWith("processor")) processors++;
            }
        }
        m.put("cpu", cpu);
        m.put("cores", (long) Runtime.getRuntime().availableProcessors());
        m.put("cpuinfo_processors", processors);
        m.put("jdk", System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ", " + System.getProperty("java.vm.name") + ")");
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        m.put("selenium", new org.openqa.selenium.BuildInfo().getReleaseLabel());
        m.put("chromium_version_output", command(CHROMIUM.toString(), "--version"));
        return m;
    }

    static String command(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String s = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            p.waitFor();
            return s;
        } catch (IOException e) {
            return "?";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "?";
        }
    }

    static String loadavg() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "?";
        }
    }

    static double num(Object o) {
        return o instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    static double stat(Map<String, Object> summary, String key, String which) {
        return summary.get(key) instanceof Map<?, ?> s && s.get(which) instanceof Double d ? d : Double.NaN;
    }

    static double later(double a, double b) {
        return Double.isNaN(b) ? a : Double.isNaN(a) ? b : Math.max(a, b);
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    static String sha256(String s) {
        return sha256(s.getBytes(StandardCharsets.UTF_8));
    }

    static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path q : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(q);
        } catch (IOException ignored) {
            // a profile file still held by the exiting browser
        }
    }
}
