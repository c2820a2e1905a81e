package sparsecircuits.model.corpus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PythonDirectoryCorpusTest {

    @TempDir
    Path tmp;

    private static void write(Path p, String text) throws IOException {
        Files.createDirectories(p.getParent());
        Files.writeString(p, text, StandardCharsets.UTF_8);
    }

    @Test
    void readsNestedPyFilesInSortedOrderAndIgnoresTheRest() throws IOException {
        Path root = tmp.resolve("lib");
        write(root.resolve("b.py"), "b = 2\n");
        write(root.resolve("a.py"), "\uFEFFa = 1\n");
        write(root.resolve("pkg/sub/z.py"), "z = 'z'\n");
        write(root.resolve("pkg/__init__.py"), "# pkg\n");
        write(root.resolve("pkg/empty.py"), "");
        write(root.resolve("notes.txt"), "not python\n");
        write(root.resolve("pkg/mod.pyc"), "bytes");
        write(root.resolve("pkg/x.pyi"), "x: int\n");
        Files.createDirectories(root.resolve("dir.py"));
        Files.write(root.resolve("pkg/latin1.py"), new byte[]{'s', ' ', '=', ' ', '\'', (byte) 0xE9, '\'', '\n'});

        PythonDirectoryCorpus c = PythonDirectoryCorpus.open(root, 0, 1);
        assertEquals(List.of("a.py", "b.py", "pkg/__init__.py", "pkg/sub/z.py"), c.trainPaths());
        assertEquals(List.of("a = 1\n", "b = 2\n", "# pkg\n", "z = 'z'\n"), c.train());
        assertEquals(List.of(), c.validation());
        assertEquals(1, c.skippedNotUtf8());
        assertTrue(c.isFinite());
        assertTrue(c.describe().contains("1 non-UTF-8"), c.describe());

        PythonDirectoryCorpus all = PythonDirectoryCorpus.open(root, 100, 1);
        assertEquals(List.of(), all.train());
        assertEquals(c.trainPaths(), all.validationPaths());
    }

    /**
     * The regime sweep's real-code corpus, Debian's CPython 3.11 standard library, reads as a corpus: hundreds of
     * files, megabytes of code on the training side, a validation side of whole files, the same split twice.
     */
    @Test
    void theCPythonStandardLibraryReadsAsACorpus() {
        Path stdlib = Path.of("/usr/lib/python3.11");
        if (!Files.isRegularFile(stdlib.resolve("json/__init__.py"))) {
            if ("true".equals(System.getenv("CI"))) org.junit.jupiter.api.Assertions.fail("/usr/lib/python3.11 lacks the standard library, and under CI=true it is required (.ci/run installs libpython3.11-stdlib)");
            org.junit.jupiter.api.Assumptions.abort("no CPython 3.11 standard library: apt-get install libpython3.11-stdlib");
        }
        PythonDirectoryCorpus c = PythonDirectoryCorpus.open(stdlib, 5, 0);
        long chars = c.train().stream().mapToLong(String::length).sum();
        assertTrue(c.trainPaths().size() > 300 && chars > 5_000_000, c.trainPaths().size() + " files, " + chars + " chars");
        assertFalse(c.validationPaths().isEmpty());
        assertTrue(c.trainPaths().stream().noneMatch(new HashSet<>(c.validationPaths())::contains), "whole files on one side");
        assertTrue(c.train().stream().anyMatch(t -> t.contains("def ") && t.contains("import ")), "Python source");
        assertEquals(c.validationPaths(), PythonDirectoryCorpus.open(stdlib, 5, 0).validationPaths(), "the same split");
    }

    @Test
    void missingDirectoryIsOneClearLine() {
        Path missing = tmp.resolve("nope");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Corpus.directory(missing, 10, 0));
        assertTrue(e.getMessage().contains(missing.toString()) && e.getMessage().contains("does not exist"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    void fileInsteadOfDirectoryIsRejected() throws IOException {
        Path f = tmp.resolve("one.py");
        write(f, "x = 1\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PythonDirectoryCorpus.open(f, 10, 0));
        assertTrue(e.getMessage().contains("not a directory"), e.getMessage());
    }

    @Test
    void directoryWithoutPyFilesIsOneClearLine() throws IOException {
        Path empty = tmp.resolve("empty");
        Files.createDirectories(empty.resolve("sub"));
        write(empty.resolve("sub/readme.md"), "# hi\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PythonDirectoryCorpus.open(empty, 10, 0));
        assertTrue(e.getMessage().contains(empty.toString()) && e.getMessage().contains("no .py files"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));

        Path onlyBad = tmp.resolve("bad");
        Files.createDirectories(onlyBad);
        Files.write(onlyBad.resolve("x.py"), new byte[]{(byte) 0xFF, (byte) 0xFE, 0});
        e = assertThrows(IllegalArgumentException.class, () -> PythonDirectoryCorpus.open(onlyBad, 10, 0));
        assertTrue(e.getMessage().contains("1 not UTF-8"), e.getMessage());
    }

    @Test
    void validationPercentOutOfRangeIsRejected() throws IOException {
        write(tmp.resolve("d/a.py"), "a = 1\n");
        assertThrows(IllegalArgumentException.class, () -> PythonDirectoryCorpus.open(tmp.resolve("d"), -1, 0));
        assertThrows(IllegalArgumentException.class, () -> PythonDirectoryCorpus.open(tmp.resolve("d"), 101, 0));
    }

    /** The split is deterministic, disjoint, complete, near the percentage, per-file, and seed-dependent. */
    @Test
    void splitIsDeterministicByDocument() throws IOException {
        Path root = tmp.resolve("many");
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            String rel = "p" + (i % 7) + "/m" + i + ".py";
            names.add(rel);
            write(root.resolve(rel), "value_" + i + " = " + i + "\n");
        }
        qt().withExamples(10).forAll(longs().all(), integers().between(5, 50)).checkAssert((seed, pct) -> {
            PythonDirectoryCorpus a = PythonDirectoryCorpus.open(root, pct, seed);
            PythonDirectoryCorpus b = PythonDirectoryCorpus.open(root, pct, seed);
            assertEquals(a.trainPaths(), b.trainPaths());
            assertEquals(a.validationPaths(), b.validationPaths());
            assertEquals(a.train(), b.train());
            Set<String> t = new HashSet<>(a.trainPaths());
            for (String v : a.validationPaths()) assertFalse(t.contains(v));
            assertEquals(300, a.trainPaths().size() + a.validationPaths().size());
            assertEquals(a.trainPaths().size(), a.train().size());
            double expected = 300 * pct / 100.0;
            double sd = Math.sqrt(300 * pct / 100.0 * (1 - pct / 100.0));
            assertTrue(Math.abs(a.validationPaths().size() - expected) < 5 * sd + 1,
                    a.validationPaths().size() + " validation files at " + pct + "%");
            for (String v : a.validationPaths()) assertTrue(PythonDirectoryCorpus.score(v, seed) < pct);
            PythonDirectoryCorpus other = PythonDirectoryCorpus.open(root, pct, seed + 1);
            assertNotEquals(a.validationPaths(), other.validationPaths(), "the seed changes the split");
        });
        // a file's side does not depend on the other files in the tree
        PythonDirectoryCorpus before = PythonDirectoryCorpus.open(root, 20, 42);
        write(root.resolve("extra/new.py"), "x = 1\n");
        PythonDirectoryCorpus after = PythonDirectoryCorpus.open(root, 20, 42);
        List<String> afterValid = new ArrayList<>(after.validationPaths());
        afterValid.remove("extra/new.py");
        assertEquals(before.validationPaths(), afterValid);
    }

    @Test
    void neitherSideIsEmptyWithTwoOrMoreFiles() throws IOException {
        Path root = tmp.resolve("two");
        write(root.resolve("a.py"), "a = 1\n");
        write(root.resolve("b.py"), "b = 2\n");
        qt().withExamples(200).forAll(longs().all(), integers().between(1, 99)).checkAssert((seed, pct) -> {
            PythonDirectoryCorpus c = PythonDirectoryCorpus.open(root, pct, seed);
            assertEquals(1, c.train().size(), "seed " + seed + " pct " + pct);
            assertEquals(1, c.validation().size());
        });
    }
}
