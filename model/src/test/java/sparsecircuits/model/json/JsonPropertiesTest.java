package sparsecircuits.model.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

/** Round-trip properties of the writer and parser over random value trees (QuickTheories). */
class JsonPropertiesTest {

    /** Any Unicode scalar value (no surrogate code points), biased towards the characters that need escapes. */
    static Gen<Integer> codePoints() {
        Gen<Integer> any = Generate.range(0, 0x10FFFF - 0x800).map(cp -> cp >= 0xD800 ? cp + 0x800 : cp);
        Gen<Integer> ascii = Generate.range(0x20, 0x7e);
        Gen<Integer> special = Generate.pick(List.of((int) '"', (int) '\\', (int) '/', 0, 1, 0x1f, (int) '\n', (int) '\r',
                (int) '\t', (int) '\b', (int) '\f', 0x7f, 0x2028, 0x2029, 0xFEFF, 0xFFFF, 0x1F600, 0x10FFFF, (int) 'é'));
        return ascii.mix(any, 30).mix(special, 25);
    }

    static Gen<String> strings() {
        Gen<Integer> cp = codePoints();
        return in -> {
            int len = Generate.range(0, 12).generate(in);
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < len; i++) sb.appendCodePoint(cp.generate(in));
            return sb.toString();
        };
    }

    /** Every finite double, from raw bits (subnormals, -0.0, extremes); a non-finite draw becomes a small integer value. */
    static Gen<Double> finiteDoubles() {
        Gen<Double> bits = longs().all().map(Double::longBitsToDouble).map(d -> Double.isFinite(d) ? d : 1.5);
        Gen<Double> simple = Generate.range(-1000, 1000).map(i -> i / 8.0);
        return bits.mix(simple, 40);
    }

    /** A value tree of exactly the types {@link Json#parse} returns, nested at most {@code depth} levels. */
    static Gen<Object> values(int depth) {
        Gen<String> str = strings();
        Gen<Double> dbl = finiteDoubles();
        Gen<Long> lng = longs().all().mix(longs().between(-100, 100), 50);
        return in -> {
            int kind = Generate.range(0, depth > 0 ? 7 : 4).generate(in);
            switch (kind) {
                case 0: return null;
                case 1: return Generate.booleans().generate(in);
                case 2: return lng.generate(in);
                case 3: return dbl.generate(in);
                case 4: return str.generate(in);
                case 5: {
                    int n = Generate.range(0, 4).generate(in);
                    List<Object> list = new ArrayList<>();
                    for (int i = 0; i < n; i++) list.add(values(depth - 1).generate(in));
                    return list;
                }
                default: {
                    int n = Generate.range(0, 4).generate(in);
                    Map<String, Object> map = new LinkedHashMap<>();
                    for (int i = 0; i < n; i++) map.put(str.generate(in), values(depth - 1).generate(in));
                    return map;
                }
            }
        };
    }

    @Test
    void writeThenParseGivesTheSameTree() {
        qt().withExamples(1500).forAll(values(4)).checkAssert(v -> {
            assertEquals(v, Json.parse(Json.write(v)), "compact");
            assertEquals(v, Json.parse(Json.writePretty(v)), "pretty");
        });
    }

    @Test
    void writingIsCanonical() {
        qt().withExamples(500).forAll(values(4)).checkAssert(v -> {
            String compact = Json.write(v);
            assertEquals(compact, Json.write(Json.parse(compact)));
            assertEquals(compact, Json.write(Json.parse(Json.writePretty(v))));
        });
    }

    @Test
    void everyFiniteDoubleRoundTripsBitForBit() {
        qt().withExamples(3000).forAll(finiteDoubles()).checkAssert(d -> {
            Object back = Json.parse(Json.write(d));
            assertEquals(Double.class, back.getClass());
            assertEquals(Double.doubleToRawLongBits(d), Double.doubleToRawLongBits((Double) back), () -> "for " + d);
        });
    }

    @Test
    void everyFloatReadsBackAsTheSameFloat() {
        qt().withExamples(3000).forAll(integers().all()).checkAssert(bits -> {
            float f = Float.intBitsToFloat(bits);
            if (!Float.isFinite(f)) {
                assertThrows(IllegalArgumentException.class, () -> Json.write(f));
                return;
            }
            Object back = Json.parse(Json.write(f));
            assertEquals(Float.floatToRawIntBits(f), Float.floatToRawIntBits(((Double) back).floatValue()), () -> "for " + f);
        });
    }

    @Test
    void everyLongRoundTripsAsALong() {
        qt().withExamples(2000).forAll(longs().all()).checkAssert(l -> assertEquals(l, Json.parse(Json.write(l))));
    }

    @Test
    void everyStringRoundTrips() {
        qt().withExamples(2000).forAll(strings()).checkAssert(s -> {
            String text = Json.write(s);
            assertEquals(s, Json.parse(text));
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                if (c < 0x20 || c == 0x2028 || c == 0x2029) {
                    throw new AssertionError("unescaped U+" + Integer.toHexString(c) + " in " + text);
                }
            }
        });
    }

    @Test
    void everyStrictPrefixOfAContainerIsRejected() {
        Gen<Object> containers = values(3).map(v -> v instanceof Map || v instanceof List ? v : List.of(v == null ? "x" : v));
        qt().withExamples(500).forAll(containers, integers().between(0, 10_000)).checkAssert((v, cut) -> {
            String text = Json.write(v);
            String prefix = text.substring(0, cut % text.length());
            assertThrows(JsonException.class, () -> Json.parse(prefix), () -> "prefix " + prefix);
        });
    }

    @Test
    void trailingGarbageAfterAnyValueIsRejected() {
        Gen<String> garbage = Generate.pick(List.of(",", "x", "}", "]", "{}", "0", "\"", "/", "//c", "\u0000"));
        qt().withExamples(500).forAll(values(3), garbage).checkAssert((v, g) -> {
            String text = Json.write(v) + " " + g;
            assertThrows(JsonException.class, () -> Json.parse(text), () -> text);
        });
    }
}
