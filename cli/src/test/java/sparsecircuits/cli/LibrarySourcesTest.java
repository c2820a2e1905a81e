package sparsecircuits.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Rules about the sources of every module, checked on the source text (the CLI module sees them all as ../MODULE):
 * library messages never name a CLI flag (DESIGN.md Clarifications, "Library messages"), and the settings records of
 * many values are built by name, never positionally.
 */
class LibrarySourcesTest {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final List<String> LIBRARY = List.of("kernels", "autograd", "model", "pruning", "present", "experiment");
    static final List<String> ALL = List.of("kernels", "autograd", "model", "pruning", "present", "experiment", "cli", "bench", "src-test");

    /** Something that reads as a long option in a message: two dashes, then a lowercase word, not inside a longer word. */
    static final Pattern FLAG = Pattern.compile("(?<![\\w-])--[a-z][a-z0-9]*(?:-[a-z0-9]+)*");

    /** Options of the java launcher, which a library may tell the user to give the JVM (not flags of our CLI). */
    static final Set<String> JVM_OPTIONS = Set.of("--add-modules");

    @Test
    void libraryStringLiteralsNameNoCliFlag() {
        Set<String> cliFlags = new TreeSet<>();
        for (Command c : Main.commands()) c.options().specs().forEach(s -> cliFlags.add(s.name()));
        assertTrue(cliFlags.containsAll(List.of("--ctx", "--steps", "--lr", "--live-max-nonzeros")), cliFlags.toString());
        for (String jvm : JVM_OPTIONS) assertFalse(cliFlags.contains(jvm), jvm + " is a CLI flag now: it may not be allowed");

        Map<String, String> found = new TreeMap<>();
        for (String module : LIBRARY) {
            List<Path> files = javaFiles(module, "main");
            int literals = 0;
            for (Path f : files) {
                for (String literal : Lexed.of(read(f)).literals()) {
                    literals++;
                    Matcher m = FLAG.matcher(literal);
                    while (m.find()) {
                        if (!JVM_OPTIONS.contains(m.group())) found.put(ROOT.relativize(f) + ": " + m.group(), literal);
                    }
                }
            }
            // the scan saw the module's code: an empty or misplaced source tree must not pass
            assertTrue(files.size() >= 10 && literals >= 50, module + ": " + files.size() + " files, " + literals + " string literals");
        }
        assertEquals(Map.of(), found, "library messages say what is wrong in the library's terms; the CLI adds the flag");
    }

    @Test
    void theScanFindsFlagsInLiteralsOnlyAndNotInComments() {
        String src = """
                /** give {@code --ctx} a smaller value */
                class X { // or "--steps"
                    String a = "use a smaller --ctx", b = "a -- b", c = "x--y", d = \"""
                        text block with --lr 3
                        \""";
                    char q = '"'; String e = "say \\"--pfrac\\" again"; /* "--seed" */ String f = "---";
                }
                """;
        Lexed l = Lexed.of(src);
        List<String> flags = new ArrayList<>();
        for (String literal : l.literals()) {
            Matcher m = FLAG.matcher(literal);
            while (m.find()) flags.add(m.group());
        }
        assertEquals(List.of("--ctx", "--lr", "--pfrac"), flags);
        assertFalse(l.code().contains("--ctx") || l.code().contains("--steps") || l.code().contains("--seed"), l.code());
        assertTrue(l.code().contains("class X"), l.code());
    }

    /** The records of many values have builders; a positional call ({@code new TrainConfig(true, 0.25, 64, ...)}) is the builder's alone. */
    @Test
    void settingsRecordsAreBuiltByName() {
        Map<String, Pattern> calls = Map.of(
                "model/src/main/java/sparsecircuits/model/train/TrainConfig.java", Pattern.compile("new\\s+TrainConfig\\s*\\("),
                "model/src/main/java/sparsecircuits/model/gpt/GptConfig.java", Pattern.compile("new\\s+GptConfig\\s*\\("),
                "pruning/src/main/java/sparsecircuits/pruning/prune/Pruner.java", Pattern.compile("new\\s+(?:Pruner\\s*\\.\\s*)?Settings\\s*\\("));
        Pattern qualified = Pattern.compile("new\\s+(?:TrainConfig|GptConfig|Pruner\\s*\\.\\s*Settings)\\s*\\(");
        List<String> positional = new ArrayList<>();
        int files = 0;
        for (String module : ALL) {
            for (String kind : List.of("main", "test")) {
                for (Path f : javaFiles(module, kind)) {
                    files++;
                    String rel = ROOT.relativize(f).toString().replace('\\', '/');
                    String code = Lexed.of(read(f)).code();
                    Pattern own = calls.get(rel);
                    if (own != null) {
                        assertEquals(1, count(own, code), rel + ": only the builder calls the canonical constructor");
                    } else if (qualified.matcher(code).find()) {
                        positional.add(rel);
                    }
                }
            }
        }
        assertTrue(files > 200, files + " files");
        assertEquals(List.of(), positional, "build TrainConfig, GptConfig and Pruner.Settings with their builders");
    }

    private static int count(Pattern p, String s) {
        int n = 0;
        for (Matcher m = p.matcher(s); m.find(); ) n++;
        return n;
    }

    private static List<Path> javaFiles(String module, String kind) {
        Path dir = ROOT.resolve(module).resolve("src").resolve(kind).resolve("java");
        if (kind.equals("main") && !module.equals("src-test")) assertTrue(Files.isDirectory(dir), dir + " is missing");
        if (!Files.isDirectory(dir)) return List.of();
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> p.toString().endsWith(".java")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(Path f) {
        try {
            return Files.readString(f);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Java source split into its string literals (text blocks included, escapes left as written) and the code around them, comments dropped. */
    record Lexed(List<String> literals, String code) {
        static Lexed of(String src) {
            List<String> literals = new ArrayList<>();
            StringBuilder code = new StringBuilder();
            int i = 0, n = src.length();
            while (i < n) {
                char c = src.charAt(i);
                if (src.startsWith("//", i)) {
                    while (i < n && src.charAt(i) != '\n') i++;
                } else if (src.startsWith("/*", i)) {
                    int end = src.indexOf("*/", i + 2);
                    i = end < 0 ? n : end + 2;
                    code.append(' ');
                } else if (src.startsWith("\"\"\"", i)) {
                    int end = i + 3;
                    while (end < n && !src.startsWith("\"\"\"", end)) end += src.charAt(end) == '\\' ? 2 : 1;
                    literals.add(src.substring(i + 3, Math.min(end, n)));
                    i = Math.min(end + 3, n);
                    code.append("\"\"");
                } else if (c == '"' || c == '\'') {
                    int end = i + 1;
                    while (end < n && src.charAt(end) != c && src.charAt(end) != '\n') end += src.charAt(end) == '\\' ? 2 : 1;
                    if (c == '"') literals.add(src.substring(i + 1, Math.min(end, n)));
                    i = Math.min(end + 1, n);
                    code.append(c).append(c);
                } else {
                    code.append(c);
                    i++;
                }
            }
            return new Lexed(literals, code.toString());
        }
    }
}
