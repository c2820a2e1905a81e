package sparsecircuits.autograd;

import org.junit.jupiter.api.Test;
import sparsecircuits.kernels.KernelProvider;
import sparsecircuits.kernels.Kernels;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The tape will call a node's backward once per consumer and rely on gradients adding up (+=). This
 * holds the backward kernels it will use to that contract: two calls give exactly twice one call's
 * gradient on top of what the buffer held.
 */
class BackwardAccumulationTest {
    private final Kernels k = KernelProvider.get();

    @Test
    void backwardKernelsAddIntoGradientBuffers() {
        Random r = new Random(7);
        int rows = 3, d = 8;
        float[] x = new float[rows * d], dy = new float[rows * d], gain = new float[d], y = new float[rows * d];
        float[] rstd = new float[rows];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
            dy[i] = (float) r.nextGaussian();
        }
        for (int i = 0; i < d; i++) gain[i] = 1f + 0.1f * i;
        k.rmsNormForward(rows, d, x, 0, gain, 0, Math.ulp(1f), y, 0, rstd, 0);

        float[] once = new float[rows * d], twice = new float[rows * d], dgOnce = new float[d], dgTwice = new float[d];
        java.util.Arrays.fill(once, 0.5f);
        java.util.Arrays.fill(twice, 0.5f);
        k.rmsNormBackward(rows, d, x, 0, gain, 0, rstd, 0, dy, 0, once, 0, dgOnce, 0);
        k.rmsNormBackward(rows, d, x, 0, gain, 0, rstd, 0, dy, 0, twice, 0, dgTwice, 0);
        k.rmsNormBackward(rows, d, x, 0, gain, 0, rstd, 0, dy, 0, twice, 0, dgTwice, 0);
        for (int i = 0; i < once.length; i++) {
            assertEquals(0.5f + 2 * (once[i] - 0.5f), twice[i], 1e-5f, "dx[" + i + "]");
        }
        for (int i = 0; i < d; i++) {
            assertEquals(2 * dgOnce[i], dgTwice[i], 1e-5f, "dgain[" + i + "]");
        }

        float[] g1 = new float[rows * d], g2 = new float[rows * d];
        k.geluBackward(rows * d, x, 0, dy, 0, g1, 0);
        k.geluBackward(rows * d, x, 0, dy, 0, g2, 0);
        k.geluBackward(rows * d, x, 0, dy, 0, g2, 0);
        for (int i = 0; i < g1.length; i++) {
            assertEquals(2 * g1[i], g2[i], 1e-6f, "gelu dx[" + i + "]");
        }
    }
}
