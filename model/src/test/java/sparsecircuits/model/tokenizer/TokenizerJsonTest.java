package sparsecircuits.model.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sparsecircuits.model.json.Json;

class TokenizerJsonTest {
    static final ByteLevelBpe BPE = ByteLevelBpeTest.BPE;

    @Test
    void exportThenImportGivesTheSameTokenizer() {
        String text = TokenizerJson.write(BPE);
        ByteLevelBpe back = TokenizerJson.read(text);
        assertEquals(BPE.vocabSize(), back.vocabSize());
        assertEquals(BPE.mergeCount(), back.mergeCount());
        for (int r = 0; r < BPE.mergeCount(); r++) assertArrayEquals(BPE.merge(r), back.merge(r));
        for (int id = 0; id < BPE.vocabSize(); id++) assertArrayEquals(BPE.tokenBytes(id), back.tokenBytes(id));
        assertEquals(text, TokenizerJson.write(back));
        qt().withExamples(300).forAll(ByteLevelBpeTest.texts())
                .checkAssert(s -> assertArrayEquals(BPE.encode(s, true), back.encode(s, true)));
    }

    @Test
    void saveAndLoadAFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("tokenizer.json");
        TokenizerJson.save(BPE, file);
        TokenizerJson.save(BPE, file); // replaces
        ByteLevelBpe back = TokenizerJson.load(file);
        assertEquals(TokenizerJson.write(BPE), Files.readString(file));
        assertArrayEquals(BPE.encode("def f(x):\n    return x.add(1)\n"), back.encode("def f(x):\n    return x.add(1)\n"));
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "no temporary file left");
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void exportHasTheHuggingFaceStructure() {
        Map<String, Object> root = (Map<String, Object>) Json.parse(TokenizerJson.write(BPE));
        assertEquals(List.of("version", "truncation", "padding", "added_tokens", "normalizer", "pre_tokenizer",
                "post_processor", "decoder", "model"), new ArrayList<>(root.keySet()));
        assertEquals("1.0", root.get("version"));
        Map<String, Object> special = (Map<String, Object>) ((List<Object>) root.get("added_tokens")).get(0);
        assertEquals(511L, special.get("id"));
        assertEquals("<|endoftext|>", special.get("content"));
        assertEquals(true, special.get("special"));
        assertEquals(false, special.get("normalized"));
        Map<String, Object> pre = (Map<String, Object>) root.get("pre_tokenizer");
        assertEquals("Sequence", pre.get("type"));
        List<Object> pres = (List<Object>) pre.get("pretokenizers");
        Map<String, Object> split = (Map<String, Object>) pres.get(0);
        assertEquals("Split", split.get("type"));
        assertEquals(Map.of("Regex", PreTokenizer.REGEX), split.get("pattern"));
        assertEquals("Isolated", split.get("behavior"));
        assertEquals("ByteLevel", ((Map<String, Object>) pres.get(1)).get("type"));
        assertEquals(false, ((Map<String, Object>) pres.get(1)).get("use_regex"));
        assertEquals("ByteLevel", ((Map<String, Object>) root.get("decoder")).get("type"));
        Map<String, Object> model = (Map<String, Object>) root.get("model");
        assertEquals("BPE", model.get("type"));
        assertEquals(false, model.get("byte_fallback"));
        Map<String, Object> vocab = (Map<String, Object>) model.get("vocab");
        assertEquals(512, vocab.size());
        assertEquals(32L, vocab.get("Ġ"));
        assertEquals(10L, vocab.get("Ċ"));
        assertEquals(511L, vocab.get("<|endoftext|>"));
        assertTrue(vocab.containsKey("]]Ċ") && vocab.containsKey("Ġ+=") && vocab.containsKey(".add"));
        List<Object> merges = (List<Object>) model.get("merges");
        assertEquals(BPE.mergeCount(), merges.size());
        for (Object m : merges) {
            String[] parts = ((String) m).split(" ");
            assertEquals(2, parts.length, (String) m);
            assertTrue(vocab.containsKey(parts[0] + parts[1]), (String) m);
        }
        // the regex in the file is the one of SPEC 3.2, character for character
        assertEquals("[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+",
                PreTokenizer.REGEX);
    }

    @Test
    void readsMergesWrittenAsPairs() {
        Map<String, Object> tree = mutable(TokenizerJson.toTree(BPE));
        Map<String, Object> model = (Map<String, Object>) tree.get("model");
        List<Object> pairs = new ArrayList<>();
        for (Object m : (List<?>) model.get("merges")) pairs.add(List.of(((String) m).split(" ")));
        model.put("merges", pairs);
        ByteLevelBpe back = TokenizerJson.read(Json.write(tree));
        assertEquals(BPE.mergeCount(), back.mergeCount());
        assertArrayEquals(BPE.encode("x = set()\nx.add(1)\n"), back.encode("x = set()\nx.add(1)\n"));
    }

    /** A deep mutable copy of a value tree. */
    @SuppressWarnings("unchecked")
    static <T> T mutable(T v) {
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            m.forEach((k, x) -> out.put((String) k, mutable(x)));
            return (T) out;
        }
        if (v instanceof List<?> l) {
            List<Object> out = new ArrayList<>();
            for (Object x : l) out.add(mutable(x));
            return (T) out;
        }
        return v;
    }

    @SuppressWarnings("unchecked")
    private static void assertRefused(String expectedInMessage, Consumer<Map<String, Object>> corrupt) {
        Map<String, Object> tree = mutable(TokenizerJson.toTree(BPE));
        corrupt.accept(tree);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TokenizerJson.read(Json.write(tree)));
        assertTrue(e.getMessage().startsWith("tokenizer.json: "), e.getMessage());
        assertTrue(e.getMessage().contains(expectedInMessage), e.getMessage());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> model(Map<String, Object> tree) {
        return (Map<String, Object>) tree.get("model");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> vocab(Map<String, Object> tree) {
        return (Map<String, Object>) model(tree).get("vocab");
    }

    @Test
    @SuppressWarnings("unchecked")
    void refusesMalformedFiles() {
        IllegalArgumentException notJson = assertThrows(IllegalArgumentException.class, () -> TokenizerJson.read("{\"model\": "));
        assertTrue(notJson.getMessage().contains("not valid JSON"), notJson.getMessage());
        assertThrows(IllegalArgumentException.class, () -> TokenizerJson.read("[]"));
        assertRefused("model must be an object", t -> t.remove("model"));
        assertRefused("only \"BPE\"", t -> model(t).put("type", "WordPiece"));
        assertRefused("Regex", t -> ((Map<String, Object>) ((List<Object>) ((Map<String, Object>) t.get("pre_tokenizer"))
                .get("pretokenizers")).get(0)).put("pattern", Map.of("Regex", "\\w+")));
        assertRefused("normalizer", t -> t.put("normalizer", Map.of("type", "NFC")));
        assertRefused("not in model.vocab", t -> ((List<Object>) model(t).get("merges")).set(0, "Ġ nosuchtoken"));
        assertRefused("not \"left right\"", t -> ((List<Object>) model(t).get("merges")).set(0, "ĠĠ"));
        assertRefused("repeats merge", t -> ((List<Object>) model(t).get("merges")).add(((List<Object>) model(t).get("merges")).get(0)));
        assertRefused("is not in the vocabulary", t -> ((List<Object>) model(t).get("merges")).set(0, "x q"));
        assertRefused("no token with id 300", t -> vocab(t).remove(BPE.tokenString(300)));
        assertRefused("byte 0x41", t -> {
            vocab(t).remove("A");
            vocab(t).put("AAAAAAA", 65L);
        });
        assertRefused("must be the last id", t -> vocab(t).put("zzzzzz", 600L));
        assertRefused("non-negative integer", t -> vocab(t).put("A", -1L));
        assertRefused("GPT-2 byte-level alphabet", t -> {
            vocab(t).remove("A");
            vocab(t).put(" ", 65L);
        });
        assertRefused("added_tokens must hold exactly one", t -> t.put("added_tokens", List.of()));
        assertRefused("content", t -> ((Map<String, Object>) ((List<Object>) t.get("added_tokens")).get(0)).put("content", "<eos>"));
        assertRefused("byte_fallback", t -> model(t).put("byte_fallback", true));
    }
}
