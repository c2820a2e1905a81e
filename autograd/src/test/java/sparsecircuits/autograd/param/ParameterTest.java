package sparsecircuits.autograd.param;

import org.junit.jupiter.api.Test;
import sparsecircuits.autograd.param.Parameter.BudgetClass;
import sparsecircuits.autograd.param.Parameter.SparsityRule;
import sparsecircuits.kernels.KernelProvider;
import sparsecircuits.kernels.Kernels;
import sparsecircuits.kernels.select.TopK;
import sparsecircuits.kernels.sparse.CsrMatrix;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;

class ParameterTest {
    private final Kernels kernels = KernelProvider.get();

    /** Values from a small set (many ties, some exact zeros) or Gaussian, by seed parity. */
    private static void fill(float[] a, long seed) {
        Random r = new Random(seed);
        boolean ties = (seed & 1) == 0;
        for (int i = 0; i < a.length; i++) {
            a[i] = ties ? (r.nextInt(7) - 3) * 0.25f : (float) r.nextGaussian();
        }
    }

    private static boolean[] pattern(CsrMatrix c) {
        boolean[] in = new boolean[c.rows() * c.cols()];
        for (int r = 0; r < c.rows(); r++) {
            for (int q = c.rowPtr()[r]; q < c.rowPtr()[r + 1]; q++) {
                in[r * c.cols() + c.colIdx()[q]] = true;
            }
        }
        return in;
    }

    @Test
    void sparsifyKeepsExactlyKWithMinimumPerNeuronAndZeroesTheRest() {
        qt().withExamples(400).forAll(integers().between(1, 12), integers().between(1, 12), integers().between(0, 4),
                integers().between(0, 1_000_000)).checkAssert((rows, cols, j, seed) -> {
            boolean byRows = (seed % 3) != 0;
            SparsityRule rule = byRows ? SparsityRule.MATRIX_ROWS : SparsityRule.MATRIX_COLUMNS;
            int neurons = byRows ? rows : cols;
            int size = byRows ? cols : rows;
            int n = rows * cols;
            int minK = Math.min(j * neurons, n);
            int k = minK + new Random(seed).nextInt(n - minK + 1);
            Parameter p = Parameter.sparse("w", rule, rows, cols);
            fill(p.value(), seed);
            float[] before = p.value().clone();
            p.sparsify(k, j);

            assertEquals(k, p.nnz());
            CsrMatrix c = p.csr();
            assertEquals(k, c.nnz());
            boolean[] in = pattern(c);
            int[] perNeuron = new int[neurons];
            for (int i = 0; i < n; i++) {
                if (in[i]) {
                    perNeuron[byRows ? i / cols : i % cols]++;
                    assertEquals(before[i], p.value()[i], "kept value changed at " + i);
                } else {
                    assertEquals(0f, p.value()[i], "value outside the pattern not zeroed at " + i);
                }
            }
            for (int u = 0; u < neurons; u++) {
                assertTrue(perNeuron[u] >= Math.min(j, size), "neuron " + u + " keeps " + perNeuron[u] + " < min(j, size)");
            }
            float[] dense = new float[n];
            c.toDense(dense, 0);
            assertArrayEquals(p.value(), dense, "CSR values equal the masked dense values");
        });
    }

    @Test
    void withoutMinimumTheKeptSetIsTheTopKByMagnitude() {
        qt().withExamples(300).forAll(integers().between(1, 10), integers().between(1, 10), integers().between(0, 1_000_000))
                .checkAssert((rows, cols, seed) -> {
                    int n = rows * cols;
                    int k = new Random(seed).nextInt(n + 1);
                    Parameter p = Parameter.sparse("wte", SparsityRule.VOCAB_OR_BIAS, rows, cols);
                    fill(p.value(), seed);
                    float[] before = p.value().clone();
                    p.sparsify(k, 4); // j is ignored without a neuron axis
                    boolean[] in = pattern(p.csr());
                    float minKept = Float.POSITIVE_INFINITY, maxDropped = -1f;
                    for (int i = 0; i < n; i++) {
                        if (in[i]) minKept = Math.min(minKept, Math.abs(before[i]));
                        else maxDropped = Math.max(maxDropped, Math.abs(before[i]));
                    }
                    assertEquals(k, p.nnz());
                    if (k > 0 && k < n) assertTrue(minKept >= maxDropped, minKept + " < " + maxDropped);
                });
    }

    @Test
    void impossibleMinimumIsAClearIllegalArgument() {
        Parameter p = Parameter.sparse("h.0.mlp.c_fc.weight", SparsityRule.MATRIX_ROWS, 8, 16);
        fill(p.value(), 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> p.sparsify(31, 4));
        assertTrue(e.getMessage().contains("h.0.mlp.c_fc.weight"), e.getMessage());
        assertTrue(e.getMessage().contains("j·neurons"), e.getMessage());
        p.sparsify(32, 4); // exactly j·neurons is fine
        assertEquals(32, p.nnz());

        Parameter q = Parameter.sparse("h.0.mlp.c_proj.weight", SparsityRule.MATRIX_COLUMNS, 16, 8);
        fill(q.value(), 4);
        assertThrows(IllegalArgumentException.class, () -> q.sparsify(31, 4));
        assertThrows(IllegalArgumentException.class, () -> q.sparsify(-1, 0));
        assertThrows(IllegalArgumentException.class,
                () -> Parameter.sparse("b", SparsityRule.MATRIX_ROWS, 16), "a neuron axis needs a 2-D weight");
    }

    @Test
    void kAtLeastNumelKeepsEverything() {
        Parameter p = Parameter.sparse("b", SparsityRule.VOCAB_OR_BIAS, 10);
        fill(p.value(), 5);
        float[] before = p.value().clone();
        p.sparsify(3, 0);
        assertEquals(3, p.nnz());
        p.value()[0] = 7f; // regrown by an optimizer step
        p.sparsify(10, 0);
        assertEquals(10, p.nnz());
        p.sparsify(1000, 4);
        assertEquals(10, p.nnz());
        assertEquals(10, p.csr().nnz());
        assertEquals(1.0, p.density());
        assertEquals(7f, p.value()[0]);
        assertEquals(1, p.csr().rows());
        assertFalse(before == p.value());
    }

    @Test
    void denseParametersAreNeverSparsified() {
        Parameter g = Parameter.dense("ln_f.weight", 8);
        Parameter bigram = Parameter.dense("bigram_table", 6, 6).excludeFromWeightDecay();
        assertEquals(Parameter.Kind.DENSE, g.kind());
        assertNull(g.rule());
        assertThrows(IllegalStateException.class, () -> g.sparsify(1, 0));
        assertThrows(IllegalStateException.class, () -> bigram.sparsify(1, 0));
        assertEquals(8, g.nnz());
        assertFalse(g.weightDecay(), "1-D parameters are not decayed");
        assertFalse(bigram.weightDecay(), "the bigram table is not decayed");
        assertTrue(Parameter.dense("w", 2, 3).weightDecay());
    }

    @Test
    void momentsAreDenseAndLazyAndZeroGradClears() {
        Parameter p = Parameter.sparse("w", SparsityRule.MATRIX_ROWS, 4, 5);
        assertFalse(p.hasMoments());
        assertEquals(20, p.m().length);
        assertEquals(20, p.v().length);
        assertSame(p.m(), p.m());
        assertTrue(p.hasMoments());
        java.util.Arrays.fill(p.grad(), 2f);
        p.zeroGrad();
        for (float x : p.grad()) assertEquals(0f, x);
        assertArrayEquals(new int[] {4, 5}, p.shape());
        assertEquals(BudgetClass.MATRIX, p.rule().budget());
    }

    @Test
    void csrForwardEqualsDenseMaskedProduct() {
        qt().withExamples(60).forAll(integers().between(1, 40), integers().between(1, 40), integers().between(1, 24),
                integers().between(0, 1_000_000)).checkAssert((rows, cols, n, seed) -> {
            Random r = new Random(seed);
            boolean byRows = r.nextBoolean();
            int neurons = byRows ? rows : cols;
            int j = Math.min(2, byRows ? cols : rows);
            int total = rows * cols;
            int k = Math.min(total, j * neurons + r.nextInt(total - Math.min(total, j * neurons) + 1));
            Parameter p = Parameter.sparse("w", byRows ? SparsityRule.MATRIX_ROWS : SparsityRule.MATRIX_COLUMNS, rows, cols);
            fill(p.value(), seed | 1);
            p.sparsify(k, j);
            float[] x = new float[cols * n];
            float[] dy = new float[rows * n];
            for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
            for (int i = 0; i < dy.length; i++) dy[i] = (float) r.nextGaussian();

            float[] ySparse = new float[rows * n], yDense = new float[rows * n];
            kernels.spmm(p.csr(), x, 0, n, ySparse, 0, false);
            kernels.gemmAB(rows, n, cols, p.value(), 0, x, 0, yDense, 0, false);
            assertClose(yDense, ySparse, "forward");

            float[] dxSparse = new float[cols * n], dxDense = new float[cols * n];
            kernels.spmmTransposed(p.csr(), dy, 0, n, dxSparse, 0, false);
            kernels.gemmAtB(cols, n, rows, p.value(), 0, dy, 0, dxDense, 0, false);
            assertClose(dxDense, dxSparse, "dX");
        });
    }

    private static void assertClose(float[] expected, float[] actual, String what) {
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 1e-4f * (1 + Math.abs(expected[i])), what + "[" + i + "]");
        }
    }
}
