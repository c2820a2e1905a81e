package sparsecircuits.kernels;

import sparsecircuits.kernels.sparse.CsrMatrix;

/**
 * The float[] primitives every other module runs on: the one class callers use. It checks every argument once and
 * then runs the kernel on a {@link KernelImplementation} (the provider: {@link ScalarKernels}, or the Vector API
 * one that {@link KernelProvider} loads when the module is there). The implementations hold no checks, and the
 * kernels that have no vector version run on {@link ScalarKernels} whatever the provider (the table below).
 *
 * <p>Conventions, for every method:
 * <ul>
 *   <li>Matrices are row-major and contiguous; {@code [r × c]} means element (i, j) is at
 *       {@code off + i·c + j}. Weights are {@code [out × in]} (the reference {@code nn.Linear}).
 *   <li>Activations are <b>token-major</b> {@code [n × features]} (n = batch·tokens) from one op to the next:
 *       {@link #sparseLinear} and {@link #sparseLinearBackward} turn a tile of tokens feature-major in cache, so
 *       their inner loops run contiguous over tokens without a whole-matrix transpose at the layer's edges.
 *       {@link #spmm}, {@link #spmmTransposed} and {@link #sddmm} take whole feature-major operands
 *       {@code X[features × n]} (the pattern-only dW and the row-sparse products use them).
 *   <li>Row-wise ops (norms, softmax, AbsTopK, cross-entropy) are token-major: {@code [rows × d]}.
 *   <li>Backward methods <b>accumulate</b> ({@code +=}) into their gradient outputs.
 *   <li>No method allocates per call (scratch is per worker thread and grows only when a larger
 *       shape arrives). Work is split by output rows over {@link #pool()}, each output has one
 *       writer and every reduction has a fixed order, so results are bit-identical for any thread
 *       count.
 *   <li>Bad arguments (negative sizes, offsets out of range, shapes that do not match) throw
 *       {@link IllegalArgumentException} naming the argument and its value, from here, before the
 *       implementation runs: the same message whichever provider is behind.
 * </ul>
 *
 * <p>Where each kernel runs under the vector provider (under the scalar provider, everything is {@link ScalarKernels}):
 * <table>
 *   <caption>Kernels by implementation</caption>
 *   <tr><th>kernels</th><th>vector provider</th></tr>
 *   <tr><td>gemmABt, gemmAB, gemmAtB, spmm, spmmTransposed, sddmm, sparseLinear, sparseLinearBackward,
 *       csrRowPointers, csrFill, rmsNormForward, rmsNormBackward, geluForward, geluBackward, softmaxForward,
 *       softmaxBackward, nodeGateForward, nodeGateBackward, attentionForward, attentionBackward,
 *       crossEntropyForward, crossEntropyBackward, adamStep, axpy, scale, dot, sum</td>
 *       <td>vector (their scalar tails are part of the vector kernel, fused exactly when its body is)</td></tr>
 *   <tr><td>absTopKForward</td><td>vector; rows narrower than two vectors, k = 0 and k = d take the scalar
 *       kernel (the same kept set either way)</td></tr>
 *   <tr><td>transpose</td><td>vector (gathers); fewer rows than a vector has lanes, or fewer than two
 *       columns, take the scalar kernel (an exact copy either way)</td></tr>
 *   <tr><td><b>absTopKBackward, absTopKBackwardOverwrite</b></td><td><b>scalar only</b>: index scatters of k
 *       channels per row, nothing to vectorize</td></tr>
 *   <tr><td><b>sumSquares</b></td><td><b>scalar only</b>: accumulates in double, a pass over memory once per
 *       optimizer step</td></tr>
 * </table>
 * The scalar-only kernels are methods of {@link ScalarKernels} and not of {@link KernelImplementation}, so
 * a vector version cannot be half-added: it needs a method on the interface and a change to the routing here.
 */
public final class Kernels {
    private final KernelImplementation impl;
    /** Runs the scalar-only kernels; {@link #impl} itself under the scalar provider. */
    private final ScalarKernels scalar;

    /** The facade over one implementation (normally made by {@link KernelProvider}). */
    public Kernels(KernelImplementation impl) {
        if (impl == null) {
            throw new IllegalArgumentException("impl must not be null");
        }
        this.impl = impl;
        this.scalar = impl instanceof ScalarKernels ? (ScalarKernels) impl : new ScalarKernels(impl.pool());
    }

    /** "vector" or "scalar". */
    public String name() {
        return impl.name();
    }

    /** Width of one float vector in bits (32 for the scalar provider). */
    public int vectorBitSize() {
        return impl.vectorBitSize();
    }

    /** Whether multiply-adds are fused (one rounding) in this provider. */
    public boolean usesFma() {
        return impl.usesFma();
    }

    /** The worker pool this provider splits its work over. */
    public WorkerPool pool() {
        return impl.pool();
    }

    @Override
    public String toString() {
        return "Kernels[" + impl.name() + ", " + impl.vectorBitSize() + "-bit, " + impl.pool() + "]";
    }

    // ---------------------------------------------------------------- dense GEMM (packed, tiled)

    /** C[m×n] (+)= A[m×k] · B[n×k]ᵀ. The forward of a dense linear layer with token-major X and W[out×in]. */
    public void gemmABt(int m, int n, int k, float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, boolean accumulate) {
        checkGemm(m, n, k, a, aOff, b, bOff, c, cOff);
        impl.gemmABt(m, n, k, a, aOff, b, bOff, c, cOff, accumulate);
    }

    /** C[m×n] (+)= A[m×k] · B[k×n]. dX = dY · W in token-major backward. */
    public void gemmAB(int m, int n, int k, float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, boolean accumulate) {
        checkGemm(m, n, k, a, aOff, b, bOff, c, cOff);
        impl.gemmAB(m, n, k, a, aOff, b, bOff, c, cOff, accumulate);
    }

    /** C[m×n] (+)= A[k×m]ᵀ · B[k×n]. dW = dYᵀ · X in token-major backward. */
    public void gemmAtB(int m, int n, int k, float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, boolean accumulate) {
        checkGemm(m, n, k, a, aOff, b, bOff, c, cOff);
        impl.gemmAtB(m, n, k, a, aOff, b, bOff, c, cOff, accumulate);
    }

    // ---------------------------------------------------------------- sparse (CSR) × dense, feature-major

    /** Y[rows × n] (+)= W · X[cols × n], W sparse {@code [rows × cols]} (the sparse forward). */
    public void spmm(CsrMatrix w, float[] x, int xOff, int n, float[] y, int yOff, boolean accumulate) {
        checkSpmm(w, x, xOff, n, y, yOff, false);
        impl.spmm(w, x, xOff, n, y, yOff, accumulate);
    }

    /** dX[cols × n] (+)= Wᵀ · dY[rows × n], through W's transposed pattern (the sparse dX). */
    public void spmmTransposed(CsrMatrix w, float[] dy, int dyOff, int n, float[] dx, int dxOff, boolean accumulate) {
        checkSpmm(w, dy, dyOff, n, dx, dxOff, true);
        impl.spmmTransposed(w, dy, dyOff, n, dx, dxOff, accumulate);
    }

    /**
     * For every stored slot s = (o, i) of {@code pattern}: out[outOff + s] (+)= Σ_t dY[o, t]·X[i, t],
     * with dY {@code [rows × n]} and X {@code [cols × n]}: the weight gradient on the pattern only.
     */
    public void sddmm(CsrMatrix pattern, float[] dy, int dyOff, float[] x, int xOff, int n, float[] out, int outOff, boolean accumulate) {
        checkSddmm(pattern, dy, dyOff, x, xOff, n, out, outOff);
        impl.sddmm(pattern, dy, dyOff, x, xOff, n, out, outOff, accumulate);
    }

    // ---------------------------------------------------------------- sparse (CSR) × dense, token-major

    /**
     * Y[n × out] = X[n × in] · Wᵀ (+ bias[out] when bias is not null), W sparse {@code [out × in]}, token-major like
     * every other op of the block, so no transpose at the layer's edges. Each output is the bias (or 0), then the
     * products w[o, i]·x[i] over W's row o in increasing i (a zero activation adds nothing).
     */
    public void sparseLinear(int n, float[] x, int xOff, CsrMatrix w, float[] bias, int biasOff, float[] y, int yOff) {
        checkSparseLinear(n, x, xOff, w, bias, biasOff, y, yOff, false);
        impl.sparseLinear(n, x, xOff, w, bias, biasOff, y, yOff);
    }

    /**
     * dX[n × in] += dY[n × out] · W, W sparse {@code [out × in]}, token-major: each dX entry gets Σ_o dy[o]·W[o, i]
     * over W's column i in increasing o, summed from zero, then added once (the sparse dX).
     */
    public void sparseLinearBackward(int n, float[] dy, int dyOff, CsrMatrix w, float[] dx, int dxOff) {
        checkSparseLinear(n, dy, dyOff, w, null, 0, dx, dxOff, true);
        impl.sparseLinearBackward(n, dy, dyOff, w, dx, dxOff);
    }

    /**
     * The CSR row pointer of a dense {@code x[rows × cols]}: rowPtr[0] = 0, rowPtr[r + 1] = rowPtr[r] + the nonzeros of
     * row r. Returns the total. With {@link #csrFill} it compresses an activation whose rows are mostly zero (AbsTopK
     * keeps a quarter of each row, and a gradient flows back only there) for the row-sparse products.
     */
    public int csrRowPointers(int rows, int cols, float[] x, int xOff, int[] rowPtr) {
        checkRows(rows, cols);
        ArgChecks.range("x", x, xOff, (long) rows * cols);
        ArgChecks.range("rowPtr", rowPtr, 0, rows + 1L);
        return impl.csrRowPointers(rows, cols, x, xOff, rowPtr);
    }

    /** Writes the nonzeros of x, row by row in column order, to colIdx/values at the offsets of {@link #csrRowPointers}. */
    public void csrFill(int rows, int cols, float[] x, int xOff, int[] rowPtr, int[] colIdx, float[] values) {
        checkRows(rows, cols);
        ArgChecks.range("x", x, xOff, (long) rows * cols);
        ArgChecks.range("rowPtr", rowPtr, 0, rows + 1L);
        ArgChecks.range("colIdx", colIdx, 0, rowPtr[rows]);
        ArgChecks.range("values", values, 0, rowPtr[rows]);
        impl.csrFill(rows, cols, x, xOff, rowPtr, colIdx, values);
    }

    // ---------------------------------------------------------------- row-wise ops, token-major [rows × d]

    /** y = x / sqrt(mean(x²) + eps) ⊙ gain per row; rstd[r] = 1 / sqrt(mean(x_r²) + eps) is kept for backward. */
    public void rmsNormForward(int rows, int d, float[] x, int xOff, float[] gain, int gOff, float eps,
                               float[] y, int yOff, float[] rstd, int rOff) {
        checkRows(rows, d);
        ArgChecks.positive("d", d);
        ArgChecks.range("x", x, xOff, (long) rows * d);
        ArgChecks.range("gain", gain, gOff, d);
        ArgChecks.range("y", y, yOff, (long) rows * d);
        ArgChecks.range("rstd", rstd, rOff, rows);
        impl.rmsNormForward(rows, d, x, xOff, gain, gOff, eps, y, yOff, rstd, rOff);
    }

    /** dx += ∂L/∂x and dgain += ∂L/∂gain, given dy and the forward's rstd. */
    public void rmsNormBackward(int rows, int d, float[] x, int xOff, float[] gain, int gOff, float[] rstd, int rOff,
                                float[] dy, int dyOff, float[] dx, int dxOff, float[] dgain, int dgOff) {
        checkRows(rows, d);
        ArgChecks.positive("d", d);
        ArgChecks.range("x", x, xOff, (long) rows * d);
        ArgChecks.range("gain", gain, gOff, d);
        ArgChecks.range("rstd", rstd, rOff, rows);
        ArgChecks.range("dy", dy, dyOff, (long) rows * d);
        ArgChecks.range("dx", dx, dxOff, (long) rows * d);
        ArgChecks.range("dgain", dgain, dgOff, d);
        impl.rmsNormBackward(rows, d, x, xOff, gain, gOff, rstd, rOff, dy, dyOff, dx, dxOff, dgain, dgOff);
    }

    /** y = 0.5·x·(1 + erf(x/√2)) (exact-erf GELU; erf approximated to within {@link Gelu#MAX_ERF_ERROR}). */
    public void geluForward(int n, float[] x, int xOff, float[] y, int yOff) {
        checkElementwise(n, "x", x, xOff, "y", y, yOff, null, null, 0);
        impl.geluForward(n, x, xOff, y, yOff);
    }

    /** dx += dy · gelu'(x). */
    public void geluBackward(int n, float[] x, int xOff, float[] dy, int dyOff, float[] dx, int dxOff) {
        checkElementwise(n, "x", x, xOff, "dy", dy, dyOff, "dx", dx, dxOff);
        impl.geluBackward(n, x, xOff, dy, dyOff, dx, dxOff);
    }

    /** y = softmax(x) along each row. */
    public void softmaxForward(int rows, int d, float[] x, int xOff, float[] y, int yOff) {
        checkRows(rows, d, "x", x, xOff, "y", y, yOff, null, null, 0);
        impl.softmaxForward(rows, d, x, xOff, y, yOff);
    }

    /** dx += y ⊙ (dy − Σ y·dy) along each row, given the forward's y. */
    public void softmaxBackward(int rows, int d, float[] y, int yOff, float[] dy, int dyOff, float[] dx, int dxOff) {
        checkRows(rows, d, "y", y, yOff, "dy", dy, dyOff, "dx", dx, dxOff);
        impl.softmaxBackward(rows, d, y, yOff, dy, dyOff, dx, dxOff);
    }

    /**
     * Per-token AbsTopK along channels: y keeps the k entries of x with largest |x| (with sign), zeros the
     * rest; ties go to the lower channel. kept[rows × k] receives the kept channels of each row, ascending; null
     * when nobody needs them (no backward pass follows).
     */
    public void absTopKForward(int rows, int d, int k, float[] x, int xOff, float[] y, int yOff, int[] kept, int keptOff) {
        checkRows(rows, d);
        checkK(d, k);
        ArgChecks.range("x", x, xOff, (long) rows * d);
        ArgChecks.range("y", y, yOff, (long) rows * d);
        if (kept != null) ArgChecks.range("kept", kept, keptOff, (long) rows * k);
        impl.absTopKForward(rows, d, k, x, xOff, y, yOff, kept, keptOff);
    }

    /** dx += dy on the kept channels only. Scalar only. */
    public void absTopKBackward(int rows, int d, int k, int[] kept, int keptOff, float[] dy, int dyOff, float[] dx, int dxOff) {
        checkAbsTopKBackward(rows, d, k, kept, keptOff, dy, dyOff, dx, dxOff);
        scalar.absTopKBackward(rows, d, k, kept, keptOff, dy, dyOff, dx, dxOff);
    }

    /**
     * dx = dy on the kept channels and 0 elsewhere, every element of dx written row by row (for a gradient buffer that
     * nothing else wrote: no separate zeroing pass over it first). Scalar only.
     */
    public void absTopKBackwardOverwrite(int rows, int d, int k, int[] kept, int keptOff, float[] dy, int dyOff, float[] dx, int dxOff) {
        checkAbsTopKBackward(rows, d, k, kept, keptOff, dy, dyOff, dx, dxOff);
        scalar.absTopKBackwardOverwrite(rows, d, k, kept, keptOff, dy, dyOff, dx, dxOff);
    }

    /**
     * The pruner's node gate over token rows (SPEC §4.3), mask and mean (or zero) ablation in one pass:
     * y[r, j] = g[j]·x[r, j] + (1 − g[j])·base[j]; x, y {@code [rows × c]}, g and base {@code [c]} (base broadcast).
     */
    public void nodeGateForward(int rows, int c, float[] x, int xOff, float[] g, int gOff, float[] base, int bOff, float[] y, int yOff) {
        checkNodeGate(rows, c, x, xOff, g, gOff, base, bOff, "y", y, yOff, null, 0, null, 0);
        impl.nodeGateForward(rows, c, x, xOff, g, gOff, base, bOff, y, yOff);
    }

    /**
     * The node gate's backward in one pass over dy: dx[r, j] = g[j]·dy[r, j] (written when {@code overwriteDx}, else
     * added; skipped when dx is null) and the gates' gradient dg[j] += Σ_r dy[r, j]·(x[r, j] − base[j]) (skipped when
     * dg is null), rows summed in order for each channel, so dg does not depend on the thread count.
     */
    public void nodeGateBackward(int rows, int c, float[] x, int xOff, float[] g, int gOff, float[] base, int bOff,
                                 float[] dy, int dyOff, float[] dx, int dxOff, boolean overwriteDx, float[] dg, int dgOff) {
        checkNodeGate(rows, c, x, xOff, g, gOff, base, bOff, "dy", dy, dyOff, dx, dxOff, dg, dgOff);
        impl.nodeGateBackward(rows, c, x, xOff, g, gOff, base, bOff, dy, dyOff, dx, dxOff, overwriteDx, dg, dgOff);
    }

    /**
     * Causal attention per head with an optional per-head sink logit (SPEC §1.2).
     * q, k, v are token-major {@code [batch, tokens, heads·dHead]} rows with row stride {@code ld}
     * (so they may be views into one fused qkv buffer); out is {@code [batch, tokens, heads·dHead]}
     * contiguous. Scores use scale 1/√dHead; with a sink, the softmax runs over
     * {@code [sink_h, s_1..s_t]} and the sink carries a zero value. probs {@code [batch, heads, tokens, tokens]}
     * receives the weights of the real keys (the sink weight is 1 − their sum).
     * @param sink per-head logits {@code [heads]}, or null for no sink
     */
    public void attentionForward(int batch, int tokens, int heads, int dHead, int ld,
                                 float[] q, int qOff, float[] k, int kOff, float[] v, int vOff,
                                 float[] sink, int sinkOff, float[] probs, int pOff, float[] out, int oOff) {
        checkAttention(batch, tokens, heads, dHead, ld, q, qOff, k, kOff, v, vOff, sink, sinkOff, probs, pOff);
        ArgChecks.range("out", out, oOff, (long) batch * tokens * heads * dHead);
        impl.attentionForward(batch, tokens, heads, dHead, ld, q, qOff, k, kOff, v, vOff, sink, sinkOff, probs, pOff, out, oOff);
    }

    /** Gradients of {@link #attentionForward}: dq, dk, dv (same layout and stride as q, k, v) and dsink += . */
    public void attentionBackward(int batch, int tokens, int heads, int dHead, int ld,
                                  float[] q, int qOff, float[] k, int kOff, float[] v, int vOff,
                                  float[] sink, int sinkOff, float[] probs, int pOff, float[] dOut, int dOff,
                                  float[] dq, int dqOff, float[] dk, int dkOff, float[] dv, int dvOff,
                                  float[] dsink, int dsOff) {
        checkAttention(batch, tokens, heads, dHead, ld, q, qOff, k, kOff, v, vOff, sink, sinkOff, probs, pOff);
        int width = heads * dHead;
        int rows = batch * tokens;
        ArgChecks.range("dOut", dOut, dOff, (long) rows * width);
        ArgChecks.strided("dq", dq, dqOff, rows, width, ld);
        ArgChecks.strided("dk", dk, dkOff, rows, width, ld);
        ArgChecks.strided("dv", dv, dvOff, rows, width, ld);
        if (sink != null) ArgChecks.range("dsink", dsink, dsOff, heads);
        impl.attentionBackward(batch, tokens, heads, dHead, ld, q, qOff, k, kOff, v, vOff, sink, sinkOff, probs, pOff,
                dOut, dOff, dq, dqOff, dk, dkOff, dv, dvOff, dsink, dsOff);
    }

    /**
     * Cross-entropy of each row of logits {@code [rows × vocab]} against {@code targets[rows]}
     * (a negative target means "ignore": loss 0). Writes per-row losses and returns their sum (in double).
     */
    public double crossEntropyForward(int rows, int vocab, float[] logits, int lOff, int[] targets, int tOff,
                                      float[] losses, int lossOff) {
        checkCrossEntropy(rows, vocab, logits, lOff, targets, tOff, "losses", losses, lossOff, rows);
        return impl.crossEntropyForward(rows, vocab, logits, lOff, targets, tOff, losses, lossOff);
    }

    /** dlogits += scale · (softmax(logits) − onehot(target)) per row; ignored rows get nothing. */
    public void crossEntropyBackward(int rows, int vocab, float[] logits, int lOff, int[] targets, int tOff,
                                     float scale, float[] dlogits, int dOff) {
        checkCrossEntropy(rows, vocab, logits, lOff, targets, tOff, "dlogits", dlogits, dOff, (long) rows * vocab);
        impl.crossEntropyBackward(rows, vocab, logits, lOff, targets, tOff, scale, dlogits, dOff);
    }

    // ---------------------------------------------------------------- optimizer and BLAS-1

    /**
     * One bias-corrected Adam step, exactly as {@code torch.optim.Adam}:
     * m = β1·m + (1−β1)·g; v = β2·v + (1−β2)·g²; p −= (lr / (1−β1^t)) · m / (√v / √(1−β2^t) + eps).
     * @param step the 1-based step number t
     */
    public void adamStep(int n, float[] p, int pOff, float[] g, int gOff, float[] m, int mOff, float[] v, int vOff,
                         float lr, float beta1, float beta2, float eps, long step) {
        adamStep(n, p, pOff, g, gOff, m, mOff, v, vOff, lr, beta1, beta2, eps, step, 1f, 1f);
    }

    /**
     * {@link #adamStep} in one pass with the optimizer's neighbouring element-wise steps folded in: first
     * g ← gradScale·g (written back, so g is left scaled; not written when gradScale is 1), then the Adam step on
     * that g, then p ← p·decay (decoupled weight decay, 1 for none). Bit for bit the same as {@link #scale} of g,
     * {@link #adamStep}, then {@link #scale} of p: the same float operations in the same order, only in registers.
     */
    public void adamStep(int n, float[] p, int pOff, float[] g, int gOff, float[] m, int mOff, float[] v, int vOff,
                         float lr, float beta1, float beta2, float eps, long step, float gradScale, float decay) {
        ArgChecks.nonNegative("n", n);
        ArgChecks.range("p", p, pOff, n);
        ArgChecks.range("g", g, gOff, n);
        ArgChecks.range("m", m, mOff, n);
        ArgChecks.range("v", v, vOff, n);
        if (step < 1) throw new IllegalArgumentException("step must be >= 1 (1-based), got " + step);
        if (!(beta1 >= 0 && beta1 < 1)) throw new IllegalArgumentException("beta1 must be in [0, 1), got " + beta1);
        if (!(beta2 >= 0 && beta2 < 1)) throw new IllegalArgumentException("beta2 must be in [0, 1), got " + beta2);
        if (!(eps >= 0)) throw new IllegalArgumentException("eps must be >= 0, got " + eps);
        if (!Float.isFinite(lr)) throw new IllegalArgumentException("lr must be finite, got " + lr);
        if (!Float.isFinite(gradScale)) throw new IllegalArgumentException("gradScale must be finite, got " + gradScale);
        if (!Float.isFinite(decay)) throw new IllegalArgumentException("decay must be finite, got " + decay);
        impl.adamStep(n, p, pOff, g, gOff, m, mOff, v, vOff, lr, beta1, beta2, eps, step, gradScale, decay);
    }

    /** y += a·x. */
    public void axpy(int n, float a, float[] x, int xOff, float[] y, int yOff) {
        checkElementwise(n, "x", x, xOff, "y", y, yOff, null, null, 0);
        impl.axpy(n, a, x, xOff, y, yOff);
    }

    /**
     * dst[cols × rows] (+)= srcᵀ for src[rows × cols]: the boundary between token-major activations and the
     * feature-major layout of the sparse kernels. Memory-bound; an exact copy (or add), so both providers give the
     * same bits.
     */
    public void transpose(int rows, int cols, float[] src, int srcOff, float[] dst, int dstOff, boolean accumulate) {
        ArgChecks.nonNegative("rows", rows);
        ArgChecks.nonNegative("cols", cols);
        ArgChecks.range("src", src, srcOff, (long) rows * cols);
        ArgChecks.range("dst", dst, dstOff, (long) rows * cols);
        impl.transpose(rows, cols, src, srcOff, dst, dstOff, accumulate);
    }

    /** x *= a (decoupled weight decay is scale(1 − lr·wd)). */
    public void scale(int n, float a, float[] x, int xOff) {
        ArgChecks.nonNegative("n", n);
        ArgChecks.range("x", x, xOff, n);
        impl.scale(n, a, x, xOff);
    }

    /** Σ x·y. */
    public float dot(int n, float[] x, int xOff, float[] y, int yOff) {
        checkElementwise(n, "x", x, xOff, "y", y, yOff, null, null, 0);
        return impl.dot(n, x, xOff, y, yOff);
    }

    /** Σ x. */
    public float sum(int n, float[] x, int xOff) {
        ArgChecks.nonNegative("n", n);
        ArgChecks.range("x", x, xOff, n);
        return impl.sum(n, x, xOff);
    }

    /** Σ x² accumulated in double (for global gradient-RMS normalisation). Scalar only. */
    public double sumSquares(int n, float[] x, int xOff) {
        ArgChecks.nonNegative("n", n);
        ArgChecks.range("x", x, xOff, n);
        return scalar.sumSquares(n, x, xOff);
    }

    // ================================================================ argument checks (the only ones: the
    // implementations trust their arguments)

    private static void checkGemm(int m, int n, int k, float[] a, int aOff, float[] b, int bOff, float[] c, int cOff) {
        ArgChecks.nonNegative("m", m);
        ArgChecks.nonNegative("n", n);
        ArgChecks.nonNegative("k", k);
        ArgChecks.range("a", a, aOff, (long) m * k);
        ArgChecks.range("b", b, bOff, (long) k * n);
        ArgChecks.range("c", c, cOff, (long) m * n);
    }

    private static void checkSpmm(CsrMatrix w, float[] x, int xOff, int n, float[] y, int yOff, boolean transposed) {
        if (w == null) throw new IllegalArgumentException("w must not be null");
        ArgChecks.nonNegative("n", n);
        int in = transposed ? w.rows() : w.cols();
        int out = transposed ? w.cols() : w.rows();
        ArgChecks.range(transposed ? "dy" : "x", x, xOff, (long) in * n);
        ArgChecks.range(transposed ? "dx" : "y", y, yOff, (long) out * n);
    }

    private static void checkSddmm(CsrMatrix pattern, float[] dy, int dyOff, float[] x, int xOff, int n, float[] out, int outOff) {
        if (pattern == null) throw new IllegalArgumentException("pattern must not be null");
        ArgChecks.nonNegative("n", n);
        ArgChecks.range("dy", dy, dyOff, (long) pattern.rows() * n);
        ArgChecks.range("x", x, xOff, (long) pattern.cols() * n);
        ArgChecks.range("out", out, outOff, pattern.nnz());
    }

    private static void checkSparseLinear(int n, float[] x, int xOff, CsrMatrix w, float[] bias, int biasOff,
                                          float[] y, int yOff, boolean backward) {
        if (w == null) throw new IllegalArgumentException("w must not be null");
        ArgChecks.nonNegative("n", n);
        int xCols = backward ? w.rows() : w.cols(), yCols = backward ? w.cols() : w.rows();
        ArgChecks.range(backward ? "dy" : "x", x, xOff, (long) xCols * n);
        ArgChecks.range(backward ? "dx" : "y", y, yOff, (long) yCols * n);
        if (bias != null) ArgChecks.range("bias", bias, biasOff, w.rows());
    }

    private static void checkRows(int rows, int d) {
        ArgChecks.nonNegative("rows", rows);
        ArgChecks.nonNegative("d", d);
    }

    private static void checkRows(int rows, int d, String aName, float[] a, int aOff, String bName, float[] b, int bOff,
                                  String cName, float[] c, int cOff) {
        checkRows(rows, d);
        long len = (long) rows * d;
        ArgChecks.range(aName, a, aOff, len);
        ArgChecks.range(bName, b, bOff, len);
        if (cName != null) ArgChecks.range(cName, c, cOff, len);
    }

    private static void checkElementwise(int n, String aName, float[] a, int aOff, String bName, float[] b, int bOff,
                                         String cName, float[] c, int cOff) {
        ArgChecks.nonNegative("n", n);
        ArgChecks.range(aName, a, aOff, n);
        ArgChecks.range(bName, b, bOff, n);
        if (cName != null) ArgChecks.range(cName, c, cOff, n);
    }

    private static void checkK(int d, int k) {
        if (k < 0 || k > d) throw new IllegalArgumentException("k must be in [0, d = " + d + "], got " + k);
    }

    private static void checkAbsTopKBackward(int rows, int d, int k, int[] kept, int keptOff, float[] dy, int dyOff, float[] dx, int dxOff) {
        checkRows(rows, d);
        checkK(d, k);
        ArgChecks.range("kept", kept, keptOff, (long) rows * k);
        ArgChecks.range("dy", dy, dyOff, (long) rows * d);
        ArgChecks.range("dx", dx, dxOff, (long) rows * d);
        for (int i = 0, n = rows * k; i < n; i++) { // checked up front: workers must not fail half-way
            int c = kept[keptOff + i];
            if (c < 0 || c >= d) throw new IllegalArgumentException("kept[" + i + "] = " + c + " is outside [0, " + d + ")");
        }
    }

    private static void checkNodeGate(int rows, int c, float[] x, int xOff, float[] g, int gOff, float[] base, int bOff,
                                      String yName, float[] y, int yOff, float[] dx, int dxOff, float[] dg, int dgOff) {
        checkRows(rows, c);
        long len = (long) rows * c;
        ArgChecks.range("x", x, xOff, len);
        ArgChecks.range("g", g, gOff, c);
        ArgChecks.range("base", base, bOff, c);
        ArgChecks.range(yName, y, yOff, len);
        if (dx != null) ArgChecks.range("dx", dx, dxOff, len);
        if (dg != null) ArgChecks.range("dg", dg, dgOff, c);
    }

    private static void checkAttention(int batch, int tokens, int heads, int dHead, int ld,
                                       float[] q, int qOff, float[] k, int kOff, float[] v, int vOff,
                                       float[] sink, int sinkOff, float[] probs, int pOff) {
        ArgChecks.nonNegative("batch", batch);
        ArgChecks.nonNegative("tokens", tokens);
        ArgChecks.nonNegative("heads", heads);
        ArgChecks.positive("dHead", dHead);
        int rows = batch * tokens;
        int width = heads * dHead;
        ArgChecks.strided("q", q, qOff, rows, width, ld);
        ArgChecks.strided("k", k, kOff, rows, width, ld);
        ArgChecks.strided("v", v, vOff, rows, width, ld);
        if (sink != null) ArgChecks.range("sink", sink, sinkOff, heads);
        ArgChecks.range("probs", probs, pOff, (long) batch * heads * tokens * tokens);
    }

    private static void checkCrossEntropy(int rows, int vocab, float[] logits, int lOff, int[] targets, int tOff,
                                          String outName, float[] out, int outOff, long outLen) {
        ArgChecks.nonNegative("rows", rows);
        ArgChecks.positive("vocab", vocab);
        ArgChecks.range("logits", logits, lOff, (long) rows * vocab);
        ArgChecks.range("targets", targets, tOff, rows);
        for (int r = 0; r < rows; r++) {
            int t = targets[tOff + r];
            if (t >= vocab) {
                throw new IllegalArgumentException("targets[" + r + "] = " + t + " is not below vocab = " + vocab);
            }
        }
        ArgChecks.range(outName, out, outOff, outLen);
    }
}
