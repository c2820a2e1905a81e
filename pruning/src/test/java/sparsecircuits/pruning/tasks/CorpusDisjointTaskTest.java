package sparsecircuits.pruning.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sparsecircuits.model.corpus.CorpusStrings;

class CorpusDisjointTaskTest {

    private static String text(Pair p, boolean sideB) {
        return sideB ? p.promptB() + p.targetB() : p.promptA() + p.targetA();
    }

    @Test
    void pairsInTheCorpusAreReplacedByTheGeneratorsNextOnes() {
        Task inner = PaperTasks.byName("if_equals").orElseThrow();
        List<Pair> first = inner.pairs(Task.Split.HELD_OUT, 40, 7);
        // a corpus that holds pair 3 (side A, inside a longer file) and pair 10 (side B)
        CorpusStrings corpus = CorpusStrings.of(List.of("import os\n" + text(first.get(3), false) + "\n    pass\n",
                "# header\n" + text(first.get(10), true)));
        CorpusDisjointTask task = CorpusDisjointTask.of(inner, corpus);

        CorpusDisjointTask.Selection s = task.select(Task.Split.HELD_OUT, 40, 7);
        assertEquals(List.of(first.get(3), first.get(10)), s.excluded());
        assertEquals(40, s.kept().size());
        List<Pair> expected = new ArrayList<>(inner.pairs(Task.Split.HELD_OUT, 42, 7));
        expected.remove(first.get(10));
        expected.remove(first.get(3));
        assertEquals(expected, s.kept(), "the inner task's pairs in order, those in the corpus left out");
        for (Pair p : s.kept()) {
            assertFalse(corpus.contains(text(p, false)) || corpus.contains(text(p, true)));
        }
        assertEquals(s.kept(), task.pairs(Task.Split.HELD_OUT, 40, 7), "deterministic in the seed");
        assertEquals(inner.name(), task.name());
    }

    @Test
    void aCorpusWithoutThePairsChangesNothing() {
        Task inner = PaperTasks.byName("lambda_func").orElseThrow();
        CorpusDisjointTask task = CorpusDisjointTask.of(inner, CorpusStrings.of(List.of("print('hello')\n")));
        assertEquals(inner.pairs(Task.Split.TRAIN, 64, 1), task.pairs(Task.Split.TRAIN, 64, 1));
        assertTrue(task.select(Task.Split.TRAIN, 64, 1).excluded().isEmpty());
    }

    @Test
    void aFileTaskJustLosesThePairsTheCorpusHolds(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("list_or_set.jsonl");
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < 12; i++) {
            lines.append("{\"prompt_a\": \"    seen_").append(i).append(" = set()\\n    seen_").append(i)
                    .append("\", \"target_a\": \".add\", \"prompt_b\": \"    seen_").append(i).append(" = []\\n    seen_").append(i)
                    .append("\", \"target_b\": \".append\"}\n");
        }
        Files.writeString(file, lines);
        Task inner = JsonlTask.load(file);
        List<Pair> all = new ArrayList<>(inner.pairs(Task.Split.TRAIN, 100, 0));
        Pair held = all.get(0);
        CorpusStrings corpus = CorpusStrings.of(List.of("def f(names):\n" + text(held, true) + "(1)\n"));
        List<Pair> kept = CorpusDisjointTask.of(inner, corpus).pairs(Task.Split.TRAIN, 100, 0);
        all.remove(held);
        assertEquals(all, kept);
    }
}
