package sparsecircuits.pruning.tasks;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Function;
import sparsecircuits.model.corpus.SyntheticPython;

/**
 * The paper's 20 tasks (SPEC §5, table order) as seeded generators of minimal pairs.
 *
 * <p><b>Templates.</b> Every prompt is a few lines of Python in the style of the pretraining generator
 * ({@code SyntheticPython}: 4-space indentation, short statements, comments, calls) and with its word pools, so
 * prompts tokenise like the pretraining text, but from templates of their own: a test checks that prompts
 * almost never occur verbatim in 2 MB of that text.
 * Identifiers, values, list lengths (bracket_counting: 2–12 elements, flat vs nested), an enclosing function or
 * not, and 0–2 filler lines are drawn per pair, so the answer has to be read from context; the two prompts of a
 * pair differ only in the task's cue. Fixed targets are taken from {@link PaperTaskTargets#byTask()}, the list the
 * tokenizer trainer forces to single tokens. Prompts longer than {@value #MAX_PROMPT_CHARS} characters are
 * skipped: with a 512-token BPE that keeps every prompt within SPEC §8's 64-token context (a test checks it).
 *
 * <p><b>Design choices where SPEC §5 leaves the task open.</b>
 * <ul>
 *   <li>class_init: binary with per-pair targets. Both prompts are the same {@code __init__} with
 *       {@code self.f = f} lines; A stops at {@code self.F1 =}, B at {@code self.F2 =} (two parameters not yet
 *       assigned, with different first letters); the targets are {@code " F1"} and {@code " F2"}, so the model
 *       must copy the right name rather than any parameter. A small vocabulary can still start both names with
 *       the same token (e.g. a bare space): {@link TaskTokens#tokenizeSkippingClashes} drops such pairs (about 1%
 *       with a 512-token BPE).</li>
 *   <li>fstring_brace: binary with per-pair targets. A ends in {@code print(f"words &#123;} and its target is a
 *       variable assigned the line before (no leading space); B is the same print without the {@code f} and the
 *       brace, and its target is a further word of text (with its leading space).</li>
 *   <li>var_swap: single-target (DESIGN.md): {@code a, b = b,} → {@code " a"}.</li>
 *   <li>else_elif: PaperTaskTargets gives only {@code ":"} (A, after {@code else}); B ends in {@code elif} and its
 *       target is the variable tested by the chain's {@code if} (with its leading space), so the task is
 *       binary: {@code ":"} against a name the model can copy.</li>
 *   <li>lambda_func: of the four forced strings the unspaced pair {@code ":"} (lambda) / {@code "("} (def),
 *       the pretraining corpus's style.</li>
 * </ul>
 *
 * <p><b>Tokenisation caveats</b> (the targets are PaperTaskTargets' strings, as the tokenizer forces them):
 * <b>Where the tokenizer moves a decision.</b> with_as: in running text {@code ")\n"} is one pre-token (the
 * tinypython regex lets a punctuation run absorb newlines), so after {@code open(path)} the model never sees a
 * bare newline token; the prompts therefore stop before the closing paren and the targets are {@code ")"} (a
 * {@code with} statement goes on with {@code " as"}) and {@code ")\n"} (an assignment ends the line).
 * indent_for: an indent before a name splits into n−1 spaces and {@code " name"}, so the targets are 7 and 3
 * spaces (a body at 8 or 4 spaces). Likewise a block header's colon ends its line, so for_while, else_elif,
 * if_ternary and while_return_true target {@code ":\n"}, the pre-token that really follows. All targets live
 * in {@link PaperTaskTargets}, which the tokenizer forces.
 *
 * <p><b>Splits.</b> TRAIN and HELD_OUT come from different seed streams, and a pair belongs to the split
 * given by one bit of a hash of its prompt A; a generated pair of the other split is skipped. So no prompt A
 * occurs in both splits, for any seeds and counts. Within one call, prompts A are distinct. Everything is
 * deterministic in the seed, and a longer request starts with the pairs of a shorter one.
 */
public final class PaperTasks {
    private PaperTasks() {
    }

    private static final List<Task> ALL = List.of(
            task("single_double_quote", "close a string with the quote type it was opened with", PaperTasks::quote),
            task("final_kwarg", "a parameter after keyword parameters needs a default: '=None' vs '):\\n'", PaperTasks::finalKwarg),
            task("set_or_string", "a variable initialised as set() or \"\" is used with '.add' or ' +='", g -> setOrString(g, false)),
            task("set_or_string_fixedvarname", "set_or_string with the variable always named 'current'", g -> setOrString(g, true)),
            task("class_init", "in __init__, copy the right parameter name after 'self.name ='", PaperTasks::classInit),
            task("with_as", "'with open(...' closes with ')' and goes on with ' as'; an assignment's open(...' closes the line with ')\\n'", PaperTasks::withAs),
            task("bracket_brace", "inside a dict the first key is followed by ':', inside a list by ','", PaperTasks::bracketBrace),
            task("with_open", "open mode 'r' or 'w' from the file variable's name", PaperTasks::withOpen),
            task("bracket_counting", "close a list with ']]' when nested, ']' when flat", PaperTasks::bracketCounting),
            task("for_while", "'for x' continues with ' in', 'while x' with ':'", PaperTasks::forWhile),
            task("else_elif", "'else' is followed by ':', 'elif' by a condition", PaperTasks::elseElif),
            task("fstring_brace", "inside an f-string brace comes a variable name, in a plain string more text", PaperTasks::fstringBrace),
            task("if_ternary", "':' after an if statement's condition, ' else' after a ternary's", PaperTasks::ifTernary),
            task("var_swap", "'a, b = b,' is completed with 'a'", PaperTasks::varSwap),
            task("indent_for", "the body of a for loop is indented one level deeper than its header", PaperTasks::indentFor),
            task("lambda_func", "'name = lambda x' continues with ':', 'def name' with '('", PaperTasks::lambdaFunc),
            task("if_equals", "' ==' in an if condition, ' =' at the start of a statement", PaperTasks::ifEquals),
            task("enumerate_range", "two loop variables take ' enumerate', one takes ' range'", PaperTasks::enumerateRange),
            task("var_if", "a flag is compared ('if flag ==') or assigned ('flag =')", PaperTasks::varIf),
            task("while_return_true", "'while True' is followed by ':', 'return True' by a newline", PaperTasks::whileReturnTrue));

    /** The 20 tasks in SPEC §5 table order. */
    public static List<Task> all() {
        return ALL;
    }

    /** The task with this SPEC §5 name. */
    public static Optional<Task> byName(String name) {
        return ALL.stream().filter(t -> t.name().equals(name)).findFirst();
    }

    // ------------------------------------------------------------------------------------------- machinery

    /** Longest prompt kept: about 60 tokens of a 512-token BPE, within SPEC §8's 64-token context. */
    static final int MAX_PROMPT_CHARS = 100;

    private static Task task(String name, String description, Function<Gen, Pair> gen) {
        return new Generated(name, description, gen);
    }

    private record Generated(String name, String description, Function<Gen, Pair> gen) implements Task {
        @Override
        public boolean singleTarget() {
            return name.equals("var_swap");
        }

        @Override
        public List<Pair> pairs(Split split, int count, long seed) {
            if (count < 0) throw new IllegalArgumentException("pair count must be >= 0, got " + count);
            // one stream per (seed, split, task); mixed so that nearby seeds give unrelated streams
            long stream = mix(mix(seed ^ (split == Split.TRAIN ? 0x5452414E00000001L : 0x48454C4400000002L)) + name.hashCode());
            Gen g = new Gen(new SplittableRandom(stream));
            Set<String> seen = new LinkedHashSet<>();
            List<Pair> out = new ArrayList<>(count);
            for (long tries = 0; out.size() < count; tries++) {
                if (tries > 200L * count + 1000) {
                    throw new IllegalStateException(name + ": could not generate " + count + " distinct pairs");
                }
                Pair p = gen.apply(g);
                if (p.promptA().length() > MAX_PROMPT_CHARS || !p.singleTarget() && p.promptB().length() > MAX_PROMPT_CHARS) continue;
                if (splitOf(p.promptA()) == split && seen.add(p.promptA())) out.add(p);
            }
            return out;
        }
    }

    /** The split a prompt belongs to: one bit of a mixed hash, so the splits partition the prompt space. */
    static Task.Split splitOf(String promptA) {
        return (mix(promptA.hashCode()) & 1) == 0 ? Task.Split.TRAIN : Task.Split.HELD_OUT;
    }

    /** The SplitMix64 finaliser. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private static String target(String task, int i) {
        return PaperTaskTargets.byTask().get(task).get(i);
    }

    private static Pair pair(String task, String promptA, int a, String promptB, int b) {
        return new Pair(promptA, target(task, a), promptB, target(task, b));
    }

    // The corpus generator's own word pools: a prompt must tokenise like the text the model was trained on (with
    // pools of their own, identifiers fell apart into single characters the model had rarely seen, and no model
    // solved a task). The templates, not the words, keep prompts apart from the corpus (a test checks it).
    private static final SyntheticPython.Pools POOLS = SyntheticPython.pools();
    private static final String[] NOUNS = POOLS.words().toArray(String[]::new);
    /**
     * First letters whose space-prefixed form ({@code " s"}) a small BPE trained on Python is likely to hold as a
     * token: per-pair targets start with one of them, so that their first token is not a bare space.
     */
    private static final String SAFE_INITIALS = "abcdefgmnoprstw";
    private static final String[] TAILS = POOLS.suffixes().toArray(String[]::new);
    private static final String[] VERBS = POOLS.verbs().toArray(String[]::new);
    private static final String[] CHAT = POOLS.textWords().toArray(String[]::new);

    /** The per-pair random choices of a template. */
    static final class Gen {
        final SplittableRandom r;

        Gen(SplittableRandom r) {
            this.r = r;
        }

        int between(int lo, int hi) {
            return lo + r.nextInt(hi - lo + 1);
        }

        boolean chance(double p) {
            return r.nextDouble() < p;
        }

        String pick(String... xs) {
            return xs[r.nextInt(xs.length)];
        }

        String noun() {
            return pick(NOUNS);
        }

        /** A variable name: a noun, a noun with a tail, two nouns, or a noun with a digit (short: prompts stay short). */
        String id() {
            return decorate(noun());
        }

        /** A variable name whose first letter is in {@link #SAFE_INITIALS} (for per-pair targets). */
        String safeId() {
            return decorate(safeNoun());
        }

        String safeNoun() {
            String n;
            do n = noun(); while (SAFE_INITIALS.indexOf(n.charAt(0)) < 0);
            return n;
        }

        private String decorate(String n) {
            int c = r.nextInt(20);
            if (c < 10) return n;
            if (c < 14) return n + pick(TAILS);
            if (c < 17) return n + "_" + noun();
            return n + between(1, 9);
        }

        /** An id different from all of {@code others}. */
        String idNot(String... others) {
            while (true) {
                String v = id();
                if (!List.of(others).contains(v)) return v;
            }
        }

        String func() {
            return pick(VERBS) + (chance(0.6) ? "_" + noun() : "");
        }

        String words(int lo, int hi) {
            StringBuilder sb = new StringBuilder(pick(CHAT));
            for (int i = between(lo, hi) - 1; i > 0; i--) sb.append(' ').append(pick(CHAT));
            return sb.toString();
        }

        String number() {
            return Integer.toString(chance(0.6) ? between(0, 20) : between(21, 999));
        }

        /** One harmless line at {@code indent} levels: no brackets, quotes or colons that could cue a task. */
        String fillerLine(int indent) {
            return r.nextInt(5) == 0 ? "    ".repeat(indent) + "# " + words(2, 4) + "\n" : statement(indent);
        }

        /** A statement (never a lone comment: it may be a block's only line). */
        String statement(int indent) {
            String pad = "    ".repeat(indent);
            return switch (r.nextInt(5)) {
                case 0 -> pad + id() + " = " + number() + "\n";
                case 1 -> pad + id() + " = " + id() + " " + pick("+", "-", "*") + " " + number() + "\n";
                case 2 -> pad + id() + " = " + func() + "(" + id() + ")\n";
                case 3 -> pad + func() + "(" + id() + ", " + number() + ")\n";
                default -> pad + id() + " += " + number() + "\n";
            };
        }

        String filler(int indent, int lo, int hi) {
            StringBuilder sb = new StringBuilder();
            for (int i = between(lo, hi); i > 0; i--) sb.append(fillerLine(indent));
            return sb.toString();
        }

        /** A function header with 0–2 parameters, or one module-level statement: returns {header, body indent}. */
        String[] scope() {
            if (chance(0.3)) return new String[] {statement(0), ""}; // module level, after one statement: never a bare cue
            StringBuilder sig = new StringBuilder("def ").append(func()).append('(');
            int n = between(0, 1);
            for (int i = 0; i < n; i++) sig.append(i > 0 ? ", " : "").append(id());
            return new String[] {sig.append("):\n").toString(), "    "};
        }
    }

    // ------------------------------------------------------------------------------------------- templates

    private static Pair quote(Gen g) {
        String head = g.filler(0, 0, 1);
        String call = g.chance(0.5) ? g.func() : g.id() + "." + g.pick(VERBS);
        String text = g.words(1, 2); // 1–2 words: with a 512-token BPE that is already 3–8 tokens between the quotes
        String lead = g.chance(0.4) ? g.id() + ", " : "";
        // the text ends in a letter, so the closing quote starts a new pre-token
        return pair("single_double_quote", head + call + "(" + lead + "\"" + text, 0, head + call + "(" + lead + "'" + text, 1);
    }

    private static Pair finalKwarg(Gen g) {
        String head = g.filler(0, 0, 1);
        int n = g.between(2, 3), firstKw = g.between(1, n - 1);
        List<String> ps = new ArrayList<>();
        while (ps.size() <= n) {
            String p = g.id();
            if (!ps.contains(p)) ps.add(p);
        }
        StringBuilder a = new StringBuilder("def " + g.func() + "("), b = new StringBuilder(a);
        for (int i = 0; i < n; i++) {
            a.append(ps.get(i));
            b.append(ps.get(i));
            if (i >= firstKw) a.append('=').append(g.pick("None", "0", "1", "True", "False", "[]", g.number()));
            a.append(", ");
            b.append(", ");
        }
        return pair("final_kwarg", head + a + ps.get(n), 0, head + b + ps.get(n), 1);
    }

    private static Pair setOrString(Gen g, boolean fixed) {
        String task = fixed ? "set_or_string_fixedvarname" : "set_or_string";
        String v = fixed ? "current" : g.id();
        String[] scope = g.scope();
        String in = scope[1];
        String item = g.idNot(v), src = g.idNot(v, item);
        String middle = "";
        boolean loop = g.chance(0.7);
        String use;
        if (loop) {
            middle += in + "for " + item + " in " + src + ":\n" + g.statement(in.length() / 4 + 1);
            use = g.chance(0.5) ? in + v : in + "    " + v; // after the loop (as in the paper's Fig. 6) or inside it
        } else {
            middle += g.filler(in.length() / 4, 1, 2);
            use = in + v;
        }
        String empty = g.pick("\"\"", "''");
        return pair(task, scope[0] + in + v + " = set()\n" + middle + use, 0,
                scope[0] + in + v + " = " + empty + "\n" + middle + use, 1);
    }

    private static Pair classInit(Gen g) {
        String cls = g.noun();
        cls = Character.toUpperCase(cls.charAt(0)) + cls.substring(1);
        int n = g.between(3, 4);
        List<String> fs = new ArrayList<>();
        while (fs.size() < n) {
            String f = g.chance(0.7) ? g.safeNoun() : g.safeId(); // mostly short: the signature repeats every name
            if (!fs.contains(f)) fs.add(f);
        }
        int done = g.between(0, n - 2); // fields already assigned; the two contested ones come after
        int i1 = g.between(done, n - 1), i2 = -1;
        for (int k = done; k < n; k++) { // the other contested field: a different first letter, so a different first token
            if (fs.get(k).charAt(0) != fs.get(i1).charAt(0) && (i2 < 0 || g.chance(0.5))) i2 = k;
        }
        if (i2 < 0) return classInit(g);
        StringBuilder sb = new StringBuilder("class " + cls + ":\n    def __init__(self");
        for (String f : fs) sb.append(", ").append(f);
        sb.append("):\n");
        for (int i = 0; i < done; i++) sb.append("        self.").append(fs.get(i)).append(" = ").append(fs.get(i)).append('\n');
        String head = sb.toString();
        return new Pair(head + "        self." + fs.get(i1) + " =", " " + fs.get(i1),
                head + "        self." + fs.get(i2) + " =", " " + fs.get(i2));
    }

    private static Pair withAs(Gen g) {
        String[] scope = g.scope();
        String in = scope[1], head = scope[0] + g.filler(in.length() / 4, 0, 1);
        String path = g.noun() + g.pick("_path", "_file", "_name", "_txt");
        String arg = g.chance(0.3) ? path + ", " + g.pick("\"r\"", "'r'", "\"w\"", "'w'") : path;
        return pair("with_as", head + in + "with open(" + arg, 0, head + in + g.id() + " = open(" + arg, 1);
    }

    private static Pair bracketBrace(Gen g) {
        String[] scope = g.scope();
        String in = scope[1], head = scope[0] + g.filler(in.length() / 4, 0, 1) + in + g.id() + " = ";
        // a quoted first item, as the corpus writes dict keys (and string lists): {"key" -> ':' and ["key" -> ','
        String q = g.pick("\"", "'"), key = q + g.id() + q;
        String gap = g.chance(0.3) ? "\n" + in + "    " : "";
        return pair("bracket_brace", head + "{" + gap + key, 0, head + "[" + gap + key, 1);
    }

    private static Pair withOpen(Gen g) {
        String[] scope = g.scope();
        String in = scope[1], head = scope[0] + g.filler(in.length() / 4, 0, 1) + in + "with open(";
        String noun = g.noun(), q = g.pick("\"", "'");
        String read = g.pick("input_", "in_", "source_", "read_") + noun, write = g.pick("output_", "out_", "dest_", "write_") + noun;
        return pair("with_open", head + read + ", " + q, 0, head + write + ", " + q, 1);
    }

    private static Pair bracketCounting(Gen g) {
        int n = g.between(2, 12); // SPEC §8.4: 2–12 elements
        String[] scope = n <= 8 ? g.scope() : new String[] {"", ""}; // long lists at module level: prompts stay short
        String in = scope[1], head = scope[0] + in + g.id() + g.pick(" = ", " =");
        StringBuilder nested = new StringBuilder("[["), flat = new StringBuilder("[");
        for (int i = 0; i < n; i++) {
            String x = Integer.toString(g.chance(0.8) ? g.between(0, 20) : g.between(21, 99));
            if (i > 0) {
                boolean rowBreak = i < n - 1 && g.chance(0.25); // earlier rows closed, the last row still open
                nested.append(rowBreak ? "], [" : ", ");
                flat.append(", ");
            }
            nested.append(x);
            flat.append(x);
        }
        return pair("bracket_counting", head + nested, 0, head + flat, 1);
    }

    private static Pair forWhile(Gen g) {
        String[] scope = g.scope();
        String in = scope[1], head = scope[0] + g.filler(in.length() / 4, 0, 1) + in;
        String v = g.id();
        return pair("for_while", head + "for " + v, 0, head + "while " + v, 1);
    }

    private static Pair elseElif(Gen g) {
        String[] scope = g.scope();
        String in = scope[1], v = g.safeId();
        String head = scope[0] + g.filler(in.length() / 4, 0, 1) + in + "if " + v + " " + g.pick(">", "<", "==", "!=") + " "
                + g.number() + ":\n" + g.statement(in.length() / 4 + 1) + in;
        return new Pair(head + "else", target("else_elif", 0), head + "elif", " " + v);
    }

    private static Pair fstringBrace(Gen g) {
        String[] scope = g.scope();
        String in = scope[1], v = g.id(), word = g.pick("done", "found", "missing", "total", "result", "starting", "finished", "saved");
        String head = scope[0] + g.filler(in.length() / 4, 0, 1) + in + v + " = " + g.func() + "(" + g.id() + ")\n" + in + "print(";
        String q = g.pick("\"", "'"), text = g.words(1, 3);
        return new Pair(head + "f" + q + text + " {", v, head + q + text, " " + word);
    }

    private static Pair ifTernary(Gen g) {
        String[] scope = g.scope();
        String in = scope[1], head = scope[0] + g.filler(in.length() / 4, 0, 1) + in;
        String cond = g.id() + " " + g.pick(">", "<", "==", ">=") + " " + g.number();
        return pair("if_ternary", head + "if " + cond, 0, head + g.id() + " = " + g.id() + " if " + cond, 1);
    }

    private static Pair varSwap(Gen g) {
        String[] scope = g.scope();
        String in = scope[1], a = g.safeId(), b = g.idNot(a);
        String head = scope[0] + g.filler(in.length() / 4, 0, 1) + in;
        return Pair.single(head + a + ", " + b + " = " + b + ",", " " + a);
    }

    private static Pair indentFor(Gen g) {
        String loop = "for " + g.id() + " in " + g.pick("range(" + g.number() + ")", g.id(), "range(len(" + g.id() + "))") + ":\n";
        String def = "def " + g.func() + "(" + g.id() + "):\n" + g.statement(1) + (g.chance(0.5) ? "\n" : "");
        // A: the loop inside the function (body at 8 spaces); B: the same loop after it, at top level (4 spaces)
        return pair("indent_for", def + "    " + loop, 0, def + loop, 1);
    }

    private static Pair lambdaFunc(Gen g) {
        String[] scope = g.scope();
        String in = scope[1], head = scope[0] + g.filler(in.length() / 4, 0, 1) + in;
        String f = g.func();
        return pair("lambda_func", head + f + " = lambda " + g.pick("x", "y", "i", "k", "n", "s"), 1, head + "def " + f, 3);
    }

    private static Pair ifEquals(Gen g) {
        String[] scope = g.scope();
        String in = scope[1], head = scope[0] + g.filler(in.length() / 4, 0, 1) + in;
        String v = g.id();
        return pair("if_equals", head + "if " + v, 0, head + v, 1);
    }

    private static Pair enumerateRange(Gen g) {
        String[] scope = g.scope();
        String in = scope[1], head = scope[0] + g.filler(in.length() / 4, 0, 1) + in;
        String i = g.pick("i", "j", "k", "n", "idx", "pos"), v = g.id();
        return pair("enumerate_range", head + "for " + i + ", " + v + " in", 0, head + "for " + i + " in", 1);
    }

    private static Pair varIf(Gen g) {
        String[] scope = g.scope();
        String in = scope[1];
        String flag = g.pick("is_", "has_", "got_", "") + g.noun() + g.pick("", "_ready", "_done", "_ok");
        String head = scope[0] + in + flag + " = " + g.pick("True", "False") + "\n" + g.filler(in.length() / 4, 0, 1) + in;
        return pair("var_if", head + "if " + flag, 0, head + flag, 1);
    }

    private static Pair whileReturnTrue(Gen g) {
        String head = "def " + g.func() + "(" + g.id() + "):\n" + g.statement(1) + g.filler(1, 0, 1);
        return pair("while_return_true", head + "    while True", 0, head + "    return True", 1);
    }
}
