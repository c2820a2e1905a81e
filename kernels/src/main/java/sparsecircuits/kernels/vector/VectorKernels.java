package sparsecircuits.kernels.vector;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;
import sparsecircuits.kernels.Gelu;
import sparsecircuits.kernels.KernelImplementation;
import sparsecircuits.kernels.ScalarKernels;
import sparsecircuits.kernels.ThreadScratch;
import sparsecircuits.kernels.WorkerPool;
import sparsecircuits.kernels.sparse.CsrMatrix;
import sparsecircuits.kernels.sums.InOrder;

/**
 * Kernels on the incubating Vector API, preferred species (512-bit on AVX-512 machines, narrower under
 * {@code -XX:MaxVectorSize}). The only class family that names {@code jdk.incubator.vector}; it is
 * loaded reflectively by {@link sparsecircuits.kernels.KernelProvider}, and only ever called through
 * {@link sparsecircuits.kernels.Kernels}, which checks the arguments first: nothing here checks them again. The
 * kernels with no vector version are not here at all (they run on {@link ScalarKernels}; the list is in
 * {@link sparsecircuits.kernels.Kernels}); absTopKForward and transpose hand shapes too small for their vector loops
 * to the scalar kernel.
 *
 * <p>Determinism: every output element is computed by the same instruction sequence whatever the
 * thread split. Element-wise kernels split on {@link #BLOCK}-aligned boundaries so an element is in a
 * vector body or in the array's scalar tail independently of the number of threads; scalar tails of
 * multiply-add chains use {@link Math#fma} exactly when the vector body fuses.
 */
public final class VectorKernels implements KernelImplementation {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();
    /** Integer lanes of the same shape (magnitude bits of floats). */
    static final VectorSpecies<Integer> IS = VectorSpecies.of(int.class, S.vectorShape());
    /** Fuse multiply-adds unless {@code -Dsparsecircuits.fma=false}. */
    static final boolean FMA = !"false".equalsIgnoreCase(System.getProperty("sparsecircuits.fma", "true"));
    /** Split unit of element-wise kernels (a multiple of every species length). */
    static final int BLOCK = 1024;

    // GEMM blocking: MR×NR register tile, KC-deep panels, MC×KC block of A and KC×NC block of B.
    /** 8 rows × 2 vectors (16 accumulators) fit AVX-512's 32 registers; 6 × 2 fits 16 (AVX2, NEON). */
    static final int MR = L >= 16 ? 8 : 6;
    static final int NR = 2 * L;
    static final int KC = 256;
    static final int MC = MR * 16;
    static final int NC = NR * Math.max(1, 1024 / NR);

    /** SpMM token tile: 8 vectors of accumulators per output row segment. */
    static final int TN = 8 * L;
    /** Above this many floats of X (1 MiB, about half of L2) SpMM sweeps token tiles outermost. */
    static final long TILE_OUTER_ABOVE_FLOATS = 1L << 18;
    /**
     * SpMM copies X to the aligned token-blocked layout only when enough uses per X row (nnz / in) pay
     * for the copy: 4 when X exceeds L2 (the copy also buys locality), 12 when it fits (alignment only).
     * Measured on 512-token layers: 2 uses, in place 0.25 ms vs copied 0.47; 8 uses with X in L2, 0.24
     * vs 0.32; 8 uses with X beyond L2, 0.84 vs 0.66.
     */
    static final int PACK_MIN_USES_BEYOND_L2 = 4;
    static final int PACK_MIN_USES_IN_L2 = 12;

    private final WorkerPool pool;
    /** The scalar kernels for the shapes a vector kernel hands on (absTopKForward's narrow rows, transpose's short ones). */
    private final ScalarKernels scalar;

    public VectorKernels(WorkerPool pool) {
        this.scalar = new ScalarKernels(pool); // rejects a null pool
        this.pool = pool;
    }

    @Override
    public String name() {
        return "vector";
    }

    @Override
    public int vectorBitSize() {
        return S.vectorBitSize();
    }

    @Override
    public boolean usesFma() {
        return FMA;
    }

    @Override
    public WorkerPool pool() {
        return pool;
    }

    /**
     * out[oi, oi+L) = Σ_j p[pi+j] · v[vb + j·ld, +L) for one head of width L, four FMA chains in a fixed order. A method of
     * its own: inside attentionForward's body C2 stopped inlining the vector calls and fell back to boxed vectors.
     */
    private static void pvRow(float[] p, int pi, int len, float[] v, int vb, int ld, float[] out, int oi) {
        FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
        int j = 0;
        for (; j + 4 <= len; j += 4) {
            a0 = madd(FloatVector.broadcast(S, p[pi + j]), FloatVector.fromArray(S, v, vb + j * ld), a0);
            a1 = madd(FloatVector.broadcast(S, p[pi + j + 1]), FloatVector.fromArray(S, v, vb + (j + 1) * ld), a1);
            a2 = madd(FloatVector.broadcast(S, p[pi + j + 2]), FloatVector.fromArray(S, v, vb + (j + 2) * ld), a2);
            a3 = madd(FloatVector.broadcast(S, p[pi + j + 3]), FloatVector.fromArray(S, v, vb + (j + 3) * ld), a3);
        }
        for (; j < len; j++) a0 = madd(FloatVector.broadcast(S, p[pi + j]), FloatVector.fromArray(S, v, vb + j * ld), a0);
        a0.add(a1).add(a2.add(a3)).intoArray(out, oi);
    }

    private static FloatVector madd(FloatVector a, FloatVector b, FloatVector c) {
        return FMA ? a.fma(b, c) : a.mul(b).add(c);
    }

    private static float madd(float a, float b, float c) {
        return FMA ? Math.fma(a, b, c) : a * b + c;
    }


    // ------------------------------------------------------------------ deterministic reductions and exp
    //
    // The Vector API's own reduceLanes(ADD) and lanewise(EXP) give different bits before and after C2
    // compiles a loop (measured: a lane-order vs tree sum, Math.exp vs the SVML stub), which would make
    // results depend on JIT timing and so on the thread count. These are built from exact lane-wise
    // operations only (add, mul, fma, rearrange, integer bit work), so every mode gives the same bits.

    private static final VectorShuffle<Float> ROT8 = L > 8 ? VectorShuffle.iota(S, 8, 1, true) : null;
    private static final VectorShuffle<Float> ROT4 = L > 4 ? VectorShuffle.iota(S, 4, 1, true) : null;
    private static final VectorShuffle<Float> ROT2 = L > 2 ? VectorShuffle.iota(S, 2, 1, true) : null;
    private static final VectorShuffle<Float> ROT1 = L > 1 ? VectorShuffle.iota(S, 1, 1, true) : null;

    /** Σ lanes by a fixed halving tree (lane i pairs with lane i + L/2, then + L/4, ...). */
    static float sumLanes(FloatVector v) {
        if (L > 16) {
            float s = 0f;
            for (int i = 0; i < L; i++) s += v.lane(i);
            return s;
        }
        if (L > 8) v = v.add(v.rearrange(ROT8));
        if (L > 4) v = v.add(v.rearrange(ROT4));
        if (L > 2) v = v.add(v.rearrange(ROT2));
        if (L > 1) v = v.add(v.rearrange(ROT1));
        return v.lane(0);
    }

    private static final float EXP_HI = 88.0f;             // exp(88) < Float.MAX_VALUE; inputs above are clamped
    private static final float EXP_LO = -87.33654f;        // ln(Float.MIN_NORMAL); below, the result is 0
    private static final float LOG2E = 1.44269504088896341f;
    private static final float LN2_HI = 0.693359375f;      // Cody–Waite split of ln 2
    private static final float LN2_LO = -2.12194440e-4f;
    private static final float ROUND_MAGIC = 12582912f;    // 1.5·2^23: adding it rounds to an integer
    private static final int ROUND_MAGIC_BITS = Float.floatToRawIntBits(ROUND_MAGIC);

    /**
     * e^x lane-wise (relative error ~1e-7, about 1 ulp; 0 below ln(MIN_NORMAL), inputs above 88 clamped):
     * x = n·ln2 + r with |r| ≤ ln2/2, e^r by its degree-7 Taylor polynomial, 2^n put into the exponent bits.
     */
    static FloatVector exp(FloatVector x) {
        FloatVector xc = x.max(EXP_LO).min(EXP_HI);
        FloatVector t = xc.mul(LOG2E).add(ROUND_MAGIC);
        FloatVector n = t.sub(ROUND_MAGIC);
        FloatVector r = madd(n, FloatVector.broadcast(S, -LN2_HI), xc);
        r = madd(n, FloatVector.broadcast(S, -LN2_LO), r);
        FloatVector p = madd(r, FloatVector.broadcast(S, 1f / 5040f), FloatVector.broadcast(S, 1f / 720f));
        p = madd(r, p, FloatVector.broadcast(S, 1f / 120f));
        p = madd(r, p, FloatVector.broadcast(S, 1f / 24f));
        p = madd(r, p, FloatVector.broadcast(S, 1f / 6f));
        p = madd(r, p, FloatVector.broadcast(S, 0.5f));
        p = madd(r, p, FloatVector.broadcast(S, 1f));
        p = madd(r, p, FloatVector.broadcast(S, 1f));
        IntVector bits = ((IntVector) t.reinterpretAsInts()).sub(ROUND_MAGIC_BITS - 127).lanewise(VectorOperators.LSHL, 23);
        FloatVector e = p.mul(bits.reinterpretAsFloats());
        return e.blend(0f, x.compare(VectorOperators.LT, EXP_LO));
    }

    // =================================================================== dense GEMM

    private enum Form { ABT, AB, ATB }

    @Override
    public void gemmABt(int m, int n, int k, float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, boolean accumulate) {
        gemm(Form.ABT, m, n, k, a, aOff, b, bOff, c, cOff, accumulate);
    }

    @Override
    public void gemmAB(int m, int n, int k, float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, boolean accumulate) {
        gemm(Form.AB, m, n, k, a, aOff, b, bOff, c, cOff, accumulate);
    }

    @Override
    public void gemmAtB(int m, int n, int k, float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, boolean accumulate) {
        gemm(Form.ATB, m, n, k, a, aOff, b, bOff, c, cOff, accumulate);
    }

    private void gemm(Form form, int m, int n, int k, float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, boolean accumulate) {
        if (m == 0 || n == 0) {
            return;
        }
        if (k == 0) {
            if (!accumulate) java.util.Arrays.fill(c, cOff, cOff + m * n, 0f);
            return;
        }
        pool.forRange(m, (long) m * n * k, (i0, i1) -> gemmRows(form, i0, i1, m, n, k, a, aOff, b, bOff, c, cOff, accumulate));
    }

    /** C[i0:i1, :] for one worker: GotoBLAS-style loops over packed panels of B (KC×NC) and A (MC×KC). */
    private static void gemmRows(Form form, int i0, int i1, int m, int n, int k, float[] a, int aOff, float[] b, int bOff,
                                 float[] c, int cOff, boolean accumulate) {
        float[] ap = ThreadScratch.floats(0, MC * KC);
        float[] bp = ThreadScratch.alignedFloats(1, NC * KC); // B panels: whole-vector loads, keep them on lines
        int bBase = ThreadScratch.ALIGNED_OFFSET;
        float[] tile = ThreadScratch.floats(2, MR * NR);
        for (int jc = 0; jc < n; jc += NC) {
            int nc = Math.min(NC, n - jc);
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                boolean add = accumulate || pc > 0;
                packB(form, b, bOff, n, k, pc, kc, jc, nc, bp, bBase);
                for (int ic = i0; ic < i1; ic += MC) {
                    int mc = Math.min(MC, i1 - ic);
                    packA(form, a, aOff, m, k, ic, mc, pc, kc, ap);
                    for (int jr = 0; jr < nc; jr += NR) {
                        int nr = Math.min(NR, nc - jr);
                        int bo = bBase + (jr / NR) * NR * kc;
                        for (int ir = 0; ir < mc; ir += MR) {
                            int mr = Math.min(MR, mc - ir);
                            int ao = (ir / MR) * MR * kc;
                            int co = cOff + (ic + ir) * n + jc + jr;
                            if (mr == MR && nr == NR) {
                                micro(kc, ap, ao, bp, bo, c, co, n, add);
                            } else { // edge tile: the same arithmetic into a buffer, then the valid part
                                micro(kc, ap, ao, bp, bo, tile, 0, NR, false);
                                for (int r = 0; r < mr; r++) {
                                    for (int q = 0; q < nr; q++) {
                                        float v = tile[r * NR + q];
                                        int ci = co + r * n + q;
                                        c[ci] = add ? c[ci] + v : v;
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /** ap[panel][p][r] = A(ic + panel·MR + r, pc + p), rows past mc zero. */
    private static void packA(Form form, float[] a, int aOff, int m, int k, int ic, int mc, int pc, int kc, float[] ap) {
        for (int ir = 0; ir < mc; ir += MR) {
            int mr = Math.min(MR, mc - ir);
            int base = (ir / MR) * MR * kc;
            if (form == Form.ATB) { // A stored [k × m]: a row of the panel is contiguous
                for (int p = 0; p < kc; p++) {
                    int src = aOff + (pc + p) * m + ic + ir;
                    int dst = base + p * MR;
                    for (int r = 0; r < mr; r++) ap[dst + r] = a[src + r];
                    for (int r = mr; r < MR; r++) ap[dst + r] = 0f;
                }
            } else { // A stored [m × k]
                for (int r = 0; r < MR; r++) {
                    if (r < mr) {
                        int src = aOff + (ic + ir + r) * k + pc;
                        for (int p = 0; p < kc; p++) ap[base + p * MR + r] = a[src + p];
                    } else {
                        for (int p = 0; p < kc; p++) ap[base + p * MR + r] = 0f;
                    }
                }
            }
        }
    }

    /** bp[panel][p][q] = B(pc + p, jc + panel·NR + q), columns past nc zero. */
    private static void packB(Form form, float[] b, int bOff, int n, int k, int pc, int kc, int jc, int nc, float[] bp, int bBase) {
        for (int jr = 0; jr < nc; jr += NR) {
            int nr = Math.min(NR, nc - jr);
            int base = bBase + (jr / NR) * NR * kc;
            if (form == Form.ABT) { // B stored [n × k]: transpose while packing (reads in order)
                for (int q = 0; q < NR; q++) {
                    if (q < nr) {
                        int src = bOff + (jc + jr + q) * k + pc;
                        for (int p = 0; p < kc; p++) bp[base + p * NR + q] = b[src + p];
                    } else {
                        for (int p = 0; p < kc; p++) bp[base + p * NR + q] = 0f;
                    }
                }
            } else { // B stored [k × n]: rows of the panel are contiguous
                for (int p = 0; p < kc; p++) {
                    int src = bOff + (pc + p) * n + jc + jr;
                    int dst = base + p * NR;
                    if (nr == NR) {
                        System.arraycopy(b, src, bp, dst, NR);
                    } else {
                        System.arraycopy(b, src, bp, dst, nr);
                        java.util.Arrays.fill(bp, dst + nr, dst + NR, 0f);
                    }
                }
            }
        }
    }

    /**
     * The register tile: C[MR × NR] (+)= Apanel[kc × MR]ᵀ · Bpanel[kc × NR], 12 accumulators of L lanes,
     * each element a multiply-add chain over p in order (then one add into C when {@code add}).
     * No helper takes a vector argument: a call C2 does not inline would box every accumulator.
     */
    private static void micro(int kc, float[] ap, int ao, float[] bp, int bo, float[] c, int co, int ldc, boolean add) {
        if (MR == 8) {
            micro8(kc, ap, ao, bp, bo, c, co, ldc, add);
        } else {
            micro6(kc, ap, ao, bp, bo, c, co, ldc, add);
        }
    }

    private static void micro8(int kc, float[] ap, int ao, float[] bp, int bo, float[] c, int co, int ldc, boolean add) {
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
        FloatVector c40 = c00, c41 = c00, c50 = c00, c51 = c00, c60 = c00, c61 = c00, c70 = c00, c71 = c00;
        for (int p = 0; p < kc; p++, ao += 8, bo += NR) {
            FloatVector b0 = FloatVector.fromArray(S, bp, bo);
            FloatVector b1 = FloatVector.fromArray(S, bp, bo + L);
            FloatVector a = FloatVector.broadcast(S, ap[ao]);
            c00 = madd(a, b0, c00);
            c01 = madd(a, b1, c01);
            a = FloatVector.broadcast(S, ap[ao + 1]);
            c10 = madd(a, b0, c10);
            c11 = madd(a, b1, c11);
            a = FloatVector.broadcast(S, ap[ao + 2]);
            c20 = madd(a, b0, c20);
            c21 = madd(a, b1, c21);
            a = FloatVector.broadcast(S, ap[ao + 3]);
            c30 = madd(a, b0, c30);
            c31 = madd(a, b1, c31);
            a = FloatVector.broadcast(S, ap[ao + 4]);
            c40 = madd(a, b0, c40);
            c41 = madd(a, b1, c41);
            a = FloatVector.broadcast(S, ap[ao + 5]);
            c50 = madd(a, b0, c50);
            c51 = madd(a, b1, c51);
            a = FloatVector.broadcast(S, ap[ao + 6]);
            c60 = madd(a, b0, c60);
            c61 = madd(a, b1, c61);
            a = FloatVector.broadcast(S, ap[ao + 7]);
            c70 = madd(a, b0, c70);
            c71 = madd(a, b1, c71);
        }
        if (add) {
            c00 = c00.add(FloatVector.fromArray(S, c, co));
            c01 = c01.add(FloatVector.fromArray(S, c, co + L));
        }
        c00.intoArray(c, co);
        c01.intoArray(c, co + L);
        if (add) {
            c10 = c10.add(FloatVector.fromArray(S, c, co + ldc));
            c11 = c11.add(FloatVector.fromArray(S, c, co + ldc + L));
        }
        c10.intoArray(c, co + ldc);
        c11.intoArray(c, co + ldc + L);
        if (add) {
            c20 = c20.add(FloatVector.fromArray(S, c, co + 2 * ldc));
            c21 = c21.add(FloatVector.fromArray(S, c, co + 2 * ldc + L));
        }
        c20.intoArray(c, co + 2 * ldc);
        c21.intoArray(c, co + 2 * ldc + L);
        if (add) {
            c30 = c30.add(FloatVector.fromArray(S, c, co + 3 * ldc));
            c31 = c31.add(FloatVector.fromArray(S, c, co + 3 * ldc + L));
        }
        c30.intoArray(c, co + 3 * ldc);
        c31.intoArray(c, co + 3 * ldc + L);
        if (add) {
            c40 = c40.add(FloatVector.fromArray(S, c, co + 4 * ldc));
            c41 = c41.add(FloatVector.fromArray(S, c, co + 4 * ldc + L));
        }
        c40.intoArray(c, co + 4 * ldc);
        c41.intoArray(c, co + 4 * ldc + L);
        if (add) {
            c50 = c50.add(FloatVector.fromArray(S, c, co + 5 * ldc));
            c51 = c51.add(FloatVector.fromArray(S, c, co + 5 * ldc + L));
        }
        c50.intoArray(c, co + 5 * ldc);
        c51.intoArray(c, co + 5 * ldc + L);
        if (add) {
            c60 = c60.add(FloatVector.fromArray(S, c, co + 6 * ldc));
            c61 = c61.add(FloatVector.fromArray(S, c, co + 6 * ldc + L));
        }
        c60.intoArray(c, co + 6 * ldc);
        c61.intoArray(c, co + 6 * ldc + L);
        if (add) {
            c70 = c70.add(FloatVector.fromArray(S, c, co + 7 * ldc));
            c71 = c71.add(FloatVector.fromArray(S, c, co + 7 * ldc + L));
        }
        c70.intoArray(c, co + 7 * ldc);
        c71.intoArray(c, co + 7 * ldc + L);
    }

    private static void micro6(int kc, float[] ap, int ao, float[] bp, int bo, float[] c, int co, int ldc, boolean add) {
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
        FloatVector c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
        for (int p = 0; p < kc; p++, ao += MR, bo += NR) {
            FloatVector b0 = FloatVector.fromArray(S, bp, bo);
            FloatVector b1 = FloatVector.fromArray(S, bp, bo + L);
            FloatVector a0 = FloatVector.broadcast(S, ap[ao]);
            c00 = madd(a0, b0, c00);
            c01 = madd(a0, b1, c01);
            FloatVector a1 = FloatVector.broadcast(S, ap[ao + 1]);
            c10 = madd(a1, b0, c10);
            c11 = madd(a1, b1, c11);
            FloatVector a2 = FloatVector.broadcast(S, ap[ao + 2]);
            c20 = madd(a2, b0, c20);
            c21 = madd(a2, b1, c21);
            FloatVector a3 = FloatVector.broadcast(S, ap[ao + 3]);
            c30 = madd(a3, b0, c30);
            c31 = madd(a3, b1, c31);
            FloatVector a4 = FloatVector.broadcast(S, ap[ao + 4]);
            c40 = madd(a4, b0, c40);
            c41 = madd(a4, b1, c41);
            FloatVector a5 = FloatVector.broadcast(S, ap[ao + 5]);
            c50 = madd(a5, b0, c50);
            c51 = madd(a5, b1, c51);
        }
        if (add) {
            c00 = c00.add(FloatVector.fromArray(S, c, co));
            c01 = c01.add(FloatVector.fromArray(S, c, co + L));
        }
        c00.intoArray(c, co);
        c01.intoArray(c, co + L);
        if (add) {
            c10 = c10.add(FloatVector.fromArray(S, c, co + ldc));
            c11 = c11.add(FloatVector.fromArray(S, c, co + ldc + L));
        }
        c10.intoArray(c, co + ldc);
        c11.intoArray(c, co + ldc + L);
        if (add) {
            c20 = c20.add(FloatVector.fromArray(S, c, co + 2 * ldc));
            c21 = c21.add(FloatVector.fromArray(S, c, co + 2 * ldc + L));
        }
        c20.intoArray(c, co + 2 * ldc);
        c21.intoArray(c, co + 2 * ldc + L);
        if (add) {
            c30 = c30.add(FloatVector.fromArray(S, c, co + 3 * ldc));
            c31 = c31.add(FloatVector.fromArray(S, c, co + 3 * ldc + L));
        }
        c30.intoArray(c, co + 3 * ldc);
        c31.intoArray(c, co + 3 * ldc + L);
        if (add) {
            c40 = c40.add(FloatVector.fromArray(S, c, co + 4 * ldc));
            c41 = c41.add(FloatVector.fromArray(S, c, co + 4 * ldc + L));
        }
        c40.intoArray(c, co + 4 * ldc);
        c41.intoArray(c, co + 4 * ldc + L);
        if (add) {
            c50 = c50.add(FloatVector.fromArray(S, c, co + 5 * ldc));
            c51 = c51.add(FloatVector.fromArray(S, c, co + 5 * ldc + L));
        }
        c50.intoArray(c, co + 5 * ldc);
        c51.intoArray(c, co + 5 * ldc + L);
    }

    // =================================================================== sparse

    @Override
    public void spmm(CsrMatrix w, float[] x, int xOff, int n, float[] y, int yOff, boolean accumulate) {
        csr(w.rows(), w.cols(), w.rowPtr(), w.colIdx(), null, w.values(), x, xOff, n, y, yOff, accumulate);
    }

    @Override
    public void spmmTransposed(CsrMatrix w, float[] dy, int dyOff, int n, float[] dx, int dxOff, boolean accumulate) {
        CsrMatrix.Transpose t = w.transposePattern();
        csr(w.cols(), w.rows(), t.rowPtr, t.colIdx, t.perm, w.values(), dy, dyOff, n, dx, dxOff, accumulate);
    }

    /**
     * Token-major at the API, feature-major inside: each tile of L tokens is turned into {@code [in × L]} in scratch
     * (it stays in L1/L2, unlike a whole-matrix transpose), every output row is one vector FMA chain over its
     * pattern row in column order (bias first, as the scalar kernel sums), and the {@code [out × L]} result goes back
     * to the tokens' rows. Tokens past the last full tile take the scalar path.
     */
    @Override
    public void sparseLinear(int n, float[] x, int xOff, CsrMatrix w, float[] bias, int biasOff, float[] y, int yOff) {
        int in = w.cols(), out = w.rows();
        int[] rowPtr = w.rowPtr(), col = w.colIdx();
        float[] val = w.values();
        int tiles = n / L;
        pool.forRange(tiles, (long) n * (in + out) + (long) n * w.nnz() / L, (t0, t1) -> {
            float[] xt = ThreadScratch.floats(4, in * L), yt = ThreadScratch.floats(5, out * L);
            for (int tile = t0; tile < t1; tile++) {
                int xr = xOff + tile * L * in, yr = yOff + tile * L * out;
                tokensToFeatures(x, xr, in, xt);
                for (int o = 0; o < out; o++) {
                    FloatVector acc = bias == null ? FloatVector.zero(S) : FloatVector.broadcast(S, bias[biasOff + o]);
                    for (int q = rowPtr[o], e = rowPtr[o + 1]; q < e; q++) {
                        acc = madd(FloatVector.broadcast(S, val[q]), FloatVector.fromArray(S, xt, col[q] * L), acc);
                    }
                    acc.intoArray(yt, o * L);
                }
                featuresToTokens(yt, out, y, yr, false);
            }
        });
        sparseLinearRows(tiles * L, n, x, xOff, w, bias, biasOff, y, yOff);
    }

    /** As {@link #sparseLinear}: per tile of L tokens, dXᵀ[i] = Σ over column i of W (in row order) of w·dYᵀ[o], then added to dX. */
    @Override
    public void sparseLinearBackward(int n, float[] dy, int dyOff, CsrMatrix w, float[] dx, int dxOff) {
        int in = w.cols(), out = w.rows();
        CsrMatrix.Transpose t = w.transposePattern();
        int[] tPtr = t.rowPtr, tCol = t.colIdx, perm = t.perm;
        float[] val = w.values();
        int tiles = n / L;
        pool.forRange(tiles, (long) n * (in + out) * 2 + (long) n * w.nnz() / L, (t0, t1) -> {
            float[] dyt = ThreadScratch.floats(4, out * L), dxt = ThreadScratch.floats(5, in * L);
            for (int tile = t0; tile < t1; tile++) {
                int dyr = dyOff + tile * L * out, dxr = dxOff + tile * L * in;
                tokensToFeatures(dy, dyr, out, dyt);
                for (int i = 0; i < in; i++) {
                    FloatVector acc = FloatVector.zero(S);
                    for (int q = tPtr[i], e = tPtr[i + 1]; q < e; q++) {
                        acc = madd(FloatVector.broadcast(S, val[perm[q]]), FloatVector.fromArray(S, dyt, tCol[q] * L), acc);
                    }
                    acc.intoArray(dxt, i * L);
                }
                featuresToTokens(dxt, in, dx, dxr, true);
            }
        });
        int[] rowPtr = w.rowPtr(), col = w.colIdx();
        for (int r = tiles * L; r < n; r++) scatterRowsAdding(dy, dyOff + r * out, out, rowPtr, col, val, dx, dxOff + r * in, in);
    }

    /**
     * Tokens [r0, r1) of {@link #sparseLinear} past the last full tile, one row at a time as the scalar kernel walks
     * them (bias or 0, then each nonzero x[i] adds W[:, i]), with {@link #scatterRows}'s multiply-adds.
     */
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

    /** dx[·] += (Σ_i a[i]·B[i, ·]) for one token's row: the products summed from zero first, then added once. */
    private static void scatterRowsAdding(float[] a, int aOff, int len, int[] rowPtr, int[] col, float[] val, float[] dx, int dxOff, int width) {
        float[] sums = ThreadScratch.floats(0, width);
        java.util.Arrays.fill(sums, 0, width, 0f);
        scatterRows(a, aOff, len, rowPtr, col, null, val, sums, 0);
        for (int c = 0; c < width; c++) dx[dxOff + c] += sums[c];
    }

    /** L token rows {@code [L × width]} at a[off] to the tile {@code [width × L]} (one gather per feature). */
    private static void tokensToFeatures(float[] a, int off, int width, float[] tile) {
        int[] stride = ThreadScratch.ints(6, L);
        for (int j = 0; j < L; j++) stride[j] = j * width;
        for (int c = 0; c < width; c++) FloatVector.fromArray(S, a, off + c, stride, 0).intoArray(tile, c * L);
    }

    /** The tile {@code [width × L]} back to (or, adding, onto) L token rows {@code [L × width]} at a[off]. */
    private static void featuresToTokens(float[] tile, int width, float[] a, int off, boolean add) {
        int[] stride = ThreadScratch.ints(7, L);
        for (int j = 0; j < L; j++) stride[j] = j * L;
        for (int t = 0; t < L; t++) {
            int c = 0, row = off + t * width;
            for (; c + L <= width; c += L) {
                FloatVector v = FloatVector.fromArray(S, tile, c * L + t, stride, 0);
                (add ? FloatVector.fromArray(S, a, row + c).add(v) : v).intoArray(a, row + c);
            }
            for (; c < width; c++) a[row + c] = add ? a[row + c] + tile[c * L + t] : tile[c * L + t];
        }
    }

    /** The nonzeros of the row are found L at a time by a vector compare; each adds its pattern row with scalar FMAs. */
    private static void scatterRows(float[] a, int aOff, int len, int[] rowPtr, int[] col, int[] perm, float[] val, float[] y, int yOff) {
        int i = 0;
        for (; i + L <= len; i += L) {
            long bits = FloatVector.fromArray(S, a, aOff + i).compare(VectorOperators.NE, 0f).toLong();
            while (bits != 0) {
                int r = i + Long.numberOfTrailingZeros(bits);
                bits &= bits - 1;
                scatterRow(a[aOff + r], rowPtr[r], rowPtr[r + 1], col, perm, val, y, yOff);
            }
        }
        for (; i < len; i++) {
            float ai = a[aOff + i];
            if (ai != 0f) scatterRow(ai, rowPtr[i], rowPtr[i + 1], col, perm, val, y, yOff);
        }
    }

    private static void scatterRow(float ai, int qs, int qe, int[] col, int[] perm, float[] val, float[] y, int yOff) {
        if (perm == null) {
            for (int q = qs; q < qe; q++) y[yOff + col[q]] = madd(ai, val[q], y[yOff + col[q]]);
        } else {
            for (int q = qs; q < qe; q++) y[yOff + col[q]] = madd(ai, val[perm[q]], y[yOff + col[q]]);
        }
    }

    @Override
    public int csrRowPointers(int rows, int cols, float[] x, int xOff, int[] rowPtr) {
        pool.forRange(rows, (long) rows * cols, (r0, r1) -> {
            for (int r = r0; r < r1; r++) rowPtr[r + 1] = countNonZero(x, xOff + r * cols, cols);
        });
        return InOrder.countsToOffsets(rowPtr, rows);
    }

    /** Nonzeros of x[off, off + n), L at a time by a vector compare. */
    private static int countNonZero(float[] x, int off, int n) {
        int c = 0, i = 0;
        for (; i + L <= n; i += L) c += FloatVector.fromArray(S, x, off + i).compare(VectorOperators.NE, 0f).trueCount();
        for (; i < n; i++) if (x[off + i] != 0f) c++;
        return c;
    }

    @Override
    public void csrFill(int rows, int cols, float[] x, int xOff, int[] rowPtr, int[] colIdx, float[] values) {
        pool.forRange(rows, (long) rows * cols, (r0, r1) -> {
            for (int r = r0; r < r1; r++) fillRow(x, xOff + r * cols, cols, colIdx, values, rowPtr[r]);
        });
    }

    /**
     * The nonzeros of one row, in column order, from slot q on; a vector compare finds them L at a time. An instance
     * method on purpose: as a static one, csrFill's loop compiled about 20% slower (1024 × 1024 at a quarter dense,
     * 512- and 256-bit).
     */
    private void fillRow(float[] x, int off, int n, int[] colIdx, float[] values, int q) {
        int c = 0;
        for (; c + L <= n; c += L) {
            long bits = FloatVector.fromArray(S, x, off + c).compare(VectorOperators.NE, 0f).toLong();
            while (bits != 0) {
                int j = c + Long.numberOfTrailingZeros(bits);
                colIdx[q] = j;
                values[q++] = x[off + j];
                bits &= bits - 1;
            }
        }
        for (; c < n; c++) {
            float v = x[off + c];
            if (v != 0f) {
                colIdx[q] = c;
                values[q++] = v;
            }
        }
    }

    /**
     * Y[rows × n] (+)= P·X[in × n] for a CSR pattern P whose slot q holds {@code val[perm == null ? q : perm[q]]}.
     * The full token tiles of X are first copied to a token-blocked layout {@code [n/TN][in][TN]} in a
     * 64-byte-aligned buffer, so the tile a row needs is one contiguous run of whole cache lines and one
     * tile of X stays in L2 while every output row passes over it (measured: aligned vs misaligned X
     * doubles the speed; the copy costs one pass over X). Each output element is the same multiply-add
     * chain over the row's slots in order.
     */
    private void csr(int rows, int in, int[] rowPtr, int[] col, int[] perm, float[] val,
                     float[] x, int xOff, int n, float[] y, int yOff, boolean accumulate) {
        int tiles = n / TN;
        int minUses = (long) in * n > TILE_OUTER_ABOVE_FLOATS ? PACK_MIN_USES_BEYOND_L2 : PACK_MIN_USES_IN_L2;
        if (rowPtr[rows] < (long) minUses * in) { // too few uses per X row to pay for the aligned copy
            pool.forWeightedRange(rows, rowPtr, 0, n, (r0, r1) -> {
                for (int o = r0; o < r1; o++) {
                    for (int tb = 0; tb < tiles; tb++) {
                        csrTile8(rowPtr[o], rowPtr[o + 1], col, perm, val, x, xOff + tb * TN, n, y, yOff + o * n + tb * TN, accumulate);
                    }
                }
                csrTail(r0, r1, tiles * TN, rowPtr, col, perm, val, x, xOff, n, y, yOff, accumulate);
            });
            return;
        }
        float[] xb = ThreadScratch.alignedFloats(3, tiles * in * TN);
        int base = ThreadScratch.ALIGNED_OFFSET;
        for (int i = 0; i < in; i++) { // X row by row (sequential reads), each tile to its block
            int src = xOff + i * n;
            for (int tb = 0; tb < tiles; tb++, src += TN) {
                int dst = base + (tb * in + i) * TN;
                for (int e = 0; e < TN; e += L) FloatVector.fromArray(S, x, src + e).intoArray(xb, dst + e);
            }
        }
        boolean tileOuter = (long) in * n > TILE_OUTER_ABOVE_FLOATS;
        pool.forWeightedRange(rows, rowPtr, 0, n, (r0, r1) -> {
            if (tileOuter) { // X beyond L2: sweep one tile of X over all rows, then the next
                for (int tb = 0; tb < tiles; tb++) {
                    int xBase = base + tb * in * TN;
                    for (int o = r0; o < r1; o++) {
                        csrTile8(rowPtr[o], rowPtr[o + 1], col, perm, val, xb, xBase, TN, y, yOff + o * n + tb * TN, accumulate);
                    }
                }
            } else { // X fits in L2: finish each output row, so Y is written in order
                for (int o = r0; o < r1; o++) {
                    for (int tb = 0; tb < tiles; tb++) {
                        csrTile8(rowPtr[o], rowPtr[o + 1], col, perm, val, xb, base + tb * in * TN, TN, y, yOff + o * n + tb * TN, accumulate);
                    }
                }
            }
            csrTail(r0, r1, tiles * TN, rowPtr, col, perm, val, x, xOff, n, y, yOff, accumulate);
        });
    }

    /** The tokens past the last full tile, from the plain feature-major layout. */
    private static void csrTail(int r0, int r1, int t0, int[] rowPtr, int[] col, int[] perm, float[] val,
                                float[] x, int xOff, int n, float[] y, int yOff, boolean accumulate) {
        int t = t0;
        for (; t + L <= n; t += L) {
            for (int o = r0; o < r1; o++) {
                int yt = yOff + o * n + t;
                FloatVector a0 = accumulate ? FloatVector.fromArray(S, y, yt) : FloatVector.zero(S);
                for (int q = rowPtr[o], qe = rowPtr[o + 1]; q < qe; q++) {
                    FloatVector wv = FloatVector.broadcast(S, val[perm == null ? q : perm[q]]);
                    a0 = madd(wv, FloatVector.fromArray(S, x, xOff + col[q] * n + t), a0);
                }
                a0.intoArray(y, yt);
            }
        }
        for (; t < n; t++) {
            for (int o = r0; o < r1; o++) {
                int yt = yOff + o * n + t;
                float s = accumulate ? y[yt] : 0f;
                for (int q = rowPtr[o], qe = rowPtr[o + 1]; q < qe; q++) {
                    s = madd(val[perm == null ? q : perm[q]], x[xOff + col[q] * n + t], s);
                }
                y[yt] = s;
            }
        }
    }

    /** One output row segment of TN tokens in 8 accumulators while the row's nonzeros stream by. */
    private static void csrTile8(int qs, int qe, int[] col, int[] perm, float[] val, float[] x, int xBase, int ldx,
                                 float[] y, int yt, boolean accumulate) {
        FloatVector a0, a1, a2, a3, a4, a5, a6, a7;
        if (accumulate) {
            a0 = FloatVector.fromArray(S, y, yt);
            a1 = FloatVector.fromArray(S, y, yt + L);
            a2 = FloatVector.fromArray(S, y, yt + 2 * L);
            a3 = FloatVector.fromArray(S, y, yt + 3 * L);
            a4 = FloatVector.fromArray(S, y, yt + 4 * L);
            a5 = FloatVector.fromArray(S, y, yt + 5 * L);
            a6 = FloatVector.fromArray(S, y, yt + 6 * L);
            a7 = FloatVector.fromArray(S, y, yt + 7 * L);
        } else {
            a0 = a1 = a2 = a3 = a4 = a5 = a6 = a7 = FloatVector.zero(S);
        }
        for (int q = qs; q < qe; q++) {
            FloatVector wv = FloatVector.broadcast(S, val[perm == null ? q : perm[q]]);
            int xr = xBase + col[q] * ldx;
            a0 = madd(wv, FloatVector.fromArray(S, x, xr), a0);
            a1 = madd(wv, FloatVector.fromArray(S, x, xr + L), a1);
            a2 = madd(wv, FloatVector.fromArray(S, x, xr + 2 * L), a2);
            a3 = madd(wv, FloatVector.fromArray(S, x, xr + 3 * L), a3);
            a4 = madd(wv, FloatVector.fromArray(S, x, xr + 4 * L), a4);
            a5 = madd(wv, FloatVector.fromArray(S, x, xr + 5 * L), a5);
            a6 = madd(wv, FloatVector.fromArray(S, x, xr + 6 * L), a6);
            a7 = madd(wv, FloatVector.fromArray(S, x, xr + 7 * L), a7);
        }
        a0.intoArray(y, yt);
        a1.intoArray(y, yt + L);
        a2.intoArray(y, yt + 2 * L);
        a3.intoArray(y, yt + 3 * L);
        a4.intoArray(y, yt + 4 * L);
        a5.intoArray(y, yt + 5 * L);
        a6.intoArray(y, yt + 6 * L);
        a7.intoArray(y, yt + 7 * L);
    }

    @Override
    public void sddmm(CsrMatrix pattern, float[] dy, int dyOff, float[] x, int xOff, int n, float[] out, int outOff, boolean accumulate) {
        int[] rowPtr = pattern.rowPtr(), col = pattern.colIdx();
        pool.forWeightedRange(pattern.rows(), rowPtr, 0, n, (r0, r1) -> {
            int bound = S.loopBound(n);
            for (int o = r0; o < r1; o++) {
                int yo = dyOff + o * n;
                int q = rowPtr[o];
                int qe = rowPtr[o + 1];
                // 1×4 tile: one dY row segment against four X rows; each slot reduces once.
                for (; q + 4 <= qe; q += 4) {
                    int x0 = xOff + col[q] * n, x1 = xOff + col[q + 1] * n, x2 = xOff + col[q + 2] * n, x3 = xOff + col[q + 3] * n;
                    FloatVector s0 = FloatVector.zero(S), s1 = s0, s2 = s0, s3 = s0;
                    for (int t = 0; t < bound; t += L) {
                        FloatVector g = FloatVector.fromArray(S, dy, yo + t);
                        s0 = madd(g, FloatVector.fromArray(S, x, x0 + t), s0);
                        s1 = madd(g, FloatVector.fromArray(S, x, x1 + t), s1);
                        s2 = madd(g, FloatVector.fromArray(S, x, x2 + t), s2);
                        s3 = madd(g, FloatVector.fromArray(S, x, x3 + t), s3);
                    }
                    storeDot(s0, dy, yo, x, x0, bound, n, out, outOff + q, accumulate);
                    storeDot(s1, dy, yo, x, x1, bound, n, out, outOff + q + 1, accumulate);
                    storeDot(s2, dy, yo, x, x2, bound, n, out, outOff + q + 2, accumulate);
                    storeDot(s3, dy, yo, x, x3, bound, n, out, outOff + q + 3, accumulate);
                }
                for (; q < qe; q++) {
                    int x0 = xOff + col[q] * n;
                    FloatVector s0 = FloatVector.zero(S);
                    for (int t = 0; t < bound; t += L) {
                        s0 = madd(FloatVector.fromArray(S, dy, yo + t), FloatVector.fromArray(S, x, x0 + t), s0);
                    }
                    storeDot(s0, dy, yo, x, x0, bound, n, out, outOff + q, accumulate);
                }
            }
        });
    }

    private static void storeDot(FloatVector acc, float[] dy, int yo, float[] x, int xo, int bound, int n,
                                 float[] out, int at, boolean accumulate) {
        float s = sumLanes(acc);
        for (int t = bound; t < n; t++) s = madd(dy[yo + t], x[xo + t], s);
        out[at] = accumulate ? out[at] + s : s;
    }

    // =================================================================== row-wise

    @Override
    public void rmsNormForward(int rows, int d, float[] x, int xOff, float[] gain, int gOff, float eps,
                               float[] y, int yOff, float[] rstd, int rOff) {
        int bound = S.loopBound(d);
        pool.forRange(rows, (long) rows * d * 4, (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int xr = xOff + r * d, yr = yOff + r * d;
                FloatVector acc = FloatVector.zero(S);
                for (int c = 0; c < bound; c += L) {
                    FloatVector v = FloatVector.fromArray(S, x, xr + c);
                    acc = madd(v, v, acc);
                }
                float ss = sumLanes(acc);
                for (int c = bound; c < d; c++) ss = madd(x[xr + c], x[xr + c], ss);
                float rs = (float) (1.0 / Math.sqrt(ss / d + eps));
                rstd[rOff + r] = rs;
                for (int c = 0; c < bound; c += L) {
                    FloatVector.fromArray(S, x, xr + c).mul(rs).mul(FloatVector.fromArray(S, gain, gOff + c)).intoArray(y, yr + c);
                }
                for (int c = bound; c < d; c++) y[yr + c] = x[xr + c] * rs * gain[gOff + c];
            }
        });
    }

    @Override
    public void rmsNormBackward(int rows, int d, float[] x, int xOff, float[] gain, int gOff, float[] rstd, int rOff,
                                float[] dy, int dyOff, float[] dx, int dxOff, float[] dgain, int dgOff) {
        int bound = S.loopBound(d);
        pool.forRange(rows, (long) rows * d * 6, (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int xr = xOff + r * d, gr = dyOff + r * d, dr = dxOff + r * d;
                float rs = rstd[rOff + r];
                FloatVector acc = FloatVector.zero(S);
                for (int c = 0; c < bound; c += L) {
                    FloatVector dg = FloatVector.fromArray(S, dy, gr + c).mul(FloatVector.fromArray(S, gain, gOff + c));
                    acc = madd(dg, FloatVector.fromArray(S, x, xr + c), acc);
                }
                float dot = sumLanes(acc);
                for (int c = bound; c < d; c++) dot = madd(dy[gr + c] * gain[gOff + c], x[xr + c], dot);
                float mean = dot * rs / d; // Σ dxhat·xhat / d
                float k2 = mean * rs;
                for (int c = 0; c < bound; c += L) {
                    FloatVector dg = FloatVector.fromArray(S, dy, gr + c).mul(FloatVector.fromArray(S, gain, gOff + c));
                    FloatVector xv = FloatVector.fromArray(S, x, xr + c);
                    FloatVector g = dg.sub(xv.mul(k2)).mul(rs);
                    FloatVector.fromArray(S, dx, dr + c).add(g).intoArray(dx, dr + c);
                }
                for (int c = bound; c < d; c++) {
                    dx[dr + c] += (dy[gr + c] * gain[gOff + c] - x[xr + c] * k2) * rs;
                }
            }
        });
        // dgain by channel blocks of L (so each channel's arithmetic is split-independent), rows in order.
        int blocks = (d + L - 1) / L;
        pool.forRange(blocks, (long) rows * d * 2, (b0, b1) -> {
            int c0 = b0 * L, c1 = Math.min(d, b1 * L);
            for (int r = 0; r < rows; r++) {
                int xr = xOff + r * d, gr = dyOff + r * d;
                float rs = rstd[rOff + r];
                int c = c0;
                for (; c + L <= c1; c += L) {
                    FloatVector p = FloatVector.fromArray(S, dy, gr + c).mul(FloatVector.fromArray(S, x, xr + c)).mul(rs);
                    FloatVector.fromArray(S, dgain, dgOff + c).add(p).intoArray(dgain, dgOff + c);
                }
                for (; c < c1; c++) dgain[dgOff + c] += dy[gr + c] * x[xr + c] * rs;
            }
        });
    }

    @Override
    public void nodeGateForward(int rows, int c, float[] x, int xOff, float[] g, int gOff, float[] base, int bOff, float[] y, int yOff) {
        pool.forRange(rows, (long) rows * c * 3, (r0, r1) -> {
            float[] ablated = ThreadScratch.floats(1, c); // (1 − g)·base once per range, rounded as the scalar kernel does
            for (int j = 0; j < c; j++) ablated[j] = (1 - g[gOff + j]) * base[bOff + j];
            for (int r = r0; r < r1; r++) {
                int xr = xOff + r * c, yr = yOff + r * c, j = 0;
                for (; j + L <= c; j += L) {
                    FloatVector.fromArray(S, g, gOff + j).mul(FloatVector.fromArray(S, x, xr + j))
                            .add(FloatVector.fromArray(S, ablated, j)).intoArray(y, yr + j);
                }
                for (; j < c; j++) y[yr + j] = g[gOff + j] * x[xr + j] + ablated[j];
            }
        });
    }

    @Override
    public void nodeGateBackward(int rows, int c, float[] x, int xOff, float[] g, int gOff, float[] base, int bOff,
                                 float[] dy, int dyOff, float[] dx, int dxOff, boolean overwriteDx, float[] dg, int dgOff) {
        // split by channel blocks of L, rows walked in order (each row's slice is contiguous, dg's slice stays in L1):
        // each channel's dg sums its rows in order whatever the split
        int blocks = (c + L - 1) / L;
        pool.forRange(blocks, (long) rows * c * 4, (b0, b1) -> {
            int j0 = b0 * L, j1 = Math.min(c, b1 * L);
            for (int r = 0; r < rows; r++) {
                int o = r * c, j = j0;
                for (; j + L <= j1; j += L) {
                    FloatVector d = FloatVector.fromArray(S, dy, dyOff + o + j);
                    if (dx != null) {
                        FloatVector v = FloatVector.fromArray(S, g, gOff + j).mul(d);
                        if (overwriteDx) v.intoArray(dx, dxOff + o + j); // (no vector through a phi: it would be boxed)
                        else FloatVector.fromArray(S, dx, dxOff + o + j).add(v).intoArray(dx, dxOff + o + j);
                    }
                    if (dg != null) {
                        FloatVector p = d.mul(FloatVector.fromArray(S, x, xOff + o + j).sub(FloatVector.fromArray(S, base, bOff + j)));
                        FloatVector.fromArray(S, dg, dgOff + j).add(p).intoArray(dg, dgOff + j);
                    }
                }
                for (; j < j1; j++) {
                    float d = dy[dyOff + o + j];
                    if (dx != null) dx[dxOff + o + j] = overwriteDx ? g[gOff + j] * d : dx[dxOff + o + j] + g[gOff + j] * d;
                    if (dg != null) dg[dgOff + j] += d * (x[xOff + o + j] - base[bOff + j]);
                }
            }
        });
    }

    /** Splits [0, n) on BLOCK boundaries so vector bodies and the one scalar tail do not depend on threads. */
    private void forBlocks(int n, long workPerElement, WorkerPool.RangeTask task) {
        int blocks = (n + BLOCK - 1) / BLOCK;
        pool.forRange(blocks, (long) n * workPerElement, (b0, b1) -> task.run(b0 * BLOCK, Math.min(n, b1 * BLOCK)));
    }

    /** erfc(|x|/√2)·exp(x²/2), the A&amp;S 7.1.26 polynomial in t = 1/(1 + p·|x|/√2) (see {@link Gelu}). */
    private static FloatVector erfcPoly(FloatVector az) {
        FloatVector one = FloatVector.broadcast(S, 1f);
        FloatVector t = one.div(madd(az, FloatVector.broadcast(S, Gelu.P), one));
        FloatVector poly = madd(t, FloatVector.broadcast(S, Gelu.A5), FloatVector.broadcast(S, Gelu.A4));
        poly = madd(t, poly, FloatVector.broadcast(S, Gelu.A3));
        poly = madd(t, poly, FloatVector.broadcast(S, Gelu.A2));
        poly = madd(t, poly, FloatVector.broadcast(S, Gelu.A1));
        return poly.mul(t);
    }

    /**
     * Transpose with gathers: each vector is one column of L consecutive source rows (a strided gather), stored
     * as a contiguous run of the destination row; consecutive columns reuse the same L cache lines. RowOpsBench, one
     * thread on a busy 2-core host: [1024 × 1024] 0.7–1.3 ms against the scalar tiles' 1.7–3.3; [1024 × 256] about
     * even (scalar 0.13–0.16 ms, vector 0.16–0.20). Fewer than L rows or 2 columns take the scalar kernel.
     */
    @Override
    public void transpose(int rows, int cols, float[] src, int srcOff, float[] dst, int dstOff, boolean accumulate) {
        if (rows < L || cols < 2) {
            scalar.transpose(rows, cols, src, srcOff, dst, dstOff, accumulate);
            return;
        }
        int[] idx = ThreadScratch.ints(6, L); // the gather's row offsets; the caller's scratch, only read by workers
        for (int i = 0; i < L; i++) idx[i] = i * cols;
        int stripes = rows / L;
        pool.forRange(stripes, (long) rows * cols * 2, (s0, s1) -> {
            for (int st = s0; st < s1; st++) {
                int r0 = st * L, base = srcOff + r0 * cols;
                for (int c = 0; c < cols; c++) {
                    FloatVector v = FloatVector.fromArray(S, src, base + c, idx, 0);
                    int d = dstOff + c * rows + r0;
                    if (accumulate) v = v.add(FloatVector.fromArray(S, dst, d));
                    v.intoArray(dst, d);
                }
            }
        });
        for (int r = stripes * L; r < rows; r++) { // tail rows
            for (int c = 0; c < cols; c++) {
                int d = dstOff + c * rows + r;
                float x = src[srcOff + r * cols + c];
                dst[d] = accumulate ? dst[d] + x : x;
            }
        }
    }

    /**
     * AbsTopK by a bitwise search for the k-th largest magnitude: each of ≤ 31 passes counts, with vector
     * compares, the channels whose |x| bits reach a candidate threshold (branch-free, unlike quickselect,
     * whose data-dependent branches mispredict on every element). A pass whose count is exactly k ends the
     * search. The kept set and tie rule are the scalar kernel's.
     */
    @Override
    public void absTopKForward(int rows, int d, int k, float[] x, int xOff, float[] y, int yOff, int[] kept, int keptOff) {
        if (d < 2 * L || k == 0 || k == d) {
            scalar.absTopKForward(rows, d, k, x, xOff, y, yOff, kept, keptOff);
            return;
        }
        pool.forRange(rows, (long) rows * d * 16, (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                absTopKRow(x, xOff + r * d, d, k, y, yOff + r * d, kept, keptOff + r * k);
            }
        });
    }

    private static void absTopKRow(float[] x, int xr, int d, int k, float[] y, int yr, int[] kept, int kr) {
        // One pass for the bounds: how many |x| are nonzero, and the smallest nonzero and largest magnitude bits.
        // Activations of sparse-weight models are often mostly exact zeros: when at most k channels are
        // nonzero, the threshold is 0 (ties at 0 to the lowest channels) without a search; otherwise the
        // bits that the smallest nonzero and the largest magnitude share are the threshold's top bits.
        IntVector maxV = IntVector.zero(IS), minV = IntVector.broadcast(IS, Integer.MAX_VALUE);
        int nonZero = 0, maxKey = 0, minKey = Integer.MAX_VALUE, c = 0;
        for (; c + L <= d; c += L) {
            IntVector key = ((IntVector) FloatVector.fromArray(S, x, xr + c).reinterpretAsInts()).and(0x7fffffff);
            VectorMask<Integer> nz = key.compare(VectorOperators.NE, 0);
            nonZero += nz.trueCount();
            maxV = maxV.max(key);
            minV = minV.min(key.blend(Integer.MAX_VALUE, nz.not()));
        }
        maxKey = maxV.reduceLanes(VectorOperators.MAX);
        minKey = minV.reduceLanes(VectorOperators.MIN);
        for (; c < d; c++) {
            int key = Float.floatToRawIntBits(x[xr + c]) & 0x7fffffff;
            if (key != 0) {
                nonZero++;
                minKey = Math.min(minKey, key);
            }
            maxKey = Math.max(maxKey, key);
        }
        int t, countT;
        if (nonZero <= k) {
            t = nonZero == k ? 1 : 0; // every nonzero kept, and (if short) the lowest zero channels
            countT = nonZero == k ? k : d;
        } else {
            int differ = 31 - Integer.numberOfLeadingZeros(minKey ^ maxKey); // highest bit where they differ
            t = differ < 0 ? maxKey : maxKey & ~((1 << (differ + 1)) - 1);     // shared prefix: count(key ≥ t) = nonZero
            countT = nonZero;
            for (int bit = differ; bit >= 0 && countT != k; bit--) {
                int cand = t | (1 << bit);
                int n = countAtLeast(x, xr, d, cand);
                if (n >= k) {
                    t = cand;
                    countT = n;
                }
            }
        }
        // kept = {|x| ≥ t} when that is exactly k; otherwise t is the k-th magnitude itself and ties at t
        // go to the lowest channels
        int needAtT = countT == k ? Integer.MAX_VALUE : t == Integer.MAX_VALUE ? k : k - countAtLeast(x, xr, d, t + 1); // t + 1 would wrap
        keepRow(x, xr, d, t, needAtT, y, yr, kept, kr);
    }

    /** The lowest {@code n} set bits of {@code bits}. */
    private static long lowestBits(long bits, int n) {
        long keep = 0;
        for (int i = 0; i < n; i++) {
            long low = bits & -bits;
            keep |= low;
            bits ^= low;
        }
        return keep;
    }

    /** Writes the kept channels (|x| &gt; t, plus the first needAtT with |x| = t; all of |x| ≥ t when needAtT is MAX). */
    private static void keepRow(float[] x, int xr, int d, int t, int needAtT, float[] y, int yr, int[] kept, int kr) {
        int q = kr, c = 0;
        boolean allAtT = needAtT == Integer.MAX_VALUE;
        FloatVector zero = FloatVector.zero(S);
        for (; c + L <= d; c += L) {
            FloatVector xv = FloatVector.fromArray(S, x, xr + c);
            IntVector key = ((IntVector) xv.reinterpretAsInts()).and(0x7fffffff);
            VectorMask<Integer> m;
            if (allAtT) {
                m = key.compare(VectorOperators.GE, t);
            } else {
                m = key.compare(VectorOperators.GT, t);
                VectorMask<Integer> eq = key.compare(VectorOperators.EQ, t);
                long eqBits = eq.toLong();
                if (Long.bitCount(eqBits) > needAtT) eqBits = lowestBits(eqBits, needAtT); // ties: lowest channels first
                needAtT -= Long.bitCount(eqBits);
                m = m.or(VectorMask.fromLong(IS, eqBits));
            }
            if (kept != null) {
                long bits = m.toLong();
                while (bits != 0) {
                    kept[q++] = c + Long.numberOfTrailingZeros(bits);
                    bits &= bits - 1;
                }
            }
            zero.blend(xv, m.cast(S)).intoArray(y, yr + c);
        }
        for (; c < d; c++) {
            int key = Float.floatToRawIntBits(x[xr + c]) & 0x7fffffff;
            boolean keep = allAtT ? key >= t : key > t || key == t && needAtT-- > 0;
            if (keep && kept != null) kept[q++] = c;
            y[yr + c] = keep ? x[xr + c] : 0f;
        }
    }

    private static int countAtLeast(float[] x, int xr, int d, int t) {
        // masked adds into two lane counters (no mask-to-scalar popcount per vector), one reduction per pass
        IntVector one = IntVector.broadcast(IS, 1), c0 = IntVector.zero(IS), c1 = IntVector.zero(IS);
        int i = 0;
        for (; i + 2 * L <= d; i += 2 * L) {
            IntVector k0 = ((IntVector) FloatVector.fromArray(S, x, xr + i).reinterpretAsInts()).and(0x7fffffff);
            IntVector k1 = ((IntVector) FloatVector.fromArray(S, x, xr + i + L).reinterpretAsInts()).and(0x7fffffff);
            c0 = c0.add(one, k0.compare(VectorOperators.GE, t));
            c1 = c1.add(one, k1.compare(VectorOperators.GE, t));
        }
        for (; i + L <= d; i += L) {
            IntVector k0 = ((IntVector) FloatVector.fromArray(S, x, xr + i).reinterpretAsInts()).and(0x7fffffff);
            c0 = c0.add(one, k0.compare(VectorOperators.GE, t));
        }
        int c = c0.add(c1).reduceLanes(VectorOperators.ADD);
        for (; i < d; i++) if ((Float.floatToRawIntBits(x[xr + i]) & 0x7fffffff) >= t) c++;
        return c;
    }

    @Override
    public void geluForward(int n, float[] x, int xOff, float[] y, int yOff) {
        forBlocks(n, 20, (i0, i1) -> {
            int i = i0;
            for (; i + L <= i1; i += L) {
                FloatVector xv = FloatVector.fromArray(S, x, xOff + i);
                FloatVector az = xv.abs().mul(Gelu.INV_SQRT2);
                FloatVector halfErfc = erfcPoly(az).mul(exp(az.mul(az).neg())).mul(0.5f);
                FloatVector cdf = halfErfc.neg().add(1f).blend(halfErfc, xv.compare(VectorOperators.LT, 0f));
                xv.mul(cdf).intoArray(y, yOff + i);
            }
            for (; i < i1; i++) y[yOff + i] = Gelu.gelu(x[xOff + i]);
        });
    }

    @Override
    public void geluBackward(int n, float[] x, int xOff, float[] dy, int dyOff, float[] dx, int dxOff) {
        forBlocks(n, 30, (i0, i1) -> {
            int i = i0;
            for (; i + L <= i1; i += L) {
                FloatVector xv = FloatVector.fromArray(S, x, xOff + i);
                FloatVector az = xv.abs().mul(Gelu.INV_SQRT2);
                FloatVector ex = exp(az.mul(az).neg()); // exp(−x²/2)
                FloatVector halfErfc = erfcPoly(az).mul(ex).mul(0.5f);
                FloatVector c = halfErfc.neg().add(1f).blend(halfErfc, xv.compare(VectorOperators.LT, 0f));
                FloatVector grad = xv.mul(Gelu.INV_SQRT_2PI).mul(ex).add(c); // Φ(x) + x·φ(x)
                FloatVector.fromArray(S, dx, dxOff + i).add(grad.mul(FloatVector.fromArray(S, dy, dyOff + i))).intoArray(dx, dxOff + i);
            }
            for (; i < i1; i++) dx[dxOff + i] += Gelu.geluGrad(x[xOff + i]) * dy[dyOff + i];
        });
    }

    private static float rowMax(float[] x, int off, int d, int bound) {
        FloatVector mv = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
        for (int c = 0; c < bound; c += L) mv = mv.max(FloatVector.fromArray(S, x, off + c));
        float max = mv.reduceLanes(VectorOperators.MAX);
        for (int c = bound; c < d; c++) max = Math.max(max, x[off + c]);
        return max;
    }

    /** Σ exp(x − max) over a row; writes the exponentials to {@code out} when it is not null. */
    private static float expSum(float[] x, int off, int d, int bound, float max, float[] out, int outOff) {
        FloatVector sv = FloatVector.zero(S);
        for (int c = 0; c < bound; c += L) {
            FloatVector ev = exp(FloatVector.fromArray(S, x, off + c).sub(max));
            if (out != null) ev.intoArray(out, outOff + c);
            sv = sv.add(ev);
        }
        float sum = sumLanes(sv);
        for (int c = bound; c < d; c++) {
            float ev = (float) Math.exp(x[off + c] - max);
            if (out != null) out[outOff + c] = ev;
            sum += ev;
        }
        return sum;
    }

    @Override
    public void softmaxForward(int rows, int d, float[] x, int xOff, float[] y, int yOff) {
        int bound = S.loopBound(d);
        pool.forRange(rows, (long) rows * d * 10, (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int xr = xOff + r * d, yr = yOff + r * d;
                float max = rowMax(x, xr, d, bound);
                float inv = 1f / expSum(x, xr, d, bound, max, y, yr);
                for (int c = 0; c < bound; c += L) FloatVector.fromArray(S, y, yr + c).mul(inv).intoArray(y, yr + c);
                for (int c = bound; c < d; c++) y[yr + c] *= inv;
            }
        });
    }

    @Override
    public void softmaxBackward(int rows, int d, float[] y, int yOff, float[] dy, int dyOff, float[] dx, int dxOff) {
        int bound = S.loopBound(d);
        pool.forRange(rows, (long) rows * d * 4, (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int yr = yOff + r * d, gr = dyOff + r * d, xr = dxOff + r * d;
                FloatVector acc = FloatVector.zero(S);
                for (int c = 0; c < bound; c += L) {
                    acc = madd(FloatVector.fromArray(S, y, yr + c), FloatVector.fromArray(S, dy, gr + c), acc);
                }
                float s = sumLanes(acc);
                for (int c = bound; c < d; c++) s = madd(y[yr + c], dy[gr + c], s);
                for (int c = 0; c < bound; c += L) {
                    FloatVector g = FloatVector.fromArray(S, dy, gr + c).sub(s).mul(FloatVector.fromArray(S, y, yr + c));
                    FloatVector.fromArray(S, dx, xr + c).add(g).intoArray(dx, xr + c);
                }
                for (int c = bound; c < d; c++) dx[xr + c] += (dy[gr + c] - s) * y[yr + c];
            }
        });
    }

    // =================================================================== attention

    /** y[yo, yo+n) += a·x[xo, xo+n), vector body and fused scalar tail (no vector crosses the call). */
    private static void axpyRow(int n, float a, float[] x, int xo, float[] y, int yo) {
        FloatVector av = FloatVector.broadcast(S, a);
        int e = 0;
        for (; e + L <= n; e += L) {
            madd(av, FloatVector.fromArray(S, x, xo + e), FloatVector.fromArray(S, y, yo + e)).intoArray(y, yo + e);
        }
        for (; e < n; e++) y[yo + e] = madd(a, x[xo + e], y[yo + e]);
    }

    /**
     * out[j] = Σ_e (a[ao+e]·scale)·t[e·ld + j] for j < len (t is a transposed head {@code [d × ld]}): each output
     * chunk stays in a register across e, accumulated in e order exactly as len-long axpys from zero would.
     */
    private static void rowTimesT(int len, int d, float[] a, int ao, float scale, float[] t, int ld, float[] out, int oo) {
        int j = 0;
        for (; j + 4 * L <= len; j += 4 * L) { // four independent chains hide the FMA latency
            FloatVector c0 = FloatVector.zero(S), c1 = c0, c2 = c0, c3 = c0;
            for (int e = 0; e < d; e++) {
                FloatVector ae = FloatVector.broadcast(S, a[ao + e] * scale);
                int te = e * ld + j;
                c0 = madd(ae, FloatVector.fromArray(S, t, te), c0);
                c1 = madd(ae, FloatVector.fromArray(S, t, te + L), c1);
                c2 = madd(ae, FloatVector.fromArray(S, t, te + 2 * L), c2);
                c3 = madd(ae, FloatVector.fromArray(S, t, te + 3 * L), c3);
            }
            c0.intoArray(out, oo + j);
            c1.intoArray(out, oo + j + L);
            c2.intoArray(out, oo + j + 2 * L);
            c3.intoArray(out, oo + j + 3 * L);
        }
        // whole vectors up to len rounded up, as far as the rows of t (ld wide) reach: the extra outputs are the
        // same chains for columns past len, which callers ignore, and no scalar tail of d-long latency chains
        int vecEnd = Math.min(len + L - 1, ld) / L * L;
        for (; j + L <= vecEnd; j += L) {
            FloatVector acc = FloatVector.zero(S);
            for (int e = 0; e < d; e++) {
                acc = madd(FloatVector.broadcast(S, a[ao + e] * scale), FloatVector.fromArray(S, t, e * ld + j), acc);
            }
            acc.intoArray(out, oo + j);
        }
        for (; j < len; j++) {
            float acc = 0f;
            for (int e = 0; e < d; e++) acc = madd(a[ao + e] * scale, t[e * ld + j], acc);
            out[oo + j] = acc;
        }
    }

    /** Copies the head's d-wide slice of each token row ({@code [tokens × ld]} at off) to {@code t[d × tokens]}. */
    private static void transposeHead(float[] src, int off, int ld, int tokens, int d, float[] t) {
        for (int j = 0; j < tokens; j++) {
            int s0 = off + j * ld;
            for (int e = 0; e < d; e++) t[e * tokens + j] = src[s0 + e];
        }
    }

    @Override
    public void attentionForward(int batch, int tokens, int heads, int dHead, int ld,
                                 float[] q, int qOff, float[] k, int kOff, float[] v, int vOff,
                                 float[] sink, int sinkOff, float[] probs, int pOff, float[] out, int oOff) {
        int width = heads * dHead;
        float scale = (float) (1.0 / Math.sqrt(dHead));
        long work = (long) batch * heads * tokens * tokens * dHead;
        pool.forRange(batch * heads, work, (u0, u1) -> {
            float[] kt = ThreadScratch.floats(0, dHead * tokens);
            for (int u = u0; u < u1; u++) {
                int b = u / heads, h = u % heads;
                int rowBase = b * tokens;
                transposeHead(k, kOff + rowBase * ld + h * dHead, ld, tokens, dHead, kt);
                for (int i = 0; i < tokens; i++) {
                    int qi = qOff + (rowBase + i) * ld + h * dHead;
                    int pi = pOff + (u * tokens + i) * tokens;
                    int len = i + 1;
                    // scores over keys 0..i: Σ_e q_ie·Kᵀ[e, 0..i], contiguous over keys (future keys zeroed after)
                    rowTimesT(len, dHead, q, qi, scale, kt, tokens, probs, pi);
                    java.util.Arrays.fill(probs, pi + len, pi + tokens, 0f);
                    int bound = S.loopBound(len);
                    float max = rowMax(probs, pi, len, bound);
                    if (sink != null) max = Math.max(max, sink[sinkOff + h]);
                    float sum = expSum(probs, pi, len, bound, max, probs, pi);
                    if (sink != null) sum += (float) Math.exp(sink[sinkOff + h] - max);
                    float inv = 1f / sum;
                    int c = 0;
                    for (; c < bound; c += L) FloatVector.fromArray(S, probs, pi + c).mul(inv).intoArray(probs, pi + c);
                    for (; c < len; c++) probs[pi + c] *= inv;
                    int oi = oOff + (rowBase + i) * width + h * dHead;
                    if (dHead == L) { // one vector per head row: accumulate in a register (fixed order)
                        pvRow(probs, pi, len, v, vOff + rowBase * ld + h * dHead, ld, out, oi);
                    } else {
                        java.util.Arrays.fill(out, oi, oi + dHead, 0f);
                        for (int j = 0; j < len; j++) {
                            axpyRow(dHead, probs[pi + j], v, vOff + (rowBase + j) * ld + h * dHead, out, oi);
                        }
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
            float[] vt = ThreadScratch.floats(0, dHead * tokens);
            float[] ds = ThreadScratch.floats(1, tokens);
            float[] sumOut = ThreadScratch.floats(2, 1); // softmaxGradRow's second result
            // a head one vector wide works on contiguous copies: its K rows, and dK, dV accumulated from zero and
            // added back once (strided rows ld apart in place cost cache misses and store-to-load aliasing)
            float[] kLoc = dHead == L ? ThreadScratch.floats(4, tokens * L) : null;
            float[] dkLoc = dHead == L ? ThreadScratch.floats(5, tokens * L) : null;
            float[] dvLoc = dHead == L ? ThreadScratch.floats(6, tokens * L) : null;
            for (int u = u0; u < u1; u++) {
                int b = u / heads, h = u % heads;
                int rowBase = b * tokens;
                transposeHead(v, vOff + rowBase * ld + h * dHead, ld, tokens, dHead, vt);
                if (kLoc != null) {
                    for (int j = 0; j < tokens; j++) System.arraycopy(k, kOff + (rowBase + j) * ld + h * L, kLoc, j * L, L);
                    java.util.Arrays.fill(dkLoc, 0, tokens * L, 0f);
                    java.util.Arrays.fill(dvLoc, 0, tokens * L, 0f);
                }
                float sinkGrad = 0f;
                for (int i = 0; i < tokens; i++) {
                    int pi = pOff + (u * tokens + i) * tokens;
                    int oi = dOff + (rowBase + i) * width + h * dHead;
                    int len = i + 1;
                    int bound = S.loopBound(len);
                    // dP[0..i] = Σ_e dO_ie·Vᵀ[e, 0..i]
                    rowTimesT(len, dHead, dOut, oi, 1f, vt, tokens, ds, 0);
                    float psum = softmaxGradRow(len, bound, probs, pi, ds, scale, sumOut);
                    if (sink != null) sinkGrad -= (1f - psum) * sumOut[0]; // the sink's value is 0, so dP_sink = 0
                    int qi = qOff + (rowBase + i) * ld + h * dHead;
                    int dqi = dqOff + (rowBase + i) * ld + h * dHead;
                    if (dHead == L) { // q_i and dO_i stay in registers; dq_i accumulates in one
                        headGradRow(len, ds, probs, pi, q, qi, dOut, oi, kLoc, 0, dkLoc, 0, dvLoc, 0, 0, L, dq, dqi);
                    } else {
                        for (int j = 0; j < len; j++) {
                            int kj = (rowBase + j) * ld + h * dHead;
                            axpyRow(dHead, ds[j], k, kOff + kj, dq, dqi);
                            axpyRow(dHead, ds[j], q, qi, dk, dkOff + kj);
                            axpyRow(dHead, probs[pi + j], dOut, oi, dv, dvOff + kj);
                        }
                    }
                }
                if (kLoc != null) {
                    for (int j = 0; j < tokens; j++) {
                        int kj = (rowBase + j) * ld + h * L;
                        FloatVector.fromArray(S, dk, dkOff + kj).add(FloatVector.fromArray(S, dkLoc, j * L)).intoArray(dk, dkOff + kj);
                        FloatVector.fromArray(S, dv, dvOff + kj).add(FloatVector.fromArray(S, dvLoc, j * L)).intoArray(dv, dvOff + kj);
                    }
                }
                if (sinkPartial != null) sinkPartial[u] = sinkGrad;
            }
        });
        if (sink != null) InOrder.addBatchSums(batch, heads, sinkPartial, dsink, dsOff);
    }

    /**
     * The softmax part of attention's backward for one query row: given dP in {@code ds[0, len)}, writes
     * dS = P ⊙ (dP − Σ P·dP) · scale over it, leaves Σ P·dP in {@code dsum[0]} and returns Σ P. Methods of their
     * own (this and {@link #headGradRow}): inside the backward's lambda C2 left the vector calls un-inlined.
     */
    private static float softmaxGradRow(int len, int bound, float[] probs, int pi, float[] ds, float scale, float[] dsumOut) {
        FloatVector dv0 = FloatVector.zero(S), pv0 = FloatVector.zero(S);
        int c = 0;
        for (; c < bound; c += L) {
            FloatVector pv = FloatVector.fromArray(S, probs, pi + c);
            dv0 = madd(pv, FloatVector.fromArray(S, ds, c), dv0);
            pv0 = pv0.add(pv);
        }
        float dsum = sumLanes(dv0), psum = sumLanes(pv0);
        for (; c < len; c++) {
            dsum = madd(probs[pi + c], ds[c], dsum);
            psum += probs[pi + c];
        }
        c = 0;
        for (; c < bound; c += L) {
            FloatVector.fromArray(S, ds, c).sub(dsum).mul(FloatVector.fromArray(S, probs, pi + c)).mul(scale).intoArray(ds, c);
        }
        for (; c < len; c++) ds[c] = (ds[c] - dsum) * probs[pi + c] * scale;
        dsumOut[0] = dsum;
        return psum;
    }

    /**
     * dq_i += Σ_j dS_j·k_j, dk_j += dS_j·q_i, dv_j += P_ij·dO_i over keys j &lt; len, for a head exactly one vector
     * wide: q_i and dO_i stay in registers, dq_i in two chains of fixed order. {@code head} is the head's offset
     * in a token row of width ld.
     */
    private static void headGradRow(int len, float[] ds, float[] probs, int pi, float[] q, int qi, float[] dOut, int oi,
                                    float[] k, int kOff, float[] dk, int dkOff, float[] dv, int dvOff, int head, int ld,
                                    float[] dq, int dqi) {
        // Two keys per iteration (even keys into dq0, odd into dq1, as before). The unrolled body is also past C2's
        // inlining size, so this method is always compiled on its own: inlined into attentionBackward's large
        // lambda it ran out of C2's node budget there and its vector multiply-adds fell back to boxed calls (JFR).
        FloatVector qv = FloatVector.fromArray(S, q, qi), dov = FloatVector.fromArray(S, dOut, oi);
        FloatVector dq0 = FloatVector.zero(S), dq1 = dq0;
        int j = 0;
        for (; j + 2 <= len; j += 2) {
            int k0 = head + j * ld, k1 = k0 + ld;
            FloatVector s0 = FloatVector.broadcast(S, ds[j]), s1 = FloatVector.broadcast(S, ds[j + 1]);
            dq0 = madd(s0, FloatVector.fromArray(S, k, kOff + k0), dq0);
            dq1 = madd(s1, FloatVector.fromArray(S, k, kOff + k1), dq1);
            madd(s0, qv, FloatVector.fromArray(S, dk, dkOff + k0)).intoArray(dk, dkOff + k0);
            madd(s1, qv, FloatVector.fromArray(S, dk, dkOff + k1)).intoArray(dk, dkOff + k1);
            madd(FloatVector.broadcast(S, probs[pi + j]), dov, FloatVector.fromArray(S, dv, dvOff + k0)).intoArray(dv, dvOff + k0);
            madd(FloatVector.broadcast(S, probs[pi + j + 1]), dov, FloatVector.fromArray(S, dv, dvOff + k1)).intoArray(dv, dvOff + k1);
        }
        if (j < len) {
            int kj = head + j * ld;
            FloatVector sj = FloatVector.broadcast(S, ds[j]);
            dq0 = madd(sj, FloatVector.fromArray(S, k, kOff + kj), dq0);
            madd(sj, qv, FloatVector.fromArray(S, dk, dkOff + kj)).intoArray(dk, dkOff + kj);
            madd(FloatVector.broadcast(S, probs[pi + j]), dov, FloatVector.fromArray(S, dv, dvOff + kj)).intoArray(dv, dvOff + kj);
        }
        FloatVector.fromArray(S, dq, dqi).add(dq0.add(dq1)).intoArray(dq, dqi);
    }

    // =================================================================== cross-entropy

    @Override
    public double crossEntropyForward(int rows, int vocab, float[] logits, int lOff, int[] targets, int tOff,
                                      float[] losses, int lossOff) {
        int bound = S.loopBound(vocab);
        pool.forRange(rows, (long) rows * vocab * 10, (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int t = targets[tOff + r];
                if (t < 0) {
                    losses[lossOff + r] = 0f;
                    continue;
                }
                int lr = lOff + r * vocab;
                float max = rowMax(logits, lr, vocab, bound);
                float sum = expSum(logits, lr, vocab, bound, max, null, 0);
                losses[lossOff + r] = (float) Math.log(sum) + max - logits[lr + t];
            }
        });
        return InOrder.total(losses, lossOff, rows);
    }

    @Override
    public void crossEntropyBackward(int rows, int vocab, float[] logits, int lOff, int[] targets, int tOff,
                                     float scale, float[] dlogits, int dOff) {
        int bound = S.loopBound(vocab);
        pool.forRange(rows, (long) rows * vocab * 10, (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int t = targets[tOff + r];
                if (t < 0) continue;
                int lr = lOff + r * vocab, dr = dOff + r * vocab;
                float max = rowMax(logits, lr, vocab, bound);
                float inv = scale / expSum(logits, lr, vocab, bound, max, null, 0);
                for (int c = 0; c < bound; c += L) {
                    FloatVector p = exp(FloatVector.fromArray(S, logits, lr + c).sub(max)).mul(inv);
                    FloatVector.fromArray(S, dlogits, dr + c).add(p).intoArray(dlogits, dr + c);
                }
                for (int c = bound; c < vocab; c++) dlogits[dr + c] += (float) Math.exp(logits[lr + c] - max) * inv;
                dlogits[dr + t] -= scale;
            }
        });
    }

    // =================================================================== optimizer, BLAS-1

    @Override
    public void adamStep(int n, float[] p, int pOff, float[] g, int gOff, float[] m, int mOff, float[] v, int vOff,
                         float lr, float beta1, float beta2, float eps, long step, float gradScale, float decay) {
        float stepSize = (float) (lr / (1 - Math.pow(beta1, step)));
        float bc2Sqrt = (float) Math.sqrt(1 - Math.pow(beta2, step));
        float omb1 = 1f - beta1, omb2 = 1f - beta2;
        forBlocks(n, 8, (i0, i1) -> adamBlock(i0, i1, p, pOff, g, gOff, m, mOff, v, vOff, beta1, beta2, omb1, omb2, eps,
                stepSize, bc2Sqrt, gradScale, decay));
    }

    /**
     * Adam over elements [i0, i1) (see {@link #adamStep}). A method of its own: as a lambda body C2 left the
     * vector calls un-inlined (boxed vectors, JFR: lanewiseTemplate/binaryOp under the lambda).
     */
    private static void adamBlock(int i0, int i1, float[] p, int pOff, float[] g, int gOff, float[] m, int mOff, float[] v, int vOff,
                                  float beta1, float beta2, float omb1, float omb2, float eps, float stepSize, float bc2Sqrt,
                                  float gradScale, float decay) {
        boolean writeG = gradScale != 1f; // ×1 changes nothing: skip the store
        int i = i0;
        for (; i + L <= i1; i += L) {
            FloatVector gv = FloatVector.fromArray(S, g, gOff + i).mul(gradScale);
            if (writeG) gv.intoArray(g, gOff + i);
            FloatVector mv = FloatVector.fromArray(S, m, mOff + i).mul(beta1).add(gv.mul(omb1));
            FloatVector vv = FloatVector.fromArray(S, v, vOff + i).mul(beta2).add(gv.mul(gv).mul(omb2));
            mv.intoArray(m, mOff + i);
            vv.intoArray(v, vOff + i);
            FloatVector denom = vv.sqrt().div(bc2Sqrt).add(eps);
            FloatVector.fromArray(S, p, pOff + i).sub(mv.mul(stepSize).div(denom)).mul(decay).intoArray(p, pOff + i);
        }
        for (; i < i1; i++) {
            float gi = g[gOff + i] * gradScale;
            if (writeG) g[gOff + i] = gi;
            float mi = m[mOff + i] * beta1 + gi * omb1;
            float vi = v[vOff + i] * beta2 + gi * gi * omb2;
            m[mOff + i] = mi;
            v[vOff + i] = vi;
            p[pOff + i] = (p[pOff + i] - mi * stepSize / ((float) Math.sqrt(vi) / bc2Sqrt + eps)) * decay;
        }
    }

    @Override
    public void axpy(int n, float a, float[] x, int xOff, float[] y, int yOff) {
        int bound = S.loopBound(n);
        FloatVector av = FloatVector.broadcast(S, a);
        int i = 0;
        for (; i < bound; i += L) {
            madd(av, FloatVector.fromArray(S, x, xOff + i), FloatVector.fromArray(S, y, yOff + i)).intoArray(y, yOff + i);
        }
        for (; i < n; i++) y[yOff + i] = madd(a, x[xOff + i], y[yOff + i]);
    }

    @Override
    public void scale(int n, float a, float[] x, int xOff) {
        int bound = S.loopBound(n);
        int i = 0;
        for (; i < bound; i += L) FloatVector.fromArray(S, x, xOff + i).mul(a).intoArray(x, xOff + i);
        for (; i < n; i++) x[xOff + i] *= a;
    }

    @Override
    public float dot(int n, float[] x, int xOff, float[] y, int yOff) {
        int i = 0;
        FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
        for (; i + 4 * L <= n; i += 4 * L) {
            a0 = madd(FloatVector.fromArray(S, x, xOff + i), FloatVector.fromArray(S, y, yOff + i), a0);
            a1 = madd(FloatVector.fromArray(S, x, xOff + i + L), FloatVector.fromArray(S, y, yOff + i + L), a1);
            a2 = madd(FloatVector.fromArray(S, x, xOff + i + 2 * L), FloatVector.fromArray(S, y, yOff + i + 2 * L), a2);
            a3 = madd(FloatVector.fromArray(S, x, xOff + i + 3 * L), FloatVector.fromArray(S, y, yOff + i + 3 * L), a3);
        }
        for (; i + L <= n; i += L) {
            a0 = madd(FloatVector.fromArray(S, x, xOff + i), FloatVector.fromArray(S, y, yOff + i), a0);
        }
        float s = sumLanes(a0.add(a1).add(a2.add(a3)));
        for (; i < n; i++) s = madd(x[xOff + i], y[yOff + i], s);
        return s;
    }

    @Override
    public float sum(int n, float[] x, int xOff) {
        int i = 0;
        FloatVector a0 = FloatVector.zero(S), a1 = a0;
        for (; i + 2 * L <= n; i += 2 * L) {
            a0 = a0.add(FloatVector.fromArray(S, x, xOff + i));
            a1 = a1.add(FloatVector.fromArray(S, x, xOff + i + L));
        }
        for (; i + L <= n; i += L) a0 = a0.add(FloatVector.fromArray(S, x, xOff + i));
        float s = sumLanes(a0.add(a1));
        for (; i < n; i++) s += x[xOff + i];
        return s;
    }
}
