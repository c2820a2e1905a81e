package sparsecircuits.model.corpus;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * A seeded, deterministic, unbounded generator of small Python modules: the embedded default corpus
 * (SPEC §8.1, issue 4 §5).
 *
 * <p>Each document is a module of a few top-level units (functions, classes, loose statements, a
 * {@code __main__} guard) built from templates whose parts are chosen at random: identifiers come from a
 * pool of about 190 words combined with suffixes, second words and digits (tens of thousands of names),
 * so that every task phenomenon has to be read from context, not from a bigram. The text is
 * syntactically valid Python with 4-space indentation; string literals never contain quotes,
 * backslashes or newlines.
 *
 * <p>Half the documents are idiom drills: one function or block of task-phenomenon statements with no filler (the
 * paper's "simple idioms" component, SPEC §8.1), so a small model trained for minutes sees each phenomenon often.
 *
 * <p>Phenomena, by SPEC §5 task:
 * <ul>
 *   <li>1 single_double_quote: strings opened with {@code '} or {@code "} inside calls
 *       ({@code print("…")}, {@code log.info('…')}, {@code name(x, "…")}) and closed with the same quote;</li>
 *   <li>2 final_kwarg: {@code def} signatures with positional parameters, then keyword parameters with
 *       defaults ({@code =None}, {@code =0}, {@code =""}, …);</li>
 *   <li>3, 4 set_or_string(_fixedvarname): a variable (random name, or {@code current} a quarter of the
 *       time) initialised with {@code set()} or {@code ""}/{@code ''}, some filler or a loop, then
 *       {@code x.add(…)} or {@code x += …};</li>
 *   <li>5 class_init: classes with {@code __init__(self, a, b, …)} and {@code self.a = a} lines, and methods
 *       reading {@code self.a};</li>
 *   <li>6, 8 with_as, with_open: {@code with open(input_path, 'r') as f:} reading and
 *       {@code with open(output_path, 'w') as out:} writing (mode follows the path name), and plain
 *       {@code f = open(path)} assignments;</li>
 *   <li>7 bracket_brace: dict literals ({@code {"k": v}}) next to list literals ({@code ["a", "b"]});</li>
 *   <li>9 bracket_counting: flat and nested list literals of varying length and depth, on one line
 *       ({@code [[1, 2], [3]]}) or one row a line ending with {@code ],};</li>
 *   <li>10, 15, 18: {@code for i in range(…)}, {@code for i, x in enumerate(…)}, {@code for x in xs:} and
 *       {@code while cond:} headers, nested to depth 3, each followed by a correctly indented body;</li>
 *   <li>11, 13: {@code if}/{@code elif}/{@code else} chains, and ternaries {@code a if c else b};</li>
 *   <li>12 fstring_brace: f-strings ({@code f"total: {total}"}) next to plain strings;</li>
 *   <li>14 var_swap: {@code a, b = b, a};</li>
 *   <li>16 lambda_func: {@code name = lambda x: …}, {@code key=lambda item: …} and {@code def name(…)};</li>
 *   <li>17, 19 if_equals, var_if: {@code ==} in conditions (including {@code if x == True:}) and {@code =}
 *       in assignments (including {@code x = True});</li>
 *   <li>20 while_return_true: {@code while True:} loops with a {@code break}, and {@code return True} /
 *       {@code return False} in functions;</li>
 *   <li>and filler: comments, docstrings, blank lines, imports, constants, {@code try}/{@code except},
 *       {@code assert}, calls with keyword arguments, {@code append}, arithmetic.</li>
 * </ul>
 *
 * <p>The sequence depends only on the seed (a private SplitMix64 generator; nothing global).
 * {@link #nextDocument()} advances this instance; every {@link #iterator()} starts the sequence again.
 */
public final class SyntheticPython implements Iterable<String> {

    private final long seed;
    private final Gen cursor;

    public SyntheticPython(long seed) {
        this.seed = seed;
        this.cursor = new Gen(seed);
    }

    public long seed() {
        return seed;
    }

    /** The next document of this instance's sequence. */
    public String nextDocument() {
        return cursor.document();
    }

    /** An unbounded iterator over the sequence for this seed, from its first document. */
    @Override
    public Iterator<String> iterator() {
        Gen g = new Gen(seed);
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return true;
            }

            @Override
            public String next() {
                return g.document();
            }
        };
    }

    /** The first {@code count} documents for {@code seed}. */
    public static List<String> documents(long seed, int count) {
        if (count < 0) throw new IllegalArgumentException("document count must be >= 0, got " + count);
        Gen g = new Gen(seed);
        List<String> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) out.add(g.document());
        return out;
    }

    /** The shortest prefix of the sequence for {@code seed} with at least {@code chars} characters in all. */
    public static List<String> documentsOfAtLeast(long seed, long chars) {
        Gen g = new Gen(seed);
        List<String> out = new ArrayList<>();
        long n = 0;
        while (n < chars) {
            String d = g.document();
            out.add(d);
            n += d.length();
        }
        return out;
    }

    /**
     * The generator's word pools, for task templates that must read like the corpus (same identifiers and text
     * words, so the same tokens) while being built from other templates: identifier words, name suffixes,
     * function verbs and string-text words.
     */
    public record Pools(List<String> words, List<String> suffixes, List<String> verbs, List<String> textWords) {
    }

    public static Pools pools() {
        return new Pools(List.of(WORDS), List.of(SUFFIXES), List.of(VERBS), List.of(TEXT_WORDS));
    }

    /** Seed of the training stream derived from a corpus seed. */
    public static long trainSeed(long seed) {
        return SplitMix.mix(seed ^ 0x747261696E000001L);
    }

    /** Seed of the validation stream derived from a corpus seed (never equal to {@link #trainSeed}). */
    public static long validationSeed(long seed) {
        long v = SplitMix.mix(seed ^ 0x76616C6964000002L);
        return v == trainSeed(seed) ? v + 1 : v;
    }

    /** The corpus: training documents from {@link #trainSeed}, validation from {@link #validationSeed}. */
    static Corpus corpus(long seed) {
        SyntheticPython train = new SyntheticPython(trainSeed(seed));
        SyntheticPython valid = new SyntheticPython(validationSeed(seed));
        return new Corpus() {
            @Override
            public Iterable<String> train() {
                return train;
            }

            @Override
            public Iterable<String> validation() {
                return valid;
            }

            @Override
            public boolean isFinite() {
                return false;
            }

            @Override
            public String describe() {
                return "synthetic Python (seed " + seed + ")";
            }
        };
    }

    // ------------------------------------------------------------------------------------------------

    /** SplitMix64: fixed, portable, no global state. */
    static final class SplitMix {
        private long state;

        SplitMix(long seed) {
            state = seed;
        }

        static long mix(long z) {
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            return z ^ (z >>> 31);
        }

        long nextLong() {
            state += 0x9E3779B97F4A7C15L;
            return mix(state);
        }

        /** Uniform in [0, n). */
        int nextInt(int n) {
            return (int) Long.remainderUnsigned(nextLong(), n);
        }

        boolean chance(double p) {
            return (nextLong() >>> 11) * 0x1.0p-53 < p;
        }
    }

    /**
     * Fraction of documents that are idiom drills ({@link Gen#drill}). Measured on the default sparse model after 1,500
     * steps, against none: held-out task loss of else_elif 0.21 → 0.04, while_return_true 0.10 → 0.01, for_while 0.47 → 0.28.
     */
    static final double DRILLS = 0.5;

    private static final String[] WORDS = {
        "item", "value", "count", "total", "result", "node", "graph", "seen", "queue", "name", "size", "path",
        "data", "line", "text", "key", "cost", "buffer", "index", "record", "entry", "row", "column", "cell",
        "grid", "matrix", "score", "price", "amount", "user", "account", "order", "product", "customer",
        "message", "event", "token", "word", "letter", "number", "digit", "point", "edge", "vertex", "weight",
        "level", "depth", "width", "height", "length", "start", "stop", "step", "limit", "offset", "target",
        "source", "parent", "child", "left", "right", "head", "tail", "first", "last", "prev", "current_node",
        "visited", "stack", "heap", "cache", "config", "option", "setting", "param", "arg", "field", "label",
        "title", "color", "shape", "area", "volume", "speed", "time", "date", "year", "month", "day", "hour",
        "minute", "second", "counter", "tally", "bucket", "group", "team", "player", "game", "board", "move",
        "card", "deck", "hand", "animal", "city", "country", "student", "grade", "course", "book", "page",
        "chapter", "author", "file_name", "folder", "report", "summary", "output", "input_value", "response",
        "request", "status", "error", "warning", "flag", "mode", "state", "task", "job", "worker", "server",
        "client", "host", "port", "address", "email", "phone", "city_name", "temp", "sample", "batch", "chunk",
        "block", "frame", "image", "pixel", "signal", "sensor", "reading", "measure", "ratio", "rate", "factor",
        "base", "power", "root", "prime", "factorial", "fib", "square", "cube", "half", "double", "pair",
        "triple", "tree", "leaf", "branch", "route", "stop_name", "station", "train", "ticket", "seat",
        "menu", "dish", "recipe", "ingredient", "fruit", "vegetable", "inventory", "stock", "shelf", "store",
        "basket", "cart", "coupon", "discount", "tax", "balance", "deposit", "budget", "expense", "income",
    };
    private static final String[] SUFFIXES = {"s", "_count", "_list", "_map", "_set", "_idx", "_id", "_total",
        "_name", "_value", "_size", "_data", "_key", "_str", "_num", "_info", "_items", "_result"};
    private static final String[] SHORT = {"x", "y", "z", "i", "j", "k", "n", "m", "a", "b", "s", "t", "v", "w"};
    private static final String[] VERBS = {"process", "compute", "find", "get", "load", "save", "parse", "build",
        "update", "check", "count", "merge", "split", "sort", "filter", "collect", "render", "validate",
        "convert", "format", "read", "write", "make", "create", "handle", "clean", "normalize", "score", "add",
        "remove", "search", "visit", "walk", "apply", "reset", "print", "show", "send", "fetch", "track"};
    private static final String[] TEXT_WORDS = {"hello", "world", "done", "error", "value", "found", "missing",
        "total", "result", "starting", "finished", "invalid", "input", "ok", "failed", "loading", "saving",
        "item", "items", "the", "a", "is", "not", "of", "for", "in", "and", "with", "no", "new", "old", "file",
        "data", "user", "name", "count", "score", "welcome", "goodbye", "yes", "please", "enter", "number",
        "average", "maximum", "minimum", "sum", "list", "empty", "full", "ready", "waiting", "skipping",
        "processing", "step", "round", "player", "wins", "lost", "game", "over", "try", "again", "level",
        "unknown", "command", "option", "selected", "saved", "to", "from", "at", "line", "row", "column"};
    private static final String[] READ_PATHS = {"input_path", "input_file", "in_path", "src_path", "source_file",
        "config_path", "data_file", "read_path", "infile", "input_name", "csv_path", "log_path", "template_file"};
    private static final String[] WRITE_PATHS = {"output_path", "output_file", "out_path", "dest_path",
        "target_file", "result_file", "save_path", "outfile", "report_path", "write_path", "export_file",
        "dump_path", "summary_file"};
    private static final String[] MODULES = {"os", "sys", "re", "json", "math", "random", "time", "csv",
        "itertools", "string", "collections", "functools", "heapq"};
    private static final String[] FROM_IMPORTS = {"from collections import defaultdict",
        "from collections import Counter", "from collections import deque", "from heapq import heappush, heappop",
        "from math import sqrt", "from functools import reduce", "from itertools import product",
        "from typing import List, Dict", "from dataclasses import dataclass", "from pathlib import Path"};
    private static final Set<String> KEYWORDS = Set.of("False", "None", "True", "and", "as", "assert", "async",
        "await", "break", "class", "continue", "def", "del", "elif", "else", "except", "finally", "for", "from",
        "global", "if", "import", "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try",
        "while", "with", "yield", "print", "match", "case", "type");

    /** One generator state: the random stream plus the document being written. */
    private static final class Gen {
        private final SplitMix r;
        private StringBuilder sb;
        private List<String> vars;

        Gen(long seed) {
            r = new SplitMix(seed);
        }

        // ---------------------------------------------------------------- small pieces

        private String pick(String[] a) {
            return a[r.nextInt(a.length)];
        }

        private int between(int lo, int hi) {
            return lo + r.nextInt(hi - lo + 1);
        }

        private String name() {
            String s;
            do {
                int c = r.nextInt(20);
                if (c < 7) s = pick(WORDS);
                else if (c < 11) s = pick(WORDS) + "_" + pick(WORDS);
                else if (c < 13) s = pick(WORDS) + between(0, 99);
                else if (c < 18) s = pick(WORDS) + pick(SUFFIXES);
                else s = pick(SHORT);
            } while (KEYWORDS.contains(s));
            return s;
        }

        /** A fresh name, remembered as a variable of the current scope. */
        private String newVar() {
            String v = name();
            vars.add(v);
            return v;
        }

        /** A variable of the current scope when there is one, else a new name. */
        private String var() {
            if (!vars.isEmpty() && r.chance(0.6)) return vars.get(r.nextInt(vars.size()));
            return name();
        }

        private String funcName() {
            int c = r.nextInt(4);
            if (c == 0) return pick(VERBS);
            if (c == 3) return pick(VERBS) + "_" + pick(WORDS) + pick(SUFFIXES);
            return pick(VERBS) + "_" + pick(WORDS);
        }

        private String className() {
            String w = pick(WORDS);
            StringBuilder out = new StringBuilder();
            for (String p : w.split("_")) out.append(Character.toUpperCase(p.charAt(0))).append(p.substring(1));
            if (r.chance(0.4)) {
                String[] tails = {"Manager", "Store", "Handler", "Node", "Item", "Record", "Parser", "Builder",
                    "Tracker", "Counter", "Config", "Graph", "Queue", "Model", "Service"};
                out.append(pick(tails));
            }
            return out.toString();
        }

        private String number() {
            int c = r.nextInt(10);
            if (c < 5) return Integer.toString(r.nextInt(20));
            if (c < 8) return Integer.toString(r.nextInt(1000));
            if (c < 9) return r.nextInt(100) + "." + r.nextInt(100);
            return Integer.toString(between(1000, 99999));
        }

        private String textContent() {
            StringBuilder t = new StringBuilder();
            int n = between(1, 5);
            for (int i = 0; i < n; i++) {
                if (i > 0) t.append(' ');
                t.append(r.chance(0.15) ? name() : pick(TEXT_WORDS));
            }
            int c = r.nextInt(8);
            if (c == 0) t.append(':');
            else if (c == 1) t.append('!');
            else if (c == 2) t.append('.');
            else if (c == 3) t.append(", ");
            else if (c == 4) t.append(" -");
            if (r.chance(0.08)) t.setCharAt(0, Character.toUpperCase(t.charAt(0)));
            return t.toString();
        }

        private String quote() {
            return r.chance(0.5) ? "\"" : "'";
        }

        private String str() {
            String q = quote();
            return q + textContent() + q;
        }

        private String fstring() {
            String q = quote();
            StringBuilder t = new StringBuilder("f").append(q);
            int n = between(1, 3);
            for (int i = 0; i < n; i++) {
                if (i > 0 || r.chance(0.7)) t.append(textContent()).append(r.chance(0.5) ? ": " : " ");
                String inside = var();
                int c = r.nextInt(6);
                if (c == 0) inside = "len(" + inside + ")";
                else if (c == 1) inside = inside + " + " + between(1, 9);
                else if (c == 2) inside = inside + ":.2f";
                t.append('{').append(inside).append('}');
            }
            if (r.chance(0.4)) t.append(' ').append(textContent());
            return t.append(q).toString();
        }

        private String atom() {
            int c = r.nextInt(10);
            if (c < 5) return var();
            if (c < 8) return number();
            if (c < 9) return str();
            return r.chance(0.5) ? "True" : "None";
        }

        private String expr() {
            int c = r.nextInt(12);
            switch (c) {
                case 0: return var() + " + " + atomNumOrVar();
                case 1: return var() + " * " + between(2, 10);
                case 2: return "len(" + var() + ")";
                case 3: return var() + "[" + (r.chance(0.5) ? Integer.toString(r.nextInt(5)) : var()) + "]";
                case 4: return var() + "." + pick(VERBS) + "()";
                case 5: return pick(VERBS) + "_" + pick(WORDS) + "(" + var() + ")";
                case 6: return var() + " - " + atomNumOrVar();
                case 7: return "max(" + var() + ", " + atomNumOrVar() + ")";
                default: return atom();
            }
        }

        private String atomNumOrVar() {
            return r.chance(0.5) ? var() : number();
        }

        private String condition() {
            String v = var();
            int c = r.nextInt(14);
            switch (c) {
                case 0: case 1: return v + " == " + number();
                case 2: return v + " == " + str();
                case 3: return v + " == " + var();
                case 4: return v + " == True";
                case 5: return v + " != " + atomNumOrVar();
                case 6: return v + " > " + number();
                case 7: return v + " < len(" + var() + ")";
                case 8: return v + " in " + var();
                case 9: return "not " + v;
                case 10: return v + " is None";
                case 11: return v + " >= " + atomNumOrVar() + " and " + var() + " < " + number();
                case 12: return v + " % 2 == 0";
                default: return v;
            }
        }

        private void line(int depth, String text) {
            for (int i = 0; i < depth; i++) sb.append("    ");
            sb.append(text).append('\n');
        }

        private String listLiteral(int depth, int maxLen) {
            StringBuilder t = new StringBuilder("[");
            int n = depth > 1 ? between(1, 4) : between(0, maxLen);
            boolean strings = depth == 1 && r.chance(0.2);
            String q = quote();
            for (int i = 0; i < n; i++) {
                if (i > 0) t.append(", ");
                if (depth > 1) t.append(listLiteral(depth - 1, maxLen));
                else if (strings) t.append(q).append(pick(TEXT_WORDS)).append(q);
                else t.append(r.chance(0.8) ? Integer.toString(r.nextInt(r.chance(0.5) ? 20 : 1000)) : var());
            }
            return t.append(']').toString();
        }

        // ---------------------------------------------------------------- document

        String document() {
            sb = new StringBuilder();
            vars = new ArrayList<>();
            if (r.chance(DRILLS)) return drill();
            if (r.chance(0.35)) line(0, "\"\"\"" + capital(textContent()) + "\"\"\"");
            if (r.chance(0.6)) {
                int n = between(1, 3);
                for (int i = 0; i < n; i++) line(0, r.chance(0.5) ? "import " + pick(MODULES) : pick(FROM_IMPORTS));
                blank();
            }
            if (r.chance(0.4)) {
                int n = between(1, 3);
                for (int i = 0; i < n; i++) {
                    String c = name().toUpperCase();
                    line(0, c + " = " + (r.chance(0.7) ? number() : str()));
                }
                blank();
            }
            int units = between(2, 4);
            for (int u = 0; u < units; u++) {
                vars = new ArrayList<>();
                int c = r.nextInt(10);
                if (c < 5) function(0);
                else if (c < 7) klass();
                else block(0, between(2, 5), false, false);
                blank();
            }
            if (r.chance(0.25)) {
                vars = new ArrayList<>();
                line(0, "if __name__ == \"__main__\":");
                block(1, between(1, 3), false, false);
            }
            return sb.toString();
        }

        /**
         * An idiom document (the paper's "simple idioms" component, SPEC §8.1): one function or module-level block
         * of 6–14 statements drawn only from the task phenomena (strings in calls, set/"" accumulators, loop headers,
         * if/elif/else, ternaries, flags, list and dict literals, with/open, lambdas, return True/False), no filler.
         */
        private String drill() {
            boolean fn = r.chance(0.6);
            int d = fn ? 1 : 0;
            if (fn) {
                StringBuilder sig = new StringBuilder("def ").append(funcName()).append('(');
                int n = between(0, 2);
                for (int i = 0; i < n; i++) {
                    String p = name();
                    while (vars.contains(p)) p = name(); // distinct parameters
                    vars.add(p);
                    sig.append(i > 0 ? ", " : "").append(p);
                }
                line(0, sig.append("):").toString());
            }
            for (int i = between(6, 14); i > 0; i--) {
                switch (r.nextInt(13)) {
                    case 0: case 1: printCall(d); break;
                    case 2: setOrString(d, fn); break;
                    case 3: forLoop(d, fn); break;
                    case 4: whileLoop(d, fn); break;
                    case 5: ifChain(d, fn, false); break;
                    case 6: listStatement(d); break;
                    case 7: dictStatement(d); break;
                    case 8: { String v = newVar(); line(d, v + " = " + (r.chance(0.5) ? "True" : "False"));
                        line(d, "if " + v + " == " + (r.chance(0.5) ? "True" : "False") + ":"); body(d + 1, fn, false); break; }
                    case 9: lambda(d); break;
                    case 10: line(d, newVar() + " = " + expr() + " if " + condition() + " else " + expr()); break;
                    case 11: withOpen(d, fn); break;
                    default:
                        if (fn) { line(d, "if " + condition() + ":"); line(d + 1, r.chance(0.7) ? "return True" : "return False"); }
                        else line(d, "print(" + fstring() + ")");
                        break;
                }
            }
            if (fn) line(d, r.chance(0.5) ? "return True" : "return " + var());
            return sb.toString();
        }

        private static String capital(String s) {
            return Character.toUpperCase(s.charAt(0)) + s.substring(1);
        }

        private void blank() {
            sb.append('\n');
            if (r.chance(0.3)) sb.append('\n');
        }

        private void function(int depth) {
            List<String> saved = vars;
            vars = new ArrayList<>();
            StringBuilder sig = new StringBuilder("def ").append(funcName()).append('(');
            int plain = between(0, 3);
            int kw = r.chance(0.45) ? between(1, 3) : 0;
            for (int i = 0; i < plain + kw; i++) {
                if (i > 0) sig.append(", ");
                String p = name();
                while (vars.contains(p)) p = name();
                vars.add(p);
                sig.append(p);
                if (i >= plain) {
                    String[] defaults = {"None", "None", "None", "0", "1", "True", "False", "\"\"", "''", "[]", number()};
                    sig.append('=').append(pick(defaults));
                }
            }
            line(depth, sig.append("):").toString());
            if (r.chance(0.3)) line(depth + 1, "\"\"\"" + capital(textContent()) + "\"\"\"");
            block(depth + 1, between(2, 6), true, false);
            int c = r.nextInt(6);
            if (c == 0) line(depth + 1, "return True");
            else if (c == 1) line(depth + 1, "return False");
            else if (c < 5) line(depth + 1, "return " + expr());
            vars = saved;
        }

        private void klass() {
            String cls = className();
            line(0, "class " + cls + (r.chance(0.25) ? "(" + className() + ")" : "") + ":");
            if (r.chance(0.4)) line(1, "\"\"\"" + capital(textContent()) + "\"\"\"");
            if (r.chance(0.4)) sb.append('\n');
            List<String> fields = new ArrayList<>();
            int n = between(1, 5);
            while (fields.size() < n) {
                String f = name();
                if (!fields.contains(f) && !f.equals("self")) fields.add(f);
            }
            StringBuilder sig = new StringBuilder("def __init__(self");
            for (String f : fields) sig.append(", ").append(f);
            line(1, sig.append("):").toString());
            vars = new ArrayList<>(fields);
            for (String f : fields) line(2, "self." + f + " = " + f);
            if (r.chance(0.4)) line(2, "self." + name() + " = " + pick(new String[]{"[]", "{}", "set()", "0", "None", "\"\"", "''"}));
            int methods = between(1, 3);
            for (int m = 0; m < methods; m++) {
                sb.append('\n');
                vars = new ArrayList<>();
                for (String f : fields) vars.add("self." + f);
                StringBuilder ms = new StringBuilder("def ").append(funcName()).append("(self");
                int p = between(0, 2);
                for (int i = 0; i < p; i++) {
                    String a = name();
                    if (a.equals("self") || vars.contains(a)) continue;
                    vars.add(a);
                    ms.append(", ").append(a);
                }
                line(1, ms.append("):").toString());
                block(2, between(1, 4), true, false);
                line(2, "return " + (r.chance(0.2) ? (r.chance(0.5) ? "True" : "False") : var()));
            }
        }

        /** {@code count} statements at {@code depth}; nested blocks get fewer. */
        private void block(int depth, int count, boolean inFunction, boolean inLoop) {
            for (int i = 0; i < count; i++) statement(depth, inFunction, inLoop);
        }

        private void body(int depth, boolean inFunction, boolean inLoop) {
            int n = depth >= 3 ? 1 : between(1, 3);
            block(depth, n, inFunction, inLoop);
        }

        private void statement(int depth, boolean inFunction, boolean inLoop) {
            boolean canNest = depth < 4;
            int c = r.nextInt(30);
            switch (c) {
                case 0: case 1: printCall(depth); break;
                case 2: line(depth, "print(" + fstring() + ")"); break;
                case 3: line(depth, newVar() + " = " + (r.chance(0.6) ? fstring() : str())); break;
                case 4: case 5: assign(depth); break;
                case 6: case 7: listStatement(depth); break;
                case 8: dictStatement(depth); break;
                case 9: case 10: setOrString(depth, inFunction); break;
                case 11: case 12: if (canNest) forLoop(depth, inFunction); else assign(depth); break;
                case 13: if (canNest) whileLoop(depth, inFunction); else assign(depth); break;
                case 14: case 15: if (canNest) ifChain(depth, inFunction, inLoop); else printCall(depth); break;
                case 16: line(depth, newVar() + " = " + expr() + " if " + condition() + " else " + expr()); break;
                case 17: { String a = var(), b = var(); if (a.equals(b)) b = name(); line(depth, a + ", " + b + " = " + b + ", " + a); break; }
                case 18: if (canNest) withOpen(depth, inFunction); else assign(depth); break;
                case 19: lambda(depth); break;
                case 20: comment(depth); statement(depth, inFunction, inLoop); break;
                case 21:
                    if (inFunction && canNest) {
                        line(depth, "if " + condition() + ":");
                        line(depth + 1, r.chance(0.7) ? "return True" : "return False");
                    } else printCall(depth);
                    break;
                case 22: line(depth, newVar() + " = " + (r.chance(0.5) ? "True" : "False")); break;
                case 23: line(depth, var() + ".append(" + expr() + ")"); break;
                case 24: call(depth); break;
                case 25: if (canNest && depth > 0 && r.chance(0.5)) function(depth); else assign(depth); break;
                case 26: if (canNest) tryExcept(depth, inFunction, inLoop); else assign(depth); break;
                case 27: line(depth, "assert " + condition() + (r.chance(0.4) ? ", " + str() : "")); break;
                case 28: if (inLoop && r.chance(0.5)) line(depth, r.chance(0.5) ? "continue" : "break"); else assign(depth); break;
                default: sb.append('\n'); statement(depth, inFunction, inLoop); break;
            }
        }

        private void printCall(int depth) {
            int c = r.nextInt(7);
            switch (c) {
                case 0: case 1: line(depth, "print(" + str() + ")"); break;
                case 2: line(depth, "print(" + str() + ", " + var() + ")"); break;
                case 3: line(depth, pick(new String[]{"logger", "log", "self.logger", "logging"}) + "."
                        + pick(new String[]{"info", "debug", "warning", "error"}) + "(" + str() + ")"); break;
                case 4: line(depth, funcName() + "(" + str() + ")"); break;
                case 5: line(depth, funcName() + "(" + var() + ", " + str() + ")"); break;
                default: line(depth, var() + "." + pick(new String[]{"append", "write", "send", "add_line", "emit"})
                        + "(" + str() + ")"); break;
            }
        }

        private void assign(int depth) {
            int c = r.nextInt(5);
            String v = c < 2 || vars.isEmpty() ? newVar() : var();
            if (c == 2) line(depth, v + " " + pick(new String[]{"+=", "-=", "*="}) + " " + atomNumOrVar());
            else line(depth, v + " = " + expr());
        }

        private void listStatement(int depth) {
            String v = newVar();
            int c = r.nextInt(10);
            if (c < 4) {
                line(depth, v + " = " + listLiteral(1, 8));
            } else if (c < 7) {
                line(depth, v + (r.chance(0.2) ? " =" : " = ") + listLiteral(between(2, 3), 6));
            } else {
                line(depth, v + " = [");
                int rows = between(1, 5);
                for (int i = 0; i < rows; i++) line(depth + 1, listLiteral(r.chance(0.2) ? 2 : 1, 6) + ",");
                line(depth, "]");
            }
        }

        private void dictStatement(int depth) {
            String v = newVar();
            int c = r.nextInt(6);
            if (c < 3) {
                StringBuilder t = new StringBuilder("{");
                int n = between(0, 4);
                String q = quote();
                for (int i = 0; i < n; i++) {
                    if (i > 0) t.append(", ");
                    t.append(q).append(name()).append(q).append(": ").append(atom());
                }
                line(depth, v + " = " + t.append('}'));
            } else if (c < 4) {
                line(depth, v + " = {");
                int n = between(1, 4);
                for (int i = 0; i < n; i++) line(depth + 1, dictQuote() + name() + lastQuote + ": " + atom() + ",");
                line(depth, "}");
            } else if (c < 5) {
                line(depth, v + "[" + str() + "] = " + atom());
            } else {
                line(depth, v + " = " + var() + ".get(" + str() + ", " + (r.chance(0.5) ? "0" : "None") + ")");
            }
        }

        private String lastQuote = "\"";

        /** Mostly the quote used for the previous dict key, sometimes a new one. */
        private String dictQuote() {
            if (r.chance(0.2)) lastQuote = quote();
            return lastQuote;
        }

        private void setOrString(int depth, boolean inFunction) {
            String v = r.chance(0.25) ? "current" : name();
            boolean isSet = r.chance(0.5);
            line(depth, v + " = " + (isSet ? "set()" : r.chance(0.5) ? "\"\"" : "''"));
            int filler = between(0, 2);
            for (int i = 0; i < filler; i++) {
                if (r.chance(0.5)) assign(depth);
                else printCall(depth);
            }
            if (depth < 3 && r.chance(0.6)) {
                String x = name();
                if (x.equals(v)) x = x + "_item";
                int h = r.nextInt(3);
                if (h == 0) line(depth, "for " + x + " in " + var() + ":");
                else if (h == 1) line(depth, "for " + (x.equals("i") ? "idx" : "i") + ", " + x + " in enumerate(" + var() + "):");
                else line(depth, "for " + x + " in range(" + number() + "):");
                if (r.chance(0.4)) {
                    line(depth + 1, "if " + x + " not in " + (isSet ? v : var()) + ":");
                    useSetOrString(depth + 2, v, x, isSet);
                } else {
                    if (r.chance(0.3)) assign(depth + 1);
                    useSetOrString(depth + 1, v, x, isSet);
                }
            } else {
                useSetOrString(depth, v, var(), isSet);
            }
            vars.add(v);
        }

        private void useSetOrString(int depth, String v, String x, boolean isSet) {
            if (isSet) line(depth, v + ".add(" + (r.chance(0.7) ? x : expr()) + ")");
            else {
                int c = r.nextInt(4);
                String rhs = c == 0 ? str() : c == 1 ? "str(" + x + ")" : c == 2 ? x : fstring();
                line(depth, v + " += " + rhs);
            }
        }

        private void forLoop(int depth, boolean inFunction) {
            String x = name();
            int c = r.nextInt(8);
            switch (c) {
                case 0: case 1: line(depth, "for " + x + " in range(" + number() + "):"); break;
                case 2: line(depth, "for " + x + " in range(" + atomNumOrVar() + ", " + (r.chance(0.5) ? "len(" + var() + ")" : number()) + "):"); break;
                case 3: case 4: line(depth, "for " + pick(new String[]{"i", "idx", "index", "n", "pos", "k"}) + ", " + x + " in enumerate(" + var() + "):"); break;
                case 5: line(depth, "for " + x + ", " + name() + " in " + var() + ".items():"); break;
                default: line(depth, "for " + x + " in " + var() + ":"); break;
            }
            vars.add(x);
            body(depth + 1, inFunction, true);
        }

        private void whileLoop(int depth, boolean inFunction) {
            if (r.chance(0.5)) {
                line(depth, "while True:");
                if (r.chance(0.5)) statement(depth + 1, inFunction, true);
                line(depth + 1, "if " + condition() + ":");
                line(depth + 2, "break");
                if (r.chance(0.5)) assign(depth + 1);
            } else {
                String v = var();
                int c = r.nextInt(4);
                if (c == 0) line(depth, "while " + v + " < " + atomNumOrVar() + ":");
                else if (c == 1) line(depth, "while " + v + ":");
                else if (c == 2) line(depth, "while not " + v + ":");
                else line(depth, "while " + condition() + ":");
                body(depth + 1, inFunction, true);
                line(depth + 1, v + " " + (r.chance(0.7) ? "+= 1" : "-= 1"));
            }
        }

        private void ifChain(int depth, boolean inFunction, boolean inLoop) {
            line(depth, "if " + condition() + ":");
            body(depth + 1, inFunction, inLoop);
            int elifs = r.chance(0.5) ? between(1, 3) : 0;
            for (int i = 0; i < elifs; i++) {
                line(depth, "elif " + condition() + ":");
                body(depth + 1, inFunction, inLoop);
            }
            if (r.chance(0.6)) {
                line(depth, "else:");
                body(depth + 1, inFunction, inLoop);
            }
        }

        private void withOpen(int depth, boolean inFunction) {
            String q = quote();
            int c = r.nextInt(5);
            String f = pick(new String[]{"f", "fh", "handle", "fp", "stream", "src", "infile"});
            if (c < 2) {
                String p = pick(READ_PATHS);
                String mode = r.chance(0.8) ? ", " + q + "r" + q : "";
                line(depth, "with open(" + p + mode + (r.chance(0.3) ? ", encoding=" + q + "utf-8" + q : "") + ") as " + f + ":");
                int k = r.nextInt(3);
                if (k == 0) line(depth + 1, newVar() + " = " + f + ".read()");
                else if (k == 1) line(depth + 1, newVar() + " = " + f + ".readlines()");
                else {
                    String l = pick(new String[]{"line", "row", "raw", "text_line"});
                    line(depth + 1, "for " + l + " in " + f + ":");
                    line(depth + 2, var() + ".append(" + l + ".strip())");
                }
            } else if (c < 4) {
                String p = pick(WRITE_PATHS);
                String o = pick(new String[]{"f", "out", "fh", "outfile", "dst", "writer"});
                line(depth, "with open(" + p + ", " + q + (r.chance(0.85) ? "w" : "a") + q + ") as " + o + ":");
                if (r.chance(0.5)) line(depth + 1, o + ".write(" + str() + ")");
                else {
                    String x = name();
                    line(depth + 1, "for " + x + " in " + var() + ":");
                    line(depth + 2, o + ".write(" + (r.chance(0.5) ? "str(" + x + ")" : fstring()) + ")");
                }
            } else {
                String p = r.chance(0.5) ? pick(READ_PATHS) : "path";
                line(depth, f + " = open(" + p + ")");
                line(depth, newVar() + " = " + f + ".read()");
                line(depth, f + ".close()");
            }
        }

        private void lambda(int depth) {
            String p = pick(SHORT);
            int c = r.nextInt(4);
            if (c < 2) {
                line(depth, newVar() + " = lambda " + p + ": " + p + " " + pick(new String[]{"+", "*", "-", "%"}) + " " + between(1, 9));
            } else if (c == 2) {
                String q = pick(SHORT);
                if (q.equals(p)) q = p + "2";
                line(depth, newVar() + " = lambda " + p + ", " + q + ": " + p + " + " + q);
            } else {
                line(depth, newVar() + " = sorted(" + var() + ", key=lambda " + p + ": " + p + "[" + r.nextInt(3) + "]"
                        + (r.chance(0.3) ? ", reverse=True" : "") + ")");
            }
        }

        private void comment(int depth) {
            line(depth, "# " + textContent());
        }

        private void call(int depth) {
            StringBuilder t = new StringBuilder(funcName()).append('(');
            int n = between(0, 2);
            for (int i = 0; i < n; i++) t.append(i > 0 ? ", " : "").append(atom());
            if (r.chance(0.5)) t.append(n > 0 ? ", " : "").append(name()).append('=').append(atom());
            line(depth, (r.chance(0.5) ? newVar() + " = " : "") + t.append(')'));
        }

        private void tryExcept(int depth, boolean inFunction, boolean inLoop) {
            line(depth, "try:");
            body(depth + 1, inFunction, inLoop);
            line(depth, "except " + pick(new String[]{"ValueError", "KeyError", "IndexError", "Exception", "OSError"})
                    + (r.chance(0.5) ? " as e" : "") + ":");
            if (r.chance(0.5)) line(depth + 1, "pass");
            else printCall(depth + 1);
        }
    }
}
