package sparsecircuits.pruning.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class JsonlTaskTest {
    @TempDir
    Path dir;

    private Path write(String name, String... lines) throws Exception {
        return Files.writeString(dir.resolve(name), String.join("\n", lines) + "\n");
    }

    static String binary(int i) {
        return "{\"prompt_a\": \"x" + i + " = set()\\nx" + i + "\", \"target_a\": \".add\", \"prompt_b\": \"x" + i
                + " = ''\\nx" + i + "\", \"target_b\": \" +=\"}";
    }

    @Test
    void readsBinaryPairsNamedAfterTheFile() throws Exception {
        Path f = write("my_task.jsonl", binary(1), "", binary(2), binary(3), binary(3));
        JsonlTask t = JsonlTask.load(f);
        assertEquals("my_task", t.name());
        assertFalse(t.singleTarget());
        assertEquals(3, t.allPairs().size(), "blank lines skipped, a repeated pair counted once");
        assertEquals(new Pair("x1 = set()\nx1", ".add", "x1 = ''\nx1", " +="), t.allPairs().get(0));
        assertTrue(t.description().contains("3 pairs"));
    }

    @Test
    void readsSingleTargetPairs() throws Exception {
        JsonlTask t = JsonlTask.load(write("swap.jsonl", "{\"prompt_a\": \"a, b = b,\", \"target_a\": \" a\"}",
                "{\"target_a\": \" c\", \"prompt_a\": \"c, d = d,\"}"));
        assertTrue(t.singleTarget());
        assertEquals(Pair.single("a, b = b,", " a"), t.allPairs().get(0));
    }

    @Test
    void splitsAreAShuffleWithTheLastThirdHeldOut() throws Exception {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 9; i++) lines.add(binary(i));
        JsonlTask t = JsonlTask.load(write("nine.jsonl", lines.toArray(String[]::new)));
        qt().withExamples(30).forAll(longs().all(), integers().between(0, 20)).checkAssert((seed, count) -> {
            List<Pair> train = t.pairs(Task.Split.TRAIN, 100, seed), held = t.pairs(Task.Split.HELD_OUT, 100, seed);
            assertEquals(6, train.size());
            assertEquals(3, held.size());
            Set<Pair> all = new HashSet<>(train);
            all.addAll(held);
            assertEquals(new HashSet<>(t.allPairs()), all, "the splits partition the file");
            assertEquals(train, t.pairs(Task.Split.TRAIN, 100, seed), "deterministic");
            assertEquals(train.subList(0, Math.min(count, 6)), t.pairs(Task.Split.TRAIN, count, seed));
        });
        JsonlTask two = JsonlTask.load(write("two.jsonl", binary(1), binary(2)));
        assertEquals(1, two.pairs(Task.Split.TRAIN, 10, 0).size());
        assertEquals(1, two.pairs(Task.Split.HELD_OUT, 10, 0).size());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{\"prompt_a\": \"x\", \"target_a\": |2|not JSON",
        "[1, 2]|2|expected a JSON object",
        "{\"prompt_a\": \"x\"}|2|needs \"prompt_a\" and \"target_a\"",
        "{\"prompt_a\": \"x\", \"target_a\": 3}|2|\"target_a\" must be a string",
        "{\"prompt_a\": \"x\", \"target_a\": \"y\", \"prompt_b\": \"z\"}|2|come together",
        "{\"prompt_a\": \"x\", \"target_a\": \"\", \"prompt_b\": \"z\", \"target_b\": \"w\"}|2|a target is empty",
        "{\"prompt_a\": \"x\", \"target_a\": \"y\", \"promt_b\": \"z\"}|2|unknown key \"promt_b\"",
        "{\"prompt_a\": \"x\", \"target_a\": \"y\"}|2|single-target (no prompt_b/target_b) but line 1 is binary",
    })
    void aBadLineIsNamedByFileAndLine(String bad, int line, String what) throws Exception {
        Path f = write("bad.jsonl", binary(0), bad, binary(2));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> JsonlTask.load(f));
        assertTrue(e.getMessage().startsWith(f + ":" + line + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(what), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }

    @Test
    void tooFewPairsOrNoFileAreRefused() throws Exception {
        Path one = write("one.jsonl", binary(1), binary(1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> JsonlTask.load(one));
        assertTrue(e.getMessage().contains("at least 2"), e.getMessage());
        Path none = dir.resolve("missing.jsonl");
        e = assertThrows(IllegalArgumentException.class, () -> JsonlTask.load(none));
        assertTrue(e.getMessage().startsWith(none + ": cannot read"), e.getMessage());
    }
}
