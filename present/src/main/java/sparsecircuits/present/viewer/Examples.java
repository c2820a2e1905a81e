package sparsecircuits.present.viewer;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.IntFunction;
import sparsecircuits.present.export.CircuitGraph;
import sparsecircuits.pruning.loss.Choice;
import sparsecircuits.pruning.loss.TaskLoss;
import sparsecircuits.pruning.trace.Snippets;
import sparsecircuits.pruning.trace.Tracer;

/**
 * The examples block of the viewer page ({@code <script type="application/json" id="examples">}, INTERP.md §3.1
 * panels 5–7): per circuit node its pretraining snippets at the quantiles of {@link Snippets#FRACTIONS}, its class
 * A / class B means on the task, its direct effect on the two target logits, its token-space readouts, the attention
 * pattern of its head (q/k nodes), and its activation at every position of a few held-out task prompts. Every
 * activation is recorded by a {@link Tracer} masked by the circuit, so the numbers are those of the pruned circuit
 * (nodes outside it ablated), not of the full model.
 *
 * <h2>Schema</h2>
 * Numbers are rounded to 4 significant digits; "q8" is a base64 string of signed bytes, "u8" of unsigned bytes. A
 * q8 value {@code x} stands for {@code x / 127 · s} with the node's scale {@code s} (rounded up, so nothing is
 * clamped); a u8 value {@code x} for {@code x / 255}. Size: about 1.2–1.5 KB per node for 8 prompts of ~30 tokens
 * and the default settings (plus shared tables: token text, windows, head patterns).
 * <pre>
 * enabled   true (false: only "reason", a sentence saying why examples are off)
 * note      what the activations are (under the pruned circuit, ablation kind)
 * settings  {windows, window_tokens, radius, per_quantile, seed}: what was scanned
 * tokens_seen  pretraining tokens scanned per node
 * fractions [0.001, 0.01, 0.1, 0.5]: the quantiles, in the order of each node's "q"
 * text      {"token id": decoded text} for every token id used anywhere in the block (decoded once)
 * windows   {"window index": [offset, id, id, ...]}: the tokens of the pretraining windows that snippets come
 *           from, from position offset on (-1 where no snippet reaches)
 * prompts   [{tokens: [id...], targets: [correct, other] (null when the side has none), kind, class: "A"|"B",
 *           cut: tokens dropped on the left (only when the prompt was longer than the context)}]: the first
 *           held-out sequences of the task (those the live ablation embeds first), cut to the context as the task
 *           loss cuts them
 * heads     {"layer.head": {p: u8 lower triangle of the head's attention pattern on prompt 0, row-major
 *           (row i has i+1 entries), sink: u8 per query row}}
 * nodes     {node id: {
 *   lo, hi    the shared colour scale: min and max over the pretraining tokens and the embedded prompts
 *   s         the quantisation scale, max(|lo|, |hi|)
 *   min, max  over the pretraining tokens scanned
 *   q         per fraction [top threshold, bottom threshold, [top snippet...], [bottom snippet...]];
 *             snippet = [window, start, peak, value, q8 values]: tokens windows[window] from position start,
 *             one per value; the node's activation at them; peak = index of the chosen token; value = its exact
 *             activation (4 digits)
 *   p         q8 activations at every position of every embedded prompt, prompts concatenated in order (for the
 *             heat map and hover values; to 1/254 of the scale, which keeps a node within the size budget)
 *   cls       [class A mean, class B mean, A − B] of the last-token activation over the held-out sequences (B and
 *             A − B null when the task has no B side)
 *   de        resid_delta nodes: per embedded prompt [effect on the correct target's logit, on the other's]
 *             ({@link Tracer#directEffects}; null for a side without a target)
 *   emb, unemb  residual-width nodes (act_in, resid_delta): {top: [[id, weight]...], bottom: [...]}
 *   att       q/k nodes: {head: "layer.head", cs: scale, c: q8 lower triangle of the channel's own score
 *             contribution q[i,c]·k[j,c]/√d_head on prompt 0}
 * }}
 * </pre>
 * Deterministic: the same windows (a fixed data seed), the same prompts and the same model give the same block.
 */
public final class Examples {

    /** What to collect: snippet radius, snippets per quantile side, prompts embedded, tokens per token list. */
    public record Settings(int radius, int perQuantile, int prompts, int topTokens) {
        public static final Settings DEFAULT = new Settings(8, 2, 8, 5);

        public Settings {
            if (radius < 0 || perQuantile < 1 || prompts < 0 || topTokens < 0) {
                throw new IllegalArgumentException("radius, prompts and topTokens must be >= 0, perQuantile >= 1");
            }
        }
    }

    /** The pretraining windows to scan: {@code batches} batches of {@code batch} windows each (row-major token ids). */
    public record Windows(Iterable<int[]> batches, int count, int batch, long seed) {
    }

    /**
     * The most nodes {@code view} collects examples for: the snippet collector keeps ~2,000 extreme values per node in
     * memory and the block grows ~1.5 KB a node, so a larger circuit gets the examples off, with this reason.
     */
    public static final int MAX_NODES = 4000;

    private Examples() {
    }

    /** An examples block that is off, saying why. */
    public static Map<String, Object> off(String reason) {
        return ViewerHtml.off(reason);
    }

    /**
     * The examples block of {@code nodes} (a circuit's kept nodes).
     *
     * @param tracer   a tracer masked by the circuit ({@link Tracer#masked})
     * @param note     what the tracer's activations are, shown in the panel (e.g. "under the pruned circuit, ...")
     * @param decode   token id → text
     * @param windows  pretraining windows for the snippets
     * @param held     held-out task sequences (both sides of each pair, A then B, as {@link TaskLoss#sequences})
     * @param progress progress messages (may be called often)
     */
    public static Map<String, Object> compute(Tracer tracer, String note, List<CircuitGraph.Node> nodes, IntFunction<String> decode,
                                              Windows windows, List<TaskLoss.Sequence> held, Settings settings, Consumer<String> progress) {
        if (windows.count() < 1 || windows.batch() < 1) throw new IllegalArgumentException("examples need at least one batch of pretraining windows");
        int ctx = tracer.model().config().blockSize(), dModel = tracer.model().config().dModel();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("enabled", true);
        out.put("note", note);
        Map<String, Object> st = new LinkedHashMap<>();
        st.put("windows", (long) windows.count() * windows.batch());
        st.put("radius", (long) settings.radius());
        st.put("per_quantile", (long) settings.perQuantile());
        st.put("seed", windows.seed());
        out.put("settings", st);
        List<Object> fr = new ArrayList<>();
        for (double f : Snippets.FRACTIONS) fr.add(f);
        out.put("fractions", fr);
        TreeSet<Integer> used = new TreeSet<>();

        // pretraining snippets
        List<Snippets.Node> sn = new ArrayList<>();
        for (CircuitGraph.Node n : nodes) sn.add(new Snippets.Node(n.hook(), n.channel()));
        Map<Snippets.Node, Snippets.NodeSnippets> snippets = nodes.isEmpty() ? Map.of()
                : Snippets.collect(tracer, sn, counting(windows, progress), windows.batch(), settings.radius(), settings.perQuantile());
        long seen = snippets.isEmpty() ? 0 : snippets.values().iterator().next().tokens();
        out.put("tokens_seen", seen);
        st.put("window_tokens", windows.count() == 0 || seen == 0 ? 0L : seen / ((long) windows.count() * windows.batch()));

        // held-out prompts: classes, the embedded ones and their targets
        progress.accept("task prompts");
        List<int[]> classA = new ArrayList<>(), classB = new ArrayList<>(), embedded = new ArrayList<>();
        List<Object> prompts = new ArrayList<>();
        boolean nextB = false;
        for (int i = 0; i < held.size(); i++) {
            TaskLoss.Sequence s = held.get(i);
            int[] t = s.tokens().length <= ctx ? s.tokens() : Arrays.copyOfRange(s.tokens(), s.tokens().length - ctx, s.tokens().length);
            boolean a = switch (s.kind()) {
                case TARGET -> true;
                case AVOID -> false;
                case BINARY -> !nextB;
            };
            nextB = s.kind() == Choice.BINARY && !nextB;
            (a ? classA : classB).add(t);
            if (embedded.size() < settings.prompts()) {
                embedded.add(t);
                Map<String, Object> p = new LinkedHashMap<>();
                p.put("tokens", ints(t, used));
                if (t.length < s.tokens().length) p.put("cut", (long) (s.tokens().length - t.length));
                List<Object> targets = new ArrayList<>();
                targets.add(s.correct() >= 0 ? (Object) (long) s.correct() : null);
                targets.add(s.other() >= 0 ? (Object) (long) s.other() : null);
                if (s.correct() >= 0) used.add(s.correct());
                if (s.other() >= 0) used.add(s.other());
                p.put("targets", targets);
                p.put("kind", s.kind().name());
                p.put("class", a ? "A" : "B");
                prompts.add(p);
            }
        }
        out.put("prompts", prompts);
        Map<String, Boolean> hooks = new LinkedHashMap<>();
        for (CircuitGraph.Node n : nodes) hooks.put(n.hook(), true);
        String regex = Tracer.exactly(hooks.keySet().toArray(String[]::new));
        Tracer.Trace trace = embedded.isEmpty() || nodes.isEmpty() ? null : tracer.run(embedded, regex);
        Map<String, Tracer.ClassMeans> cls = classA.isEmpty() || nodes.isEmpty() ? Map.of()
                : tracer.classMeans(classA, classB.isEmpty() ? classA : classB, regex);

        // direct effects per resid_delta location and embedded prompt
        progress.accept("direct effects");
        Map<String, Tracer.DirectEffect[][]> direct = new LinkedHashMap<>();
        List<String> deltas = hooks.keySet().stream().filter(h -> h.endsWith(".resid_delta")).toList();
        if (!deltas.isEmpty() && !embedded.isEmpty()) {
            List<String> record = new ArrayList<>(deltas);
            record.add("final_resid");
            Tracer.Trace rt = tracer.run(embedded, Tracer.exactly(record.toArray(String[]::new))); // one pass for all
            for (String hook : deltas) {
                Tracer.DirectEffect[][] per = new Tracer.DirectEffect[embedded.size()][];
                for (int i = 0; i < embedded.size(); i++) {
                    TaskLoss.Sequence s = held.get(i);
                    int ta = s.correct() >= 0 ? s.correct() : s.other(), tb = s.other() >= 0 ? s.other() : s.correct();
                    if (ta >= 0) per[i] = tracer.directEffects(rt, i, hook, ta, tb);
                }
                direct.put(hook, per);
            }
        }

        // attention patterns (prompt 0) per head of a q/k node
        progress.accept("attention patterns");
        Map<String, Object> heads = new TreeMap<>();
        Map<String, Tracer.Attention> attention = new LinkedHashMap<>();
        List<String> qk = new ArrayList<>();
        for (CircuitGraph.Node n : nodes) {
            if (n.sublocation().equals("q") || n.sublocation().equals("k")) {
                for (String h : List.of(n.layer() + ".attn.q", n.layer() + ".attn.k")) if (!qk.contains(h)) qk.add(h);
            }
        }
        if (!embedded.isEmpty() && !qk.isEmpty()) {
            Tracer.Trace at = tracer.run(List.of(embedded.get(0)), Tracer.exactly(qk.toArray(String[]::new))); // one pass for all
            for (CircuitGraph.Node n : nodes) {
                if (!n.sublocation().equals("q") && !n.sublocation().equals("k")) continue;
                Tracer.Attention a = tracer.attention(at, 0, n.layer(), n.channel());
                attention.put(n.id(), a);
                String key = a.layer() + "." + a.head();
                if (!heads.containsKey(key)) {
                    Map<String, Object> hm = new LinkedHashMap<>();
                    hm.put("p", u8(lowerTriangle(a.pattern())));
                    hm.put("sink", u8(a.sink()));
                    heads.put(key, hm);
                }
            }
        }
        out.put("heads", heads);

        // per node
        progress.accept("assembling " + nodes.size() + " nodes");
        Map<Long, int[]> windowTokens = new TreeMap<>();
        int windowLength = (int) (long) (Long) st.get("window_tokens");
        Map<String, Object> nodeMap = new LinkedHashMap<>();
        for (int ni = 0; ni < nodes.size(); ni++) {
            CircuitGraph.Node n = nodes.get(ni);
            Snippets.NodeSnippets ns = snippets.get(sn.get(ni));
            Map<String, Object> m = new LinkedHashMap<>();
            float lo = ns.min(), hi = ns.max();
            float[] pv = new float[0];
            if (trace != null) {
                int total = 0;
                for (int i = 0; i < embedded.size(); i++) total += embedded.get(i).length;
                pv = new float[total];
                int k = 0;
                for (int i = 0; i < embedded.size(); i++) {
                    for (float[] row : trace.get(n.hook(), i)) pv[k++] = row[n.channel()];
                }
                for (float v : pv) {
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                }
            }
            float s = Math.max(Math.abs(lo), Math.abs(hi));
            m.put("lo", r4(lo));
            m.put("hi", r4(hi));
            m.put("s", r4Up(s));
            // quantise by the rounded scale, so the page's decoding uses exactly the s it reads
            double scale = ((Number) m.get("s")).doubleValue();
            m.put("min", r4(ns.min()));
            m.put("max", r4(ns.max()));
            List<Object> qs = new ArrayList<>();
            for (Snippets.Quantile q : ns.quantiles()) {
                List<Object> e = new ArrayList<>();
                e.add(r4(q.topThreshold()));
                e.add(r4(q.bottomThreshold()));
                e.add(snippets(q.top(), scale, windowTokens, windowLength, used));
                e.add(snippets(q.bottom(), scale, windowTokens, windowLength, used));
                qs.add(e);
            }
            m.put("q", qs);
            if (trace != null) m.put("p", q8(pv, scale));
            Tracer.ClassMeans c = cls.get(n.hook());
            if (c != null) {
                List<Object> e = new ArrayList<>();
                e.add(r4(c.a()[n.channel()]));
                e.add(classB.isEmpty() ? null : r4(c.b()[n.channel()]));
                e.add(classB.isEmpty() ? null : r4(c.diff()[n.channel()]));
                m.put("cls", e);
            }
            Tracer.DirectEffect[][] de = direct.get(n.hook());
            if (de != null) {
                List<Object> e = new ArrayList<>();
                for (int i = 0; i < de.length; i++) {
                    TaskLoss.Sequence seq = held.get(i);
                    List<Object> pair = new ArrayList<>();
                    Tracer.DirectEffect d = de[i] == null ? null : de[i][n.channel()];
                    pair.add(d == null || seq.correct() < 0 ? null : r4(d.onA()));
                    pair.add(d == null || seq.other() < 0 ? null : r4(seq.correct() >= 0 ? d.onB() : d.onA()));
                    e.add(pair);
                }
                m.put("de", e);
            }
            boolean residual = (n.sublocation().equals("act_in") || n.sublocation().equals("resid_delta")) && n.channel() < dModel;
            if (residual && settings.topTokens() > 0) {
                m.put("emb", tokenLists(tracer, n.channel(), settings.topTokens(), true, used));
                m.put("unemb", tokenLists(tracer, n.channel(), settings.topTokens(), false, used));
            }
            Tracer.Attention a = attention.get(n.id());
            if (a != null) {
                Map<String, Object> am = new LinkedHashMap<>();
                am.put("head", a.layer() + "." + a.head());
                float[] tri = lowerTriangle(a.channelScores());
                float cs = 0;
                for (float v : tri) cs = Math.max(cs, Math.abs(v));
                am.put("cs", r4Up(cs));
                am.put("c", q8(tri, ((Number) r4Up(cs)).doubleValue()));
                m.put("att", am);
            }
            nodeMap.put(n.id(), m);
        }
        Map<String, Object> wins = new LinkedHashMap<>();
        windowTokens.forEach((w, toks) -> {
            int a = 0, b = toks.length;
            while (a < b && toks[a] < 0) a++;
            while (b > a && toks[b - 1] < 0) b--;
            List<Object> l = new ArrayList<>(b - a + 1);
            l.add((long) a);
            for (int i = a; i < b; i++) l.add((long) toks[i]);
            wins.put(String.valueOf(w), l);
        });
        Map<String, Object> text = new LinkedHashMap<>();
        for (int id : used) {
            String t;
            try {
                t = decode.apply(id);
            } catch (RuntimeException e) {
                t = "#" + id;
            }
            text.put(String.valueOf(id), t);
        }
        out.put("text", text);
        out.put("windows", wins);
        out.put("nodes", nodeMap);
        return out;
    }

    private static List<Object> snippets(List<Snippets.Snippet> list, double scale, Map<Long, int[]> windowTokens, int windowLength,
                                         java.util.Set<Integer> used) {
        List<Object> out = new ArrayList<>();
        for (Snippets.Snippet s : list) {
            int start = s.position() - s.peak();
            int[] toks = windowTokens.computeIfAbsent(s.window(), w -> {
                int[] a = new int[Math.max(windowLength, start + s.tokens().length)];
                Arrays.fill(a, -1);
                return a;
            });
            if (toks.length < start + s.tokens().length) {
                int old = toks.length;
                toks = Arrays.copyOf(toks, start + s.tokens().length);
                Arrays.fill(toks, old, toks.length, -1);
                windowTokens.put(s.window(), toks);
            }
            for (int i = 0; i < s.tokens().length; i++) {
                toks[start + i] = s.tokens()[i];
                used.add(s.tokens()[i]);
            }
            List<Object> e = new ArrayList<>();
            e.add(s.window());
            e.add((long) start);
            e.add((long) s.peak());
            e.add(r4(s.value()));
            e.add(q8(s.values(), scale));
            out.add(e);
        }
        return out;
    }

    private static Map<String, Object> tokenLists(Tracer tracer, int channel, int n, boolean embedding, java.util.Set<Integer> used) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (boolean top : new boolean[] {true, false}) {
            List<Tracer.TokenWeight> tw = embedding ? tracer.embeddingTokens(channel, n, top) : tracer.unembeddingTokens(channel, n, top);
            List<Object> l = new ArrayList<>();
            for (Tracer.TokenWeight t : tw) {
                used.add(t.token());
                l.add(List.of((long) t.token(), r4(t.weight())));
            }
            m.put(top ? "top" : "bottom", l);
        }
        return m;
    }

    /** The windows' batches, reporting each batch drawn (the snippet collector reads them twice). */
    private static Iterable<int[]> counting(Windows w, Consumer<String> progress) {
        int[] pass = {0};
        return () -> {
            int p = ++pass[0];
            Iterator<int[]> it = w.batches().iterator();
            return new Iterator<>() {
                int i;

                @Override
                public boolean hasNext() {
                    return it.hasNext();
                }

                @Override
                public int[] next() {
                    progress.accept("snippets pass " + p + "/2, batch " + (++i) + "/" + w.count());
                    return it.next();
                }
            };
        };
    }

    private static List<Object> ints(int[] a, java.util.Set<Integer> used) {
        List<Object> l = new ArrayList<>(a.length);
        for (int v : a) {
            l.add((long) v);
            used.add(v);
        }
        return l;
    }

    private static float[] lowerTriangle(float[][] a) {
        int t = a.length;
        float[] out = new float[t * (t + 1) / 2];
        int k = 0;
        for (int i = 0; i < t; i++) for (int j = 0; j <= i; j++) out[k++] = a[i][j];
        return out;
    }

    /** {@code v} to 4 significant digits: a Long when whole, else a Double; null when not finite. */
    static Object r4(double v) {
        if (!Double.isFinite(v)) return null;
        if (v == 0) return 0L;
        double r = new BigDecimal(v).round(new MathContext(4)).doubleValue();
        return r == Math.rint(r) && Math.abs(r) < 1e15 ? (Object) (long) r : (Object) r;
    }

    /** A scale {@code v >= 0} rounded up to 4 significant digits (so no value it scales is clamped). */
    static Object r4Up(double v) {
        if (!Double.isFinite(v) || v <= 0) return 0L;
        double r = new BigDecimal(v).round(new MathContext(4, java.math.RoundingMode.UP)).doubleValue();
        return r == Math.rint(r) && Math.abs(r) < 1e15 ? (Object) (long) r : (Object) r;
    }

    /** Signed bytes {@code round(v / scale · 127)}, base64. */
    static String q8(float[] v, double scale) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) b[i] = (byte) quant(v[i], scale, 127);
        return Base64.getEncoder().encodeToString(b);
    }

    /** Unsigned bytes {@code round(v · 255)} of values in [0, 1], base64. */
    static String u8(float[] v) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) b[i] = (byte) Math.round(Math.max(0, Math.min(1, v[i])) * 255);
        return Base64.getEncoder().encodeToString(b);
    }

    private static int quant(float v, double scale, int max) {
        if (!(scale > 0) || !Float.isFinite(v)) return 0;
        long q = Math.round(v / scale * max);
        return (int) Math.max(-max, Math.min(max, q));
    }

    /** The inverse of {@link #q8} (for tests). */
    static float[] fromQ8(String b64, double scale) {
        byte[] b = Base64.getDecoder().decode(b64);
        float[] out = new float[b.length];
        for (int i = 0; i < b.length; i++) out[i] = (float) (b[i] / 127.0 * scale);
        return out;
    }
}
