package sparsecircuits.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** train and resume through Main.run: a real short run, and one line with exit 2 for every kind of bad input. */
class TrainCommandTest {
    static final String[] SMALL = {"--d-model", "32", "--base-width", "16", "--ctx", "16", "--batch", "2", "--vocab", "320",
            "--eval-batches", "1", "--eval-every", "0", "--checkpoint-every", "0"};

    static MainTest.Run train(Path out, String... extra) {
        List<String> a = new ArrayList<>(List.of("train", "--out", out.toString()));
        a.addAll(List.of(extra));
        for (int i = 0; i < SMALL.length; i += 2) { // defaults the test did not override
            if (!a.contains(SMALL[i])) a.addAll(List.of(SMALL[i], SMALL[i + 1]));
        }
        return MainTest.run(a.toArray(String[]::new));
    }


    @Test
    void trainsWritesTheRunFilesAndResumes(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("run");
        MainTest.Run r = train(dir, "--steps", "4");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().startsWith("trained 4 steps"), r.out());
        for (String f : List.of("config.json", "model.safetensors", "tokenizer.json", "train-config.json", "train-state.bin", "train-log.jsonl")) {
            assertTrue(Files.isRegularFile(dir.resolve(f)), f);
        }
        MainTest.assertOneLineError(MainTest.run("resume", "--run", dir.toString()),
                "has finished its 4 steps: a total above 4 trains on; give the total number of steps with --steps N");
        MainTest.Run more = MainTest.run("resume", "--run", dir.toString(), "--steps", "6");
        assertEquals(0, more.status(), more.err());
        assertTrue(more.out().startsWith("trained 6 steps"), more.out());
        MainTest.assertOneLineError(train(dir, "--steps", "4"), "already holds a run");
        // a truncated weights file: one line, exit 2, for every command that reads it
        byte[] w = Files.readAllBytes(dir.resolve("model.safetensors"));
        Files.write(dir.resolve("model.safetensors"), java.util.Arrays.copyOf(w, w.length / 2));
        for (String cmd : List.of("eval", "inspect", "sample")) {
            List<String> a = new ArrayList<>(List.of(cmd, "--model", dir.toString()));
            if (cmd.equals("sample")) a.addAll(List.of("--prompt", "x"));
            MainTest.assertOneLineError(MainTest.run(a.toArray(String[]::new)), "model.safetensors");
        }
    }

    /** The scalable recipe from the command line: stored in train-config.json (schema 2), and it resumes. */
    @Test
    void theScalableRecipeTrainsAndResumes(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("scalable");
        // d_model 256 over base 16: E 16, every block matrix held at pfrac 1 (start density 32/256 = 1/8) and j = 1
        MainTest.Run r = train(dir, "--steps", "3", "--d-model", "256", "--pfrac", "1", "--min-per-neuron", "1", "--recipe", "scalable",
                "--regrow-every", "2");
        assertEquals(0, r.status(), r.err());
        String config = Files.readString(dir.resolve("train-config.json"));
        assertTrue(config.contains("\"schema\": \"sparse-circuits/train-config/2\"") && config.contains("\"recipe\": \"scalable\"")
                && config.contains("\"regrow_every\": 2"), config);
        MainTest.Run more = MainTest.run("resume", "--run", dir.toString(), "--steps", "5");
        assertEquals(0, more.status(), more.err());
        assertTrue(more.out().startsWith("trained 5 steps"), more.out());
    }

    @Test
    void badInputGetsOneLineAndExitTwo(@TempDir Path tmp) throws Exception {
        MainTest.assertOneLineError(train(tmp.resolve("a"), "--d-model", "40"), "not a multiple of --d-head");
        MainTest.assertOneLineError(train(tmp.resolve("b"), "--d-model", "48", "--base-width", "32"), "not a multiple of --base-width");
        MainTest.assertOneLineError(train(tmp.resolve("c"), "--mode", "sparsest"), "--mode must be sparse or dense");
        MainTest.assertOneLineError(train(tmp.resolve("d"), "--pfrac", "0.001", "--min-per-neuron", "4"),
                "--min-per-neuron 4 cannot be met at --pfrac 0.001: transformer.h.0.attn.c_attn.weight keeps 1 weight at the target budget,"
                + " fewer than 4 for each of its 96 neurons; give --min-per-neuron 0 (the largest that works at --pfrac 0.001) or --pfrac 0.5"
                + " (the smallest that works with --min-per-neuron 4)");
        MainTest.assertOneLineError(train(tmp.resolve("e"), "--vocab", "261"), "vocabulary size 261 is too small");
        MainTest.assertOneLineError(train(tmp.resolve("f"), "--corpus", tmp.resolve("nowhere").toString()), "nowhere");
        Files.createDirectories(tmp.resolve("empty"));
        MainTest.assertOneLineError(train(tmp.resolve("g"), "--corpus", tmp.resolve("empty").toString()), "empty");
        MainTest.assertOneLineError(train(tmp.resolve("h"), "--steps", "ten"), "--steps must be a number");
        MainTest.assertOneLineError(train(tmp.resolve("i"), "--frobnicate"), "frobnicate");
        MainTest.assertOneLineError(MainTest.run("resume", "--run", tmp.resolve("none").toString()), "does not exist");
        MainTest.assertOneLineError(MainTest.run("resume"), "--run");
        Files.createDirectories(tmp.resolve("foreign"));
        MainTest.assertOneLineError(MainTest.run("resume", "--run", tmp.resolve("foreign").toString()), "train-config.json");
        MainTest.assertOneLineError(train(tmp.resolve("j"), "--recipe", "fast"), "unknown recipe 'fast': use paper or scalable; change --recipe");
        MainTest.assertOneLineError(train(tmp.resolve("k"), "--mode", "dense", "--recipe", "scalable"),
                "the scalable recipe trains sparse weights, and a dense run has none");
        MainTest.assertOneLineError(train(tmp.resolve("l"), "--recipe", "scalable", "--regrow-every", "0"), "--regrow-every");
        for (String s : List.of("a", "b", "c", "d", "e", "h", "i", "j", "k", "l")) {
            assertFalse(Files.exists(tmp.resolve(s).resolve("train-state.bin")), "nothing half-written for " + s);
        }
    }

    @Test
    void aBudgetThatCannotBeMetIsRefusedBeforeTrainingWithTheValuesThatWork(@TempDir Path tmp) {
        // E = 128 / 64 = 2: the embedding keeps pfrac/E, so pfrac 7 asked for 3.5× its entries (and trained dense)
        MainTest.assertOneLineError(train(tmp.resolve("a"), "--pfrac", "7", "--d-model", "128", "--base-width", "64"),
                "sparse-circuits: --pfrac 7 asks for more nonzeros than transformer.wte.weight holds at E = 2 (--d-model 128 / --base-width 64);"
                + " the largest valid value is --pfrac 2: give --pfrac 2 or less, or raise E with a wider --d-model or a smaller --base-width");
        MainTest.assertOneLineError(train(tmp.resolve("b"), "--pfrac", "2.5"), "the largest valid value is --pfrac 2:");
        // j above a neuron's fan-in (32): no pfrac helps, only a smaller j
        MainTest.assertOneLineError(train(tmp.resolve("c"), "--min-per-neuron", "40"),
                "give --min-per-neuron 2 (the largest that works at --pfrac 0.25); no --pfrac up to 2 meets --min-per-neuron 40");
        // the minimum pfrac is rounded up to three digits: 2 of 96 inputs per row of c_attn at E = 2 needs pfrac 1/12
        MainTest.assertOneLineError(train(tmp.resolve("d"), "--pfrac", "0.0625", "--d-model", "96", "--base-width", "48"),
                "give --min-per-neuron 1 (the largest that works at --pfrac 0.0625) or --pfrac 0.0834 (the smallest that works with --min-per-neuron 2)");
        for (String s : List.of("a", "b", "c", "d")) assertFalse(Files.exists(tmp.resolve(s)), "refused before anything is written: " + s);
        MainTest.Run ok = train(tmp.resolve("e"), "--pfrac", "2", "--min-per-neuron", "1", "--steps", "1");
        assertEquals(0, ok.status(), ok.err());
    }

    @Test
    void aDenseModelIgnoresTheBaseWidth(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("dense48");
        // 48 is not a multiple of the default --base-width 64: only a sparse model has an E
        String[] args = {"train", "--out", dir.toString(), "--mode", "dense", "--d-model", "48", "--steps", "2", "--ctx", "16", "--batch", "2",
                "--vocab", "320", "--eval-batches", "1", "--eval-every", "0", "--checkpoint-every", "0"};
        MainTest.Run r = MainTest.run(args);
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().startsWith("trained 2 steps"), r.out());
        assertTrue(Files.readString(dir.resolve("train-config.json")).contains("\"mode\": \"dense\""));
        MainTest.Run more = MainTest.run("resume", "--run", dir.toString(), "--steps", "3");
        assertEquals(0, more.status(), more.err());
        MainTest.assertOneLineError(train(tmp.resolve("sparse48"), "--d-model", "48", "--base-width", "64"),
                "sparse-circuits: --d-model 48 is not a multiple of --base-width 64 (E = d_model / base width); give a --base-width that divides 48,"
                + " or train --mode dense, which ignores it");
    }

    /** The library names the setting it refuses (SettingException), the CLI the flag that sets it. */
    @Test
    void aRefusedSettingIsNamedByItsFlag(@TempDir Path tmp) throws Exception {
        Path corpus = tmp.resolve("tiny");
        Files.createDirectories(corpus);
        for (int i = 1; i <= 12; i++) Files.writeString(corpus.resolve("f" + i + ".py"), "def f" + i + "(a, b):\n    return a + b * " + i + "\n");
        MainTest.Run r = train(tmp.resolve("a"), "--corpus", corpus.toString(), "--ctx", "64", "--vocab", "305", "--steps", "2");
        assertEquals(2, r.status(), r.toString());
        List<String> lines = r.errLines(); // the tokenizer's progress note, then the error
        assertTrue(lines.get(0).startsWith("tokenizer: "), r.err());
        assertEquals("sparse-circuits: the validation split has 30 tokens, fewer than one window of 65 (the context + 1): use a larger"
                + " corpus or a shorter context; give a smaller --ctx, or a larger corpus with --corpus (see 'sparse-circuits train --help')",
                lines.get(lines.size() - 1));
        assertFalse(Files.exists(tmp.resolve("a").resolve("train-state.bin")));
        // a refusal without a setting keeps the generic pointer to the help
        MainTest.assertOneLineError(train(tmp.resolve("b"), "--vocab", "261"), "forced strings need at least 305; see 'sparse-circuits train --help'");
    }

    /** --help shows the library's defaults, not a copy of them. */
    @Test
    void helpDefaultsAreTheLibrarysDefaults() {
        MainTest.Run r = MainTest.run("train", "--help");
        assertEquals(0, r.status(), r.err());
        sparsecircuits.model.train.TrainConfig d = sparsecircuits.model.train.TrainConfig.defaults();
        sparsecircuits.model.gpt.GptConfig a = sparsecircuits.model.gpt.GptConfig.defaults();
        for (String s : List.of("optimizer steps (default " + d.steps() + ")", "sequences per step (default " + d.batch() + ")",
                "tokens per training sequence (default " + d.ctx() + ")", "(default 0.01 sparse, 0.005 dense)",
                "parameter count (default 0.25)", "residual width (default " + a.dModel() + ")",
                "included (default " + a.vocabSize() + ")", "checkpoint every N steps; 0 = at the end (default " + d.checkpointEvery() + ")")) {
            assertTrue(r.out().contains(s), s + " in\n" + r.out());
        }
    }
}
