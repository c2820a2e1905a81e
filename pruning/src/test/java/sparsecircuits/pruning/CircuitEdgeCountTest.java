package sparsecircuits.pruning;

import org.junit.jupiter.api.Test;
import sparsecircuits.kernels.sparse.CsrMatrix;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Edges of a circuit are the nonzero weights whose input and output nodes are both kept. Counting them
 * through the row pattern and through the transposed pattern (which the pruner uses for fan-in) must
 * agree with a direct count on the dense matrix.
 */
class CircuitEdgeCountTest {

    @Test
    void edgesBetweenKeptNodesAgreeAcrossPatterns() {
        Random r = new Random(11);
        int out = 37, in = 53;
        float[] w = new float[out * in];
        for (int i = 0; i < w.length; i++) {
            w[i] = r.nextInt(8) == 0 ? (float) r.nextGaussian() : 0f;
        }
        boolean[] keptOut = new boolean[out], keptIn = new boolean[in];
        for (int o = 0; o < out; o++) keptOut[o] = r.nextBoolean();
        for (int i = 0; i < in; i++) keptIn[i] = r.nextInt(3) > 0;

        long direct = 0;
        for (int o = 0; o < out; o++) {
            for (int i = 0; i < in; i++) {
                if (keptOut[o] && keptIn[i] && w[o * in + i] != 0f) direct++;
            }
        }
        CsrMatrix csr = CsrMatrix.fromDenseThreshold(out, in, w, 0, 0f);
        long byRows = 0;
        for (int o = 0; o < out; o++) {
            if (!keptOut[o]) continue;
            for (int q = csr.rowPtr()[o]; q < csr.rowPtr()[o + 1]; q++) {
                if (keptIn[csr.colIdx()[q]]) byRows++;
            }
        }
        CsrMatrix.Transpose t = csr.transposePattern();
        long byColumns = 0;
        for (int i = 0; i < in; i++) {
            if (!keptIn[i]) continue;
            for (int q = t.rowPtr[i]; q < t.rowPtr[i + 1]; q++) {
                if (keptOut[t.colIdx[q]]) byColumns++;
            }
        }
        assertEquals(direct, byRows, "edges through the row pattern");
        assertEquals(direct, byColumns, "edges through the transposed pattern");
    }
}
