package sparsecircuits.present.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** DOT rendered by Debian's graphviz ({@code dot -Tsvg}): one SVG node group per circuit node, one edge group per edge. */
class DotTest {

    @Test
    void graphvizRendersOneGroupPerNodeAndEdge(@TempDir Path tmp) throws Exception {
        Path dot = dotOnPath();
        if (dot == null) {
            if ("true".equals(System.getenv("CI"))) fail("graphviz's dot is not on PATH, and under CI=true it is required (.ci/run installs graphviz)");
            Assumptions.abort("graphviz's dot is not on PATH: install graphviz (apt-get install graphviz) to run this test");
        }
        ExportFixture f = new ExportFixture(tmp, 6);
        String svg = render(dot, Dot.write(f.graph));
        assertEquals(f.circuit.nodes(), count(svg, "<g id=\"[^\"]*\" class=\"node\""), "SVG node groups");
        assertEquals(f.circuit.edges().size(), count(svg, "<g id=\"[^\"]*\" class=\"edge\""), "SVG edge groups");
        // the labels made it through DOT's quoting: the escaped awkward label is in a node's text
        assertTrue(svg.contains("says &quot;hi&quot;, then &lt;b&gt; &amp; &#39;bye&#39;") || svg.contains("says &quot;hi&quot;, then &lt;b&gt; &amp; 'bye'"),
                "the awkward label is drawn");
    }

    @Test
    void edgeWidthFollowsTheWeightAndColourItsSign(@TempDir Path tmp) {
        ExportFixture f = new ExportFixture(tmp, 7);
        String text = Dot.write(f.graph);
        assertTrue(text.contains("rankdir=BT"));
        Pattern edge = Pattern.compile("\"([^\"]+)\" -> \"([^\"]+)\" \\[penwidth=([0-9.]+), color=\"(#[0-9a-f]+)\"");
        Matcher m = edge.matcher(text);
        int n = 0;
        double maxAbs = f.graph.links().stream().mapToDouble(l -> Math.abs(l.weight())).max().orElse(1);
        while (m.find()) {
            CircuitGraph.Link l = f.graph.links().get(n++);
            assertEquals(l.source(), m.group(1));
            assertEquals(l.target(), m.group(2));
            assertEquals(0.3 + 4.7 * Math.abs(l.weight()) / maxAbs, Double.parseDouble(m.group(3)), 1e-3);
            assertEquals(l.weight() >= 0 ? "#2166ac" : "#b2182b", m.group(4));
        }
        assertEquals(f.graph.links().size(), n);
        for (CircuitGraph.Node node : f.graph.nodes()) {
            assertEquals(1, count(text, "\n    " + Pattern.quote("\"" + node.id() + "\"") + " \\[label="), "one declaration of " + node.id());
        }
    }

    static String render(Path dot, String source) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(dot.toString(), "-Tsvg").redirectErrorStream(false).start();
        CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
        CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
        try (OutputStream in = p.getOutputStream()) {
            in.write(source.getBytes(StandardCharsets.UTF_8));
        }
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("dot did not finish in 60 s");
        }
        String errText = new String(err.join(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), "dot -Tsvg failed: " + errText);
        assertTrue(!errText.contains("syntax error"), errText);
        return new String(out.join(), StandardCharsets.UTF_8);
    }

    private static byte[] read(java.io.InputStream in) {
        try {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static Path dotOnPath() {
        String path = System.getenv("PATH");
        if (path == null) return null;
        for (String d : path.split(File.pathSeparator)) {
            if (d.isEmpty()) continue;
            Path p = Path.of(d, "dot");
            if (Files.isRegularFile(p) && Files.isExecutable(p)) return p;
        }
        return null;
    }

    static int count(String s, String regex) {
        Matcher m = Pattern.compile(regex).matcher(s);
        int n = 0;
        while (m.find()) n++;
        return n;
    }
}
