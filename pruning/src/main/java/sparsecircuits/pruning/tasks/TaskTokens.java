package sparsecircuits.pruning.tasks;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import sparsecircuits.model.tokenizer.ByteLevelBpe;

/**
 * A task's pairs as token ids: the prompts' ids and, for each target string, the FIRST token of its encoding
 * (SPEC §5: {@code encode(s)[0]}). A target that encodes to several tokens is allowed (a copied variable name
 * usually does) but reported in {@link Tokenized#warnings()}, once per task; a pair whose two targets start
 * with the same token cannot be contrasted and is refused (or, on request, dropped).
 */
public final class TaskTokens {
    private TaskTokens() {
    }

    /** One tokenised pair; {@code promptB} is null and {@code targetB} -1 for a single-target pair. */
    public record TokenPair(int[] promptA, int targetA, int[] promptB, int targetB) {
        public boolean singleTarget() {
            return promptB == null;
        }
    }

    /** The tokenised pairs and the warnings about them (at most one per task). */
    public record Tokenized(List<TokenPair> pairs, List<String> warnings) {
    }

    /**
     * Tokenises {@code pairs} of {@code task} with {@code bpe}.
     * @throws IllegalArgumentException naming the task and the pair when a prompt is empty or the two targets
     *     give the same token
     */
    public static Tokenized tokenize(String task, List<Pair> pairs, ByteLevelBpe bpe) {
        return tokenize(task, pairs, bpe, false);
    }

    /**
     * As {@link #tokenize(String, List, ByteLevelBpe)}, but a pair whose two targets start with the same token is
     * dropped (and counted in the warnings) instead of refused: for generated tasks with per-pair targets
     * ({@code class_init}), where a small vocabulary can encode two different names as {@code " "} + …
     */
    public static Tokenized tokenizeSkippingClashes(String task, List<Pair> pairs, ByteLevelBpe bpe) {
        return tokenize(task, pairs, bpe, true);
    }

    private static Tokenized tokenize(String task, List<Pair> pairs, ByteLevelBpe bpe, boolean skipClashes) {
        List<TokenPair> out = new ArrayList<>(pairs.size());
        List<String> warnings = new ArrayList<>();
        int multi = 0, clashes = 0;
        String example = null;
        for (int i = 0; i < pairs.size(); i++) {
            Pair p = pairs.get(i);
            int[] a = prompt(task, i, p.promptA(), bpe);
            int[] ta = bpe.encode(p.targetA());
            int[] b = p.singleTarget() ? null : prompt(task, i, p.promptB(), bpe);
            int[] tb = p.singleTarget() ? null : bpe.encode(p.targetB());
            for (int[] t : p.singleTarget() ? List.of(ta) : List.of(ta, tb)) {
                if (t.length > 1 && multi++ == 0) {
                    example = show(t == ta ? p.targetA() : p.targetB()) + " -> " + t.length + " tokens " + tokens(t, bpe);
                }
            }
            if (tb != null && ta[0] == tb[0] && skipClashes) {
                clashes++;
                continue;
            }
            if (tb != null && ta[0] == tb[0]) {
                throw new IllegalArgumentException("task " + task + ", pair " + (i + 1) + ": targets " + show(p.targetA())
                        + " and " + show(p.targetB()) + " both start with token " + ta[0] + " " + show(bpe.decode(new int[] {ta[0]}))
                        + ", so the pair cannot tell them apart");
            }
            out.add(new TokenPair(a, ta[0], b, tb == null ? -1 : tb[0]));
        }
        if (multi > 0) {
            warnings.add("task " + task + ": " + multi + " target(s) encode to more than one token (e.g. " + example
                    + "); the first token is the target");
        }
        if (clashes > 0) {
            warnings.add("task " + task + ": " + clashes + " of " + pairs.size() + " pairs dropped: their two targets start with the same token");
        }
        return new Tokenized(List.copyOf(out), List.copyOf(warnings));
    }

    /**
     * Whether the task's prompts end where running text would tokenise differently: for each prompt (both of a binary
     * pair), the tokens of {@code prompt + target} must start with {@code encode(prompt)} followed by the first token of
     * {@code encode(target)}. When the prompt's last token merges with the target's start instead (with a {@code ":}
     * token, a {@code :} after a quote never occurs alone), the model never saw the target token in that place, so the
     * task measures something the pretraining text cannot teach. Only the target's first token counts: a target of
     * several tokens is the warning of {@link #tokenize}, not a clash.
     *
     * @return one line naming the task, how many pairs clash, one example (the boundary tokens both ways) and what to do;
     *         empty when no pair clashes
     */
    public static Optional<String> boundaryClash(String task, List<Pair> pairs, ByteLevelBpe bpe) {
        int clashing = 0;
        String example = null;
        for (Pair p : pairs) {
            boolean clash = false;
            for (int side = 0; side < (p.singleTarget() ? 1 : 2); side++) {
                String prompt = side == 0 ? p.promptA() : p.promptB(), target = side == 0 ? p.targetA() : p.targetB();
                String shown = boundary(prompt, target, bpe);
                if (shown == null) continue;
                clash = true;
                if (example == null) example = shown;
            }
            if (clash) clashing++;
        }
        if (clashing == 0) return Optional.empty();
        return Optional.of("task " + task + ": in " + clashing + " of " + pairs.size() + " pairs the prompt's end merges with the"
                + " target in running text (e.g. " + example + "), so the model never sees the target token there: use a larger or"
                + " other vocabulary, or a task whose target does not merge with the end of its prompt");
    }

    /** Null when running text keeps the prompt's tokens and then the target's first token; else the two tokenisations. */
    private static String boundary(String prompt, String target, ByteLevelBpe bpe) {
        int[] p = bpe.encode(prompt), running = bpe.encode(prompt + target);
        int[] expected = Arrays.copyOf(p, p.length + 1);
        expected[p.length] = bpe.encode(target)[0];
        int d = 0; // first token where running text differs from the prompt's tokens and the target's first
        while (d < expected.length && d < running.length && running[d] == expected[d]) d++;
        if (d == expected.length) return null;
        // from the token before the difference (the prompt's end, usually) up to the target's first token, and the running
        // tokens that cover the same bytes (both start at the same byte: the tokens before d are the same)
        int from = Math.max(0, Math.min(d, p.length - 1));
        int bytes = 0;
        for (int i = from; i < expected.length; i++) bytes += bpe.tokenBytes(expected[i]).length;
        int to = from, covered = 0;
        while (to < running.length && covered < bytes) covered += bpe.tokenBytes(running[to++]).length;
        return "prompt " + show(prompt) + " then target " + show(target) + " are the tokens "
                + tokens(Arrays.copyOfRange(expected, from, expected.length), bpe) + " but running text has "
                + tokens(Arrays.copyOfRange(running, from, to), bpe);
    }

    private static int[] prompt(String task, int i, String prompt, ByteLevelBpe bpe) {
        int[] ids = bpe.encode(prompt);
        if (ids.length == 0) throw new IllegalArgumentException("task " + task + ", pair " + (i + 1) + ": empty prompt");
        return ids;
    }

    /** The tokens of {@code ids} as quoted, escaped strings. */
    public static String tokens(int[] ids, ByteLevelBpe bpe) {
        return Arrays.stream(ids).mapToObj(id -> show(bpe.decode(new int[] {id}))).toList().toString();
    }

    /** A string in double quotes with newlines, tabs, quotes and backslashes escaped (for one-line messages). */
    public static String show(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n").replace("\t", "\\t") + "\"";
    }
}
