package sparsecircuits.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The command line stays parse-and-print (issue 16): no file over 300 lines, no command that calls another, no JSON
 * built here (the library's results come with their own toJson).
 */
class CliShapeTest {
    static final Path MAIN = LibrarySourcesTest.ROOT.resolve("cli/src/main/java/sparsecircuits/cli");
    static final int MAX_LINES = 300;

    private static List<Path> sources() throws IOException {
        try (Stream<Path> s = Files.list(MAIN)) {
            List<Path> files = s.filter(p -> p.toString().endsWith(".java")).sorted().toList();
            assertTrue(files.size() > 20, "found the cli sources in " + MAIN);
            return files;
        }
    }

    @Test
    void noFileIsLongerThan300Lines() throws IOException {
        List<String> long_ = new ArrayList<>();
        for (Path f : sources()) {
            long n = Files.readAllLines(f).size();
            if (n > MAX_LINES) long_.add(f.getFileName() + " " + n);
        }
        assertEquals(List.of(), long_);
    }

    @Test
    void noCommandCallsAnother() throws IOException {
        List<String> commands = new ArrayList<>();
        for (Path f : sources()) {
            String n = f.getFileName().toString().replace(".java", "");
            if (n.endsWith("Command") && !n.equals("Command")) commands.add(n);
        }
        assertTrue(commands.size() >= 10, commands.toString());
        List<String> calls = new ArrayList<>();
        for (Path f : sources()) {
            String self = f.getFileName().toString().replace(".java", "");
            if (self.equals("Main")) continue; // Main lists the commands
            String text = Files.readString(f);
            for (String c : commands) {
                if (c.equals(self)) continue;
                Matcher m = Pattern.compile("\\b" + c + "\\b").matcher(text.replaceAll("(?s)/\\*.*?\\*/|//[^\\n]*", ""));
                if (m.find()) calls.add(self + " -> " + c);
            }
        }
        assertEquals(List.of(), calls);
    }

    @Test
    void noJsonIsBuiltHere() throws IOException {
        List<String> builders = new ArrayList<>();
        for (Path f : sources()) {
            String text = Files.readString(f);
            // building an object (put of a named member) or reading one apart: the library's toJson and readers do that
            if (Pattern.compile("\\.put\\(\"|Json\\.(parse|read)\\(|\\.get\\(\"").matcher(text).find()) builders.add(f.getFileName().toString());
        }
        assertEquals(List.of(), builders);
    }
}
