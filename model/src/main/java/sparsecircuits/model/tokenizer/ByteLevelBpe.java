package sparsecircuits.model.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;

/**
 * A byte-level BPE tokenizer in the GPT-2 style with the "tinypython" pre-tokenisation
 * ({@link PreTokenizer}), immutable and safe to share between threads.
 *
 * <h2>Vocabulary</h2>
 * Ids {@code 0 .. vocabSize()-2} are ordinary tokens, each a non-empty byte sequence; all 256
 * single bytes are among them (ids 0..255 are bytes 0..255 in everything {@link BpeTrainer} makes,
 * but a loaded file may order them differently). The last id, {@code vocabSize()-1}, is the special
 * token {@link #END_OF_TEXT}. Token strings ({@link #tokenString}) use the GPT-2 byte-to-character
 * table of {@link ByteUnicode}.
 *
 * <h2>Merges</h2>
 * An ordered list of pairs {@code (left, right)}; the index is the rank, and the result is the token
 * whose bytes are the concatenation (as in Hugging Face {@code tokenizers}: a result may be reached
 * by more than one merge). Within each pre-token the bytes start as single-byte tokens, then the
 * adjacent pair of lowest rank is merged, at all its occurrences left to right, until no pair has a rank.
 *
 * <h2>Round trip</h2>
 * {@code decode(encode(s)).equals(s)} for every <em>valid</em> UTF-16 string {@code s} (empty,
 * control characters, non-ASCII, surrogate pairs), with or without {@code allowSpecial}. Text is
 * encoded as UTF-8; an unpaired surrogate, which has no UTF-8 form, is encoded as U+FFFD (the
 * replacement character), so such a string decodes with U+FFFD in its place. {@link #decode} of an
 * arbitrary id sequence that cuts a UTF-8 sequence also yields U+FFFD for the broken bytes.
 *
 * <h2>Special token</h2>
 * {@link #encode(String)} treats {@code "<|endoftext|>"} in the text as ordinary characters (as
 * tiktoken's {@code encode_ordinary}); {@link #encode(String, boolean)} with {@code allowSpecial} maps
 * each occurrence to the special id. (A Hugging Face reader of the exported file always does the
 * latter, since the token is listed in {@code added_tokens}.)
 *
 * <h2>Speed</h2>
 * Pre-tokens of up to 256 characters are cached (pre-token to ids, at most 65,536 entries, the cache
 * is emptied when full); the merge loop scans a pre-token once per applied rank.
 */
public final class ByteLevelBpe {
    /** The special token's text; its id is {@code vocabSize() - 1}. */
    public static final String END_OF_TEXT = "<|endoftext|>";

    private static final int CACHE_LIMIT = 1 << 16;
    private static final int CACHE_MAX_PIECE = 256;

    private final byte[][] tokens;          // id -> bytes, ordinary tokens only
    private final String[] tokenStrings;    // id -> byte-level string, including the special
    private final int[] byteToId = new int[256];
    private final long[] mergePairs;        // rank -> (left << 32 | right)
    private final int[] mergeResults;       // rank -> result id
    private final HashMap<Long, Integer> rankOfPair;
    private final Map<String, int[]> cache = new ConcurrentHashMap<>();

    /**
     * Makes a tokenizer from its ordinary tokens (ids 0..n-1, the special token gets id n) and its
     * merges in rank order, each {@code {left, right}}.
     * @throws IllegalArgumentException when a token is empty or repeated, a single byte has no token,
     *     a merge names an unknown id or is repeated, or the concatenation of a merge's pair is no token
     */
    public ByteLevelBpe(List<byte[]> tokens, List<int[]> merges) {
        int n = tokens.size();
        this.tokens = new byte[n][];
        this.tokenStrings = new String[n + 1];
        Arrays.fill(byteToId, -1);
        Map<String, Integer> idOfBytes = new HashMap<>();
        for (int id = 0; id < n; id++) {
            byte[] b = tokens.get(id);
            if (b == null || b.length == 0) throw new IllegalArgumentException("token " + id + " is empty");
            this.tokens[id] = b.clone();
            String key = ByteUnicode.encode(b);
            Integer prev = idOfBytes.putIfAbsent(key, id);
            if (prev != null) {
                throw new IllegalArgumentException("tokens " + prev + " and " + id + " are both \"" + key + "\"");
            }
            tokenStrings[id] = key;
            if (b.length == 1) byteToId[b[0] & 0xFF] = id;
        }
        tokenStrings[n] = END_OF_TEXT;
        for (int b = 0; b < 256; b++) {
            if (byteToId[b] < 0) {
                throw new IllegalArgumentException("byte 0x" + String.format("%02X", b) + " (\"" + ByteUnicode.charOf(b)
                        + "\") has no token; a byte-level vocabulary needs all 256 single bytes");
            }
        }
        mergePairs = new long[merges.size()];
        mergeResults = new int[merges.size()];
        rankOfPair = new HashMap<>(merges.size() * 2);
        for (int r = 0; r < merges.size(); r++) {
            int[] m = merges.get(r);
            if (m.length != 2 || m[0] < 0 || m[0] >= n || m[1] < 0 || m[1] >= n) {
                throw new IllegalArgumentException("merge " + r + " " + Arrays.toString(m) + " does not name two token ids in 0.." + (n - 1));
            }
            String joined = tokenStrings[m[0]] + tokenStrings[m[1]];
            Integer result = idOfBytes.get(joined);
            if (result == null) {
                throw new IllegalArgumentException("merge " + r + " \"" + tokenStrings[m[0]] + " " + tokenStrings[m[1]]
                        + "\" makes \"" + joined + "\", which is not in the vocabulary");
            }
            long key = pair(m[0], m[1]);
            if (rankOfPair.putIfAbsent(key, r) != null) {
                throw new IllegalArgumentException("merge " + r + " \"" + tokenStrings[m[0]] + " " + tokenStrings[m[1]]
                        + "\" repeats merge " + rankOfPair.get(key));
            }
            mergePairs[r] = key;
            mergeResults[r] = result;
        }
    }

    static long pair(int left, int right) {
        return ((long) left << 32) | (right & 0xFFFFFFFFL);
    }

    /** Number of ids, the special token included. */
    public int vocabSize() {
        return tokens.length + 1;
    }

    /** The id of {@link #END_OF_TEXT}: {@code vocabSize() - 1}. */
    public int endOfTextId() {
        return tokens.length;
    }

    /** The token's string in the GPT-2 byte-level alphabet ({@code "Ġin"} for " in"), or {@code "<|endoftext|>"}. */
    public String tokenString(int id) {
        checkId(id);
        return tokenStrings[id];
    }

    /** The bytes of token {@code id} (the UTF-8 of {@code "<|endoftext|>"} for the special token). */
    public byte[] tokenBytes(int id) {
        checkId(id);
        return id == tokens.length ? END_OF_TEXT.getBytes(StandardCharsets.UTF_8) : tokens[id].clone();
    }

    /** Number of merges. */
    public int mergeCount() {
        return mergePairs.length;
    }

    /** Merge {@code rank} as {@code {left, right, result}}. */
    public int[] merge(int rank) {
        long p = mergePairs[rank];
        return new int[] {(int) (p >>> 32), (int) p, mergeResults[rank]};
    }

    /** The merges in rank order, each {@code {left, right}} (the form the constructor takes). */
    public List<int[]> merges() {
        List<int[]> out = new ArrayList<>(mergePairs.length);
        for (long p : mergePairs) out.add(new int[] {(int) (p >>> 32), (int) p});
        return Collections.unmodifiableList(out);
    }

    /** The ordinary tokens' bytes by id (copies), the form the constructor takes. */
    public List<byte[]> tokens() {
        List<byte[]> out = new ArrayList<>(tokens.length);
        for (byte[] t : tokens) out.add(t.clone());
        return Collections.unmodifiableList(out);
    }

    private void checkId(int id) {
        if (id < 0 || id > tokens.length) {
            throw new IllegalArgumentException("token id " + id + " is outside 0.." + tokens.length);
        }
    }

    /** Encodes {@code text} as ordinary text: {@code "<|endoftext|>"} in it is encoded byte by byte like any text. */
    public int[] encode(String text) {
        return encode(text, false);
    }

    /**
     * Encodes {@code text}; when {@code allowSpecial} is set, each occurrence of {@code "<|endoftext|>"}
     * becomes the special id and the text between occurrences is encoded on its own.
     */
    public int[] encode(String text, boolean allowSpecial) {
        IntList out = new IntList(Math.max(8, text.length() / 3));
        if (!allowSpecial) {
            encodeOrdinary(text, out);
        } else {
            int from = 0;
            int at;
            while ((at = text.indexOf(END_OF_TEXT, from)) >= 0) {
                encodeOrdinary(text.substring(from, at), out);
                out.add(endOfTextId());
                from = at + END_OF_TEXT.length();
            }
            encodeOrdinary(from == 0 ? text : text.substring(from), out);
        }
        return out.toArray();
    }

    private void encodeOrdinary(String text, IntList out) {
        if (text.isEmpty()) return;
        Matcher m = PreTokenizer.PATTERN.matcher(text);
        int pos = 0;
        while (m.find()) {
            if (m.start() > pos) encodePiece(text.substring(pos, m.start()), out);
            encodePiece(m.group(), out);
            pos = m.end();
        }
        if (pos < text.length()) encodePiece(text.substring(pos), out);
    }

    private void encodePiece(String piece, IntList out) {
        if (piece.length() > CACHE_MAX_PIECE) {
            out.addAll(encodeBytes(utf8(piece)));
            return;
        }
        int[] ids = cache.get(piece);
        if (ids == null) {
            ids = encodeBytes(utf8(piece));
            if (cache.size() >= CACHE_LIMIT) cache.clear(); // bounded: start afresh when full
            cache.put(piece, ids);
        }
        out.addAll(ids);
    }

    /** The BPE of one pre-token's bytes (no pre-tokenisation, no specials). */
    int[] encodeBytes(byte[] bytes) {
        int[] ids = new int[bytes.length];
        for (int i = 0; i < bytes.length; i++) ids[i] = byteToId[bytes[i] & 0xFF];
        int len = applyMerges(ids, bytes.length, rankOfPair, mergeResults);
        return len == ids.length ? ids : Arrays.copyOf(ids, len);
    }

    /**
     * Applies merges in rank order to {@code ids[0..len)} in place and returns the new length: the pair
     * of lowest rank is merged at all its occurrences, left to right, until no adjacent pair has a rank.
     */
    static int applyMerges(int[] ids, int len, Map<Long, Integer> rankOfPair, int[] results) {
        while (len > 1) {
            int best = Integer.MAX_VALUE;
            int left = -1;
            int right = -1;
            for (int i = 0; i + 1 < len; i++) {
                Integer r = rankOfPair.get(pair(ids[i], ids[i + 1]));
                if (r != null && r < best) {
                    best = r;
                    left = ids[i];
                    right = ids[i + 1];
                }
            }
            if (best == Integer.MAX_VALUE) break;
            int result = results[best];
            int w = 0;
            for (int i = 0; i < len; ) {
                if (i + 1 < len && ids[i] == left && ids[i + 1] == right) {
                    ids[w++] = result;
                    i += 2;
                } else {
                    ids[w++] = ids[i++];
                }
            }
            len = w;
        }
        return len;
    }

    /**
     * Decodes ids to text: the tokens' bytes joined and read as UTF-8 (bytes that are no valid UTF-8
     * become U+FFFD). The special id decodes to {@code "<|endoftext|>"}.
     * @throws IllegalArgumentException for an id outside {@code 0..vocabSize()-1}
     */
    public String decode(int[] ids) {
        return new String(decodeBytes(ids), StandardCharsets.UTF_8);
    }

    /** The bytes of the tokens joined. */
    public byte[] decodeBytes(int[] ids) {
        int total = 0;
        for (int id : ids) {
            checkId(id);
            total += id == tokens.length ? END_OF_TEXT.length() : tokens[id].length;
        }
        byte[] out = new byte[total];
        int p = 0;
        for (int id : ids) {
            byte[] b = id == tokens.length ? END_OF_TEXT.getBytes(StandardCharsets.US_ASCII) : tokens[id];
            System.arraycopy(b, 0, out, p, b.length);
            p += b.length;
        }
        return out;
    }

    /** UTF-8 of {@code s}, with U+FFFD for each unpaired surrogate. */
    static byte[] utf8(String s) {
        byte[] out = new byte[s.length() * 3];
        int p = 0;
        for (int i = 0; i < s.length(); i++) {
            int c = s.charAt(i);
            if (Character.isHighSurrogate((char) c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                c = Character.toCodePoint((char) c, s.charAt(++i));
            } else if (Character.isSurrogate((char) c)) {
                c = 0xFFFD;
            }
            if (c < 0x80) {
                out[p++] = (byte) c;
            } else if (c < 0x800) {
                out[p++] = (byte) (0xC0 | (c >> 6));
                out[p++] = (byte) (0x80 | (c & 0x3F));
            } else if (c < 0x10000) {
                out[p++] = (byte) (0xE0 | (c >> 12));
                out[p++] = (byte) (0x80 | ((c >> 6) & 0x3F));
                out[p++] = (byte) (0x80 | (c & 0x3F));
            } else {
                out[p++] = (byte) (0xF0 | (c >> 18));
                out[p++] = (byte) (0x80 | ((c >> 12) & 0x3F));
                out[p++] = (byte) (0x80 | ((c >> 6) & 0x3F));
                out[p++] = (byte) (0x80 | (c & 0x3F));
            }
        }
        return Arrays.copyOf(out, p);
    }

    /** A growable int array. */
    static final class IntList {
        private int[] a;
        private int n;

        IntList(int capacity) {
            a = new int[Math.max(1, capacity)];
        }

        void add(int v) {
            if (n == a.length) a = Arrays.copyOf(a, n * 2);
            a[n++] = v;
        }

        void addAll(int[] vs) {
            if (n + vs.length > a.length) a = Arrays.copyOf(a, Math.max(n + vs.length, a.length * 2));
            System.arraycopy(vs, 0, a, n, vs.length);
            n += vs.length;
        }

        int size() {
            return n;
        }

        int get(int i) {
            return a[i];
        }

        int[] toArray() {
            return Arrays.copyOf(a, n);
        }
    }
}
