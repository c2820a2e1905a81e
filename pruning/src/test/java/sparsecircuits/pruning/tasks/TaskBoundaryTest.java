package sparsecircuits.pruning.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import sparsecircuits.model.tokenizer.BpeTrainer;
import sparsecircuits.model.tokenizer.ByteLevelBpe;

/** The prompt/target boundary check, with a small tokenizer trained on dict literals so that {@code ":} is one token. */
class TaskBoundaryTest {
    static ByteLevelBpe bpe;

    @BeforeAll
    static void tokenizer() {
        List<String> docs = new ArrayList<>();
        for (int i = 0; i < 200; i++) docs.add("d = {\"key\": " + i + ", \"other\": [" + i + "]}\n");
        bpe = new BpeTrainer(300).train(docs);
    }

    @Test
    void theTokenizerMergesAQuoteWithAColon() {
        assertEquals(1, bpe.encode("\":").length, "the premise of the clash below");
        assertEquals(1, bpe.encode(":").length);
    }

    @Test
    void aTargetThatMergesWithThePromptsEndClashes() {
        // alone, the prompt ends with the token " and the target is : — in running text they are the one token ":
        List<Pair> pairs = List.of(new Pair("d = {\"key\"", ":", "d = {\"key\":", " 1"),
                new Pair("d = {\"other\":", " 2", "d = [\"other\"", "]"),
                Pair.single("d = {\"other\"", ":"));
        Optional<String> clash = TaskBoundaryTest.clash(pairs);
        assertTrue(clash.isPresent());
        String m = clash.get();
        assertTrue(m.startsWith("task dict_colon: in 2 of 3 pairs the prompt's end merges with the target"), m);
        assertTrue(m.contains("are the tokens [\"\\\"\", \":\"] but running text has [\"\\\":\"]"), m);
        assertTrue(m.contains("use a larger or other vocabulary, or a task whose target does not merge"), m);
        assertFalse(m.contains("\n"), "one line");
    }

    @Test
    void aTargetAfterAPieceBoundaryDoesNotClashEvenWhenItIsSeveralTokens() {
        List<Pair> pairs = List.of(new Pair("d = {\"key\":", " 1", "d = {\"other\":", " 2"),
                new Pair("d = {\"key\":", " 12345", "d = [\"key\",", " \"other\""), // " 12345" and " \"other\"" are several tokens
                Pair.single("d = {\"key\": 1", ","));
        assertTrue(bpe.encode(" 12345").length > 1);
        assertEquals(Optional.empty(), clash(pairs));
        assertEquals(Optional.empty(), clash(List.of()));
    }

    static Optional<String> clash(List<Pair> pairs) {
        return TaskTokens.boundaryClash("dict_colon", pairs, bpe);
    }
}
