package sparsecircuits.pruning.tasks;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The target strings of the paper's tasks (SPEC §5 and §8.1) that must each be one token, so that a
 * task's two candidate completions are two different first tokens (without forcing, {@code "]]\n"}
 * and {@code "]\n"} can share their first token {@code "]"}).
 *
 * <p>Whoever trains a model for these tasks passes {@link #all()} to the tokenizer trainer ({@code train} gives it to
 * {@code TrainRun.start}); {@link PaperTasks} takes its fixed targets from {@link #byTask()}, so the two cannot drift
 * apart. The order of {@link #all()} is part of every tokenizer trained with it: append, never reorder.
 * Targets that vary per datapoint (a copied variable name in {@code class_init}, {@code var_swap},
 * {@code fstring_brace}) are not here. Each string is exactly one pre-token of the tinypython regex.
 */
public final class PaperTaskTargets {
    private static final Map<String, List<String>> BY_TASK = new LinkedHashMap<>();

    static {
        put("single_double_quote", "\")", "')", "(\"", "('");
        put("final_kwarg", "=None", "):\n");
        put("set_or_string", ".add", " +=");
        put("set_or_string_fixedvarname", ".add", " +=");
        put("with_as", ")", ")\n"); // the decision sits on the closing paren: ")\n" is one pre-token
        put("bracket_brace", ":", ",");
        put("with_open", "r", "w");
        put("bracket_counting", "]]\n", "]\n");
        put("for_while", " in", ":\n"); // a header's colon ends the line: ":\n" is one pre-token
        put("else_elif", ":\n");
        put("if_ternary", ":\n", " else");
        put("indent_for", "       ", "   "); // an indent before a name splits into n−1 spaces + " name"
        put("lambda_func", " :", ":", " (", "(");
        put("if_equals", " ==", " =");
        put("enumerate_range", " enumerate", " range");
        put("var_if", " ==", " =");
        put("while_return_true", ":\n", "\n");
    }

    private static void put(String task, String... targets) {
        BY_TASK.put(task, List.of(targets));
    }

    private PaperTaskTargets() {
    }

    /** Fixed target strings by task name (SPEC §5 names), in table order. */
    public static Map<String, List<String>> byTask() {
        return Collections.unmodifiableMap(BY_TASK);
    }

    /** Every distinct target string, in first-appearance order of {@link #byTask()}. */
    public static List<String> all() {
        List<String> out = new ArrayList<>();
        for (List<String> ts : BY_TASK.values()) {
            for (String t : ts) if (!out.contains(t)) out.add(t);
        }
        return List.copyOf(out);
    }
}
