package sparsecircuits.kernels;

import sparsecircuits.kernels.sparse.CsrMatrix;

/**
 * The kernels that have both a scalar and a vector version, as one provider runs them, with <b>no argument
 * checks</b>: {@link Kernels} checks every argument once and then calls here, so each method is the like-named
 * {@code Kernels} method with its arguments known good (same shapes, same results contract).
 *
 * <p>Two final implementations: {@link ScalarKernels} (the reference) and
 * {@code sparsecircuits.kernels.vector.VectorKernels} (loaded by {@link KernelProvider} only when
 * {@code jdk.incubator.vector} is present). Kernels with no vector version are not declared here; they are
 * {@link ScalarKernels} methods that {@link Kernels} calls directly, whatever the provider (its class Javadoc lists
 * them).
 */
public interface KernelImplementation {

    /** "vector" or "scalar". */
    String name();

    /** Width of one float vector in bits (32 for the scalar provider). */
    int vectorBitSize();

    /** Whether multiply-adds are fused (one rounding). */
    boolean usesFma();

    /** The worker pool this implementation splits its work over. */
    WorkerPool pool();

    void gemmABt(int m, int n, int k, float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, boolean accumulate);

    void gemmAB(int m, int n, int k, float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, boolean accumulate);

    void gemmAtB(int m, int n, int k, float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, boolean accumulate);

    void spmm(CsrMatrix w, float[] x, int xOff, int n, float[] y, int yOff, boolean accumulate);

    void spmmTransposed(CsrMatrix w, float[] dy, int dyOff, int n, float[] dx, int dxOff, boolean accumulate);

    void sddmm(CsrMatrix pattern, float[] dy, int dyOff, float[] x, int xOff, int n, float[] out, int outOff, boolean accumulate);

    void sparseLinear(int n, float[] x, int xOff, CsrMatrix w, float[] bias, int biasOff, float[] y, int yOff);

    void sparseLinearBackward(int n, float[] dy, int dyOff, CsrMatrix w, float[] dx, int dxOff);

    int csrRowPointers(int rows, int cols, float[] x, int xOff, int[] rowPtr);

    void csrFill(int rows, int cols, float[] x, int xOff, int[] rowPtr, int[] colIdx, float[] values);

    void rmsNormForward(int rows, int d, float[] x, int xOff, float[] gain, int gOff, float eps,
                        float[] y, int yOff, float[] rstd, int rOff);

    void rmsNormBackward(int rows, int d, float[] x, int xOff, float[] gain, int gOff, float[] rstd, int rOff,
                         float[] dy, int dyOff, float[] dx, int dxOff, float[] dgain, int dgOff);

    void geluForward(int n, float[] x, int xOff, float[] y, int yOff);

    void geluBackward(int n, float[] x, int xOff, float[] dy, int dyOff, float[] dx, int dxOff);

    void softmaxForward(int rows, int d, float[] x, int xOff, float[] y, int yOff);

    void softmaxBackward(int rows, int d, float[] y, int yOff, float[] dy, int dyOff, float[] dx, int dxOff);

    void absTopKForward(int rows, int d, int k, float[] x, int xOff, float[] y, int yOff, int[] kept, int keptOff);

    void nodeGateForward(int rows, int c, float[] x, int xOff, float[] g, int gOff, float[] base, int bOff, float[] y, int yOff);

    void nodeGateBackward(int rows, int c, float[] x, int xOff, float[] g, int gOff, float[] base, int bOff,
                          float[] dy, int dyOff, float[] dx, int dxOff, boolean overwriteDx, float[] dg, int dgOff);

    void attentionForward(int batch, int tokens, int heads, int dHead, int ld,
                          float[] q, int qOff, float[] k, int kOff, float[] v, int vOff,
                          float[] sink, int sinkOff, float[] probs, int pOff, float[] out, int oOff);

    void attentionBackward(int batch, int tokens, int heads, int dHead, int ld,
                           float[] q, int qOff, float[] k, int kOff, float[] v, int vOff,
                           float[] sink, int sinkOff, float[] probs, int pOff, float[] dOut, int dOff,
                           float[] dq, int dqOff, float[] dk, int dkOff, float[] dv, int dvOff,
                           float[] dsink, int dsOff);

    double crossEntropyForward(int rows, int vocab, float[] logits, int lOff, int[] targets, int tOff,
                               float[] losses, int lossOff);

    void crossEntropyBackward(int rows, int vocab, float[] logits, int lOff, int[] targets, int tOff,
                              float scale, float[] dlogits, int dOff);

    void adamStep(int n, float[] p, int pOff, float[] g, int gOff, float[] m, int mOff, float[] v, int vOff,
                  float lr, float beta1, float beta2, float eps, long step, float gradScale, float decay);

    void axpy(int n, float a, float[] x, int xOff, float[] y, int yOff);

    void transpose(int rows, int cols, float[] src, int srcOff, float[] dst, int dstOff, boolean accumulate);

    void scale(int n, float a, float[] x, int xOff);

    float dot(int n, float[] x, int xOff, float[] y, int yOff);

    float sum(int n, float[] x, int xOff);
}
