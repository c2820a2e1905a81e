package sparsecircuits.kernels;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import sparsecircuits.kernels.sparse.CsrMatrix;

/**
 * Every kernel that splits its work over the pool gives bit-identical results on 1, 2 and 3 threads.
 * Shapes are chosen well above {@link WorkerPool#MIN_PARALLEL_WORK} so the work really is split.
 */
class DeterminismTest {

    /** Runs {@code f} on fresh providers over 1, 2 and 3 worker threads and asserts identical bits. */
    private static void sameBitsOnAnyThreadCount(String what, Function<Kernels, float[]> f) {
        List<float[]> results = new ArrayList<>();
        for (int threads = 1; threads <= 3; threads++) {
            try (WorkerPool pool = new WorkerPool(threads)) {
                Kernels ks = KernelProvider.create(pool);
                results.add(f.apply(ks));
                if (threads == 3) {
                    Fixtures.assertBitsEqual(results.get(2), f.apply(ks), what + ": the same pool twice");
                }
            }
        }
        for (int t = 1; t < results.size(); t++) {
            Fixtures.assertBitsEqual(results.get(0), results.get(t), what + ": 1 thread vs " + (t + 1) + " threads");
        }
        boolean nonTrivial = false;
        for (float v : results.get(0)) nonTrivial |= v != 0f;
        assertTrue(nonTrivial, what + ": the compared result is all zeros, the comparison would prove nothing");
    }

    private static float[] concat(float[]... parts) {
        int n = 0;
        for (float[] p : parts) n += p.length;
        float[] all = new float[n];
        int o = 0;
        for (float[] p : parts) {
            System.arraycopy(p, 0, all, o, p.length);
            o += p.length;
        }
        return all;
    }

    private static SplittableRandom rnd(long salt) {
        return Fixtures.rnd(7_000_000 + salt);
    }

    @Test
    void gemm() {
        // Uneven splits (101 rows over 2 or 3 threads) put rows at different offsets of register tiles,
        // and k = 300 crosses a 256-deep panel.
        int m = 101, n = 83, k = 300;
        SplittableRandom r = rnd(1);
        float[] a = Fixtures.randomFloats(r, m * k, -1, 1), b = Fixtures.randomFloats(r, k * n, -1, 1);
        float[] c0 = Fixtures.randomFloats(r, m * n, -1, 1);
        sameBitsOnAnyThreadCount("gemmABt", ks -> {
            float[] c = c0.clone();
            ks.gemmABt(m, n, k, a, 0, b, 0, c, 0, true);
            return c;
        });
        sameBitsOnAnyThreadCount("gemmAB", ks -> {
            float[] c = c0.clone();
            ks.gemmAB(m, n, k, a, 0, b, 0, c, 0, false);
            return c;
        });
        sameBitsOnAnyThreadCount("gemmAtB", ks -> {
            float[] c = c0.clone();
            ks.gemmAtB(m, n, k, a, 0, b, 0, c, 0, true);
            return c;
        });
    }

    @Test
    void sparse() {
        int rows = 96, cols = 80, n = 131;
        SplittableRandom r = rnd(2);
        CsrMatrix w = SparsePatterns.matrix(r, rows, cols, SparsePatterns.mixedMask(r, rows, cols, 0.25));
        assertTrue((long) w.nnz() * n > 4 * WorkerPool.MIN_PARALLEL_WORK, "shape too small to split: nnz " + w.nnz());
        float[] x = Fixtures.randomFloats(r, cols * n, -1, 1), dy = Fixtures.randomFloats(r, rows * n, -1, 1);
        sameBitsOnAnyThreadCount("spmm", ks -> {
            float[] y = new float[rows * n];
            ks.spmm(w, x, 0, n, y, 0, false);
            return y;
        });
        sameBitsOnAnyThreadCount("spmmTransposed", ks -> {
            float[] dx = Fixtures.randomFloats(rnd(3), cols * n, -1, 1);
            ks.spmmTransposed(w, dy, 0, n, dx, 0, true);
            return dx;
        });
        sameBitsOnAnyThreadCount("sddmm", ks -> {
            float[] g = new float[w.nnz()];
            ks.sddmm(w, dy, 0, x, 0, n, g, 0, false);
            return g;
        });
    }

    @Test
    void sparseTokenMajor() {
        int out = 96, in = 80, n = 331;
        SplittableRandom r = rnd(9);
        CsrMatrix w = SparsePatterns.matrix(r, out, in, SparsePatterns.mixedMask(r, out, in, 0.25));
        float[] x = SparseLinearTest.activations(r, n, in, 0.3), dy = SparseLinearTest.activations(r, n, out, 0.3);
        float[] bias = Fixtures.randomFloats(r, out, -1, 1);
        sameBitsOnAnyThreadCount("sparseLinear", ks -> {
            float[] y = new float[n * out];
            ks.sparseLinear(n, x, 0, w, bias, 0, y, 0);
            return y;
        });
        sameBitsOnAnyThreadCount("sparseLinearBackward", ks -> {
            float[] dx = Fixtures.randomFloats(rnd(10), n * in, -1, 1);
            ks.sparseLinearBackward(n, dy, 0, w, dx, 0);
            return dx;
        });
    }

    @Test
    void sparseLargeInput() {
        // X past 2^18 floats: the vector provider re-blocks it by token tiles before splitting rows.
        int rows = 40, cols = 600, n = 461;
        SplittableRandom r = rnd(8);
        CsrMatrix w = SparsePatterns.matrix(r, rows, cols, SparsePatterns.uniformMask(r, rows, cols, 1.0 / 16));
        float[] x = Fixtures.randomFloats(r, cols * n, -1, 1);
        sameBitsOnAnyThreadCount("spmm large X", ks -> {
            float[] y = new float[rows * n];
            ks.spmm(w, x, 0, n, y, 0, false);
            return y;
        });
    }

    @Test
    void rmsNorm() {
        int rows = 160, d = 300;
        SplittableRandom r = rnd(4);
        float[] x = Fixtures.randomFloats(r, rows * d, -2, 2), g = Fixtures.randomFloats(r, d, 0.5f, 1.5f);
        float[] dy = Fixtures.randomFloats(r, rows * d, -1, 1);
        sameBitsOnAnyThreadCount("rmsNormForward/Backward", ks -> {
            float[] y = new float[rows * d], rstd = new float[rows], dx = new float[rows * d], dg = new float[d];
            ks.rmsNormForward(rows, d, x, 0, g, 0, Math.ulp(1f), y, 0, rstd, 0);
            ks.rmsNormBackward(rows, d, x, 0, g, 0, rstd, 0, dy, 0, dx, 0, dg, 0);
            return concat(y, rstd, dx, dg);
        });
    }

    @Test
    void nodeGate() {
        int rows = 600, c = 300;
        SplittableRandom r = rnd(10);
        float[] x = Fixtures.randomFloats(r, rows * c, -2, 2), g = NodeGateTest.gates(r, c, 3), base = Fixtures.randomFloats(r, c, -1, 1);
        float[] dy = Fixtures.randomFloats(r, rows * c, -1, 1);
        sameBitsOnAnyThreadCount("nodeGateForward/Backward", ks -> {
            float[] y = new float[rows * c], dx = new float[rows * c], dg = new float[c];
            ks.nodeGateForward(rows, c, x, 0, g, 0, base, 0, y, 0);
            ks.nodeGateBackward(rows, c, x, 0, g, 0, base, 0, dy, 0, dx, 0, false, dg, 0);
            return concat(y, dx, dg);
        });
    }

    @Test
    void softmaxAndCrossEntropy() {
        int rows = 64, vocab = 300;
        SplittableRandom r = rnd(5);
        float[] logits = Fixtures.randomFloats(r, rows * vocab, -4, 4), dy = Fixtures.randomFloats(r, rows * vocab, -1, 1);
        int[] targets = new int[rows];
        for (int i = 0; i < rows; i++) targets[i] = i % 9 == 0 ? -1 : r.nextInt(vocab);
        sameBitsOnAnyThreadCount("softmaxForward/Backward", ks -> {
            float[] y = new float[rows * vocab], dx = new float[rows * vocab];
            ks.softmaxForward(rows, vocab, logits, 0, y, 0);
            ks.softmaxBackward(rows, vocab, y, 0, dy, 0, dx, 0);
            return concat(y, dx);
        });
        sameBitsOnAnyThreadCount("crossEntropyForward/Backward", ks -> {
            float[] losses = new float[rows], dl = new float[rows * vocab];
            double total = ks.crossEntropyForward(rows, vocab, logits, 0, targets, 0, losses, 0);
            ks.crossEntropyBackward(rows, vocab, logits, 0, targets, 0, 1f / rows, dl, 0);
            long bits = Double.doubleToRawLongBits(total);
            return concat(losses, dl, new float[] {Float.intBitsToFloat((int) bits), Float.intBitsToFloat((int) (bits >>> 32))});
        });
    }

    @Test
    void attention() {
        int batch = 2, tokens = 64, heads = 3, dHead = 16, width = heads * dHead, ld = 3 * width, rows = batch * tokens;
        SplittableRandom r = rnd(6);
        float[] qkv = Fixtures.randomFloats(r, rows * ld, -1.5f, 1.5f), dOut = Fixtures.randomFloats(r, rows * width, -1, 1);
        for (boolean withSink : new boolean[] {false, true}) {
            float[] sink = withSink ? Fixtures.randomFloats(r, heads, -1, 1) : null;
            sameBitsOnAnyThreadCount("attention sink=" + withSink, ks -> {
                float[] probs = new float[batch * heads * tokens * tokens], out = new float[rows * width];
                ks.attentionForward(batch, tokens, heads, dHead, ld, qkv, 0, qkv, width, qkv, 2 * width, sink, 0, probs, 0, out, 0);
                float[] dqkv = new float[rows * ld], dsink = new float[heads];
                ks.attentionBackward(batch, tokens, heads, dHead, ld, qkv, 0, qkv, width, qkv, 2 * width, sink, 0, probs, 0,
                        dOut, 0, dqkv, 0, dqkv, width, dqkv, 2 * width, dsink, 0);
                return concat(probs, out, dqkv, dsink);
            });
        }
    }

    @Test
    void absTopKGeluAdam() {
        SplittableRandom r = rnd(7);
        int rows = 64, d = 256, k = 64;
        float[] x = Fixtures.randomFloats(r, rows * d, -1, 1), dy = Fixtures.randomFloats(r, rows * d, -1, 1);
        sameBitsOnAnyThreadCount("absTopK", ks -> {
            float[] y = new float[rows * d], dx = new float[rows * d];
            int[] kept = new int[rows * k];
            ks.absTopKForward(rows, d, k, x, 0, y, 0, kept, 0);
            ks.absTopKBackward(rows, d, k, kept, 0, dy, 0, dx, 0);
            float[] keptF = new float[kept.length];
            for (int i = 0; i < kept.length; i++) keptF[i] = kept[i];
            return concat(y, dx, keptF);
        });
        int n = 20_000;
        float[] xs = Fixtures.randomFloats(r, n, -5, 5), g = Fixtures.randomFloats(r, n, -1, 1);
        sameBitsOnAnyThreadCount("gelu", ks -> {
            float[] y = new float[n], dx = new float[n];
            ks.geluForward(n, xs, 0, y, 0);
            ks.geluBackward(n, xs, 0, g, 0, dx, 0);
            return concat(y, dx);
        });
        sameBitsOnAnyThreadCount("adam", ks -> {
            float[] p = xs.clone(), m = new float[n], v = new float[n];
            for (int t = 1; t <= 3; t++) ks.adamStep(n, p, 0, g, 0, m, 0, v, 0, 1e-2f, 0.9f, 0.95f, 1e-8f, t);
            return concat(p, m, v);
        });
    }
}
