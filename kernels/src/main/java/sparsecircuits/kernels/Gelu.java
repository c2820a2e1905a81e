package sparsecircuits.kernels;

/**
 * The exact-erf GELU, 0.5·x·(1 + erf(x/√2)) = x·Φ(x), as PyTorch's {@code nn.GELU()} default.
 *
 * <p>The JDK has no erf, so Φ is computed from Abramowitz &amp; Stegun 7.1.26:
 * erfc(z) ≈ t·(a1 + t·(a2 + t·(a3 + t·(a4 + t·a5))))·exp(−z²) with t = 1/(1 + p·z), z ≥ 0, whose
 * absolute error is ≤ 1.5e-7. Using erfc directly for the lower tail (Φ(x) = erfc(|x|/√2)/2 for
 * x &lt; 0) avoids the cancellation of 1 + erf near −1. The vector provider evaluates the same formula
 * lane-wise. Measured in float against a double reference (GeluTest): erf within
 * {@link #MAX_ERF_ERROR}, GELU within {@link #MAX_GELU_ERROR}·max(1, |x|).
 */
public final class Gelu {
    /** Stated bound on |erf error| of this approximation in float (A&amp;S: 1.5e-7, plus rounding). */
    public static final double MAX_ERF_ERROR = 1e-6;
    /** Stated bound on |gelu(x) error| / max(1, |x|). */
    public static final double MAX_GELU_ERROR = 1e-6;

    public static final float P = 0.3275911f;
    public static final float A1 = 0.254829592f;
    public static final float A2 = -0.284496736f;
    public static final float A3 = 1.421413741f;
    public static final float A4 = -1.453152027f;
    public static final float A5 = 1.061405429f;
    public static final float INV_SQRT2 = 0.70710678118654752f;
    /** 1/√(2π), for the GELU derivative x·φ(x). */
    public static final float INV_SQRT_2PI = 0.39894228040143268f;

    private Gelu() {
    }

    /** erf(z) in float. */
    public static float erf(float z) {
        float az = Math.abs(z);
        float t = 1f / (1f + P * az);
        float poly = t * (A1 + t * (A2 + t * (A3 + t * (A4 + t * A5))));
        float erfc = poly * (float) Math.exp(-az * az);
        float e = 1f - erfc;
        return z < 0 ? -e : e;
    }

    /** Φ(x), the standard normal CDF, accurate in both tails. */
    public static float cdf(float x) {
        float az = Math.abs(x) * INV_SQRT2;
        float t = 1f / (1f + P * az);
        float poly = t * (A1 + t * (A2 + t * (A3 + t * (A4 + t * A5))));
        float halfErfc = 0.5f * poly * (float) Math.exp(-az * az);
        return x < 0 ? halfErfc : 1f - halfErfc;
    }

    /** gelu(x) = x·Φ(x). */
    public static float gelu(float x) {
        return x * cdf(x);
    }

    /** gelu'(x) = Φ(x) + x·φ(x). */
    public static float geluGrad(float x) {
        float e = (float) Math.exp(-0.5f * x * x);
        return cdf(x) + x * INV_SQRT_2PI * e;
    }
}
