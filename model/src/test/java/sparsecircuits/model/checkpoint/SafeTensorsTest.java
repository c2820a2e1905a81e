package sparsecircuits.model.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;
import sparsecircuits.model.checkpoint.SafeTensors.Loaded;
import sparsecircuits.model.checkpoint.SafeTensors.Tensor;

class SafeTensorsTest {
    @TempDir
    Path dir;

    record Case(List<Tensor> tensors, Map<String, String> metadata) {
        @Override
        public String toString() {
            return tensors + " " + metadata;
        }
    }

    static Gen<String> names() {
        Gen<Integer> cp = Generate.range(0x20, 0x7e).mix(Generate.pick(List.of(0x0a, 0x22, 0x5c, 0xe9, 0x2028, 0x1F600, 0x4E2D)), 20);
        Gen<String> random = in -> {
            int len = Generate.range(0, 10).generate(in);
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < len; i++) sb.appendCodePoint(cp.generate(in));
            return sb.toString();
        };
        Gen<String> real = Generate.pick(List.of("transformer.wte.weight", "transformer.h.0.attn.c_attn.weight",
                "transformer.h.0.attn.c_attn.bias", "lm_head.weight", "bigram_table"));
        return random.mix(real, 30);
    }

    /** Any float bit pattern (NaN payloads, -0.0, subnormals, infinities) mixed with ordinary values. */
    static Gen<Float> floats() {
        Gen<Float> bits = Generate.range(Integer.MIN_VALUE, Integer.MAX_VALUE).map(Float::intBitsToFloat);
        Gen<Float> special = Generate.pick(List.of(-0.0f, 0.0f, Float.NaN, Float.intBitsToFloat(0x7f800001),
                Float.intBitsToFloat(0xffc12345), Float.POSITIVE_INFINITY, Float.MIN_VALUE, Float.MAX_VALUE));
        return bits.mix(special, 30);
    }

    static Gen<Case> cases() {
        Gen<String> name = names();
        Gen<Float> value = floats();
        return in -> {
            int count = Generate.range(0, 5).generate(in);
            Set<String> used = new HashSet<>();
            List<Tensor> tensors = new ArrayList<>();
            for (int t = 0; t < count; t++) {
                String n = name.generate(in);
                if (n.equals(SafeTensors.METADATA_KEY) || !used.add(n)) continue;
                int rank = Generate.range(0, 3).generate(in);
                int[] shape = new int[rank];
                int numel = 1;
                for (int i = 0; i < rank; i++) {
                    shape[i] = Generate.range(0, 5).generate(in);
                    numel *= shape[i];
                }
                float[] data = new float[numel];
                for (int i = 0; i < numel; i++) data[i] = value.generate(in);
                tensors.add(Tensor.f32(n, shape, data));
            }
            Map<String, String> meta = new LinkedHashMap<>();
            int m = Generate.range(0, 3).generate(in);
            for (int i = 0; i < m; i++) meta.put(name.generate(in), name.generate(in));
            return new Case(tensors, meta);
        };
    }

    private static void assertSameBits(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(actual[i]), what + "[" + i + "]");
        }
    }

    @Test
    void roundTripIsBitExactWithPaddedHeader() {
        Path f = dir.resolve("model.safetensors");
        qt().withExamples(150).forAll(cases()).checkAssert(c -> {
            SafeTensors.write(f, c.tensors(), c.metadata());
            Loaded back = SafeTensors.read(f);
            assertEquals(c.tensors().stream().map(Tensor::name).toList(), new ArrayList<>(back.tensors().keySet()));
            for (Tensor t : c.tensors()) {
                Tensor b = back.get(t.name());
                assertEquals("F32", b.dtype());
                assertArrayEquals(t.shape(), b.shape(), t.name());
                assertSameBits(t.data(), b.data(), t.name());
            }
            assertEquals(c.metadata(), back.metadata());
            assertEquals(List.copyOf(new java.util.TreeMap<>(c.metadata()).keySet()), List.copyOf(back.metadata().keySet()),
                    "metadata keys sorted");
            try {
                byte[] bytes = Files.readAllBytes(f);
                long n = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
                assertEquals(0, n % 8, "header length " + n + " is a multiple of 8");
                long dataBytes = c.tensors().stream().mapToLong(t -> 4L * t.data().length).sum();
                assertEquals(8 + n + dataBytes, bytes.length);
                String header = new String(bytes, 8, (int) n, StandardCharsets.UTF_8);
                assertTrue(header.startsWith("{") && header.stripTrailing().endsWith("}"), header);
                assertTrue(header.length() - header.stripTrailing().length() < 8, "padding is fewer than 8 spaces");
                assertEquals(header.stripTrailing().length() + header.chars().skip(header.stripTrailing().length()).filter(ch -> ch == ' ').count(),
                        header.length(), "only spaces pad the header");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            SafeTensors.Header h = SafeTensors.readHeader(f);
            long offset = 0;
            for (Tensor t : c.tensors()) {
                SafeTensors.TensorInfo info = h.tensors().get(t.name());
                assertEquals(offset, info.begin(), "contiguous in written order");
                assertEquals(offset + 4L * t.data().length, info.end());
                offset = info.end();
            }
        });
    }

    /** The writer's bytes are exactly those the format spec (and the reference library) give. */
    @Test
    void writerProducesTheSpecBytes() throws IOException {
        Path f = dir.resolve("x.safetensors");
        SafeTensors.write(f, List.of(Tensor.f32("x", new int[] {2}, new float[] {1f, -2f}),
                Tensor.f32("s", new int[0], new float[] {0.5f})), Map.of("format", "pt"));
        String json = "{\"__metadata__\":{\"format\":\"pt\"},\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"s\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[8,12]}}";
        int padded = (json.length() + 7) / 8 * 8;
        String header = json + " ".repeat(padded - json.length());
        byte[] expected = Bytes.file(header, Bytes.f32(1f, -2f, 0.5f));
        assertArrayEquals(expected, Files.readAllBytes(f));
    }

    /** A file laid out by hand per the spec (unpadded header, tensors listed out of buffer order, as other tools may write). */
    @Test
    void readsAHandBuiltSpecFile() throws IOException {
        String header = "{\"b\":{\"dtype\":\"F32\",\"shape\":[1,2],\"data_offsets\":[12,20]},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,12]},\"__metadata__\":{\"format\":\"pt\",\"k\":\"v\"}}";
        Path f = dir.resolve("spec.safetensors");
        Files.write(f, Bytes.file(header, Bytes.f32(1, 2, 3, -0.0f, Float.NaN)));
        Loaded l = SafeTensors.read(f);
        assertEquals(List.of("b", "a"), new ArrayList<>(l.tensors().keySet()));
        assertArrayEquals(new int[] {1, 2}, l.get("b").shape());
        assertSameBits(new float[] {-0.0f, Float.NaN}, l.get("b").data(), "b");
        assertSameBits(new float[] {1, 2, 3}, l.get("a").data(), "a");
        assertEquals(Map.of("format", "pt", "k", "v"), l.metadata());
        CheckpointException e = assertThrows(CheckpointException.class, () -> l.get("lm_head.weight"));
        assertTrue(e.getMessage().contains("spec.safetensors") && e.getMessage().contains("missing tensor 'lm_head.weight'"), e.getMessage());
    }

    @Test
    void readsF16AndBf16AndOtherDtypes() throws IOException {
        ByteBuffer ints = ByteBuffer.allocate(8 + 8 + 8 + 4 + 1 + 2 + 1 + 8).order(ByteOrder.LITTLE_ENDIAN);
        ints.putDouble(0.1).putLong(-3).putLong(-1L /* U64 max */).putInt(-7).put((byte) 200).putShort((short) -5).put((byte) 2).putDouble(1e300);
        String header = "{\"h\":{\"dtype\":\"F16\",\"shape\":[2,3],\"data_offsets\":[0,12]},"
                + "\"bf\":{\"dtype\":\"BF16\",\"shape\":[4],\"data_offsets\":[12,20]},"
                + "\"d\":{\"dtype\":\"F64\",\"shape\":[],\"data_offsets\":[20,28]},"
                + "\"l\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[28,36]},"
                + "\"ul\":{\"dtype\":\"U64\",\"shape\":[1],\"data_offsets\":[36,44]},"
                + "\"i\":{\"dtype\":\"I32\",\"shape\":[1],\"data_offsets\":[44,48]},"
                + "\"u8\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[48,49]},"
                + "\"s\":{\"dtype\":\"I16\",\"shape\":[1],\"data_offsets\":[49,51]},"
                + "\"b\":{\"dtype\":\"BOOL\",\"shape\":[1],\"data_offsets\":[51,52]},"
                + "\"big\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[52,60]}}";
        Path f = dir.resolve("mixed.safetensors");
        Files.write(f, Bytes.file(header, Bytes.concat(
                Bytes.u16(0x3C00, 0xC000, 0x7BFF, 0x0001, 0x7C00, 0x7E00),
                Bytes.u16(0x3F80, 0xC000, 0xFF80, 0x8000),
                ints.array())));
        Loaded l = SafeTensors.read(f);
        assertEquals("F16", l.get("h").dtype());
        assertArrayEquals(new int[] {2, 3}, l.get("h").shape());
        float[] h = l.get("h").data();
        assertEquals(1f, h[0]);
        assertEquals(-2f, h[1]);
        assertEquals(65504f, h[2]);
        assertEquals(0x1p-24f, h[3]);
        assertEquals(Float.POSITIVE_INFINITY, h[4]);
        assertTrue(Float.isNaN(h[5]));
        assertSameBits(new float[] {1f, -2f, Float.NEGATIVE_INFINITY, -0.0f}, l.get("bf").data(), "bf");
        assertEquals(0.1f, l.get("d").data()[0]);
        assertEquals(0, l.get("d").shape().length);
        assertEquals(-3f, l.get("l").data()[0]);
        assertEquals(0x1p64f, l.get("ul").data()[0]);
        assertEquals(-7f, l.get("i").data()[0]);
        assertEquals(200f, l.get("u8").data()[0]);
        assertEquals(-5f, l.get("s").data()[0]);
        assertEquals(1f, l.get("b").data()[0]);
        assertEquals(Float.POSITIVE_INFINITY, l.get("big").data()[0]);
    }

    @Test
    void largeTensorCrossesReadChunks() {
        Path f = dir.resolve("big.safetensors");
        float[] data = new float[700_000];
        for (int i = 0; i < data.length; i++) data[i] = i * 0.25f - 3;
        SafeTensors.write(f, List.of(Tensor.f32("a", new int[] {7, 100_000}, data), Tensor.f32("b", new int[] {3}, new float[] {1, 2, 3})), null);
        Loaded l = SafeTensors.read(f);
        assertSameBits(data, l.get("a").data(), "a");
        assertSameBits(new float[] {1, 2, 3}, l.get("b").data(), "b");
        assertEquals(Map.of(), l.metadata());
    }

    @Test
    void mapWriterKeepsOrderAndChecksKeys() {
        Path f = dir.resolve("m.safetensors");
        LinkedHashMap<String, Tensor> m = new LinkedHashMap<>();
        m.put("z", Tensor.f32("z", new int[] {1}, new float[] {1}));
        m.put("a", Tensor.f32("a", new int[] {0, 3}, new float[0]));
        SafeTensors.write(f, m, Map.of());
        assertEquals(List.of("z", "a"), new ArrayList<>(SafeTensors.read(f).tensors().keySet()));
        m.put("b", Tensor.f32("c", new int[] {1}, new float[] {1}));
        assertThrows(IllegalArgumentException.class, () -> SafeTensors.write(f, m, Map.of()));
    }

    @Test
    void writerRefusesBadArguments() {
        Path f = dir.resolve("bad.safetensors");
        Tensor a = Tensor.f32("a", new int[] {1}, new float[] {1});
        assertThrows(IllegalArgumentException.class, () -> SafeTensors.write(f, List.of(a, a), null));
        assertThrows(IllegalArgumentException.class,
                () -> SafeTensors.write(f, List.of(Tensor.f32("__metadata__", new int[0], new float[1])), null));
        assertThrows(IllegalArgumentException.class, () -> Tensor.f32("x", new int[] {2, 2}, new float[3]));
        assertThrows(IllegalArgumentException.class, () -> Tensor.f32("x", new int[] {-1}, new float[0]));
        assertTrue(Files.notExists(f), "nothing written");
    }

    @Test
    void failedWriteKeepsThePreviousCheckpoint() throws IOException {
        Path f = dir.resolve("model.safetensors");
        SafeTensors.write(f, List.of(Tensor.f32("a", new int[] {1}, new float[] {1})), null);
        byte[] before = Files.readAllBytes(f);
        Tensor a = Tensor.f32("b", new int[] {1}, new float[] {2});
        assertThrows(IllegalArgumentException.class, () -> SafeTensors.write(f, List.of(a, a), null));
        assertArrayEquals(before, Files.readAllBytes(f));
    }
    @Test
    void pendingTensorsAreMadeOneAtATimeAndWriteTheSameBytes() throws IOException {
        Tensor a = Tensor.f32("a", new int[] {2, 3}, new float[] {1, 2, 3, 4, 5, 6});
        Tensor b = Tensor.f32("b", new int[] {4}, new float[] {-1, 0.5f, Float.MIN_VALUE, 7});
        Path eager = dir.resolve("eager.safetensors"), pending = dir.resolve("pending.safetensors");
        SafeTensors.write(eager, List.of(a, b), Map.of("k", "v"));
        List<String> made = new ArrayList<>();
        List<SafeTensors.Pending> ps = List.of(
                new SafeTensors.Pending("a", a.shape(), () -> { made.add("a"); return a.data().clone(); }),
                new SafeTensors.Pending("b", b.shape(), () -> { made.add("b"); return b.data().clone(); }));
        SafeTensors.writePending(pending, ps, Map.of("k", "v"));
        assertArrayEquals(Files.readAllBytes(eager), Files.readAllBytes(pending));
        assertEquals(List.of("a", "b"), made, "each tensor's values are asked for once, in file order");
    }

    @Test
    void pendingTensorOfTheWrongLengthLeavesThePreviousFile() throws IOException {
        Path f = dir.resolve("model.safetensors");
        SafeTensors.write(f, List.of(Tensor.f32("a", new int[] {1}, new float[] {1})), null);
        byte[] before = Files.readAllBytes(f);
        List<SafeTensors.Pending> ps = List.of(new SafeTensors.Pending("a", new int[] {2, 2}, () -> new float[3]));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SafeTensors.writePending(f, ps, null));
        assertTrue(e.getMessage().contains("'a'"), e.getMessage());
        assertArrayEquals(before, Files.readAllBytes(f));
    }
}
