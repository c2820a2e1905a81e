package sparsecircuits.pruning.tasks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import sparsecircuits.model.json.Json;
import sparsecircuits.model.json.JsonException;

/**
 * A custom task from a JSONL file: one pair a line, {@code {"prompt_a": …, "target_a": …, "prompt_b": …,
 * "target_b": …}}, or only {@code prompt_a}/{@code target_a} for a single-target task (every line the same
 * form). Blank lines are skipped; repeated identical pairs count once. The name is the file name without its
 * extension.
 *
 * <p>Splits: the pairs are shuffled with the seed; the last third ({@code max(1, n/3)} pairs) is HELD_OUT, the
 * rest TRAIN, so the two never share a pair. At least 2 pairs are needed. A file is finite: {@link #pairs}
 * returns at most the split's size, in the shuffled order.
 */
public final class JsonlTask implements Task {
    private static final Set<String> KEYS = Set.of("prompt_a", "target_a", "prompt_b", "target_b");

    private final String name;
    private final Path file;
    private final List<Pair> all;

    private JsonlTask(String name, Path file, List<Pair> all) {
        this.name = name;
        this.file = file;
        this.all = all;
    }

    /**
     * Reads {@code file}.
     * @throws IllegalArgumentException one line, {@code FILE:LINE: what is wrong}, for an unreadable file, a
     *     malformed line, a line of the other form, or fewer than 2 pairs
     */
    public static JsonlTask load(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException | java.io.UncheckedIOException e) {
            throw new IllegalArgumentException(file + ": cannot read the task file (" + e.getMessage() + ")");
        }
        Set<Pair> pairs = new LinkedHashSet<>();
        Boolean single = null;
        int firstLine = 0;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) continue;
            Pair p = parse(file, i + 1, lines.get(i));
            if (single == null) {
                single = p.singleTarget();
                firstLine = i + 1;
            } else if (single != p.singleTarget()) {
                throw new IllegalArgumentException(file + ":" + (i + 1) + ": " + form(p.singleTarget()) + " but line " + firstLine
                        + " is " + form(single) + "; all lines must have the same form");
            }
            pairs.add(p);
        }
        if (pairs.size() < 2) {
            throw new IllegalArgumentException(file + ": has " + pairs.size() + " distinct pair(s); a task needs at least 2");
        }
        String base = file.getFileName().toString();
        int dot = base.lastIndexOf('.');
        return new JsonlTask(dot > 0 ? base.substring(0, dot) : base, file, List.copyOf(pairs));
    }

    private static String form(boolean single) {
        return single ? "single-target (no prompt_b/target_b)" : "binary (with prompt_b/target_b)";
    }

    private static Pair parse(Path file, int line, String text) {
        String at = file + ":" + line + ": ";
        Object v;
        try {
            v = Json.parse(text.strip());
        } catch (JsonException e) {
            throw new IllegalArgumentException(at + "not JSON (column " + e.column() + ": " + e.problem() + ")");
        }
        if (!(v instanceof Map<?, ?> m)) throw new IllegalArgumentException(at + "expected a JSON object, got " + Json.kind(v));
        for (Object k : m.keySet()) {
            if (!KEYS.contains(k)) {
                throw new IllegalArgumentException(at + "unknown key \"" + k + "\"; the keys are prompt_a, target_a, prompt_b, target_b");
            }
        }
        String pa = string(m, "prompt_a", at), ta = string(m, "target_a", at);
        String pb = string(m, "prompt_b", at), tb = string(m, "target_b", at);
        if (pa == null || ta == null) throw new IllegalArgumentException(at + "needs \"prompt_a\" and \"target_a\"");
        if ((pb == null) != (tb == null)) throw new IllegalArgumentException(at + "\"prompt_b\" and \"target_b\" come together");
        if (pa.isEmpty() || pb != null && pb.isEmpty()) throw new IllegalArgumentException(at + "a prompt is empty");
        if (ta.isEmpty() || tb != null && tb.isEmpty()) throw new IllegalArgumentException(at + "a target is empty");
        return new Pair(pa, ta, pb, tb);
    }

    private static String string(Map<?, ?> m, String key, String at) {
        Object v = m.get(key);
        if (v == null && !m.containsKey(key)) return null;
        if (!(v instanceof String s)) throw new IllegalArgumentException(at + "\"" + key + "\" must be a string, got " + Json.kind(v));
        return s;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String description() {
        return "custom task from " + file + " (" + all.size() + " pairs)";
    }

    @Override
    public boolean singleTarget() {
        return all.get(0).singleTarget();
    }

    /** Every pair of the file, in file order. */
    public List<Pair> allPairs() {
        return all;
    }

    @Override
    public List<Pair> pairs(Split split, int count, long seed) {
        if (count < 0) throw new IllegalArgumentException("pair count must be >= 0, got " + count);
        List<Pair> shuffled = new ArrayList<>(all);
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = shuffled.size() - 1; i > 0; i--) { // Fisher–Yates
            int j = r.nextInt(i + 1);
            shuffled.set(j, shuffled.set(i, shuffled.get(j)));
        }
        int held = Math.max(1, shuffled.size() / 3);
        List<Pair> part = split == Split.TRAIN ? shuffled.subList(0, shuffled.size() - held)
                : shuffled.subList(shuffled.size() - held, shuffled.size());
        return List.copyOf(part.subList(0, Math.min(count, part.size())));
    }
}
