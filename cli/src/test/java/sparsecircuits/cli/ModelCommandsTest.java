package sparsecircuits.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import sparsecircuits.autograd.graph.Ops;
import sparsecircuits.model.checkpoint.ModelDirectory;
import sparsecircuits.model.checkpoint.ModelFiles;
import sparsecircuits.model.corpus.Corpus;
import sparsecircuits.model.gpt.Gpt;
import sparsecircuits.model.gpt.GptConfig;
import sparsecircuits.model.gpt.Hook;
import sparsecircuits.model.json.Json;
import sparsecircuits.model.tokenizer.BpeTrainer;
import sparsecircuits.model.tokenizer.ByteLevelBpe;
import sparsecircuits.model.tokenizer.TokenizerJson;
import sparsecircuits.model.train.TokenData;
import sparsecircuits.model.train.TrainConfig;

/** eval, sample and inspect on a tiny fresh model in a temporary directory. */
class ModelCommandsTest {
    static final int VOCAB = 300, BLOCK = 16;

    @TempDir
    static Path tmp;
    static Path modelDir;
    static Gpt model;

    @BeforeAll
    static void tinyModelDirectory() throws Exception {
        modelDir = Files.createDirectories(tmp.resolve("model"));
        List<String> docs = new ArrayList<>();
        Iterator<String> it = Corpus.synthetic(0).train().iterator();
        for (int i = 0; i < 60; i++) docs.add(it.next());
        ByteLevelBpe bpe = new BpeTrainer(VOCAB).train(docs);
        assertEquals(VOCAB, bpe.vocabSize());
        TokenizerJson.save(bpe, modelDir.resolve("tokenizer.json"));
        model = new Gpt(GptConfig.builder().vocabSize(VOCAB).nLayer(1).dModel(32).dMlp(64).blockSize(BLOCK).build(), 3);
        ModelFiles.save(model, modelDir);
    }

    static MainTest.Run run(String... args) {
        return MainTest.run(args);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> json(MainTest.Run r) {
        assertEquals(0, r.status(), r.toString());
        return (Map<String, Object>) Json.parse(r.out());
    }


    @Test
    void evalOfAFreshModelIsNearLnVocabAndPrintsTheBaselines() throws Exception {
        String m = modelDir.toString();
        Map<String, Object> j = json(run("eval", "--model", m, "--batches", "2", "--batch", "2", "--ngram-tokens", "5000", "--json"));
        double loss = (Double) j.get("loss");
        assertEquals(Math.log(VOCAB), loss, 0.3, "a fresh model predicts nearly uniformly");
        double uni = (Double) j.get("unigram_entropy"), bi = (Double) j.get("bigram_entropy");
        assertTrue(uni > 0 && uni < Math.log(VOCAB) && bi > 0 && bi < Math.log(VOCAB), j.toString());
        assertEquals(2L * 2 * BLOCK, ((Number) j.get("predicted_tokens")).longValue());
        assertEquals("synthetic Python (seed 0)", j.get("corpus"));
        // the same windows and mean as the trainer's validation loss
        ByteLevelBpe bpe = TokenizerJson.load(modelDir.resolve("tokenizer.json"));
        TokenData data = TokenData.build(Corpus.synthetic(0), bpe, BLOCK, 1, 2, 2 * 2 * (BLOCK + 1), 0);
        Ops ops = new Ops(Main.kernels().kernels(), null);
        double expected = (model.loss(data.validationBatch(0, 2), 2, ops, Hook.NONE).item()
                + model.loss(data.validationBatch(1, 2), 2, ops, Hook.NONE).item()) / 2;
        assertEquals(expected, loss, 1e-6);

        MainTest.Run text = run("eval", "--model", m, "--batches", "2", "--batch", "2", "--ngram-tokens", "5000");
        assertEquals(0, text.status(), text.toString());
        for (String s : List.of("loss ", "bigram ", "unigram ", "uniform ", "does not beat the bigram baseline")) {
            assertTrue(text.out().contains(s), s + " in " + text.out());
        }
        assertTrue(text.out().contains(String.format(java.util.Locale.ROOT, "%.4f", loss)), "same loss: " + text.out());
    }

    @Test
    void sampleIsDeterministicPerSeedAndStartsWithThePrompt() {
        String m = modelDir.toString();
        MainTest.Run a = run("sample", "--model", m, "--prompt", "def f(x):", "--tokens", "12", "--seed", "5");
        assertEquals(0, a.status(), a.toString());
        assertTrue(a.out().startsWith("def f(x):"), a.out());
        assertEquals(a.out(), run("sample", "--model", m, "--prompt", "def f(x):", "--tokens", "12", "--seed", "5").out());
        assertNotEquals(a.out(), run("sample", "--model", m, "--prompt", "def f(x):", "--tokens", "12", "--seed", "6").out());
        MainTest.Run greedy = run("sample", "--model", m, "--prompt", "x = ", "--tokens", "30", "--temperature", "0");
        assertEquals(0, greedy.status(), greedy.toString());
        assertEquals(greedy.out(), run("sample", "--model", m, "--prompt", "x = ", "--tokens", "30", "--temperature", "0",
                "--seed", "9").out(), "greedy ignores the seed");
        MainTest.Run empty = run("sample", "--model", m, "--prompt", "", "--tokens", "5", "--top-k", "3");
        assertEquals(0, empty.status(), empty.toString());
    }

    @Test
    @SuppressWarnings("unchecked")
    void inspectJsonHasTheConfigTheTensorsAndTheTrainingProgress() throws Exception {
        Path run = Files.createDirectories(tmp.resolve("run"));
        for (String f : List.of("config.json", "model.safetensors", "tokenizer.json")) Files.copy(modelDir.resolve(f), run.resolve(f));
        Map<String, Object> bare = json(run("inspect", "--model", modelDir.toString(), "--json"));
        assertNull(bare.get("training"));
        assertNull(bare.get("budget"));

        Map<String, Object> tc = TrainConfig.defaults().toJson();
        tc.put("base_width", 16); // E = 32 / 16 = 2
        Files.writeString(run.resolve("train-config.json"), Json.writePretty(tc));
        Files.writeString(run.resolve("train-log.jsonl"), """
                {"step":398,"loss":5.7,"lr":0.01}
                {"step":399,"loss":5.5,"lr":0.01}
                {"step":399,"val_loss":5.6}
                {"step":400,"loss":5.25,"lr":0.01}
                {"step":401,"lo""");
        Map<String, Object> j = json(run("inspect", "--model", run.toString(), "--json"));
        assertEquals("sparse-circuits/inspect/1", j.get("schema"));
        Map<String, Object> config = (Map<String, Object>) j.get("config");
        assertEquals((long) VOCAB, config.get("vocab_size"));
        assertEquals((long) BLOCK, config.get("block_size"));
        List<Map<String, Object>> tensors = (List<Map<String, Object>>) j.get("tensors");
        assertEquals(model.parameterList().size(), tensors.size());
        long nz = 0;
        for (Map<String, Object> t : tensors) {
            nz += (Long) t.get("nonzeros");
            assertTrue(t.containsKey("density") && t.containsKey("budget") && t.containsKey("shape"), t.toString());
        }
        assertEquals(nz, j.get("nonzeros"));
        assertEquals(model.parameterCount(), j.get("parameters"));
        assertTrue((Long) j.get("budget") < model.parameterCount(), "past the anneal the schedule allows fewer than all: " + j.get("budget"));
        Map<String, Object> training = (Map<String, Object>) j.get("training");
        assertEquals(400L, training.get("steps_done"));
        assertEquals(600L, training.get("steps_total"));
        assertEquals(5.25, training.get("last_loss"));
        assertEquals(5.6, training.get("last_val_loss"));
        assertEquals(Boolean.FALSE, training.get("resumable"));

        MainTest.Run text = run("inspect", "--model", run.toString());
        assertEquals(0, text.status(), text.toString());
        for (String s : List.of("parameters", "nonzeros", "budget", "400 steps done of 600", "lm_head.weight", "bigram_table")) {
            assertTrue(text.out().contains(s), s + " in " + text.out());
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void onARunMadeByTrainEvalReproducesItsLastValidationLossAndInspectShowsItsProgress() throws Exception {
        String dir = tmp.resolve("trained").toString();
        MainTest.Run train = run("train", "--out", dir, "--steps", "3", "--d-model", "32", "--base-width", "16", "--ctx", "16",
                "--batch", "2", "--vocab", "320", "--eval-batches", "1");
        assertEquals(0, train.status(), train.toString());
        ModelDirectory.Progress p = ModelDirectory.progress(Path.of(dir));
        assertEquals(3, p.stepsDone());
        assertEquals(3, p.lastValStep(), "train validates at its last step");

        // no options: eval takes corpus, ctx, batch and eval batches from train-config.json, so it is the run's validation
        Map<String, Object> e = json(run("eval", "--model", dir, "--ngram-tokens", "5000", "--json"));
        assertEquals(p.lastValLoss(), (Double) e.get("loss"), 1e-5);
        assertEquals(1L * 2 * 16, ((Number) e.get("predicted_tokens")).longValue());

        Map<String, Object> j = json(run("inspect", "--model", dir, "--json"));
        Map<String, Object> training = (Map<String, Object>) j.get("training");
        assertEquals("sparse", training.get("mode"));
        assertEquals(3L, training.get("steps_done"));
        assertEquals(3L, training.get("steps_total"));
        assertEquals(p.lastValLoss(), training.get("last_val_loss"));
        assertEquals(Boolean.TRUE, training.get("resumable"));
        Gpt trained = ModelFiles.load(Path.of(dir));
        List<Map<String, Object>> tensors = (List<Map<String, Object>>) j.get("tensors");
        assertEquals(trained.parameterList().stream().map(x -> x.name()).toList(), tensors.stream().map(t -> t.get("name")).toList());
        assertTrue((Long) j.get("nonzeros") <= (Long) j.get("budget") && (Long) j.get("nonzeros") < trained.parameterCount(), j.toString());

        MainTest.Run s = run("sample", "--model", dir, "--prompt", "def ", "--tokens", "8", "--seed", "1");
        assertEquals(0, s.status(), s.toString());
        assertEquals(s.out(), run("sample", "--model", dir, "--prompt", "def ", "--tokens", "8", "--seed", "1").out());
    }

    @ParameterizedTest
    @CsvSource({"eval", "sample", "inspect"})
    void everyModelCommandHasHelpAndNeedsAModel(String command) {
        MainTest.Run help = run(command, "--help");
        assertEquals(0, help.status());
        assertTrue(help.out().startsWith("Usage: sparse-circuits " + command + " [--model DIR]"), help.out());
        MainTest.assertOneLineError(run(command), command + " needs --model DIR");
        MainTest.assertOneLineError(run(command, "--model", tmp.resolve("nowhere").toString()), "does not exist");
        MainTest.assertOneLineError(run(command, "--model", tmp.toString()), "is not a model directory");
        MainTest.assertOneLineError(run(command, "--model", modelDir.toString(), "--bogus"), "unknown option '--bogus'");
    }

    @Test
    void badInputsAreOneLineErrors() throws Exception {
        String m = modelDir.toString();
        MainTest.assertOneLineError(run("sample", "--model", m, "--prompt", "x", "--tokens", "ten"), "--tokens must be a number");
        MainTest.assertOneLineError(run("sample", "--model", m, "--prompt", "x", "--tokens", "1.5"), "--tokens must be a whole number");
        MainTest.assertOneLineError(run("sample", "--model", m, "--prompt", "x", "--temperature", "-1"), "--temperature must be a number");
        MainTest.assertOneLineError(run("sample", "--model", m), "sample needs --prompt");
        MainTest.assertOneLineError(run("sample", "--model", m, "--prompt", "def looooong(a, b, c, d, e, f, g, h, i, j, k): return 1"),
                "longer than the model's context of " + BLOCK);
        MainTest.assertOneLineError(run("eval", "--model", m, "--batch", "0"), "--batch must be a number from 1");
        MainTest.assertOneLineError(run("eval", "--model", m, "--corpus", tmp.resolve("no-such-corpus").toString()), "sparse-circuits: ");

        Path noTokenizer = Files.createDirectories(tmp.resolve("no-tokenizer"));
        ModelFiles.save(model, noTokenizer);
        MainTest.assertOneLineError(run("sample", "--model", noTokenizer.toString(), "--prompt", "x"), "has no tokenizer.json");

        Path foreign = Files.createDirectories(tmp.resolve("foreign"));
        Files.writeString(foreign.resolve("config.json"), "{\"n_layer\": 2, \"colour\": \"blue\"}");
        MainTest.assertOneLineError(run("inspect", "--model", foreign.toString()), "colour");
    }
}
