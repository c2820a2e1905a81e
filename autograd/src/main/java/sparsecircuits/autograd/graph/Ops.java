package sparsecircuits.autograd.graph;

import java.util.Arrays;
import sparsecircuits.autograd.param.GradientCandidates;
import sparsecircuits.autograd.param.Parameter;
import sparsecircuits.kernels.Kernels;
import sparsecircuits.kernels.sparse.CsrMatrix;

/**
 * Every differentiable op, forward and backward rule side by side, so the file reads like a gradient table.
 * Tensors are row-major with channels last ({@code [rows × cols]}); linear layers take token-major
 * activations and weights {@code [out × in]}. Each rule accumulates ({@code +=}) into the inputs that need a
 * gradient. With a null tape nothing is recorded (inference, frozen evaluation). An op that only one other module
 * uses lives there and is recorded through {@link #recording}, {@link #output} and {@link #record} (pruning's node
 * gate, Heaviside mask and task loss).
 */
public final class Ops {

    /**
     * Density below which a sparse weight runs forward and dX through CSR. Measured at the op level (transposes at
     * the boundary included, 1024 tokens, the GPT's layer shapes; bench LinearCrossoverBench, BENCHMARKS.md): CSR
     * ties the dense GEMM at 1/8 and wins 1.1–1.4× from 1/16 down; above 1/8 dense wins.
     */
    public static final double DEFAULT_SPARSE_BELOW = 0.12;

    /**
     * Row densities of dY at or below which a linear layer's backward runs its dense products (dW = dYᵀ·X, and dX = dY·W
     * when W is not on the CSR path) as CSR products over dY's nonzeros, by the width of the product's dense operand
     * (X or W, {@code in} wide). AbsTopK after every sparse layer leaves at most a quarter of each gradient row nonzero.
     * Measured at 1024 tokens, 2 threads (bench RowSparseCrossoverBench, BENCHMARKS.md): at density 1/4 the row-sparse
     * product wins only against a 2048-wide operand (1.3×) and ties at 512; at 1/8 it wins 1.4–2.2× from 512 wide,
     * and at 256 wide only below that. The choice depends on the data and shapes alone, never on a timing, so a run
     * stays deterministic and resumes bit-exactly.
     */
    public static final double ROW_SPARSE_BELOW_2048 = 0.3;
    /** The same for a dense operand 512 to 2047 wide. */
    public static final double ROW_SPARSE_BELOW_512 = 0.15;
    /** The same for a narrower dense operand. */
    public static final double ROW_SPARSE_BELOW_NARROW = 0.1;

    private final Kernels k;
    private final Tape tape;
    private final boolean records;
    private double sparseBelow = DEFAULT_SPARSE_BELOW;
    private boolean patternGradients;
    private boolean regrowth;
    /** Floats of one tile of a streamed dense gradient (4 MB): the regrowth pass never holds a whole ∂W. */
    private static final int REGROWTH_TILE_FLOATS = 1 << 20;

    public Ops(Kernels kernels, Tape tape) {
        this(kernels, tape, true);
    }

    private Ops(Kernels kernels, Tape tape, boolean records) {
        this.k = kernels;
        this.tape = tape;
        this.records = records;
    }

    /**
     * Ops that record nothing (evaluation, tracing) but take every output and scratch array from their own pool (a
     * recycling tape, {@link #tape()}): a frozen model evaluated many times (bisection, ablation deltas) then allocates
     * nothing per pass. Call {@link #recycle()} after each pass, once its results are copied out.
     */
    public static Ops inference(Kernels kernels) {
        return new Ops(kernels, new Tape(true), false);
    }

    /** For {@link #inference} ops: returns every array taken since the last call to the pool (the tensors made since must not be used). */
    public void recycle() {
        if (!records) tape.clear();
    }

    public Kernels kernels() {
        return k;
    }

    /** The tape ops record to, or null when nothing is recorded. */
    public Tape tape() {
        return tape;
    }

    /** Sets the CSR/dense crossover density (0 forces dense GEMM, anything above 1 forces CSR). Returns this. */
    public Ops sparseBelow(double density) {
        this.sparseBelow = density;
        return this;
    }

    /**
     * Whether this pass is a regrowth step of the scalable recipe: each held weight's backward also streams its dense
     * gradient and offers its parameter the top candidates ({@link GradientCandidates}).
     */
    public Ops regrowth(boolean on) {
        this.regrowth = on;
        return this;
    }

    /**
     * Pattern-only weight gradients: when true, dW of a sparse weight that runs through CSR is computed only on
     * its kept entries (SDDMM) instead of the dense product, so pruned weights get no gradient and cannot regrow
     * on that step. Off by default (the paper's recipe needs the dense dW).
     */
    public Ops patternGradients(boolean on) {
        this.patternGradients = on;
        return this;
    }

    // ================================================================== recording an op defined elsewhere
    //
    // The rules below use the first three; an op kept in another module uses all four, so it takes the same pooled
    // arrays and costs and computes exactly what it would in this file:
    //
    //     boolean rec = ops.recording(x);                 // nothing to record: no tape, or no input needs a gradient
    //     Tensor y = ops.output(rec, x.shape());          // the forward writes every element of y
    //     ... forward into y.data() ...
    //     if (!rec) return y;
    //     return ops.record("myOp", y, () -> { ... += into x.grad() when x.needsGrad() ... }, x);

    /**
     * Whether an op on these inputs is recorded: this Ops has a tape it records to and some input (nulls are skipped)
     * requires a gradient. Pass the answer to {@link #output} and call {@link #record} only when it is true.
     */
    public boolean recording(Tensor... inputs) {
        if (tape == null || !records) return false;
        for (Tensor t : inputs) if (t != null && t.requiresGrad()) return true;
        return false;
    }

    /**
     * A new op's output of this shape, requiring a gradient when {@code recorded}. On a recycling tape the array is
     * pooled and not zeroed: the op must write every element.
     */
    public Tensor output(boolean recorded, int... shape) {
        if (tape == null || !tape.recycles()) return Tensor.result(recorded, shape);
        long n = 1;
        for (int s : shape) n *= s;
        Tensor t = new Tensor(tape.floats(Math.toIntExact(n), false), recorded, null, shape); // every op writes all of its output
        t.owner = tape;
        return t;
    }

    /**
     * Scratch that lives until the tape is cleared (pooled on a recycling tape, not zeroed: every use overwrites
     * it, or accumulates a gradient nobody reads).
     */
    public float[] scratch(int n) {
        return tape == null ? new float[n] : tape.floats(n, false);
    }

    /**
     * Records op {@code op} on the tape: {@code y} (made by {@link #output} with {@code recorded} true) from
     * {@code inputs} (nulls are skipped), with its backward {@code rule}, which reads {@code y.grad()} and accumulates
     * ({@code +=}) into each input that {@link Tensor#needsGrad()}. Returns y. The name groups the op in
     * {@link Tape#profile()} and error messages.
     */
    public Tensor record(String op, Tensor y, Tape.Rule rule, Tensor... inputs) {
        if (!recording(inputs) || !y.requiresGrad()) {
            throw new IllegalStateException("record '" + op + "': nothing to record (ask recording(inputs) first, and make the output with output(true, ...))");
        }
        if (rule == null) throw new IllegalArgumentException("record '" + op + "': a recorded op needs a backward rule");
        return Tensors.record(tape, op, y, rule, inputs);
    }

    private static int[] withCols(Tensor x, int cols) {
        int[] s = x.shape();
        s[s.length - 1] = cols;
        return s;
    }

    private static void sameShape(String op, Tensor a, Tensor b) {
        if (!Arrays.equals(a.shape(), b.shape())) {
            throw new IllegalArgumentException(op + ": shapes differ: " + Arrays.toString(a.shape()) + " vs " + Arrays.toString(b.shape()));
        }
    }

    // ================================================================== elementwise

    /** a + b (same shape). ∂a = ∂b = dy. */
    public Tensor add(Tensor a, Tensor b) {
        sameShape("add", a, b);
        boolean rec = recording(a, b);
        Tensor y = output(rec, a.shape());
        float[] ad = a.data(), bd = b.data(), yd = y.data();
        for (int i = 0; i < yd.length; i++) yd[i] = ad[i] + bd[i];
        if (!rec) return y;
        return Tensors.record(tape, "add", y, () -> {
            if (a.needsGrad()) k.axpy(yd.length, 1f, y.grad(), 0, a.grad(), 0);
            if (b.needsGrad()) k.axpy(yd.length, 1f, y.grad(), 0, b.grad(), 0);
        }, a, b);
    }

    /** a − b. ∂a = dy, ∂b = −dy. */
    public Tensor sub(Tensor a, Tensor b) {
        sameShape("sub", a, b);
        boolean rec = recording(a, b);
        Tensor y = output(rec, a.shape());
        float[] ad = a.data(), bd = b.data(), yd = y.data();
        for (int i = 0; i < yd.length; i++) yd[i] = ad[i] - bd[i];
        if (!rec) return y;
        return Tensors.record(tape, "sub", y, () -> {
            if (a.needsGrad()) k.axpy(yd.length, 1f, y.grad(), 0, a.grad(), 0);
            if (b.needsGrad()) k.axpy(yd.length, -1f, y.grad(), 0, b.grad(), 0);
        }, a, b);
    }

    /** a ⊙ b. ∂a = dy ⊙ b, ∂b = dy ⊙ a. */
    public Tensor mul(Tensor a, Tensor b) {
        sameShape("mul", a, b);
        boolean rec = recording(a, b);
        Tensor y = output(rec, a.shape());
        float[] ad = a.data(), bd = b.data(), yd = y.data();
        for (int i = 0; i < yd.length; i++) yd[i] = ad[i] * bd[i];
        if (!rec) return y;
        return Tensors.record(tape, "mul", y, () -> {
            float[] g = y.grad();
            if (a.needsGrad()) { float[] ga = a.grad(); for (int i = 0; i < g.length; i++) ga[i] += g[i] * bd[i]; }
            if (b.needsGrad()) { float[] gb = b.grad(); for (int i = 0; i < g.length; i++) gb[i] += g[i] * ad[i]; }
        }, a, b);
    }

    /** c·x. ∂x = c·dy. */
    public Tensor scale(Tensor x, float c) {
        boolean rec = recording(x);
        Tensor y = output(rec, x.shape());
        float[] xd = x.data(), yd = y.data();
        for (int i = 0; i < yd.length; i++) yd[i] = c * xd[i];
        if (!rec) return y;
        return Tensors.record(tape, "scale", y, () -> k.axpy(yd.length, c, y.grad(), 0, x.grad(), 0), x);
    }

    /** x[r, c] + v[c] for every row. ∂x = dy, ∂v = Σ_rows dy. */
    public Tensor addRowVector(Tensor x, Tensor v) {
        if (v.numel() != x.cols()) {
            throw new IllegalArgumentException("addRowVector: vector has " + v.numel() + " elements, rows have " + x.cols());
        }
        boolean rec = recording(x, v);
        Tensor y = output(rec, x.shape());
        int rows = x.rows(), cols = x.cols();
        float[] xd = x.data(), vd = v.data(), yd = y.data();
        for (int r = 0; r < rows; r++) {
            int o = r * cols;
            for (int c = 0; c < cols; c++) yd[o + c] = xd[o + c] + vd[c];
        }
        if (!rec) return y;
        return Tensors.record(tape, "addRowVector", y, () -> {
            if (x.needsGrad()) k.axpy(yd.length, 1f, y.grad(), 0, x.grad(), 0);
            if (v.needsGrad()) Tensors.addColumnSums(rows, cols, y.grad(), v.grad());
        }, x, v);
    }

    /** Σ x as a one-element tensor (summed in double). ∂x = dy broadcast. */
    public Tensor sum(Tensor x) {
        boolean rec = recording(x);
        Tensor y = output(rec, 1);
        double s = 0;
        for (float f : x.data()) s += f;
        y.data()[0] = (float) s;
        if (!rec) return y;
        return Tensors.record(tape, "sum", y, () -> {
            float g = y.grad()[0];
            float[] gx = x.grad();
            for (int i = 0; i < gx.length; i++) gx[i] += g;
        }, x);
    }

    /** Mean of x as a one-element tensor. */
    public Tensor mean(Tensor x) {
        return scale(sum(x), 1f / Math.max(1, x.numel()));
    }

    /** The same data under another shape (same element count). ∂x += dy. */
    public Tensor view(Tensor x, int... shape) {
        boolean rec = recording(x);
        Tensor y = new Tensor(x.data(), rec, null, shape);
        if (tape != null && tape.recycles()) y.owner = tape;
        if (!rec) return y;
        return Tensors.record(tape, "view", y, () -> k.axpy(x.numel(), 1f, y.grad(), 0, x.grad(), 0), x);
    }

    /** Columns [from, to) of every row, copied. ∂x[:, from:to] += dy. */
    public Tensor columns(Tensor x, int from, int to) {
        if (from < 0 || to > x.cols() || from > to) {
            throw new IllegalArgumentException("columns [" + from + ", " + to + ") outside [0, " + x.cols() + ")");
        }
        boolean rec = recording(x);
        int w = to - from, rows = x.rows(), cols = x.cols();
        Tensor y = output(rec, withCols(x, w));
        float[] xd = x.data(), yd = y.data();
        for (int r = 0; r < rows; r++) System.arraycopy(xd, r * cols + from, yd, r * w, w);
        if (!rec) return y;
        return Tensors.record(tape, "columns", y, () -> {
            float[] g = y.grad(), gx = x.grad();
            for (int r = 0; r < rows; r++) k.axpy(w, 1f, g, r * w, gx, r * cols + from);
        }, x);
    }

    // ================================================================== fused layers

    /**
     * y[N × out] = x[N × in] · Wᵀ + b, W {@code [out × in]}, all token-major. A sparse parameter whose density is below
     * the crossover runs forward and dX through its CSR pattern ({@link Kernels#sparseLinear}: tiles of tokens turned
     * feature-major in cache, no whole-matrix transpose), with the bias in the output loop; otherwise dense GEMM. dW is always the dense product dYᵀ·X
     * (regrowth needs it), unless pattern gradients are on. ∂x = dy·W, ∂W = dyᵀ·x, ∂b = Σ_rows dy.
     */
    public Tensor linear(Tensor x, Tensor w, Tensor b) {
        if (w.rank() != 2 || w.dim(1) != x.cols()) {
            throw new IllegalArgumentException("linear: weight " + Arrays.toString(w.shape()) + " does not take inputs of width " + x.cols());
        }
        int n = x.rows(), in = x.cols(), outF = w.dim(0);
        if (b != null && b.numel() != outF) {
            throw new IllegalArgumentException("linear: bias has " + b.numel() + " elements, weight has " + outF + " outputs");
        }
        boolean rec = recording(x, w, b);
        Tensor y = output(rec, withCols(x, outF));
        float[] yd = y.data();
        Parameter p = w.parameter();
        // a held weight (the scalable recipe) has no dense values: always its CSR matrix
        CsrMatrix csr = p != null && p.isSparse() && (p.isHeld() || p.density() < sparseBelow) ? p.csr() : null;
        if (csr != null) {
            k.sparseLinear(n, x.data(), 0, csr, b == null ? null : b.data(), 0, yd, 0);
        } else {
            k.gemmABt(n, outF, in, x.data(), 0, w.data(), 0, yd, 0, false);
            if (b != null) {
                float[] bd = b.data();
                for (int r = 0, o = 0; r < n; r++, o += outF) {
                    for (int c = 0; c < outF; c++) yd[o + c] += bd[c];
                }
            }
        }
        if (!rec) return y;
        final boolean patternOnly = patternGradients && csr != null;
        return Tensors.record(tape, csr != null ? "linear(csr)" : "linear", y, () -> {
            float[] dy = y.grad();
            // AbsTopK after the layer leaves most of each gradient row zero; one count of dY's nonzeros decides whether
            // the dense products (their dense operands are both `in` wide) run over them instead
            boolean denseDx = x.needsGrad() && csr == null, denseDw = w.needsGrad() && !patternOnly && (p == null || !p.isHeld());
            int[] dyRowPtr = denseDx || denseDw ? rowPointers(n, outF, dy) : null;
            boolean rowSparse = dyRowPtr != null && dyRowPtr[n] <= rowSparseLimit(in) * n * outF;
            if (x.needsGrad()) {
                if (csr != null) {
                    k.sparseLinearBackward(n, dy, 0, csr, x.grad(), 0);
                } else if (rowSparse) {
                    k.spmm(compressed(n, outF, dy, dyRowPtr), w.data(), 0, in, x.grad(), 0, true); // dY [N × out] over its nonzeros
                } else {
                    k.gemmAB(n, in, outF, dy, 0, w.data(), 0, x.grad(), 0, true);
                }
            }
            if (w.needsGrad() && p != null && p.isHeld()) { // ∂W of the held entries, in their order; every N steps also new candidates
                k.sddmm(csr, transposed(n, outF, dy), 0, transposed(n, in, x.data()), 0, n, p.held().grad(), 0, true);
                if (regrowth) {
                    int[] kept = p.held().keptFlat();
                    GradientCandidates.Candidates c = GradientCandidates.select(k, n, outF, in, dy, 0, x.data(), 0, kept, kept.length,
                            p.candidateCount(), Math.max(1, REGROWTH_TILE_FLOATS / in));
                    p.offerCandidates(c.index(), c.sumSquares());
                }
            } else if (w.needsGrad()) {
                if (patternOnly) {
                    float[] vals = scratch(csr.nnz());
                    k.sddmm(csr, transposed(n, outF, dy), 0, transposed(n, in, x.data()), 0, n, vals, 0, false); // feature-major
                    Tensors.scatterAdd(csr, vals, w.grad());
                } else if (rowSparse) {
                    float[] dyT = transposed(n, outF, dy);
                    CsrMatrix dyCols = compressed(outF, n, dyT, rowPointers(outF, n, dyT)); // dYᵀ [out × N] over its nonzeros
                    k.spmm(dyCols, x.data(), 0, in, w.grad(), 0, true);
                } else {
                    k.gemmAtB(outF, in, n, dy, 0, x.data(), 0, w.grad(), 0, true);
                }
            }
            if (b != null && b.needsGrad()) Tensors.addColumnSums(n, outF, dy, b.grad());
        }, x, w, b);
    }

    /** The row-density limit for a row-sparse product whose dense operand is {@code width} wide. */
    private static double rowSparseLimit(int width) {
        return width >= 2048 ? ROW_SPARSE_BELOW_2048 : width >= 512 ? ROW_SPARSE_BELOW_512 : ROW_SPARSE_BELOW_NARROW;
    }

    /** {@code a[rows × cols]} transposed into scratch {@code [cols × rows]}. */
    private float[] transposed(int rows, int cols, float[] a) {
        float[] t = scratch(rows * cols);
        k.transpose(rows, cols, a, 0, t, 0, false);
        return t;
    }

    /** The CSR row pointer of a dense {@code a[rows × cols]} (its nonzero count at {@code [rows]}). */
    private int[] rowPointers(int rows, int cols, float[] a) {
        int[] rowPtr = tape == null ? new int[rows + 1] : tape.ints(rows + 1, false);
        k.csrRowPointers(rows, cols, a, 0, rowPtr);
        return rowPtr;
    }

    /**
     * The CSR of a dense {@code a[rows × cols]} with the row pointer of {@link #rowPointers}. On a recycling tape the
     * index and value arrays are taken at full size, so the same arrays come back step after step.
     */
    private CsrMatrix compressed(int rows, int cols, float[] a, int[] rowPtr) {
        int cap = tape == null ? Math.max(1, rowPtr[rows]) : rows * cols;
        int[] col = tape == null ? new int[cap] : tape.ints(cap, false);
        float[] val = scratch(cap);
        k.csrFill(rows, cols, a, 0, rowPtr, col, val);
        return CsrMatrix.of(rows, cols, rowPtr, col, val);
    }

    /** RMSNorm per row with gain (SPEC §1.1: ε = float32 machine epsilon). Fused rule from the kernel. */
    public Tensor rmsNorm(Tensor x, Tensor gain, float eps) {
        if (gain.numel() != x.cols()) {
            throw new IllegalArgumentException("rmsNorm: gain has " + gain.numel() + " elements, rows have " + x.cols());
        }
        boolean rec = recording(x, gain);
        int rows = x.rows(), d = x.cols();
        Tensor y = output(rec, x.shape());
        float[] rstd = scratch(rows);
        k.rmsNormForward(rows, d, x.data(), 0, gain.data(), 0, eps, y.data(), 0, rstd, 0);
        if (!rec) return y;
        return Tensors.record(tape, "rmsNorm", y, () -> {
            float[] dx = x.needsGrad() ? x.grad() : scratch(x.numel());
            float[] dg = gain.needsGrad() ? gain.grad() : scratch(d);
            k.rmsNormBackward(rows, d, x.data(), 0, gain.data(), 0, rstd, 0, y.grad(), 0, dx, 0, dg, 0);
        }, x, gain);
    }

    /** Exact-erf GELU. */
    public Tensor gelu(Tensor x) {
        boolean rec = recording(x);
        Tensor y = output(rec, x.shape());
        k.geluForward(x.numel(), x.data(), 0, y.data(), 0);
        if (!rec) return y;
        return Tensors.record(tape, "gelu", y, () -> k.geluBackward(x.numel(), x.data(), 0, y.grad(), 0, x.grad(), 0), x);
    }

    /** Softmax along each row. */
    public Tensor softmax(Tensor x) {
        boolean rec = recording(x);
        Tensor y = output(rec, x.shape());
        k.softmaxForward(x.rows(), x.cols(), x.data(), 0, y.data(), 0);
        if (!rec) return y;
        return Tensors.record(tape, "softmax", y,
                () -> k.softmaxBackward(x.rows(), x.cols(), y.data(), 0, y.grad(), 0, x.grad(), 0), x);
    }

    /**
     * AbsTopK along channels: each row keeps its {@code keep} entries of largest |x| (SPEC §1.5). With keep ≥
     * cols it is the identity (no copy is made, nothing recorded). The gradient flows to kept entries only.
     */
    public Tensor absTopK(Tensor x, int keep) {
        int rows = x.rows(), d = x.cols();
        if (keep < 0) throw new IllegalArgumentException("absTopK: keep must be ≥ 0, got " + keep);
        if (keep >= d) return x;
        boolean rec = recording(x);
        Tensor y = output(rec, x.shape());
        int[] kept = !rec ? null : tape.recycles() ? tape.ints(rows * keep, false) : new int[rows * keep]; // no backward: no indices
        k.absTopKForward(rows, d, keep, x.data(), 0, y.data(), 0, kept, 0);
        if (!rec) return y;
        return Tensors.record(tape, "absTopK", y, () -> {
            if (x.hasGrad()) k.absTopKBackward(rows, d, keep, kept, 0, y.grad(), 0, x.grad(), 0);
            else k.absTopKBackwardOverwrite(rows, d, keep, kept, 0, y.grad(), 0, x.gradToOverwrite(), 0); // no zeroing pass first
        }, x);
    }

    /**
     * Causal multi-head attention with an optional per-head sink logit. q, k, v are
     * {@code [batch, tokens, heads·dHead]}; the result has the same shape. Fused rule from the kernel.
     */
    public Tensor attention(Tensor q, Tensor kk, Tensor v, Tensor sink, int batch, int tokens, int heads, int dHead) {
        int width = heads * dHead;
        for (Tensor t : new Tensor[] {q, kk, v}) {
            if (t.cols() != width || t.rows() != batch * tokens) {
                throw new IllegalArgumentException("attention: expected [" + batch + ", " + tokens + ", " + width + "], got " + Arrays.toString(t.shape()));
            }
        }
        if (sink != null && sink.numel() != heads) {
            throw new IllegalArgumentException("attention: sink has " + sink.numel() + " logits for " + heads + " heads");
        }
        boolean rec = recording(q, kk, v, sink);
        Tensor y = output(rec, q.shape());
        float[] probs = scratch(batch * heads * tokens * tokens);
        float[] s = sink == null ? null : sink.data();
        k.attentionForward(batch, tokens, heads, dHead, width, q.data(), 0, kk.data(), 0, v.data(), 0, s, 0, probs, 0, y.data(), 0);
        if (!rec) return y;
        return Tensors.record(tape, "attention", y, () -> {
            float[] dq = q.needsGrad() ? q.grad() : scratch(q.numel());
            float[] dk = kk.needsGrad() ? kk.grad() : scratch(kk.numel());
            float[] dv = v.needsGrad() ? v.grad() : scratch(v.numel());
            float[] ds = sink == null ? null : sink.needsGrad() ? sink.grad() : scratch(heads);
            k.attentionBackward(batch, tokens, heads, dHead, width, q.data(), 0, kk.data(), 0, v.data(), 0, s, 0, probs, 0,
                    y.grad(), 0, dq, 0, dk, 0, dv, 0, ds, 0);
        }, q, kk, v, sink);
    }

    // ================================================================== token lookups and the loss

    /** Rows of table {@code [V × d]} picked by token ids: {@code [tokens.length × d]}. ∂table[id] += dy row. */
    public Tensor embedding(Tensor table, int[] tokens) {
        int vocab = table.rows(), d = table.cols();
        checkTokens("embedding", tokens, vocab);
        if (table.held()) return heldEmbedding(table, tokens);
        boolean rec = recording(table);
        Tensor y = output(rec, tokens.length, d);
        float[] td = table.data(), yd = y.data();
        for (int i = 0; i < tokens.length; i++) System.arraycopy(td, tokens[i] * d, yd, i * d, d);
        if (!rec) return y;
        return Tensors.record(tape, "embedding", y, () -> {
            float[] g = y.grad(), gt = table.grad();
            for (int i = 0; i < tokens.length; i++) k.axpy(d, 1f, g, i * d, gt, tokens[i] * d); // in order: deterministic
        }, table);
    }

    /**
     * {@link #embedding} of a held table (the scalable recipe): rows read from its held entries; backward adds each
     * token's gradient to the held entries of its row, and on a regrowth step offers the top of the rows' dense
     * gradient (only rows of tokens in the batch have one) as candidates.
     */
    private Tensor heldEmbedding(Tensor table, int[] tokens) {
        Parameter p = table.parameter();
        CsrMatrix csr = p.held().csr();
        int d = table.cols();
        int[] rowPtr = csr.rowPtr(), colIdx = csr.colIdx();
        boolean rec = recording(table);
        Tensor y = output(rec, tokens.length, d);
        float[] values = csr.values(), yd = y.data();
        Arrays.fill(yd, 0f); // every op writes all of its output (a recycled one is not zeroed): the rows are sparse
        for (int i = 0; i < tokens.length; i++) {
            for (int q = rowPtr[tokens[i]]; q < rowPtr[tokens[i] + 1]; q++) yd[i * d + colIdx[q]] = values[q];
        }
        if (!rec) return y;
        return Tensors.record(tape, "embedding(held)", y, () -> {
            float[] g = y.grad(), heldGrad = p.held().grad();
            for (int i = 0; i < tokens.length; i++) { // in token order: deterministic
                for (int q = rowPtr[tokens[i]]; q < rowPtr[tokens[i] + 1]; q++) heldGrad[q] += g[i * d + colIdx[q]];
            }
            if (regrowth) {
                int[] rows = Arrays.stream(tokens).distinct().sorted().toArray();
                float[] rowGrad = new float[rows.length * d];
                for (int i = 0; i < tokens.length; i++) {
                    k.axpy(d, 1f, g, i * d, rowGrad, Arrays.binarySearch(rows, tokens[i]) * d);
                }
                int[] kept = p.held().keptFlat();
                GradientCandidates.Candidates c = GradientCandidates.selectFromRows(rows, rowGrad, d, kept, kept.length, p.candidateCount());
                p.offerCandidates(c.index(), c.sumSquares());
            }
        }, table);
    }

    /** x[i] + table[tokens[i]] per row (the bigram table added to the logits). ∂x = dy, ∂table[id] += dy row. */
    public Tensor addRows(Tensor x, Tensor table, int[] tokens) {
        int d = x.cols();
        if (table.cols() != d || tokens.length != x.rows()) {
            throw new IllegalArgumentException("addRows: table " + Arrays.toString(table.shape()) + ", " + tokens.length
                    + " tokens, x " + Arrays.toString(x.shape()));
        }
        checkTokens("addRows", tokens, table.rows());
        boolean rec = recording(x, table);
        Tensor y = output(rec, x.shape());
        float[] xd = x.data(), td = table.data(), yd = y.data();
        for (int i = 0; i < tokens.length; i++) {
            int o = i * d, t = tokens[i] * d;
            for (int c = 0; c < d; c++) yd[o + c] = xd[o + c] + td[t + c];
        }
        if (!rec) return y;
        return Tensors.record(tape, "addRows", y, () -> {
            float[] g = y.grad();
            if (x.needsGrad()) k.axpy(g.length, 1f, g, 0, x.grad(), 0);
            if (table.needsGrad()) {
                float[] gt = table.grad();
                for (int i = 0; i < tokens.length; i++) k.axpy(d, 1f, g, i * d, gt, tokens[i] * d);
            }
        }, x, table);
    }

    /**
     * Mean cross-entropy of logits {@code [N × V]} against targets (a negative target is ignored), as a
     * one-element tensor. Fused softmax + CE rule: ∂logits = (softmax − onehot) · dy / count.
     */
    public Tensor crossEntropy(Tensor logits, int[] targets) {
        int rows = logits.rows(), vocab = logits.cols();
        if (targets.length != rows) {
            throw new IllegalArgumentException("crossEntropy: " + targets.length + " targets for " + rows + " rows");
        }
        int count = 0;
        for (int t : targets) {
            if (t >= vocab) throw new IllegalArgumentException("crossEntropy: target " + t + " outside the vocabulary of " + vocab);
            if (t >= 0) count++;
        }
        boolean rec = recording(logits);
        Tensor y = output(rec, 1);
        float[] losses = scratch(rows);
        double total = k.crossEntropyForward(rows, vocab, logits.data(), 0, targets, 0, losses, 0);
        int c = Math.max(1, count);
        y.data()[0] = (float) (total / c);
        if (!rec) return y;
        return Tensors.record(tape, "crossEntropy", y, () -> k.crossEntropyBackward(rows, vocab, logits.data(), 0, targets, 0,
                y.grad()[0] / c, logits.grad(), 0), logits);
    }

    /** The last position of every sequence: {@code [B, T, C] → [B, C]}. ∂x[b, T−1] += dy[b]. */
    public Tensor lastRows(Tensor x) {
        if (x.rank() != 3) throw new IllegalArgumentException("lastRows: expected [batch, tokens, channels], got " + Arrays.toString(x.shape()));
        int b = x.dim(0), t = x.dim(1), c = x.dim(2);
        boolean rec = recording(x);
        Tensor y = output(rec, b, c);
        float[] xd = x.data(), yd = y.data();
        for (int i = 0; i < b; i++) System.arraycopy(xd, ((i + 1) * t - 1) * c, yd, i * c, c);
        if (!rec) return y;
        return Tensors.record(tape, "lastRows", y, () -> {
            float[] g = y.grad(), gx = x.grad();
            for (int i = 0; i < b; i++) k.axpy(c, 1f, g, i * c, gx, ((i + 1) * t - 1) * c);
        }, x);
    }

    private static void checkTokens(String op, int[] tokens, int vocab) {
        for (int i = 0; i < tokens.length; i++) {
            if (tokens[i] < 0 || tokens[i] >= vocab) {
                throw new IllegalArgumentException(op + ": token " + tokens[i] + " at position " + i + " outside the vocabulary of " + vocab);
            }
        }
    }
}
