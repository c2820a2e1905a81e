package sparsecircuits.autograd.param;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import sparsecircuits.kernels.KernelProvider;
import sparsecircuits.kernels.Kernels;
import sparsecircuits.kernels.WorkerPool;

class GradientCandidatesTest {

    /** The documented order over the full ∂W (computed whole by the same kernels): top count, returned by index. */
    private static GradientCandidates.Candidates reference(Kernels k, int n, int out, int in, float[] dy, float[] x, int[] excluded, int count) {
        float[] dyT = new float[n * out];
        k.transpose(n, out, dy, 0, dyT, 0, false);
        float[] dw = new float[out * in];
        k.gemmAB(out, in, n, dyT, 0, x, 0, dw, 0, false);
        TreeSet<Integer> skip = new TreeSet<>();
        for (int e : excluded) skip.add(e);
        List<Integer> all = new ArrayList<>();
        for (int i = 0; i < dw.length; i++) if (!skip.contains(i)) all.add(i);
        all.sort(Comparator.<Integer>comparingDouble(i -> -Math.abs(dw[i])).thenComparingInt(i -> i));
        List<Integer> top = new ArrayList<>(all.subList(0, Math.min(count, all.size())));
        top.sort(null);
        int[] idx = top.stream().mapToInt(Integer::intValue).toArray();
        float[] g = new float[idx.length];
        for (int q = 0; q < idx.length; q++) g[q] = dw[idx[q]];
        double sumSquares = 0;
        for (float v : dw) sumSquares += (double) v * v;
        return new GradientCandidates.Candidates(idx, g, sumSquares);
    }

    private static float[] randoms(SplittableRandom r, int size, double zeroShare) {
        float[] a = new float[size];
        for (int i = 0; i < size; i++) a[i] = r.nextDouble() < zeroShare ? 0f : (float) r.nextGaussian();
        return a;
    }

    @Test
    void everyTileSizeGivesTheTopOfTheFullGradient() {
        for (Kernels k : List.of(KernelProvider.get(), KernelProvider.scalar(KernelProvider.get().pool()))) {
            qt().withExamples(60).forAll(longs().all()).checkAssert(seed -> {
                SplittableRandom r = new SplittableRandom(seed);
                int n = r.nextInt(1, 40), out = r.nextInt(1, 24), in = r.nextInt(1, 40);
                float[] dy = randoms(r, n * out, 0.6), x = randoms(r, n * in, 0.2); // AbsTopK-like zeros in dY
                TreeSet<Integer> held = new TreeSet<>();
                for (int e = r.nextInt(0, out * in / 2 + 1); e > 0; e--) held.add(r.nextInt(out * in));
                int[] excluded = held.stream().mapToInt(Integer::intValue).toArray();
                int count = r.nextInt(0, out * in + 2);
                GradientCandidates.Candidates want = reference(k, n, out, in, dy, x, excluded, count);
                for (int tile = 1; tile <= out; tile++) {
                    GradientCandidates.Candidates got = GradientCandidates.select(k, n, out, in, dy, 0, x, 0, excluded, excluded.length, count, tile);
                    assertArrayEquals(want.index(), got.index(), k + " tile " + tile + " seed " + seed);
                    assertArrayEquals(want.gradient(), got.gradient(), k + " tile " + tile);
                    // Σ g² of the whole ∂W, excluded entries too: the same floats summed in another grouping
                    assertEquals(want.sumSquares(), got.sumSquares(), 1e-12 * (1 + want.sumSquares()), k + " tile " + tile);
                }
            });
        }
    }

    @Test
    void tiesGoToTheLowerFlatIndexAndExcludedEntriesNeverReturn() {
        // one token: ∂W[r][c] = dy[r]·x[c]; equal magnitudes of both signs everywhere
        int out = 3, in = 4;
        float[] dy = {1f, -1f, 1f}, x = {2f, -2f, 2f, 1f};
        Kernels k = KernelProvider.get();
        GradientCandidates.Candidates c = GradientCandidates.select(k, 1, out, in, dy, 0, x, 0, new int[] {0, 5}, 2, 4, 2);
        // |g| = 2 at columns 0-2 of every row; excluded 0 and 5; the lowest four flat indices left: 1, 2, 4, 6
        assertArrayEquals(new int[] {1, 2, 4, 6}, c.index());
        assertArrayEquals(new float[] {-2f, 2f, -2f, -2f}, c.gradient());
        assertEquals(0, GradientCandidates.select(k, 1, out, in, dy, 0, x, 0, new int[] {0, 5}, 2, 0, 2).size());
        // Σ g² counts every entry, the excluded and the unselected ones: 3 rows × (4 + 4 + 4 + 1)
        assertEquals(39.0, c.sumSquares(), 0.0);
        assertEquals(39.0, GradientCandidates.select(k, 1, out, in, dy, 0, x, 0, new int[] {0, 5}, 2, 0, 2).sumSquares(), 0.0);
        assertEquals(10, GradientCandidates.select(k, 1, out, in, dy, 0, x, 0, new int[] {0, 5}, 2, 50, 2).size(), "all that is left");
    }

    @Test
    void theSameForAnyThreadCount() {
        SplittableRandom r = new SplittableRandom(3);
        int n = 96, out = 160, in = 72;
        float[] dy = randoms(r, n * out, 0.7), x = randoms(r, n * in, 0);
        try (WorkerPool one = new WorkerPool(1); WorkerPool three = new WorkerPool(3)) {
            GradientCandidates.Candidates a = GradientCandidates.select(KernelProvider.create(one), n, out, in, dy, 0, x, 0, new int[0], 0, 500, 7);
            GradientCandidates.Candidates b = GradientCandidates.select(KernelProvider.create(three), n, out, in, dy, 0, x, 0, new int[0], 0, 500, 64);
            assertArrayEquals(a.index(), b.index());
            assertArrayEquals(a.gradient(), b.gradient());
            GradientCandidates.Candidates c = GradientCandidates.select(KernelProvider.create(three), n, out, in, dy, 0, x, 0, new int[0], 0, 500, 7);
            assertEquals(a.sumSquares(), c.sumSquares(), 0.0, "same tiles, any thread count: the same sum");
        }
    }
}
