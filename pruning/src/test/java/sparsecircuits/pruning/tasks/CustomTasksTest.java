package sparsecircuits.pruning.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import sparsecircuits.model.corpus.SyntheticPython;
import sparsecircuits.model.tokenizer.BpeTrainer;
import sparsecircuits.model.tokenizer.ByteLevelBpe;
import sparsecircuits.model.tokenizer.PreTokenizer;

/** The example tasks in examples/tasks/ load, fill both splits, fit the context and have single-token targets for the models' tokenizer. */
class CustomTasksTest {
    static final Path DIR = Path.of("..", "examples", "tasks"); // tests run in the module's directory
    static final int TRAIN = 16, HELD_OUT = 8;
    static ByteLevelBpe bpe;
    static List<Path> files;

    @BeforeAll
    static void setUp() throws IOException {
        // trained as the models' tokenizer is (see TaskTokenizationTest)
        bpe = new BpeTrainer(512, PaperTaskTargets.all()).train(SyntheticPython.documentsOfAtLeast(0, 1_500_000));
        try (Stream<Path> s = Files.list(DIR)) {
            files = s.filter(p -> p.getFileName().toString().endsWith(".jsonl")).sorted().toList();
        }
    }

    @Test
    void atLeastFiveBinaryTasksWithEnoughPairsForBothSplits() {
        assertTrue(files.size() >= 5, "only " + files.size() + " task files in " + DIR.toAbsolutePath());
        for (Path f : files) {
            JsonlTask t = JsonlTask.load(f); // throws FILE:LINE on a broken line
            assertTrue(!t.singleTarget(), t.name() + ": expected a binary task");
            assertEquals(TRAIN, t.pairs(Task.Split.TRAIN, TRAIN, 0).size(), t.name() + ": too few training pairs");
            assertEquals(HELD_OUT, t.pairs(Task.Split.HELD_OUT, HELD_OUT, 0).size(), t.name() + ": too few held-out pairs");
        }
    }

    @Test
    void everyTargetIsOneTokenAndOnePreTokenAfterItsPrompt() {
        for (Path f : files) {
            JsonlTask t = JsonlTask.load(f);
            // throws on a pair whose targets share their first token; warns on a target of several tokens
            TaskTokens.Tokenized tok = TaskTokens.tokenize(t.name(), t.allPairs(), bpe);
            assertEquals(List.of(), tok.warnings(), t.name());
            assertEquals(t.allPairs().size(), tok.pairs().size(), t.name());
            for (TaskTokens.TokenPair tp : tok.pairs()) {
                int len = Math.max(tp.promptA().length, tp.promptB().length);
                assertTrue(len <= 64, t.name() + ": a prompt of " + len + " tokens does not fit the 64-token context");
            }
            List<Pair> pairs = t.allPairs();
            for (int i = 0; i < pairs.size(); i++) {
                Pair p = pairs.get(i);
                onePiece(t.name(), i, p.promptA(), p.targetA());
                onePiece(t.name(), i, p.promptB(), p.targetB());
            }
        }
    }

    /** The target is exactly the next pre-token of prompt + target, as it is in running text. */
    private static void onePiece(String task, int i, String prompt, String target) {
        List<String> expected = new ArrayList<>(PreTokenizer.split(prompt));
        expected.add(target);
        assertEquals(expected, PreTokenizer.split(prompt + target),
                task + ", pair " + (i + 1) + ": " + TaskTokens.show(target) + " is not one pre-token after its prompt");
    }
}
