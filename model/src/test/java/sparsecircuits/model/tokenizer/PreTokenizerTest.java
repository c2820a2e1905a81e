package sparsecircuits.model.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.quicktheories.QuickTheory.qt;

import java.util.List;
import org.junit.jupiter.api.Test;

class PreTokenizerTest {

    @Test
    void splitsTaskTargetsAsSpecWants() {
        assertEquals(List.of("]]\n"), PreTokenizer.split("]]\n"));
        assertEquals(List.of("]\n"), PreTokenizer.split("]\n"));
        assertEquals(List.of("foo", "(\"", "some", " text", "\")"), PreTokenizer.split("foo(\"some text\")"));
        assertEquals(List.of("x", ".add", "(y", ")"), PreTokenizer.split("x.add(y)")); // "(y": optional non-letter + letters
        assertEquals(List.of("x", ".add", "(", "1", ")\n"), PreTokenizer.split("x.add(1)\n"));
        assertEquals(List.of("seen", ".add", "("), PreTokenizer.split("seen.add("));
        assertEquals(List.of("    ", " values", " =[[", "5", ",", " ", "3", "]]\n"), PreTokenizer.split("     values =[[5, 3]]\n"));
        assertEquals(List.of("def", " f", "(a", ",", " c", "):\n"), PreTokenizer.split("def f(a, c):\n"));
        assertEquals(List.of("   ", " return", " True", "\n"), PreTokenizer.split("    return True\n"));
        assertEquals(List.of("123", "45", " x", "=None"), PreTokenizer.split("12345 x=None"));
        assertEquals(List.of("a", " +=", " b"), PreTokenizer.split("a += b"));
        assertEquals(List.of("x", "  \n\n", "y"), PreTokenizer.split("x  \n\ny"));
    }

    @Test
    void unicodeWhitespaceIsWhitespace() {
        // U+3000 (ideographic space) is \s in Unicode mode, so it joins the following word like a space would not
        assertEquals(List.of("a", "\u3000", "\u3000b"), PreTokenizer.split("a\u3000\u3000b"));
        assertEquals(List.of("é", "😀", " ü"), PreTokenizer.split("é😀 ü"));
    }

    @Test
    void piecesCoverTheText() {
        qt().forAll(ByteLevelBpeTest.texts()).checkAssert(s -> {
            List<String> pieces = PreTokenizer.split(s);
            assertEquals(s, String.join("", pieces));
            for (String p : pieces) assertEquals(false, p.isEmpty());
        });
    }
}
