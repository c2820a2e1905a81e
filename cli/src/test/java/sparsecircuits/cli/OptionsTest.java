package sparsecircuits.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class OptionsTest {
    private final Options options = new Options("cmd")
            .flag("--json", "as JSON")
            .number("--seconds", "N", "budget", 0.5, 60, "5");

    @Test
    void parsesFlagsAndBothValueForms() {
        Options.Parsed p = options.parse(List.of("--json", "--seconds", "2.5"));
        assertTrue(p.has("--json"));
        assertEquals(2.5, p.number("--seconds", 10));
        Options.Parsed q = options.parse(List.of("--seconds=3"));
        assertFalse(q.has("--json"));
        assertEquals(3.0, q.number("--seconds", 10));
        assertEquals(10.0, options.parse(List.of()).number("--seconds", 10));
        assertEquals(0.5, options.parse(List.of("--seconds", ".5")).number("--seconds", 10));
        assertEquals(60.0, options.parse(List.of("--seconds", "6e1")).number("--seconds", 10));
    }

    @Test
    void rejectsValuesOutOfRange() {
        UserError e = assertThrows(UserError.class, () -> options.parse(List.of("--seconds", "61")));
        assertEquals("--seconds must be a number from 0.5 to 60, got '61'", e.problem());
        assertEquals("write e.g. --seconds 5", e.fix());
    }

    @Test
    void helpListsOptionsAligned() {
        assertEquals("  --json       as JSON\n  --seconds N  budget\n  --help, -h   show this help\n", options.help());
    }

    @Test
    void suggestsCloseNames() {
        assertEquals("--json", Options.closest("--jsno", List.of("--json", "--seconds")));
        assertEquals("--seconds", Options.closest("--second", List.of("--json", "--seconds")));
        assertEquals("kernels-info", Options.closest("kernels", List.of("demo", "kernels-info")));
        assertNull(Options.closest("train", List.of("demo", "kernels-info")));
        assertNull(Options.closest("x", List.of("demo", "kernels-info")));
        assertEquals(1, Options.editDistance("ab", "ba"));
        assertEquals(3, Options.editDistance("kitten", "sitting"));
    }
}
