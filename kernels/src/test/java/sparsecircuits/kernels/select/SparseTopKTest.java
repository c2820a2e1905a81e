package sparsecircuits.kernels.select;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SparseTopKTest {

    /** Few distinct magnitudes of both signs, so ties are everywhere. */
    private static float value(SplittableRandom r) {
        return (r.nextBoolean() ? 1 : -1) * r.nextInt(0, 6) * 0.25f;
    }

    @Test
    void holdingEveryEntryGivesTheDenseSelection() {
        qt().withExamples(300).forAll(longs().all()).checkAssert(seed -> {
            SplittableRandom r = new SplittableRandom(seed);
            int rows = r.nextInt(1, 12), cols = r.nextInt(1, 12), n = rows * cols;
            TopK.Neurons neurons = TopK.Neurons.values()[r.nextInt(3)];
            int j = r.nextInt(0, 4);
            int need = neurons == TopK.Neurons.NONE ? 0 : j * (neurons == TopK.Neurons.ROWS ? rows : cols);
            if (need > n) return;
            int k = r.nextInt(need, n + 1);
            float[] w = new float[n];
            int[] all = new int[n];
            for (int i = 0; i < n; i++) {
                w[i] = value(r);
                all[i] = i;
            }
            int[] dense = new int[k], sparse = new int[k];
            TopK.selectWithMinimum(w, 0, rows, cols, k, j, neurons, dense, 0);
            SparseTopK.select(w, all, n, rows, cols, k, j, neurons, sparse);
            assertArrayEquals(dense, sparse, "seed " + seed);
        });
    }

    /** The documented rule written the slow way: forced top per neuron, then the rest, by (|w| desc, flat index asc). */
    private static int[] oracle(float[] values, int[] flat, int rows, int cols, int k, int j, TopK.Neurons neurons) {
        int size = values.length;
        Comparator<Integer> order = Comparator.<Integer>comparingDouble(p -> -Math.abs(values[p])).thenComparingInt(p -> flat[p]);
        boolean[] kept = new boolean[size];
        int forced = 0;
        if (neurons != TopK.Neurons.NONE) {
            boolean byRow = neurons == TopK.Neurons.ROWS;
            int need = Math.min(j, byRow ? cols : rows);
            for (int q = 0; q < (byRow ? rows : cols); q++) {
                List<Integer> group = new ArrayList<>();
                for (int p = 0; p < size; p++) if ((byRow ? flat[p] / cols : flat[p] % cols) == q) group.add(p);
                group.sort(order);
                for (int b = 0; b < need; b++) kept[group.get(b)] = true;
                forced += need;
            }
        }
        List<Integer> rest = new ArrayList<>();
        for (int p = 0; p < size; p++) if (!kept[p]) rest.add(p);
        rest.sort(order);
        for (int b = 0; b < k - forced; b++) kept[rest.get(b)] = true;
        int[] out = new int[k];
        for (int p = 0, o = 0; p < size; p++) if (kept[p]) out[o++] = p;
        return out;
    }

    @Test
    void aPartialHoldingFollowsTheSameRule() {
        qt().withExamples(300).forAll(longs().all()).checkAssert(seed -> {
            SplittableRandom r = new SplittableRandom(seed);
            int rows = r.nextInt(1, 10), cols = r.nextInt(1, 10);
            TopK.Neurons neurons = TopK.Neurons.values()[r.nextInt(3)];
            int j = r.nextInt(0, 3);
            // hold every neuron's first min(j, size) entries so the rule can be met, plus random others
            List<Integer> held = new ArrayList<>();
            for (int i = 0; i < rows * cols; i++) {
                int row = i / cols, col = i % cols;
                boolean needed = neurons == TopK.Neurons.ROWS && col < j || neurons == TopK.Neurons.COLUMNS && row < j;
                if (needed || r.nextInt(3) == 0) held.add(i);
            }
            int size = held.size();
            int[] flat = held.stream().mapToInt(Integer::intValue).toArray();
            float[] values = new float[size];
            for (int p = 0; p < size; p++) values[p] = value(r);
            int need = neurons == TopK.Neurons.NONE ? 0 : j * (neurons == TopK.Neurons.ROWS ? rows : cols);
            if (need > size) return;
            int k = r.nextInt(need, size + 1);
            int[] got = new int[k];
            SparseTopK.select(values, flat, size, rows, cols, k, j, neurons, got);
            assertArrayEquals(oracle(values, flat, rows, cols, k, j, neurons), got, "seed " + seed);
        });
    }

    @Test
    void aNeuronHoldingTooFewEntriesIsRefused() {
        // 2 × 3, rows rule j = 2: row 1 holds only one entry
        float[] values = {1f, 2f, 3f, 4f};
        int[] flat = {0, 1, 2, 4};
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SparseTopK.select(values, flat, 4, 2, 3, 4, 2, TopK.Neurons.ROWS, new int[4]));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("row 1 holds 1"), e.getMessage());
    }
}
