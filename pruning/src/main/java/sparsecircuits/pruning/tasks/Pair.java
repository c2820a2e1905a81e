package sparsecircuits.pruning.tasks;

/**
 * One datapoint of a binary task (SPEC §4.5, §5): two prompts that differ only where the task needs, each with
 * the completion string whose first token is the right answer. A single-target task (SPEC §4.5's second
 * form) has no B side: {@code promptB} and {@code targetB} are null.
 */
public record Pair(String promptA, String targetA, String promptB, String targetB) {
    public Pair {
        if (promptA == null || targetA == null || targetA.isEmpty()) {
            throw new IllegalArgumentException("a pair needs prompt_a and a non-empty target_a");
        }
        if ((promptB == null) != (targetB == null) || targetB != null && targetB.isEmpty()) {
            throw new IllegalArgumentException("prompt_b and target_b come together (both, or neither for a single-target task)");
        }
    }

    /** A single-target datapoint. */
    public static Pair single(String prompt, String target) {
        return new Pair(prompt, target, null, null);
    }

    public boolean singleTarget() {
        return promptB == null;
    }
}
