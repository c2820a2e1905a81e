package sparsecircuits.model.corpus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import sparsecircuits.model.tokenizer.BpeTrainer;
import sparsecircuits.model.tokenizer.ByteLevelBpe;

class SyntheticPythonTest {

    private static final List<String> SAMPLE = SyntheticPython.documents(20251124L, 500);

    @Test
    void sameSeedGivesTheSameSequenceInEveryView() {
        qt().withExamples(25).forAll(longs().all()).checkAssert(seed -> {
            List<String> a = SyntheticPython.documents(seed, 6);
            assertEquals(a, SyntheticPython.documents(seed, 6));
            SyntheticPython g = new SyntheticPython(seed);
            List<String> viaNext = new ArrayList<>();
            for (int i = 0; i < 6; i++) viaNext.add(g.nextDocument());
            assertEquals(a, viaNext);
            // every iterator starts again from the first document, whatever nextDocument() did
            for (int round = 0; round < 2; round++) {
                Iterator<String> it = g.iterator();
                for (int i = 0; i < 6; i++) {
                    assertTrue(it.hasNext());
                    assertEquals(a.get(i), it.next());
                }
            }
            assertNotEquals(a.get(0), g.nextDocument(), "nextDocument continues after the sixth document");
        });
    }

    @Test
    void differentSeedsGiveDifferentDocuments() {
        qt().withExamples(40).forAll(longs().all(), longs().all()).assuming((a, b) -> !a.equals(b)).checkAssert((a, b) -> {
            List<String> da = SyntheticPython.documents(a, 3);
            List<String> db = SyntheticPython.documents(b, 3);
            for (String d : da) assertFalse(db.contains(d), "seeds " + a + " and " + b + " share a document");
        });
    }

    @Test
    void documentsOfAtLeastIsTheShortestPrefix() {
        List<String> docs = SyntheticPython.documentsOfAtLeast(5, 20_000);
        long total = docs.stream().mapToLong(String::length).sum();
        assertTrue(total >= 20_000);
        assertTrue(total - docs.get(docs.size() - 1).length() < 20_000);
        assertEquals(SyntheticPython.documents(5, docs.size()), docs);
        assertThrows(IllegalArgumentException.class, () -> SyntheticPython.documents(5, -1));
    }

    /** Minimum number of occurrences in 500 documents (about a third of what the generator gives). */
    @Test
    void everyPhenomenonIsFrequent() {
        Map<String, Integer> min = new LinkedHashMap<>();
        min.put("set()", 120);
        min.put(".add(", 120);
        min.put(" += ", 200);
        min.put("with open(", 100);
        min.put("'r'", 20);
        min.put("\"r\"", 20);
        min.put("'w'", 20);
        min.put("\"w\"", 20);
        min.put(" as ", 100);
        min.put("lambda ", 120);
        min.put("def ", 500);
        min.put("f\"", 120);
        min.put("f'", 120);
        min.put("__init__(self, ", 90);
        min.put("self.", 600);
        min.put(" in enumerate(", 100);
        min.put(" in range(", 120);
        min.put("while True:", 60);
        min.put("return True\n", 120);
        min.put("return False\n", 80);
        min.put("]]", 150);
        min.put("],\n", 100);
        min.put("],", 500);
        min.put("]\n", 400);
        min.put(" == ", 450);
        min.put("{", 500);
        min.put(": ", 1000);
        min.put("elif ", 250);
        min.put("else:", 150);
        min.put("(\"", 250);
        min.put("('", 250);
        min.put("\")", 250);
        min.put("')", 250);
        min.put("current = ", 60);
        min.put("# ", 150);
        min.put("\"\"\"", 150);
        min.put("=None", 60);
        for (Map.Entry<String, Integer> e : min.entrySet()) {
            int n = 0;
            for (String d : SAMPLE) n += count(d, e.getKey());
            assertTrue(n >= e.getValue(), "'" + e.getKey() + "' occurs " + n + " times in 500 documents, want >= " + e.getValue());
        }
        Map<String, Integer> minRegex = new LinkedHashMap<>();
        minRegex.put("\\w = [^\\n]* if [^\\n]* else ", 120);          // ternaries
        minRegex.put("(?m)^ *if [^\\n]*:$", 500);                       // if statements
        minRegex.put("(?m)^ *for \\w+ in ", 300);                       // single-variable for
        minRegex.put("(?m)^ *while (?!True)[^\\n]*:$", 60);             // while cond
        minRegex.put("(?m)^ *(\\w+), (\\w+) = \\2, \\1$", 40);          // var swap
        minRegex.put("(?m)^ *\\w+ = \\{", 100);                          // dict literal
        minRegex.put("(?m)^ *\\w+ = \\[", 300);                          // list literal
        minRegex.put("(?m)^ *\\w+ = (True|False)$", 100);                // x = True
        minRegex.put("if [\\w.]+ == True:", 20);                         // if x == True:
        minRegex.put("(?m)^ *(\\w+) = set\\(\\)\\n(?:.*\\n)+? *\\1\\.add\\(", 100);
        minRegex.put("(?m)^ *(\\w+) = (\"\"|'')\\n(?:.*\\n)+? *\\1 \\+= ", 100);
        minRegex.put("(?m)^ *self\\.(\\w+) = \\1$", 200);
        minRegex.put("(?m)^ *\\w+ = open\\(", 20);
        minRegex.put("(?m)^ *def \\w+\\(\\w+(, \\w+)*, \\w+=", 60);  // keyword parameters after positional ones
        for (Map.Entry<String, Integer> e : minRegex.entrySet()) {
            Pattern p = Pattern.compile(e.getKey());
            int n = 0;
            for (String d : SAMPLE) {
                Matcher m = p.matcher(d);
                while (m.find()) n++;
            }
            assertTrue(n >= e.getValue(), "/" + e.getKey() + "/ matches " + n + " times in 500 documents, want >= " + e.getValue());
        }
    }

    @Test
    void fileModeFollowsThePathName() {
        Pattern p = Pattern.compile("with open\\((\\w+), (['\"])([rwa])\\2");
        int reads = 0, writes = 0;
        for (String d : SAMPLE) {
            Matcher m = p.matcher(d);
            while (m.find()) {
                String path = m.group(1);
                boolean input = path.startsWith("in") || path.startsWith("src") || path.startsWith("source")
                        || path.startsWith("read") || path.startsWith("config") || path.startsWith("data")
                        || path.startsWith("csv") || path.startsWith("log") || path.startsWith("template");
                if (m.group(3).equals("r")) {
                    reads++;
                    assertTrue(input, "read mode with " + path);
                } else {
                    writes++;
                    assertFalse(input, "write mode with " + path);
                }
            }
        }
        assertTrue(reads > 50 && writes > 50, reads + " reads, " + writes + " writes");
    }

    /** Every string literal closes, on its line, with the quote that opened it; none spans lines. */
    @Test
    void quotesCloseWithTheQuoteThatOpened() {
        int strings = 0;
        for (String d : SAMPLE) {
            for (String line : d.split("\n", -1)) {
                if (line.contains("\"\"\"")) {
                    assertTrue(line.strip().startsWith("\"\"\"") && line.strip().endsWith("\"\"\"") && count(line, "\"\"\"") == 2,
                            "docstring on one line: " + line);
                    continue;
                }
                int i = 0;
                while (i < line.length()) {
                    char c = line.charAt(i);
                    if (c == '#') break;
                    if (c == '"' || c == '\'') {
                        int close = line.indexOf(c, i + 1);
                        if (close < 0) fail("unclosed " + c + " in: " + line);
                        String body = line.substring(i + 1, close);
                        char other = c == '"' ? '\'' : '"';
                        assertTrue(body.indexOf(other) < 0 && body.indexOf('\\') < 0, "mixed quotes in: " + line);
                        strings++;
                        i = close + 1;
                    } else {
                        i++;
                    }
                }
            }
        }
        assertTrue(strings > 3000, strings + " string literals");
        // calls with one string argument: ("...") and ('...'), never ("...') or ('...")
        Pattern call = Pattern.compile("\\((['\"])[^'\"\\n]*(['\"])([),])");
        int calls = 0;
        for (String d : SAMPLE) {
            Matcher m = call.matcher(d);
            while (m.find()) {
                calls++;
                assertEquals(m.group(1), m.group(2), m.group());
            }
        }
        assertTrue(calls > 800, calls + " calls with a leading string argument");
    }

    @Test
    void indentationIsFourSpaces() {
        for (String d : SAMPLE) {
            assertFalse(d.contains("\t"));
            assertTrue(d.endsWith("\n"));
            int prev = 0;
            boolean opened = false;
            for (String line : d.split("\n")) {
                if (line.isBlank()) continue;
                int ind = line.length() - line.stripLeading().length();
                assertEquals(0, ind % 4, "indent " + ind + ": " + line);
                if (opened) assertEquals(prev + 4, ind, "block after a header must be indented by 4: " + line);
                else assertTrue(ind <= prev + 4, line);
                String code = line.strip();
                opened = code.endsWith(":") && !code.startsWith("#");
                prev = ind;
            }
        }
    }

    @Test
    void validPythonWhenPython3IsPresent() throws Exception {
        Assumptions.assumeTrue(hasPython3(), "assumption: python3 is not on PATH, so the generated documents are not "
                + "compiled by CPython here (the other tests check quotes and indentation)");
        String script = "import sys\n"
                + "docs = sys.stdin.buffer.read().decode('utf-8').split('\\0')[:-1]\n"
                + "bad = 0\n"
                + "for i, d in enumerate(docs):\n"
                + "    try:\n"
                + "        compile(d, 'doc%d' % i, 'exec')\n"
                + "    except SyntaxError as e:\n"
                + "        bad += 1\n"
                + "        print('doc %d line %s: %s' % (i, e.lineno, e.msg))\n"
                + "print('checked %d bad %d' % (len(docs), bad))\n";
        Process p = new ProcessBuilder("python3", "-c", script).redirectErrorStream(true).start();
        StringBuilder all = new StringBuilder();
        for (String d : SAMPLE) all.append(d).append('\0');
        try (OutputStream in = p.getOutputStream()) {
            in.write(all.toString().getBytes(StandardCharsets.UTF_8));
        }
        String out = readAll(p.getInputStream());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.strip().endsWith("checked 500 bad 0"), out);
    }

    @Test
    void corpusTrainAndValidationStreamsAreDisjointAndDeterministic() {
        qt().withExamples(5).forAll(longs().all()).checkAssert(seed -> {
            Corpus c = Corpus.synthetic(seed);
            assertFalse(c.isFinite());
            assertTrue(c.describe().contains(Long.toString(seed)));
            List<String> train = take(c.train(), 150);
            List<String> valid = take(c.validation(), 150);
            assertEquals(train, take(Corpus.synthetic(seed).train(), 150));
            assertEquals(valid, take(Corpus.synthetic(seed).validation(), 150));
            assertEquals(train, take(c.train(), 150), "each iterator starts again");
            Set<String> t = new HashSet<>(train);
            for (String v : valid) assertFalse(t.contains(v), "a validation document is also a training document");
            assertNotEquals(SyntheticPython.trainSeed(seed), SyntheticPython.validationSeed(seed));
        });
    }

    /** A 2048-id vocabulary with task-like targets forced trains on ~3 MB of generated text. */
    @Test
    void bpeWith2048IdsTrainsOnThreeMegabytes() {
        List<String> docs = SyntheticPython.documentsOfAtLeast(11, 3_000_000);
        List<String> targets = List.of("\")", "')", "]]\n", "]\n", ".add", " +=", " in", ":\n", "=None", " enumerate", " range");
        ByteLevelBpe bpe = new BpeTrainer(2048, targets).train(docs);
        assertEquals(2048, bpe.vocabSize());
        for (String target : targets) {
            assertEquals(1, bpe.encode(target).length, "task target '" + target + "' is one token");
        }
        String doc = SAMPLE.get(0);
        assertTrue(bpe.encode(doc).length < doc.length() / 2.5, "the vocabulary compresses generated text");
    }

    private static List<String> take(Iterable<String> it, int n) {
        List<String> out = new ArrayList<>();
        Iterator<String> i = it.iterator();
        while (out.size() < n && i.hasNext()) out.add(i.next());
        return out;
    }

    private static int count(String s, String sub) {
        int n = 0;
        for (int i = s.indexOf(sub); i >= 0; i = s.indexOf(sub, i + sub.length())) n++;
        return n;
    }

    private static boolean hasPython3() {
        try {
            Process p = new ProcessBuilder("python3", "-c", "import ast").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static String readAll(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        in.transferTo(b);
        return b.toString(StandardCharsets.UTF_8);
    }
}
