package sparsecircuits.pruning.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import sparsecircuits.model.corpus.SyntheticPython;
import sparsecircuits.model.tokenizer.BpeTrainer;
import sparsecircuits.model.tokenizer.ByteLevelBpe;

/** The tasks against a tokenizer as the project trains it (vocab 512, ~1.5 MB of the synthetic corpus), and against the corpus. */
class TaskTokenizationTest {
    static ByteLevelBpe bpe;

    @BeforeAll
    static void tokenizer() {
        bpe = new BpeTrainer(512, PaperTaskTargets.all()).train(SyntheticPython.documentsOfAtLeast(0, 1_500_000));
    }

    @Test
    void everyFixedTargetIsOneTokenAndBinaryTargetsDiffer() {
        for (Map.Entry<String, List<String>> e : PaperTaskTargets.byTask().entrySet()) {
            for (String t : e.getValue()) assertEquals(1, bpe.encode(t).length, e.getKey() + ": " + TaskTokens.show(t));
        }
        for (Task t : PaperTasks.all()) {
            if (t.singleTarget() || PaperTaskTargets.byTask().get(t.name()) == null) continue;
            Pair p = t.pairs(Task.Split.TRAIN, 1, 0).get(0);
            TaskTokens.TokenPair tp = TaskTokens.tokenize(t.name(), List.of(p), bpe).pairs().get(0);
            assertNotEquals(tp.targetA(), tp.targetB(), t.name());
            if (!t.name().equals("else_elif")) assertTrue(TaskTokens.tokenize(t.name(), List.of(p), bpe).warnings().isEmpty(), t.name());
        }
    }

    @Test
    void everyTaskTokenisesWithShortPromptsAndFewClashes() {
        for (Task t : PaperTasks.all()) {
            List<Pair> pairs = t.pairs(Task.Split.TRAIN, 200, 11);
            TaskTokens.Tokenized tok = TaskTokens.tokenizeSkippingClashes(t.name(), pairs, bpe);
            assertTrue(tok.pairs().size() >= 190, t.name() + ": " + tok.warnings()); // only class_init's copied names can clash
            if (!t.name().equals("class_init")) assertEquals(pairs.size(), TaskTokens.tokenize(t.name(), pairs, bpe).pairs().size());
            int max = tok.pairs().stream().mapToInt(p -> Math.max(p.promptA().length, p.singleTarget() ? 0 : p.promptB().length))
                    .max().orElseThrow();
            assertTrue(max <= 64, t.name() + ": a prompt of " + max + " tokens does not fit SPEC §8's 64-token context");
        }
    }

    /**
     * Templates apart from the pretraining generator: prompts use its word pools (so they tokenise alike) but not its
     * templates, so at most 2% of a task's prompts occur verbatim in 2 MB of its output (those are short module-level
     * ones such as {@code "if count"}), and none of the prompts longer than 40 characters does. The corpus's
     * 40-character windows are hashed and sorted; a hit of a prompt's first 40 characters is confirmed with indexOf.
     */
    @Test
    void promptsAreNotPiecesOfThePretrainingText() {
        String corpus = String.join("\n", SyntheticPython.documentsOfAtLeast(0, 2_000_000));
        int w = 40;
        long[] hashes = new long[corpus.length() - w + 1];
        for (int i = 0; i < hashes.length; i++) hashes[i] = hash(corpus, i, i + w);
        Arrays.sort(hashes);
        for (Task t : PaperTasks.all()) {
            int prompts = 0, found = 0;
            for (Task.Split s : Task.Split.values()) {
                for (Pair p : t.pairs(s, 100, 5)) {
                    for (String prompt : p.singleTarget() ? List.of(p.promptA()) : List.of(p.promptA(), p.promptB())) {
                        prompts++;
                        boolean in = prompt.length() >= w ? Arrays.binarySearch(hashes, hash(prompt, 0, w)) >= 0 && corpus.contains(prompt)
                                : corpus.contains(prompt);
                        if (!in) continue;
                        found++;
                        assertTrue(prompt.length() < w, t.name() + ": " + TaskTokens.show(prompt) + " is in the pretraining text");
                    }
                }
            }
            assertTrue(found <= prompts / 50, t.name() + ": " + found + " of " + prompts + " prompts are in the pretraining text");
        }
    }

    private static long hash(String s, int from, int to) {
        long h = 1125899906842597L;
        for (int i = from; i < to; i++) h = 31 * h + s.charAt(i);
        return h;
    }

    @Test
    void aTargetOfSeveralTokensIsWarnedOnceAndItsFirstTokenUsed() {
        List<Pair> pairs = List.of(new Pair("x = 1\nif x", " == 1", "x", " = 2"), new Pair("y = 1\nif y", " == 3", "y", " = 4"));
        TaskTokens.Tokenized tok = TaskTokens.tokenize("custom", pairs, bpe);
        assertEquals(1, tok.warnings().size(), tok.warnings().toString());
        assertTrue(tok.warnings().get(0).contains("custom") && tok.warnings().get(0).contains("4 target(s)"), tok.warnings().get(0));
        assertEquals(bpe.encode(" ==")[0], tok.pairs().get(0).targetA());
        assertEquals(bpe.encode(" =")[0], tok.pairs().get(1).targetB());
        assertTrue(Arrays.equals(bpe.encode("x = 1\nif x"), tok.pairs().get(0).promptA()));
    }

    @Test
    void targetsWithTheSameFirstTokenAreRefusedNamingTaskAndPair() {
        List<Pair> pairs = List.of(new Pair("a", ":", "b", " in"), new Pair("c", " elephant", "d", " element"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TaskTokens.tokenize("mine", pairs, bpe));
        assertTrue(e.getMessage().contains("task mine, pair 2"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
        TaskTokens.Tokenized tok = TaskTokens.tokenizeSkippingClashes("mine", pairs, bpe);
        assertEquals(1, tok.pairs().size());
        assertTrue(tok.warnings().stream().anyMatch(w -> w.contains("1 of 2 pairs dropped")), tok.warnings().toString());
    }
}
