package sparsecircuits.model.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.quicktheories.QuickTheory.qt;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

/** The incremental trainer against a slow reference that recounts every pair before each merge. */
class ReferenceTrainerTest {

    /** The reference: full recount, highest count, ties to the smallest (left, right), skip pairs whose bytes are a token. */
    static List<int[]> referenceMerges(List<String> docs, int vocabSize) {
        List<byte[]> tokens = new ArrayList<>();
        Set<String> known = new HashSet<>();
        for (int b = 0; b < 256; b++) {
            tokens.add(new byte[] {(byte) b});
            known.add(ByteUnicode.encode(new byte[] {(byte) b}));
        }
        List<int[]> words = new ArrayList<>();
        for (String d : docs) {
            for (String piece : PreTokenizer.split(d)) {
                byte[] bytes = piece.getBytes(StandardCharsets.UTF_8);
                int[] w = new int[bytes.length];
                for (int i = 0; i < w.length; i++) w[i] = bytes[i] & 0xFF;
                words.add(w);
            }
        }
        List<int[]> merges = new ArrayList<>();
        Set<Long> skipped = new HashSet<>();
        while (tokens.size() < vocabSize - 1) {
            TreeMap<Long, Long> counts = new TreeMap<>();
            for (int[] w : words) for (int i = 0; i + 1 < w.length; i++) counts.merge(ByteLevelBpe.pair(w[i], w[i + 1]), 1L, Long::sum);
            long best = -1;
            long bestCount = 0;
            for (var e : counts.entrySet()) {
                if (e.getValue() > bestCount && !skipped.contains(e.getKey())) {
                    byte[] a = tokens.get((int) (e.getKey() >>> 32));
                    byte[] b = tokens.get((int) (long) e.getKey());
                    String joined = ByteUnicode.encode(a) + ByteUnicode.encode(b);
                    if (known.contains(joined)) continue;
                    best = e.getKey();
                    bestCount = e.getValue();
                }
            }
            if (best < 0) return null; // ran out
            int left = (int) (best >>> 32);
            int right = (int) best;
            byte[] joined = ByteUnicode.decode(ByteUnicode.encode(tokens.get(left)) + ByteUnicode.encode(tokens.get(right)));
            int z = tokens.size();
            tokens.add(joined);
            known.add(ByteUnicode.encode(joined));
            merges.add(new int[] {left, right, z});
            for (int k = 0; k < words.size(); k++) {
                int[] w = words.get(k);
                int[] out = new int[w.length];
                int n = 0;
                for (int i = 0; i < w.length; ) {
                    if (i + 1 < w.length && w[i] == left && w[i + 1] == right) {
                        out[n++] = z;
                        i += 2;
                    } else {
                        out[n++] = w[i++];
                    }
                }
                words.set(k, java.util.Arrays.copyOf(out, n));
            }
        }
        return merges;
    }

    /** Documents over a tiny alphabet, so that counts tie often and pairs repeat tokens that exist. */
    static Gen<List<String>> corpora() {
        Gen<String> piece = Generate.pick(List.of("a", "b", "ab", "ba", "aa", " ", "\n", "]", "]]", "(", "\"", "é", "1"));
        return in -> {
            List<String> docs = new ArrayList<>();
            int nd = Generate.range(1, 4).generate(in);
            for (int d = 0; d < nd; d++) {
                StringBuilder sb = new StringBuilder();
                int n = Generate.range(20, 120).generate(in);
                for (int i = 0; i < n; i++) sb.append(piece.generate(in));
                docs.add(sb.toString());
            }
            return docs;
        };
    }

    @Test
    void incrementalTrainerMatchesFullRecount() {
        java.util.concurrent.atomic.AtomicInteger compared = new java.util.concurrent.atomic.AtomicInteger();
        qt().withExamples(150).forAll(corpora(), Generate.range(258, 300)).checkAssert((docs, vocab) -> {
            List<int[]> expected = referenceMerges(docs, vocab);
            if (expected == null) return; // too small a corpus for this vocabulary: checked elsewhere
            compared.incrementAndGet();
            ByteLevelBpe bpe = new BpeTrainer(vocab).train(docs);
            assertEquals(expected.size(), bpe.mergeCount());
            for (int r = 0; r < expected.size(); r++) assertArrayEquals(expected.get(r), bpe.merge(r), "merge " + r);
        });
        org.junit.jupiter.api.Assertions.assertTrue(compared.get() >= 50, "only " + compared.get() + " corpora compared");
    }

    @Test
    void referenceIsExercised() {
        // a hand-made corpus with repeated and overlapping pairs (aaa), filling 268 ids
        List<String> docs = List.of("ab ba aaa ]] ]]\n(\"ab\") aab bba ".repeat(5) + "a1 b1 é]]\n \"é\"");
        List<int[]> expected = referenceMerges(docs, 268);
        assertEquals(268 - 257, expected.size());
        ByteLevelBpe bpe = new BpeTrainer(268).train(docs);
        for (int r = 0; r < expected.size(); r++) assertArrayEquals(expected.get(r), bpe.merge(r), "merge " + r);
    }
}
