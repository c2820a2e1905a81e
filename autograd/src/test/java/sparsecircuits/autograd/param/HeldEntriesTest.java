package sparsecircuits.autograd.param;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import sparsecircuits.kernels.select.TopK;

class HeldEntriesTest {

    private static int[] all(int n) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) a[i] = i;
        return a;
    }

    @Test
    void holdingEveryEntryTheTopKIsThePaperRecipes() {
        qt().withExamples(200).forAll(longs().all()).checkAssert(seed -> {
            SplittableRandom r = new SplittableRandom(seed);
            int rows = r.nextInt(1, 9), cols = r.nextInt(1, 9), n = rows * cols;
            TopK.Neurons neurons = TopK.Neurons.values()[r.nextInt(3)];
            int j = neurons == TopK.Neurons.NONE ? 0 : r.nextInt(0, 3);
            int need = j * (neurons == TopK.Neurons.ROWS ? rows : cols);
            if (need > n) return;
            int k = r.nextInt(need, n + 1);
            float[] dense = new float[n];
            for (int i = 0; i < n; i++) dense[i] = (float) r.nextGaussian();
            HeldEntries held = HeldEntries.of(rows, cols, dense, all(n), n);
            float[] expected = dense.clone();
            int[] kept = new int[k];
            TopK.keepTopK(expected, 0, rows, cols, k, j, neurons, 0.9f, kept, 0);
            held.keepTopK(k, j, neurons, 0.9f);
            float[] got = new float[n];
            held.toDense(got, 0);
            assertArrayEquals(expected, got, "seed " + seed);
            assertArrayEquals(kept, held.keptFlat());
        });
    }

    @Test
    void regrowthKeepsTheKeptAndTheReselectedStateAndStartsNewCandidatesAtZero() {
        // 2 × 4; hold 0, 2, 3, 5, 6; keep 2 (3 and 6 have the largest values)
        float[] dense = {0.1f, 0, 0.2f, 0.9f, 0, 0.3f, 0.8f, 0};
        HeldEntries h = HeldEntries.of(2, 4, dense, new int[] {0, 2, 3, 5, 6}, 5);
        for (int q = 0; q < h.size(); q++) {
            h.m()[q] = q + 1;
            h.v()[q] = 10 * (q + 1);
        }
        h.keepTopK(2, 0, TopK.Neurons.NONE, 1f);
        assertArrayEquals(new int[] {3, 6}, h.keptFlat());
        // candidates 1 (new), 5 (held, not kept: keeps its moments), 7 (new); 0 and 2 are dropped
        h.regrow(new int[] {1, 5, 7}, 3);
        assertArrayEquals(new int[] {1, 3, 5, 6, 7}, h.flat());
        assertArrayEquals(new float[] {0, 0.9f, 0, 0.8f, 0}, h.value());
        assertArrayEquals(new float[] {0, 3, 4, 5, 0}, h.m());
        assertArrayEquals(new float[] {0, 30, 40, 50, 0}, h.v());
        assertArrayEquals(new int[] {1, 3}, h.keptPositions());
        assertArrayEquals(new int[] {3, 6}, h.keptFlat());
        assertEquals(5, h.csr().nnz());
        assertSame(h.value(), h.csr().values(), "the CSR matrix reads the held values");
        assertArrayEquals(new int[] {0, 2, 5}, h.csr().rowPtr());
        assertArrayEquals(new int[] {1, 3, 1, 2, 3}, java.util.Arrays.copyOf(h.csr().colIdx(), 5));
    }
}
