package sparsecircuits.model.gpt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import sparsecircuits.autograd.graph.Ops;
import sparsecircuits.autograd.graph.Tape;
import sparsecircuits.autograd.graph.Tensor;
import sparsecircuits.autograd.param.Parameter;
import sparsecircuits.kernels.KernelProvider;

class GptTest {
    static final GptConfig SMALL = GptConfig.builder().vocabSize(40).nLayer(2).dModel(32).blockSize(12).build();

    static int[] tokens(int n, int vocab, long seed) {
        java.util.Random r = new java.util.Random(seed);
        int[] t = new int[n];
        for (int i = 0; i < n; i++) t[i] = r.nextInt(vocab);
        return t;
    }

    @Test
    void shapesNamesAndInitialLoss() {
        Gpt g = new Gpt(SMALL, 1);
        Ops ops = new Ops(KernelProvider.get(), null);
        Tensor logits = g.forward(tokens(2 * 12, 40, 2), 2, ops, Hook.NONE);
        assertArrayEquals(new int[] {2, 12, 40}, logits.shape());
        float loss = g.loss(tokens(2 * 13, 40, 3), 2, ops, Hook.NONE).item();
        assertEquals(Math.log(40), loss, 0.1, "a fresh model predicts nearly uniformly");
        assertTrue(g.parameters().containsKey("transformer.h.1.attn.attn_imp.sink_logit"));
        assertTrue(g.parameters().containsKey("bigram_table"));
        assertEquals(16, g.nodeHookNames().size());
    }

    /** The typed accessors hand out the very parameters the checkpoint names (pruning reads weights through them). */
    @Test
    void typedAccessorsAreTheParametersOfTheReferenceNames() {
        for (GptConfig c : List.of(SMALL, GptConfig.builder().vocabSize(40).nLayer(2).dModel(32).nHead(2).dHead(16).dMlp(128).blockSize(12).afrac(1).afracLocations(Set.of()).sink(false).bigramTable(false).learnedPositions(true).build())) {
            Gpt g = new Gpt(c, 2);
            List<Parameter> typed = new ArrayList<>();
            typed.add(g.tokenEmbedding());
            if (c.learnedPositions()) typed.add(g.positionEmbedding());
            for (int l = 0; l < c.nLayer(); l++) {
                Gpt.Block b = g.block(l);
                String p = "transformer.h." + l + ".";
                assertEquals(p + "attn.c_attn.weight", b.qkv().name());
                assertEquals(p + "attn.c_proj.weight", b.attnOut().name());
                assertEquals(p + "mlp.c_fc.weight", b.mlpIn().name());
                assertEquals(p + "mlp.c_proj.weight", b.mlpOut().name());
                assertArrayEquals(new int[] {3 * c.attnWidth(), c.dModel()}, b.qkv().shape());
                typed.addAll(List.of(b.ln1(), b.qkv(), b.qkvBias(), b.attnOut(), b.attnOutBias()));
                if (c.sink()) typed.add(b.sink());
                else assertEquals(null, b.sink());
                typed.addAll(List.of(b.ln2(), b.mlpIn(), b.mlpInBias(), b.mlpOut(), b.mlpOutBias()));
            }
            typed.add(g.finalNorm());
            typed.add(g.unembedding());
            if (c.bigramTable()) typed.add(g.bigramTable());
            else assertEquals(null, g.bigramTable());
            if (!c.learnedPositions()) assertEquals(null, g.positionEmbedding());
            List<Parameter> all = g.parameterList();
            assertEquals(all.size(), typed.size(), "every parameter has exactly one accessor");
            for (int i = 0; i < all.size(); i++) assertTrue(all.get(i) == typed.get(i), all.get(i).name() + " in the reference order");
        }
        assertEquals("transformer.wte.weight", new Gpt(SMALL, 1).tokenEmbedding().name());
        assertEquals("lm_head.weight", new Gpt(SMALL, 1).unembedding().name());
        assertThrows(IllegalArgumentException.class, () -> new Gpt(SMALL, 1).block(2));
    }

    @Test
    void hooksRecordEveryNodeLocationTokenMajorAndReplaceChangesTheOutput() {
        Gpt g = new Gpt(SMALL, 1);
        Ops ops = new Ops(KernelProvider.get(), null);
        int[] in = tokens(2 * 12, 40, 4);
        Hooks.Recorder rec = Hooks.recorder("\\d+\\.(attn|mlp)\\..*");
        Tensor base = g.forward(in, 2, ops, rec);
        assertEquals(g.nodeHookNames().stream().sorted().toList(), rec.recorded().keySet().stream().sorted().toList());
        assertArrayEquals(new int[] {2, 12, 128}, rec.recorded().get("0.mlp.post_act").shape());
        assertArrayEquals(new int[] {2, 12, 32}, rec.recorded().get("1.attn.q").shape());
        // AbsTopK at q: 8 of 32 channels per token at most
        float[] q = rec.recorded().get("1.attn.q").data();
        for (int t = 0; t < 24; t++) {
            int nz = 0;
            for (int c = 0; c < 32; c++) if (q[t * 32 + c] != 0f) nz++;
            assertTrue(nz <= 8, "token " + t + " has " + nz + " nonzero q channels");
        }
        Tensor same = g.forward(in, 2, ops, Hooks.replace("0.mlp.resid_delta", x -> x));
        assertArrayEquals(base.data(), same.data(), 0f);
        Tensor zeroed = g.forward(in, 2, ops, Hooks.replace("0.mlp.resid_delta", x -> Tensor.constant(new float[x.numel()], x.shape())));
        assertNotEquals(base.data()[5], zeroed.data()[5]);
    }

    @Test
    void backwardReachesEveryParameterAndMatchesFiniteDifferences() {
        Gpt g = new Gpt(SMALL.withVocabSize(20), 7);
        int[] w = tokens(2 * 13, 20, 9);
        Tape tape = new Tape();
        Ops ops = new Ops(KernelProvider.get(), tape);
        Tensor loss = g.loss(w, 2, ops, Hook.NONE);
        tape.backward(loss);
        for (Parameter p : g.parameterList()) {
            double s = 0;
            for (float x : p.grad()) s += Math.abs(x);
            assertTrue(s > 0 && Double.isFinite(s), p.name() + " got no gradient");
        }
        // spot-check a few entries by central differences in float (h large enough for float noise)
        Ops free = new Ops(KernelProvider.get(), null);
        List<String> names = List.of("transformer.h.0.attn.c_attn.weight", "transformer.h.1.mlp.c_proj.weight",
                "transformer.h.0.attn.attn_imp.sink_logit", "bigram_table", "transformer.ln_f.weight");
        for (String n : names) {
            Parameter p = g.parameter(n);
            int[] idx = {0, p.numel() / 3, p.numel() - 1};
            for (int i : idx) {
                float save = p.value()[i];
                float h = 1e-2f;
                p.value()[i] = save + h;
                double up = g.loss(w, 2, free, Hook.NONE).item();
                p.value()[i] = save - h;
                double down = g.loss(w, 2, free, Hook.NONE).item();
                p.value()[i] = save;
                double fd = (up - down) / (2 * h);
                assertEquals(fd, p.grad()[i], 2e-3 + 0.05 * Math.abs(fd), n + "[" + i + "]");
            }
        }
    }

    @Test
    void sparseWeightsRunThroughCsrAndMatchDenseMasked() {
        Gpt g = new Gpt(SMALL, 3);
        for (Parameter p : g.parameterList()) if (p.isSparse()) p.sparsify(p.numel() / 8, 0);
        int[] in = tokens(2 * 12, 40, 5);
        Tensor csr = g.forward(in, 2, new Ops(KernelProvider.get(), null).sparseBelow(2), Hook.NONE);
        Tensor dense = g.forward(in, 2, new Ops(KernelProvider.get(), null).sparseBelow(0), Hook.NONE);
        for (int i = 0; i < csr.numel(); i++) assertEquals(dense.data()[i], csr.data()[i], 2e-4f, "logit " + i);
    }

    @Test
    void logitsAtThePositionsReadAreTheFullForwardsRowsAndTheirGradientsMatch() {
        Gpt g = new Gpt(SMALL, 4);
        for (Parameter p : g.parameterList()) if (p.isSparse()) p.sparsify(p.numel() / 8, 0);
        int[] in = tokens(3 * 12, 40, 9), positions = {11, 0, 35, 17, 11};
        Tape fullTape = new Tape(), rowTape = new Tape();
        Tensor full = g.forward(in, 3, new Ops(KernelProvider.get(), fullTape).sparseBelow(2), Hook.NONE);
        Tensor rows = g.logitsAt(in, 3, positions, new Ops(KernelProvider.get(), rowTape).sparseBelow(2), Hook.NONE);
        int v = SMALL.vocabSize();
        assertArrayEquals(new int[] {positions.length, v}, rows.shape());
        for (int i = 0; i < positions.length; i++) {
            for (int j = 0; j < v; j++) {
                assertEquals(full.data()[positions[i] * v + j], rows.data()[i * v + j], 1e-5f, "row " + i + " logit " + j);
            }
        }
        // the same seed through both: every parameter's gradient agrees
        float[] seedRows = new float[rows.numel()], seedFull = new float[full.numel()];
        java.util.Random r = new java.util.Random(3);
        for (int i = 0; i < positions.length; i++) {
            for (int j = 0; j < v; j++) {
                float w = (float) r.nextGaussian();
                seedRows[i * v + j] = w;
                seedFull[positions[i] * v + j] += w;
            }
        }
        rowTape.backward(rows, seedRows);
        Map<String, float[]> rowGrads = new java.util.HashMap<>();
        for (Parameter p : g.parameterList()) {
            rowGrads.put(p.name(), p.grad().clone());
            p.zeroGrad();
        }
        fullTape.backward(full, seedFull);
        for (Parameter p : g.parameterList()) {
            float[] a = p.grad(), b = rowGrads.get(p.name());
            for (int i = 0; i < a.length; i++) assertEquals(a[i], b[i], 1e-5f * (1 + Math.abs(a[i])), p.name() + "[" + i + "]");
        }
    }

    @Test
    void logitsAtNoPositionRunsTheHooksAndReturnsNoRowsAndABadPositionIsRefused() {
        Gpt g = new Gpt(SMALL, 4);
        int[] in = tokens(2 * 12, 40, 9);
        List<String> seen = new ArrayList<>();
        Tensor none = g.logitsAt(in, 2, new int[0], new Ops(KernelProvider.get(), null), (name, x, ops) -> {
            seen.add(name);
            return x;
        });
        assertArrayEquals(new int[] {0, SMALL.vocabSize()}, none.shape());
        assertEquals("final_resid", seen.get(seen.size() - 1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> g.logitsAt(in, 2, new int[] {3, 24}, new Ops(KernelProvider.get(), null), Hook.NONE));
        assertTrue(e.getMessage().contains("position 24"), e.getMessage());
    }

    @Test
    void inferenceOpsRecordNothingReuseTheirArraysAndGiveTheUntapedLogits() {
        Gpt g = new Gpt(SMALL, 6);
        for (Parameter p : g.parameterList()) if (p.isSparse()) p.sparsify(p.numel() / 8, 0);
        Ops inference = Ops.inference(KernelProvider.get()).sparseBelow(2);
        Tape pool = inference.tape();
        java.util.Set<float[]> logitArrays = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (int pass = 0; pass < 4; pass++) { // a later pass writes into the arrays of the one before
            int[] in = tokens(2 * 12, 40, 50 + pass);
            float[] expected = g.forward(in, 2, new Ops(KernelProvider.get(), null).sparseBelow(2), Hook.NONE).data();
            Tensor got = g.forward(in, 2, inference, Hook.NONE);
            assertArrayEquals(expected, got.data(), 0f, "pass " + pass);
            assertTrue(pool.nodes().isEmpty(), "inference ops recorded " + pool.nodes().size() + " nodes");
            logitArrays.add(got.data());
            inference.recycle();
        }
        // two ops output arrays of the logits' size (the unembedding and the bigram sum): pooled, never a fifth
        assertTrue(logitArrays.size() <= 2, logitArrays.size() + " distinct logits arrays over 4 passes: the pool is not reused");
        assertTrue(pool.recycles(), "inference ops take their arrays from a recycling pool");
    }

    @Test
    void aRecyclingTapeGivesTheSameResultsAsFreshArrays() {
        Gpt a = new Gpt(SMALL, 5), b = new Gpt(SMALL, 5);
        for (Gpt g : new Gpt[] {a, b}) for (Parameter p : g.parameterList()) if (p.isSparse()) p.sparsify(p.numel() / 10, 0);
        Tape recycling = new Tape(true);
        for (int step = 0; step < 3; step++) { // later steps reuse arrays holding the previous step's values
            int[] w = tokens(2 * 13, 40, 100 + step);
            Tape fresh = new Tape();
            float la = a.loss(w, 2, new Ops(KernelProvider.get(), fresh).sparseBelow(2), Hook.NONE).item();
            fresh.backward(fresh.nodes().get(fresh.nodes().size() - 1).output());
            Tensor lb = b.loss(w, 2, new Ops(KernelProvider.get(), recycling).sparseBelow(2), Hook.NONE);
            assertEquals(la, lb.item(), 0f, "loss at step " + step);
            recycling.backward(lb);
            recycling.clear();
            for (int i = 0; i < a.parameterList().size(); i++) {
                assertArrayEquals(a.parameterList().get(i).grad(), b.parameterList().get(i).grad(), 0f, a.parameterList().get(i).name());
            }
        }
    }

    @Test
    void finalLogitsBiasIsAddedWhenNonzero() {
        Gpt g = new Gpt(SMALL, 4);
        Ops ops = new Ops(KernelProvider.get(), null);
        int[] in = tokens(12, 40, 6);
        float[] base = g.forward(in, 1, ops, Hook.NONE).data();
        g.finalLogitsBias()[3] = 1.5f;
        float[] shifted = g.forward(in, 1, ops, Hook.NONE).data();
        for (int t = 0; t < 12; t++) {
            for (int v = 0; v < 40; v++) assertEquals(base[t * 40 + v] + (v == 3 ? 1.5f : 0f), shifted[t * 40 + v], 1e-5f);
        }
    }

    @Test
    void badInput() {
        Gpt g = new Gpt(SMALL, 1);
        Ops ops = new Ops(KernelProvider.get(), null);
        assertThrows(IllegalArgumentException.class, () -> g.forward(tokens(2 * 13, 40, 1), 2, ops, Hook.NONE), "longer than context");
        assertThrows(IllegalArgumentException.class, () -> g.forward(new int[] {1, 2, 99}, 1, ops, Hook.NONE));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GptConfig.builder().vocabSize(40).nLayer(2).dModel(30).nHead(4).dMlp(128).blockSize(12).afracLocations(Set.of())
                        .build());
        assertTrue(e.getMessage().contains("not divisible"), e.getMessage());
    }

    @Test
    void builderDefaultsAreSpecsMainModelAndDeriveHeadsAndMlpWidth() {
        GptConfig d = GptConfig.defaults();
        assertEquals(List.of(512, 2, 128, 8, 16, 512, 64, 0.25, Set.copyOf(GptConfig.LOCATIONS), true, true, false),
                List.of(d.vocabSize(), d.nLayer(), d.dModel(), d.nHead(), d.dHead(), d.dMlp(), d.blockSize(), d.afrac(),
                        d.afracLocations(), d.sink(), d.bigramTable(), d.learnedPositions()));
        GptConfig w = GptConfig.builder().dModel(48).build();
        assertEquals(List.of(3, 192), List.of(w.nHead(), w.dMlp()));
        assertEquals(SMALL, SMALL.toBuilder().build());
        GptConfig wider = SMALL.toBuilder().dModel(64).build(); // a copy keeps its heads and MLP width
        assertEquals(List.of(SMALL.nHead(), SMALL.dMlp()), List.of(wider.nHead(), wider.dMlp()));
        assertEquals(SMALL.toBuilder().vocabSize(77).build(), SMALL.withVocabSize(77));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GptConfig.builder().dModel(40).build());
        assertTrue(e.getMessage().contains("not a multiple of d_head 16"), e.getMessage());
        assertEquals(5, GptConfig.builder().dModel(40).nHead(5).dHead(8).build().nHead());
    }
}
