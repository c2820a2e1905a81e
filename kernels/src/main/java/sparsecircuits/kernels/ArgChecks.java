package sparsecircuits.kernels;

/** Argument checks that name the argument and its value in the exception (kernels throw, never corrupt). */
public final class ArgChecks {
    private ArgChecks() {
    }

    /** n ≥ 0. */
    public static void nonNegative(String name, long n) {
        if (n < 0) {
            throw new IllegalArgumentException(name + " must be >= 0, got " + n);
        }
    }

    /** n ≥ 1. */
    public static void positive(String name, long n) {
        if (n < 1) {
            throw new IllegalArgumentException(name + " must be >= 1, got " + n);
        }
    }

    /** [off, off + len) lies inside an array of {@code length} elements. */
    public static void range(String name, int length, int off, long len) {
        if (off < 0 || len < 0 || off + len > length) {
            throw new IllegalArgumentException(name + ": offset " + off + " + length " + len
                    + " is outside the array of length " + length);
        }
    }

    /** [off, off + len) lies inside {@code a}. */
    public static void range(String name, float[] a, int off, long len) {
        if (a == null) {
            throw new IllegalArgumentException(name + " must not be null");
        }
        range(name, a.length, off, len);
    }

    /** [off, off + len) lies inside {@code a}. */
    public static void range(String name, int[] a, int off, long len) {
        if (a == null) {
            throw new IllegalArgumentException(name + " must not be null");
        }
        range(name, a.length, off, len);
    }

    /** The span of a strided matrix of {@code rows} rows of {@code cols} used floats each, stride {@code ld}. */
    public static void strided(String name, float[] a, int off, int rows, int cols, int ld) {
        if (ld < cols) {
            throw new IllegalArgumentException(name + ": row stride " + ld + " is smaller than the row length " + cols);
        }
        range(name, a, off, rows == 0 ? 0 : (long) (rows - 1) * ld + cols);
    }

    public static void equal(String what, long expected, long got) {
        if (expected != got) {
            throw new IllegalArgumentException(what + ": expected " + expected + ", got " + got);
        }
    }
}
