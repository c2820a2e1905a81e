package sparsecircuits.model.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.lists;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.quicktheories.generators.Generate;

class BpeTrainerTest {

    private static void assertSameTokenizer(ByteLevelBpe a, ByteLevelBpe b) {
        assertEquals(a.vocabSize(), b.vocabSize());
        assertEquals(a.mergeCount(), b.mergeCount());
        for (int r = 0; r < a.mergeCount(); r++) assertArrayEquals(a.merge(r), b.merge(r), "merge " + r);
        for (int id = 0; id < a.vocabSize(); id++) assertEquals(a.tokenString(id), b.tokenString(id));
    }

    @Test
    void sameCorpusGivesTheSameMergesAndDocumentOrderDoesNotMatter() {
        List<String> docs = TestCorpus.documents(3, 200);
        ByteLevelBpe a = new BpeTrainer(400, TestCorpus.FORCED).train(docs);
        ByteLevelBpe b = new BpeTrainer(400, TestCorpus.FORCED).train(new ArrayList<>(docs));
        assertSameTokenizer(a, b);
        List<String> shuffled = new ArrayList<>(docs);
        Collections.shuffle(shuffled, new Random(5));
        assertSameTokenizer(a, new BpeTrainer(400, TestCorpus.FORCED).train(shuffled));
    }

    @Test
    void forcedStringsAreSingleTokens() {
        ByteLevelBpe bpe = new BpeTrainer(512, TestCorpus.FORCED).train(TestCorpus.documents(2, 200));
        Set<Integer> ids = new HashSet<>();
        for (String s : TestCorpus.FORCED) {
            int[] enc = bpe.encode(s);
            assertEquals(1, enc.length, "target " + BpeTrainer.quote(s) + " -> " + enc.length + " tokens");
            assertTrue(ids.add(enc[0]), "distinct target ids");
        }
        assertNotEquals(bpe.encode("]]\n")[0], bpe.encode("]\n")[0]);
        assertNotEquals(bpe.encode("\")")[0], bpe.encode("')")[0]);
        // and in context, as the tasks use them
        int[] quote = bpe.encode("    foo(\"some text\")");
        assertEquals(bpe.encode("\")")[0], quote[quote.length - 1]);
        int[] nested = bpe.encode("    values =[[5, 3, 11, 3, 12]]\n");
        assertEquals(bpe.encode("]]\n")[0], nested[nested.length - 1]);
        int[] flat = bpe.encode("    values =[5, 3, 11]\n");
        assertEquals(bpe.encode("]\n")[0], flat[flat.length - 1]);
        int[] add = bpe.encode("x.add(node)"); // "x" is one byte
        assertEquals(bpe.encode(".add")[0], add[1]);
    }

    @Test
    void forcedStringsWorkEvenWhenTheCorpusNeverHasThem() {
        List<String> forced = List.of("]]\n", "]\n", ".add", "abc", "bc", "xabc", " +=", "ébc");
        Random r = new Random(1);
        StringBuilder words = new StringBuilder();
        for (int i = 0; i < 2000; i++) words.append(' ').append((char) ('k' + r.nextInt(16))).append((char) ('k' + r.nextInt(16)));
        List<String> corpus = List.of(words.toString());  // no forced string occurs in it
        ByteLevelBpe bpe = new BpeTrainer(290, forced).train(corpus);
        for (String s : forced) assertEquals(1, bpe.encode(s).length, BpeTrainer.quote(s));
        assertEquals(290, bpe.vocabSize());
    }

    @Test
    void forcedStringsAreSingleTokensForRandomForcedLists() {
        List<String> corpus = TestCorpus.documents(9, 30);
        qt().withExamples(40).forAll(lists().of(Generate.pick(List.of("]]\n", "]\n", "(\"", "('", "\")", "')", ".add", " +=", " in", ":",
                "=None", "):\n", " as", "ab", "abc", "bc", " x", "xyz", "yz", "])\n", ")]\n", "éé", "日本")))
                .ofSizeBetween(0, 8))
                .checkAssert(list -> {
                    BpeTrainer t = new BpeTrainer(340, list);
                    ByteLevelBpe bpe = t.train(corpus);
                    for (String s : list) assertEquals(1, bpe.encode(s).length, BpeTrainer.quote(s) + " in " + list);
                });
    }

    @Test
    void vocabSizeCountsEveryIdWithEndOfTextLast() {
        ByteLevelBpe bpe = new BpeTrainer(512, TestCorpus.FORCED).train(TestCorpus.documents(4, 200));
        assertEquals(512, bpe.vocabSize());
        assertEquals(511, bpe.endOfTextId());
        assertEquals("<|endoftext|>", bpe.tokenString(511));
        assertArrayEquals(new int[] {511}, bpe.encode("<|endoftext|>", true));
        Set<String> strings = new HashSet<>();
        for (int id = 0; id < 512; id++) assertTrue(strings.add(bpe.tokenString(id)), "unique token " + id);
        assertEquals(2048, new BpeTrainer(2048).vocabSize());
        assertEquals(512, BpeTrainer.DEFAULT_VOCAB_SIZE);
    }

    @Test
    void mostFrequentPairFirstTiesToSmallestIds() {
        // pairs: (a,b) x3, (space,a) x2, (space,c) x1, (c,d) x1 -> (a,b) first
        ByteLevelBpe one = new BpeTrainer(258).train(List.of("ab ab ab cd"));
        assertArrayEquals(new int[] {'a', 'b', 256}, one.merge(0));
        // all pairs once: (b,a), (space,d), (d,c) -> smallest left id: (space, d)
        ByteLevelBpe tie = new BpeTrainer(258).train(List.of("ba dc"));
        assertArrayEquals(new int[] {' ', 'd', 256}, tie.merge(0));
        // counts are weighted by pre-token frequency and merges continue on merged tokens
        ByteLevelBpe two = new BpeTrainer(259).train(List.of("ab ab ab cd"));
        assertArrayEquals(new int[] {' ', 256, 257}, two.merge(1));
        assertArrayEquals(new int[] {256, 257, 257, ' ', 'c', 'd'}, two.encode("ab ab ab cd"));
    }

    @Test
    void trainerAgreesWithEncoder() {
        // counting the trained tokenizer's own encodings of the corpus: every merge must have been used at least once
        List<String> docs = TestCorpus.documents(11, 100);
        ByteLevelBpe bpe = new BpeTrainer(420).train(docs);
        Set<Integer> used = new HashSet<>();
        for (String d : docs) for (int id : bpe.encode(d)) used.add(id);
        for (int id = 256; id < 419; id++) {
            final int tokenId = id;
            boolean reachable = used.contains(id) || java.util.stream.IntStream.range(0, bpe.mergeCount())
                    .anyMatch(r -> (bpe.merge(r)[0] == tokenId || bpe.merge(r)[1] == tokenId));
            assertTrue(reachable, "token " + id + " " + bpe.tokenString(id) + " is neither used nor merged further");
        }
    }

    @Test
    void refusesImpossibleSettings() {
        IllegalArgumentException small = assertThrows(IllegalArgumentException.class, () -> new BpeTrainer(256));
        assertTrue(small.getMessage().contains("too small"), small.getMessage());
        IllegalArgumentException forced = assertThrows(IllegalArgumentException.class, () -> new BpeTrainer(260, TestCorpus.FORCED));
        assertTrue(forced.getMessage().contains("forced strings need at least"), forced.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new BpeTrainer(512, List.of("a b")));
        assertThrows(IllegalArgumentException.class, () -> new BpeTrainer(512, List.of("")));
        IllegalArgumentException corpus = assertThrows(IllegalArgumentException.class, () -> new BpeTrainer(512).train(List.of("abc")));
        assertTrue(corpus.getMessage().contains("corpus is too small"), corpus.getMessage());
    }

    @Test
    void smallestVocabularyThatHoldsTheForcedStringsIsAccepted() {
        int need = 257;
        while (true) {
            try {
                new BpeTrainer(need, TestCorpus.FORCED);
                break;
            } catch (IllegalArgumentException e) {
                need++;
            }
        }
        ByteLevelBpe bpe = new BpeTrainer(need, TestCorpus.FORCED).train(List.of("x"));
        assertEquals(need, bpe.vocabSize());
        for (String s : TestCorpus.FORCED) assertEquals(1, bpe.encode(s).length);
    }

    @Test
    void trainingAFewHundredLinesIsQuick() {
        List<String> docs = TestCorpus.documents(21, 60); // ~ 600 lines
        long t0 = System.nanoTime();
        ByteLevelBpe bpe = new BpeTrainer(512, TestCorpus.FORCED).train(docs);
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertEquals(512, bpe.vocabSize());
        assertTrue(seconds < 3, "training took " + seconds + " s");
    }
}
