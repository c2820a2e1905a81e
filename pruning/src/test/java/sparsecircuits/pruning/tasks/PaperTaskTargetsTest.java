package sparsecircuits.pruning.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import sparsecircuits.model.tokenizer.PreTokenizer;

class PaperTaskTargetsTest {

    /**
     * The forced strings in their order are part of every tokenizer {@code train} writes: this list is what the
     * tokenizer forced when the list lived in {@code model}, so a tokenizer trained now is byte-identical to one
     * trained then. Append new targets; never reorder.
     */
    @Test
    void allIsTheListTheTokenizerHasAlwaysForcedInTheSameOrder() {
        assertEquals(List.of("\")", "')", "(\"", "('", "=None", "):\n", ".add", " +=", ")", ")\n", ":", ",", "r", "w", "]]\n", "]\n",
                " in", ":\n", " else", "       ", "   ", " :", " (", "(", " ==", " =", " enumerate", " range", "\n"), PaperTaskTargets.all());
    }

    @Test
    void targetsAreSinglePreTokensAndIncludeTheSpecList() {
        for (String s : PaperTaskTargets.all()) assertEquals(List.of(s), PreTokenizer.split(s), s);
        assertTrue(PaperTaskTargets.all().containsAll(List.of("(\"", "('", "\")", "')", "]\n", "]]\n", ".add", " +=", " in", ":")));
        assertEquals(List.of("]]\n", "]\n"), PaperTaskTargets.byTask().get("bracket_counting"));
        assertEquals(new HashSet<>(PaperTaskTargets.all()).size(), PaperTaskTargets.all().size());
        assertEquals(17, PaperTaskTargets.byTask().size());
    }
}
