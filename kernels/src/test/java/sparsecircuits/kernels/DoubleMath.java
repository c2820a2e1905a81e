package sparsecircuits.kernels;

/** Double-precision reference functions written for the tests (the JDK has no erf). */
final class DoubleMath {
    private static final double TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

    private DoubleMath() {
    }

    /**
     * erf(z). For |z| < 3 the all-positive series erf(z) = 2/√π·e^{−z²}·Σ 2ⁿz^{2n+1}/(2n+1)!! (no
     * cancellation); beyond, 1 − erfc(z) from the continued fraction.
     */
    static double erf(double z) {
        if (Double.isNaN(z)) return z;
        double az = Math.abs(z);
        double r;
        if (az < 3) {
            double z2 = az * az;
            double term = az, sum = az;
            for (int n = 1; n < 500; n++) {
                term *= 2 * z2 / (2 * n + 1);
                sum += term;
                if (term < 1e-17 * sum) break;
            }
            r = TWO_OVER_SQRT_PI * Math.exp(-z2) * sum;
        } else {
            r = 1 - erfcFraction(az);
        }
        return z < 0 ? -r : r;
    }

    /** erfc(z), accurate in absolute terms for all z and in relative terms for |z| ≥ 3. */
    static double erfc(double z) {
        if (z >= 3) return erfcFraction(z);
        if (z <= -3) return 2 - erfcFraction(-z);
        return 1 - erf(z);
    }

    /**
     * erfc(z) = e^{−z²}/√π · 1/(z + (1/2)/(z + 1/(z + (3/2)/(z + 2/(z + …))))), evaluated bottom-up
     * (z ≥ 3, where 300 levels are far past convergence).
     */
    private static double erfcFraction(double z) {
        double k = z;
        for (int n = 300; n >= 1; n--) {
            k = z + (n / 2.0) / k;
        }
        return Math.exp(-z * z) / (Math.sqrt(Math.PI) * k);
    }

    /** Φ(x), the standard normal CDF. */
    static double cdf(double x) {
        return 0.5 * erfc(-x / Math.sqrt(2));
    }

    static double gelu(double x) {
        return x * cdf(x);
    }

    /** d/dx x·Φ(x) = Φ(x) + x·φ(x). */
    static double geluGrad(double x) {
        return cdf(x) + x * Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
    }
}
