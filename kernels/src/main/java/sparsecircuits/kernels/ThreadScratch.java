package sparsecircuits.kernels;

/**
 * Per-thread scratch buffers that grow only when a larger shape arrives, so steady-state kernel
 * calls allocate nothing. Each slot is an independent buffer; a kernel must not hold a slot across
 * a call into another kernel that uses the same slot.
 */
public final class ThreadScratch {
    public static final int SLOTS = 8;

    /**
     * Aligned buffers are at least this many floats (16 MiB): large enough to be a humongous object under
     * G1 (half a region or more, for any region size), which starts at a region boundary and never moves,
     * so its element {@link #ALIGNED_OFFSET} sits on a 64-byte boundary for the buffer's lifetime.
     */
    public static final int ALIGNED_MIN_FLOATS = 1 << 22;

    /** First element of an aligned buffer on a 64-byte boundary (past the array header). */
    public static final int ALIGNED_OFFSET = alignedOffset();

    private static int alignedOffset() {
        int base = 16; // the usual float[] header; read the real one where the JDK exposes it
        try {
            Class<?> u = Class.forName("sun.misc.Unsafe");
            base = u.getField("ARRAY_FLOAT_BASE_OFFSET").getInt(null);
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            // keep 16
        }
        return ((64 - base % 64) % 64) / Float.BYTES;
    }

    private static final ThreadLocal<ThreadScratch> LOCAL = ThreadLocal.withInitial(ThreadScratch::new);

    private final float[][] floats = new float[SLOTS][];
    private final float[][] aligned = new float[SLOTS][];
    private final int[][] ints = new int[SLOTS][];
    private final long[][] longs = new long[SLOTS][];
    private final double[][] doubles = new double[SLOTS][];

    private ThreadScratch() {
        for (int i = 0; i < SLOTS; i++) {
            floats[i] = new float[0];
            aligned[i] = new float[0];
            ints[i] = new int[0];
            longs[i] = new long[0];
            doubles[i] = new double[0];
        }
    }

    /** A float buffer of at least {@code size} elements (contents unspecified). */
    public static float[] floats(int slot, int size) {
        ThreadScratch s = LOCAL.get();
        float[] a = s.floats[slot];
        if (a.length < size) {
            a = new float[grow(a.length, size)];
            s.floats[slot] = a;
        }
        return a;
    }

    /**
     * A float buffer whose element {@link #ALIGNED_OFFSET} starts a 64-byte line (under G1, the default
     * collector; elsewhere it is merely large), with at least {@code size} elements from there on.
     * Used for packed operands that the vector kernels load whole vectors from: a vector load that
     * straddles two cache lines costs about twice as much (measured: SpMM 35 vs 70 GFLOP/s).
     */
    public static float[] alignedFloats(int slot, int size) {
        ThreadScratch s = LOCAL.get();
        float[] a = s.aligned[slot];
        if (a.length < size + ALIGNED_OFFSET) {
            a = new float[Math.max(ALIGNED_MIN_FLOATS, grow(a.length, size + ALIGNED_OFFSET))];
            s.aligned[slot] = a;
        }
        return a;
    }

    /** An int buffer of at least {@code size} elements (contents unspecified). */
    public static int[] ints(int slot, int size) {
        ThreadScratch s = LOCAL.get();
        int[] a = s.ints[slot];
        if (a.length < size) {
            a = new int[grow(a.length, size)];
            s.ints[slot] = a;
        }
        return a;
    }

    /** A long buffer of at least {@code size} elements (contents unspecified). */
    public static long[] longs(int slot, int size) {
        ThreadScratch s = LOCAL.get();
        long[] a = s.longs[slot];
        if (a.length < size) {
            a = new long[grow(a.length, size)];
            s.longs[slot] = a;
        }
        return a;
    }

    /** A double buffer of at least {@code size} elements (contents unspecified). */
    public static double[] doubles(int slot, int size) {
        ThreadScratch s = LOCAL.get();
        double[] a = s.doubles[slot];
        if (a.length < size) {
            a = new double[grow(a.length, size)];
            s.doubles[slot] = a;
        }
        return a;
    }

    private static int grow(int have, int need) {
        long n = Math.max(need, Math.min(Integer.MAX_VALUE - 8, have + (long) (have >> 1)));
        return (int) n;
    }
}
