package sparsecircuits.model.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class JsonTest {

    private static Map<String, Object> map(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], kv[i + 1]);
        return m;
    }

    @Test
    void parsesEveryKindOfValue() {
        Object v = Json.parse(" {\"a\": [1, -2, 3.5, -0.25e2, 1E3, true, false, null], \"b\": {\"c\": \"d\\n\\u00e9\\ud83d\\ude00\"},"
                + " \"big\": 12345678901234567890, \"e\": \"\\\"\\\\\\/\\b\\f\\r\\t\"}\r\n");
        Map<String, Object> expected = map(
                "a", Arrays.asList(1L, -2L, 3.5, -25.0, 1000.0, true, false, null),
                "b", map("c", "d\né\uD83D\uDE00"),
                "big", 1.2345678901234567e19,
                "e", "\"\\/\b\f\r\t");
        assertEquals(expected, v);
        assertEquals(List.of("a", "b", "big", "e"), new ArrayList<>(((Map<?, ?>) v).keySet()), "document order is kept");
    }

    @Test
    void topLevelScalarsAreDocuments() {
        assertEquals(42L, Json.parse("42"));
        assertEquals("x", Json.parse("\"x\""));
        assertEquals(null, Json.parse(" null "));
        assertEquals(Long.MIN_VALUE, Json.parse("-9223372036854775808"));
        assertEquals(9.223372036854775808E18, Json.parse("9223372036854775808"));
    }

    @Test
    void writesCompactAndPrettyInInsertionOrder() {
        Map<String, Object> m = map("z", 1, "a", List.of(1, 2.5, "x"), "o", map("k", null, "e", List.of(), "f", map()),
                "l", List.of(map("q", true)), "f", 0.1f, "d", 3.0);
        assertEquals("{\"z\":1,\"a\":[1,2.5,\"x\"],\"o\":{\"k\":null,\"e\":[],\"f\":{}},\"l\":[{\"q\":true}],\"f\":0.1,\"d\":3.0}",
                Json.write(m));
        assertEquals("{\n"
                + "  \"z\": 1,\n"
                + "  \"a\": [1, 2.5, \"x\"],\n"
                + "  \"o\": {\n"
                + "    \"k\": null,\n"
                + "    \"e\": [],\n"
                + "    \"f\": {}\n"
                + "  },\n"
                + "  \"l\": [\n"
                + "    {\n"
                + "      \"q\": true\n"
                + "    }\n"
                + "  ],\n"
                + "  \"f\": 0.1,\n"
                + "  \"d\": 3.0\n"
                + "}", Json.writePretty(m));
    }

    @Test
    void writesPrimitiveArrays() {
        assertEquals("[[1.5,-2.0],[1.0E-5],[1,2],[3]]",
                Json.write(List.of(new float[] {1.5f, -2f}, new double[] {1e-5}, new int[] {1, 2}, new long[] {3})));
    }

    @Test
    void escapesStrings() {
        assertEquals("\"q\\\"b\\\\s/\\n\\r\\t\\b\\f\\u0000\\u001f\u007f\\u2028\\u2029é\uD83D\uDE00\"",
                Json.write("q\"b\\s/\n\r\t\b\f\u0000\u001f\u007f\u2028\u2029é\uD83D\uDE00"));
    }

    @Test
    void refusesWhatJsonCannotHold() {
        IllegalArgumentException nan = assertThrows(IllegalArgumentException.class,
                () -> Json.write(map("bench", map("spmm", List.of(map("gflops", 1.0), map("gflops", Double.NaN))))));
        assertEquals("cannot write NaN at $.bench.spmm[1].gflops: JSON has no NaN or Infinity", nan.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Json.write(Double.POSITIVE_INFINITY));
        assertThrows(IllegalArgumentException.class, () -> Json.write(new float[] {Float.NEGATIVE_INFINITY}));
        assertThrows(IllegalArgumentException.class, () -> Json.write(new Object()));
        IllegalArgumentException set = assertThrows(IllegalArgumentException.class, () -> Json.write(new HashSet<>(List.of(1))));
        assertTrue(set.getMessage().contains("use a List"), set.getMessage());
        Map<Object, Object> badKey = new LinkedHashMap<>();
        badKey.put(1, 2);
        assertThrows(IllegalArgumentException.class, () -> Json.write(badKey));
        assertThrows(IllegalArgumentException.class, () -> Json.write("lone \uD800 surrogate"));
        assertThrows(IllegalArgumentException.class, () -> Json.write("\uDC00"));
        List<Object> cycle = new ArrayList<>();
        cycle.add(cycle);
        IllegalArgumentException deep = assertThrows(IllegalArgumentException.class, () -> Json.write(cycle));
        assertTrue(deep.getMessage().contains("cycle"), deep.getMessage());
    }

    @ParameterizedTest(name = "[{index}] {0} -> {3}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "``                 | 1 | 1 | empty input",
        "`   `              | 1 | 4 | empty input",
        "`[1,]`             | 1 | 4 | trailing comma",
        "`{\"a\":1,}`       | 1 | 8 | trailing comma",
        "`[1 2]`            | 1 | 4 | expected ',' or ']'",
        "`{\"a\" 1}`        | 1 | 6 | expected ':'",
        "`{a:1}`            | 1 | 2 | member name in double quotes",
        "`{'a':1}`          | 1 | 2 | member name in double quotes",
        "`{\"a\":1,\"a\":2}`| 1 | 8 | duplicate member name \"a\"",
        "`[1]x`             | 1 | 4 | after the JSON value",
        "`[1] [2]`          | 1 | 5 | after the JSON value",
        "`01`               | 1 | 1 | leading zeros",
        "`-`                | 1 | 2 | expected a digit",
        "`+1`               | 1 | 1 | expected a value",
        "`.5`               | 1 | 1 | expected a value",
        "`1.`               | 1 | 3 | after the decimal point",
        "`1e`               | 1 | 3 | in the exponent",
        "`1e+`              | 1 | 4 | in the exponent",
        "`1e999`            | 1 | 1 | out of the double range",
        "`NaN`              | 1 | 1 | expected a value",
        "`Infinity`         | 1 | 1 | expected a value",
        "`-Infinity`        | 1 | 2 | expected a digit",
        "`tru`              | 1 | 1 | did you mean 'true'",
        "`nul`              | 1 | 1 | did you mean 'null'",
        "`True`             | 1 | 1 | expected a value",
        "`\"abc`            | 1 | 1 | unterminated string",
        "`\"a\\x\"`         | 1 | 3 | invalid escape",
        "`\"\\u12g4\"`      | 1 | 6 | 4 hex digits",
        "`\"\\u12\"`        | 1 | 6 | 4 hex digits",
        "`\"\\ud800\"`      | 1 | 2 | unpaired high surrogate",
        "`\"\\udc00\"`      | 1 | 2 | unpaired low surrogate",
        "`\"\\ud800\\u0041\"` | 1 | 8 | must be followed by a low surrogate",
        "`[1, /* c */ 2]`   | 1 | 5 | expected a value",
        "`[1] // c`         | 1 | 5 | after the JSON value",
        "`{\"a\":\\n  [1,\\n   2,,3]}` | 3 | 6 | expected a value",
        "`[\\r\\n1\\r\\nx]`  | 3 | 1 | expected ',' or ']'",
        "`[\"\ttab\"]`      | 1 | 3 | control character U+0009",
    })
    void rejectsMalformedInputWithLineAndColumn(String text, int line, int column, String problem) {
        String unescaped = text.replace("\\n", "\n").replace("\\r", "\r").replace("\\t", "\t");
        JsonException e = assertThrows(JsonException.class, () -> Json.parse(unescaped));
        assertEquals(line, e.line(), e.getMessage());
        assertEquals(column, e.column(), e.getMessage());
        assertTrue(e.problem().contains(problem), e.getMessage());
        assertTrue(e.getMessage().startsWith("line " + line + ", column " + column + ": "), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"\uFEFF{}", "[1]\u000b", "\u00a0[]", "[\"\uD800\"]", "[\"\uDC00x\"]", "{\"a\":1 \"b\":2}"})
    void rejectsInvalidCharacters(String text) {
        assertThrows(JsonException.class, () -> Json.parse(text));
    }

    @Test
    void limitsNesting() {
        String ok = "[".repeat(256) + "]".repeat(256);
        Json.parse(ok);
        JsonException e = assertThrows(JsonException.class, () -> Json.parse("[".repeat(257) + "]".repeat(257)));
        assertTrue(e.getMessage().contains("deeper than 256"), e.getMessage());
        assertEquals(257, e.column());
        assertThrows(JsonException.class, () -> Json.parse("{\"a\":{\"b\":[]}}", 2));
        Json.parse("{\"a\":{\"b\":1}}", 2);
        // far beyond the stack a naive recursive parser survives: still a clean error
        assertThrows(JsonException.class, () -> Json.parse("[".repeat(100_000)));
    }

    @Test
    void parsedContainersAreUnmodifiable() {
        Map<?, ?> m = (Map<?, ?>) Json.parse("{\"a\":[1]}");
        assertThrows(UnsupportedOperationException.class, () -> m.clear());
        assertThrows(UnsupportedOperationException.class, () -> ((List<?>) m.get("a")).clear());
    }

    @Test
    void readsUtf8FilesAndRejectsMalformedBytes(@TempDir Path dir) throws IOException {
        Path good = dir.resolve("good.json");
        Files.write(good, "{\"name\": \"é😀\"}".getBytes(StandardCharsets.UTF_8));
        assertEquals(map("name", "é😀"), Json.read(good));
        Path bad = dir.resolve("bad.json");
        Files.write(bad, new byte[] {'[', '\n', '"', 'a', (byte) 0xC3, '"', ']'});
        JsonException e = assertThrows(JsonException.class, () -> Json.read(bad));
        assertEquals(2, e.line(), e.getMessage());
        assertEquals(3, e.column(), e.getMessage());
        assertTrue(e.getMessage().contains("byte offset 4"), e.getMessage());
    }
}
