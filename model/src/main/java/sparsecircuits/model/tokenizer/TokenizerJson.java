package sparsecircuits.model.tokenizer;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import sparsecircuits.model.json.Json;
import sparsecircuits.model.json.JsonException;

/**
 * {@code tokenizer.json} in the Hugging Face {@code tokenizers} format, for a {@link ByteLevelBpe}.
 *
 * <p>Written: {@code version "1.0"}, no truncation/padding/normalizer/post-processor; the special
 * token in {@code added_tokens} (and also in the model vocabulary, as GPT-2's file does); pre-tokenizer
 * {@code Sequence[Split(Regex = PreTokenizer.REGEX, Isolated), ByteLevel(use_regex false)]}; a
 * {@code ByteLevel} decoder; model {@code BPE} with the vocabulary in id order (token strings in the
 * GPT-2 byte alphabet) and merges as {@code "left right"} strings in rank order. The layout is the
 * one Llama-3/Qwen-style byte-level files use (a regex {@code Split} then {@code ByteLevel} without its
 * own regex); the field names were checked against the {@code tokenizers} source of the BPE model's
 * serialisation, whose reader ignores fields it does not know ({@code byte_fallback} and
 * {@code ignore_merges} are newer ones). Not verified: loading the file with the library itself (no
 * offline reader is available here). Versions from 0.20 write merges as two-element arrays instead
 * of strings; both forms are read here, and the library reads both.
 *
 * <p>Read: the structure this class writes, checked strictly. Anything else (another model type, a
 * normalizer, another regex, a missing byte, a merge whose result is not in the vocabulary, an id gap,
 * a special token that is not the last id) is refused with an {@link IllegalArgumentException} whose
 * message starts with {@code "tokenizer.json: "} and names the problem.
 */
public final class TokenizerJson {
    private TokenizerJson() {
    }

    /** The JSON value tree of {@code bpe} (maps in a fixed order). */
    public static Map<String, Object> toTree(ByteLevelBpe bpe) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("version", "1.0");
        root.put("truncation", null);
        root.put("padding", null);
        Map<String, Object> special = new LinkedHashMap<>();
        special.put("id", bpe.endOfTextId());
        special.put("content", ByteLevelBpe.END_OF_TEXT);
        special.put("single_word", false);
        special.put("lstrip", false);
        special.put("rstrip", false);
        special.put("normalized", false);
        special.put("special", true);
        root.put("added_tokens", List.of(special));
        root.put("normalizer", null);
        Map<String, Object> split = new LinkedHashMap<>();
        split.put("type", "Split");
        split.put("pattern", Map.of("Regex", PreTokenizer.REGEX));
        split.put("behavior", "Isolated");
        split.put("invert", false);
        Map<String, Object> byteLevel = new LinkedHashMap<>();
        byteLevel.put("type", "ByteLevel");
        byteLevel.put("add_prefix_space", false);
        byteLevel.put("trim_offsets", true);
        byteLevel.put("use_regex", false);
        Map<String, Object> pre = new LinkedHashMap<>();
        pre.put("type", "Sequence");
        pre.put("pretokenizers", List.of(split, byteLevel));
        root.put("pre_tokenizer", pre);
        root.put("post_processor", null);
        Map<String, Object> decoder = new LinkedHashMap<>();
        decoder.put("type", "ByteLevel");
        decoder.put("add_prefix_space", true);
        decoder.put("trim_offsets", true);
        decoder.put("use_regex", true);
        root.put("decoder", decoder);
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("type", "BPE");
        model.put("dropout", null);
        model.put("unk_token", null);
        model.put("continuing_subword_prefix", null);
        model.put("end_of_word_suffix", null);
        model.put("fuse_unk", false);
        model.put("byte_fallback", false);
        model.put("ignore_merges", false);
        Map<String, Object> vocab = new LinkedHashMap<>();
        for (int id = 0; id < bpe.vocabSize(); id++) vocab.put(bpe.tokenString(id), id);
        model.put("vocab", vocab);
        List<Object> merges = new ArrayList<>(bpe.mergeCount());
        for (int r = 0; r < bpe.mergeCount(); r++) {
            int[] m = bpe.merge(r);
            merges.add(bpe.tokenString(m[0]) + " " + bpe.tokenString(m[1]));
        }
        model.put("merges", merges);
        root.put("model", model);
        return root;
    }

    /** The pretty-printed {@code tokenizer.json} text of {@code bpe}, ending with a newline. */
    public static String write(ByteLevelBpe bpe) {
        return Json.writePretty(toTree(bpe)) + "\n";
    }

    /** Writes {@code file} atomically (temporary file in the same directory, fsync, rename). */
    public static void save(ByteLevelBpe bpe, Path file) throws IOException {
        Path abs = file.toAbsolutePath();
        Path dir = abs.getParent();
        Path tmp = Files.createTempFile(dir, abs.getFileName().toString(), ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(write(bpe).getBytes(StandardCharsets.UTF_8));
                while (buf.hasRemaining()) ch.write(buf);
                ch.force(true);
            }
            try {
                Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Reads a {@code tokenizer.json} file (UTF-8).
     * @throws IllegalArgumentException when the file is not valid JSON or not a tokenizer this class can load
     */
    public static ByteLevelBpe load(Path file) throws IOException {
        Object tree;
        try {
            tree = Json.read(file);
        } catch (JsonException e) {
            throw new IllegalArgumentException("tokenizer.json: " + file + " is not valid JSON: " + e.getMessage(), e);
        }
        return fromTree(tree);
    }

    /**
     * Parses {@code tokenizer.json} text.
     * @throws IllegalArgumentException when it is not valid JSON or not a tokenizer this class can load
     */
    public static ByteLevelBpe read(String text) {
        Object tree;
        try {
            tree = Json.parse(text);
        } catch (JsonException e) {
            throw new IllegalArgumentException("tokenizer.json: not valid JSON: " + e.getMessage(), e);
        }
        return fromTree(tree);
    }

    private static IllegalArgumentException bad(String what) {
        return new IllegalArgumentException("tokenizer.json: " + what);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> object(Object v, String where) {
        if (!(v instanceof Map)) throw bad(where + " must be an object, found " + Json.kind(v));
        return (Map<String, Object>) v;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> array(Object v, String where) {
        if (!(v instanceof List)) throw bad(where + " must be an array, found " + Json.kind(v));
        return (List<Object>) v;
    }

    private static String string(Object v, String where) {
        if (!(v instanceof String s)) throw bad(where + " must be a string, found " + Json.kind(v));
        return s;
    }

    private static int integer(Object v, String where) {
        if (!(v instanceof Long l) || l < 0 || l > Integer.MAX_VALUE - 1) {
            throw bad(where + " must be a non-negative integer, found " + Json.kind(v) + " " + v);
        }
        return (int) (long) l;
    }

    private static void expect(Map<String, Object> obj, String key, Object value, String where) {
        if (!obj.containsKey(key)) throw bad(where + "." + key + " is missing (expected " + Json.write(value) + ")");
        Object v = obj.get(key);
        if (value == null ? v != null : !value.equals(v)) {
            throw bad(where + "." + key + " is " + Json.write(v) + "; only " + Json.write(value) + " is supported");
        }
    }

    private static void expectNullOrAbsent(Map<String, Object> obj, String key, String where) {
        if (obj.get(key) != null) throw bad(where + "." + key + " is not null; this tokenizer supports none");
    }

    /** Builds the tokenizer from a parsed tree; see the class comment for what is accepted. */
    public static ByteLevelBpe fromTree(Object tree) {
        Map<String, Object> root = object(tree, "the document");
        expectNullOrAbsent(root, "normalizer", "");
        expectNullOrAbsent(root, "truncation", "");
        expectNullOrAbsent(root, "padding", "");
        // pre-tokenizer
        Map<String, Object> pre = object(root.get("pre_tokenizer"), "pre_tokenizer");
        expect(pre, "type", "Sequence", "pre_tokenizer");
        List<Object> pres = array(pre.get("pretokenizers"), "pre_tokenizer.pretokenizers");
        if (pres.size() != 2) throw bad("pre_tokenizer.pretokenizers must be [Split, ByteLevel], found " + pres.size() + " entries");
        Map<String, Object> split = object(pres.get(0), "pre_tokenizer.pretokenizers[0]");
        expect(split, "type", "Split", "pre_tokenizer.pretokenizers[0]");
        Map<String, Object> pattern = object(split.get("pattern"), "pre_tokenizer.pretokenizers[0].pattern");
        expect(pattern, "Regex", PreTokenizer.REGEX, "pre_tokenizer.pretokenizers[0].pattern");
        expect(split, "behavior", "Isolated", "pre_tokenizer.pretokenizers[0]");
        expect(split, "invert", false, "pre_tokenizer.pretokenizers[0]");
        Map<String, Object> bl = object(pres.get(1), "pre_tokenizer.pretokenizers[1]");
        expect(bl, "type", "ByteLevel", "pre_tokenizer.pretokenizers[1]");
        expect(bl, "add_prefix_space", false, "pre_tokenizer.pretokenizers[1]");
        expect(bl, "use_regex", false, "pre_tokenizer.pretokenizers[1]");
        Map<String, Object> dec = object(root.get("decoder"), "decoder");
        expect(dec, "type", "ByteLevel", "decoder");
        // model
        Map<String, Object> model = object(root.get("model"), "model");
        expect(model, "type", "BPE", "model");
        expectNullOrAbsent(model, "dropout", "model");
        expectNullOrAbsent(model, "continuing_subword_prefix", "model");
        expectNullOrAbsent(model, "end_of_word_suffix", "model");
        if (Boolean.TRUE.equals(model.get("byte_fallback"))) throw bad("model.byte_fallback is true; only false is supported");
        if (Boolean.TRUE.equals(model.get("ignore_merges"))) throw bad("model.ignore_merges is true; only false is supported");
        Map<String, Object> vocab = object(model.get("vocab"), "model.vocab");
        // special token
        List<Object> added = array(root.get("added_tokens"), "added_tokens");
        if (added.size() != 1) {
            throw bad("added_tokens must hold exactly one token, " + ByteLevelBpe.END_OF_TEXT + ", found " + added.size());
        }
        Map<String, Object> at = object(added.get(0), "added_tokens[0]");
        expect(at, "content", ByteLevelBpe.END_OF_TEXT, "added_tokens[0]");
        expect(at, "special", true, "added_tokens[0]");
        int specialId = integer(at.get("id"), "added_tokens[0].id");
        // vocabulary: ids 0..n-1 ordinary, n the special (which may or may not be in model.vocab)
        int n = specialId;
        String[] byId = new String[n];
        for (Map.Entry<String, Object> e : vocab.entrySet()) {
            int id = integer(e.getValue(), "model.vocab[" + Json.write(e.getKey()) + "]");
            if (e.getKey().equals(ByteLevelBpe.END_OF_TEXT)) {
                if (id != specialId) throw bad("model.vocab gives " + ByteLevelBpe.END_OF_TEXT + " id " + id + " but added_tokens gives " + specialId);
                continue;
            }
            if (id >= n) {
                throw bad("model.vocab gives " + Json.write(e.getKey()) + " id " + id + ", but " + ByteLevelBpe.END_OF_TEXT
                        + " (id " + specialId + ") must be the last id");
            }
            if (byId[id] != null) throw bad("model.vocab gives id " + id + " to both " + Json.write(byId[id]) + " and " + Json.write(e.getKey()));
            byId[id] = e.getKey();
        }
        List<byte[]> tokens = new ArrayList<>(n);
        for (int id = 0; id < n; id++) {
            if (byId[id] == null) throw bad("model.vocab has no token with id " + id + " (ids must be 0.." + (n - 1) + " without gaps)");
            try {
                tokens.add(ByteUnicode.decode(byId[id]));
            } catch (IllegalArgumentException e) {
                throw bad("model.vocab token " + id + ": " + e.getMessage());
            }
        }
        Map<String, Integer> idOf = new LinkedHashMap<>();
        for (int id = 0; id < n; id++) idOf.put(byId[id], id);
        List<Object> mergeList = array(model.get("merges"), "model.merges");
        List<int[]> merges = new ArrayList<>(mergeList.size());
        for (int r = 0; r < mergeList.size(); r++) {
            Object m = mergeList.get(r);
            String left;
            String right;
            if (m instanceof String s) {
                String[] parts = s.split(" ", -1);
                if (parts.length != 2) throw bad("model.merges[" + r + "] " + Json.write(s) + " is not \"left right\"");
                left = parts[0];
                right = parts[1];
            } else if (m instanceof List<?> l && l.size() == 2) {
                left = string(l.get(0), "model.merges[" + r + "][0]");
                right = string(l.get(1), "model.merges[" + r + "][1]");
            } else {
                throw bad("model.merges[" + r + "] must be \"left right\" or [left, right], found " + Json.kind(m));
            }
            Integer a = idOf.get(left);
            Integer b = idOf.get(right);
            if (a == null || b == null) {
                throw bad("model.merges[" + r + "] names " + Json.write(a == null ? left : right) + ", which is not in model.vocab");
            }
            merges.add(new int[] {a, b});
        }
        try {
            return new ByteLevelBpe(tokens, merges);
        } catch (IllegalArgumentException e) {
            throw bad(e.getMessage());
        }
    }
}
