package sparsecircuits.autograd.param;

import java.util.Arrays;
import sparsecircuits.kernels.Kernels;

/**
 * Regrowth candidates of one weight without its dense gradient: the {@code count} entries outside a given set (the
 * weight's kept pattern and current state) with the largest |∂W|, where ∂W = dYᵀ·X is computed a tile of output rows at
 * a time and only a bounded heap of the best entries is kept (issue 18's streamed regrowth).
 *
 * <p>Order: larger |g| first; equal |g| (including ±0) go to the lower flat index {@code row · in + col}. The result is
 * the exact top {@code count} of that total order over the full ∂W, whatever the tile size and thread count, because
 * each tile is the same product as the full one restricted to its rows (the GEMM kernels sum every output in a fixed
 * order, for any thread count).
 */
public final class GradientCandidates {
    private GradientCandidates() {
    }

    /**
     * Selected entries: flat indices ascending, with their gradients; and Σ g² over the whole ∂W (every entry, the
     * excluded ones too), summed tile by tile in row order: the scale of the dense gradient the paper recipe would
     * normalise by (see {@link sparsecircuits.autograd.optim.SparseAdam}).
     */
    public record Candidates(int[] index, float[] gradient, double sumSquares) {
        public int size() {
            return index.length;
        }
    }

    /**
     * @param n        rows of dY and X (tokens)
     * @param out      outputs: ∂W is {@code [out × in]}
     * @param dy       {@code [n × out]} output gradients, token-major
     * @param x        {@code [n × in]} layer inputs, token-major
     * @param excluded flat indices never returned (the entries the optimizer already holds), ascending
     * @param excludedCount how many of {@code excluded} are used
     * @param count    how many candidates to return (fewer when ∂W has fewer entries outside the set)
     * @param tileRows output rows per tile: besides dYᵀ, the memory held is {@code tileRows × in} floats and the heap
     */
    public static Candidates select(Kernels kernels, int n, int out, int in, float[] dy, int dyOff, float[] x, int xOff,
            int[] excluded, int excludedCount, int count, int tileRows) {
        if (n <= 0 || out <= 0 || in <= 0) throw new IllegalArgumentException("shape must be positive: n " + n + ", out " + out + ", in " + in);
        if (count < 0) throw new IllegalArgumentException("candidate count must be ≥ 0, got " + count);
        if (tileRows <= 0) throw new IllegalArgumentException("tile rows must be ≥ 1, got " + tileRows);
        if (excludedCount < 0 || excludedCount > excluded.length) throw new IllegalArgumentException("excluded count " + excludedCount);
        int room = (int) Math.min(count, (long) out * in - excludedCount);
        float[] dyT = new float[n * out]; // [out × n]: a tile's rows of dYᵀ are contiguous
        kernels.transpose(n, out, dy, dyOff, dyT, 0, false);
        Heap heap = new Heap(Math.max(0, room));
        float[] tile = new float[Math.min(tileRows, out) * in];
        double sumSquares = 0;
        for (int r0 = 0; r0 < out; r0 += tileRows) { // the product spreads each tile over the pool; the scan is cheap
            int rows = Math.min(tileRows, out - r0);
            kernels.gemmAB(rows, in, n, dyT, r0 * n, x, xOff, tile, 0, false);
            sumSquares += kernels.sumSquares(rows * in, tile, 0);
            if (room > 0) offer(heap, tile, 0, rows, in, r0, excluded, excludedCount);
        }
        return heap.sortedByIndex(sumSquares);
    }

    /**
     * The same selection over the rows that have a gradient, given whole (an embedding table: only the rows of tokens in
     * the batch have one; the other rows' entries are zero and are not candidates).
     *
     * @param rows     the rows that have a gradient, ascending
     * @param rowGrad  {@code [rows.length × cols]} their gradients
     */
    public static Candidates selectFromRows(int[] rows, float[] rowGrad, int cols, int[] excluded, int excludedCount, int count) {
        if (count < 0) throw new IllegalArgumentException("candidate count must be ≥ 0, got " + count);
        Heap heap = new Heap(count);
        double sumSquares = 0;
        for (int q = 0; q < rows.length; q++) {
            if (q > 0 && rows[q] <= rows[q - 1]) throw new IllegalArgumentException("rows must be ascending");
            offer(heap, rowGrad, q * cols, 1, cols, rows[q], excluded, excludedCount);
            for (int c = 0; c < cols; c++) sumSquares += (double) rowGrad[q * cols + c] * rowGrad[q * cols + c];
        }
        return heap.sortedByIndex(sumSquares);
    }

    /** Offers every entry of a tile (at {@code off}) whose flat index is not excluded. */
    private static void offer(Heap heap, float[] tile, int off, int rows, int in, int r0, int[] excluded, int excludedCount) {
        int first = r0 * in, end = first + rows * in;
        int e = Arrays.binarySearch(excluded, 0, excludedCount, first);
        if (e < 0) e = -e - 1;
        for (int flat = first; flat < end; flat++) {
            if (e < excludedCount && excluded[e] == flat) {
                e++;
                continue;
            }
            float g = tile[off + flat - first];
            heap.offer(Math.abs(g), flat, g);
        }
    }

    /**
     * A bounded min-heap of the best entries seen: the root is the worst kept one (smallest |g|, then largest index),
     * replaced when a better entry arrives.
     */
    private static final class Heap {
        final float[] magnitude;
        final int[] index;
        final float[] value;
        int size;

        Heap(int capacity) {
            magnitude = new float[capacity];
            index = new int[capacity];
            value = new float[capacity];
        }

        /** Whether entry a ranks below entry b (is worse). */
        private boolean worse(float ma, int ia, float mb, int ib) {
            return ma < mb || ma == mb && ia > ib;
        }

        void offer(float m, int i, float g) {
            if (size < magnitude.length) {
                int q = size++;
                magnitude[q] = m;
                index[q] = i;
                value[q] = g;
                up(q);
            } else if (magnitude.length > 0 && worse(magnitude[0], index[0], m, i)) {
                magnitude[0] = m;
                index[0] = i;
                value[0] = g;
                down(0);
            }
        }

        private void up(int q) {
            while (q > 0) {
                int parent = (q - 1) >>> 1;
                if (!worse(magnitude[q], index[q], magnitude[parent], index[parent])) break;
                swap(q, parent);
                q = parent;
            }
        }

        private void down(int q) {
            while (true) {
                int l = 2 * q + 1, r = l + 1, w = q;
                if (l < size && worse(magnitude[l], index[l], magnitude[w], index[w])) w = l;
                if (r < size && worse(magnitude[r], index[r], magnitude[w], index[w])) w = r;
                if (w == q) return;
                swap(q, w);
                q = w;
            }
        }

        private void swap(int a, int b) {
            float m = magnitude[a];
            magnitude[a] = magnitude[b];
            magnitude[b] = m;
            int i = index[a];
            index[a] = index[b];
            index[b] = i;
            float v = value[a];
            value[a] = value[b];
            value[b] = v;
        }

        Candidates sortedByIndex(double sumSquares) {
            Integer[] order = new Integer[size];
            for (int q = 0; q < size; q++) order[q] = q;
            Arrays.sort(order, (a, b) -> Integer.compare(index[a], index[b]));
            int[] idx = new int[size];
            float[] g = new float[size];
            for (int q = 0; q < size; q++) {
                idx[q] = index[order[q]];
                g[q] = value[order[q]];
            }
            return new Candidates(idx, g, sumSquares);
        }
    }
}
