package sparsecircuits.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.TimeoutException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;
import sparsecircuits.autograd.graph.Ops;
import sparsecircuits.autograd.param.Parameter;
import sparsecircuits.model.checkpoint.ModelDirectory;
import sparsecircuits.model.checkpoint.ModelFiles;
import sparsecircuits.model.gpt.Gpt;
import sparsecircuits.model.tokenizer.ByteLevelBpe;
import sparsecircuits.pruning.circuit.CircuitFiles;
import sparsecircuits.pruning.circuit.CircuitRun;
import sparsecircuits.pruning.circuit.CircuitSample;
import sparsecircuits.present.export.CircuitGraph;
import sparsecircuits.pruning.loss.TaskLoss;
import sparsecircuits.pruning.tasks.Task;
import sparsecircuits.pruning.tasks.TaskSource;

/**
 * The viewer page in a real browser (failsafe, {@code ./mvnw -B -ntp verify}): {@code view} writes the page of a
 * toy circuit through Main; Selenium drives Debian's headless chromium (through Debian's chromedriver, both at
 * explicit paths, so Selenium Manager never runs or downloads anything) to check the counts, the inspector after a
 * node click, the live-ablation loss after #toggle-ablation against the same loss computed in Java, and saves a
 * screenshot to {@code target/browser/viewer.png}. Skipped where chromium or chromedriver is missing, except under
 * {@code CI=true}, where that fails.
 */
@Tag("browser")
class ViewerBrowserIT {
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    /** Headless, no network of its own, no first-run or background work; a fresh profile is added per run. */
    static final List<String> FLAGS = List.of("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic", "--window-size=1400,1000");
    /** The live-ablation pairs view embeds by default (its --live-pairs 8). */
    static final int LIVE_PAIRS = 8;
    static final Pattern FIRST_NUMBER = Pattern.compile("^\\s*(-?[0-9][0-9.]*(?:e[-+]?[0-9]+)?)\\s*\\(circuit\\s+(-?[0-9][0-9.]*(?:e[-+]?[0-9]+)?)\\)");

    @Test
    void theViewerPageWorksInHeadlessChromium(@TempDir Path tmp) throws Exception {
        requireBrowser();
        // a toy model and circuit as ViewCommandTest makes them (the model's weights then randomised), and its page through Main
        Path model = tmp.resolve("m"), circuit = tmp.resolve("c"), page = tmp.resolve("view.html");
        MainTest.Run train = TrainCommandTest.train(model, "--steps", "2");
        assertEquals(0, train.status(), train.err());
        randomise(model);
        CircuitSample.save(model, circuit);
        MainTest.Run view = MainTest.run("view", "--model", model.toString(), "--circuit", circuit.toString(), "--out", page.toString());
        assertEquals(0, view.status(), view.err());
        assertTrue(view.out().contains("live ablation on"), view.out());

        // what the page must show, from the circuit in Java
        CircuitGraph graph = CircuitGraph.load(circuit, model.resolve(ModelFiles.WEIGHTS), ModelDirectory.config(model), Map.of());
        int nodes = graph.nodes().size(), edges = graph.links().size();
        assertTrue(nodes > 0 && edges > 0, nodes + " nodes, " + edges + " edges");
        JavaLoss java = new JavaLoss(model, circuit);
        double circuitLoss = java.withAlsoAblated(null);
        // the node to click: the first (in page order) whose ablation moves the loss visibly, so the check means something
        String nodeId = null;
        double nodeLoss = Double.NaN;
        for (CircuitGraph.Node n : graph.nodes()) {
            double l = java.withAlsoAblated(n.id());
            if (Math.abs(l - circuitLoss) > 1e-3) {
                nodeId = n.id();
                nodeLoss = l;
                break;
            }
        }
        assertNotNull(nodeId, "no node changes the toy circuit's loss by more than 1e-3");

        Path userData = Files.createTempDirectory("viewer-browser-it-profile");
        WebDriver driver = start(userData);
        try {
            JavascriptExecutor js = (JavascriptExecutor) driver;
            driver.get(page.toUri().toString());
            waitReady(driver);
            // live ablation unpacks its compressed model after the page is drawn
            new WebDriverWait(driver, Duration.ofSeconds(60)).until(d -> js.executeScript("return document.documentElement.getAttribute('data-live');") != null);
            assertEquals("ready", js.executeScript("return document.documentElement.getAttribute('data-live');"),
                    "live ablation: " + driver.findElement(By.id("live-status")).getText());
            assertEquals("on", js.executeScript("return document.documentElement.getAttribute('data-live-worker');"),
                    "live ablation computes in a Web Worker, off the page's main thread");

            // (1) counts
            assertEquals(String.valueOf(nodes), driver.findElement(By.id("node-count")).getText().trim(), "#node-count");
            assertEquals(String.valueOf(edges), driver.findElement(By.id("edge-count")).getText().trim(), "#edge-count");
            assertEquals(nodes, driver.findElements(By.cssSelector("g.node[data-id]")).size(), "g.node[data-id] elements");
            Object ready = js.executeScript("return window.viewerReadyMs;");
            assertTrue(ready instanceof Number r && r.doubleValue() > 0, "window.viewerReadyMs = " + ready);

            // (2) a click on a node fills the inspector with its id
            WebElement g = driver.findElement(By.cssSelector("g.node[data-id='" + nodeId + "']"));
            click(driver, g);
            WebElement body = driver.findElement(By.id("inspector-body"));
            String id = nodeId;
            new WebDriverWait(driver, Duration.ofSeconds(10)).until(d -> body.getText().contains(id));
            assertTrue(body.getText().contains(nodeId), "#inspector-body after clicking " + nodeId + ": " + body.getText());

            // (3) toggling its ablation recomputes the loss in the page: the Java loss with it ablated as well as the rest
            WebElement liveLoss = driver.findElement(By.id("live-loss"));
            String before = liveLoss.getText();
            click(driver, driver.findElement(By.id("toggle-ablation")));
            new WebDriverWait(driver, Duration.ofSeconds(60)).until(d -> !liveLoss.getText().equals(before));
            String after = liveLoss.getText();
            assertNotEquals(before, after);
            Matcher m = FIRST_NUMBER.matcher(after);
            assertTrue(m.find(), "#live-loss is not 'LOSS (circuit LOSS)': " + after);
            assertEquals(nodeLoss, Double.parseDouble(m.group(1)), 1e-4, "#live-loss with " + nodeId + " ablated vs Java (" + after + ")");
            assertEquals(circuitLoss, Double.parseDouble(m.group(2)), 1e-4, "#live-loss's circuit loss vs Java (" + after + ")");
            assertEquals("on", js.executeScript("return document.documentElement.getAttribute('data-live-worker');"),
                    "the worker computed the toggle (it falls back to the page, and says 'off', when it fails)");

            // (4) a screenshot
            Path dir = Path.of(System.getProperty("basedir", "."), "target", "browser");
            Files.createDirectories(dir);
            Path png = dir.resolve("viewer.png");
            Files.write(png, ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
            byte[] head = Arrays.copyOf(Files.readAllBytes(png), 8);
            assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}, head, png + " is not a PNG");
            assertTrue(Files.size(png) > 1000, png + " has only " + Files.size(png) + " bytes");
        } finally {
            driver.quit();
            deleteTree(userData);
        }
    }

    /**
     * Gives the trained toy model random weights of a clear effect (as LiveAblationTest's model: every tensor random,
     * gains in [0.5, 1.5), a third of each sparse matrix kept): a 2-step model barely tells the task's two answers
     * apart (loss ln 2), so no node's ablation would move the loss by more than about 1e-4.
     */
    static void randomise(Path model) {
        Gpt g = ModelFiles.load(model);
        Random r = new Random(9);
        for (Parameter p : g.parameterList()) {
            float[] v = p.value();
            boolean gain = p.name().contains("ln_");
            for (int i = 0; i < v.length; i++) v[i] = gain ? (float) (0.5 + r.nextDouble()) : (float) (0.4 * r.nextGaussian());
            if (p.isSparse()) p.sparsify(Math.max(1, p.numel() / 3), 0);
        }
        float[] flb = g.finalLogitsBias();
        for (int i = 0; i < flb.length; i++) flb[i] = (float) (0.3 * r.nextGaussian());
        ModelFiles.save(g, model);
    }

    /** Aborts (skips) when chromium or chromedriver is missing; fails instead under CI=true. */
    static void requireBrowser() {
        String missing = !Files.isExecutable(CHROMIUM) ? CHROMIUM.toString() : !Files.isExecutable(CHROMEDRIVER) ? CHROMEDRIVER.toString() : null;
        if (missing == null) return;
        String what = missing + " is missing";
        if ("true".equals(System.getenv("CI"))) {
            fail(what + ": the browser test must run under CI=true; install Debian's chromium and chromium-driver "
                    + "(apt-get install chromium chromium-driver)");
        }
        Assumptions.abort(what + ": the viewer's browser test is skipped (install Debian's chromium and chromium-driver to run it)");
    }

    /** Headless chromium through chromedriver at their explicit paths, with a fresh profile in {@code userData}. */
    static WebDriver start(Path userData) {
        // explicit driver and browser paths: Selenium Manager is not consulted (and SE_OFFLINE=true in the pom forbids downloads)
        System.setProperty(ChromeDriverService.CHROME_DRIVER_EXE_PROPERTY, CHROMEDRIVER.toString());
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER.toString())).usingAnyFreePort().build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toString());
        options.addArguments(FLAGS);
        options.addArguments("--user-data-dir=" + userData);
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(60)).scriptTimeout(Duration.ofSeconds(60));
        return driver;
    }

    /** Waits for the page's {@code data-ready="true"} on html; the timeout message shows what the page says. */
    static void waitReady(WebDriver driver) {
        try {
            new WebDriverWait(driver, Duration.ofSeconds(60)).until(d -> "true".equals(
                    ((JavascriptExecutor) d).executeScript("return document.documentElement.getAttribute('data-ready');")));
        } catch (TimeoutException e) {
            String text = String.valueOf(((JavascriptExecutor) driver).executeScript("return document.body ? document.body.innerText : '';"));
            fail("the page never set data-ready=\"true\" (its script failed?); the page says: "
                    + text.substring(0, Math.min(600, text.length())), e);
        }
    }

    /** A native click; a dispatched DOM click when SVG geometry intercepts the native one. */
    static void click(WebDriver driver, WebElement e) {
        try {
            e.click();
        } catch (WebDriverException intercepted) {
            System.err.println("ViewerBrowserIT: a native click was refused (" + intercepted.getClass().getSimpleName() + "); dispatching a DOM click");
            ((JavascriptExecutor) driver).executeScript("arguments[0].dispatchEvent(new MouseEvent('click', {bubbles: true}));", e);
        }
    }

    static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // a profile file still held by an exiting browser: the temp dir is cleaned by the OS
        }
    }

    /** The task loss the page computes, in Java: the circuit's held-out pairs, its mask, and optionally one more node ablated. */
    static final class JavaLoss {
        final Gpt model;
        final CircuitFiles.Loaded circuit;
        final List<TaskLoss.Sequence> seqs;
        final Ops ops = new Ops(Main.kernels().kernels(), null).sparseBelow(1.0);

        JavaLoss(Path modelDir, Path circuitDir) {
            model = ModelDirectory.model(modelDir);
            ByteLevelBpe bpe = ModelDirectory.tokenizer(modelDir, model);
            circuit = CircuitFiles.load(circuitDir, modelDir.resolve(ModelFiles.WEIGHTS));
            Task task = TaskSource.resolve(CircuitRun.task(circuit.run()));
            // the same held-out sequences the page embeds (CircuitPage: LIVE_PAIRS held-out pairs of 2 x LIVE_PAIRS training pairs)
            seqs = TaskSource.sequences(task, 2 * LIVE_PAIRS, 0, bpe).heldOut();
        }

        /** The loss with every node outside the circuit ablated as when it was pruned, and {@code nodeId} too (null: none). */
        double withAlsoAblated(String nodeId) {
            Map<String, float[]> masks = new LinkedHashMap<>();
            circuit.masks().forEach((k, v) -> masks.put(k, v.clone()));
            if (nodeId != null) {
                int i = nodeId.lastIndexOf(':');
                float[] mask = masks.get(nodeId.substring(0, i));
                int channel = Integer.parseInt(nodeId.substring(i + 1));
                assertEquals(1f, mask[channel], nodeId + " is in the circuit");
                mask[channel] = 0f;
            }
            return TaskLoss.evaluate(model, seqs, ops, new CircuitFiles.Loaded(circuit.json(), masks, circuit.means()).mask()).loss();
        }
    }
}
