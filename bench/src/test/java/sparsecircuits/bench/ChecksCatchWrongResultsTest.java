package sparsecircuits.bench;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.Arrays;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import sparsecircuits.kernels.KernelImplementation;
import sparsecircuits.kernels.KernelProvider;
import sparsecircuits.kernels.Kernels;
import sparsecircuits.kernels.ScalarKernels;
import sparsecircuits.kernels.WorkerPool;
import sparsecircuits.kernels.select.TopK;
import sparsecircuits.kernels.sparse.CsrMatrix;

/**
 * The benchmarks' result checks must pass the scalar kernels and reject a kernel that is slightly
 * wrong (one reduction term missing, one element off by 0.1 %, a wrong top-k choice), so a
 * fast-but-wrong kernel cannot post a score. Small shapes; odd sizes so no tile divides them.
 */
class ChecksCatchWrongResultsTest {
    private static final WorkerPool POOL = new WorkerPool(1);
    private static final Kernels K = KernelProvider.scalar(POOL);

    @AfterAll
    static void close() {
        POOL.close();
    }

    private static void caught(Runnable r) {
        assertThrows(IllegalStateException.class, r::run);
    }

    /**
     * Scalar kernels that drop the last reduction term of the last output element of each GEMM: every call goes to
     * {@link ScalarKernels} (final), and a proxy between it and the facade spoils the GEMMs' results.
     */
    private static Kernels dropsLastTerm() {
        ScalarKernels ok = new ScalarKernels(POOL);
        InvocationHandler h = (proxy, method, args) -> {
            Object result;
            try {
                result = method.invoke(ok, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
            String form = method.getName();
            if (form.startsWith("gemm")) {
                int m = (int) args[0], n = (int) args[1], k = (int) args[2];
                float[] a = (float[]) args[3], b = (float[]) args[5], c = (float[]) args[7];
                int aOff = (int) args[4], bOff = (int) args[6], cOff = (int) args[8];
                float aLast = form.equals("gemmAtB") ? a[aOff + (k - 1) * m + m - 1] : a[aOff + (m - 1) * k + k - 1];
                float bLast = form.equals("gemmABt") ? b[bOff + (n - 1) * k + k - 1] : b[bOff + (k - 1) * n + n - 1];
                c[cOff + m * n - 1] -= aLast * bLast;
            }
            return result;
        };
        return new Kernels((KernelImplementation) Proxy.newProxyInstance(KernelImplementation.class.getClassLoader(),
                new Class<?>[] {KernelImplementation.class}, h));
    }

    @ParameterizedTest
    @ValueSource(strings = {"gemmABt", "gemmAB", "gemmAtB"})
    void gemmCheckPassesScalarAndCatchesAMissingTerm(String form) {
        int m = 7, n = 37, k = 301;
        float[] a = Bench.gaussian(1, m * k), b = Bench.gaussian(2, n * k), c = new float[m * n];
        assertDoesNotThrow(() -> GemmBench.check(K, form, form, m, n, k, a, b, c));
        caught(() -> GemmBench.check(dropsLastTerm(), form, form, m, n, k, a, b, c));
    }

    /** Removes nonzero q's contribution from output element (row of q, token t) of Y = W·X. */
    private static void dropSlot(CsrMatrix w, int q, float[] x, int n, int t, float[] y) {
        y[rowOf(w, q) * n + t] -= w.values()[q] * x[w.colIdx()[q] * n + t];
    }

    private static int rowOf(CsrMatrix w, int q) {
        int row = 0;
        while (w.rowPtr()[row + 1] <= q) row++;
        return row;
    }

    @ParameterizedTest
    @ValueSource(strings = {"uniform", "topk"})
    void sparseChecksPassScalarAndCatchAMissingNonzero(String kind) {
        int out = 23, in = 61, n = 19;
        CsrMatrix w = Bench.pattern(out, in, 0.25, kind, 5);
        if (kind.equals("uniform")) {
            for (int o = 0; o < out; o++) {
                assertEquals(Math.round(0.25 * in), w.rowPtr()[o + 1] - w.rowPtr()[o], "nonzeros of row " + o);
            }
        } else {
            assertEquals(Math.round(0.25 * out * in), w.nnz());
        }
        float[] x = Bench.gaussian(6, in * n), dy = Bench.gaussian(7, out * n);
        int last = w.nnz() - 1;

        float[] y = new float[out * n];
        K.spmm(w, x, 0, n, y, 0, false);
        assertDoesNotThrow(() -> Check.spmm("spmm", w, x, n, y));
        dropSlot(w, last, x, n, n - 1, y);
        caught(() -> Check.spmm("spmm", w, x, n, y));

        float[] dx = new float[in * n];
        K.spmmTransposed(w, dy, 0, n, dx, 0, false);
        assertDoesNotThrow(() -> Check.spmmTransposed("dx", w, dy, n, dx));
        int row = rowOf(w, last), col = w.colIdx()[last];
        dx[col * n + 3] -= w.values()[last] * dy[row * n + 3];
        caught(() -> Check.spmmTransposed("dx", w, dy, n, dx));

        float[] dw = new float[w.nnz()];
        K.sddmm(w, dy, 0, x, 0, n, dw, 0, false);
        assertDoesNotThrow(() -> Check.sddmm("sddmm", w, dy, x, n, dw));
        dw[last] -= dy[row * n + n - 1] * x[col * n + n - 1];
        caught(() -> Check.sddmm("sddmm", w, dy, x, n, dw));
    }

    @Test
    void topKCheckIsExactIncludingTies() {
        int n = 1000, k = 100;
        float[] w = Bench.gaussian(8, n);
        for (int i = 0; i < n; i += 7) w[i] = w[3]; // many ties, some at the threshold
        int[] out = new int[k];
        TopK.select(w, 0, n, k, out, 0);
        assertDoesNotThrow(() -> TopKCheck.check("topk", w, n, k, out, null));

        // keep a smaller entry instead of the smallest kept one
        int[] wrong = out.clone();
        boolean[] kept = new boolean[n];
        for (int i : out) kept[i] = true;
        int smallestKept = out[0], largestDropped = -1;
        for (int i : out) if (Math.abs(w[i]) < Math.abs(w[smallestKept])) smallestKept = i;
        for (int i = 0; i < n; i++) {
            if (!kept[i] && Math.abs(w[i]) < Math.abs(w[smallestKept]) && (largestDropped < 0 || Math.abs(w[i]) > Math.abs(w[largestDropped]))) {
                largestDropped = i;
            }
        }
        for (int q = 0; q < k; q++) if (wrong[q] == smallestKept) wrong[q] = largestDropped;
        Arrays.sort(wrong);
        caught(() -> TopKCheck.check("topk", w, n, k, wrong, null));

        // a tie broken toward the higher index
        float[] t = new float[10];
        Arrays.fill(t, 1f);
        caught(() -> TopKCheck.check("tie", t, 10, 3, new int[] {0, 1, 5}, null));
        assertDoesNotThrow(() -> TopKCheck.check("tie", t, 10, 3, new int[] {0, 1, 2}, null));
    }

    @ParameterizedTest
    @ValueSource(strings = {"ROWS", "COLUMNS"})
    void topKMinimumCheckRequiresTheForcedEntries(String axis) {
        int rows = 13, cols = 29, j = 3;
        TopK.Neurons neurons = TopK.Neurons.valueOf(axis);
        int k = j * (neurons == TopK.Neurons.ROWS ? rows : cols) + 6; // the rule decides most of the budget
        float[] w = Bench.gaussian(9, rows * cols);
        int[] out = new int[k];
        TopK.selectWithMinimum(w, 0, rows, cols, k, j, neurons, out, 0);
        boolean[] forced = TopKCheck.forced(w, rows, cols, j, neurons);
        assertDoesNotThrow(() -> TopKCheck.check(axis, w, rows * cols, k, out, forced));
        int[] plain = new int[k];
        TopK.select(w, 0, rows * cols, k, plain, 0); // ignores the rule: some neuron loses its minimum
        caught(() -> TopKCheck.check(axis, w, rows * cols, k, plain, forced));
    }

    private static void nudge(float[] a, int i) {
        a[i] = a[i] == 0 ? 1e-3f : a[i] * 1.001f;
    }

    @Test
    void rowOpChecksPassScalarAndCatchATenthOfAPercent() {
        int rows = 9, d = 67;
        float[] x = Bench.gaussian(10, rows * d), gain = Bench.gaussian(11, d), dy = Bench.gaussian(12, rows * d);
        float[] y = new float[rows * d], rstd = new float[rows];
        K.rmsNormForward(rows, d, x, 0, gain, 0, 1e-5f, y, 0, rstd, 0);
        assertDoesNotThrow(() -> RowRef.rmsNormForward("rms", rows, d, x, gain, 1e-5f, y, rstd));
        nudge(rstd, rows - 1);
        caught(() -> RowRef.rmsNormForward("rms", rows, d, x, gain, 1e-5f, y, rstd));
        K.rmsNormForward(rows, d, x, 0, gain, 0, 1e-5f, y, 0, rstd, 0);
        float[] dx = new float[rows * d], dg = new float[d];
        K.rmsNormBackward(rows, d, x, 0, gain, 0, rstd, 0, dy, 0, dx, 0, dg, 0);
        assertDoesNotThrow(() -> RowRef.rmsNormBackward("rmsb", rows, d, x, gain, rstd, dy, dx, dg));
        nudge(dg, d - 1);
        caught(() -> RowRef.rmsNormBackward("rmsb", rows, d, x, gain, rstd, dy, dx, dg));

        int n = 4001;
        float[] gx = Bench.gaussian(13, n);
        for (int i = 0; i < n; i++) gx[i] *= 3;
        float[] gy = new float[n], gdy = Bench.gaussian(14, n), gdx = new float[n];
        K.geluForward(n, gx, 0, gy, 0);
        K.geluBackward(n, gx, 0, gdy, 0, gdx, 0);
        assertDoesNotThrow(() -> RowRef.geluForward("gelu", n, gx, gy));
        assertDoesNotThrow(() -> RowRef.geluBackward("gelub", n, gx, gdy, gdx));
        int big = 0;
        for (int i = 0; i < n; i++) if (Math.abs(gx[i]) > 1 && Math.abs(gx[i]) < 2) big = i;
        nudge(gy, big);
        nudge(gdx, big);
        caught(() -> RowRef.geluForward("gelu", n, gx, gy));
        caught(() -> RowRef.geluBackward("gelub", n, gx, gdy, gdx));

        int v = 301;
        float[] logits = Bench.gaussian(15, rows * v), sy = new float[rows * v], sdy = Bench.gaussian(16, rows * v);
        float[] sdx = new float[rows * v];
        K.softmaxForward(rows, v, logits, 0, sy, 0);
        K.softmaxBackward(rows, v, sy, 0, sdy, 0, sdx, 0);
        assertDoesNotThrow(() -> RowRef.softmaxForward("sm", rows, v, logits, sy));
        assertDoesNotThrow(() -> RowRef.softmaxBackward("smb", rows, v, sy, sdy, sdx));
        nudge(sdx, 5);
        caught(() -> RowRef.softmaxBackward("smb", rows, v, sy, sdy, sdx));
        nudge(sy, 5);
        caught(() -> RowRef.softmaxForward("sm", rows, v, logits, sy));

        int[] targets = {0, 5, -1, 300, 7, 7, 100, 2, 1};
        float[] losses = new float[rows], dl = new float[rows * v];
        double total = K.crossEntropyForward(rows, v, logits, 0, targets, 0, losses, 0);
        K.crossEntropyBackward(rows, v, logits, 0, targets, 0, 0.25f, dl, 0);
        assertDoesNotThrow(() -> RowRef.crossEntropyForward("ce", rows, v, logits, targets, losses, total));
        assertDoesNotThrow(() -> RowRef.crossEntropyBackward("ceb", rows, v, logits, targets, 0.25f, dl));
        caught(() -> RowRef.crossEntropyForward("ce", rows, v, logits, targets, losses, total * 1.001));
        nudge(dl, 3 * v + 17);
        caught(() -> RowRef.crossEntropyBackward("ceb", rows, v, logits, targets, 0.25f, dl));
        dl[3 * v + 17] = 0; // row 2 is ignored: nothing may be written there
        Arrays.fill(dl, 0);
        K.crossEntropyBackward(rows, v, logits, 0, targets, 0, 0.25f, dl, 0);
        dl[2 * v + 1] = 1e-9f;
        caught(() -> RowRef.crossEntropyBackward("ceb", rows, v, logits, targets, 0.25f, dl));

        int pn = 1001;
        float[] p = Bench.gaussian(17, pn), g = Bench.gaussian(18, pn), m = Bench.gaussian(19, pn), vv = Bench.uniform(20, pn, 0, 2);
        for (int i = 0; i < pn; i++) {
            g[i] *= 0.01f;
            m[i] *= 0.01f;
            vv[i] *= 1e-4f;
        }
        float[] p1 = p.clone(), m1 = m.clone(), v1 = vv.clone();
        K.adamStep(pn, p1, 0, g, 0, m1, 0, v1, 0, 1e-3f, 0.9f, 0.95f, 1e-8f, 10);
        assertDoesNotThrow(() -> RowRef.adamStep("adam", pn, p, g, m, vv, 1e-3f, 0.9f, 0.95f, 1e-8f, 10, p1, m1, v1));
        float[] p2 = p.clone(), m2 = m.clone(), v2 = vv.clone();
        K.adamStep(pn, p2, 0, g, 0, m2, 0, v2, 0, 1e-3f, 0.9f, 0.95f, 1e-8f, 1); // bias correction of step 1
        caught(() -> RowRef.adamStep("adam", pn, p, g, m, vv, 1e-3f, 0.9f, 0.95f, 1e-8f, 10, p2, m2, v2));
    }

    @Test
    void attentionChecksPassScalarAndCatchATenthOfAPercent() {
        int batch = 2, tokens = 13, heads = 3, dHead = 5, width = heads * dHead, ld = 3 * width + 1;
        int rows = batch * tokens;
        float[] qkv = Bench.gaussian(21, rows * ld), sink = Bench.gaussian(22, heads);
        float[] probs = new float[batch * heads * tokens * tokens], out = new float[rows * width];
        Arrays.fill(probs, Float.NaN);
        K.attentionForward(batch, tokens, heads, dHead, ld, qkv, 0, qkv, width, qkv, 2 * width, sink, 0, probs, 0, out, 0);
        float[] probsRef = RowRef.attentionForward("att", batch, tokens, heads, dHead, ld, qkv, 0, qkv, width, qkv, 2 * width,
                sink, probs, out);
        nudge(out, rows * width - 1);
        caught(() -> RowRef.attentionForward("att", batch, tokens, heads, dHead, ld, qkv, 0, qkv, width, qkv, 2 * width,
                sink, probs, out));

        float[] dOut = Bench.gaussian(23, rows * width), dqkv = new float[rows * ld], dsink = new float[heads];
        K.attentionBackward(batch, tokens, heads, dHead, ld, qkv, 0, qkv, width, qkv, 2 * width, sink, 0, probsRef, 0,
                dOut, 0, dqkv, 0, dqkv, width, dqkv, 2 * width, dsink, 0);
        assertDoesNotThrow(() -> RowRef.attentionBackward("attb", batch, tokens, heads, dHead, ld, qkv, 0, width, 2 * width,
                sink, probsRef, dOut, dqkv, dsink));
        // dsink is ill-conditioned where the sink weight is small (1 − Σp cancels), so its bound is wider
        // there; nudge the head with the largest gradient
        int hMax = 0;
        for (int h = 1; h < heads; h++) if (Math.abs(dsink[h]) > Math.abs(dsink[hMax])) hMax = h;
        float saved = dsink[hMax];
        nudge(dsink, hMax);
        caught(() -> RowRef.attentionBackward("attb", batch, tokens, heads, dHead, ld, qkv, 0, width, 2 * width,
                sink, probsRef, dOut, dqkv, dsink));
        dsink[hMax] = saved;
        nudge(dqkv, 2 * width + 1); // a dv element of row 0
        caught(() -> RowRef.attentionBackward("attb", batch, tokens, heads, dHead, ld, qkv, 0, width, 2 * width,
                sink, probsRef, dOut, dqkv, dsink));
    }
}
