package sparsecircuits.model.train;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sparsecircuits.model.corpus.Corpus;
import sparsecircuits.model.corpus.MixedCorpus;
import sparsecircuits.model.tokenizer.BpeTrainer;
import sparsecircuits.model.tokenizer.ByteLevelBpe;

class TrainRunCorpusTest {

    @TempDir
    Path tmp;

    /** A directory whose name has a ':' in it, as a mix's DIR may. */
    Path lib;

    @BeforeEach
    void library() throws IOException {
        lib = tmp.resolve("py:lib");
        Files.createDirectories(lib.resolve("pkg"));
        for (int i = 0; i < 12; i++) {
            Files.writeString(lib.resolve("pkg/m" + i + ".py"), "def f" + i + "(x):\n    return x + " + i + "\n");
        }
    }

    static TrainConfig withCorpus(String corpus) {
        return TrainConfig.builder().corpus(corpus).corpusSeed(2).build();
    }

    @Test
    void mixSplitsOnTheLastColon() {
        String spec = TrainRun.MIX_PREFIX + lib + ":0.4";
        TrainRun.checkCorpus(spec);
        MixedCorpus mix = assertInstanceOf(MixedCorpus.class, TrainRun.corpus(withCorpus(spec)));
        assertEquals(0.4, mix.share());
        assertTrue(mix.first().describe().contains(lib.toString()), mix.describe());
        assertTrue(mix.second().describe().contains("synthetic"), mix.describe());
        assertFalse(mix.isFinite());
    }

    @Test
    void checkAcceptsSyntheticAndADirectoryOfPythonFiles() {
        assertDoesNotThrow(() -> TrainRun.checkCorpus("synthetic"));
        assertDoesNotThrow(() -> TrainRun.checkCorpus(lib.toString()));
    }

    @Test
    void checkRefusesBadCorporaNamingTheSetting() throws IOException {
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        Files.writeString(empty.resolve("notes.txt"), "no python here\n");
        String mix = TrainRun.MIX_PREFIX;
        assertRefused(tmp.resolve("missing").toString(), "does not exist");
        assertRefused(lib.resolve("pkg/m0.py").toString(), "is not a directory");
        assertRefused(empty.toString(), "holds no .py file");
        assertRefused(" ", "no corpus given");
        assertRefused(mix + "nodir", "has no share");
        assertRefused(mix + ":0.5", "names no directory");
        assertRefused(mix + lib + ":half", "is not a number");
        assertRefused(mix + lib + ":0", "strictly between 0 and 1");
        assertRefused(mix + lib + ":1", "strictly between 0 and 1");
        assertRefused(mix + lib + ":NaN", "strictly between 0 and 1");
        assertRefused(mix + empty + ":0.5", "holds no .py file");
        // a directory with ':' whose share is missing reads the part after the last ':' as the share
        assertRefused(mix + lib, "is not a number");
    }

    static void assertRefused(String corpus, String why) {
        SettingException e = assertThrows(SettingException.class, () -> TrainRun.checkCorpus(corpus), corpus);
        assertEquals("corpus", e.setting());
        assertTrue(e.getMessage().contains(why), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
    }

    @Test
    void tokenDataReadsAMixAsFarAsTheRunNeeds() {
        Corpus mix = TrainRun.corpus(withCorpus(TrainRun.MIX_PREFIX + lib + ":0.5"));
        ByteLevelBpe bpe = new BpeTrainer(300).train(TrainRun.sample(mix.train(), 20_000));
        int ctx = 16, batch = 2;
        long steps = 50, evalTokens = 3L * (ctx + 1);
        TokenData data = TokenData.build(mix, bpe, ctx, steps, batch, evalTokens, 1);
        // unbounded like the synthetic corpus: exactly steps × batch windows (+1), far more than the 12 small files hold
        assertEquals(steps * batch * (ctx + 1) + 1, data.trainTokens());
        assertEquals(evalTokens, data.validationTokens());
    }
}
