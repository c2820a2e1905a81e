package sparsecircuits.bench;

import java.util.Locale;

import sparsecircuits.kernels.sparse.CsrMatrix;

/**
 * Result checks run once per trial in {@code @Setup}: a kernel's float output against a reference
 * computed in double, with a bound that grows with the reduction length (KERNELS.md §3.6):
 * {@code |got − ref| ≤ c · L · ε · mag}, where ε = 2⁻²⁴, L is the longest chain of float operations
 * that produced the element, and {@code mag} is the same computation done on absolute values (so
 * cancellation cannot hide an error and a missing or doubled term is far outside the bound).
 */
final class Check {
    /** Unit roundoff of float. */
    static final double EPS = 0x1p-24;
    /** Slack over the worst-case recursive-summation bound γ_L ≈ L·ε. */
    static final double C = 2.0;

    /** The largest |error| / bound seen since the last {@link #report} (how close a kernel came to failing). */
    private static double worst;
    private static String worstWhat = "nothing";

    private Check() {
    }

    private static void track(String what, int i, double err, double bound) {
        double r = err / bound;
        if (r > worst) {
            worst = r;
            worstWhat = what + " element " + i;
        }
    }

    /** Prints (to stderr, into the JMH log) how close the checked kernel came to its bound, and resets. */
    static void report(String what) {
        System.err.printf(Locale.ROOT, "# check passed: %s; worst |error|/bound = %.3g (%s)%n", what, worst, worstWhat);
        worst = 0;
        worstWhat = "nothing";
    }

    /** Throws naming the first element with |got − ref| > c·L·ε·mag (plus a denormal floor). */
    static void near(String what, float[] got, int gOff, double[] ref, double[] mag, int n, double lengthFactor) {
        for (int i = 0; i < n; i++) {
            double g = got[gOff + i];
            double bound = C * lengthFactor * EPS * mag[i] + 1e-30;
            double err = Math.abs(g - ref[i]);
            track(what, i, err, bound);
            if (!(err <= bound)) { // also catches NaN
                throw new IllegalStateException(String.format(Locale.ROOT,
                        "%s: wrong result at element %d: got %.9g, reference %.9g, |error| %.3g > bound %.3g (L = %.0f)",
                        what, i, g, ref[i], err, bound, lengthFactor));
            }
        }
    }

    /** Same, with a per-element length (e.g. the nonzeros of each CSR row). */
    static void near(String what, float[] got, int gOff, double[] ref, double[] mag, double[] length, int n) {
        for (int i = 0; i < n; i++) {
            double g = got[gOff + i];
            double bound = C * (length[i] + 2) * EPS * mag[i] + 1e-30;
            double err = Math.abs(g - ref[i]);
            track(what, i, err, bound);
            if (!(err <= bound)) {
                throw new IllegalStateException(String.format(Locale.ROOT,
                        "%s: wrong result at element %d: got %.9g, reference %.9g, |error| %.3g > bound %.3g (L = %.0f)",
                        what, i, g, ref[i], err, bound, length[i]));
            }
        }
    }

    /** Throws naming the first element with |got − ref| > bound (or a NaN). */
    static void within(String what, float[] got, int gOff, double[] ref, double[] bound, int n) {
        for (int i = 0; i < n; i++) {
            double g = got[gOff + i];
            double err = Math.abs(g - ref[i]);
            track(what, i, err, bound[i] + 1e-30);
            if (!(err <= bound[i] + 1e-30)) {
                throw new IllegalStateException(String.format(Locale.ROOT,
                        "%s: wrong result at element %d: got %.9g, reference %.9g, |error| %.3g > bound %.3g",
                        what, i, g, ref[i], err, bound[i]));
            }
        }
    }

    /** Bit-exact equality (index work, copies). */
    static void exact(String what, float[] got, int gOff, float[] want, int wOff, int n) {
        for (int i = 0; i < n; i++) {
            if (Float.floatToIntBits(got[gOff + i]) != Float.floatToIntBits(want[wOff + i])) {
                fail(what, "element " + i + ": got " + got[gOff + i] + ", expected exactly " + want[wOff + i]);
            }
        }
    }

    static void exact(String what, int[] got, int gOff, int[] want, int wOff, int n) {
        for (int i = 0; i < n; i++) {
            if (got[gOff + i] != want[wOff + i]) {
                fail(what, "element " + i + ": got " + got[gOff + i] + ", expected exactly " + want[wOff + i]);
            }
        }
    }

    static void fail(String what, String detail) {
        throw new IllegalStateException(what + ": " + detail);
    }

    // ------------------------------------------------------------------ dense GEMM reference

    /** Canonical row-major copy of the [m×k] matrix stored with element (i, p) at off + i·si + p·sp. */
    static float[] canonical(float[] a, int off, int m, int k, int si, int sp) {
        float[] c = new float[m * k];
        for (int i = 0; i < m; i++) {
            for (int p = 0; p < k; p++) {
                c[i * k + p] = a[off + i * si + p * sp];
            }
        }
        return c;
    }

    /**
     * Checks C[m×n] against Σ_p A(i,p)·B(p,j) in double, A given canonical [m×k] and B canonical [k×n].
     * Cost m·n·k double multiply-adds (about a second at the largest benchmark shape).
     */
    static void gemm(String what, int m, int n, int k, float[] a, float[] b, float[] c, int cOff) {
        double[] ref = new double[n];
        double[] mag = new double[n];
        for (int i = 0; i < m; i++) {
            java.util.Arrays.fill(ref, 0);
            java.util.Arrays.fill(mag, 0);
            for (int p = 0; p < k; p++) {
                double aip = a[i * k + p];
                double abs = Math.abs(aip);
                int bp = p * n;
                for (int j = 0; j < n; j++) {
                    double bv = b[bp + j];
                    ref[j] += aip * bv;
                    mag[j] += abs * Math.abs(bv);
                }
            }
            near(what + " row " + i, c, cOff + i * n, ref, mag, n, k + 2);
        }
    }

    // ------------------------------------------------------------------ sparse references (feature-major)

    /** Y[rows × n] = W · X[cols × n]. */
    static void spmm(String what, CsrMatrix w, float[] x, int n, float[] y) {
        int[] rp = w.rowPtr(), ci = w.colIdx();
        float[] v = w.values();
        double[] ref = new double[n];
        double[] mag = new double[n];
        for (int o = 0; o < w.rows(); o++) {
            java.util.Arrays.fill(ref, 0);
            java.util.Arrays.fill(mag, 0);
            for (int q = rp[o]; q < rp[o + 1]; q++) {
                double wv = v[q];
                double abs = Math.abs(wv);
                int xr = ci[q] * n;
                for (int t = 0; t < n; t++) {
                    ref[t] += wv * x[xr + t];
                    mag[t] += abs * Math.abs(x[xr + t]);
                }
            }
            near(what + " row " + o, y, o * n, ref, mag, n, rp[o + 1] - rp[o] + 2);
        }
    }

    /** dX[cols × n] = Wᵀ · dY[rows × n] (computed by scattering W's rows, all in double). */
    static void spmmTransposed(String what, CsrMatrix w, float[] dy, int n, float[] dx) {
        int[] rp = w.rowPtr(), ci = w.colIdx();
        float[] v = w.values();
        int cols = w.cols();
        double[] ref = new double[cols * n];
        double[] mag = new double[cols * n];
        int[] colCount = new int[cols];
        for (int o = 0; o < w.rows(); o++) {
            for (int q = rp[o]; q < rp[o + 1]; q++) {
                double wv = v[q];
                double abs = Math.abs(wv);
                int xr = ci[q] * n;
                colCount[ci[q]]++;
                for (int t = 0; t < n; t++) {
                    ref[xr + t] += wv * dy[o * n + t];
                    mag[xr + t] += abs * Math.abs(dy[o * n + t]);
                }
            }
        }
        double[] r = new double[n];
        double[] m = new double[n];
        for (int i = 0; i < cols; i++) {
            System.arraycopy(ref, i * n, r, 0, n);
            System.arraycopy(mag, i * n, m, 0, n);
            near(what + " row " + i, dx, i * n, r, m, n, colCount[i] + 2);
        }
    }

    /** out[s] = Σ_t dY[o, t]·X[i, t] for every slot s = (o, i) of the pattern. */
    static void sddmm(String what, CsrMatrix p, float[] dy, float[] x, int n, float[] out) {
        int[] rp = p.rowPtr(), ci = p.colIdx();
        int nnz = p.nnz();
        double[] ref = new double[nnz];
        double[] mag = new double[nnz];
        for (int o = 0; o < p.rows(); o++) {
            for (int q = rp[o]; q < rp[o + 1]; q++) {
                int xr = ci[q] * n;
                double s = 0, a = 0;
                for (int t = 0; t < n; t++) {
                    double prod = (double) dy[o * n + t] * x[xr + t];
                    s += prod;
                    a += Math.abs(prod);
                }
                ref[q] = s;
                mag[q] = a;
            }
        }
        near(what, out, 0, ref, mag, nnz, n + 2);
    }
}
