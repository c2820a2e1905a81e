package sparsecircuits.kernels;

import sparsecircuits.kernels.select.AbsTopK;
import sparsecircuits.kernels.sparse.CsrMatrix;
import sparsecircuits.kernels.sums.InOrder;

/**
 * The reference kernels in plain Java: the provider when the Vector API is absent, the shape every vector kernel
 * mirrors, and the only implementation of the scalar-only kernels ({@link #absTopKBackward},
 * {@link #absTopKBackwardOverwrite}, {@link #sumSquares}), which {@link Kernels} runs here
 * under either provider. No argument checks: {@link Kernels} checks once, before calling.
 */
public final class ScalarKernels implements KernelImplementation {
    private final WorkerPool pool;

    public ScalarKernels(WorkerPool pool) {
        if (pool == null) {
            throw new IllegalArgumentException("pool must not be null");
        }
        this.pool = pool;
    }

    @Override
    public String name() {
        return "scalar";
    }

    @Override
    public int vectorBitSize() {
        return Float.SIZE;
    }

    @Override
    public boolean usesFma() {
        return false;
    }

    @Override
    public WorkerPool pool() {
        return pool;
    }

    // ------------------------------------------------------------------ dense GEMM

    @Override
    public void gemmABt(int m, int n, int k, float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, boolean accumulate) {
        pool.forRange(m, (long) m * n * k, (i0, i1) -> {
            for (int i = i0; i < i1; i++) {
                int ai = aOff + i * k;
                int ci = cOff + i * n;
                for (int j = 0; j < n; j++) {
                    int bj = bOff + j * k;
                    float s = 0f;
                    for (int p = 0; p < k; p++) {
                        s += a[ai + p] * b[bj + p];
                    }
                    c[ci + j] = accumulate ? c[ci + j] + s : s;
                }
            }
        });
    }

    @Override
    public void gemmAB(int m, int n, int k, float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, boolean accumulate) {
        pool.forRange(m, (long) m * n * k, (i0, i1) -> {
            for (int i = i0; i < i1; i++) {
                int ci = cOff + i * n;
                if (!accumulate) java.util.Arrays.fill(c, ci, ci + n, 0f);
                for (int p = 0; p < k; p++) {
                    float aip = a[aOff + i * k + p];
                    int bp = bOff + p * n;
                    for (int j = 0; j < n; j++) {
                        c[ci + j] += aip * b[bp + j];
                    }
                }
            }
        });
    }

    @Override
    public void gemmAtB(int m, int n, int k, float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, boolean accumulate) {
        pool.forRange(m, (long) m * n * k, (i0, i1) -> {
            for (int i = i0; i < i1; i++) {
                int ci = cOff + i * n;
                if (!accumulate) java.util.Arrays.fill(c, ci, ci + n, 0f);
                for (int p = 0; p < k; p++) {
                    float api = a[aOff + p * m + i];
                    int bp = bOff + p * n;
                    for (int j = 0; j < n; j++) {
                        c[ci + j] += api * b[bp + j];
                    }
                }
            }
        });
    }

    // ------------------------------------------------------------------ sparse

    @Override
    public void spmm(CsrMatrix w, float[] x, int xOff, int n, float[] y, int yOff, boolean accumulate) {
        int[] rowPtr = w.rowPtr(), col = w.colIdx();
        float[] val = w.values();
        pool.forWeightedRange(w.rows(), rowPtr, 0, n, (r0, r1) -> {
            for (int o = r0; o < r1; o++) {
                int yo = yOff + o * n;
                if (!accumulate) java.util.Arrays.fill(y, yo, yo + n, 0f);
                for (int q = rowPtr[o], e = rowPtr[o + 1]; q < e; q++) {
                    float wv = val[q];
                    int xr = xOff + col[q] * n;
                    for (int t = 0; t < n; t++) {
                        y[yo + t] += wv * x[xr + t];
                    }
                }
            }
        });
    }

    @Override
    public void spmmTransposed(CsrMatrix w, float[] dy, int dyOff, int n, float[] dx, int dxOff, boolean accumulate) {
        CsrMatrix.Transpose t = w.transposePattern();
        int[] rowPtr = t.rowPtr, col = t.colIdx, perm = t.perm;
        float[] val = w.values();
        pool.forWeightedRange(w.cols(), rowPtr, 0, n, (r0, r1) -> {
            for (int j = r0; j < r1; j++) {
                int xo = dxOff + j * n;
                if (!accumulate) java.util.Arrays.fill(dx, xo, xo + n, 0f);
                for (int q = rowPtr[j], e = rowPtr[j + 1]; q < e; q++) {
                    float wv = val[perm[q]];
                    int yr = dyOff + col[q] * n;
                    for (int s = 0; s < n; s++) {
                        dx[xo + s] += wv * dy[yr + s];
                    }
                }
            }
        });
    }

    @Override
    public void sparseLinear(int n, float[] x, int xOff, CsrMatrix w, float[] bias, int biasOff, float[] y, int yOff) {
        int in = w.cols(), out = w.rows();
        pool.forRange(n, (long) n * (in + out) + (long) n * w.nnz() / Math.max(1, in),
                (r0, r1) -> sparseLinearRows(r0, r1, x, xOff, w, bias, biasOff, y, yOff));
    }

    /** Tokens [r0, r1) of {@link #sparseLinear}, one row at a time: bias (or 0), then each nonzero x[i] adds W[:, i]. */
    private static void sparseLinearRows(int r0, int r1, float[] x, int xOff, CsrMatrix w, float[] bias, int biasOff, float[] y, int yOff) {
        int in = w.cols(), out = w.rows();
        CsrMatrix.Transpose t = w.transposePattern();
        for (int r = r0; r < r1; r++) {
            int yr = yOff + r * out;
            if (bias == null) java.util.Arrays.fill(y, yr, yr + out, 0f);
            else System.arraycopy(bias, biasOff, y, yr, out);
            scatterRows(x, xOff + r * in, in, t.rowPtr, t.colIdx, t.perm, w.values(), y, yr);
        }
    }

    @Override
    public void sparseLinearBackward(int n, float[] dy, int dyOff, CsrMatrix w, float[] dx, int dxOff) {
        int in = w.cols(), out = w.rows();
        int[] rowPtr = w.rowPtr(), col = w.colIdx();
        float[] val = w.values();
        pool.forRange(n, (long) n * (in + out) + (long) n * w.nnz() / Math.max(1, out), (r0, r1) -> {
            for (int r = r0; r < r1; r++) scatterRowsAdding(dy, dyOff + r * out, out, rowPtr, col, val, dx, dxOff + r * in, in);
        });
    }

    /** dx[·] += (Σ_i a[i]·B[i, ·]) for one token's row: the products summed from zero first, then added once. */
    private static void scatterRowsAdding(float[] a, int aOff, int len, int[] rowPtr, int[] col, float[] val, float[] dx, int dxOff, int width) {
        float[] sums = ThreadScratch.floats(0, width);
        java.util.Arrays.fill(sums, 0, width, 0f);
        scatterRows(a, aOff, len, rowPtr, col, null, val, sums, 0);
        for (int c = 0; c < width; c++) dx[dxOff + c] += sums[c];
    }

    /**
     * y[·] += a[i]·B[i, ·] for every nonzero a[i] of a row of {@code len}, B a CSR pattern whose slot q holds
     * {@code val[perm == null ? q : perm[q]]}: one token's row of a sparse product.
     */
    private static void scatterRows(float[] a, int aOff, int len, int[] rowPtr, int[] col, int[] perm, float[] val, float[] y, int yOff) {
        for (int i = 0; i < len; i++) {
            float ai = a[aOff + i];
            if (ai == 0f) continue;
            for (int q = rowPtr[i], e = rowPtr[i + 1]; q < e; q++) {
                y[yOff + col[q]] += ai * val[perm == null ? q : perm[q]];
            }
        }
    }

    @Override
    public int csrRowPointers(int rows, int cols, float[] x, int xOff, int[] rowPtr) {
        pool.forRange(rows, (long) rows * cols, (r0, r1) -> {
            for (int r = r0; r < r1; r++) rowPtr[r + 1] = countNonZero(x, xOff + r * cols, cols);
        });
        return InOrder.countsToOffsets(rowPtr, rows);
    }

    /** Nonzeros of x[off, off + n). */
    private static int countNonZero(float[] x, int off, int n) {
        int c = 0;
        for (int i = 0; i < n; i++) if (x[off + i] != 0f) c++;
        return c;
    }

    @Override
    public void csrFill(int rows, int cols, float[] x, int xOff, int[] rowPtr, int[] colIdx, float[] values) {
        pool.forRange(rows, (long) rows * cols, (r0, r1) -> {
            for (int r = r0; r < r1; r++) fillRow(x, xOff + r * cols, cols, colIdx, values, rowPtr[r]);
        });
    }

    /** The nonzeros of one row, in column order, from slot q on. */
    private static void fillRow(float[] x, int off, int n, int[] colIdx, float[] values, int q) {
        for (int c = 0; c < n; c++) {
            float v = x[off + c];
            if (v != 0f) {
                colIdx[q] = c;
                values[q++] = v;
            }
        }
    }

    @Override
    public void sddmm(CsrMatrix pattern, float[] dy, int dyOff, float[] x, int xOff, int n, float[] out, int outOff, boolean accumulate) {
        int[] rowPtr = pattern.rowPtr(), col = pattern.colIdx();
        pool.forWeightedRange(pattern.rows(), rowPtr, 0, n, (r0, r1) -> {
            for (int o = r0; o < r1; o++) {
                int yo = dyOff + o * n;
                for (int q = rowPtr[o], e = rowPtr[o + 1]; q < e; q++) {
                    int xr = xOff + col[q] * n;
                    float s = 0f;
                    for (int t = 0; t < n; t++) {
                        s += dy[yo + t] * x[xr + t];
                    }
                    out[outOff + q] = accumulate ? out[outOff + q] + s : s;
                }
            }
        });
    }

    // ------------------------------------------------------------------ row-wise

    @Override
    public void rmsNormForward(int rows, int d, float[] x, int xOff, float[] gain, int gOff, float eps,
                               float[] y, int yOff, float[] rstd, int rOff) {
        pool.forRange(rows, (long) rows * d * 4, (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int xr = xOff + r * d, yr = yOff + r * d;
                float ss = 0f;
                for (int c = 0; c < d; c++) ss += x[xr + c] * x[xr + c];
                float rs = (float) (1.0 / Math.sqrt(ss / d + eps));
                rstd[rOff + r] = rs;
                for (int c = 0; c < d; c++) y[yr + c] = x[xr + c] * rs * gain[gOff + c];
            }
        });
    }

    @Override
    public void rmsNormBackward(int rows, int d, float[] x, int xOff, float[] gain, int gOff, float[] rstd, int rOff,
                                float[] dy, int dyOff, float[] dx, int dxOff, float[] dgain, int dgOff) {
        pool.forRange(rows, (long) rows * d * 6, (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int xr = xOff + r * d, gr = dyOff + r * d, dr = dxOff + r * d;
                float rs = rstd[rOff + r];
                float dot = 0f; // Σ dxhat·xhat
                for (int c = 0; c < d; c++) dot += dy[gr + c] * gain[gOff + c] * x[xr + c] * rs;
                float mean = dot / d;
                for (int c = 0; c < d; c++) {
                    float xhat = x[xr + c] * rs;
                    dx[dr + c] += rs * (dy[gr + c] * gain[gOff + c] - xhat * mean);
                }
            }
        });
        // dgain: a separate pass split by channel, rows summed in order (one writer per channel).
        pool.forRange(d, (long) rows * d * 2, (c0, c1) -> {
            for (int r = 0; r < rows; r++) {
                int xr = xOff + r * d, gr = dyOff + r * d;
                float rs = rstd[rOff + r];
                for (int c = c0; c < c1; c++) dgain[dgOff + c] += dy[gr + c] * x[xr + c] * rs;
            }
        });
    }

    @Override
    public void geluForward(int n, float[] x, int xOff, float[] y, int yOff) {
        pool.forRange(n, (long) n * 20, (i0, i1) -> {
            for (int i = i0; i < i1; i++) y[yOff + i] = Gelu.gelu(x[xOff + i]);
        });
    }

    @Override
    public void geluBackward(int n, float[] x, int xOff, float[] dy, int dyOff, float[] dx, int dxOff) {
        pool.forRange(n, (long) n * 30, (i0, i1) -> {
            for (int i = i0; i < i1; i++) dx[dxOff + i] += dy[dyOff + i] * Gelu.geluGrad(x[xOff + i]);
        });
    }

    @Override
    public void softmaxForward(int rows, int d, float[] x, int xOff, float[] y, int yOff) {
        pool.forRange(rows, (long) rows * d * 10, (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int xr = xOff + r * d, yr = yOff + r * d;
                float max = Float.NEGATIVE_INFINITY;
                for (int c = 0; c < d; c++) max = Math.max(max, x[xr + c]);
                float sum = 0f;
                for (int c = 0; c < d; c++) {
                    float e = (float) Math.exp(x[xr + c] - max);
                    y[yr + c] = e;
                    sum += e;
                }
                float inv = 1f / sum;
                for (int c = 0; c < d; c++) y[yr + c] *= inv;
            }
        });
    }

    @Override
    public void softmaxBackward(int rows, int d, float[] y, int yOff, float[] dy, int dyOff, float[] dx, int dxOff) {
        pool.forRange(rows, (long) rows * d * 4, (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int yr = yOff + r * d, gr = dyOff + r * d, xr = dxOff + r * d;
                float s = 0f;
                for (int c = 0; c < d; c++) s += y[yr + c] * dy[gr + c];
                for (int c = 0; c < d; c++) dx[xr + c] += y[yr + c] * (dy[gr + c] - s);
            }
        });
    }

    @Override
    public void absTopKForward(int rows, int d, int k, float[] x, int xOff, float[] y, int yOff, int[] kept, int keptOff) {
        pool.forRange(rows, (long) rows * d * 8, (r0, r1) -> {
            int[] scratch = ThreadScratch.ints(0, d), rowKept = kept != null ? kept : ThreadScratch.ints(1, k);
            for (int r = r0; r < r1; r++) {
                int xr = xOff + r * d, yr = yOff + r * d, kr = kept != null ? keptOff + r * k : 0;
                AbsTopK.selectRow(x, xr, d, k, rowKept, kr, scratch);
                if (y != x || yOff != xOff) {
                    java.util.Arrays.fill(y, yr, yr + d, 0f);
                    for (int q = 0; q < k; q++) y[yr + rowKept[kr + q]] = x[xr + rowKept[kr + q]];
                } else { // in place: zero what was not kept
                    int q = 0;
                    for (int c = 0; c < d; c++) {
                        if (q < k && rowKept[kr + q] == c) q++; else y[yr + c] = 0f;
                    }
                }
            }
        });
    }

    @Override
    public void nodeGateForward(int rows, int c, float[] x, int xOff, float[] g, int gOff, float[] base, int bOff, float[] y, int yOff) {
        pool.forRange(rows, (long) rows * c * 3, (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int xr = xOff + r * c, yr = yOff + r * c;
                for (int j = 0; j < c; j++) y[yr + j] = g[gOff + j] * x[xr + j] + (1 - g[gOff + j]) * base[bOff + j];
            }
        });
    }

    @Override
    public void nodeGateBackward(int rows, int c, float[] x, int xOff, float[] g, int gOff, float[] base, int bOff,
                                 float[] dy, int dyOff, float[] dx, int dxOff, boolean overwriteDx, float[] dg, int dgOff) {
        // split by channel: each channel's dg sums its rows in order whatever the split
        pool.forRange(c, (long) rows * c * 4, (j0, j1) -> {
            for (int r = 0; r < rows; r++) {
                int xr = xOff + r * c, gr = dyOff + r * c, dr = dxOff + r * c;
                for (int j = j0; j < j1; j++) {
                    float d = dy[gr + j];
                    if (dx != null) dx[dr + j] = overwriteDx ? g[gOff + j] * d : dx[dr + j] + g[gOff + j] * d;
                    if (dg != null) dg[dgOff + j] += d * (x[xr + j] - base[bOff + j]);
                }
            }
        });
    }

    // ------------------------------------------------------------------ attention

    @Override
    public void attentionForward(int batch, int tokens, int heads, int dHead, int ld,
                                 float[] q, int qOff, float[] k, int kOff, float[] v, int vOff,
                                 float[] sink, int sinkOff, float[] probs, int pOff, float[] out, int oOff) {
        int width = heads * dHead;
        float scale = (float) (1.0 / Math.sqrt(dHead));
        long work = (long) batch * heads * tokens * tokens * dHead;
        pool.forRange(batch * heads, work, (u0, u1) -> {
            for (int u = u0; u < u1; u++) {
                int b = u / heads, h = u % heads;
                for (int i = 0; i < tokens; i++) {
                    int qi = qOff + (b * tokens + i) * ld + h * dHead;
                    int pi = pOff + (u * tokens + i) * tokens;
                    float max = sink != null ? sink[sinkOff + h] : Float.NEGATIVE_INFINITY;
                    for (int j = 0; j <= i; j++) {
                        int kj = kOff + (b * tokens + j) * ld + h * dHead;
                        float s = 0f;
                        for (int e = 0; e < dHead; e++) s += q[qi + e] * k[kj + e];
                        s *= scale;
                        probs[pi + j] = s;
                        max = Math.max(max, s);
                    }
                    float sum = sink != null ? (float) Math.exp(sink[sinkOff + h] - max) : 0f;
                    for (int j = 0; j <= i; j++) {
                        float p = (float) Math.exp(probs[pi + j] - max);
                        probs[pi + j] = p;
                        sum += p;
                    }
                    float inv = 1f / sum;
                    for (int j = 0; j <= i; j++) probs[pi + j] *= inv;
                    java.util.Arrays.fill(probs, pi + i + 1, pi + tokens, 0f);
                    int oi = oOff + (b * tokens + i) * width + h * dHead;
                    java.util.Arrays.fill(out, oi, oi + dHead, 0f);
                    for (int j = 0; j <= i; j++) {
                        float p = probs[pi + j];
                        int vj = vOff + (b * tokens + j) * ld + h * dHead;
                        for (int e = 0; e < dHead; e++) out[oi + e] += p * v[vj + e];
                    }
                }
            }
        });
    }

    @Override
    public void attentionBackward(int batch, int tokens, int heads, int dHead, int ld,
                                  float[] q, int qOff, float[] k, int kOff, float[] v, int vOff,
                                  float[] sink, int sinkOff, float[] probs, int pOff, float[] dOut, int dOff,
                                  float[] dq, int dqOff, float[] dk, int dkOff, float[] dv, int dvOff,
                                  float[] dsink, int dsOff) {
        int width = heads * dHead;
        float scale = (float) (1.0 / Math.sqrt(dHead));
        int units = batch * heads;
        float[] sinkPartial = sink != null ? ThreadScratch.floats(3, units) : null;
        long work = (long) units * tokens * tokens * dHead * 3;
        pool.forRange(units, work, (u0, u1) -> {
            float[] dp = ThreadScratch.floats(2, tokens);
            for (int u = u0; u < u1; u++) {
                int b = u / heads, h = u % heads;
                float sinkGrad = 0f;
                for (int i = 0; i < tokens; i++) {
                    int pi = pOff + (u * tokens + i) * tokens;
                    int oi = dOff + (b * tokens + i) * width + h * dHead;
                    float dsum = 0f, psum = 0f;
                    for (int j = 0; j <= i; j++) {
                        int vj = vOff + (b * tokens + j) * ld + h * dHead;
                        float s = 0f;
                        for (int e = 0; e < dHead; e++) s += dOut[oi + e] * v[vj + e];
                        dp[j] = s;
                        dsum += probs[pi + j] * s;
                        psum += probs[pi + j];
                    }
                    if (sink != null) {
                        sinkGrad -= (1f - psum) * dsum; // the sink's value is 0, so dP_sink = 0
                    }
                    int qi = qOff + (b * tokens + i) * ld + h * dHead;
                    int dqi = dqOff + (b * tokens + i) * ld + h * dHead;
                    for (int j = 0; j <= i; j++) {
                        float p = probs[pi + j];
                        float ds = p * (dp[j] - dsum) * scale;
                        int kj = kOff + (b * tokens + j) * ld + h * dHead;
                        int dkj = dkOff + (b * tokens + j) * ld + h * dHead;
                        int dvj = dvOff + (b * tokens + j) * ld + h * dHead;
                        for (int e = 0; e < dHead; e++) {
                            dq[dqi + e] += ds * k[kj + e];
                            dk[dkj + e] += ds * q[qi + e];
                            dv[dvj + e] += p * dOut[oi + e];
                        }
                    }
                }
                if (sinkPartial != null) sinkPartial[u] = sinkGrad;
            }
        });
        if (sink != null) InOrder.addBatchSums(batch, heads, sinkPartial, dsink, dsOff);
    }

    // ------------------------------------------------------------------ cross-entropy

    @Override
    public double crossEntropyForward(int rows, int vocab, float[] logits, int lOff, int[] targets, int tOff,
                                      float[] losses, int lossOff) {
        pool.forRange(rows, (long) rows * vocab * 10, (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int t = targets[tOff + r];
                if (t < 0) {
                    losses[lossOff + r] = 0f;
                    continue;
                }
                int lr = lOff + r * vocab;
                float max = Float.NEGATIVE_INFINITY;
                for (int c = 0; c < vocab; c++) max = Math.max(max, logits[lr + c]);
                float sum = 0f;
                for (int c = 0; c < vocab; c++) sum += (float) Math.exp(logits[lr + c] - max);
                losses[lossOff + r] = (float) Math.log(sum) + max - logits[lr + t];
            }
        });
        return InOrder.total(losses, lossOff, rows);
    }

    @Override
    public void crossEntropyBackward(int rows, int vocab, float[] logits, int lOff, int[] targets, int tOff,
                                     float scale, float[] dlogits, int dOff) {
        pool.forRange(rows, (long) rows * vocab * 10, (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int t = targets[tOff + r];
                if (t < 0) continue;
                int lr = lOff + r * vocab, dr = dOff + r * vocab;
                float max = Float.NEGATIVE_INFINITY;
                for (int c = 0; c < vocab; c++) max = Math.max(max, logits[lr + c]);
                float sum = 0f;
                for (int c = 0; c < vocab; c++) sum += (float) Math.exp(logits[lr + c] - max);
                float inv = scale / sum;
                for (int c = 0; c < vocab; c++) dlogits[dr + c] += (float) Math.exp(logits[lr + c] - max) * inv;
                dlogits[dr + t] -= scale;
            }
        });
    }

    // ------------------------------------------------------------------ optimizer, BLAS-1

    @Override
    public void adamStep(int n, float[] p, int pOff, float[] g, int gOff, float[] m, int mOff, float[] v, int vOff,
                         float lr, float beta1, float beta2, float eps, long step, float gradScale, float decay) {
        float stepSize = (float) (lr / (1 - Math.pow(beta1, step)));
        float bc2Sqrt = (float) Math.sqrt(1 - Math.pow(beta2, step));
        float omb1 = 1f - beta1, omb2 = 1f - beta2;
        boolean writeG = gradScale != 1f;
        pool.forRange(n, (long) n * 8, (i0, i1) -> {
            for (int i = i0; i < i1; i++) {
                float gi = g[gOff + i] * gradScale;
                if (writeG) g[gOff + i] = gi;
                float mi = beta1 * m[mOff + i] + omb1 * gi;
                float vi = beta2 * v[vOff + i] + omb2 * gi * gi;
                m[mOff + i] = mi;
                v[vOff + i] = vi;
                p[pOff + i] = (p[pOff + i] - stepSize * mi / ((float) Math.sqrt(vi) / bc2Sqrt + eps)) * decay;
            }
        });
    }

    @Override
    public void axpy(int n, float a, float[] x, int xOff, float[] y, int yOff) {
        for (int i = 0; i < n; i++) y[yOff + i] += a * x[xOff + i];
    }

    @Override
    public void transpose(int rows, int cols, float[] src, int srcOff, float[] dst, int dstOff, boolean accumulate) {
        final int b = 32; // a 32×32 tile of both sides stays in L1
        pool.forRange((rows + b - 1) / b, (long) rows * cols, (t0, t1) -> {
            for (int r0 = t0 * b; r0 < Math.min(rows, t1 * b); r0 += b) {
                int r1 = Math.min(rows, r0 + b);
                for (int c0 = 0; c0 < cols; c0 += b) {
                    int c1 = Math.min(cols, c0 + b);
                    for (int c = c0; c < c1; c++) {
                        int d = dstOff + c * rows;
                        if (accumulate) {
                            for (int r = r0; r < r1; r++) dst[d + r] += src[srcOff + r * cols + c];
                        } else {
                            for (int r = r0; r < r1; r++) dst[d + r] = src[srcOff + r * cols + c];
                        }
                    }
                }
            }
        });
    }

    @Override
    public void scale(int n, float a, float[] x, int xOff) {
        for (int i = 0; i < n; i++) x[xOff + i] *= a;
    }

    @Override
    public float dot(int n, float[] x, int xOff, float[] y, int yOff) {
        float s = 0f;
        for (int i = 0; i < n; i++) s += x[xOff + i] * y[yOff + i];
        return s;
    }

    @Override
    public float sum(int n, float[] x, int xOff) {
        float s = 0f;
        for (int i = 0; i < n; i++) s += x[xOff + i];
        return s;
    }

    // ------------------------------------------------------------------ scalar-only kernels
    // Not in KernelImplementation: no vector version exists, and Kernels runs these here under either provider.

    /** {@link Kernels#absTopKBackward}: k scattered adds per row. */
    public void absTopKBackward(int rows, int d, int k, int[] kept, int keptOff, float[] dy, int dyOff, float[] dx, int dxOff) {
        pool.forRange(rows, (long) rows * k * 4, (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int kr = keptOff + r * k, o = r * d;
                for (int q = 0; q < k; q++) {
                    int c = kept[kr + q];
                    dx[dxOff + o + c] += dy[dyOff + o + c];
                }
            }
        });
    }

    /** {@link Kernels#absTopKBackwardOverwrite}: a row fill and k scattered stores per row. */
    public void absTopKBackwardOverwrite(int rows, int d, int k, int[] kept, int keptOff, float[] dy, int dyOff, float[] dx, int dxOff) {
        pool.forRange(rows, (long) rows * (d + 4L * k), (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int kr = keptOff + r * k, o = dxOff + r * d;
                java.util.Arrays.fill(dx, o, o + d, 0f); // the row is in cache for the scatter that follows
                for (int q = 0; q < k; q++) {
                    int c = kept[kr + q];
                    dx[o + c] = dy[dyOff + r * d + c];
                }
            }
        });
    }

    /** {@link Kernels#sumSquares}. */
    public double sumSquares(int n, float[] x, int xOff) {
        // Fixed 4096-element blocks, each summed by four interleaved chains (one chain is add-latency bound),
        // blocks split over the pool, partials added in block order: the same bits for any thread count.
        final int block = 4096;
        int blocks = (n + block - 1) / block;
        double[] partial = ThreadScratch.doubles(0, blocks); // the caller's; workers write their own blocks
        pool.forRange(blocks, (long) n * 2, (b0, b1) -> {
            for (int b = b0; b < b1; b++) {
                int i = xOff + b * block, end = xOff + Math.min(n, (b + 1) * block);
                double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
                for (; i + 4 <= end; i += 4) {
                    double a = x[i], c = x[i + 1], e = x[i + 2], f = x[i + 3];
                    s0 += a * a;
                    s1 += c * c;
                    s2 += e * e;
                    s3 += f * f;
                }
                for (; i < end; i++) s0 += (double) x[i] * x[i];
                partial[b] = (s0 + s1) + (s2 + s3);
            }
        });
        double s = 0;
        for (int b = 0; b < blocks; b++) s += partial[b];
        return s;
    }
}
