package sparsecircuits.pruning.trace;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import sparsecircuits.model.gpt.Hook;
import sparsecircuits.model.train.TokenData;

/**
 * Top and bottom activating snippets of nodes over pretraining windows, at the quantiles the OpenAI viewer shows
 * (INTERP.md §1a): for fraction q, "top q" snippets are centred on tokens whose activation sits at the top q of all
 * tokens (rank ⌈q·N⌉ from the top), "bottom q" on tokens at rank ⌈q·N⌉ from the bottom.
 *
 * <p>Streaming, in two passes over the windows (so {@code batches} is iterated twice): the first finds each node's
 * thresholds, the second keeps, per node and quantile, the {@code perQuantile} tokens closest to the threshold on
 * its side, cutting their snippets while the window is at hand. Memory is per node, never per token: the
 * 1,024 most extreme values on each side (ranks up to that are exact) and a uniform reservoir of
 * 8,192 values (deeper ranks are the reservoir's quantile, exact when there are no more tokens than
 * that).
 */
public final class Snippets {

    /** The quantiles the OpenAI viewer shows: 0.1 %, 1 %, 10 %, 50 %. */
    public static final List<Double> FRACTIONS = List.of(0.001, 0.01, 0.1, 0.5);
    static final int EXACT = 1024, RESERVOIR = 8192;

    private Snippets() {
    }

    /** A node: a hook location and a channel of it. */
    public record Node(String location, int channel) {
    }

    /**
     * A token window around one token: {@code tokens[peak]} is the token the snippet was chosen for, {@code values} the
     * node's activation at every token of the window; {@code window} and {@code position} say where it came from
     * (the window's index in the stream and the token's position in it).
     */
    public record Snippet(int[] tokens, float[] values, int peak, long window, int position) {
        /** The activation at the chosen token. */
        public float value() {
            return values[peak];
        }
    }

    /** The snippets of one quantile: top ones (value descending) and bottom ones (ascending), with their thresholds. */
    public record Quantile(double fraction, float topThreshold, float bottomThreshold, List<Snippet> top, List<Snippet> bottom) {
    }

    /** Everything collected for one node, over {@code tokens} tokens. */
    public record NodeSnippets(Node node, long tokens, float min, float max, List<Quantile> quantiles) {
    }

    /**
     * Collects snippets of {@code nodes} over {@code batches} (each {@code batch} windows of equal length, row-major),
     * under {@code tracer}'s mask, with {@code radius} tokens either side of the chosen token (cut at the window's
     * ends).
     */
    public static Map<Node, NodeSnippets> collect(Tracer tracer, List<Node> nodes, Iterable<int[]> batches, int batch, int radius, int perQuantile) {
        return collect(tracer, nodes, batches, batch, radius, perQuantile, EXACT, RESERVOIR);
    }

    /** {@link #collect} with the sizes of the exact extremes and of the reservoir given (tests use small ones). */
    static Map<Node, NodeSnippets> collect(Tracer tracer, List<Node> nodes, Iterable<int[]> batches, int batch, int radius, int perQuantile,
                                           int exact, int reservoir) {
        if (batch < 1 || radius < 0 || perQuantile < 1) throw new IllegalArgumentException("batch and perQuantile must be >= 1, radius >= 0");
        Map<String, List<Integer>> byLocation = new LinkedHashMap<>();
        for (int i = 0; i < nodes.size(); i++) byLocation.computeIfAbsent(nodes.get(i).location(), k -> new ArrayList<>()).add(i);
        Stats[] stats = new Stats[nodes.size()];
        for (int i = 0; i < stats.length; i++) stats[i] = new Stats(i, exact, reservoir);

        // pass 1: counts, extremes, reservoir
        forEach(tracer, nodes, byLocation, batches, batch, (node, ch, d, c, tokens, t, b0) -> {
            Stats s = stats[node];
            for (int r = 0, n = d.length / c; r < n; r++) s.add(d[r * c + ch]);
        });
        for (Stats s : stats) {
            if (s.n == 0) throw new IllegalArgumentException("no tokens seen for " + nodes.get(s.node) + " (no windows, or no such location)");
        }
        // pass 2: the tokens nearest each threshold
        int q = FRACTIONS.size();
        Picker[][] pickers = new Picker[nodes.size()][2 * q];
        for (int i = 0; i < nodes.size(); i++) {
            for (int f = 0; f < q; f++) {
                pickers[i][2 * f] = new Picker(stats[i].top(FRACTIONS.get(f)), true, perQuantile);
                pickers[i][2 * f + 1] = new Picker(stats[i].bottom(FRACTIONS.get(f)), false, perQuantile);
            }
        }
        forEach(tracer, nodes, byLocation, batches, batch, (node, ch, d, c, tokens, t, b0) -> {
            for (int r = 0, n = d.length / c; r < n; r++) {
                float v = d[r * c + ch];
                for (Picker p : pickers[node]) {
                    if (p.wants(v, b0 * t + r)) p.add(v, b0 * t + r, snippet(d, c, ch, tokens, t, r, radius, b0));
                }
            }
        });
        Map<Node, NodeSnippets> out = new LinkedHashMap<>();
        for (int i = 0; i < nodes.size(); i++) {
            List<Quantile> qs = new ArrayList<>();
            for (int f = 0; f < q; f++) {
                Picker top = pickers[i][2 * f], bottom = pickers[i][2 * f + 1];
                qs.add(new Quantile(FRACTIONS.get(f), top.threshold, bottom.threshold, top.sorted(), bottom.sorted()));
            }
            out.put(nodes.get(i), new NodeSnippets(nodes.get(i), stats[i].n, stats[i].min, stats[i].max, qs));
        }
        return out;
    }

    /**
     * {@code batches} batches of {@code batch} training windows of {@code data} as model inputs (each window without
     * its last token, which only a loss needs), in the order training and the node means draw them. Drawn lazily, so
     * nothing but the current batch is held, and iterable again (for {@link #collect}'s second pass).
     */
    public static Iterable<int[]> pretraining(TokenData data, int batches, int batch) {
        if (batches < 1 || batch < 1) throw new IllegalArgumentException("batches and batch must be >= 1");
        return () -> new Iterator<>() {
            int i;

            @Override
            public boolean hasNext() {
                return i < batches;
            }

            @Override
            public int[] next() {
                if (i >= batches) throw new NoSuchElementException();
                int[] w = data.batch(i++, batch);
                int win = w.length / batch, t = win - 1;
                int[] in = new int[batch * t];
                for (int r = 0; r < batch; r++) System.arraycopy(w, r * win, in, r * t, t);
                return in;
            }
        };
    }

    private static Snippet snippet(float[] d, int c, int ch, int[] tokens, int t, int row, int radius, long firstWindow) {
        int w = row / t, p = row % t, from = Math.max(0, p - radius), to = Math.min(t, p + radius + 1);
        float[] vals = new float[to - from];
        for (int j = from; j < to; j++) vals[j - from] = d[(w * t + j) * c + ch];
        return new Snippet(Arrays.copyOfRange(tokens, w * t + from, w * t + to), vals, p - from, firstWindow + w, p);
    }

    /** Called per node with its location's activation {@code d [rows × c]}, the batch's tokens and the first window's index. */
    private interface Visit {
        void node(int node, int channel, float[] d, int c, int[] tokens, int t, long firstWindow);
    }

    private static void forEach(Tracer tracer, List<Node> nodes, Map<String, List<Integer>> byLocation, Iterable<int[]> batches, int batch, Visit visit) {
        long windows = 0;
        for (int[] tokens : batches) {
            if (tokens.length % batch != 0) throw new IllegalArgumentException(tokens.length + " tokens do not split into " + batch + " windows");
            int t = tokens.length / batch;
            long first = windows;
            Hook h = (name, x, ops) -> {
                List<Integer> ns = byLocation.get(name);
                if (ns == null) return x;
                for (int node : ns) visit.node(node, channel(nodes, node, x.cols(), name), x.data(), x.cols(), tokens, t, first);
                return x;
            };
            tracer.model().logitsAt(tokens, batch, new int[0], tracer.ops(), tracer.hook().then(h)); // activations only
            tracer.ops().recycle(); // the visits read the activations during the pass
            windows += batch;
        }
    }

    private static int channel(List<Node> nodes, int node, int width, String name) {
        int ch = nodes.get(node).channel();
        if (ch < 0 || ch >= width) throw new IllegalArgumentException("no channel " + ch + " at " + name + " (width " + width + ")");
        return ch;
    }

    /** Per node: count, min, max, the {@code exact} largest and smallest values, a reservoir sample. */
    private static final class Stats {
        final int node;
        final SplittableRandom rnd;
        final PriorityQueue<Float> high = new PriorityQueue<>(), low = new PriorityQueue<>(Comparator.reverseOrder());
        final float[] reservoir;
        final int exact;
        long n;
        float min = Float.POSITIVE_INFINITY, max = Float.NEGATIVE_INFINITY;

        Stats(int node, int exact, int reservoir) {
            this.node = node;
            this.exact = exact;
            this.reservoir = new float[reservoir];
            this.rnd = new SplittableRandom(0x5A1E5L + node); // fixed seeds: the same snippets every run
        }

        void add(float v) {
            if (n < reservoir.length) {
                reservoir[(int) n] = v;
            } else {
                long j = rnd.nextLong(n + 1);
                if (j < reservoir.length) reservoir[(int) j] = v;
            }
            n++;
            min = Math.min(min, v);
            max = Math.max(max, v);
            if (high.size() < exact) high.add(v);
            else if (v > high.peek()) {
                high.poll();
                high.add(v);
            }
            if (low.size() < exact) low.add(v);
            else if (v < low.peek()) {
                low.poll();
                low.add(v);
            }
        }

        long rank(double fraction) {
            return Math.max(1, Math.min(n, (long) Math.ceil(fraction * n)));
        }

        /** The value at rank ⌈fraction·n⌉ from the top. */
        float top(double fraction) {
            long r = rank(fraction);
            if (r <= high.size()) {
                Float[] h = high.toArray(new Float[0]);
                Arrays.sort(h, Comparator.reverseOrder());
                return h[(int) r - 1];
            }
            float[] s = sample();
            return s[(int) Math.min(s.length - 1, Math.floor((double) (n - r) / n * s.length))];
        }

        /** The value at rank ⌈fraction·n⌉ from the bottom. */
        float bottom(double fraction) {
            long r = rank(fraction);
            if (r <= low.size()) {
                Float[] l = low.toArray(new Float[0]);
                Arrays.sort(l);
                return l[(int) r - 1];
            }
            float[] s = sample();
            return s[(int) Math.min(s.length - 1, Math.floor((double) (r - 1) / n * s.length))];
        }

        private float[] sample() {
            float[] s = Arrays.copyOf(reservoir, (int) Math.min(n, reservoir.length));
            Arrays.sort(s);
            return s;
        }
    }

    /** Keeps the {@code size} tokens nearest a threshold on one side of it; ties go to the earlier token. */
    private static final class Picker {
        record Pick(float value, double distance, long order, Snippet snippet) {
        }

        final float threshold;
        final boolean top;
        final int size;
        // worst pick at the head: farthest, then latest
        final PriorityQueue<Pick> picks = new PriorityQueue<>(Comparator.comparingDouble(Pick::distance).thenComparingLong(Pick::order).reversed());

        Picker(float threshold, boolean top, int size) {
            this.threshold = threshold;
            this.top = top;
            this.size = size;
        }

        boolean wants(float v, long order) {
            if (top ? v < threshold : v > threshold) return false;
            if (picks.size() < size) return true;
            Pick worst = picks.peek();
            double dist = Math.abs((double) v - threshold);
            return dist < worst.distance() || (dist == worst.distance() && order < worst.order());
        }

        void add(float v, long order, Snippet s) {
            picks.add(new Pick(v, Math.abs((double) v - threshold), order, s));
            if (picks.size() > size) picks.poll();
        }

        List<Snippet> sorted() {
            List<Pick> ps = new ArrayList<>(picks);
            Comparator<Pick> byValue = Comparator.comparingDouble(Pick::value);
            ps.sort((top ? byValue.reversed() : byValue).thenComparingLong(Pick::order));
            List<Snippet> out = new ArrayList<>();
            for (Pick p : ps) out.add(p.snippet());
            return out;
        }
    }
}
