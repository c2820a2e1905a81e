package sparsecircuits.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static sparsecircuits.kernels.Fixtures.assertClose;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The exact-erf GELU: the double oracle itself, Gelu.erf's stated bound, and the kernels' gelu and gelu'. */
class GeluTest {

    @Test
    void oracleMatchesTabulatedValues() {
        // Reference values: C99 erf/erfc (as printed by CPython's math.erf/math.erfc).
        assertEquals(0.5204998778130465, DoubleMath.erf(0.5), 1e-15);
        assertEquals(0.8427007929497149, DoubleMath.erf(1), 1e-15);
        assertEquals(-0.9953222650189527, DoubleMath.erf(-2), 1e-15);
        assertEquals(0.9999779095030014, DoubleMath.erf(3), 1e-15);
        assertEquals(2.2090496998585438e-05, DoubleMath.erfc(3), 1e-19);
        assertEquals(1.5374597944280351e-12, DoubleMath.erfc(5), 1e-25);
        assertEquals(2.1519736712498913e-17, DoubleMath.erfc(6), 1e-29);
        assertEquals(1.9999999999984626, DoubleMath.erfc(-5), 1e-15);
        assertEquals(0.0, DoubleMath.erf(0), 0);
        // Continuity where the oracle switches method.
        assertEquals(DoubleMath.erfc(Math.nextDown(3.0)), DoubleMath.erfc(3.0), 1e-15);
        assertEquals(2.776649386030569e-26, DoubleMath.erfc(7.5), 1e-39);
        assertEquals(0.9999999999999999, DoubleMath.erf(5.8), 2e-16);
        assertEquals(0.8413447460685429, DoubleMath.cdf(1), 1e-15);
        assertEquals(1.3498980316301e-3, DoubleMath.cdf(-3), 1e-15);
    }

    @Test
    void erfWithinStatedBoundOnDenseGrid() {
        double worst = 0;
        for (int i = -10 * 4096; i <= 10 * 4096; i++) {
            float z = i / 4096f;
            double err = Math.abs(Gelu.erf(z) - DoubleMath.erf(z));
            worst = Math.max(worst, err);
            if (!(err <= Gelu.MAX_ERF_ERROR)) {
                assertClose(DoubleMath.erf(z), Gelu.erf(z), Gelu.MAX_ERF_ERROR, "Gelu.erf(" + z + ")");
            }
        }
        // Sanity check of the check: A&S 7.1.26 has a visible error, so a zero worst case would mean the
        // comparison never ran against the approximation.
        assertTrue(worst > 1e-9, "erf error suspiciously small: " + worst);
    }

    private static float[] geluPoints() {
        int grid = 20 * 1024 + 1;
        float[] extra = {0f, -0f, Float.MIN_VALUE, -Float.MIN_VALUE, 1e-20f, -1e-20f, 1e-3f, -1e-3f, 12f, -12f, 20f, -20f,
            40f, -40f, 100f, -100f, 1e4f, -1e4f, 3.4e38f, -3.4e38f};
        float[] x = new float[grid + extra.length];
        for (int i = 0; i < grid; i++) x[i] = -10f + i / 1024f;
        System.arraycopy(extra, 0, x, grid, extra.length);
        return x;
    }

    @Test
    void geluForwardWithinStatedBound() {
        Kernels ks = Fixtures.kernels();
        float[] xs = geluPoints();
        int n = xs.length;
        float[] x = Fixtures.guardedInput(xs, 5, 3);
        float[] y = Fixtures.guardedOutput(Fixtures.nanFilled(n), 2, 7);
        float[] x0 = x.clone();
        ks.geluForward(n, x, 5, y, 2);
        Fixtures.assertGuards(y, 2, n, "geluForward");
        Fixtures.assertUnchanged(x0, x, "x", "geluForward");
        for (int i = 0; i < n; i++) {
            double ref = DoubleMath.gelu(xs[i]);
            double tol = Gelu.MAX_GELU_ERROR * Math.max(1, Math.abs(xs[i]));
            assertClose(ref, y[2 + i], tol, ks.name() + " geluForward(" + xs[i] + ")");
            assertClose(ref, Gelu.gelu(xs[i]), tol, "Gelu.gelu(" + xs[i] + ")");
        }
    }

    @Test
    void geluForwardAllLengthsAndInPlace() {
        Kernels ks = Fixtures.kernels();
        SplittableRandom r = Fixtures.rnd(77);
        for (int n : new int[] {0, 1, 3, 4, 5, 7, 8, 9, 15, 16, 17, 19, 35, 37, 129, 1021}) {
            float[] xs = Fixtures.randomFloats(r, n, -6, 6);
            int off = n % 4;
            float[] buf = Fixtures.guardedOutput(xs, off, 3);
            ks.geluForward(n, buf, off, buf, off); // in place
            Fixtures.assertGuards(buf, off, n, "in-place gelu n=" + n);
            for (int i = 0; i < n; i++) {
                assertClose(DoubleMath.gelu(xs[i]), buf[off + i], Gelu.MAX_GELU_ERROR * Math.max(1, Math.abs(xs[i])),
                        ks.name() + " in-place gelu n=" + n + " i=" + i + " x=" + xs[i]);
            }
        }
    }

    @Test
    void geluBackwardAccumulatesDyTimesDerivative() {
        Kernels ks = Fixtures.kernels();
        SplittableRandom r = Fixtures.rnd(78);
        float[] xs = geluPoints();
        int n = xs.length;
        float[] dyData = Fixtures.randomFloats(r, n, -2, 2);
        float[] dx0 = Fixtures.randomFloats(r, n, -1, 1);
        float[] x = Fixtures.guardedInput(xs, 1, 2);
        float[] dy = Fixtures.guardedInput(dyData, 3, 2);
        float[] dx = Fixtures.guardedOutput(dx0, 4, 4);
        ks.geluBackward(n, x, 1, dy, 3, dx, 4);
        Fixtures.assertGuards(dx, 4, n, "geluBackward");
        for (int i = 0; i < n; i++) {
            if (Math.abs(xs[i]) > 1e6f) continue; // x·φ(x) with x² overflowing in float: not a meaningful input
            double g = DoubleMath.geluGrad(xs[i]);
            double add = dyData[i] * g;
            double tol = Math.abs(dyData[i]) * 2 * Gelu.MAX_GELU_ERROR * Math.max(1, Math.abs(xs[i]))
                    + 2 * Fixtures.EPS * (Math.abs(dx0[i]) + Math.abs(add)) + 1e-38;
            assertClose(dx0[i] + add, dx[4 + i], tol, ks.name() + " geluBackward x=" + xs[i] + " dy=" + dyData[i]);
        }
    }
}
