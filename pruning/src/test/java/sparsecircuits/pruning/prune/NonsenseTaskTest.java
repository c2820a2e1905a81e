package sparsecircuits.pruning.prune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import sparsecircuits.pruning.loss.Choice;
import sparsecircuits.pruning.loss.TaskLoss;

/** The nonsense task of the controls: each binary prompt's target a seeded coin flip between its two targets. */
class NonsenseTaskTest {

    private static List<TaskLoss.Sequence> binary(int n) {
        List<TaskLoss.Sequence> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add(new TaskLoss.Sequence(new int[] {i, i + 1}, 10 + i % 2, 11 - i % 2, Choice.BINARY));
        return out;
    }

    @Test
    void aboutHalfOfTheTargetsSwapAndThePromptsStay() {
        List<TaskLoss.Sequence> seqs = binary(400), nonsense = Pruner.nonsense(seqs, 7);
        int swapped = 0;
        for (int i = 0; i < seqs.size(); i++) {
            TaskLoss.Sequence a = seqs.get(i), b = nonsense.get(i);
            assertSame(a.tokens(), b.tokens());
            assertEquals(java.util.Set.of(a.correct(), a.other()), java.util.Set.of(b.correct(), b.other()), "the same two targets");
            if (b.correct() != a.correct()) swapped++;
        }
        assertTrue(swapped > 160 && swapped < 240, "a fair coin per prompt: " + swapped + " of 400 swapped");
    }

    @Test
    void theSameSeedGivesTheSameTaskAndAnotherSeedAnother() {
        List<TaskLoss.Sequence> seqs = binary(64);
        assertEquals(correct(Pruner.nonsense(seqs, 3)), correct(Pruner.nonsense(seqs, 3)));
        assertNotEquals(correct(Pruner.nonsense(seqs, 3)), correct(Pruner.nonsense(seqs, 4)));
    }

    @Test
    void singleTargetSequencesAreKept() {
        List<TaskLoss.Sequence> seqs = List.of(new TaskLoss.Sequence(new int[] {1}, 5, -1, Choice.TARGET),
                new TaskLoss.Sequence(new int[] {2}, -1, 5, Choice.AVOID));
        List<TaskLoss.Sequence> n = Pruner.nonsense(seqs, 1);
        for (int i = 0; i < seqs.size(); i++) assertSame(seqs.get(i), n.get(i));
    }

    private static List<Integer> correct(List<TaskLoss.Sequence> seqs) {
        return seqs.stream().map(TaskLoss.Sequence::correct).toList();
    }
}
