package sparsecircuits.model.corpus;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CorpusStringsTest {

    /** A string over a tiny alphabet, so that random needles often do occur. */
    private static String text(SplittableRandom r, int length) {
        StringBuilder b = new StringBuilder(length);
        for (int i = 0; i < length; i++) b.append("ab(\n".charAt(r.nextInt(4)));
        return b.toString();
    }

    @Test
    void answersAsStringContainsDoesForAnyDocumentsAndNeedles() {
        qt().withExamples(200).forAll(longs().all()).checkAssert(seed -> {
            SplittableRandom r = new SplittableRandom(seed);
            List<String> docs = new ArrayList<>();
            for (int d = r.nextInt(1, 6); d > 0; d--) docs.add(text(r, r.nextInt(0, 120)));
            List<String> needles = new ArrayList<>();
            for (int k = r.nextInt(1, 30); k > 0; k--) {
                String doc = docs.get(r.nextInt(docs.size()));
                if (r.nextBoolean() && !doc.isEmpty()) { // a real substring: found whatever its length
                    int from = r.nextInt(doc.length());
                    needles.add(doc.substring(from, r.nextInt(from, Math.min(doc.length(), from + 60)) + 1));
                } else {
                    needles.add(text(r, r.nextInt(0, 40)));
                }
            }
            boolean[] expected = new boolean[needles.size()];
            for (int i = 0; i < needles.size(); i++) {
                String n = needles.get(i);
                expected[i] = docs.stream().anyMatch(d -> d.contains(n));
            }
            CorpusStrings corpus = CorpusStrings.of(docs);
            assertArrayEquals(expected, corpus.occurring(needles), "docs " + docs + " needles " + needles);
            assertArrayEquals(expected, corpus.occurring(needles), "remembered answers");
        });
    }

    @Test
    void aNeedleNeverMatchesAcrossTwoDocuments() {
        CorpusStrings corpus = CorpusStrings.of(List.of("def f(x):\n    return", " x + 1\n"));
        assertFalse(corpus.contains("return x"));
        assertTrue(corpus.contains("    return"));
        assertTrue(corpus.contains(" x + 1\n"));
        assertTrue(corpus.contains(""));
    }

    @Test
    void findsNeedlesLongerThanTheHashWindowOnlyWhenWhole() {
        String line = "        args = [sys.executable, '-c', code, '--flag', '--other-flag']\n";
        CorpusStrings corpus = CorpusStrings.of(List.of("import sys\n" + line + "run(args)\n"));
        assertTrue(corpus.contains(line + "run"));
        // same first 32 characters (same window hash), different end
        assertFalse(corpus.contains(line.replace("--other-flag", "--another")));
    }

    @Test
    void readsEveryPythonFileOfADirectoryOnce(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("a.py"), "seen = set()\nfor name in names:\n    seen.add(name)\n");
        Files.createDirectories(dir.resolve("pkg"));
        Files.writeString(dir.resolve("pkg/b.py"), "items = []\nitems.append(1)\n");
        Files.writeString(dir.resolve("notes.txt"), "items.add");
        CorpusStrings corpus = CorpusStrings.ofDirectory(dir);
        assertTrue(corpus.contains("    seen.add"));
        assertTrue(corpus.contains("items.append"));
        assertFalse(corpus.contains("items.add"), "only .py files are the corpus");
        assertSame(corpus, CorpusStrings.ofDirectory(dir.resolve("pkg/..")), "one read per directory");
    }
}
