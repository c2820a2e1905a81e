package sparsecircuits.cli;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The options one command accepts, and the parser for them. Options are GNU-style long options:
 * {@code --flag}, {@code --name value} or {@code --name=value}; each may be given once. Anything
 * else is a {@link UserError} that names the command and says how to fix it. {@code --help} and
 * {@code -h} are handled by {@link Main} before parsing.
 */
final class Options {

    /**
     * One declared option. {@code valueName} is null for a flag; a numeric option ({@code example}
     * not null) must be a decimal number within [min, max].
     */
    record Spec(String name, String valueName, String help, double min, double max, String example) {
        boolean takesValue() {
            return valueName != null;
        }

        String usage() {
            return takesValue() ? name + " " + valueName : name;
        }
    }

    private final String command;
    private final Map<String, Spec> specs = new LinkedHashMap<>();

    Options(String command) {
        this.command = command;
    }

    /** Declares a flag (an option without a value), e.g. {@code --json}. */
    Options flag(String name, String help) {
        return add(new Spec(name, null, help, 0, 0, null));
    }

    /** Declares an option with a free-form value, e.g. {@code --out DIR}. */
    Options option(String name, String valueName, String help) {
        return add(new Spec(name, valueName, help, 0, 0, null));
    }

    /** Declares a numeric option within [min, max], e.g. {@code --seconds N}; {@code example} is a good value. */
    Options number(String name, String valueName, String help, double min, double max, String example) {
        return add(new Spec(name, valueName, help, min, max, example));
    }

    private Options add(Spec spec) {
        if (!spec.name().startsWith("--") || specs.containsKey(spec.name())) {
            throw new IllegalStateException("bad or repeated option declaration " + spec.name());
        }
        specs.put(spec.name(), spec);
        return this;
    }

    Collection<Spec> specs() {
        return specs.values();
    }

    /** The aligned option lines of a command's help, including --help. */
    String help() {
        List<String[]> rows = new ArrayList<>();
        for (Spec s : specs.values()) rows.add(new String[] {s.usage(), s.help()});
        rows.add(new String[] {"--help, -h", "show this help"});
        int width = rows.stream().mapToInt(r -> r[0].length()).max().orElse(0);
        StringBuilder sb = new StringBuilder();
        for (String[] r : rows) {
            sb.append("  ").append(pad(r[0], width)).append("  ").append(r[1]).append('\n');
        }
        return sb.toString();
    }

    /** Parses {@code args} (the words after the command name). */
    Parsed parse(List<String> args) {
        Map<String, String> values = new LinkedHashMap<>();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (!arg.startsWith("-") || arg.equals("-")) {
                throw new UserError("unexpected argument '" + arg + "' for " + command,
                        command + " takes only options: see 'sparse-circuits " + command + " --help'");
            }
            String name = arg;
            String value = null;
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 2) {
                name = arg.substring(0, eq);
                value = arg.substring(eq + 1);
            }
            Spec spec = specs.get(name);
            if (spec == null) {
                String guess = closest(name, specs.keySet());
                throw new UserError("unknown option '" + name + "' for " + command,
                        (guess != null ? "did you mean '" + guess + "'? " : "")
                                + "see 'sparse-circuits " + command + " --help' for its options");
            }
            if (values.containsKey(name)) {
                throw new UserError("option " + name + " is given more than once", "give it once");
            }
            if (spec.takesValue()) {
                if (value == null) {
                    if (i + 1 >= args.size() || args.get(i + 1).startsWith("--")) {
                        throw new UserError("option " + name + " needs a value", "write it as " + spec.usage());
                    }
                    value = args.get(++i);
                }
                if (spec.example() != null) {
                    checkNumber(spec, value);
                }
            } else if (value != null) {
                throw new UserError("option " + name + " takes no value, got '" + value + "'", "write just " + name);
            }
            values.put(name, value);
        }
        return new Parsed(values);
    }

    /** The parsed options of one command line. */
    static final class Parsed {
        private final Map<String, String> values;

        Parsed(Map<String, String> values) {
            this.values = values;
        }

        boolean has(String name) {
            return values.containsKey(name);
        }

        /** The value of an option, or {@code fallback} when it is absent. */
        String value(String name, String fallback) {
            return values.getOrDefault(name, fallback);
        }

        /** The value of a numeric option (checked by parse), or {@code fallback} when it is absent. */
        double number(String name, double fallback) {
            String v = values.get(name);
            return v == null ? fallback : Double.parseDouble(v.trim());
        }
    }

    private static void checkNumber(Spec spec, String v) {
        String t = v.trim();
        double d = t.matches("[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]+)?") ? Double.parseDouble(t) : Double.NaN;
        if (!(d >= spec.min() && d <= spec.max())) {
            throw new UserError(spec.name() + " must be a number from " + plain(spec.min()) + " to " + plain(spec.max())
                    + ", got '" + v + "'", "write e.g. " + spec.name() + " " + spec.example());
        }
    }

    private static String plain(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }

    static String pad(String s, int width) {
        return s.length() >= width ? s : s + " ".repeat(width - s.length());
    }

    /** The candidate closest to {@code word} (edit distance at most 2, or a clear prefix), else null. */
    static String closest(String word, Collection<String> candidates) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        String w = word.toLowerCase(Locale.ROOT);
        for (String c : candidates) {
            int d = editDistance(w, c.toLowerCase(Locale.ROOT));
            if (d < bestDistance) {
                bestDistance = d;
                best = c;
            }
        }
        if (best != null && bestDistance <= Math.max(1, Math.min(2, word.length() / 3))) {
            return best;
        }
        for (String c : candidates) {
            if (w.length() >= 3 && c.startsWith(w)) {
                return c;
            }
        }
        return null;
    }

    /** Levenshtein distance with adjacent transpositions counted as one edit. */
    static int editDistance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) d[i][0] = i;
        for (int j = 0; j <= b.length(); j++) d[0][j] = j;
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
