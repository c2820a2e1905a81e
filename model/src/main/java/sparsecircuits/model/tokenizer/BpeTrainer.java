package sparsecircuits.model.tokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.TreeMap;
import java.util.regex.Matcher;

/**
 * Trains a {@link ByteLevelBpe} on a corpus.
 *
 * <h2>Algorithm</h2>
 * <ol>
 *   <li><b>Forced strings first.</b> Each forced string (in the order given) must be exactly one
 *       pre-token; while it encodes to more than one token under the merges so far, a merge of its
 *       first two tokens is appended. A merge appended later never changes the encoding of a string
 *       that already is one token, so every forced string ends as exactly one token.</li>
 *   <li><b>Budget check.</b> 256 byte tokens + the forced strings' new tokens + 1 special must fit
 *       in {@code vocabSize}, else {@link IllegalArgumentException}.</li>
 *   <li><b>Counting.</b> Every document is cut into pre-tokens ({@link PreTokenizer}); distinct
 *       pre-tokens are counted and encoded with the forced merges.</li>
 *   <li><b>Merging.</b> Repeatedly the adjacent pair with the highest count (weighted by pre-token
 *       frequency) is merged into a new token, until the vocabulary has {@code vocabSize} ids.
 *       <b>Ties</b> go to the pair with the smallest left id, then the smallest right id. A pair whose
 *       bytes already form a token is skipped (so no two tokens share bytes). Pair counts are kept in a
 *       map and a lazily updated priority queue; a merge re-counts only the pre-tokens that contain
 *       the merged pair.</li>
 * </ol>
 * The result depends only on the multiset of pre-tokens of the corpus, the forced strings and the
 * vocabulary size: the same input always gives the same tokenizer. If the corpus runs out of pairs
 * before the vocabulary is full, training fails with a message rather than returning fewer ids.
 */
public final class BpeTrainer {
    /** The default vocabulary size of small models (the paper uses 2048). Counts every id, the special included. */
    public static final int DEFAULT_VOCAB_SIZE = 512;

    private final int vocabSize;
    private final List<String> forced;

    /** A trainer for {@code vocabSize} ids (special included) with no forced strings. */
    public BpeTrainer(int vocabSize) {
        this(vocabSize, List.of());
    }

    /**
     * A trainer for {@code vocabSize} ids (the special token included, so ids are {@code 0..vocabSize-1}
     * and {@code <|endoftext|>} is {@code vocabSize-1}) whose result encodes each forced string as one token. The
     * strings are the caller's (the tokenizer knows no tasks; the paper tasks' list is in the task suite).
     * @throws IllegalArgumentException when a forced string is empty, is cut into more than one pre-token,
     *     or the vocabulary size cannot hold 256 bytes + the special + the forced strings' tokens
     */
    public BpeTrainer(int vocabSize, List<String> forcedStrings) {
        this.vocabSize = vocabSize;
        this.forced = List.copyOf(forcedStrings);
        for (String s : forced) {
            if (s.isEmpty()) throw new IllegalArgumentException("a forced string is empty");
            List<String> pieces = PreTokenizer.split(s);
            if (pieces.size() != 1) {
                throw new IllegalArgumentException("forced string " + quote(s) + " is cut into " + pieces.size()
                        + " pre-tokens " + pieces.stream().map(BpeTrainer::quote).toList()
                        + " by the pre-tokenisation regex, so it can never be one token");
            }
        }
        int need = 256 + 1 + forcedPlan().newTokens;
        if (vocabSize < need) {
            throw new IllegalArgumentException("vocabulary size " + vocabSize + " is too small: 256 byte tokens + 1 special ("
                    + ByteLevelBpe.END_OF_TEXT + ") + " + (need - 257) + " tokens for the " + forced.size()
                    + " forced strings need at least " + need);
        }
    }

    public int vocabSize() {
        return vocabSize;
    }

    public List<String> forcedStrings() {
        return forced;
    }

    static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                default -> {
                    if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
                    else b.append(c);
                }
            }
        }
        return b.append('"').toString();
    }

    /** Tokens (by id), merges and lookup maps under construction. */
    private static final class State {
        final List<byte[]> tokens = new ArrayList<>();
        final Map<String, Integer> idOfBytes = new HashMap<>();
        final List<int[]> merges = new ArrayList<>();
        final Map<Long, Integer> rankOfPair = new HashMap<>();
        int[] results = new int[16];
        int newTokens;

        State() {
            for (int b = 0; b < 256; b++) addToken(new byte[] {(byte) b});
        }

        int addToken(byte[] bytes) {
            int id = tokens.size();
            tokens.add(bytes);
            idOfBytes.put(ByteUnicode.encode(bytes), id);
            return id;
        }

        /** Appends merge (left, right); its result is the existing token of those bytes or a new one. */
        int addMerge(int left, int right) {
            byte[] a = tokens.get(left);
            byte[] b = tokens.get(right);
            byte[] joined = Arrays.copyOf(a, a.length + b.length);
            System.arraycopy(b, 0, joined, a.length, b.length);
            Integer id = idOfBytes.get(ByteUnicode.encode(joined));
            if (id == null) {
                id = addToken(joined);
                newTokens++;
            }
            int rank = merges.size();
            merges.add(new int[] {left, right});
            rankOfPair.put(ByteLevelBpe.pair(left, right), rank);
            if (rank == results.length) results = Arrays.copyOf(results, rank * 2);
            results[rank] = id;
            return id;
        }

        int[] encode(byte[] bytes) {
            int[] ids = new int[bytes.length];
            for (int i = 0; i < bytes.length; i++) ids[i] = bytes[i] & 0xFF;
            int len = ByteLevelBpe.applyMerges(ids, ids.length, rankOfPair, results);
            return Arrays.copyOf(ids, len);
        }
    }

    private State forcedPlan() {
        State st = new State();
        for (String s : forced) {
            byte[] bytes = ByteLevelBpe.utf8(s);
            int[] ids;
            while ((ids = st.encode(bytes)).length > 1) st.addMerge(ids[0], ids[1]);
        }
        return st;
    }

    /**
     * Trains on {@code documents} (each a whole text; {@code <|endoftext|>} inside is ordinary text).
     * @throws IllegalArgumentException when the corpus has too few distinct pairs to fill the vocabulary
     */
    public ByteLevelBpe train(Iterable<String> documents) {
        // 1. count pre-tokens
        HashMap<String, long[]> counts = new HashMap<>();
        for (String doc : documents) {
            Matcher m = PreTokenizer.PATTERN.matcher(doc);
            int pos = 0;
            while (m.find()) {
                if (m.start() > pos) counts.computeIfAbsent(doc.substring(pos, m.start()), k -> new long[1])[0]++;
                counts.computeIfAbsent(m.group(), k -> new long[1])[0]++;
                pos = m.end();
            }
            if (pos < doc.length()) counts.computeIfAbsent(doc.substring(pos), k -> new long[1])[0]++;
        }
        // 2. forced merges, then the words as the forced merges leave them (sorted for a fixed order)
        State st = forcedPlan();
        String[] pieces = counts.keySet().toArray(new String[0]);
        Arrays.sort(pieces);
        int nw = pieces.length;
        int[][] words = new int[nw][];
        long[] freq = new long[nw];
        for (int w = 0; w < nw; w++) {
            words[w] = st.encode(ByteLevelBpe.utf8(pieces[w]));
            freq[w] = counts.get(pieces[w])[0];
        }
        counts = null;
        // 3. pair counts, where each pair occurs, and the queue
        HashMap<Long, long[]> pairCount = new HashMap<>();
        HashMap<Long, Where> where = new HashMap<>();
        for (int w = 0; w < nw; w++) {
            int[] ws = words[w];
            for (int i = 0; i + 1 < ws.length; i++) {
                long p = ByteLevelBpe.pair(ws[i], ws[i + 1]);
                pairCount.computeIfAbsent(p, k -> new long[1])[0] += freq[w];
                where.computeIfAbsent(p, k -> new Where()).add(w);
            }
        }
        PriorityQueue<long[]> queue = new PriorityQueue<>(Math.max(16, pairCount.size()),
                (x, y) -> x[0] != y[0] ? Long.compare(y[0], x[0]) : Long.compare(x[1], y[1]));
        for (Map.Entry<Long, long[]> e : pairCount.entrySet()) queue.add(new long[] {e.getValue()[0], e.getKey()});
        // 4. merge
        int target = vocabSize - 1;
        TreeMap<Long, Long> delta = new TreeMap<>();
        while (st.tokens.size() < target) {
            long[] top = queue.poll();
            if (top == null) {
                throw new IllegalArgumentException("the corpus is too small for vocabulary size " + vocabSize
                        + ": it ran out of pairs to merge at " + (st.tokens.size() + 1)
                        + " ids; use a larger corpus or a smaller vocabulary");
            }
            long p = top[1];
            long[] c = pairCount.get(p);
            long current = c == null ? 0 : c[0];
            if (current != top[0]) {
                if (current > 0) queue.add(new long[] {current, p});
                continue;
            }
            int left = (int) (p >>> 32);
            int right = (int) p;
            byte[] a = st.tokens.get(left);
            byte[] b = st.tokens.get(right);
            byte[] joined = Arrays.copyOf(a, a.length + b.length);
            System.arraycopy(b, 0, joined, a.length, b.length);
            if (st.idOfBytes.containsKey(ByteUnicode.encode(joined))) continue; // would repeat a token: skip
            int z = st.addMerge(left, right);
            delta.clear();
            for (int w : where.remove(p).sortedUnique()) {
                int[] ws = words[w];
                boolean has = false;
                for (int i = 0; i + 1 < ws.length && !has; i++) has = ws[i] == left && ws[i + 1] == right;
                if (!has) continue;
                long f = freq[w];
                for (int i = 0; i + 1 < ws.length; i++) delta.merge(ByteLevelBpe.pair(ws[i], ws[i + 1]), -f, Long::sum);
                int[] nws = new int[ws.length];
                int n = 0;
                for (int i = 0; i < ws.length; ) {
                    if (i + 1 < ws.length && ws[i] == left && ws[i + 1] == right) {
                        nws[n++] = z;
                        i += 2;
                    } else {
                        nws[n++] = ws[i++];
                    }
                }
                ws = Arrays.copyOf(nws, n);
                words[w] = ws;
                for (int i = 0; i + 1 < n; i++) {
                    long q = ByteLevelBpe.pair(ws[i], ws[i + 1]);
                    delta.merge(q, f, Long::sum);
                    if (ws[i] == z || ws[i + 1] == z) where.computeIfAbsent(q, k -> new Where()).add(w);
                }
            }
            for (Map.Entry<Long, Long> e : delta.entrySet()) {
                long d = e.getValue();
                if (d == 0) continue;
                long q = e.getKey();
                long[] qc = pairCount.computeIfAbsent(q, k -> new long[1]);
                qc[0] += d;
                if (qc[0] <= 0) {
                    pairCount.remove(q);
                    where.remove(q);
                } else if (d > 0) {
                    queue.add(new long[] {qc[0], q});
                }
            }
        }
        ByteLevelBpe bpe = new ByteLevelBpe(st.tokens, st.merges);
        for (String s : forced) {
            int[] ids = bpe.encode(s);
            if (ids.length != 1) {
                throw new IllegalStateException("forced string " + quote(s) + " encodes to " + ids.length + " tokens");
            }
        }
        return bpe;
    }

    /** The word indices where a pair occurs (appended lazily; may hold stale and repeated entries). */
    private static final class Where {
        int[] a = new int[4];
        int n;

        void add(int w) {
            if (n > 0 && a[n - 1] == w) return;
            if (n == a.length) a = Arrays.copyOf(a, n * 2);
            a[n++] = w;
        }

        int[] sortedUnique() {
            int[] s = Arrays.copyOf(a, n);
            Arrays.sort(s);
            int m = 0;
            for (int i = 0; i < s.length; i++) if (m == 0 || s[m - 1] != s[i]) s[m++] = s[i];
            return Arrays.copyOf(s, m);
        }
    }
}
