package sparsecircuits.present.viewer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sparsecircuits.autograd.param.Parameter;
import sparsecircuits.kernels.KernelProvider;
import sparsecircuits.kernels.Kernels;
import sparsecircuits.model.checkpoint.CheckpointException;
import sparsecircuits.model.checkpoint.ModelFiles;
import sparsecircuits.model.corpus.Corpus;
import sparsecircuits.model.gpt.Gpt;
import sparsecircuits.model.gpt.GptConfig;
import sparsecircuits.model.json.Json;
import sparsecircuits.model.tokenizer.BpeTrainer;
import sparsecircuits.model.tokenizer.ByteLevelBpe;
import sparsecircuits.model.tokenizer.TokenizerJson;
import sparsecircuits.model.train.TrainConfig;
import sparsecircuits.model.train.TrainRun;
import sparsecircuits.model.train.Trainer;
import sparsecircuits.pruning.circuit.CircuitFiles;
import sparsecircuits.pruning.circuit.CircuitSample;

/**
 * {@link CircuitPage#write} on a tiny model directory as training leaves one (weights, tokenizer, train-config.json)
 * and a mean-ablated circuit of it: the counts of circuit.json, live ablation and examples on, and for each way they
 * are off a reason in the library's terms (no CLI flag).
 */
class CircuitPageTest {
    static final GptConfig CFG = GptConfig.builder().vocabSize(512).nLayer(1).dModel(32).nHead(2).dHead(16).dMlp(64).blockSize(16).afrac(0.25).build();
    static final Kernels KERNELS = KernelProvider.get();

    @TempDir
    static Path tmp;
    static Path modelDir, circuitDir;
    static long nodes, edges;

    @BeforeAll
    static void modelAndCircuit() throws Exception {
        modelDir = Files.createDirectories(tmp.resolve("model"));
        List<String> docs = new ArrayList<>();
        Iterator<String> it = Corpus.synthetic(0).train().iterator();
        for (int i = 0; i < 60; i++) docs.add(it.next());
        ByteLevelBpe bpe = new BpeTrainer(CFG.vocabSize(), sparsecircuits.pruning.tasks.PaperTaskTargets.all()).train(docs); // the task targets single tokens, as training makes them
        TokenizerJson.save(bpe, modelDir.resolve(TrainRun.TOKENIZER));
        Gpt g = new Gpt(CFG, 3);
        for (Parameter p : g.parameterList()) if (p.isSparse()) p.sparsify(p.numel() / 4, 0);
        ModelFiles.save(g, modelDir);
        Files.writeString(modelDir.resolve(Trainer.TRAIN_CONFIG), Json.writePretty(TrainConfig.defaults().toJson()));

        circuitDir = tmp.resolve("circuit");
        CircuitSample.save(modelDir, circuitDir); // every third channel kept, mean-ablated, as a prune of if_equals would save it
        Map<?, ?> cj = (Map<?, ?>) Json.read(circuitDir.resolve(CircuitFiles.JSON));
        nodes = ((Number) cj.get("nodes")).longValue();
        edges = ((Number) cj.get("edges")).longValue();
        assertTrue(nodes > 0 && edges > 0, nodes + " nodes, " + edges + " edges");
    }

    static CircuitPage.Written write(Path model, CircuitPage.Settings s, String file) {
        return CircuitPage.write(model, circuitDir, Map.of(), s, tmp.resolve(file), KERNELS, msg -> { });
    }

    static Map<?, ?> block(Path page, String id) throws Exception {
        String html = Files.readString(page), open = "<script type=\"application/json\" id=\"" + id + "\">";
        int a = html.indexOf(open) + open.length();
        return (Map<?, ?>) Json.parse(html.substring(a, html.indexOf("</script>", a)));
    }

    @Test
    void writesThePageWithTheCircuitsCountsLiveAblationAndExamples() throws Exception {
        CircuitPage.Written w = write(modelDir, CircuitPage.Settings.of(8), "view.html");
        assertEquals(tmp.resolve("view.html"), w.file());
        assertEquals(nodes, w.nodes());
        assertEquals(edges, w.edges());
        assertNull(w.liveReason(), "live ablation on a tiny model");
        assertNull(w.examplesReason(), "examples on a model with its training config");
        assertTrue(Files.readString(w.file()).startsWith("<!DOCTYPE html>"));
        Map<?, ?> live = block(w.file(), ViewerHtml.LIVE_ID);
        assertEquals(true, live.get("enabled"));
        assertEquals(16, ((List<?>) live.get("prompts")).size(), "8 held-out pairs, both sides");
        assertEquals(true, block(w.file(), ViewerHtml.EXAMPLES_ID).get("enabled"));
        assertEquals(nodes, ((List<?>) block(w.file(), ViewerHtml.DATA_ID).get("nodes")).size());
        try (var s = Files.list(tmp)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().contains(".tmp")), "no temporary files left");
        }
    }

    @Test
    void saysWhyLiveAblationAndExamplesAreOffWithoutNamingAFlag() throws Exception {
        CircuitPage.Written none = write(modelDir, new CircuitPage.Settings(0, 0, 8, ModelJs.MAX_NONZEROS), "none.html");
        assertEquals("not asked for (0 held-out pairs)", none.liveReason());
        assertEquals("not asked for (0 pretraining windows)", none.examplesReason());
        assertEquals(nodes, none.nodes());
        assertEquals(false, block(none.file(), ViewerHtml.LIVE_ID).get("enabled"));
        assertEquals(none.liveReason(), block(none.file(), ViewerHtml.LIVE_ID).get("reason"), "the page says the same");

        CircuitPage.Written big = write(modelDir, new CircuitPage.Settings(8, 0, 8, 10), "big.html");
        assertTrue(big.liveReason().startsWith("the model has ") && big.liveReason().endsWith("more than the 10 the page embeds"), big.liveReason());

        // a model directory without its training config: the corpus is unknown, so no examples; live ablation still on
        Path bare = Files.createDirectories(tmp.resolve("bare"));
        for (String f : List.of(ModelFiles.CONFIG, ModelFiles.WEIGHTS, TrainRun.TOKENIZER)) Files.copy(modelDir.resolve(f), bare.resolve(f));
        CircuitPage.Written noCorpus = write(bare, CircuitPage.Settings.of(8), "bare.html");
        assertNull(noCorpus.liveReason());
        assertTrue(noCorpus.examplesReason().contains(Trainer.TRAIN_CONFIG), noCorpus.examplesReason());

        // without a tokenizer the task's prompts are unavailable: both off, saying so
        Path noTokenizer = Files.createDirectories(tmp.resolve("no-tokenizer"));
        for (String f : List.of(ModelFiles.CONFIG, ModelFiles.WEIGHTS, Trainer.TRAIN_CONFIG)) Files.copy(modelDir.resolve(f), noTokenizer.resolve(f));
        CircuitPage.Written noPrompts = write(noTokenizer, CircuitPage.Settings.of(8), "no-prompts.html");
        assertTrue(noPrompts.liveReason().startsWith("the task's held-out prompts are not available"), noPrompts.liveReason());
        assertEquals(noPrompts.liveReason(), noPrompts.examplesReason());

        for (CircuitPage.Written w : List.of(none, big, noCorpus, noPrompts)) {
            for (String r : new String[] {w.liveReason(), w.examplesReason()}) assertFalse(r != null && r.contains("--"), "a flag in: " + r);
        }
    }

    @Test
    void refusesACircuitOfAnotherModelAndWritesNothing() {
        Path other = tmp.resolve("other");
        ModelFiles.save(new Gpt(CFG, 9), other);
        CheckpointException e = assertThrows(CheckpointException.class, () -> write(other, CircuitPage.Settings.of(8), "foreign.html"));
        assertTrue(e.getMessage().contains("another model"), e.getMessage());
        assertFalse(Files.exists(tmp.resolve("foreign.html")));
        assertThrows(IllegalArgumentException.class, () -> new CircuitPage.Settings(-1, 0, 8, 1));
    }
}
