package sparsecircuits.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import sparsecircuits.model.json.Json;

/**
 * Runs the real shaded jar as a user does, {@code java -jar sparse-circuits.jar ...} with no module
 * flag, so the jar's self-relaunch is what brings in the Vector API; and the launcher script.
 */
class KernelsInfoIT {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final Path JAR = ROOT.resolve("cli/target/sparse-circuits.jar");
    static final Path SCRIPT = ROOT.resolve("sparse-circuits");
    static final String THIS_JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();

    /** One finished subprocess. */
    record Run(int status, String out, String err) {
        /** Standard error without the JVM's unavoidable incubator-module warning. */
        List<String> errLines() {
            List<String> lines = new ArrayList<>();
            for (String l : err.split("\n")) {
                if (!l.isEmpty() && !l.equals("WARNING: Using incubator modules: jdk.incubator.vector")) lines.add(l);
            }
            return lines;
        }
    }

    static Run exec(Map<String, String> env, List<String> command) throws IOException, InterruptedException {
        Path out = Files.createTempFile("kernels-info", ".out");
        Path err = Files.createTempFile("kernels-info", ".err");
        try {
            ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            pb.environment().remove("JDK_JAVA_OPTIONS");
            pb.environment().remove("JAVA_TOOL_OPTIONS");
            for (Map.Entry<String, String> e : env.entrySet()) {
                if (e.getValue() == null) pb.environment().remove(e.getKey());
                else pb.environment().put(e.getKey(), e.getValue());
            }
            Process p = pb.start();
            if (!p.waitFor(300, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                throw new AssertionError("timed out: " + command);
            }
            return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    static Run jar(String java, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(java, "-jar", JAR.toString()));
        cmd.addAll(List.of(args));
        return exec(Map.of(), cmd);
    }

    @BeforeAll
    static void jarIsBuilt() {
        assertTrue(Files.isRegularFile(JAR), JAR + " is missing: build it with './mvnw -B -ntp package -pl cli -am -DskipTests'");
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> obj(Object o) {
        assertTrue(o instanceof Map, "an object: " + o);
        return (Map<String, Object>) o;
    }

    static List<Object> list(Object o) {
        assertTrue(o instanceof List, "an array: " + o);
        @SuppressWarnings("unchecked")
        List<Object> l = (List<Object>) o;
        return l;
    }

    static double num(Object o) {
        assertTrue(o instanceof Number, "a number: " + o);
        return ((Number) o).doubleValue();
    }

    @Test
    void kernelsInfoJsonFromPlainJavaJar() throws Exception {
        Run r = jar(THIS_JAVA, "kernels-info", "--json", "--seconds", "2");
        assertEquals(0, r.status(), "exit status; stderr:\n" + r.err());
        Map<String, Object> root = obj(Json.parse(r.out())); // stdout is exactly one JSON document
        assertEquals("sparse-circuits/kernels-info/1", root.get("schema"));
        assertEquals(List.of("schema", "version", "jdk", "os", "cpu", "provider", "threads", "checks_passed", "checks", "bench"),
                List.copyOf(root.keySet()));

        Map<String, Object> jdk = obj(root.get("jdk"));
        assertEquals(Runtime.version().toString(), jdk.get("version"), "ran on the same java");
        assertTrue(jdk.get("home") instanceof String);
        assertTrue(obj(root.get("cpu")).get("model") instanceof String);
        assertTrue(num(obj(root.get("cpu")).get("cores")) >= 1);
        assertTrue(num(root.get("threads")) >= 1);

        Map<String, Object> provider = obj(root.get("provider"));
        assertEquals(Boolean.TRUE, provider.get("vector_module"),
                "plain 'java -jar' has no Vector API module: only the jar's relaunch can have added it");
        assertTrue(List.of("vector", "scalar").contains(provider.get("name")), provider.toString());
        assertTrue(provider.get("reason") instanceof String);
        assertTrue(num(provider.get("vector_bits")) >= 32);
        assertTrue(provider.get("fma") instanceof Boolean);

        assertEquals(Boolean.TRUE, root.get("checks_passed"), r.out());
        List<Object> checks = list(root.get("checks"));
        assertEquals(24, checks.size());
        for (Object c : checks) {
            Map<String, Object> check = obj(c);
            assertEquals(Boolean.TRUE, check.get("ok"), check.toString());
            assertTrue(num(check.get("max_abs_error")) <= num(check.get("tolerance")), check.toString());
            assertEquals(null, check.get("failure"));
        }

        Map<String, Object> bench = obj(root.get("bench"));
        assertEquals(1.0, num(bench.get("threads")));
        assertEquals(2.0, num(bench.get("budget_seconds")));
        assertTrue(num(bench.get("elapsed_seconds")) < 60, "time-boxed: " + bench.get("elapsed_seconds"));
        assertTrue(num(bench.get("fma_peak_gflops")) > 0, "the relaunched JVM has the vector module: " + bench);
        Map<String, Object> gemm = obj(bench.get("gemm"));
        assertEquals("gemmABt", gemm.get("kernel"));
        assertEquals(List.of(256.0, 2048.0, 512.0), List.of(num(gemm.get("m")), num(gemm.get("n")), num(gemm.get("k"))));
        assertTrue(num(gemm.get("gflops")) > 0);
        Map<String, Object> layer = obj(bench.get("layer"));
        assertEquals("gemmAB", obj(layer.get("dense")).get("kernel"));
        List<String> labels = new ArrayList<>();
        for (Object o : list(bench.get("spmm"))) {
            Map<String, Object> s = obj(o);
            labels.add((String) s.get("density_label"));
            assertTrue(num(s.get("gflops")) > 0 && num(s.get("speedup_vs_dense")) > 0 && num(s.get("time_ms")) > 0, s.toString());
            assertEquals(num(s.get("density")) * 2048 * 512, num(s.get("nnz")), 1.0, s.toString());
        }
        assertEquals(List.of("1/4", "1/8", "1/16", "1/64"), labels);
        Map<String, Object> dx = obj(bench.get("dx"));
        assertEquals("spmmTransposed", dx.get("kernel"));
        assertEquals("1/16", dx.get("density_label"));
        assertTrue(num(dx.get("speedup_vs_dense")) > 0);
        assertEquals("gemmAtB", obj(dx.get("dense")).get("kernel"));
        List<Object> topk = list(bench.get("topk"));
        assertEquals(2, topk.size());
        assertEquals(65536.0, num(obj(topk.get(0)).get("elements")));
        assertEquals(4194304.0, num(obj(topk.get(1)).get("elements")));
        assertTrue(num(obj(topk.get(1)).get("ns_per_element")) > 0);

        assertTrue(r.err().contains("[1/12]"), "progress on stderr: " + r.err());
        assertFalse(r.err().contains("\tat "), "no stack trace: " + r.err());
    }

    @Test
    void badCommandIsOneLineAndExitTwoWithoutRelaunching() throws Exception {
        Run r = jar(THIS_JAVA, "bogus-command");
        assertEquals(2, r.status(), r.err());
        assertEquals("", r.out());
        List<String> lines = List.of(r.err().split("\n"));
        assertEquals(1, lines.size(), "one line, not even the incubator warning: " + r.err());
        assertTrue(lines.get(0).startsWith("sparse-circuits: unknown command 'bogus-command'; "), lines.get(0));

        Run flag = jar(THIS_JAVA, "kernels-info", "--seconds", "zero");
        assertEquals(2, flag.status());
        assertEquals(List.of("sparse-circuits: --seconds must be a number from 0.5 to 3600, got 'zero'; write e.g. --seconds 5"),
                List.of(flag.err().split("\n")));
    }

    @Test
    void helpAndVersionFromTheJar() throws Exception {
        Run help = jar(THIS_JAVA, "--help");
        assertEquals(0, help.status());
        assertTrue(help.out().contains("kernels-info"), help.out());
        assertEquals("", help.err(), "help needs no relaunch, so no warning");
        Run version = jar(THIS_JAVA, "--version");
        assertEquals(0, version.status());
        assertTrue(version.out().startsWith("sparse-circuits "), version.out());
    }

    /** Every JDK >= 17 on this machine (newest last), with this JVM's java among them. */
    static Stream<String> javas() throws IOException {
        Map<String, String> found = new TreeMap<>();
        found.put(Path.of(THIS_JAVA).toRealPath().toString(), "");
        Path jvm = Path.of("/usr/lib/jvm");
        if (Files.isDirectory(jvm)) {
            try (Stream<Path> dirs = Files.list(jvm)) {
                for (Path d : (Iterable<Path>) dirs::iterator) {
                    Path java = d.resolve("bin/java");
                    Path release = d.resolve("release");
                    if (Files.isExecutable(java) && Files.isReadable(release)) {
                        String v = Files.readAllLines(release).stream().filter(l -> l.startsWith("JAVA_VERSION="))
                                .findFirst().orElse("JAVA_VERSION=\"0\"").replaceAll("JAVA_VERSION=\"([0-9]+).*", "$1");
                        if (v.matches("[0-9]+") && Integer.parseInt(v) >= 17) found.put(java.toRealPath().toString(), v);
                    }
                }
            }
        }
        return found.keySet().stream();
    }

    @ParameterizedTest
    @MethodSource("javas")
    void runsOnEveryJdkFrom17(String java) throws Exception {
        Run r = jar(java, "kernels-info", "--json", "--no-bench");
        assertEquals(0, r.status(), java + ": " + r.err());
        Map<String, Object> root = obj(Json.parse(r.out()));
        assertEquals(Boolean.TRUE, root.get("checks_passed"));
        assertEquals(Boolean.TRUE, obj(root.get("provider")).get("vector_module"), java + " relaunched with the module");
        assertEquals(null, root.get("bench"));
    }

    @Test
    void launcherScriptSaysWhichJdkAndRuns() throws Exception {
        assumeTrue(Files.isExecutable(SCRIPT), "the launcher script is executable");
        Map<String, String> env = new TreeMap<>();
        env.put("JAVA_HOME", null);
        env.put("SPARSE_CIRCUITS_VERBOSE", "1");
        Run r = exec(env, List.of(SCRIPT.toString(), "--version"));
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().startsWith("sparse-circuits "), r.out());
        assertTrue(r.err().startsWith("sparse-circuits: using JDK "), "the first verbose line names the JDK: " + r.err());
        assertTrue(r.err().contains("newest JDK >= 17"), r.err());
        // it runs a private copy of the jar (replaced by rename), so a rebuild never changes a running JVM's jar
        Path copy = ROOT.resolve("cli/target/run/sparse-circuits.jar");
        assertTrue(Files.isRegularFile(copy), "the launcher's copy of the jar");
        assertEquals(-1L, Files.mismatch(JAR, copy), "the copy is the built jar");

        env.put("JAVA_HOME", System.getProperty("java.home"));
        Run home = exec(env, List.of(SCRIPT.toString(), "--version"));
        assertEquals(0, home.status(), home.err());
        assertTrue(home.err().startsWith("sparse-circuits: using JDK " + Runtime.version().feature()), home.err());
        assertTrue(home.err().contains("(from JAVA_HOME)"), home.err());

        env.put("JAVA_HOME", "/nonexistent/jdk");
        Run bad = exec(env, List.of(SCRIPT.toString(), "--version"));
        assertEquals(2, bad.status());
        assertEquals(1, bad.err().split("\n").length, bad.err());
        assertTrue(bad.err().startsWith("sparse-circuits: JAVA_HOME is '/nonexistent/jdk' but it has no bin/java; "), bad.err());

        env.put("JAVA_HOME", null);
        env.put("SPARSE_CIRCUITS_VERBOSE", null);
        Run bogus = exec(env, List.of(SCRIPT.toString(), "bogus-command"));
        assertEquals(2, bogus.status());
        assertEquals(1, bogus.errLines().size(), bogus.err());
        assertNotNull(bogus.errLines().get(0));
    }
}
