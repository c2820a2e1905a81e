package sparsecircuits.model.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

class ByteLevelBpeTest {
    /** One tokenizer for the whole class: 512 ids, task-like targets forced, trained on the test corpus. */
    static final ByteLevelBpe BPE = new BpeTrainer(512, TestCorpus.FORCED).train(TestCorpus.documents(1, 300));

    private static final List<String> FRAGMENTS = List.of("def ", "(", "):\n", "    ", "\"", "'", "]]\n", "]\n", ".add(", " += ",
            "for i in range(", "while True:\n", "return True\n", "<|endoftext|>", "<|endof", "\r\n", "\t", " ", "x", "é", "😀",
            "日本語", "\u0000", "\u001f", "\u007f", "\u0085", "\u00a0", "\u2028", "\u3000", "\ufeff", "12345", "==", "//");

    /** Any Unicode scalar value (no surrogate code points), biased towards ASCII and special characters. */
    static Gen<Integer> codePoints() {
        Gen<Integer> any = Generate.range(0, 0x10FFFF - 0x800).map(cp -> cp >= 0xD800 ? cp + 0x800 : cp);
        Gen<Integer> ascii = Generate.range(0, 0x7f);
        Gen<Integer> special = Generate.pick(List.of(0, 1, 9, 10, 13, 0x1f, 0x20, 0x7f, 0x85, 0xa0, 0xe9, 0x2028, 0x3000,
                0xFFFD, 0xFFFF, 0x1F600, 0x10FFFF));
        return ascii.mix(any, 30).mix(special, 25);
    }

    /** Valid strings: empty, random code points, and Python-like fragments glued together. */
    static Gen<String> texts() {
        Gen<Integer> cp = codePoints();
        Gen<String> frag = Generate.pick(FRAGMENTS);
        return in -> {
            int len = Generate.range(0, 24).generate(in);
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < len; i++) {
                if (Generate.booleans().generate(in)) sb.append(frag.generate(in));
                else sb.appendCodePoint(cp.generate(in));
            }
            return sb.toString();
        };
    }

    @Test
    void decodeInvertsEncodeForValidStrings() {
        qt().withExamples(2000).forAll(texts()).checkAssert(s -> {
            assertEquals(s, BPE.decode(BPE.encode(s)));
            assertEquals(s, BPE.decode(BPE.encode(s, true)));
        });
    }

    @Test
    void idsAreInRangeAndSpecialOnlyWhenAllowed() {
        qt().withExamples(500).forAll(texts()).checkAssert(s -> {
            for (int id : BPE.encode(s)) assertTrue(id >= 0 && id < 511, "ordinary id " + id);
            int specials = 0;
            for (int id : BPE.encode(s, true)) {
                assertTrue(id >= 0 && id < 512);
                if (id == 511) specials++;
            }
            int occurrences = s.split("<\\|endoftext\\|>", -1).length - 1;
            assertEquals(occurrences, specials);
        });
    }

    @Test
    void edgeCases() {
        assertArrayEquals(new int[0], BPE.encode(""));
        assertEquals("", BPE.decode(new int[0]));
        assertArrayEquals(new int[] {511}, BPE.encode("<|endoftext|>", true));
        assertEquals("<|endoftext|>", BPE.decode(new int[] {511}));
        assertTrue(BPE.encode("<|endoftext|>").length > 1);
        // an unpaired surrogate has no UTF-8 form: it is encoded as U+FFFD
        assertEquals("a\uFFFDb\uFFFD", BPE.decode(BPE.encode("a\uD800b\uDC00")));
        assertEquals("😀", BPE.decode(BPE.encode("😀")));
        assertThrows(IllegalArgumentException.class, () -> BPE.decode(new int[] {512}));
        assertThrows(IllegalArgumentException.class, () -> BPE.decode(new int[] {-1}));
        assertThrows(IllegalArgumentException.class, () -> BPE.tokenString(512));
    }

    @Test
    void tokenStringsUseTheGpt2ByteAlphabet() {
        assertEquals("Ġin", BPE.tokenString(BPE.encode(" in")[0]));
        assertEquals("]]Ċ", BPE.tokenString(BPE.encode("]]\n")[0]));
        assertEquals("<|endoftext|>", BPE.tokenString(511));
        for (int b = 0; b < 256; b++) assertEquals(String.valueOf(ByteUnicode.charOf(b)), BPE.tokenString(b));
    }

    @Test
    void byteTableIsTheGpt2Bijection() {
        Set<Character> seen = new HashSet<>();
        for (int b = 0; b < 256; b++) {
            char c = ByteUnicode.charOf(b);
            assertTrue(seen.add(c));
            assertEquals(b, ByteUnicode.byteOf(c));
            assertTrue(!Character.isWhitespace(c) && !Character.isISOControl(c), "printable " + b);
        }
        assertEquals('Ġ', ByteUnicode.charOf(' '));
        assertEquals('Ċ', ByteUnicode.charOf('\n'));
        assertEquals('ĉ', ByteUnicode.charOf('\t'));
        assertEquals('Ā', ByteUnicode.charOf(0));
        assertEquals('!', ByteUnicode.charOf('!'));
        assertEquals('ÿ', ByteUnicode.charOf(0xFF));
        assertEquals('Ń', ByteUnicode.charOf(0xAD));
        assertEquals(-1, ByteUnicode.byteOf(' '));
        assertEquals(-1, ByteUnicode.byteOf('\u0144'));
    }

    @Test
    void mergesApplyByRankWithinPreTokens() {
        // bytes a=97 b=98 c=99; merges: (b,c) rank 0, (a,b) rank 1, (a,bc) rank 2
        List<byte[]> tokens = new java.util.ArrayList<>();
        for (int b = 0; b < 256; b++) tokens.add(new byte[] {(byte) b});
        tokens.add("bc".getBytes());   // 256
        tokens.add("ab".getBytes());   // 257
        tokens.add("abc".getBytes());  // 258
        ByteLevelBpe bpe = new ByteLevelBpe(tokens, List.of(new int[] {98, 99}, new int[] {97, 98}, new int[] {97, 256}));
        assertEquals(260, bpe.vocabSize());
        assertArrayEquals(new int[] {258}, bpe.encode("abc"));
        assertArrayEquals(new int[] {257, 257}, bpe.encode("abab"));
        assertArrayEquals(new int[] {257, 32, 256}, bpe.encode("ab bc"));   // " bc" is one pre-token: (space, bc)
        assertEquals(259, bpe.endOfTextId());
        // a merge whose result is no token, and a missing byte, are refused
        assertThrows(IllegalArgumentException.class, () -> new ByteLevelBpe(tokens, List.of(new int[] {99, 99})));
        assertThrows(IllegalArgumentException.class, () -> new ByteLevelBpe(tokens.subList(1, 259), List.of()));
    }

    @Test
    void encodingIsFast() {
        StringBuilder sb = new StringBuilder();
        for (String d : TestCorpus.documents(7, 2000)) sb.append(d);
        String text = sb.toString();
        ByteLevelBpe fresh = new ByteLevelBpe(BPE.tokens(), BPE.merges()); // empty cache
        long t0 = System.nanoTime();
        int[] ids = fresh.encode(text);
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertEquals(text, fresh.decode(ids));
        assertTrue(ids.length < text.length() / 2, "compression " + ids.length + " tokens for " + text.length() + " chars");
        assertTrue(seconds < 5, text.length() + " chars took " + seconds + " s");
    }
}
