package sparsecircuits.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import sparsecircuits.experiment.job.JobRecord;
import sparsecircuits.experiment.plan.ExperimentSettings;
import sparsecircuits.experiment.run.RunSummary;
import sparsecircuits.experiment.store.LocalDirectoryStore;
import sparsecircuits.model.json.Json;

/** The small plan the Spark tests run on both runners, and how two run directories are compared. */
final class ClusterFixture {
    private ClusterFixture() {
    }

    /** 2 sparse widths + 1 dense, 2 tasks, 2 k_coefs, a few steps: every kind of job, in seconds. */
    static ExperimentSettings plan() {
        return ExperimentSettings.builder().title("cluster test").sparseWidths(List.of(64, 128)).denseWidths(List.of(16)).steps(3)
                .tasks(List.of("if_equals", "var_swap")).controls(List.of("if_equals")).pruneSteps(3).pairs(8)
                .targets(List.of(10.0, 9.0)).mainTarget(9).solvedBelow(9).kCoefs(List.of(1e-3, 1e-2)).build();
    }

    /** A sweep of two L0s over the same small models: 5 models (the dense one shared), every kind of job. */
    static final String GRID = """
            {"preset": "demo", "steps": 3, "pfrac": [0.25, 0.5], "sparse_widths": [64, 128], "dense_widths": [16], "seeds": [0],
             "tasks": ["if_equals", "var_swap"], "controls": ["if_equals"], "k_coefs": [1e-3], "targets": [10, 9], "target": 9,
             "solved_below": 9, "prune_steps": 3, "pairs": 8}""";

    /** Binds every Spark socket this JVM opens to the loopback address, and keeps Spark's web page off. */
    static void loopbackOnly() {
        System.setProperty("spark.driver.host", "127.0.0.1");
        System.setProperty("spark.driver.bindAddress", "127.0.0.1");
        System.setProperty("spark.ui.enabled", "false");
    }

    /**
     * Asserts that two run directories hold the same results: every job's record under the same name with the same
     * id, inputs, outputs and result, and every file byte for byte, except what records time and place (the records'
     * seconds and workers, the report page; JSON files are compared without their timings and dates).
     */
    static void assertSameResults(RunSummary a, Path dirA, RunSummary b, Path dirB) throws IOException {
        assertEquals(a.records().keySet(), b.records().keySet());
        for (var e : a.records().entrySet()) {
            JobRecord x = e.getValue(), y = b.records().get(e.getKey());
            // the report's id includes when every job finished (it is written again after any job ran again)
            if (!x.kind().equals("report")) assertEquals(x.id(), y.id(), e.getKey());
            assertEquals(x.outputs(), y.outputs(), e.getKey());
            assertEquals(Json.write(x.result()), Json.write(y.result()), e.getKey());
        }
        Map<String, byte[]> filesA = files(dirA), filesB = files(dirB);
        assertEquals(filesA.keySet(), filesB.keySet());
        int compared = 0;
        for (String f : filesA.keySet()) {
            if (f.startsWith("report")) continue;
            if (f.endsWith(".json") || f.endsWith(".jsonl")) {
                assertEquals(withoutTimes(filesA.get(f)), withoutTimes(filesB.get(f)), f);
            } else {
                assertTrue(java.util.Arrays.equals(filesA.get(f), filesB.get(f)), f + " differs");
            }
            compared++;
        }
        assertTrue(compared > 20, "compared " + compared + " files");
    }

    private static Map<String, byte[]> files(Path dir) throws IOException {
        Map<String, byte[]> m = new TreeMap<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                String rel = dir.relativize(p).toString().replace('\\', '/');
                // records are compared by job name above (the report's file name is its id)
                if (!rel.startsWith(LocalDirectoryStore.STAGING) && !rel.startsWith(LocalDirectoryStore.JOBS + "/")) m.put(rel, relative(Files.readAllBytes(p), dir));
            }
        }
        return m;
    }

    /** A file with the run directory's path in it (circuit.json names its model file) written as "RUN". */
    private static byte[] relative(byte[] bytes, Path dir) {
        String text = new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1), path = dir.toAbsolutePath().toString();
        return text.contains(path) ? text.replace(path, "RUN").getBytes(java.nio.charset.StandardCharsets.ISO_8859_1) : bytes;
    }

    /** JSON (or JSON lines) without what measures time: keys naming seconds, milliseconds, rates and dates. */
    private static String withoutTimes(byte[] json) {
        StringBuilder out = new StringBuilder();
        for (String line : new String(json, java.nio.charset.StandardCharsets.UTF_8).split("\n(?=[{])")) {
            out.append(Json.write(strip(Json.parse(line)))).append('\n');
        }
        return out.toString();
    }

    private static boolean timing(String key) {
        return key.contains("seconds") || key.endsWith("Utc") || key.equals("ms") || key.endsWith("_ms") || key.endsWith("_per_s");
    }

    private static Object strip(Object v) {
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> out = new TreeMap<>();
            m.forEach((k, x) -> {
                if (!timing(String.valueOf(k))) out.put((String) k, strip(x));
            });
            return out;
        }
        if (v instanceof List<?> l) return l.stream().map(ClusterFixture::strip).toList();
        if (v instanceof String text && text.startsWith("Compute time of the jobs:")) return "Compute time of the jobs: (a time)";
        return v;
    }
}
