package sparsecircuits.kernels;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import sparsecircuits.kernels.sparse.CsrMatrix;

/**
 * Bad arguments throw {@link IllegalArgumentException} naming the argument (and its value where it has
 * one), for every public {@link Kernels} method, before anything is written.
 */
class BadInputTest {
    private final Kernels ks = Fixtures.kernels();

    /** Asserts an IAE whose message names {@code arg} (as a word; one-letter names must lead the message) and contains {@code value}. */
    private static void rejects(String arg, String value, Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call, "expected a complaint about " + arg);
        String msg = String.valueOf(e.getMessage());
        boolean named = arg.length() == 1
                ? Pattern.compile("^" + Pattern.quote(arg) + "([^A-Za-z0-9_]|$)").matcher(msg).find()
                : Pattern.compile("(^|[^A-Za-z0-9_])" + Pattern.quote(arg) + "([^A-Za-z0-9_]|$)").matcher(msg).find();
        assertTrue(named, "message should name '" + arg + "': " + msg);
        if (value != null) assertTrue(msg.contains(value), "message should contain the value " + value + ": " + msg);
    }

    private static void rejects(String arg, Executable call) {
        rejects(arg, null, call);
    }

    private static float[] f(int n) {
        return new float[n];
    }

    // ------------------------------------------------------------------ GEMM

    private interface Gemm {
        void run(int m, int n, int k, float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, boolean acc);
    }

    @Test
    void gemm() {
        Gemm[] forms = {ks::gemmABt, ks::gemmAB, ks::gemmAtB};
        for (Gemm g : forms) {
            // m=3, n=4, k=5: a 15, b 20, c 12
            rejects("m", "-1", () -> g.run(-1, 4, 5, f(15), 0, f(20), 0, f(12), 0, false));
            rejects("n", "-2", () -> g.run(3, -2, 5, f(15), 0, f(20), 0, f(12), 0, false));
            rejects("k", "-3", () -> g.run(3, 4, -3, f(15), 0, f(20), 0, f(12), 0, false));
            rejects("a", "14", () -> g.run(3, 4, 5, f(14), 0, f(20), 0, f(12), 0, false));
            rejects("a", "1", () -> g.run(3, 4, 5, f(15), 1, f(20), 0, f(12), 0, false));
            rejects("a", "-1", () -> g.run(3, 4, 5, f(15), -1, f(20), 0, f(12), 0, false));
            rejects("b", () -> g.run(3, 4, 5, f(15), 0, null, 0, f(12), 0, false));
            rejects("b", "19", () -> g.run(3, 4, 5, f(15), 0, f(19), 0, f(12), 0, false));
            rejects("c", "7", () -> g.run(3, 4, 5, f(15), 0, f(20), 0, f(18), 7, true));
            rejects("c", () -> g.run(3, 4, 5, f(15), 0, f(20), 0, f(12), Integer.MAX_VALUE, true));
            float[] c = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
            rejects("c", () -> g.run(3, 4, 5, f(15), 0, f(20), 0, c, 0, false));
            Fixtures.assertBitsEqual(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, c, "a rejected call must not write");
        }
    }

    // ------------------------------------------------------------------ sparse

    @Test
    void sparse() {
        // 3×5 with 4 stored entries
        CsrMatrix w = CsrMatrix.of(3, 5, new int[] {0, 2, 2, 4}, new int[] {0, 3, 1, 4}, new float[] {1, 2, 3, 4});
        int n = 6;
        rejects("w", () -> ks.sparseLinear(n, f(30), 0, null, null, 0, f(18), 0));
        rejects("n", "-1", () -> ks.sparseLinear(-1, f(30), 0, w, null, 0, f(18), 0));
        rejects("x", "29", () -> ks.sparseLinear(n, f(29), 0, w, null, 0, f(18), 0));
        rejects("y", "17", () -> ks.sparseLinear(n, f(30), 0, w, null, 0, f(17), 0));
        rejects("bias", "2", () -> ks.sparseLinear(n, f(30), 0, w, f(2), 0, f(18), 0));
        rejects("dy", "17", () -> ks.sparseLinearBackward(n, f(17), 0, w, f(30), 0));
        rejects("dx", "29", () -> ks.sparseLinearBackward(n, f(18), 0, w, f(29), 0));
        rejects("w", () -> ks.spmm(null, f(30), 0, n, f(18), 0, false));
        rejects("n", "-1", () -> ks.spmm(w, f(30), 0, -1, f(18), 0, false));
        rejects("x", "29", () -> ks.spmm(w, f(29), 0, n, f(18), 0, false));
        rejects("x", "-1", () -> ks.spmm(w, f(30), -1, n, f(18), 0, false));
        rejects("y", "17", () -> ks.spmm(w, f(30), 0, n, f(17), 0, true));
        rejects("y", () -> ks.spmm(w, f(30), 0, n, null, 0, true));

        rejects("w", () -> ks.spmmTransposed(null, f(18), 0, n, f(30), 0, false));
        rejects("n", "-4", () -> ks.spmmTransposed(w, f(18), 0, -4, f(30), 0, false));
        rejects("dy", "17", () -> ks.spmmTransposed(w, f(17), 0, n, f(30), 0, false));
        rejects("dx", "29", () -> ks.spmmTransposed(w, f(18), 0, n, f(29), 0, false));
        rejects("dx", "2", () -> ks.spmmTransposed(w, f(18), 0, n, f(30), 2, false));

        rejects("pattern", () -> ks.sddmm(null, f(18), 0, f(30), 0, n, f(4), 0, false));
        rejects("n", "-1", () -> ks.sddmm(w, f(18), 0, f(30), 0, -1, f(4), 0, false));
        rejects("dy", "17", () -> ks.sddmm(w, f(17), 0, f(30), 0, n, f(4), 0, false));
        rejects("x", "29", () -> ks.sddmm(w, f(18), 0, f(29), 0, n, f(4), 0, false));
        rejects("out", "3", () -> ks.sddmm(w, f(18), 0, f(30), 0, n, f(3), 0, false));
        rejects("out", "-2", () -> ks.sddmm(w, f(18), 0, f(30), 0, n, f(6), -2, true));
    }

    // ------------------------------------------------------------------ row-wise

    @Test
    void rmsNorm() {
        float eps = Math.ulp(1f);
        // rows=2, d=3
        rejects("rows", "-1", () -> ks.rmsNormForward(-1, 3, f(6), 0, f(3), 0, eps, f(6), 0, f(2), 0));
        rejects("d", "0", () -> ks.rmsNormForward(2, 0, f(6), 0, f(3), 0, eps, f(6), 0, f(2), 0));
        rejects("x", "5", () -> ks.rmsNormForward(2, 3, f(5), 0, f(3), 0, eps, f(6), 0, f(2), 0));
        rejects("gain", "2", () -> ks.rmsNormForward(2, 3, f(6), 0, f(2), 0, eps, f(6), 0, f(2), 0));
        rejects("y", "1", () -> ks.rmsNormForward(2, 3, f(6), 0, f(3), 0, eps, f(6), 1, f(2), 0));
        rejects("rstd", () -> ks.rmsNormForward(2, 3, f(6), 0, f(3), 0, eps, f(6), 0, null, 0));

        rejects("rows", "-1", () -> ks.rmsNormBackward(-1, 3, f(6), 0, f(3), 0, f(2), 0, f(6), 0, f(6), 0, f(3), 0));
        rejects("d", "-3", () -> ks.rmsNormBackward(2, -3, f(6), 0, f(3), 0, f(2), 0, f(6), 0, f(6), 0, f(3), 0));
        rejects("x", () -> ks.rmsNormBackward(2, 3, null, 0, f(3), 0, f(2), 0, f(6), 0, f(6), 0, f(3), 0));
        rejects("gain", () -> ks.rmsNormBackward(2, 3, f(6), 0, f(3), 1, f(2), 0, f(6), 0, f(6), 0, f(3), 0));
        rejects("rstd", "1", () -> ks.rmsNormBackward(2, 3, f(6), 0, f(3), 0, f(1), 0, f(6), 0, f(6), 0, f(3), 0));
        rejects("dy", "5", () -> ks.rmsNormBackward(2, 3, f(6), 0, f(3), 0, f(2), 0, f(5), 0, f(6), 0, f(3), 0));
        rejects("dx", "5", () -> ks.rmsNormBackward(2, 3, f(6), 0, f(3), 0, f(2), 0, f(6), 0, f(5), 0, f(3), 0));
        rejects("dgain", "2", () -> ks.rmsNormBackward(2, 3, f(6), 0, f(3), 0, f(2), 0, f(6), 0, f(6), 0, f(2), 0));
    }

    @Test
    void geluAndSoftmax() {
        rejects("n", "-1", () -> ks.geluForward(-1, f(4), 0, f(4), 0));
        rejects("x", () -> ks.geluForward(4, null, 0, f(4), 0));
        rejects("x", "3", () -> ks.geluForward(4, f(4), 3, f(4), 0));
        rejects("y", "3", () -> ks.geluForward(4, f(4), 0, f(3), 0));
        rejects("n", "-7", () -> ks.geluBackward(-7, f(4), 0, f(4), 0, f(4), 0));
        rejects("x", "3", () -> ks.geluBackward(4, f(3), 0, f(4), 0, f(4), 0));
        rejects("dy", "3", () -> ks.geluBackward(4, f(4), 0, f(3), 0, f(4), 0));
        rejects("dx", "1", () -> ks.geluBackward(4, f(4), 0, f(4), 0, f(4), 1));

        rejects("rows", "-1", () -> ks.softmaxForward(-1, 3, f(6), 0, f(6), 0));
        rejects("d", "-3", () -> ks.softmaxForward(2, -3, f(6), 0, f(6), 0));
        rejects("x", "5", () -> ks.softmaxForward(2, 3, f(5), 0, f(6), 0));
        rejects("y", "-1", () -> ks.softmaxForward(2, 3, f(6), 0, f(6), -1));
        rejects("rows", "-2", () -> ks.softmaxBackward(-2, 3, f(6), 0, f(6), 0, f(6), 0));
        rejects("y", "5", () -> ks.softmaxBackward(2, 3, f(5), 0, f(6), 0, f(6), 0));
        rejects("dy", "5", () -> ks.softmaxBackward(2, 3, f(6), 0, f(5), 0, f(6), 0));
        rejects("dx", () -> ks.softmaxBackward(2, 3, f(6), 0, f(6), 0, null, 0));
    }

    @Test
    void absTopK() {
        // rows=2, d=6, k=3
        rejects("k", "7", () -> ks.absTopKForward(2, 6, 7, f(12), 0, f(12), 0, new int[14], 0));
        rejects("k", "-1", () -> ks.absTopKForward(2, 6, -1, f(12), 0, f(12), 0, new int[6], 0));
        rejects("rows", "-2", () -> ks.absTopKForward(-2, 6, 3, f(12), 0, f(12), 0, new int[6], 0));
        rejects("d", "-6", () -> ks.absTopKForward(2, -6, 0, f(12), 0, f(12), 0, new int[6], 0));
        rejects("x", "11", () -> ks.absTopKForward(2, 6, 3, f(11), 0, f(12), 0, new int[6], 0));
        rejects("y", "2", () -> ks.absTopKForward(2, 6, 3, f(12), 0, f(12), 2, new int[6], 0));
        rejects("kept", "5", () -> ks.absTopKForward(2, 6, 3, f(12), 0, f(12), 0, new int[5], 0));
        // kept may be null (no backward follows: AbsTopKKernelTest checks the same y), but not short

        rejects("k", "7", () -> ks.absTopKBackward(2, 6, 7, new int[14], 0, f(12), 0, f(12), 0));
        rejects("kept", "5", () -> ks.absTopKBackward(2, 6, 3, new int[5], 0, f(12), 0, f(12), 0));
        rejects("kept", "6", () -> ks.absTopKBackward(2, 6, 3, new int[] {0, 1, 2, 3, 4, 6}, 0, f(12), 0, f(12), 0));
        rejects("kept", "6", () -> ks.absTopKBackwardOverwrite(2, 6, 3, new int[] {0, 1, 2, 3, 4, 6}, 0, f(12), 0, f(12), 0));
        rejects("dx", "1", () -> ks.absTopKBackwardOverwrite(2, 6, 3, new int[6], 0, f(12), 0, f(12), 1));
        rejects("dy", "11", () -> ks.absTopKBackward(2, 6, 3, new int[6], 0, f(11), 0, f(12), 0));
        rejects("dx", "1", () -> ks.absTopKBackward(2, 6, 3, new int[6], 0, f(12), 0, f(12), 1));
        rejects("rows", "-1", () -> ks.absTopKBackward(-1, 6, 3, new int[6], 0, f(12), 0, f(12), 0));
    }

    // ------------------------------------------------------------------ attention

    @Test
    void attention() {
        // batch=2, tokens=3, heads=2, dHead=2: rows 6, width 4, ld 4 → q/k/v/out 24, probs 2·2·3·3 = 36
        rejects("batch", "-1", () -> ks.attentionForward(-1, 3, 2, 2, 4, f(24), 0, f(24), 0, f(24), 0, null, 0, f(36), 0, f(24), 0));
        rejects("tokens", "-3", () -> ks.attentionForward(2, -3, 2, 2, 4, f(24), 0, f(24), 0, f(24), 0, null, 0, f(36), 0, f(24), 0));
        rejects("heads", "-2", () -> ks.attentionForward(2, 3, -2, 2, 4, f(24), 0, f(24), 0, f(24), 0, null, 0, f(36), 0, f(24), 0));
        rejects("dHead", "0", () -> ks.attentionForward(2, 3, 2, 0, 4, f(24), 0, f(24), 0, f(24), 0, null, 0, f(36), 0, f(24), 0));
        rejects("q", "3", () -> ks.attentionForward(2, 3, 2, 2, 3, f(24), 0, f(24), 0, f(24), 0, null, 0, f(36), 0, f(24), 0)); // ld < width
        rejects("q", "23", () -> ks.attentionForward(2, 3, 2, 2, 4, f(23), 0, f(24), 0, f(24), 0, null, 0, f(36), 0, f(24), 0));
        rejects("k", "1", () -> ks.attentionForward(2, 3, 2, 2, 4, f(24), 0, f(24), 1, f(24), 0, null, 0, f(36), 0, f(24), 0));
        rejects("v", () -> ks.attentionForward(2, 3, 2, 2, 4, f(24), 0, f(24), 0, null, 0, null, 0, f(36), 0, f(24), 0));
        rejects("sink", "1", () -> ks.attentionForward(2, 3, 2, 2, 4, f(24), 0, f(24), 0, f(24), 0, f(1), 0, f(36), 0, f(24), 0));
        rejects("probs", "35", () -> ks.attentionForward(2, 3, 2, 2, 4, f(24), 0, f(24), 0, f(24), 0, null, 0, f(35), 0, f(24), 0));
        rejects("out", "23", () -> ks.attentionForward(2, 3, 2, 2, 4, f(24), 0, f(24), 0, f(24), 0, null, 0, f(36), 0, f(23), 0));
        // A fused buffer whose last row is cut short: ld = 12, rows 6 → needs 5·12 + 4 + offset.
        rejects("v", () -> ks.attentionForward(2, 3, 2, 2, 12, f(72), 0, f(72), 4, f(72), 65, null, 0, f(36), 0, f(24), 0));

        rejects("batch", "-1", () -> ks.attentionBackward(-1, 3, 2, 2, 4, f(24), 0, f(24), 0, f(24), 0, null, 0, f(36), 0,
                f(24), 0, f(24), 0, f(24), 0, f(24), 0, null, 0));
        rejects("probs", "35", () -> ks.attentionBackward(2, 3, 2, 2, 4, f(24), 0, f(24), 0, f(24), 0, null, 0, f(35), 0,
                f(24), 0, f(24), 0, f(24), 0, f(24), 0, null, 0));
        rejects("dOut", "23", () -> ks.attentionBackward(2, 3, 2, 2, 4, f(24), 0, f(24), 0, f(24), 0, null, 0, f(36), 0,
                f(23), 0, f(24), 0, f(24), 0, f(24), 0, null, 0));
        rejects("dq", "23", () -> ks.attentionBackward(2, 3, 2, 2, 4, f(24), 0, f(24), 0, f(24), 0, null, 0, f(36), 0,
                f(24), 0, f(23), 0, f(24), 0, f(24), 0, null, 0));
        rejects("dk", () -> ks.attentionBackward(2, 3, 2, 2, 4, f(24), 0, f(24), 0, f(24), 0, null, 0, f(36), 0,
                f(24), 0, f(24), 0, null, 0, f(24), 0, null, 0));
        rejects("dv", "2", () -> ks.attentionBackward(2, 3, 2, 2, 4, f(24), 0, f(24), 0, f(24), 0, null, 0, f(36), 0,
                f(24), 0, f(24), 0, f(24), 0, f(24), 2, null, 0));
        rejects("dsink", () -> ks.attentionBackward(2, 3, 2, 2, 4, f(24), 0, f(24), 0, f(24), 0, f(2), 0, f(36), 0,
                f(24), 0, f(24), 0, f(24), 0, f(24), 0, null, 0));
        rejects("dsink", "1", () -> ks.attentionBackward(2, 3, 2, 2, 4, f(24), 0, f(24), 0, f(24), 0, f(2), 0, f(36), 0,
                f(24), 0, f(24), 0, f(24), 0, f(24), 0, f(2), 1));
    }

    // ------------------------------------------------------------------ cross-entropy

    @Test
    void crossEntropy() {
        int[] t = {0, 3};
        // rows=2, vocab=4
        rejects("rows", "-1", () -> ks.crossEntropyForward(-1, 4, f(8), 0, t, 0, f(2), 0));
        rejects("vocab", "0", () -> ks.crossEntropyForward(2, 0, f(8), 0, t, 0, f(2), 0));
        rejects("logits", "7", () -> ks.crossEntropyForward(2, 4, f(7), 0, t, 0, f(2), 0));
        rejects("targets", "1", () -> ks.crossEntropyForward(2, 4, f(8), 0, new int[1], 0, f(2), 0));
        rejects("targets", () -> ks.crossEntropyForward(2, 4, f(8), 0, null, 0, f(2), 0));
        rejects("targets", "4", () -> ks.crossEntropyForward(2, 4, f(8), 0, new int[] {0, 4}, 0, f(2), 0));
        rejects("losses", "1", () -> ks.crossEntropyForward(2, 4, f(8), 0, t, 0, f(1), 0));
        rejects("rows", "-1", () -> ks.crossEntropyBackward(-1, 4, f(8), 0, t, 0, 1f, f(8), 0));
        rejects("vocab", "-4", () -> ks.crossEntropyBackward(2, -4, f(8), 0, t, 0, 1f, f(8), 0));
        rejects("logits", "1", () -> ks.crossEntropyBackward(2, 4, f(8), 1, t, 0, 1f, f(8), 0));
        rejects("targets", "9", () -> ks.crossEntropyBackward(2, 4, f(8), 0, new int[] {9, 0}, 0, 1f, f(8), 0));
        rejects("dlogits", "7", () -> ks.crossEntropyBackward(2, 4, f(8), 0, t, 0, 1f, f(7), 0));
    }

    // ------------------------------------------------------------------ optimizer and BLAS-1

    @Test
    void adam() {
        rejects("n", "-1", () -> ks.adamStep(-1, f(4), 0, f(4), 0, f(4), 0, f(4), 0, 1e-3f, 0.9f, 0.999f, 1e-8f, 1));
        rejects("p", "3", () -> ks.adamStep(4, f(3), 0, f(4), 0, f(4), 0, f(4), 0, 1e-3f, 0.9f, 0.999f, 1e-8f, 1));
        rejects("g", "1", () -> ks.adamStep(4, f(4), 0, f(4), 1, f(4), 0, f(4), 0, 1e-3f, 0.9f, 0.999f, 1e-8f, 1));
        rejects("m", () -> ks.adamStep(4, f(4), 0, f(4), 0, null, 0, f(4), 0, 1e-3f, 0.9f, 0.999f, 1e-8f, 1));
        rejects("v", "3", () -> ks.adamStep(4, f(4), 0, f(4), 0, f(4), 0, f(3), 0, 1e-3f, 0.9f, 0.999f, 1e-8f, 1));
        rejects("step", "0", () -> ks.adamStep(4, f(4), 0, f(4), 0, f(4), 0, f(4), 0, 1e-3f, 0.9f, 0.999f, 1e-8f, 0));
        rejects("beta1", "1.0", () -> ks.adamStep(4, f(4), 0, f(4), 0, f(4), 0, f(4), 0, 1e-3f, 1f, 0.999f, 1e-8f, 1));
        rejects("beta2", "-0.5", () -> ks.adamStep(4, f(4), 0, f(4), 0, f(4), 0, f(4), 0, 1e-3f, 0.9f, -0.5f, 1e-8f, 1));
        rejects("eps", "-1.0", () -> ks.adamStep(4, f(4), 0, f(4), 0, f(4), 0, f(4), 0, 1e-3f, 0.9f, 0.999f, -1f, 1));
        rejects("lr", "NaN", () -> ks.adamStep(4, f(4), 0, f(4), 0, f(4), 0, f(4), 0, Float.NaN, 0.9f, 0.999f, 1e-8f, 1));
        float[] p = {1, 2, 3, 4};
        rejects("step", () -> ks.adamStep(4, p, 0, new float[] {1, 1, 1, 1}, 0, f(4), 0, f(4), 0, 1e-3f, 0.9f, 0.999f, 1e-8f, -3));
        Fixtures.assertBitsEqual(new float[] {1, 2, 3, 4}, p, "a rejected Adam step must not move p");
    }

    @Test
    void blas1() {
        rejects("n", "-1", () -> ks.axpy(-1, 1f, f(4), 0, f(4), 0));
        rejects("x", "3", () -> ks.axpy(4, 1f, f(3), 0, f(4), 0));
        rejects("y", "1", () -> ks.axpy(4, 1f, f(4), 0, f(4), 1));
        rejects("n", "-2", () -> ks.scale(-2, 1f, f(4), 0));
        rejects("x", () -> ks.scale(4, 1f, null, 0));
        rejects("x", "-1", () -> ks.scale(4, 1f, f(4), -1));
        rejects("n", "-1", () -> ks.dot(-1, f(4), 0, f(4), 0));
        rejects("x", "3", () -> ks.dot(4, f(3), 0, f(4), 0));
        rejects("y", "2", () -> ks.dot(4, f(4), 0, f(5), 2));
        rejects("n", "-1", () -> ks.sum(-1, f(4), 0));
        rejects("x", "5", () -> ks.sum(4, f(8), 5));
        rejects("n", "-1", () -> ks.sumSquares(-1, f(4), 0));
        rejects("x", () -> ks.sumSquares(4, null, 0));
    }
}
