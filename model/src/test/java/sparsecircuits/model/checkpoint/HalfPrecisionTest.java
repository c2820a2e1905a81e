package sparsecircuits.model.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;

import org.junit.jupiter.api.Test;

/** Half-precision and bfloat16 to float conversion against known bit patterns. */
class HalfPrecisionTest {

    private static void assertBits(float expected, float actual, String what) {
        assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(actual),
                what + ": expected " + expected + " got " + actual);
    }

    @Test
    void knownHalfValues() {
        assertBits(1.0f, SafeTensors.halfToFloat(0x3C00), "1.0");
        assertBits(-2.0f, SafeTensors.halfToFloat(0xC000), "-2.0");
        assertBits(65504f, SafeTensors.halfToFloat(0x7BFF), "max normal");
        assertBits(0x1p-14f, SafeTensors.halfToFloat(0x0400), "min normal");
        assertBits(0x1p-24f, SafeTensors.halfToFloat(0x0001), "smallest subnormal");
        assertBits(-0x1p-24f, SafeTensors.halfToFloat(0x8001), "negative smallest subnormal");
        assertBits(0x3FFp-24f, SafeTensors.halfToFloat(0x03FF), "largest subnormal");
        assertBits(0.0f, SafeTensors.halfToFloat(0x0000), "+0");
        assertBits(-0.0f, SafeTensors.halfToFloat(0x8000), "-0");
        assertBits(Float.POSITIVE_INFINITY, SafeTensors.halfToFloat(0x7C00), "+inf");
        assertBits(Float.NEGATIVE_INFINITY, SafeTensors.halfToFloat(0xFC00), "-inf");
        assertBits(0.333251953125f, SafeTensors.halfToFloat(0x3555), "1/3 rounded");
        assertBits(0.5f, SafeTensors.halfToFloat(0x3800), "0.5");
        assertBits(1.0009765625f, SafeTensors.halfToFloat(0x3C01), "1 + 2^-10");
        assertTrue(Float.isNaN(SafeTensors.halfToFloat(0x7E00)), "quiet NaN");
        assertTrue(Float.isNaN(SafeTensors.halfToFloat(0x7C01)), "NaN with payload 1");
        assertTrue(Float.isNaN(SafeTensors.halfToFloat(0xFE00)), "negative NaN");
        assertEquals(0x7FC00000, Float.floatToRawIntBits(SafeTensors.halfToFloat(0x7E00)), "quiet NaN bits");
        // only the low 16 bits count (a sign-extended short is fine)
        assertBits(-2.0f, SafeTensors.halfToFloat((short) 0xC000), "sign-extended");
    }

    @Test
    void knownBfloat16Values() {
        assertBits(1.0f, SafeTensors.bfloat16ToFloat(0x3F80), "1.0");
        assertBits(-2.0f, SafeTensors.bfloat16ToFloat(0xC000), "-2.0");
        assertBits(Float.intBitsToFloat(0x7F7F0000), SafeTensors.bfloat16ToFloat(0x7F7F), "max");
        assertBits(0x1p-133f, SafeTensors.bfloat16ToFloat(0x0001), "smallest subnormal");
        assertBits(-0.0f, SafeTensors.bfloat16ToFloat(0x8000), "-0");
        assertBits(Float.POSITIVE_INFINITY, SafeTensors.bfloat16ToFloat(0x7F80), "+inf");
        assertBits(Float.NEGATIVE_INFINITY, SafeTensors.bfloat16ToFloat(0xFF80), "-inf");
        assertTrue(Float.isNaN(SafeTensors.bfloat16ToFloat(0x7FC0)), "NaN");
        assertBits(-2.0f, SafeTensors.bfloat16ToFloat((short) 0xC000), "sign-extended");
    }

    /** Every finite half, converted, is exactly the value its fields describe (computed in double). */
    @Test
    void everyHalfMatchesItsDefinition() {
        for (int h = 0; h < 0x10000; h++) {
            int exp = (h >>> 10) & 0x1f;
            int mant = h & 0x3ff;
            double sign = (h & 0x8000) != 0 ? -1 : 1;
            float f = SafeTensors.halfToFloat(h);
            if (exp == 0x1f) {
                assertEquals(mant == 0, Float.isInfinite(f), "bits " + Integer.toHexString(h));
                assertEquals(mant != 0, Float.isNaN(f), "bits " + Integer.toHexString(h));
                continue;
            }
            double expected = exp == 0 ? sign * mant * Math.pow(2, -24) : sign * (1024 + mant) * Math.pow(2, exp - 25);
            assertEquals(expected, (double) f, 0.0, "bits " + Integer.toHexString(h));
            assertEquals((h & 0x8000) != 0, (Float.floatToRawIntBits(f) & 0x80000000) != 0, "sign of " + Integer.toHexString(h));
        }
    }

    /** Converting a half to float and back by rounding the float's mantissa gives the same bits (finite values). */
    @Test
    void halfToFloatIsInjective() {
        qt().forAll(integers().between(0, 0xFFFF), integers().between(0, 0xFFFF))
                .assuming((a, b) -> !a.equals(b) && !Float.isNaN(SafeTensors.halfToFloat(a)))
                .checkAssert((a, b) -> assertTrue(Float.floatToRawIntBits(SafeTensors.halfToFloat(a))
                        != Float.floatToRawIntBits(SafeTensors.halfToFloat(b))));
    }
}
