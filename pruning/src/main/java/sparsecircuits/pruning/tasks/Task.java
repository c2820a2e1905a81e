package sparsecircuits.pruning.tasks;

import java.util.List;

/**
 * A binary next-token task: a seeded source of {@link Pair}s with disjoint train and held-out splits.
 * Implementations: the paper's suite ({@code PaperTasks}) and JSONL files ({@code JsonlTask}).
 */
public interface Task {

    /** Which pairs: pruning trains the masks on TRAIN and picks k on HELD_OUT (SPEC §4.6). */
    enum Split { TRAIN, HELD_OUT }

    /** The task's name (SPEC §5 names; a JSONL task is named after its file). */
    String name();

    /** One line saying what the task tests. */
    String description();

    /** Whether pairs have only an A side (SPEC §4.5's full-vocabulary loss; no inverted-task control). */
    boolean singleTarget();

    /**
     * {@code count} pairs of {@code split}, deterministic in {@code seed}; the two splits never share a pair.
     * A finite task (a JSONL file) may return fewer than asked.
     */
    List<Pair> pairs(Split split, int count, long seed);
}
