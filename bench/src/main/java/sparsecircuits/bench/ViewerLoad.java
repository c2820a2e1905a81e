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
import sparsecircuits.autograd.param.Parameter;
import sparsecircuits.kernels.KernelProvider;
import sparsecircuits.model.gpt.Gpt;
import sparsecircuits.model.gpt.GptConfig;
import sparsecircuits.model.json.Json;
import sparsecircuits.pruning.circuit.Circuit;
import sparsecircuits.present.export.CircuitGraph;
import sparsecircuits.pruning.loss.TaskLoss;
import sparsecircuits.pruning.nodes.NodeMask;
import sparsecircuits.pruning.nodes.NodeMeans;
import sparsecircuits.pruning.trace.Tracer;
import sparsecircuits.present.viewer.Examples;
import sparsecircuits.pruning.nodes.NodeLocation;
import sparsecircuits.present.viewer.ModelJs;
import sparsecircuits.present.viewer.ViewerHtml;

/**
 * The viewer at scale (the target: a circuit of 1,000 nodes and 20,000 edges opens and is interactive in
 * under 2 s in headless Chromium, and its page is under 5 MB). Builds a seeded synthetic {@link CircuitGraph} of
 * exactly 1,000 nodes and 20,000 edges over a 4-layer, d_model 256 config (16 heads × 16, d_mlp 1024), nodes at all 8
 * locations of every layer and edges of all 6 weight types; renders two pages of it: "bare" ({@link ViewerHtml#render},
 * live ablation and examples off, no graph prompt) and "full" (the page a user gets, {@link #fullPage}: a seeded random
 * sparse model of the config under {@link ModelJs#MAX_NONZEROS}, examples by {@link Examples#compute}, live ablation by
 * {@link ModelJs#data}, a graph prompt); then opens both {@code --runs} times in Debian's headless chromium (a fresh tab
 * each time, alternating) and measures in the page: navigation start to {@code window.viewerReadyMs}, to the first
 * frame after it, the wall time from {@code driver.get()} to {@code data-ready} seen, a node click until the inspector
 * (full: and the examples panel) is filled, on the full page two live-ablation toggles (the first also computes the
 * circuit's baseline), and a |weight|-threshold change. Writes results.json and results.md to {@code --out}.
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
            var ex = document.getElementById('examples-body'), et = ex ? ex.textContent : '';
            var examples = !!ex && et.length > 0 && et !== 'Click a node.' && et.indexOf('Examples are off') !== 0 && et.indexOf('No examples') !== 0;
            void body.offsetHeight; void document.getElementById('graph').getBoundingClientRect();
            var t2 = performance.now();
            requestAnimationFrame(function () { setTimeout(function () {
              done({handler: t1 - t0, layout: t2 - t0, frame: performance.now() - t0, ok: filled, examples: examples,
                    examplesChars: et.length, examplesHead: et.slice(0, 80)});
            }, 0); });
            """;
    /**
     * One live-ablation toggle: a click on the inspector's #toggle-ablation (the selected node), timed in the page until
     * #live-loss is rewritten (a MutationObserver attached before the click: at the handler's end when the handler
     * rewrote it, else at the first later mutation, up to 60 s), and to the next frame. {@code textChanged}: whether
     * the shown loss differs from before (it may not to the shown digits when the node barely matters).
     */
    static final String TOGGLE = """
            var done = arguments[arguments.length - 1];
            var b = document.getElementById('toggle-ablation'), ll = document.getElementById('live-loss');
            if (!b || !ll) { done({ok: false, why: 'no #toggle-ablation or #live-loss'}); return; }
            var before = ll.textContent, label = b.textContent, t1 = null, to = null;
            function finish(changed) {
              requestAnimationFrame(function () { setTimeout(function () {
                done({ok: true, changed: changed, handler: t1 - t0, frame: performance.now() - t0, probeFrame: probeFrame, before: before, after: ll.textContent,
                      textChanged: ll.textContent !== before, label: label});
              }, 0); });
            }
            var mo = new MutationObserver(function () {
              if (t1 === null) return;
              mo.disconnect(); clearTimeout(to); finish(performance.now() - t0);
            });
            mo.observe(ll, {childList: true, characterData: true, subtree: true});
            var probe = arguments.length > 1 && arguments[0] === true, probeFrame = null;
            var t0 = performance.now();
            b.dispatchEvent(new MouseEvent('click', {bubbles: true}));
            t1 = performance.now();
            if (probe) { // is the page responsive while the toggle computes? a threshold change, timed to its frame
              var thr = document.getElementById('threshold'), p0 = performance.now(), old = thr.value;
              thr.value = String(parseFloat(thr.max) / 2); thr.dispatchEvent(new Event('input', {bubbles: true}));
              requestAnimationFrame(function () { probeFrame = performance.now() - p0; thr.value = old; thr.dispatchEvent(new Event('input', {bubbles: true})); });
            }
            if (mo.takeRecords().length > 0) { mo.disconnect(); finish(t1 - t0); return; }
            to = setTimeout(function () { mo.disconnect(); done({ok: false, why: 'not rewritten after 60 s', before: before, label: label}); }, 60000);
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

        // the pages: the bare graph (live ablation and examples off) and the full page (examples, live ablation, graph prompt)
        GptConfig config = GptConfig.builder().vocabSize(2048).nLayer(LAYERS).dModel(D_MODEL).blockSize(128).build();
        long t0 = System.nanoTime();
        Map<String, float[]> masks = new LinkedHashMap<>(), means = new LinkedHashMap<>();
        CircuitGraph g = graph(config, seed, masks, means);
        long t1 = System.nanoTime();
        String html = ViewerHtml.render(g, g.run(), "model.safetensors", sha256("viewer-load seed " + seed),
                ModelJs.off("off for the load benchmark"), Map.of("enabled", false, "reason", "off for the load benchmark"));
        long t2 = System.nanoTime();
        FullPage full = fullPage(config, seed, g, masks, means);
        String base = page.getFileName().toString().replaceFirst("\\.html$", "");
        Path fullPath = page.resolveSibling(base + "-full.html");
        List<Variant> variants = List.of(
                new Variant("bare", page, html.getBytes(StandardCharsets.UTF_8), false),
                new Variant("full", fullPath, full.html().getBytes(StandardCharsets.UTF_8), true));
        for (Variant v : variants) Files.write(v.file(), v.bytes());
        System.out.printf(Locale.ROOT, "viewer-load: %d nodes, %d edges; bare page %s: %d bytes (%.2f MB), rendered in %.0f ms%n",
                g.nodes().size(), g.links().size(), page, variants.get(0).bytes().length, variants.get(0).bytes().length / 1e6, (t2 - t1) / 1e6);
        System.out.printf(Locale.ROOT, "viewer-load: full page %s: %d bytes (%.2f MB); model %d nonzeros; %s%n", fullPath,
                variants.get(1).bytes().length, variants.get(1).bytes().length / 1e6, (Long) full.info().get("model_nonzeros"), full.info());

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

        // the browser: each run loads every variant, each in a fresh tab (alternating, so that drift hits both alike)
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
        Map<String, List<Map<String, Object>>> perRun = new LinkedHashMap<>();
        for (Variant v : variants) perRun.put(v.name(), new ArrayList<>());
        boolean probe = true;
        try {
            driver.manage().timeouts().scriptTimeout(java.time.Duration.ofSeconds(120)).pageLoadTimeout(java.time.Duration.ofSeconds(120));
            machine.put("chromium", String.valueOf(driver.getCapabilities().getBrowserVersion()));
            Object chrome = driver.getCapabilities().getCapability("chrome");
            if (chrome instanceof Map<?, ?> m) machine.put("chromedriver", String.valueOf(m.get("chromedriverVersion")));
            machine.put("chromium_flags", String.join(" ", FLAGS));
            JavascriptExecutor js = driver;
            for (int run = 1; run <= runs; run++) {
                for (Variant v : variants) {
                    String url = v.file().toAbsolutePath().toUri().toString();
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
                    // live ablation unpacks its compressed model after the page is drawn: wait for it, time it
                    while (js.executeScript("return document.documentElement.getAttribute('data-live');") == null) {
                        if (System.nanoTime() - s > 120e9) throw new IllegalStateException("live ablation never started or said it is off");
                        Thread.sleep(1);
                    }
                    r.put("nav_to_live_ready_ms", num(js.executeScript("return window.liveReadyMs == null ? null : window.liveReadyMs;")));
                    @SuppressWarnings("unchecked")
                    Map<String, Object> nav = (Map<String, Object>) js.executeScript("""
                            var n = performance.getEntriesByType('navigation')[0] || {}, p = {};
                            performance.getEntriesByType('paint').forEach(function (e) { p[e.name] = e.startTime; });
                            var ex = document.getElementById('export-graph'), ls = document.getElementById('live-status');
                            return {ready: window.viewerReadyMs, responseEnd: n.responseEnd, domInteractive: n.domInteractive,
                              domContentLoaded: n.domContentLoadedEventEnd, load: n.loadEventEnd,
                              fcp: p['first-contentful-paint'] == null ? null : p['first-contentful-paint'],
                              nodes: document.querySelectorAll('g.node[data-id]').length, svgElements: document.querySelectorAll('#graph *').length,
                              nodeCount: document.getElementById('node-count').textContent, edgeCount: document.getElementById('edge-count').textContent,
                              exportLive: ex ? !ex.disabled : false, liveStatus: ls ? ls.textContent : null};
                            """);
                    r.put("nav_to_ready_ms", num(nav.get("ready")));
                    if (frame instanceof Map<?, ?> f) r.put("nav_to_first_frame_after_ready_ms", num(f.get("after")));
                    r.put("nav_to_dom_content_loaded_ms", num(nav.get("domContentLoaded")));
                    r.put("nav_to_load_ms", num(nav.get("load")));
                    r.put("nav_to_first_contentful_paint_ms", num(nav.get("fcp")));
                    r.put("svg_elements", (long) num(nav.get("svgElements")));
                    if (!String.valueOf(NODES).equals(nav.get("nodeCount")) || !String.valueOf(EDGES).equals(nav.get("edgeCount"))
                            || ((Number) nav.get("nodes")).intValue() != NODES) {
                        throw new IllegalStateException(v.name() + ": the page does not show the circuit: " + nav);
                    }
                    if (v.full() && (!Boolean.TRUE.equals(nav.get("exportLive")) || !String.valueOf(nav.get("liveStatus")).startsWith("on"))) {
                        throw new IllegalStateException("full: the export button or live ablation is not on: " + nav);
                    }
                    Map<?, ?> click = (Map<?, ?>) js.executeAsyncScript(CLICK, clickId);
                    if (!Boolean.TRUE.equals(click.get("ok"))) throw new IllegalStateException("the inspector does not show " + clickId + ": " + click);
                    if (v.full() && !Boolean.TRUE.equals(click.get("examples"))) {
                        throw new IllegalStateException("full: the examples panel is not filled for " + clickId + ": " + click);
                    }
                    r.put("click_handler_ms", num(click.get("handler")));
                    r.put("click_handler_layout_ms", num(click.get("layout")));
                    r.put("click_to_next_frame_ms", num(click.get("frame")));
                    if (v.full()) {
                        r.put("examples_panel_chars", (long) num(click.get("examplesChars")));
                        for (int k = 1; k <= 3; k++) { // ablate (+ the circuit baseline), restore (the baseline, cached), ablate again
                            Map<?, ?> tg = (Map<?, ?>) (k == 3 ? js.executeAsyncScript(TOGGLE, true) : js.executeAsyncScript(TOGGLE));
                            if (!Boolean.TRUE.equals(tg.get("ok"))) throw new IllegalStateException("full: toggle " + k + " did not change #live-loss: " + tg);
                            String which = "toggle" + k;
                            r.put(which + "_to_live_loss_ms", num(tg.get("changed")));
                            r.put(which + "_handler_ms", num(tg.get("handler")));
                            r.put(which + "_to_next_frame_ms", num(tg.get("frame")));
                            if (k == 3) r.put("threshold_during_toggle_to_frame_ms", num(tg.get("probeFrame")));
                            r.put(which + "_live_loss", String.valueOf(tg.get("after")));
                            r.put(which + "_button", String.valueOf(tg.get("label")));
                            r.put(which + "_live_loss_text_changed", tg.get("textChanged"));
                        }
                    }
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
                    r.replaceAll((k, x) -> x instanceof Double d && !Double.isFinite(d) ? null : x); // not measured (e.g. no paint entry): null
                    perRun.get(v.name()).add(r);
                    System.out.printf(Locale.ROOT, "run %d %s: ready %.0f ms (first frame after %.0f ms, wall %.0f ms); click %.1f ms (frame %.1f); "
                                    + "threshold %.1f ms (frame %.1f, %d edges shown)%s%n", run, v.name(), (double) r.get("nav_to_ready_ms"),
                            r.get("nav_to_first_frame_after_ready_ms") instanceof Double f ? f : Double.NaN, wall, (double) r.get("click_handler_ms"),
                            (double) r.get("click_to_next_frame_ms"), (double) r.get("threshold_handler_ms"),
                            (double) r.get("threshold_to_next_frame_ms"), shown,
                            v.full() ? String.format(Locale.ROOT, "; toggle 1 %.0f ms, toggle 2 %.0f ms", (double) r.get("toggle1_to_live_loss_ms"),
                                    (double) r.get("toggle2_to_live_loss_ms")) : "");
                }
            }
        } finally {
            driver.quit();
            deleteTree(profile);
        }
        machine.put("loadavg_before", load0);
        machine.put("loadavg_after", loadavg());

        // results
        Map<String, Object> res = new LinkedHashMap<>();
        res.put("schema", "sparse-circuits/bench-viewer-load/2");
        res.put("utc", DateTimeFormatter.ISO_INSTANT.format(Instant.now()));
        res.put("commit", commit);
        res.put("machine", machine);
        Map<String, Object> circuit = new LinkedHashMap<>();
        circuit.put("nodes", (long) g.nodes().size());
        circuit.put("edges", (long) g.links().size());
        circuit.put("config", "layers " + config.nLayer() + ", d_model " + config.dModel() + ", heads " + config.nHead() + " x d_head "
                + config.dHead() + ", d_mlp " + config.dMlp() + ", vocab " + config.vocabSize() + ", block " + config.blockSize());
        circuit.put("nodes_per_layer_and_location", new LinkedHashMap<>(PER_LOCATION.entrySet().stream()
                .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, e -> (long) e.getValue(), (a, b) -> a, LinkedHashMap::new))));
        circuit.put("seed", seed);
        circuit.put("graph_build_ms", (t1 - t0) / 1e6);
        circuit.put("clicked_node", clickId);
        circuit.put("clicked_node_degree", (long) degree.get(clickId));
        circuit.put("threshold_value", thrValue);
        res.put("circuit", circuit);
        res.put("runs", (long) runs);
        res.put("frame_probe", probe);
        Map<String, Object> vs = new LinkedHashMap<>();
        for (Variant v : variants) {
            List<Map<String, Object>> pr = perRun.get(v.name());
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("live_ablation", v.full());
            p.put("examples", v.full());
            p.put("graph_prompt", v.full());
            p.put("file", v.file().toString());
            p.put("bytes", (long) v.bytes().length);
            p.put("sha256", sha256(v.bytes()));
            if (v.full()) p.putAll(full.info());
            else p.put("render_ms", (t2 - t1) / 1e6);
            p.put("svg_elements", pr.get(0).get("svg_elements"));
            Map<String, Object> summary = new LinkedHashMap<>();
            for (String k : pr.get(0).keySet()) {
                if (k.equals("run") || k.equals("threshold_edges_shown") || k.equals("svg_elements") || k.equals("examples_panel_chars")) continue;
                double[] x = pr.stream().map(r -> r.get(k)).filter(o -> o instanceof Double).mapToDouble(o -> (Double) o).toArray();
                if (x.length == 0) continue;
                Map<String, Object> st = new LinkedHashMap<>();
                st.put("median", median(x));
                st.put("max", Arrays.stream(x).max().orElseThrow());
                st.put("min", Arrays.stream(x).min().orElseThrow());
                st.put("runs_measured", (long) x.length);
                summary.put(k, st);
            }
            // open = the later of the wall time to ready and the first frame after ready (the wall time alone without the probe)
            double openMedian = later(stat(summary, "wall_get_to_ready_ms", "median"), stat(summary, "nav_to_first_frame_after_ready_ms", "median"));
            double openMax = later(stat(summary, "wall_get_to_ready_ms", "max"), stat(summary, "nav_to_first_frame_after_ready_ms", "max"));
            Map<String, Object> target = new LinkedHashMap<>();
            target.put("file_under_5MB", v.bytes().length < 5_000_000);
            target.put("open_median_ms", openMedian);
            target.put("open_max_ms", openMax);
            target.put("open_under_2s_median", openMedian < 2000);
            target.put("open_under_2s_every_run", openMax < 2000);
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("page", p);
            o.put("summary", summary);
            o.put("target", target);
            o.put("per_run", pr);
            vs.put(v.name(), o);
        }
        res.put("variants", vs);
        Files.writeString(out.resolve("results.json"), Json.writePretty(res) + "\n");
        String md = markdown(res, vs, machine, circuit, runs);
        Files.writeString(out.resolve("results.md"), md);
        System.out.print(md);
        System.out.println("results in " + out);
    }

    /** The synthetic circuit: {@link #PER_LOCATION} nodes at random channels of every layer, 5,000 random distinct edges per layer. */
    static CircuitGraph graph(GptConfig config, long seed) {
        return graph(config, seed, new LinkedHashMap<>(), new LinkedHashMap<>());
    }

    /** As {@link #graph(GptConfig, long)}, filling {@code masks} and {@code means} (per hook) with the circuit's gates and node means. */
    static CircuitGraph graph(GptConfig config, long seed, Map<String, float[]> masks, Map<String, float[]> means) {
        Random r = new Random(seed);
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

    /** Pretraining windows, held-out pairs and graph-prompt size of the full page. */
    static final int WINDOW_BATCH = 8, WINDOW_BATCHES = 8, HELD_PAIRS = 8, HELD_MIN = 16, HELD_MAX = 24;
    /** The random model's nonzero budget (under {@link ModelJs#MAX_NONZEROS}, with room for the dense 1-D parameters). */
    static final long NONZERO_BUDGET = 480_000;

    /** The full page and what went into it. */
    record FullPage(String html, Map<String, Object> info) {
    }

    /** Whether the full page's random model thins {@code q} to the nonzero budget: a SPARSE parameter or a DENSE 2-D one (the bigram table). */
    static boolean thinned(Parameter q) {
        return q.isSparse() || q.shape().length == 2;
    }

    /** Token id → text for the full page (a space and the id; id 0 a line break, as in ExamplesTest). */
    static String decode(int id) {
        return id == 0 ? " \n" : " w" + id;
    }

    /**
     * The page a user gets: the same circuit, over a seeded random sparse model of {@code config} (under
     * {@link ModelJs#MAX_NONZEROS} nonzeros), with the examples block computed by {@link Examples#compute} with a
     * tracer masked by the circuit's gates and means (random-token pretraining windows, random held-out pairs), live
     * ablation on ({@link ModelJs#data} over the held-out sequences) and the first held-out sequence as the graph prompt.
     */
    static FullPage fullPage(GptConfig config, long seed, CircuitGraph g, Map<String, float[]> masks, Map<String, float[]> means) {
        Map<String, Object> info = new LinkedHashMap<>();
        long t0 = System.nanoTime();
        Gpt model = new Gpt(config, seed + 1000);
        // the pool thinned to the budget: the SPARSE parameters and the DENSE 2-D bigram table (2048 x 2048 = 4.19M
        // entries alone, 8x MAX_NONZEROS: a dense one never fits, so its entries are thinned at random like the rest)
        long sparseNumel = 0, denseNonzeros = 0, paramCount = 0;
        for (Parameter q : model.parameterList()) {
            paramCount += q.numel();
            if (thinned(q)) sparseNumel += q.numel();
            else for (float v : q.value()) if (v != 0) denseNonzeros++;
        }
        double keep = (double) (NONZERO_BUDGET - denseNonzeros - config.vocabSize()) / sparseNumel; // the final logits bias too
        if (keep <= 0 || keep > 1) throw new IllegalStateException("cannot fit the model in " + NONZERO_BUDGET + " nonzeros (dense " + denseNonzeros + ")");
        Random r = new Random(seed + 1001);
        float gain = (float) (1 / Math.sqrt(keep)); // roughly the dense model's activation scale after dropping 1 - keep of the weights
        for (Parameter q : model.parameterList()) {
            float[] v = q.value();
            if (q.isSparse()) {
                for (int i = 0; i < v.length; i++) v[i] *= gain;
                q.sparsify((int) (q.numel() * keep), 0);
            } else if (thinned(q)) {
                for (int i = 0; i < v.length; i++) if (r.nextDouble() >= keep) v[i] = 0;
            } else if (q.name().endsWith("ln_f.weight") || q.name().endsWith("sink_logit")) {
                for (int i = 0; i < v.length; i++) v[i] = 0.5f + r.nextFloat();
            }
        }
        long nnz = ModelJs.nonZeros(model);
        info.put("model_nonzeros", nnz);
        info.put("model_sparse_keep_fraction", keep);
        info.put("model_parameters", paramCount);
        info.put("model_bigram_table", config.bigramTable());
        NodeMeans nodeMeans = NodeMeans.of(means, 0);
        Tracer tracer = Tracer.of(model, KernelProvider.get()).masked(masks, nodeMeans, NodeMask.Ablation.MEAN);
        Random wr = new Random(seed + 1002);
        List<int[]> windows = new ArrayList<>();
        for (int b = 0; b < WINDOW_BATCHES; b++) {
            int[] t = new int[WINDOW_BATCH * config.blockSize()];
            for (int i = 0; i < t.length; i++) t[i] = wr.nextInt(config.vocabSize());
            windows.add(t);
        }
        Random hr = new Random(seed + 1003);
        List<TaskLoss.Sequence> held = new ArrayList<>();
        for (int i = 0; i < HELD_PAIRS; i++) {
            int[] a = new int[HELD_MIN + hr.nextInt(HELD_MAX - HELD_MIN + 1)], b = new int[HELD_MIN + hr.nextInt(HELD_MAX - HELD_MIN + 1)];
            for (int j = 0; j < a.length; j++) a[j] = hr.nextInt(config.vocabSize());
            for (int j = 0; j < b.length; j++) b[j] = hr.nextInt(config.vocabSize());
            int ta = hr.nextInt(config.vocabSize()), tb = (ta + 1 + hr.nextInt(config.vocabSize() - 1)) % config.vocabSize();
            held.addAll(TaskLoss.binary(a, ta, b, tb));
        }
        long t1 = System.nanoTime();
        Map<String, Object> examples = Examples.compute(tracer, "under the synthetic circuit (random model, random tokens)", g.nodes(),
                ViewerLoad::decode, new Examples.Windows(windows, windows.size(), WINDOW_BATCH, seed + 1002), held,
                Examples.Settings.DEFAULT, m -> { });
        long t2 = System.nanoTime();
        if (!Boolean.TRUE.equals(examples.get("enabled"))) throw new IllegalStateException("examples are off: " + examples.get("reason"));
        List<int[]> prompts = new ArrayList<>();
        int[] correct = new int[held.size()], other = new int[held.size()];
        for (int i = 0; i < held.size(); i++) {
            prompts.add(held.get(i).tokens());
            correct[i] = held.get(i).correct();
            other[i] = held.get(i).other();
        }
        Map<String, Object> live = ModelJs.data(model, nodeMeans, prompts, correct, other);
        if (!Boolean.TRUE.equals(live.get("enabled"))) throw new IllegalStateException("live ablation is off: " + live.get("reason"));
        List<String> graphPrompt = new ArrayList<>();
        for (int t : held.get(0).tokens()) graphPrompt.add(decode(t));
        long t3 = System.nanoTime();
        String html = ViewerHtml.render(g, g.run(), "model.safetensors", sha256("viewer-load full seed " + seed), live, examples, graphPrompt);
        long t4 = System.nanoTime();
        info.put("examples_windows", (long) windows.size() * WINDOW_BATCH);
        info.put("examples_window_tokens", (long) config.blockSize());
        info.put("held_out_pairs", (long) HELD_PAIRS);
        info.put("held_out_sequences", (long) held.size());
        info.put("held_out_lengths", held.stream().map(q -> (Object) (long) q.tokens().length).toList());
        info.put("live_prompts", (long) prompts.size());
        info.put("graph_prompt_tokens", (long) graphPrompt.size());
        info.put("examples_json_bytes", (long) Json.write(examples).getBytes(StandardCharsets.UTF_8).length);
        info.put("live_json_bytes", (long) Json.write(live).getBytes(StandardCharsets.UTF_8).length);
        info.put("model_build_ms", (t1 - t0) / 1e6);
        info.put("examples_compute_ms", (t2 - t1) / 1e6);
        info.put("live_data_ms", (t3 - t2) / 1e6);
        info.put("render_ms", (t4 - t3) / 1e6);
        return new FullPage(html, info);
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

    /** A page variant: its name, file, bytes, and whether it is the full page (examples, live ablation, graph prompt). */
    record Variant(String name, Path file, byte[] bytes, boolean full) {
    }

    @SuppressWarnings("unchecked")
    static String markdown(Map<String, Object> res, Map<String, Object> vs, Map<String, Object> machine, Map<String, Object> c, int runs) {
        Map<String, Object> bare = (Map<String, Object>) vs.get("bare"), full = (Map<String, Object>) vs.get("full");
        Map<String, Object> bp = (Map<String, Object>) bare.get("page"), fp = (Map<String, Object>) full.get("page");
        StringBuilder b = new StringBuilder();
        b.append("# Viewer at scale: ").append(c.get("nodes")).append(" nodes, ").append(c.get("edges")).append(" edges in headless Chromium, bare and full page\n\n");
        b.append("- ").append(res.get("utc")).append(", commit ").append(res.get("commit")).append("; CPU: ").append(machine.get("cpu")).append(" (").append(machine.get("cores"))
                .append(" cores); Chromium ").append(machine.get("chromium")).append(" (chromedriver ")
                .append(String.valueOf(machine.get("chromedriver")).split(" ")[0]).append("); JDK ").append(machine.get("jdk")).append('\n');
        b.append("- load average before / after: ").append(machine.get("loadavg_before")).append(" / ").append(machine.get("loadavg_after")).append('\n');
        b.append("- circuit: ").append(c.get("config")).append("; nodes at all 8 locations of every layer, edges of all 6 weight types; seed ")
                .append(c.get("seed")).append("; ").append(bp.get("svg_elements")).append(" SVG elements in #graph\n");
        b.append(String.format(Locale.ROOT, "- **bare**: live ablation and examples off, no graph prompt; %,d bytes (%.2f MB); rendered in %.0f ms%n",
                (Long) bp.get("bytes"), (Long) bp.get("bytes") / 1e6, (Double) bp.get("render_ms")));
        b.append(String.format(Locale.ROOT, "- **full**: the same circuit over a seeded random sparse model of that config, %,d nonzeros (of %,d parameters; "
                        + "sparse weights kept at %.3f; ModelJs limit %,d): examples by Examples.compute (tracer masked by the circuit's gates/means, "
                        + "%d random-token windows of %d, %d held-out pairs of random tokens, %d sequences of %s tokens; %.1f s), "
                        + "live ablation on (ModelJs.data over the %d held-out sequences), graph prompt of %d tokens (export live); "
                        + "%,d bytes (%.2f MB: examples block %,d, live block %,d); rendered in %.0f ms%n",
                (Long) fp.get("model_nonzeros"), (Long) fp.get("model_parameters"), (Double) fp.get("model_sparse_keep_fraction"), ModelJs.MAX_NONZEROS,
                (Long) fp.get("examples_windows"), (Long) fp.get("examples_window_tokens"), (Long) fp.get("held_out_pairs"),
                (Long) fp.get("held_out_sequences"), fp.get("held_out_lengths"), (Double) fp.get("examples_compute_ms") / 1e3,
                (Long) fp.get("live_prompts"), (Long) fp.get("graph_prompt_tokens"), (Long) fp.get("bytes"), (Long) fp.get("bytes") / 1e6,
                (Long) fp.get("examples_json_bytes"), (Long) fp.get("live_json_bytes"), (Double) fp.get("render_ms")));
        b.append("- ").append(runs).append(" runs, each loading both pages (bare, then full), each in a fresh tab; click on ").append(c.get("clicked_node")).append(" (")
                .append(c.get("clicked_node_degree")).append(" edges, the most; on the full page the handler also fills the examples panel); threshold set to the median |weight| ")
                .append(String.format(Locale.ROOT, "%.4f", (Double) c.get("threshold_value"))).append(", then back to 0; full page: after the click, "
                        + "#toggle-ablation clicked three times (ablate, restore, ablate), each timed in the page until #live-loss was rewritten (the page rewrites it after a 16 ms pause that lets it paint 'computing...')\n\n");
        b.append("| measure | bare median ms | bare max ms | full median ms | full max ms |\n|---|---|---|---|---|\n");
        String[][] rows = {
            {"nav_to_ready_ms", "navigation start → `window.viewerReadyMs` (page initialised)"},
            {"nav_to_first_frame_after_ready_ms", "navigation start → first frame after ready (drawn)"},
            {"wall_get_to_ready_ms", "wall: `driver.get()` → `data-ready` seen (WebDriver)"},
            {"nav_to_live_ready_ms", "navigation start → live ablation unpacked (`window.liveReadyMs`)"},
            {"nav_to_first_contentful_paint_ms", "navigation start → first contentful paint"},
            {"click_handler_ms", "node click: handler (inspector filled; full: + examples panel)"},
            {"click_handler_layout_ms", "node click: handler + style/layout"},
            {"click_to_next_frame_ms", "node click → next frame"},
            {"toggle1_to_live_loss_ms", "live-ablation toggle 1 (+ circuit baseline) → #live-loss changed"},
            {"toggle1_to_next_frame_ms", "live-ablation toggle 1 → next frame"},
            {"toggle2_to_live_loss_ms", "live-ablation toggle 2 (restore: the cached baseline) → #live-loss changed"},
            {"toggle2_to_next_frame_ms", "live-ablation toggle 2 → next frame"},
            {"toggle3_to_live_loss_ms", "live-ablation toggle 3 (ablate again: a block-0 node, the whole pass) → #live-loss changed"},
            {"toggle3_to_next_frame_ms", "live-ablation toggle 3 → next frame"},
            {"threshold_during_toggle_to_frame_ms", "threshold change during toggle 3 → its frame (is the page responsive?)"},
            {"threshold_handler_ms", "threshold change (half the edges hidden): handler"},
            {"threshold_to_next_frame_ms", "threshold change → next frame"},
            {"threshold_reset_handler_ms", "threshold back to 0 (all shown): handler"},
            {"threshold_reset_to_next_frame_ms", "threshold back to 0 → next frame"}};
        for (String[] row : rows) {
            StringBuilder cells = new StringBuilder();
            String note = "";
            boolean any = false;
            for (Map<String, Object> v : List.of(bare, full)) {
                if (((Map<String, Object>) v.get("summary")).get(row[0]) instanceof Map<?, ?> s) {
                    any = true;
                    long n = (Long) s.get("runs_measured");
                    if (n < runs) note = " (" + n + " of " + runs + " runs had it)";
                    cells.append(String.format(Locale.ROOT, " %.1f | %.1f |", (Double) s.get("median"), (Double) s.get("max")));
                } else {
                    cells.append(" – | – |");
                }
            }
            if (any) b.append("| ").append(row[1]).append(note).append(" |").append(cells).append('\n');
        }
        b.append("\nTarget (open and interactive < 2 s, file < 5 MB); open = the later of the wall time to ready and the first frame after ready:\n");
        for (String name : List.of("bare", "full")) {
            Map<String, Object> t = (Map<String, Object>) ((Map<String, Object>) vs.get(name)).get("target");
            Map<String, Object> p = (Map<String, Object>) ((Map<String, Object>) vs.get(name)).get("page");
            double om = (Double) t.get("open_median_ms"), ox = (Double) t.get("open_max_ms");
            long bytes = (Long) p.get("bytes");
            b.append(String.format(Locale.ROOT, "- %s: open median %.0f ms, max %.0f ms → %s; file %.2f MB → %s.%n", name, om, ox,
                    ox < 2000 ? "met on every run" : om < 2000 ? "met at the median, not on every run" : "NOT met",
                    bytes / 1e6, bytes < 5_000_000 ? "met" : "NOT met"));
        }
        b.append("\nPer-run values, the model and the machine: results.json. Rerun: `bash bench/run-viewer-load.sh [--runs N]`.\n");
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
