package sparsecircuits.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.quicktheories.QuickTheory;

/**
 * Shared helpers for the kernel tests: seeds, random data, guarded buffers and tolerance checks.
 *
 * <p>Inputs live inside arrays whose region outside the data is filled with a NaN ({@link #IN_GUARD}):
 * a kernel that lets an out-of-region element influence a result turns that result into NaN.
 * Outputs are surrounded by a finite sentinel ({@link #OUT_GUARD}) that must survive bit for bit.
 */
final class Fixtures {
    /** 2⁻²⁴, the unit roundoff of float. */
    static final double EPS = 0x1p-24;
    /** A quiet NaN with a payload, placed around input regions. */
    static final float IN_GUARD = Float.intBitsToFloat(0x7fc0_0bad);
    /** A finite sentinel placed around output regions. */
    static final float OUT_GUARD = -31337.25f;
    /** Sizes around every vector width the suite runs at (4, 8, 16 lanes) plus a prime. */
    static final int[] SIZES = {0, 1, 3, 4, 5, 11, 7, 8, 9, 19, 15, 16, 17, 35, 37};

    private Fixtures() {
    }

    /** The base seed: {@code -Dsparsecircuits.test.seed} or a fixed default, so runs are reproducible. */
    static long seed() {
        return Long.getLong("sparsecircuits.test.seed", 0x5eed_c1c0L);
    }

    /** A random source for one named case (the same case always sees the same data). */
    static SplittableRandom rnd(long salt) {
        return new SplittableRandom(seed() * 0x9E3779B97F4A7C15L + salt);
    }

    /** QuickTheories with a fixed seed (it prints the seed with every falsified property) and n examples. */
    static QuickTheory qt(int examples) {
        return QuickTheory.qt().withFixedSeed(seed()).withExamples(examples).withShrinkCycles(200);
    }

    /** The provider under test. */
    static Kernels kernels() {
        return KernelProvider.get();
    }

    // ------------------------------------------------------------------ data

    static float uniform(SplittableRandom r, float lo, float hi) {
        return (float) (lo + (hi - lo) * r.nextDouble());
    }

    static float[] randomFloats(SplittableRandom r, int n, float lo, float hi) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = uniform(r, lo, hi);
        return a;
    }

    /** data placed at {@code off} in an array with {@code tail} extra elements; everything else is {@link #IN_GUARD}. */
    static float[] guardedInput(float[] data, int off, int tail) {
        float[] a = new float[off + data.length + tail];
        Arrays.fill(a, IN_GUARD);
        System.arraycopy(data, 0, a, off, data.length);
        return a;
    }

    /** An output array: {@code init} at {@code off}, {@link #OUT_GUARD} elsewhere. */
    static float[] guardedOutput(float[] init, int off, int tail) {
        float[] a = new float[off + init.length + tail];
        Arrays.fill(a, OUT_GUARD);
        System.arraycopy(init, 0, a, off, init.length);
        return a;
    }

    static float[] nanFilled(int n) {
        float[] a = new float[n];
        Arrays.fill(a, Float.NaN);
        return a;
    }

    static float[] slice(float[] a, int off, int len) {
        return Arrays.copyOfRange(a, off, off + len);
    }

    // ------------------------------------------------------------------ checks

    /** Everything outside [off, off + len) still holds {@link #OUT_GUARD}. */
    static void assertGuards(float[] a, int off, int len, String ctx) {
        for (int i = 0; i < a.length; i++) {
            if (i >= off && i < off + len) continue;
            if (Float.floatToRawIntBits(a[i]) != Float.floatToRawIntBits(OUT_GUARD)) {
                fail(ctx + ": element " + i + " outside the output region [" + off + ", " + (off + len)
                        + ") was overwritten with " + a[i]);
            }
        }
    }

    /** The array is bit-identical to its copy taken before the call (inputs are not written). */
    static void assertUnchanged(float[] before, float[] after, String what, String ctx) {
        for (int i = 0; i < before.length; i++) {
            if (Float.floatToRawIntBits(before[i]) != Float.floatToRawIntBits(after[i])) {
                fail(ctx + ": input " + what + "[" + i + "] was modified: " + before[i] + " -> " + after[i]);
            }
        }
    }

    static void assertBitsEqual(float[] expected, float[] got, String ctx) {
        assertEquals(expected.length, got.length, ctx + ": length");
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(got[i])) {
                fail(ctx + ": element " + i + " differs: " + expected[i] + " vs " + got[i]
                        + " (bits " + Integer.toHexString(Float.floatToRawIntBits(expected[i])) + " vs "
                        + Integer.toHexString(Float.floatToRawIntBits(got[i])) + ")");
            }
        }
    }

    /** |got − ref| ≤ tol, with the context and the numbers in the message. */
    static void assertClose(double ref, float got, double tol, String ctx) {
        double err = Math.abs(got - ref);
        if (!(err <= tol)) { // also catches NaN
            fail(String.format(java.util.Locale.ROOT, "%s: got %s, expected %s (err %.3e > tol %.3e)", ctx, got, ref, err, tol));
        }
    }

    static void assertClose(double ref, double got, double tol, String ctx) {
        double err = Math.abs(got - ref);
        if (!(err <= tol)) {
            fail(String.format(java.util.Locale.ROOT, "%s: got %s, expected %s (err %.3e > tol %.3e)", ctx, got, ref, err, tol));
        }
    }

    /**
     * The bound for a float dot product of {@code len} terms (any order, with or without FMA) plus an
     * initial value: 4·ε·√(len + 2)·(Σ|aᵢbᵢ| + |c₀|), plus a tiny absolute slack for underflow.
     */
    static double dotTol(int len, double sumAbs, double init) {
        return 4 * EPS * Math.sqrt(len + 2.0) * (sumAbs + Math.abs(init)) + 1e-35;
    }
}
