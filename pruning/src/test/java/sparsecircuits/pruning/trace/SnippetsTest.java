package sparsecircuits.pruning.trace;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import sparsecircuits.autograd.graph.Tensor;
import sparsecircuits.kernels.KernelProvider;
import sparsecircuits.model.gpt.Gpt;
import sparsecircuits.model.gpt.Hooks;
import sparsecircuits.model.train.TokenData;

class SnippetsTest {
    static final int BATCH = 16, T = 8, RADIUS = 3, PER = 5;

    static List<int[]> windows(int batches, long seed) {
        Random r = new Random(seed);
        List<int[]> out = new ArrayList<>();
        for (int b = 0; b < batches; b++) {
            int[] t = new int[BATCH * T];
            for (int i = 0; i < t.length; i++) t[i] = r.nextInt(24);
            out.add(t);
        }
        return out;
    }

    /** Every token's activation of one node, in stream order, from the same batches through the plain forward. */
    static float[] brute(Gpt g, Tracer tr, List<int[]> bs, String loc, int ch) {
        float[] out = new float[bs.size() * BATCH * T];
        for (int b = 0; b < bs.size(); b++) {
            Hooks.Recorder rec = Hooks.recorder(java.util.regex.Pattern.quote(loc));
            g.forward(bs.get(b), BATCH, tr.ops(), rec);
            Tensor x = rec.recorded().get(loc);
            for (int r = 0; r < BATCH * T; r++) out[b * BATCH * T + r] = x.data()[r * x.cols() + ch];
        }
        return out;
    }

    @Test
    void snippetsSitAtTheExactQuantilesAreOrderedAndTheirWindowsAreCentredWithinBounds() {
        Gpt g = TracerTest.model(TracerTest.CFG, 12);
        Tracer tr = Tracer.of(g, KernelProvider.get());
        List<int[]> bs = windows(6, 1);
        List<Snippets.Node> nodes = List.of(new Snippets.Node("0.mlp.post_act", 5), new Snippets.Node("1.attn.q", 3),
                new Snippets.Node("0.mlp.post_act", 40), new Snippets.Node("1.resid_mid", 7));
        Map<Snippets.Node, Snippets.NodeSnippets> got = Snippets.collect(tr, nodes, bs, BATCH, RADIUS, PER);
        assertEquals(nodes, List.copyOf(got.keySet()));
        for (Snippets.Node node : nodes) {
            float[] all = brute(g, tr, bs, node.location(), node.channel());
            int n = all.length;
            float[] sorted = all.clone();
            Arrays.sort(sorted);
            Snippets.NodeSnippets s = got.get(node);
            assertEquals(n, s.tokens());
            assertEquals(sorted[0], s.min());
            assertEquals(sorted[n - 1], s.max());
            float prevTop = Float.POSITIVE_INFINITY, prevBottom = Float.NEGATIVE_INFINITY;
            for (Snippets.Quantile q : s.quantiles()) {
                int r = (int) Math.max(1, Math.ceil(q.fraction() * n));
                assertEquals(sorted[n - r], q.topThreshold(), node + " top " + q.fraction());
                assertEquals(sorted[r - 1], q.bottomThreshold(), node + " bottom " + q.fraction());
                assertTrue(q.topThreshold() <= prevTop && q.bottomThreshold() >= prevBottom, "thresholds move inwards with the fraction");
                prevTop = q.topThreshold();
                prevBottom = q.bottomThreshold();
                check(all, bs, q.top(), q.topThreshold(), true, node);
                check(all, bs, q.bottom(), q.bottomThreshold(), false, node);
            }
        }
    }

    /** The picks are the PER tokens nearest the threshold on its side (ties: earlier), sorted by value, with their windows. */
    static void check(float[] all, List<int[]> bs, List<Snippets.Snippet> picks, float threshold, boolean top, Snippets.Node node) {
        List<Integer> eligible = new ArrayList<>();
        for (int i = 0; i < all.length; i++) if (top ? all[i] >= threshold : all[i] <= threshold) eligible.add(i);
        eligible.sort(Comparator.<Integer>comparingDouble(i -> Math.abs((double) all[i] - threshold)).thenComparingInt(i -> i));
        List<Integer> want = new ArrayList<>(eligible.subList(0, Math.min(PER, eligible.size())));
        List<Integer> have = new ArrayList<>();
        float prev = top ? Float.POSITIVE_INFINITY : Float.NEGATIVE_INFINITY;
        for (Snippets.Snippet s : picks) {
            int order = (int) (s.window() * T + s.position());
            have.add(order);
            assertEquals(all[order], s.value(), node.toString());
            assertTrue(top ? s.value() <= prev : s.value() >= prev, "sorted by value");
            prev = s.value();
            int from = Math.max(0, s.position() - RADIUS), to = Math.min(T, s.position() + RADIUS + 1);
            assertEquals(s.position() - from, s.peak(), "the chosen token is the centre, or as near as the window's ends allow");
            if (s.position() >= RADIUS && s.position() + RADIUS < T) assertEquals(RADIUS, s.peak());
            int[] w = bs.get((int) (s.window() / BATCH));
            int base = (int) (s.window() % BATCH) * T;
            assertArrayEquals(Arrays.copyOfRange(w, base + from, base + to), s.tokens());
            float[] vals = new float[to - from];
            for (int j = from; j < to; j++) vals[j - from] = all[(int) s.window() * T + j];
            assertArrayEquals(vals, s.values());
        }
        want.sort(null);
        have.sort(null);
        assertEquals(want, have, node + (top ? " top" : " bottom") + " at " + threshold);
    }

    @Test
    void pretrainingBatchesAreTheTrainingWindowsWithoutTheirLastTokenAndCanBeReadTwice() {
        int[] train = new int[400], val = new int[40];
        for (int i = 0; i < train.length; i++) train[i] = (i * 7) % 24;
        TokenData data = new TokenData(train, val, T, 3);
        Iterable<int[]> it = Snippets.pretraining(data, 3, 4);
        List<int[]> first = new ArrayList<>(), second = new ArrayList<>();
        it.forEach(first::add);
        it.forEach(second::add);
        assertEquals(3, first.size());
        for (int b = 0; b < 3; b++) {
            assertArrayEquals(first.get(b), second.get(b));
            int[] w = data.batch(b, 4);
            assertEquals(4 * T, first.get(b).length);
            for (int r = 0; r < 4; r++) assertArrayEquals(Arrays.copyOfRange(w, r * (T + 1), r * (T + 1) + T), Arrays.copyOfRange(first.get(b), r * T, (r + 1) * T));
        }
        // and they feed collect: every token counted once per pass
        Gpt g = TracerTest.model(TracerTest.CFG, 14);
        Snippets.Node node = new Snippets.Node("0.attn.act_in", 1);
        assertEquals(3 * 4 * T, Snippets.collect(Tracer.of(g, KernelProvider.get()), List.of(node), it, 4, 2, 3).get(node).tokens());
    }

    @Test
    void withASmallReservoirDeepQuantilesAreApproximateAndShallowOnesExact() {
        Gpt g = TracerTest.model(TracerTest.CFG, 13);
        Tracer tr = Tracer.of(g, KernelProvider.get());
        List<int[]> bs = windows(8, 2);
        Snippets.Node node = new Snippets.Node("0.resid_mid", 2); // dense: no ties at zero
        Snippets.NodeSnippets s = Snippets.collect(tr, List.of(node), bs, BATCH, RADIUS, PER, 16, 256).get(node);
        float[] all = brute(g, tr, bs, node.location(), node.channel());
        int n = all.length;
        float[] sorted = all.clone();
        Arrays.sort(sorted);
        for (Snippets.Quantile q : s.quantiles()) {
            int r = (int) Math.max(1, Math.ceil(q.fraction() * n));
            if (r <= 16) {
                assertEquals(sorted[n - r], q.topThreshold());
                assertEquals(sorted[r - 1], q.bottomThreshold());
            } else {
                // the reservoir's quantile: its rank in the full data within a few percent of the wanted one
                int rankTop = n - Arrays.binarySearch(sorted, q.topThreshold()), rankBottom = Arrays.binarySearch(sorted, q.bottomThreshold()) + 1;
                assertEquals(r, rankTop, 0.08 * n, "top " + q.fraction());
                assertEquals(r, rankBottom, 0.08 * n, "bottom " + q.fraction());
            }
            assertTrue(!q.top().isEmpty() && !q.bottom().isEmpty());
        }
    }
}
