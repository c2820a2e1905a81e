package sparsecircuits.model.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;
import sparsecircuits.model.checkpoint.SafeTensors.Tensor;

/** Corrupt, truncated and hostile files: each is a one-line CheckpointException naming the file and the problem. */
class SafeTensorsHostileTest {
    @TempDir
    Path dir;

    private Path file(byte[] bytes) {
        Path f = dir.resolve("model.safetensors");
        try {
            Files.write(f, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return f;
    }

    /** Both read and readHeader refuse the file with a message naming it and containing every fragment. */
    private void refused(byte[] bytes, String... fragments) {
        Path f = file(bytes);
        for (boolean headerOnly : new boolean[] {false, true}) {
            CheckpointException e = assertThrows(CheckpointException.class,
                    () -> {
                        if (headerOnly) SafeTensors.readHeader(f);
                        else SafeTensors.read(f);
                    });
            String m = e.getMessage();
            assertTrue(m.startsWith(f + ": "), m);
            assertFalse(m.contains("\n"), "one line: " + m);
            for (String frag : fragments) assertTrue(m.contains(frag), "'" + frag + "' in: " + m);
        }
    }

    private void refusedHeader(String header, byte[] buffer, String... fragments) {
        refused(Bytes.file(header, buffer), fragments);
    }

    private static String t(String name, String dtype, String shape, String offsets) {
        return "\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape + ",\"data_offsets\":" + offsets + "}";
    }

    @Test
    void tooShortForTheLength() {
        refused(new byte[0], "0 bytes", "too short");
        refused(new byte[5], "5 bytes", "too short");
    }

    @Test
    void headerLengthBeyondTheFile() {
        refused(Bytes.file(1000, "{}".getBytes(StandardCharsets.US_ASCII), new byte[0]), "header length 1000", "beyond the file size of 10 bytes");
        refused(Bytes.file(-1L, new byte[16], new byte[0]), "header length 18446744073709551615", "beyond the file size");
        refused(Bytes.file(Long.MAX_VALUE, new byte[16], new byte[0]), "header length " + Long.MAX_VALUE, "beyond");
    }

    @Test
    void hugeHeaderIsRefusedBeforeAllocating() throws IOException {
        Path f = dir.resolve("model.safetensors");
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            raf.write(Bytes.le(SafeTensors.MAX_HEADER_BYTES + 1));
            raf.setLength(SafeTensors.MAX_HEADER_BYTES + 100); // sparse: costs no disk
        }
        CheckpointException e = assertThrows(CheckpointException.class, () -> SafeTensors.read(f));
        assertTrue(e.getMessage().contains("header length 100000001 exceeds the limit of 100000000 bytes"), e.getMessage());
    }

    @Test
    void headerNotUtf8OrNotJson() {
        refused(Bytes.file(4, new byte[] {'{', (byte) 0xff, (byte) 0xfe, '}'}, new byte[0]), "not valid UTF-8");
        refusedHeader("{not json}", new byte[0], "not valid JSON", "line 1, column 2");
        refusedHeader("[1, 2]", new byte[0], "not an object");
        refusedHeader("{}   x", new byte[0], "not valid JSON");
        refusedHeader("{" + t("a", "F32", "[1]", "[0,4]") + "," + t("a", "F32", "[1]", "[4,8]") + "}", new byte[8],
                "not valid JSON", "duplicate");
        refused(Bytes.file(1, new byte[] {'{'}, new byte[0]), "header length 1", "too small");
        refusedHeader("{\"a\":" + "[".repeat(50) + "]".repeat(50) + "}", new byte[0], "not valid JSON");
    }

    @Test
    void tensorEntriesMustBeWellFormed() {
        refusedHeader("{\"w\":5}", new byte[0], "tensor 'w'", "a number, not an object");
        refusedHeader("{\"w\":{\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[4], "tensor 'w' has no dtype");
        refusedHeader("{\"w\":{\"dtype\":4,\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[4], "tensor 'w'", "dtype that is a number");
        refusedHeader("{" + t("w", "F17", "[1]", "[0,4]") + "}", new byte[4], "tensor 'w' has unknown dtype 'F17'");
        refusedHeader("{\"w\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", new byte[4], "tensor 'w' has no shape");
        refusedHeader("{\"w\":{\"dtype\":\"F32\",\"shape\":{},\"data_offsets\":[0,4]}}", new byte[4], "tensor 'w'", "shape that is an object");
        refusedHeader("{\"w\":{\"dtype\":\"F32\",\"shape\":[1]}}", new byte[4], "tensor 'w' has no data_offsets");
        refusedHeader("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4],\"extra\":1}}", new byte[4],
                "tensor 'w'", "unknown field 'extra'");
    }

    @Test
    void badShapes() {
        refusedHeader("{" + t("w", "F32", "[-1]", "[0,4]") + "}", new byte[4], "tensor 'w'", "negative dimension");
        refusedHeader("{" + t("w", "F32", "[1.5]", "[0,4]") + "}", new byte[4], "tensor 'w'", "not an integer: 1.5");
        refusedHeader("{" + t("w", "F32", "[1.0]", "[0,4]") + "}", new byte[4], "tensor 'w'", "not an integer");
        refusedHeader("{" + t("w", "F32", "[\"2\"]", "[0,8]") + "}", new byte[8], "tensor 'w'", "not an integer");
        refusedHeader("{" + t("w", "F32", "[null]", "[0,8]") + "}", new byte[8], "tensor 'w'", "not an integer");
        refusedHeader("{" + t("w", "F32", "[1e3]", "[0,8]") + "}", new byte[8], "tensor 'w'", "not an integer");
        refusedHeader("{" + t("w", "F32", "[4294967296]", "[0,8]") + "}", new byte[8], "tensor 'w'", "dimension above 2147483647");
        refusedHeader("{" + t("w", "F32", "[99999999999999999999999]", "[0,8]") + "}", new byte[8], "tensor 'w'", "not an integer");
        refusedHeader("{" + t("w", "F32", "[2147483647,2147483647,2147483647]", "[0,8]") + "}", new byte[8],
                "tensor 'w'", "element count overflows");
        // fits in 64 bits as elements, but not as bytes
        refusedHeader("{" + t("w", "F64", "[2147483647,2147483647,4]", "[0,8]") + "}", new byte[8],
                "tensor 'w'", "overflows");
    }

    @Test
    void zeroDimensionBeatsHugeOnes() {
        Path f = file(Bytes.file("{" + t("w", "F32", "[2147483647,2147483647,2147483647,0]", "[0,0]") + "}", new byte[0]));
        Tensor w = SafeTensors.read(f).get("w");
        assertEquals(0, w.data().length);
        assertEquals(4, w.shape().length);
    }

    @Test
    void badOffsets() {
        refusedHeader("{" + t("w", "F32", "[1]", "[0]") + "}", new byte[4], "tensor 'w'", "expected two integers");
        refusedHeader("{" + t("w", "F32", "[1]", "[0,4,8]") + "}", new byte[4], "tensor 'w'", "expected two integers");
        refusedHeader("{" + t("w", "F32", "[1]", "[0,4.0]") + "}", new byte[4], "tensor 'w'", "expected two integers");
        refusedHeader("{" + t("w", "F32", "[1]", "\"0,4\"") + "}", new byte[4], "tensor 'w'", "data_offsets that are a string");
        refusedHeader("{" + t("w", "F32", "[1]", "[-4,0]") + "}", new byte[4], "tensor 'w'", "[-4, 0]", "0 <= begin <= end");
        refusedHeader("{" + t("w", "F32", "[1]", "[8,4]") + "}", new byte[8], "tensor 'w'", "[8, 4]", "0 <= begin <= end");
        refusedHeader("{" + t("w", "F32", "[1]", "[0,9223372036854775807]") + "}", new byte[4], "tensor 'w'", "beyond the data buffer");
    }

    @Test
    void byteCountMustMatchDtypeAndShape() {
        refusedHeader("{" + t("transformer.wte.weight", "F32", "[16,32]", "[0,1000]") + "}", new byte[1000],
                "tensor 'transformer.wte.weight' has data_offsets [0, 1000] but F32 [16, 32] needs 2048 bytes");
        refusedHeader("{" + t("s", "F16", "[]", "[0,4]") + "}", new byte[4], "tensor 's'", "F16 []", "needs 2 bytes");
    }

    @Test
    void truncatedFile() {
        byte[] whole = Bytes.file("{" + t("a", "F32", "[4]", "[0,16]") + "," + t("b", "F32", "[2,2]", "[16,32]") + "}", new byte[32]);
        assertEquals(2, SafeTensors.read(file(whole)).tensors().size());
        refused(Arrays.copyOf(whole, whole.length - 1), "tensor 'b'", "beyond the data buffer of 31 bytes", "truncated");
        refused(Arrays.copyOf(whole, whole.length - 20), "tensor", "truncated");
        refused(Arrays.copyOf(whole, 20), "header length", "beyond the file size of 20 bytes");
        refused(Arrays.copyOf(whole, 7), "too short");
    }

    @Test
    void overlapGapsAndTrailingBytes() {
        refusedHeader("{" + t("a", "F32", "[2]", "[0,8]") + "," + t("b", "F32", "[2]", "[4,12]") + "}", new byte[12],
                "tensor 'b' has data_offsets [4, 12] overlapping tensor 'a' [0, 8]");
        refusedHeader("{" + t("a", "F32", "[2]", "[0,8]") + "," + t("b", "F32", "[2]", "[0,8]") + "}", new byte[8],
                "overlapping");
        refusedHeader("{" + t("a", "F32", "[1]", "[0,4]") + "," + t("b", "F32", "[1]", "[8,12]") + "}", new byte[12],
                "tensor 'b'", "gap of 4 bytes");
        refusedHeader("{" + t("a", "F32", "[1]", "[4,8]") + "}", new byte[8], "tensor 'a'", "gap of 4 bytes");
        refusedHeader("{" + t("a", "F32", "[1]", "[0,4]") + "}", new byte[6], "2 bytes after the last tensor's data");
        refusedHeader("{}", new byte[3], "3 bytes after the last tensor's data");
    }

    @Test
    void badMetadata() {
        refusedHeader("{\"__metadata__\":[1]}", new byte[0], "__metadata__ is an array");
        refusedHeader("{\"__metadata__\":{\"format\":1}}", new byte[0], "__metadata__ entry 'format' is a number, not a string");
        refusedHeader("{\"__metadata__\":{\"format\":null}}", new byte[0], "__metadata__ entry 'format' is null");
    }

    @Test
    void unconvertibleDtypeIsRefusedOnLoadButInspectable() {
        Path f = file(Bytes.file("{" + t("q", "F8_E4M3", "[2]", "[0,2]") + "}", new byte[2]));
        assertEquals("F8_E4M3", SafeTensors.readHeader(f).tensors().get("q").dtype());
        CheckpointException e = assertThrows(CheckpointException.class, () -> SafeTensors.read(f));
        assertTrue(e.getMessage().contains("tensor 'q' has dtype F8_E4M3, which this reader cannot convert"), e.getMessage());
    }

    @Test
    void missingFileAndDirectory() throws IOException {
        Path missing = dir.resolve("nope.safetensors");
        CheckpointException e = assertThrows(CheckpointException.class, () -> SafeTensors.read(missing));
        assertTrue(e.getMessage().startsWith(missing + ": cannot read") && e.getMessage().contains("no such file"), e.getMessage());
        Path sub = Files.createDirectory(dir.resolve("sub.safetensors"));
        assertThrows(CheckpointException.class, () -> SafeTensors.read(sub));
    }

    /**
     * Random damage to a valid file (bytes overwritten anywhere, in the header especially, a new
     * length prefix, truncation): reading either succeeds or is a CheckpointException, never another
     * exception or error.
     */
    @Test
    void randomDamageIsOnlyEverACheckpointException() throws IOException {
        Path good = dir.resolve("good.safetensors");
        SafeTensors.write(good, List.of(Tensor.f32("transformer.h.0.attn.c_attn.weight", new int[] {3, 4}, new float[12]),
                Tensor.f32("b", new int[] {2, 0, 5}, new float[0]), Tensor.f32("s", new int[0], new float[] {7})),
                java.util.Map.of("format", "pt"));
        byte[] base = Files.readAllBytes(good);
        Gen<byte[]> damaged = in -> {
            byte[] b = base.clone();
            int kind = Generate.range(0, 3).generate(in);
            if (kind == 0 || kind == 3) {
                int edits = Generate.range(1, 4).generate(in);
                byte[] alphabet = "0123456789-.,:[]{}\" eE".getBytes(StandardCharsets.US_ASCII);
                for (int i = 0; i < edits; i++) {
                    int pos = Generate.range(8, Math.min(b.length - 1, 8 + 150)).generate(in);
                    b[pos] = Generate.booleans().generate(in)
                            ? alphabet[Generate.range(0, alphabet.length - 1).generate(in)]
                            : (byte) (int) Generate.range(0, 255).generate(in);
                }
            }
            if (kind == 1) {
                long n = Generate.booleans().generate(in) ? Generate.range(0, b.length + 10).generate(in)
                        : Generate.longRange(Long.MIN_VALUE, Long.MAX_VALUE).generate(in);
                System.arraycopy(Bytes.le(n), 0, b, 0, 8);
            }
            if (kind == 2 || kind == 3) {
                b = Arrays.copyOf(b, Generate.range(0, b.length).generate(in));
            }
            return b;
        };
        Path f = dir.resolve("damaged.safetensors");
        qt().withExamples(400).forAll(damaged).checkAssert(b -> {
            try {
                Files.write(f, b);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            try {
                SafeTensors.read(f);
            } catch (CheckpointException e) {
                assertTrue(e.getMessage().startsWith(f + ": ") && !e.getMessage().contains("\n"), e.getMessage());
            }
        });
    }
}
