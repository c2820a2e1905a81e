package sparsecircuits.model.tokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** A small seeded Python-like corpus for the tokenizer tests (not the project's corpus generator). */
final class TestCorpus {
    private static final String[] NAMES = {"items", "count", "value", "result", "node", "graph", "seen", "queue", "total",
        "name", "size", "path", "data", "line", "text", "key", "cost", "current", "buffer", "index"};
    private static final String[] WORDS = {"hello", "world", "some text", "error", "done", "x", "ok", "failed", "café", "naïve"};

    /**
     * Strings to force to single tokens, shaped like the paper tasks' targets (that list lives with the tasks in
     * {@code pruning}; the tokenizer takes whatever its caller gives): quote/paren pairs, nested and flat list ends,
     * a header colon with and without its newline, spaced operators and two indents.
     */
    static final List<String> FORCED = List.of("\")", "')", "(\"", "('", "]]\n", "]\n", ".add", " +=", " in", ":", ":\n", " ==", " =",
            "       ", "   ");

    private TestCorpus() {
    }

    /** {@code docs} documents of about 10 lines each, deterministic per seed. */
    static List<String> documents(long seed, int docs) {
        Random r = new Random(seed);
        List<String> out = new ArrayList<>();
        for (int d = 0; d < docs; d++) {
            StringBuilder sb = new StringBuilder();
            String f = pick(r, NAMES);
            sb.append("def ").append(f).append("(").append(pick(r, NAMES)).append(", ").append(pick(r, NAMES)).append("=None):\n");
            int lines = 6 + r.nextInt(8);
            for (int i = 0; i < lines; i++) sb.append(line(r, "    "));
            sb.append("    return ").append(r.nextBoolean() ? "True" : pick(r, NAMES)).append("\n\n");
            out.add(sb.toString());
        }
        return out;
    }

    private static String line(Random r, String indent) {
        String v = pick(r, NAMES);
        String q = r.nextBoolean() ? "\"" : "'";
        switch (r.nextInt(12)) {
            case 0: return indent + "print(" + q + pick(r, WORDS) + q + ")\n";
            case 1: return indent + v + " = set()\n" + indent + v + ".add(" + pick(r, NAMES) + ")\n";
            case 2: return indent + v + " = \"\"\n" + indent + v + " += " + q + pick(r, WORDS) + q + "\n";
            case 3: return indent + "for i in range(" + r.nextInt(100) + "):\n" + indent + "    " + v + " += i\n";
            case 4: return indent + "for i, " + v + " in enumerate(" + pick(r, NAMES) + "):\n" + indent + "    pass\n";
            case 5: {
                StringBuilder s = new StringBuilder(indent + v + " = [");
                boolean nested = r.nextBoolean();
                if (nested) s.append('[');
                int n = 1 + r.nextInt(8);
                for (int i = 0; i < n; i++) s.append(i == 0 ? "" : ", ").append(r.nextInt(20));
                return s.append(nested ? "]]\n" : "]\n").toString();
            }
            case 6: return indent + "if " + v + " == " + r.nextInt(10) + ":\n" + indent + "    " + v + " = 0\n"
                    + indent + "elif " + v + " > 3:\n" + indent + "    pass\n" + indent + "else:\n" + indent + "    " + v + " -= 1\n";
            case 7: return indent + "with open(" + v + "_path, " + (r.nextBoolean() ? "'r'" : "'w'") + ") as f:\n" + indent + "    data = f.read()\n";
            case 8: return indent + "d = {" + q + pick(r, NAMES) + q + ": " + r.nextInt(1000) + "}\n";
            case 9: return indent + "while True:\n" + indent + "    break\n";
            case 10: return indent + "# " + pick(r, WORDS) + " " + pick(r, WORDS) + "\n";
            default: return indent + v + " = lambda x: x * " + r.nextInt(7) + " if x else None\n";
        }
    }

    private static String pick(Random r, String[] a) {
        return a[r.nextInt(a.length)];
    }
}
