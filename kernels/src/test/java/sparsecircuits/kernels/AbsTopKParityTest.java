package sparsecircuits.kernels;

import static org.junit.jupiter.api.Assertions.fail;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * absTopKForward of the provider under test against {@link ScalarKernels}, bit for bit (y and kept), on
 * adversarial rows: ties, zeros of both signs, few distinct values, magnitudes spread over many octaves
 * (the vector kernel's histogram clamps below 8 octaves under the largest), crowds inside one histogram
 * bucket, denormals, infinities and NaNs with payloads. Under the vector provider this checks the radix
 * select against the quickselect; the suite runs it at 512-, 256- and 128-bit vectors.
 */
class AbsTopKParityTest {
    static final int[] DS = {1, 15, 16, 17, 100, 512, 2048};
    static final int FAMILIES = 12;

    static float value(SplittableRandom r, int family, float[] pool) {
        return switch (family) {
            case 0 -> (float) r.nextGaussian();
            case 1 -> pool[r.nextInt(pool.length)]; // few distinct values, both signs
            case 2 -> r.nextInt(3) == 0 ? (float) r.nextGaussian() : r.nextBoolean() ? 0f : -0f; // mostly ±0
            case 3 -> pool[0]; // all equal
            case 4 -> (float) (r.nextGaussian() * Math.pow(2, r.nextInt(-140, 128))); // denormals to near MAX_VALUE
            case 5 -> 1f + r.nextInt(64) * 0x1p-23f; // a crowd in one bucket, many ties
            case 6 -> Math.scalb(1f + r.nextInt(8) * 0x1p-3f, r.nextInt(-30, 30)); // spread, ties on exact bucket edges
            case 7 -> switch (r.nextInt(8)) { // specials among gaussians
                case 0 -> Float.intBitsToFloat(0x7fc00000 | r.nextInt(1 << 22)) * (r.nextBoolean() ? 1 : -1);
                case 1 -> r.nextBoolean() ? Float.POSITIVE_INFINITY : Float.NEGATIVE_INFINITY;
                case 2 -> Float.intBitsToFloat((r.nextBoolean() ? 0x80000000 : 0) | 0x7fffffff); // the largest key
                case 3 -> Float.intBitsToFloat(r.nextInt(1, 1 << 23)); // denormal
                case 4 -> Float.MAX_VALUE;
                default -> (float) r.nextGaussian();
            };
            case 8 -> (float) (r.nextGaussian() * r.nextGaussian() * r.nextGaussian()); // heavy tails
            case 9 -> r.nextInt(4) == 0 ? pool[r.nextInt(pool.length)] : 0f; // zeros and ties
            case 10 -> Float.intBitsToFloat(r.nextInt() & 0x807fffff | 0x3f800000); // all in [1, 2): one octave
            default -> Float.intBitsToFloat(r.nextInt()); // any bits, NaNs included
        };
    }

    static void check(Kernels ks, Kernels ref, int rows, int d, int k, int family, boolean inPlace, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] pool = new float[1 + r.nextInt(4)];
        for (int i = 0; i < pool.length; i++) pool[i] = (r.nextBoolean() ? 1 : -1) * (r.nextInt(3) * 0.5f + (i == 0 ? 0.25f : 0f));
        float[] x = new float[3 + rows * d];
        for (int i = 0; i < x.length; i++) x[i] = value(r, family, pool);
        float[] xRef = x.clone();
        float[] y = inPlace ? x : new float[2 + rows * d];
        float[] yRef = inPlace ? xRef : new float[2 + rows * d];
        int yOff = inPlace ? 3 : 2;
        int[] kept = new int[1 + rows * k + 1];
        int[] keptRef = new int[kept.length];
        ks.absTopKForward(rows, d, k, x, 3, y, yOff, kept, 1);
        ref.absTopKForward(rows, d, k, xRef, 3, yRef, yOff, keptRef, 1);
        String ctx = ks.name() + " rows=" + rows + " d=" + d + " k=" + k + " family=" + family + " inPlace=" + inPlace + " seed=" + seed;
        for (int i = 0; i < kept.length; i++) {
            if (kept[i] != keptRef[i]) fail(ctx + ": kept[" + i + "] = " + kept[i] + ", scalar " + keptRef[i]);
        }
        for (int i = 0; i < y.length; i++) {
            if (Float.floatToRawIntBits(y[i]) != Float.floatToRawIntBits(yRef[i])) {
                fail(ctx + ": y[" + i + "] bits " + Integer.toHexString(Float.floatToRawIntBits(y[i]))
                        + ", scalar " + Integer.toHexString(Float.floatToRawIntBits(yRef[i])));
            }
        }
    }

    @Test
    void matchesScalarBitForBit() {
        Kernels ks = Fixtures.kernels();
        try (WorkerPool one = new WorkerPool(1)) {
            Kernels ref = KernelProvider.scalar(one);
            Fixtures.qt(400).forAll(integers().between(0, DS.length - 1), integers().between(0, Integer.MAX_VALUE),
                            integers().between(0, 2 * FAMILIES - 1), longs().all())
                    .checkAssert((di, kRaw, fam, seed) -> {
                        int d = DS[di];
                        int k = switch (kRaw % 5) { // the edges often, the rest uniformly
                            case 0 -> 0;
                            case 1 -> d;
                            case 2 -> Math.min(d, 1 + kRaw / 5 % 3);
                            default -> kRaw / 5 % (d + 1);
                        };
                        int rows = 1 + (int) Math.floorMod(seed, 3L);
                        check(ks, ref, rows, d, k, fam % FAMILIES, fam >= FAMILIES, seed);
                    });
        }
    }

    /** Every k of a few rows per family at a width that is not a multiple of any vector length. */
    @Test
    void everyK() {
        Kernels ks = Fixtures.kernels();
        try (WorkerPool one = new WorkerPool(1)) {
            Kernels ref = KernelProvider.scalar(one);
            for (int family = 0; family < FAMILIES; family++) {
                for (int k = 0; k <= 100; k++) check(ks, ref, 2, 100, k, family, k % 2 == 0, family * 1000L + k);
            }
        }
    }
}
