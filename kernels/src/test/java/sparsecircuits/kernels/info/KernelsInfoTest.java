package sparsecircuits.kernels.info;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static sparsecircuits.kernels.info.KernelsInfoSample.sample;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The JSON of kernels-info against its documentation (README.md), on made-up figures ({@link KernelsInfoSample}). */
class KernelsInfoTest {

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
