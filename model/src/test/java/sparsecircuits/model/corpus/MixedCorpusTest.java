package sparsecircuits.model.corpus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.doubles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MixedCorpusTest {

    @TempDir
    Path tmp;

    Corpus directory;
    Set<String> directoryTrain;

    /** Twenty small files of different lengths, so the mix has to balance uneven documents. */
    @BeforeEach
    void directory() throws IOException {
        for (int i = 0; i < 20; i++) {
            Files.writeString(tmp.resolve("m" + i + ".py"), ("x" + i + " = " + i + "\n").repeat(1 + i % 7));
        }
        directory = Corpus.directory(tmp, 25, 3);
        directoryTrain = new HashSet<>(((PythonDirectoryCorpus) directory).train());
    }

    static List<String> first(Iterable<String> docs, int n) {
        List<String> out = new ArrayList<>();
        Iterator<String> it = docs.iterator();
        for (int i = 0; i < n; i++) out.add(it.next());
        return out;
    }

    /** Share of the characters of {@code docs} that are documents of {@code from}. */
    static double share(List<String> docs, Set<String> from) {
        long in = 0, all = 0;
        for (String d : docs) {
            all += d.length();
            if (from.contains(d)) in += d.length();
        }
        return (double) in / all;
    }

    /** An unbounded stand-in for the generator: cheap documents of 1 to 600 characters. */
    static Corpus uneven(String tag) {
        Iterable<String> docs = () -> new Iterator<>() {
            int i;

            @Override
            public boolean hasNext() {
                return true;
            }

            @Override
            public String next() {
                i++;
                return "# " + tag + i + "\n" + "y".repeat((i * 7919) % 600);
            }
        };
        return new Corpus() {
            public Iterable<String> train() {
                return docs;
            }

            public Iterable<String> validation() {
                return docs;
            }

            public boolean isFinite() {
                return false;
            }

            public String describe() {
                return "uneven " + tag;
            }
        };
    }

    @Test
    void theDirectoryIsNeverMoreThanOneDocumentOffItsShare() {
        qt().withExamples(40).forAll(doubles().between(0.01, 0.99)).checkAssert(share -> {
            Iterator<String> it = Corpus.mixed(directory, uneven("s"), share).train().iterator();
            long fromDirectory = 0, all = 0, longest = 0;
            for (int n = 0; n < 3000; n++) {
                String d = it.next();
                all += d.length();
                longest = Math.max(longest, d.length());
                if (directoryTrain.contains(d)) fromDirectory += d.length();
                assertTrue(Math.abs(fromDirectory - share * all) <= longest,
                        "share " + share + " after " + (n + 1) + " documents: " + fromDirectory + " of " + all);
            }
        });
    }

    @Test
    void theDirectoryGivesItsShareOfTheCharactersAgainstTheGenerator() {
        for (double share : new double[] {0.1, 0.5, 0.9}) {
            List<String> docs = first(Corpus.mixed(directory, Corpus.synthetic(5), share).train(), 1500);
            long chars = docs.stream().mapToLong(String::length).sum();
            long longest = docs.stream().mapToLong(String::length).max().orElseThrow();
            assertEquals(share, share(docs, directoryTrain), (double) longest / chars, "share " + share);
        }
    }

    @Test
    void startsWithTheDirectoryAndIsUnbounded() {
        Corpus mix = Corpus.mixed(directory, Corpus.synthetic(5), 0.5);
        assertFalse(mix.isFinite());
        List<String> dirDocs = ((PythonDirectoryCorpus) directory).train();
        List<String> docs = first(mix.train(), 5000); // far more than the directory holds: it starts over
        assertEquals(dirDocs.get(0), docs.get(0), "ties go to the directory");
        List<String> fromDirectory = docs.stream().filter(directoryTrain::contains).toList();
        assertTrue(fromDirectory.size() > 2 * dirDocs.size());
        for (int i = 0; i < fromDirectory.size(); i++) {
            assertEquals(dirDocs.get(i % dirDocs.size()), fromDirectory.get(i), "directory documents in order, again and again");
        }
    }

    @Test
    void everyIteratorRestartsTheSameSequenceAndEqualSettingsGiveEqualMixes() {
        Corpus mix = Corpus.mixed(directory, Corpus.synthetic(5), 0.3);
        List<String> a = first(mix.train(), 300);
        assertEquals(a, first(mix.train(), 300));
        assertEquals(a, first(Corpus.mixed(directory, Corpus.synthetic(5), 0.3).train(), 300));
        assertEquals(first(mix.validation(), 100), first(mix.validation(), 100));
    }

    @Test
    void validationMixesTheValidationSidesSoTheSplitsStayDisjoint() {
        Corpus synthetic = Corpus.synthetic(5);
        Corpus mix = Corpus.mixed(directory, synthetic, 0.5);
        Set<String> dirValidation = new HashSet<>(((PythonDirectoryCorpus) directory).validation());
        Set<String> synthValidation = new HashSet<>(first(synthetic.validation(), 400));
        Set<String> train = new HashSet<>(first(mix.train(), 400));
        List<String> validation = first(mix.validation(), 400);
        assertEquals(0.5, share(validation, dirValidation), 0.05);
        for (String d : validation) {
            assertTrue(dirValidation.contains(d) || synthValidation.contains(d), "from a validation side: " + d);
            assertFalse(train.contains(d) || directoryTrain.contains(d), "a validation document in training: " + d);
        }
    }

    @Test
    void describeNamesBothSourcesAndTheShare() {
        String d = Corpus.mixed(directory, Corpus.synthetic(5), 0.25).describe();
        assertTrue(d.contains("0.25") && d.contains("0.75") && d.contains(tmp.toString()) && d.contains("synthetic Python (seed 5)"), d);
    }

    @Test
    void refusesAShareOutsideZeroToOne() {
        for (double bad : new double[] {0, 1, -0.1, 1.5, Double.NaN}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Corpus.mixed(directory, Corpus.synthetic(5), bad));
            assertTrue(e.getMessage().contains("strictly between 0 and 1"), e.getMessage());
        }
    }

    @Test
    void refusesADirectoryWithNoValidationDocument() throws IOException {
        Path one = tmp.resolve("one");
        Files.createDirectories(one);
        Files.writeString(one.resolve("a.py"), "a = 1\n");
        Corpus noValidation = Corpus.directory(one, 0, 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Corpus.mixed(noValidation, Corpus.synthetic(5), 0.5));
        assertTrue(e.getMessage().contains("no validation document"), e.getMessage());
    }
}
