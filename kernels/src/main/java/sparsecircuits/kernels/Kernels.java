package sparsecircuits.kernels;

import sparsecircuits.kernels.sparse.CsrMatrix;

/**
 * The float[] primitives every other module runs on.
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
 *       {@link IllegalArgumentException} naming the argument and its value.
 * </ul>
 */
public interface Kernels {

    /** "vector" or "scalar". */
    String name();

    /** Width of one float vector in bits (32 for the scalar provider). */
    int vectorBitSize();

    /** Whether multiply-adds are fused (one rounding) in this provider. */
    boolean usesFma();

    /** The worker pool this provider splits its work over. */
    WorkerPool pool();

    // ---------------------------------------------------------------- dense GEMM (packed, tiled)

    /** C[m×n] (+)= A[m×k] · B[n×k]ᵀ. The forward of a dense linear layer with token-major X and W[out×in]. */
    void gemmABt(int m, int n, int k, float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, boolean accumulate);

    /** C[m×n] (+)= A[m×k] · B[k×n]. dX = dY · W in token-major backward. */
    void gemmAB(int m, int n, int k, float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, boolean accumulate);

    /** C[m×n] (+)= A[k×m]ᵀ · B[k×n]. dW = dYᵀ · X in token-major backward. */
    void gemmAtB(int m, int n, int k, float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, boolean accumulate);

    // ---------------------------------------------------------------- sparse (CSR) × dense, feature-major

    /** Y[rows × n] (+)= W · X[cols × n], W sparse {@code [rows × cols]} (the sparse forward). */
    void spmm(CsrMatrix w, float[] x, int xOff, int n, float[] y, int yOff, boolean accumulate);

    /** dX[cols × n] (+)= Wᵀ · dY[rows × n], through W's transposed pattern (the sparse dX). */
    void spmmTransposed(CsrMatrix w, float[] dy, int dyOff, int n, float[] dx, int dxOff, boolean accumulate);

    /**
     * For every stored slot s = (o, i) of {@code pattern}: out[outOff + s] (+)= Σ_t dY[o, t]·X[i, t],
     * with dY {@code [rows × n]} and X {@code [cols × n]}: the weight gradient on the pattern only.
     */
    void sddmm(CsrMatrix pattern, float[] dy, int dyOff, float[] x, int xOff, int n, float[] out, int outOff, boolean accumulate);

    // ---------------------------------------------------------------- sparse (CSR) × dense, token-major

    /**
     * Y[n × out] = X[n × in] · Wᵀ (+ bias[out] when bias is not null), W sparse {@code [out × in]}, token-major like
     * every other op of the block, so no transpose at the layer's edges. Each output is the bias (or 0), then the
     * products w[o, i]·x[i] over W's row o in increasing i (a zero activation adds nothing).
     */
    void sparseLinear(int n, float[] x, int xOff, CsrMatrix w, float[] bias, int biasOff, float[] y, int yOff);

    /**
     * dX[n × in] += dY[n × out] · W, W sparse {@code [out × in]}, token-major: each dX entry gets Σ_o dy[o]·W[o, i]
     * over W's column i in increasing o, summed from zero, then added once (the sparse dX).
     */
    void sparseLinearBackward(int n, float[] dy, int dyOff, CsrMatrix w, float[] dx, int dxOff);

    /**
     * The CSR row pointer of a dense {@code x[rows × cols]}: rowPtr[0] = 0, rowPtr[r + 1] = rowPtr[r] + the nonzeros of
     * row r. Returns the total. With {@link #csrFill} it compresses an activation whose rows are mostly zero (AbsTopK
     * keeps a quarter of each row, and a gradient flows back only there) for the row-sparse products.
     */
    int csrRowPointers(int rows, int cols, float[] x, int xOff, int[] rowPtr);

    /** Writes the nonzeros of x, row by row in column order, to colIdx/values at the offsets of {@link #csrRowPointers}. */
    void csrFill(int rows, int cols, float[] x, int xOff, int[] rowPtr, int[] colIdx, float[] values);

    // ---------------------------------------------------------------- row-wise ops, token-major [rows × d]

    /** y = x / sqrt(mean(x²) + eps) ⊙ gain per row; rstd[r] = 1 / sqrt(mean(x_r²) + eps) is kept for backward. */
    void rmsNormForward(int rows, int d, float[] x, int xOff, float[] gain, int gOff, float eps,
                        float[] y, int yOff, float[] rstd, int rOff);

    /** dx += ∂L/∂x and dgain += ∂L/∂gain, given dy and the forward's rstd. */
    void rmsNormBackward(int rows, int d, float[] x, int xOff, float[] gain, int gOff, float[] rstd, int rOff,
                         float[] dy, int dyOff, float[] dx, int dxOff, float[] dgain, int dgOff);

    /** y = 0.5·x·(1 + erf(x/√2)) (exact-erf GELU; erf approximated to within {@link Gelu#MAX_ERF_ERROR}). */
    void geluForward(int n, float[] x, int xOff, float[] y, int yOff);

    /** dx += dy · gelu'(x). */
    void geluBackward(int n, float[] x, int xOff, float[] dy, int dyOff, float[] dx, int dxOff);

    /** y = softmax(x) along each row. */
    void softmaxForward(int rows, int d, float[] x, int xOff, float[] y, int yOff);

    /** dx += y ⊙ (dy − Σ y·dy) along each row, given the forward's y. */
    void softmaxBackward(int rows, int d, float[] y, int yOff, float[] dy, int dyOff, float[] dx, int dxOff);

    /**
     * Per-token AbsTopK along channels: y keeps the k entries of x with largest |x| (with sign), zeros the
     * rest; ties go to the lower channel. kept[rows × k] receives the kept channels of each row, ascending; null
     * when nobody needs them (no backward pass follows).
     */
    void absTopKForward(int rows, int d, int k, float[] x, int xOff, float[] y, int yOff, int[] kept, int keptOff);

    /** dx += dy on the kept channels only. */
    void absTopKBackward(int rows, int d, int k, int[] kept, int keptOff, float[] dy, int dyOff, float[] dx, int dxOff);

    /**
     * dx = dy on the kept channels and 0 elsewhere, every element of dx written row by row (for a gradient buffer that
     * nothing else wrote: no separate zeroing pass over it first).
     */
    void absTopKBackwardOverwrite(int rows, int d, int k, int[] kept, int keptOff, float[] dy, int dyOff, float[] dx, int dxOff);

    /**
     * The pruner's node gate over token rows (SPEC §4.3), mask and mean (or zero) ablation in one pass:
     * y[r, j] = g[j]·x[r, j] + (1 − g[j])·base[j]; x, y {@code [rows × c]}, g and base {@code [c]} (base broadcast).
     */
    void nodeGateForward(int rows, int c, float[] x, int xOff, float[] g, int gOff, float[] base, int bOff, float[] y, int yOff);

    /**
     * The node gate's backward in one pass over dy: dx[r, j] = g[j]·dy[r, j] (written when {@code overwriteDx}, else
     * added; skipped when dx is null) and the gates' gradient dg[j] += Σ_r dy[r, j]·(x[r, j] − base[j]) (skipped when
     * dg is null), rows summed in order for each channel, so dg does not depend on the thread count.
     */
    void nodeGateBackward(int rows, int c, float[] x, int xOff, float[] g, int gOff, float[] base, int bOff,
                          float[] dy, int dyOff, float[] dx, int dxOff, boolean overwriteDx, float[] dg, int dgOff);

    /**
     * Causal attention per head with an optional per-head sink logit (SPEC §1.2).
     * q, k, v are token-major {@code [batch, tokens, heads·dHead]} rows with row stride {@code ld}
     * (so they may be views into one fused qkv buffer); out is {@code [batch, tokens, heads·dHead]}
     * contiguous. Scores use scale 1/√dHead; with a sink, the softmax runs over
     * {@code [sink_h, s_1..s_t]} and the sink carries a zero value. probs {@code [batch, heads, tokens, tokens]}
     * receives the weights of the real keys (the sink weight is 1 − their sum).
     * @param sink per-head logits {@code [heads]}, or null for no sink
     */
    void attentionForward(int batch, int tokens, int heads, int dHead, int ld,
                          float[] q, int qOff, float[] k, int kOff, float[] v, int vOff,
                          float[] sink, int sinkOff, float[] probs, int pOff, float[] out, int oOff);

    /** Gradients of {@link #attentionForward}: dq, dk, dv (same layout and stride as q, k, v) and dsink += . */
    void attentionBackward(int batch, int tokens, int heads, int dHead, int ld,
                           float[] q, int qOff, float[] k, int kOff, float[] v, int vOff,
                           float[] sink, int sinkOff, float[] probs, int pOff, float[] dOut, int dOff,
                           float[] dq, int dqOff, float[] dk, int dkOff, float[] dv, int dvOff,
                           float[] dsink, int dsOff);

    /**
     * Cross-entropy of each row of logits {@code [rows × vocab]} against {@code targets[rows]}
     * (a negative target means "ignore": loss 0). Writes per-row losses and returns their sum (in double).
     */
    double crossEntropyForward(int rows, int vocab, float[] logits, int lOff, int[] targets, int tOff,
                               float[] losses, int lossOff);

    /** dlogits += scale · (softmax(logits) − onehot(target)) per row; ignored rows get nothing. */
    void crossEntropyBackward(int rows, int vocab, float[] logits, int lOff, int[] targets, int tOff,
                              float scale, float[] dlogits, int dOff);

    // ---------------------------------------------------------------- optimizer and BLAS-1

    /**
     * One bias-corrected Adam step, exactly as {@code torch.optim.Adam}:
     * m = β1·m + (1−β1)·g; v = β2·v + (1−β2)·g²; p −= (lr / (1−β1^t)) · m / (√v / √(1−β2^t) + eps).
     * @param step the 1-based step number t
     */
    default void adamStep(int n, float[] p, int pOff, float[] g, int gOff, float[] m, int mOff, float[] v, int vOff,
                          float lr, float beta1, float beta2, float eps, long step) {
        adamStep(n, p, pOff, g, gOff, m, mOff, v, vOff, lr, beta1, beta2, eps, step, 1f, 1f);
    }

    /**
     * {@link #adamStep} in one pass with the optimizer's neighbouring element-wise steps folded in: first
     * g ← gradScale·g (written back, so g is left scaled; not written when gradScale is 1), then the Adam step on
     * that g, then p ← p·decay (decoupled weight decay, 1 for none). Bit for bit the same as {@link #scale} of g,
     * {@link #adamStep}, then {@link #scale} of p: the same float operations in the same order, only in registers.
     */
    void adamStep(int n, float[] p, int pOff, float[] g, int gOff, float[] m, int mOff, float[] v, int vOff,
                  float lr, float beta1, float beta2, float eps, long step, float gradScale, float decay);

    /** y += a·x. */
    void axpy(int n, float a, float[] x, int xOff, float[] y, int yOff);

    /**
     * dst[cols × rows] (+)= srcᵀ for src[rows × cols]: the boundary between token-major activations and the
     * feature-major layout of the sparse kernels. Blocked; memory-bound, so one implementation serves both providers.
     */
    void transpose(int rows, int cols, float[] src, int srcOff, float[] dst, int dstOff, boolean accumulate);

    /** x *= a (decoupled weight decay is scale(1 − lr·wd)). */
    void scale(int n, float a, float[] x, int xOff);

    /** Σ x·y. */
    float dot(int n, float[] x, int xOff, float[] y, int yOff);

    /** Σ x. */
    float sum(int n, float[] x, int xOff);

    /** Σ x² accumulated in double (for global gradient-RMS normalisation). */
    double sumSquares(int n, float[] x, int xOff);
}
