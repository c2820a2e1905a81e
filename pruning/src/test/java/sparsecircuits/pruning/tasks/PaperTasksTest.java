package sparsecircuits.pruning.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class PaperTasksTest {
    /** Tasks whose targets vary per pair (the name copied), so not in PaperTaskTargets (SPEC §5). */
    static final Set<String> PER_PAIR = Set.of("class_init", "var_swap", "fstring_brace");

    static List<Task> tasks() {
        return PaperTasks.all();
    }

    @Test
    void theTwentyTasksInTableOrder() {
        List<String> names = tasks().stream().map(Task::name).toList();
        assertEquals(List.of("single_double_quote", "final_kwarg", "set_or_string", "set_or_string_fixedvarname", "class_init",
                "with_as", "bracket_brace", "with_open", "bracket_counting", "for_while", "else_elif", "fstring_brace", "if_ternary",
                "var_swap", "indent_for", "lambda_func", "if_equals", "enumerate_range", "var_if", "while_return_true"), names);
        for (Task t : tasks()) {
            assertEquals(t, PaperTasks.byName(t.name()).orElseThrow());
            assertFalse(t.description().isBlank());
            assertFalse(t.description().contains("\n"));
            assertEquals(t.name().equals("var_swap"), t.singleTarget(), t.name());
        }
        assertTrue(PaperTasks.byName("no_such_task").isEmpty());
        // every task with fixed targets is one of PaperTaskTargets' (the list the tokenizer forces)
        for (String n : PaperTaskTargets.byTask().keySet()) assertTrue(PaperTasks.byName(n).isPresent(), n);
    }

    @ParameterizedTest
    @MethodSource("tasks")
    void pairsAreMinimalWithTheTaskTargets(Task t) {
        for (Task.Split split : Task.Split.values()) {
            List<Pair> pairs = t.pairs(split, 100, 7);
            assertEquals(100, pairs.size());
            assertEquals(100, pairs.stream().map(Pair::promptA).distinct().count(), "distinct prompts within a split");
            for (Pair p : pairs) {
                assertEquals(t.singleTarget(), p.singleTarget());
                assertTrue(p.promptA().length() <= PaperTasks.MAX_PROMPT_CHARS, p.promptA());
                if (!p.singleTarget()) {
                    assertNotEquals(p.promptA(), p.promptB());
                    assertNotEquals(p.targetA(), p.targetB());
                }
                List<String> fixed = PaperTaskTargets.byTask().get(t.name());
                if (fixed != null) {
                    assertTrue(fixed.contains(p.targetA()), t.name() + ": " + p.targetA());
                    if (!t.name().equals("else_elif")) assertTrue(fixed.contains(p.targetB()), t.name() + ": " + p.targetB());
                } else {
                    assertTrue(PER_PAIR.contains(t.name()), t.name());
                    // the copied name occurs in the prompt: the model can read it from context
                    assertTrue(p.promptA().contains(p.targetA().strip()), p.toString());
                }
            }
        }
    }

    @Test
    void fixedTargetsAreTheSameTwoForEveryPair() {
        for (Task t : tasks()) {
            if (PaperTaskTargets.byTask().get(t.name()) == null || t.name().equals("else_elif")) continue;
            Set<String> as = t.pairs(Task.Split.TRAIN, 50, 1).stream().map(Pair::targetA).collect(Collectors.toSet());
            Set<String> bs = t.pairs(Task.Split.TRAIN, 50, 1).stream().map(Pair::targetB).collect(Collectors.toSet());
            assertEquals(1, as.size(), t.name());
            assertEquals(1, bs.size(), t.name());
        }
    }

    @Test
    void splitsAreDisjointAndDeterministic() {
        qt().withExamples(20).forAll(integers().between(0, 19), longs().all()).checkAssert((i, seed) -> {
            Task t = tasks().get(i);
            List<Pair> train = t.pairs(Task.Split.TRAIN, 40, seed), held = t.pairs(Task.Split.HELD_OUT, 40, seed);
            assertEquals(train, t.pairs(Task.Split.TRAIN, 40, seed), "same seed, same pairs");
            assertEquals(held, t.pairs(Task.Split.HELD_OUT, 40, seed));
            Set<String> trainPrompts = new HashSet<>();
            train.forEach(p -> trainPrompts.add(p.promptA()));
            // even against another seed's training pairs: the split is a partition of the prompt space
            t.pairs(Task.Split.TRAIN, 40, seed + 1).forEach(p -> trainPrompts.add(p.promptA()));
            for (Pair p : held) assertFalse(trainPrompts.contains(p.promptA()), p.promptA());
            assertNotEquals(train, t.pairs(Task.Split.TRAIN, 40, seed + 1), "another seed, other pairs");
        });
    }

    @Test
    void aLongerRequestStartsWithTheShorterOne() {
        for (Task t : tasks()) assertEquals(t.pairs(Task.Split.TRAIN, 5, 3), t.pairs(Task.Split.TRAIN, 20, 3).subList(0, 5));
    }

    @Test
    void bracketCountingHasFlatAndNestedListsOfTwoToTwelveElements() {
        Set<Integer> lengths = new HashSet<>();
        for (Pair p : PaperTasks.byName("bracket_counting").orElseThrow().pairs(Task.Split.TRAIN, 300, 0)) {
            String flat = p.promptB().substring(p.promptB().lastIndexOf('['));
            assertFalse(flat.contains("]"), flat);
            assertTrue(p.promptA().contains("[["), p.promptA());
            lengths.add(flat.split(",").length);
        }
        assertEquals(Set.of(2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12), lengths);
    }
}
