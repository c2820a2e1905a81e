package sparsecircuits.pruning.tasks;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
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
