package sparsecircuits.kernels;

/**
 * Per-thread scratch buffers that grow only when a larger shape arrives, so steady-state kernel
 * calls allocate nothing. Each slot is an independent buffer; a kernel must not hold a slot across
 * a call into another kernel that uses the same slot.
 */
public final class ThreadScratch {
    public static final int SLOTS = 4;

    private static final ThreadLocal<ThreadScratch> LOCAL = ThreadLocal.withInitial(ThreadScratch::new);

    private final float[][] floats = new float[SLOTS][];
    private final int[][] ints = new int[SLOTS][];
    private final long[][] longs = new long[SLOTS][];

    private ThreadScratch() {
        for (int i = 0; i < SLOTS; i++) {
            floats[i] = new float[0];
            ints[i] = new int[0];
            longs[i] = new long[0];
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

    private static int grow(int have, int need) {
        long n = Math.max(need, Math.min(Integer.MAX_VALUE - 8, have + (long) (have >> 1)));
        return (int) n;
    }
}
