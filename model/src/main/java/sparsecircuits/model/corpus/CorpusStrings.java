package sparsecircuits.model.corpus;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which strings occur verbatim in a fixed set of documents (a real-code corpus), so that task pairs can be kept
 * disjoint from the text a model was trained on.
 *
 * <p>One query scans every document once with a rolling hash over a window of the shortest needle's length (at most
 * 32 characters), whatever the number of needles: a window whose hash starts some needle is checked in full. A needle
 * never matches across two documents. Answers are remembered per needle, so asking again is free.
 */
public final class CorpusStrings {
    private static final int MAX_WINDOW = 32;
    private static final long BASE = 0x100000001b3L;
    /** Documents of the directories asked for most recently: every job of an experiment asks for the same one. */
    private static final Map<Path, CorpusStrings> DIRECTORIES = new HashMap<>();

    private final List<String> documents;
    private final long characters;
    private final Map<String, Boolean> answered = new ConcurrentHashMap<>();

    private CorpusStrings(List<String> documents) {
        this.documents = List.copyOf(documents);
        long n = 0;
        for (String d : this.documents) n += d.length();
        this.characters = n;
    }

    /** The given documents. */
    public static CorpusStrings of(List<String> documents) {
        return new CorpusStrings(documents);
    }

    /**
     * Every {@code .py} file under {@code dir}, training and validation documents alike (a task pair that occurs in
     * either is not held out from the corpus). Read once per directory per process.
     * @throws IllegalArgumentException as {@link PythonDirectoryCorpus#open} does
     */
    public static CorpusStrings ofDirectory(Path dir) {
        Path key = dir.toAbsolutePath().normalize();
        synchronized (DIRECTORIES) {
            CorpusStrings known = DIRECTORIES.get(key);
            if (known != null) return known;
            PythonDirectoryCorpus corpus = PythonDirectoryCorpus.open(key, 0, 0);
            List<String> docs = new ArrayList<>(corpus.train());
            corpus.validation().forEach(docs::add);
            CorpusStrings made = new CorpusStrings(docs);
            DIRECTORIES.clear(); // one directory at a time: a corpus is tens of megabytes
            DIRECTORIES.put(key, made);
            return made;
        }
    }

    /** Characters in all documents. */
    public long characters() {
        return characters;
    }

    public int documentCount() {
        return documents.size();
    }

    /** Whether {@code needle} occurs in a document. */
    public boolean contains(String needle) {
        return occurring(List.of(needle))[0];
    }

    /**
     * For each needle, whether it occurs in some document; the empty string always does.
     */
    public boolean[] occurring(List<String> needles) {
        boolean[] out = new boolean[needles.size()];
        List<Integer> open = new ArrayList<>();
        for (int i = 0; i < needles.size(); i++) {
            Boolean known = answered.get(needles.get(i));
            if (known != null) out[i] = known;
            else if (needles.get(i).isEmpty()) out[i] = true;
            else open.add(i);
        }
        if (open.isEmpty()) return out;
        int window = MAX_WINDOW;
        for (int i : open) window = Math.min(window, needles.get(i).length());
        Map<Long, List<Integer>> byHash = new HashMap<>();
        long[] filter = new long[1 << 14]; // 2^20 bits: most windows are rejected without a map lookup
        for (int i : open) {
            long h = hash(needles.get(i), 0, window);
            byHash.computeIfAbsent(h, k -> new ArrayList<>()).add(i);
            int bit = bit(h);
            filter[bit >>> 6] |= 1L << bit;
        }
        long top = 1; // BASE^(window-1), to drop the character leaving the window
        for (int k = 1; k < window; k++) top *= BASE;
        boolean[] found = new boolean[needles.size()];
        int left = open.size();
        for (String doc : documents) {
            if (left == 0) break;
            int n = doc.length();
            if (n < window) continue;
            long h = hash(doc, 0, window);
            for (int start = 0; ; start++) {
                int bit = bit(h);
                if ((filter[bit >>> 6] & 1L << bit) != 0) {
                    List<Integer> candidates = byHash.get(h);
                    if (candidates != null) {
                        for (int i : candidates) {
                            if (!found[i] && doc.startsWith(needles.get(i), start)) {
                                found[i] = true;
                                left--;
                            }
                        }
                    }
                }
                if (start + window >= n) break;
                h = (h - doc.charAt(start) * top) * BASE + doc.charAt(start + window);
            }
        }
        for (int i : open) {
            out[i] = found[i];
            answered.put(needles.get(i), found[i]);
        }
        return out;
    }

    private static long hash(String s, int from, int length) {
        long h = 0;
        for (int k = 0; k < length; k++) h = h * BASE + s.charAt(from + k);
        return h;
    }

    private static int bit(long hash) {
        return (int) ((hash * 0x9E3779B97F4A7C15L) >>> 44);
    }
}
