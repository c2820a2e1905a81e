package sparsecircuits.kernels;

import org.junit.jupiter.api.Test;
import sparsecircuits.kernels.select.TopK;
import sparsecircuits.kernels.sparse.CsrMatrix;

import java.io.File;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Results must not depend on whether the JIT has compiled a kernel yet: the bits computed by a JVM that
 * only interprets ({@code -Xint}, the Vector API's Java fallback) must equal those of this warmed-up
 * JVM (C2 intrinsics). Otherwise a run's results would depend on timing, and so on the thread count.
 */
class InterpreterAgreementTest {

    static final int WARM_ROUNDS = 12_000;

    /** A fingerprint of every output bit of a fixed set of kernel calls on fixed inputs. */
    static long fingerprint(Kernels k) {
        Random r = new Random(1234);
        long h = 17;
        int rows = 6, d = 37, n = 53;
        float[] x = gauss(r, rows * d, 3f), y = new float[rows * d], dy = gauss(r, rows * d, 1f), dx = new float[rows * d];
        float[] gain = gauss(r, d, 1f), rstd = new float[rows], dg = new float[d];
        k.softmaxForward(rows, d, x, 0, y, 0);
        h = mix(h, y);
        k.softmaxBackward(rows, d, y, 0, dy, 0, dx, 0);
        h = mix(h, dx);
        k.rmsNormForward(rows, d, x, 0, gain, 0, Math.ulp(1f), y, 0, rstd, 0);
        k.rmsNormBackward(rows, d, x, 0, gain, 0, rstd, 0, dy, 0, dx, 0, dg, 0);
        h = mix(mix(mix(h, y), dx), dg);
        k.geluForward(rows * d, x, 0, y, 0);
        k.geluBackward(rows * d, x, 0, dy, 0, dx, 0);
        h = mix(mix(h, y), dx);
        int[] targets = new int[rows];
        for (int i = 0; i < rows; i++) targets[i] = r.nextInt(d);
        float[] losses = new float[rows];
        h = h * 31 + Double.doubleToLongBits(k.crossEntropyForward(rows, d, x, 0, targets, 0, losses, 0));
        k.crossEntropyBackward(rows, d, x, 0, targets, 0, 0.5f, dx, 0);
        h = mix(mix(h, losses), dx);
        h = h * 31 + Float.floatToIntBits(k.dot(rows * d, x, 0, dy, 0));
        h = h * 31 + Float.floatToIntBits(k.sum(rows * d, x, 0));
        // attention with a sink: batch 1, 19 tokens, 2 heads of 16
        int t = 19, heads = 2, dh = 16, w = heads * dh;
        float[] q = gauss(r, t * w, 1f), kk = gauss(r, t * w, 1f), v = gauss(r, t * w, 1f), sink = gauss(r, heads, 1f);
        float[] probs = new float[heads * t * t], out = new float[t * w], dOut = gauss(r, t * w, 1f);
        float[] dq = new float[t * w], dk = new float[t * w], dv = new float[t * w], ds = new float[heads];
        k.attentionForward(1, t, heads, dh, w, q, 0, kk, 0, v, 0, sink, 0, probs, 0, out, 0);
        k.attentionBackward(1, t, heads, dh, w, q, 0, kk, 0, v, 0, sink, 0, probs, 0, dOut, 0, dq, 0, dk, 0, dv, 0, ds, 0);
        h = mix(mix(mix(mix(mix(mix(h, probs), out), dq), dk), dv), ds);
        // sparse: spmm, dX and SDDMM, and GEMM
        float[] wd = gauss(r, 40 * 30, 1f);
        int[] idx = new int[300];
        TopK.select(wd, 0, wd.length, idx.length, idx, 0);
        CsrMatrix csr = CsrMatrix.fromSortedIndices(40, 30, wd, 0, idx, 0, idx.length);
        float[] xs = gauss(r, 30 * n, 1f), ys = new float[40 * n], dxs = new float[30 * n], dw = new float[300];
        k.spmm(csr, xs, 0, n, ys, 0, false);
        k.spmmTransposed(csr, ys, 0, n, dxs, 0, false);
        k.sddmm(csr, ys, 0, xs, 0, n, dw, 0, false);
        float[] c = new float[40 * 30];
        k.gemmABt(40, 30, n, ys, 0, xs, 0, c, 0, false);
        h = mix(mix(mix(mix(h, ys), dxs), dw), c);
        float[] p = gauss(r, 300, 1f), g = gauss(r, 300, 1f), m = new float[300], vv = new float[300];
        for (int step = 1; step <= 3; step++) k.adamStep(300, p, 0, g, 0, m, 0, vv, 0, 1e-2f, 0.9f, 0.95f, 0.1f, step);
        return mix(h, p);
    }

    private static float[] gauss(Random r, int n, float scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) r.nextGaussian() * scale;
        return a;
    }

    private static long mix(long h, float[] a) {
        for (float f : a) h = h * 1_000_003L + Float.floatToRawIntBits(f);
        return h;
    }

    /** Child-JVM entry: prints the fingerprint of the provider this JVM picks (on one thread). */
    public static void main(String[] args) {
        System.out.println("fingerprint=" + fingerprint(KernelProvider.create(new WorkerPool(1))));
    }

    @Test
    void interpretedAndCompiledKernelsGiveTheSameBits() throws Exception {
        Kernels k = KernelProvider.create(new WorkerPool(1));
        long warm = 0;
        for (int i = 0; i < WARM_ROUNDS; i++) { // enough calls for C2 to compile every kernel (10k+ invocations)
            long f = fingerprint(k);
            if (i > 0) assertEquals(warm, f, "the same JVM gave two fingerprints at iteration " + i);
            warm = f;
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse(System.getProperty("java.home") + "/bin/java"));
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("-XX:MaxVectorSize") || a.startsWith("-Dsparsecircuits.") || a.startsWith("--add-modules")
                    || a.equals("jdk.incubator.vector")) {
                cmd.add(a);
            }
        }
        cmd.add("-Xint");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(InterpreterAgreementTest.class.getName());
        Process proc = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String output = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(proc.waitFor(120, TimeUnit.SECONDS), "the -Xint child finished");
        assertEquals(0, proc.exitValue(), "child output: " + output + "\ncommand: " + String.join(" ", cmd));
        String line = output.lines().filter(s -> s.startsWith("fingerprint=")).findFirst().orElse("");
        assertEquals("fingerprint=" + warm, line, "interpreted (-Xint) vs compiled kernels on "
                + k.name() + " " + k.vectorBitSize() + "-bit; child said: " + output + " (class path separator " + File.pathSeparator + ")");
    }
}
