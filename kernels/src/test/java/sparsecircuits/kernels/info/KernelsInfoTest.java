package sparsecircuits.kernels.info;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The JSON of kernels-info against its documentation (README.md), on made-up figures. */
class KernelsInfoTest {

    static KernelsInfo sample(boolean withBench, boolean vector) {
        PlatformInfo platform = new PlatformInfo("25.0.3+9-LTS", "Eclipse Adoptium", "OpenJDK 64-Bit Server VM", "/jdk",
                "Linux", "6.1", "amd64", "Test CPU @ 3.0GHz", 8, vector);
        KernelsInfo.Provider provider = new KernelsInfo.Provider(vector ? "vector" : "scalar",
                vector ? "jdk.incubator.vector present" : "jdk.incubator.vector is not in this JVM", vector ? 512 : 32, vector);
        List<KernelChecks.Result> checks = List.of(
                new KernelChecks.Result("gemmABt", 100, 1.5e-7, 3e-8, 1e-4, true, null),
                new KernelChecks.Result("spmm", 50, Double.NaN, Double.NaN, 2e-4, false, "output 0 element 3 is NaN (reference 0.5)"));
        KernelBench.Report bench = null;
        if (withBench) {
            KernelBench.Timing t = new KernelBench.Timing(2_500_000, 7);
            bench = new KernelBench.Report(provider.name(), 1, 10, 10.4, vector ? OptionalDouble.of(123.456789) : OptionalDouble.empty(),
                    new KernelBench.Dense("gemmABt", 256, 2048, 512, 40.123456, t),
                    new KernelBench.Dense("gemmAB", 2048, 512, 512, 38.0, t),
                    List.of(new KernelBench.Sparse("spmm", 4, 262144, 20.0, 2.1, t),
                            new KernelBench.Sparse("spmm", 64, 16384, 9.0, 15.25, t)),
                    new KernelBench.Dense("gemmAtB", 512, 512, 2048, 30.0, t),
                    new KernelBench.Sparse("spmmTransposed", 16, 65536, 12.0, 6.5, t),
                    List.of(new KernelBench.TopKTiming(65536, 4096, 1.25, t)));
        }
        return new KernelsInfo("1.2.3", platform, provider, 8, checks, bench);
    }

    /** Every key path of a JSON tree: {@code a.b}, arrays as {@code a[]}, array elements' keys as {@code a[].c}. */
    static void paths(Object node, String path, Set<String> out) {
        if (node instanceof Map) {
            if (!path.isEmpty()) out.add(path);
            for (Map.Entry<?, ?> e : ((Map<?, ?>) node).entrySet()) {
                paths(e.getValue(), path.isEmpty() ? (String) e.getKey() : path + "." + e.getKey(), out);
            }
        } else if (node instanceof List) {
            out.add(path);
            for (Object o : (List<?>) node) paths(o, path + "[]", out);
        } else {
            out.add(path);
        }
    }

    static Set<String> documentedKeys() throws IOException {
        String readme = Files.readString(Path.of("../README.md"));
        int from = readme.indexOf("<!-- kernels-info-keys");
        int to = readme.indexOf("<!-- /kernels-info-keys -->");
        assertTrue(from >= 0 && to > from, "README.md has the kernels-info key table between its markers");
        String doc = readme.substring(from, to);
        Matcher m = Pattern.compile("(?m)^\\| `([a-z0-9_.\\[\\]]+)` \\|").matcher(doc);
        Set<String> keys = new TreeSet<>();
        while (m.find()) keys.add(m.group(1));
        return keys;
    }

    @Test
    void everyJsonKeyIsDocumentedAndEveryDocumentedKeyExists() throws IOException {
        Set<String> documented = documentedKeys();
        assertTrue(documented.size() > 60, "found the key table: " + documented);
        Set<String> emitted = new TreeSet<>();
        paths(sample(true, true).toJson(), "", emitted);
        Set<String> leaves = new TreeSet<>();
        for (String p : emitted) {
            boolean isPrefix = emitted.stream().anyMatch(q -> q.startsWith(p + ".") || q.startsWith(p + "[]."));
            boolean isArray = emitted.stream().anyMatch(q -> q.startsWith(p + "[]"));
            if (!isPrefix || isArray) leaves.add(p);
        }
        Set<String> undocumented = new TreeSet<>(leaves);
        undocumented.removeAll(documented);
        assertEquals(Set.of(), undocumented, "keys in the JSON but not in README.md's kernels-info table");
        Set<String> missing = new TreeSet<>(documented);
        missing.removeAll(emitted);
        assertEquals(Set.of(), missing, "keys documented but not in the JSON");
    }

    @Test
    void jsonKeepsEveryKeyWithNullsWhereNothingApplies() {
        Map<String, Object> json = sample(false, false).toJson();
        assertEquals("sparse-circuits/kernels-info/1", json.get("schema"));
        assertEquals(List.of("schema", "version", "jdk", "os", "cpu", "provider", "threads", "checks_passed", "checks", "bench"),
                List.copyOf(json.keySet()), "stable key order");
        assertTrue(json.containsKey("bench"));
        assertNull(json.get("bench"));
        assertEquals(Boolean.FALSE, json.get("checks_passed"));
        Map<?, ?> failed = (Map<?, ?>) ((List<?>) json.get("checks")).get(1);
        assertTrue(failed.containsKey("max_abs_error"));
        assertNull(failed.get("max_abs_error"), "NaN becomes null");
        assertEquals("output 0 element 3 is NaN (reference 0.5)", failed.get("failure"));
        assertTrue(finite(json), "no NaN or infinity left anywhere (JSON has neither)");

        Map<?, ?> noVector = (Map<?, ?>) sample(true, false).toJson().get("bench");
        assertTrue(noVector.containsKey("fma_peak_gflops"));
        assertNull(noVector.get("fma_peak_gflops"));
        assertNull(((Map<?, ?>) noVector.get("gemm")).get("fraction_of_fma_peak"));
    }

    @Test
    void benchFiguresAreRoundedToFourSignificantDigits() {
        Map<?, ?> bench = (Map<?, ?>) sample(true, true).toJson().get("bench");
        assertEquals(123.5, bench.get("fma_peak_gflops"));
        assertEquals(40.12, ((Map<?, ?>) bench.get("gemm")).get("gflops"));
        assertEquals(2.5, ((Map<?, ?>) bench.get("gemm")).get("time_ms"));
        Map<?, ?> sparse = (Map<?, ?>) ((List<?>) bench.get("spmm")).get(1);
        assertEquals(0.015625, sparse.get("density"));
        assertEquals("1/64", sparse.get("density_label"));
        assertEquals(15.25, sparse.get("speedup_vs_dense"));
        assertEquals(0.0, KernelsInfo.round(0));
        assertEquals(0.0001235, KernelsInfo.round(0.000123456));
    }

    /** Whether every number in a JSON value tree is finite. */
    static boolean finite(Object node) {
        if (node instanceof Map<?, ?> m) return m.values().stream().allMatch(KernelsInfoTest::finite);
        if (node instanceof List<?> l) return l.stream().allMatch(KernelsInfoTest::finite);
        return !(node instanceof Double d) || Double.isFinite(d);
    }
}
