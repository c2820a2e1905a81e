package sparsecircuits.kernels.select;

import sparsecircuits.kernels.ArgChecks;

/**
 * {@link TopK#selectWithMinimum}'s rule over only the entries a sparse tensor holds (issue 18's scalable recipe keeps
 * values for its kept pattern and regrowth candidates, never the whole {@code [rows × cols]} matrix): the
 * {@code min(j, neuron size)} largest |w| of every neuron among its held entries are forced in, then the largest
 * remaining |w|. Ties go to the lower flat index, as in {@link TopK}, so when every entry is held the kept set is
 * exactly {@link TopK#selectWithMinimum}'s.
 */
public final class SparseTopK {
    private SparseTopK() {
    }

    /**
     * Writes to {@code out[0, k)} the positions (into {@code values}/{@code flatIndex}, ascending) of the kept entries.
     *
     * @param values    the held values, {@code size} of them
     * @param flatIndex their flat indices {@code row · cols + col}, strictly ascending
     * @throws IllegalArgumentException when a neuron holds fewer than {@code min(j, neuron size)} entries, or the
     *                                  forced entries exceed k (lower j or raise the budget)
     */
    public static void select(float[] values, int[] flatIndex, int size, int rows, int cols, int k, int j, TopK.Neurons neurons,
            int[] out) {
        ArgChecks.nonNegative("size", size);
        ArgChecks.range("values", values, 0, size);
        ArgChecks.range("flatIndex", flatIndex, 0, size);
        if (k < 0 || k > size) throw new IllegalArgumentException("k must be in [0, held = " + size + "], got " + k);
        ArgChecks.range("out", out, 0, k);
        boolean[] forced = new boolean[size];
        int forcedCount = 0;
        if (neurons != TopK.Neurons.NONE && j > 0) {
            boolean byRow = neurons == TopK.Neurons.ROWS;
            int count = byRow ? rows : cols, need = Math.min(j, byRow ? cols : rows);
            if ((long) j * count > k) { // TopK's check, so that both refuse the same budgets
                throw new IllegalArgumentException("minimum-per-neuron rule cannot be met: j·neurons = " + j + "·" + count
                        + " = " + ((long) j * count) + " > k = " + k + " (lower j or raise the budget)");
            }
            // positions grouped by neuron, each group in ascending flat index (a stable counting sort; rows already are)
            int[] start = new int[count + 1];
            for (int p = 0; p < size; p++) start[neuron(flatIndex[p], cols, byRow) + 1]++;
            for (int q = 0; q < count; q++) start[q + 1] += start[q];
            int[] grouped = new int[size], fill = start.clone();
            for (int p = 0; p < size; p++) grouped[fill[neuron(flatIndex[p], cols, byRow)]++] = p;
            int[] best = new int[need];
            for (int q = 0; q < count; q++) {
                int from = start[q], to = start[q + 1];
                if (to - from < need) {
                    throw new IllegalArgumentException((byRow ? "row " : "column ") + q + " holds " + (to - from)
                            + " entries, fewer than the " + need + " the minimum-per-neuron rule keeps");
                }
                int filled = 0;
                for (int g = from; g < to; g++) { // the best `need` so far, by magnitude; earlier (lower index) first on ties
                    int p = grouped[g];
                    if (filled == need && !above(values, p, best[need - 1])) continue;
                    int pos = filled < need ? filled++ : need - 1;
                    while (pos > 0 && above(values, p, best[pos - 1])) {
                        best[pos] = best[pos - 1];
                        pos--;
                    }
                    best[pos] = p;
                }
                for (int b = 0; b < need; b++) forced[best[b]] = true;
                forcedCount += need;
            }
        }
        int rest = k - forcedCount, free = size - forcedCount;
        float[] freeValues = new float[free];
        int[] freePosition = new int[free];
        for (int p = 0, f = 0; p < size; p++) {
            if (forced[p]) continue;
            freeValues[f] = values[p];
            freePosition[f++] = p;
        }
        int[] chosen = new int[rest];
        TopK.select(freeValues, 0, free, rest, chosen, 0); // ascending positions; ties to the lower one, i.e. lower flat index
        int o = 0, c = 0;
        for (int p = 0; p < size; p++) {
            boolean take = forced[p] || c < rest && freePosition[chosen[c]] == p;
            if (!forced[p] && take) c++;
            if (take) out[o++] = p;
        }
    }

    private static int neuron(int flat, int cols, boolean byRow) {
        return byRow ? flat / cols : flat % cols;
    }

    /** Whether the entry at position a ranks strictly above the one at b, by magnitude alone (a comes later in its group). */
    private static boolean above(float[] values, int a, int b) {
        return (Float.floatToRawIntBits(values[a]) & 0x7fffffff) > (Float.floatToRawIntBits(values[b]) & 0x7fffffff);
    }
}
