package sparsecircuits.model.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sparsecircuits.model.checkpoint.SafeTensors.Tensor;

/**
 * The same tensors and metadata give the same file bytes in every JVM. {@code Map.of} iterates in an order salted
 * per JVM, so a writer that followed the caller's map order wrote a different header from one run to the next.
 */
class SafeTensorsReproducibleTest {
    @TempDir
    Path dir;

    /** Enough keys that two JVMs' {@code Map.of} salts almost never give the same iteration order. */
    static Map<String, String> metadata() {
        List<Map.Entry<String, String>> es = new ArrayList<>();
        for (int i = 0; i < 16; i++) es.add(Map.entry("key" + (char) ('a' + i), "value " + i));
        return Map.ofEntries(es.toArray(Map.Entry[]::new));
    }

    static Map<String, Tensor> tensors() {
        List<Map.Entry<String, Tensor>> es = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            String name = "t" + (char) ('a' + i);
            es.add(Map.entry(name, Tensor.f32(name, new int[] {i + 1}, new float[i + 1])));
        }
        return Map.ofEntries(es.toArray(Map.Entry[]::new));
    }

    /** The second JVM's side: writes {@link #tensors()} and {@link #metadata()} to {@code args[0]}. */
    public static final class Writer {
        public static void main(String[] args) {
            SafeTensors.write(Path.of(args[0]), tensors(), metadata());
        }
    }

    @Test
    void twoJvmsWriteTheSameBytes() throws Exception {
        Path here = dir.resolve("here.safetensors");
        Writer.main(new String[] {here.toString()});
        for (int i = 0; i < 2; i++) { // two more JVMs, two more salts
            Path there = dir.resolve("there" + i + ".safetensors");
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), Writer.class.getName(), there.toString())
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the second JVM finished");
            assertEquals(0, p.exitValue(), out);
            assertArrayEquals(Files.readAllBytes(here), Files.readAllBytes(there), "JVM " + i + " wrote other bytes");
        }
        SafeTensors.Loaded l = SafeTensors.read(here);
        assertEquals(new TreeMap<>(metadata()), new TreeMap<>(l.metadata()));
        assertEquals(List.of("ta", "tb", "tc", "td", "te", "tf", "tg", "th", "ti", "tj", "tk", "tl"), new ArrayList<>(l.tensors().keySet()),
                "a map without an order of its own is written sorted by name");
    }

    @Test
    void metadataKeysAreSortedWhateverTheCallersOrder() throws IOException {
        List<Tensor> ts = List.of(Tensor.f32("z", new int[] {1}, new float[] {1}), Tensor.f32("a", new int[] {1}, new float[] {2}));
        LinkedHashMap<String, String> forward = new LinkedHashMap<>(), backward = new LinkedHashMap<>();
        List<String> keys = List.of("format", "tokens", "a", "Z", "version");
        for (String k : keys) forward.put(k, k + "!");
        for (int i = keys.size() - 1; i >= 0; i--) backward.put(keys.get(i), keys.get(i) + "!");
        Path a = dir.resolve("a.safetensors"), b = dir.resolve("b.safetensors"), c = dir.resolve("c.safetensors");
        SafeTensors.write(a, ts, forward);
        SafeTensors.write(b, ts, backward);
        SafeTensors.write(c, ts, new HashMap<>(forward));
        assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b));
        assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(c));
        assertEquals(List.of("Z", "a", "format", "tokens", "version"), new ArrayList<>(SafeTensors.read(a).metadata().keySet()));
        assertEquals(List.of("z", "a"), new ArrayList<>(SafeTensors.read(a).tensors().keySet()), "a list keeps its order");
    }
}
