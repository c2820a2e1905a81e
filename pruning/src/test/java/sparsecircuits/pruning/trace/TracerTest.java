package sparsecircuits.pruning.trace;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import sparsecircuits.autograd.graph.Tensor;
import sparsecircuits.autograd.param.Parameter;
import sparsecircuits.kernels.KernelProvider;
import sparsecircuits.model.gpt.Gpt;
import sparsecircuits.model.gpt.GptConfig;
import sparsecircuits.model.gpt.Hooks;
import sparsecircuits.pruning.circuit.CircuitFiles;
import sparsecircuits.pruning.loss.Choice;
import sparsecircuits.pruning.loss.TaskLoss;
import sparsecircuits.pruning.nodes.NodeLocation;
import sparsecircuits.pruning.nodes.NodeMask;
import sparsecircuits.pruning.nodes.NodeMeans;
import sparsecircuits.pruning.tasks.TaskTokens;

public class TracerTest {
    static final GptConfig CFG = GptConfig.builder().vocabSize(24).nLayer(2).dModel(32).dMlp(64).blockSize(8).build();

    /** A small sparse model with weights large enough to have opinions, and non-trivial norm gains. */
    public static Gpt model(GptConfig c, long seed) {
        Gpt g = new Gpt(c, seed);
        Random r = new Random(seed + 1);
        Set<Parameter> gains = Collections.newSetFromMap(new IdentityHashMap<>());
        for (int l = 0; l < c.nLayer(); l++) if (c.sink()) gains.add(g.block(l).sink());
        gains.add(g.finalNorm());
        for (Parameter p : g.parameterList()) {
            float[] v = p.value();
            if (p.isSparse()) {
                for (int i = 0; i < v.length; i++) v[i] *= 20;
                p.sparsify(p.numel() / 3, 0);
            } else if (gains.contains(p)) {
                for (int i = 0; i < v.length; i++) v[i] = 0.5f + r.nextFloat();
            }
        }
        return g;
    }

    static List<int[]> prompts(long seed, int... lengths) {
        Random r = new Random(seed);
        List<int[]> out = new ArrayList<>();
        for (int n : lengths) {
            int[] p = new int[n];
            for (int i = 0; i < n; i++) p[i] = r.nextInt(24);
            out.add(p);
        }
        return out;
    }

    static boolean differs(float[] a, float[] b, float by) {
        for (int i = 0; i < a.length; i++) if (Math.abs(a[i] - b[i]) > by) return true;
        return false;
    }

    @Test
    void patchingWithItsOwnValuesChangesNothingAndZerosChangeTheLogits() {
        Gpt g = model(CFG, 3);
        Tracer tr = Tracer.of(g, KernelProvider.get());
        List<int[]> ps = prompts(1, 5, 7, 5, 8);
        Tracer.Trace base = tr.run(ps, ".*");
        assertTrue(base.activations().keySet().containsAll(g.nodeHookNames()), "every node location is recorded");
        assertTrue(base.activations().containsKey("0.resid_in") && base.activations().containsKey("final_resid"));
        for (int i = 0; i < ps.size(); i++) {
            assertEquals(ps.get(i).length, base.get("0.mlp.post_act", i).length);
            assertEquals(64, base.get("0.mlp.post_act", i)[0].length);
        }
        for (String loc : List.of("0.mlp.post_act", "1.attn.v", "0.resid_mid", "1.mlp.resid_delta")) {
            Tracer.Trace same = tr.run(ps, Tracer.exactly(loc), Map.of(loc, base.activations().get(loc)));
            for (int i = 0; i < ps.size(); i++) assertArrayEquals(base.lastLogits().get(i), same.lastLogits().get(i), loc);

            List<float[][]> zeros = new ArrayList<>();
            for (int i = 0; i < ps.size(); i++) zeros.add(i == 1 ? null : new float[ps.get(i).length][base.get(loc, i)[0].length]);
            Tracer.Trace z = tr.run(ps, Tracer.exactly(loc), Map.of(loc, zeros));
            assertArrayEquals(new float[base.get(loc, 0)[0].length], z.get(loc, 0)[3], "the patch is what is recorded");
            assertArrayEquals(base.lastLogits().get(1), z.lastLogits().get(1), "an unpatched prompt is untouched");
            for (int i : new int[] {0, 2, 3}) assertTrue(differs(base.lastLogits().get(i), z.lastLogits().get(i), 1e-3f), loc + " zeroed must change the logits of prompt " + i);
        }
        assertThrows(IllegalArgumentException.class, () -> tr.run(ps, ".*", Map.of("0.attn.q", List.<float[][]>of(new float[1][1]))));
        assertThrows(IllegalArgumentException.class, () -> tr.run(List.of(new int[9]), ".*"));
    }

    static Map<String, float[]> randomGates(GptConfig c, long seed) {
        Random r = new Random(seed);
        Map<String, float[]> gates = new LinkedHashMap<>();
        for (NodeLocation l : NodeLocation.of(c)) {
            float[] v = new float[l.width()];
            for (int j = 0; j < v.length; j++) v[j] = r.nextInt(3) == 0 ? 1f : 0f;
            gates.put(l.hook(), v);
        }
        return gates;
    }

    static NodeMeans means(Gpt g) {
        Random r = new Random(5);
        List<int[]> bs = new ArrayList<>();
        for (int b = 0; b < 3; b++) {
            int[] t = new int[4 * 8];
            for (int i = 0; i < t.length; i++) t[i] = r.nextInt(24);
            bs.add(t);
        }
        return NodeMeans.compute(g, bs, 4, KernelProvider.get(), i -> { });
    }

    @Test
    void recordingUnderTheMaskGivesTheMaskedForwardsActivationsAndLogits() {
        Gpt g = model(CFG, 4);
        NodeMeans means = means(g);
        Map<String, float[]> gates = randomGates(CFG, 9);
        Tracer masked = Tracer.of(g, KernelProvider.get()).masked(gates, means, NodeMask.Ablation.MEAN);
        List<int[]> ps = prompts(2, 3, 5, 8);
        Tracer.Trace t = masked.run(ps, ".*");
        Map<String, Tensor> gs = new LinkedHashMap<>();
        gates.forEach((k, v) -> gs.put(k, Tensor.constant(v, v.length)));
        for (int i = 0; i < ps.size(); i++) {
            Hooks.Recorder rec = Hooks.recorder(".*");
            float[] logits = g.forward(ps.get(i), 1, masked.ops(), new NodeMask(gs, means, NodeMask.Ablation.MEAN).then(rec)).data();
            int n = ps.get(i).length, v = CFG.vocabSize();
            assertArrayEquals(Arrays.copyOfRange(logits, (n - 1) * v, n * v), t.lastLogits().get(i));
            for (Map.Entry<String, Tensor> e : rec.recorded().entrySet()) {
                float[][] got = t.get(e.getKey(), i);
                int c = e.getValue().cols();
                for (int r = 0; r < n; r++) assertArrayEquals(Arrays.copyOfRange(e.getValue().data(), r * c, (r + 1) * c), got[r], e.getKey());
            }
            // an ablated node holds its mean at every token
            float[][] q = t.get("1.attn.q", i);
            for (int ch = 0; ch < q[0].length; ch++) {
                if (gates.get("1.attn.q")[ch] == 0f) for (float[] row : q) assertEquals(means.of("1.attn.q")[ch], row[ch]);
            }
        }
        // the same last logits as the task loss under the same mask, prompts of repeated lengths included
        List<int[]> more = prompts(3, 6, 4, 6, 8, 4);
        List<TaskLoss.Sequence> seqs = new ArrayList<>();
        for (int[] p : more) seqs.add(new TaskLoss.Sequence(p, 1, 2, Choice.BINARY));
        float[][] expect = TaskLoss.lastLogits(g, seqs, masked.ops(), (b, n) -> masked.hook());
        Tracer.Trace m = masked.run(more, "final_resid");
        for (int i = 0; i < more.size(); i++) assertArrayEquals(expect[i], m.lastLogits().get(i));
        // a saved circuit's bundle replays the same mask
        Tracer fromBundle = Tracer.of(g, KernelProvider.get()).masked(new CircuitFiles.Loaded(Map.<String, Object>of("run", Map.of("ablation", "mean")), gates, means.all()));
        Tracer.Trace b = fromBundle.run(more, "final_resid");
        for (int i = 0; i < more.size(); i++) assertArrayEquals(expect[i], b.lastLogits().get(i));
        // ...and so does the unmasked model patched with the circuit's activations at every node location
        Tracer.Trace all = masked.run(more, ".*");
        Map<String, List<float[][]>> patches = new LinkedHashMap<>();
        for (String loc : g.nodeHookNames()) patches.put(loc, all.activations().get(loc));
        Tracer.Trace patched = Tracer.of(g, KernelProvider.get()).run(more, "final_resid", patches);
        Tracer.Trace unmasked = Tracer.of(g, KernelProvider.get()).run(more, "final_resid");
        for (int i = 0; i < more.size(); i++) {
            assertArrayEquals(expect[i], patched.lastLogits().get(i));
            assertTrue(differs(expect[i], unmasked.lastLogits().get(i), 1e-3f), "the mask must matter");
        }
    }

    @Test
    void classMeansAreTheLastTokenMeansOfEachClassAndTheirDifference() {
        Gpt g = model(CFG, 5);
        Tracer tr = Tracer.of(g, KernelProvider.get());
        List<int[]> a = prompts(4, 4, 6), b = prompts(5, 5, 5, 7);
        Map<String, Tracer.ClassMeans> m = tr.classMeans(a, b, "0\\.mlp\\..*");
        assertEquals(Set.of("0.mlp.act_in", "0.mlp.post_act", "0.mlp.resid_delta"), m.keySet());
        for (String loc : m.keySet()) {
            double[] ea = new double[m.get(loc).a().length], eb = new double[ea.length];
            for (int[] p : a) add(ea, last(g, tr, p, loc), 1.0 / a.size());
            for (int[] p : b) add(eb, last(g, tr, p, loc), 1.0 / b.size());
            for (int j = 0; j < ea.length; j++) {
                assertEquals(ea[j], m.get(loc).a()[j], 1e-5);
                assertEquals(eb[j], m.get(loc).b()[j], 1e-5);
                assertEquals(ea[j] - eb[j], m.get(loc).diff()[j], 1e-5);
            }
        }
    }

    @Test
    void classMeansOfATasksPairsTakeItsASidesAgainstItsBSidesCutToTheContext() {
        Gpt g = model(CFG, 5);
        Tracer tr = Tracer.of(g, KernelProvider.get());
        List<int[]> a = prompts(4, 4, 11), b = prompts(5, 5, 7);
        List<TaskTokens.TokenPair> pairs = List.of(new TaskTokens.TokenPair(a.get(0), 1, b.get(0), 2), new TaskTokens.TokenPair(a.get(1), 1, b.get(1), 2));
        Map<String, Tracer.ClassMeans> byPairs = tr.classMeans(pairs, "1\\.attn\\.q");
        Map<String, Tracer.ClassMeans> byLists = tr.classMeans(List.of(a.get(0), Arrays.copyOfRange(a.get(1), 3, 11)), b, "1\\.attn\\.q");
        assertArrayEquals(byLists.get("1.attn.q").a(), byPairs.get("1.attn.q").a());
        assertArrayEquals(byLists.get("1.attn.q").diff(), byPairs.get("1.attn.q").diff());
    }

    @Test
    void tokenTablesAgreeWithABruteForceSortForAnyTable() {
        qt().withExamples(50).forAll(integers().between(1, 40), integers().between(1, 6), integers().between(0, 50), longs().all()).checkAssert((v, d, n, seed) -> {
            Random r = new Random(seed);
            float[] table = new float[v * d];
            for (int i = 0; i < table.length; i++) table[i] = r.nextInt(4) == 0 ? 0f : (float) r.nextGaussian(); // ties at 0
            int ch = r.nextInt(d);
            for (boolean top : new boolean[] {true, false}) {
                List<Tracer.TokenWeight> got = Tracer.tokens(table, d, ch, n, top);
                List<Integer> ids = new ArrayList<>();
                for (int i = 0; i < v; i++) ids.add(i);
                ids.sort((x, y) -> {
                    int c = Float.compare(table[x * d + ch], table[y * d + ch]);
                    return c != 0 ? (top ? -c : c) : Integer.compare(x, y);
                });
                assertEquals(Math.min(n, v), got.size());
                for (int i = 0; i < got.size(); i++) {
                    assertEquals((int) ids.get(i), got.get(i).token());
                    assertEquals(table[ids.get(i) * d + ch], got.get(i).weight());
                }
            }
        });
    }

    static float[] last(Gpt g, Tracer tr, int[] p, String loc) {
        Hooks.Recorder rec = Hooks.recorder(java.util.regex.Pattern.quote(loc));
        g.forward(p, 1, tr.ops(), rec);
        Tensor x = rec.recorded().get(loc);
        return Arrays.copyOfRange(x.data(), (p.length - 1) * x.cols(), p.length * x.cols());
    }

    static void add(double[] s, float[] x, double w) {
        for (int j = 0; j < s.length; j++) s[j] += w * x[j];
    }

    /** One layer whose attention output is the heads' mixing weights: c_proj is the identity, v is patched one-hot. */
    @Test
    void theHeadsPatternIsTheForwardPassesAttentionWithTheSinkShareMissing() {
        Set<String> locs = new HashSet<>(GptConfig.LOCATIONS);
        locs.remove("attn_out");
        GptConfig c = GptConfig.builder().vocabSize(24).nLayer(1).dModel(16).dHead(8).dMlp(32).blockSize(8).afrac(0.5).afracLocations(locs).build();
        Gpt g = model(c, 6);
        Parameter qkv = g.block(0).qkv();
        float[] w = qkv.value();
        for (int i = 0; i < w.length; i++) w[i] *= 3;
        qkv.sparsify(qkv.numel() / 3, 0); // the same kept set, with the new values
        Parameter proj = g.block(0).attnOut();
        float[] pw = proj.value();
        Arrays.fill(pw, 0f);
        for (int i = 0; i < 16; i++) pw[i * 16 + i] = 1f;
        proj.sparsify(16, 0);
        Arrays.fill(g.block(0).attnOutBias().value(), 0f);
        float[] sink = g.block(0).sink().value();
        Tracer tr = Tracer.of(g, KernelProvider.get());
        int[] p = prompts(7, 8).get(0);
        float[][] oneHot = new float[8][16];
        for (int j = 0; j < 8; j++) for (int h = 0; h < 2; h++) oneHot[j][h * 8 + j] = 1f;
        Tracer.Trace t = tr.run(List.of(p), ".*", Map.of("0.attn.v", Collections.singletonList(oneHot)));
        float[][] mixed = t.get("0.attn.resid_delta", 0), q = t.get("0.attn.q", 0), k = t.get("0.attn.k", 0);
        boolean peaked = false, sinkSeen = false;
        for (int ch : new int[] {0, 5, 8, 15}) {
            Tracer.Attention a = tr.attention(p, 0, ch);
            int h = ch / 8;
            assertEquals(h, a.head());
            for (int i = 0; i < 8; i++) {
                double sum = 0;
                for (int j = 0; j < 8; j++) {
                    assertEquals(mixed[i][h * 8 + j], a.pattern()[i][j], 1e-6, "query " + i + " key " + j);
                    sum += a.pattern()[i][j];
                    if (a.pattern()[i][j] > 0.6) peaked = true;
                }
                assertEquals(1.0, sum + a.sink()[i], 1e-6);
                // double oracle: softmax over [sink, q·k/√8] of the recorded q and k
                double[] s = new double[i + 1];
                double max = sink[h], z;
                for (int j = 0; j <= i; j++) {
                    for (int e = 0; e < 8; e++) s[j] += (double) q[i][h * 8 + e] * k[j][h * 8 + e];
                    s[j] /= Math.sqrt(8);
                    max = Math.max(max, s[j]);
                }
                z = Math.exp(sink[h] - max);
                for (int j = 0; j <= i; j++) z += Math.exp(s[j] - max);
                assertEquals(Math.exp(sink[h] - max) / z, a.sink()[i], 1e-5);
                if (a.sink()[i] > 1e-3) sinkSeen = true;
                assertEquals((double) q[i][ch] * k[0][ch] / Math.sqrt(8), a.channelScores()[i][0], 1e-5);
            }
        }
        assertTrue(peaked, "the test model's attention should not be uniform");
        assertTrue(sinkSeen, "the sink should take a visible share somewhere");
        // the channels' scores add up to the head's scores
        Tracer.Attention[] byChannel = new Tracer.Attention[8];
        for (int ch = 0; ch < 8; ch++) byChannel[ch] = tr.attention(p, 0, ch);
        for (int i = 0; i < 8; i++) {
            for (int j = 0; j <= i; j++) {
                double s = 0;
                for (Tracer.Attention a : byChannel) s += a.channelScores()[i][j];
                double pj = byChannel[0].pattern()[i][j], p0 = byChannel[0].pattern()[i][0];
                if (pj > 1e-4 && p0 > 1e-4) assertEquals(Math.log(pj / p0), s - sumScores(byChannel, i, 0), 1e-3);
            }
        }
    }

    static double sumScores(Tracer.Attention[] as, int i, int j) {
        double s = 0;
        for (Tracer.Attention a : as) s += a.channelScores()[i][j];
        return s;
    }

    @Test
    void embeddingAndUnembeddingTokensAreTheColumnSortedByWeight() {
        Gpt g = model(CFG, 7);
        Tracer tr = Tracer.of(g, KernelProvider.get());
        for (Parameter table : List.of(g.tokenEmbedding(), g.unembedding())) {
            float[] w = table.value();
            boolean unembedding = table == g.unembedding();
            for (int ch : new int[] {0, 13, 31}) {
                Integer[] ids = new Integer[24];
                for (int i = 0; i < 24; i++) ids[i] = i;
                Arrays.sort(ids, (x, y) -> Float.compare(w[y * 32 + ch], w[x * 32 + ch]) != 0 ? Float.compare(w[y * 32 + ch], w[x * 32 + ch]) : Integer.compare(x, y));
                List<Tracer.TokenWeight> top = unembedding ? tr.unembeddingTokens(ch, 5, true) : tr.embeddingTokens(ch, 5, true);
                List<Tracer.TokenWeight> bottom = unembedding ? tr.unembeddingTokens(ch, 5, false) : tr.embeddingTokens(ch, 5, false);
                for (int i = 0; i < 5; i++) {
                    assertEquals((int) ids[i], top.get(i).token());
                    assertEquals(w[ids[i] * 32 + ch], top.get(i).weight());
                    float lo = w[bottom.get(i).token() * 32 + ch];
                    assertEquals(lo, bottom.get(i).weight());
                }
                // bottom: the 5 smallest, ascending
                for (int i = 0; i < 5; i++) {
                    int id = ids[23 - i];
                    assertEquals(w[id * 32 + ch], bottom.get(i).weight());
                }
            }
        }
        assertThrows(IllegalArgumentException.class, () -> tr.embeddingTokens(32, 5, true));
    }

    @Test
    void directEffectIsTheLogitChangeWhenTheNormScaleIsHeldFixed() {
        Gpt g = model(CFG, 8);
        Tracer tr = Tracer.of(g, KernelProvider.get());
        int[] p = prompts(8, 7).get(0);
        int n = p.length, ta = 3, tb = 17;
        String loc = "1.mlp.resid_delta"; // the last write: its only path to the logits is the direct one
        Tracer.Trace base = tr.run(List.of(p), Tracer.exactly(loc, "final_resid"));
        Tracer.DirectEffect[] de = tr.directEffects(p, loc, ta, tb);
        int checked = 0;
        for (int c = 0; c < 32; c++) {
            float a = base.get(loc, 0)[n - 1][c];
            assertEquals(a, de[c].activation());
            if (a == 0f) {
                assertEquals(0f, de[c].onA(), 0f);
                continue;
            }
            // move the node to a' with the same final residual magnitude: x_c = r + a -> r + a' = -x_c, so RMSNorm's scale is unchanged
            float r = base.get("final_resid", 0)[n - 1][c] - a, moved = -2 * r - a;
            float[][] patch = new float[n][];
            for (int i = 0; i < n; i++) patch[i] = base.get(loc, 0)[i].clone();
            patch[n - 1][c] = moved;
            float[] after = tr.run(List.of(p), "final_resid", Map.of(loc, Collections.singletonList(patch))).lastLogits().get(0);
            float[] before = base.lastLogits().get(0);
            double k = (moved - a) / a;
            assertEquals(k * de[c].onA(), after[ta] - before[ta], 1e-3 * (1 + Math.abs(k * de[c].onA())), "channel " + c);
            assertEquals(k * de[c].onB(), after[tb] - before[tb], 1e-3 * (1 + Math.abs(k * de[c].onB())), "channel " + c);
            assertEquals(de[c].onA() - de[c].onB(), de[c].onDifference(), 1e-6);
            checked++;
        }
        assertTrue(checked >= 4, "AbsTopK keeps 8 of 32 channels");
        // over final_resid the direct effects add up to the logit less the bigram table's part
        Tracer.DirectEffect[] fin = tr.directEffects(p, "final_resid", ta, tb);
        float[] bigram = g.bigramTable().value();
        double sa = 0, sb = 0;
        for (Tracer.DirectEffect e : fin) {
            sa += e.onA();
            sb += e.onB();
        }
        float[] logits = base.lastLogits().get(0);
        assertEquals(logits[ta] - bigram[p[n - 1] * 24 + ta], sa, 1e-4 * (1 + Math.abs(sa)));
        assertEquals(logits[tb] - bigram[p[n - 1] * 24 + tb], sb, 1e-4 * (1 + Math.abs(sb)));
        assertThrows(IllegalArgumentException.class, () -> tr.directEffects(p, "0.mlp.post_act", ta, tb));
    }
}
