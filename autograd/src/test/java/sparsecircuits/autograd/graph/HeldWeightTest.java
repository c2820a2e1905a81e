package sparsecircuits.autograd.graph;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import sparsecircuits.autograd.optim.Schedule;
import sparsecircuits.autograd.optim.SparseAdam;
import sparsecircuits.autograd.param.HeldEntries;
import sparsecircuits.autograd.param.Parameter;
import sparsecircuits.kernels.KernelProvider;
import sparsecircuits.kernels.Kernels;

/** The scalable recipe's held weights in the ops: the same numbers as the paper recipe's on the kept pattern. */
class HeldWeightTest {
    private final Kernels kernels = KernelProvider.get();

    private static float[] gaussian(SplittableRandom r, int n, double scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (r.nextGaussian() * scale);
        return a;
    }

    /** The same weight twice: in the paper recipe with k kept, and held with k kept plus the candidates. */
    private static Parameter[] paperAndHeld(float[] init, int out, int in, int k, int candidates, int j) {
        Parameter paper = Parameter.sparse("w", Parameter.SparsityRule.MATRIX_ROWS, out, in);
        System.arraycopy(init, 0, paper.value(), 0, init.length);
        paper.sparsify(k, j);
        Parameter held = Parameter.sparse("w", Parameter.SparsityRule.MATRIX_ROWS, out, in);
        System.arraycopy(init, 0, held.value(), 0, init.length);
        held.hold(k + candidates, k, j);
        return new Parameter[] {paper, held};
    }

    /** loss = Σ linear(x, W) ⊙ R, so ∂y = R. */
    private Tensor loss(Ops ops, Tensor x, Tensor w, float[] r, int n, int out) {
        return ops.sum(ops.mul(ops.linear(x, w, null), Tensor.constant(r, n, out)));
    }

    @Test
    void aHeldLinearGivesThePaperRecipesOutputAndGradientsOnItsEntries() {
        SplittableRandom rnd = new SplittableRandom(11);
        int n = 24, in = 20, out = 12, k = 60, candidates = 30;
        float[] init = gaussian(rnd, out * in, 1), xs = gaussian(rnd, n * in, 1), r = gaussian(rnd, n * out, 1);

        Parameter[] both = paperAndHeld(init, out, in, k, candidates, 2);
        Parameter paper = both[0], held = both[1];
        assertArrayEquals(paper.keptIndices(), held.keptIndices(), "the same kept pattern");

        Tape tape = new Tape();
        Tensor xp = Tensor.variable(xs.clone(), n, in), xh = Tensor.variable(xs.clone(), n, in);
        Ops ops = new Ops(kernels, tape).sparseBelow(1.0);
        Tensor lp = loss(ops, xp, Tensor.of(paper), r, n, out);
        tape.backward(lp);
        tape.clear();
        Ops heldOps = new Ops(kernels, tape).regrowth(true);
        Tensor lh = loss(heldOps, xh, Tensor.of(held), r, n, out);
        tape.backward(lh);
        tape.clear();

        assertEquals(lp.item(), lh.item(), 1e-4 * Math.abs(lp.item()) + 1e-5);
        assertArrayEquals(xp.grad(), xh.grad(), 1e-5f, "∂x");
        HeldEntries h = held.held();
        float[] dense = paper.grad();
        for (int q = 0; q < h.size(); q++) {
            assertEquals(dense[h.flat()[q]], h.grad()[q], 1e-4f * n, "∂W at flat " + h.flat()[q]);
        }
        // the candidates: the top |∂W| outside the kept set, from the paper recipe's dense gradient
        List<Integer> outside = new ArrayList<>();
        java.util.Set<Integer> kept = new java.util.HashSet<>();
        for (int f : paper.keptIndices()) kept.add(f);
        for (int f = 0; f < out * in; f++) if (!kept.contains(f)) outside.add(f);
        outside.sort(Comparator.<Integer>comparingDouble(f -> -Math.abs(dense[f])).thenComparingInt(f -> f));
        List<Integer> want = new ArrayList<>(outside.subList(0, candidates));
        want.sort(null);
        assertTrue(held.hasPendingCandidates());
        held.sparsify(k, 2); // top-k, then the held set becomes kept ∪ candidates
        List<Integer> heldNow = new ArrayList<>();
        for (int f : held.held().flat()) if (!kept.contains(f)) heldNow.add(f);
        assertEquals(want, heldNow);
        assertFalse(held.hasPendingCandidates());
    }

    @Test
    void aWeightOutsideThePatternWithALargeGradientRegrows() {
        int n = 4, in = 8, out = 8, target = 3 * in + 5; // W[3][5]
        SplittableRandom rnd = new SplittableRandom(5);
        Parameter w = Parameter.sparse("w", Parameter.SparsityRule.MATRIX_ROWS, out, in);
        float[] init = gaussian(rnd, out * in, 1e-3);
        init[target] = 0f; // the smallest: never held at first
        System.arraycopy(init, 0, w.value(), 0, init.length);
        w.hold(24, 16, 1);
        for (int f : w.held().flat()) assertTrue(f != target);
        // ∂W is nonzero only at [3][5]: x is the one-hot of input 5, ∂y the one-hot of output 3
        float[] xs = new float[n * in], r = new float[n * out];
        for (int t = 0; t < n; t++) {
            xs[t * in + 5] = 1f;
            r[t * out + 3] = 1f;
        }
        Schedule schedule = new Schedule(100, 0.5, 1, 0, 0, 0.01, Schedule.EmbeddingSchedule.SMOOTH);
        SparseAdam adam = new SparseAdam(List.of(w), schedule, 0.1, SparseAdam.Settings.defaults().withMinPerNeuron(1), kernels);
        Tape tape = new Tape();
        boolean keptAtLast = false;
        for (int step = 0; step < 4 && !keptAtLast; step++) {
            Ops ops = new Ops(kernels, tape).regrowth(step % 2 == 0);
            tape.backward(loss(ops, Tensor.constant(xs, n, in), Tensor.of(w), r, n, out));
            tape.clear();
            adam.step();
            w.zeroGrad();
            for (int f : w.keptIndices()) keptAtLast |= f == target;
        }
        assertTrue(keptAtLast, "W[3][5] regrew into the kept set");
        assertEquals(16, w.keptIndices().length);
    }

    @Test
    void aHeldEmbeddingReadsAndTrainsItsHeldEntries() {
        SplittableRandom rnd = new SplittableRandom(2);
        int vocab = 10, d = 6;
        float[] init = gaussian(rnd, vocab * d, 1);
        Parameter paper = Parameter.sparse("wte", Parameter.SparsityRule.VOCAB_OR_BIAS, vocab, d);
        System.arraycopy(init, 0, paper.value(), 0, init.length);
        paper.sparsify(20, 0);
        Parameter held = Parameter.sparse("wte", Parameter.SparsityRule.VOCAB_OR_BIAS, vocab, d);
        System.arraycopy(init, 0, held.value(), 0, init.length);
        held.hold(30, 20, 0);
        int[] tokens = {3, 1, 3, 7, 0};
        float[] r = gaussian(rnd, tokens.length * d, 1);
        Tape tape = new Tape();
        Ops ops = new Ops(kernels, tape);
        Tensor ep = ops.embedding(Tensor.of(paper), tokens);
        tape.backward(ops.sum(ops.mul(ep, Tensor.constant(r, tokens.length, d))));
        tape.clear();
        Tensor eh = new Ops(kernels, tape).regrowth(true).embedding(Tensor.of(held), tokens);
        assertArrayEquals(ep.data(), eh.data());
        tape.backward(new Ops(kernels, tape).sum(new Ops(kernels, tape).mul(eh, Tensor.constant(r, tokens.length, d))));
        tape.clear();
        HeldEntries h = held.held();
        for (int q = 0; q < h.size(); q++) assertEquals(paper.grad()[h.flat()[q]], h.grad()[q], 1e-6f);
        assertTrue(held.hasPendingCandidates());
    }
    @Test
    void theGradientIsNormalisedOnThePaperRecipesScale() {
        // at a regrowth step the held weight's Σg² is the dense gradient's, streamed with the candidates, so the RMS the
        // optimizer divides by is the paper recipe's; on the next step, without a regrowth, it is the held entries' Σg²
        // times the ratio dense/held measured at the regrowth
        SplittableRandom rnd = new SplittableRandom(17);
        int n = 16, in = 24, out = 10, k = 40, candidates = 20;
        float[] init = gaussian(rnd, out * in, 1), xs = gaussian(rnd, n * in, 1), r = gaussian(rnd, n * out, 1);
        Parameter[] both = paperAndHeld(init, out, in, k, candidates, 1);
        Parameter paper = both[0], held = both[1];
        Schedule schedule = new Schedule(100, 0.5, 1, 0, 0, 0.01, Schedule.EmbeddingSchedule.SMOOTH);
        SparseAdam.Settings settings = SparseAdam.Settings.defaults().withMinPerNeuron(1);
        SparseAdam paperAdam = new SparseAdam(List.of(paper), schedule, 0.1, settings, kernels);
        SparseAdam heldAdam = new SparseAdam(List.of(held), schedule, 0.1, settings, kernels);
        Tape tape = new Tape();

        tape.backward(loss(new Ops(kernels, tape).sparseBelow(1.0), Tensor.variable(xs.clone(), n, in), Tensor.of(paper), r, n, out));
        tape.clear();
        double denseSquares = kernels.sumSquares(out * in, paper.grad(), 0);
        tape.backward(loss(new Ops(kernels, tape).regrowth(true), Tensor.variable(xs.clone(), n, in), Tensor.of(held), r, n, out));
        tape.clear();
        double heldSquares = kernels.sumSquares(held.held().size(), held.held().grad(), 0);
        double paperRms = paperAdam.step().gradRms(), heldRms = heldAdam.step().gradRms();
        assertEquals(Math.sqrt(denseSquares / (out * in)), paperRms, 1e-9 * paperRms);
        assertEquals(paperRms, heldRms, 1e-5 * paperRms, "regrowth step: the dense gradient's RMS");
        assertTrue(heldSquares < denseSquares, "the held entries carry only part of the gradient");
        assertEquals(denseSquares / heldSquares, held.denseOverHeldSquares(), 1e-5 * denseSquares / heldSquares);

        held.zeroGrad();
        double ratio = held.denseOverHeldSquares();
        tape.backward(loss(new Ops(kernels, tape), Tensor.variable(xs.clone(), n, in), Tensor.of(held), r, n, out));
        tape.clear();
        double heldNow = kernels.sumSquares(held.held().size(), held.held().grad(), 0);
        assertEquals(Math.sqrt(heldNow * ratio / (out * in)), heldAdam.step().gradRms(), 1e-9, "between regrowths: held Σg² × the ratio");
        assertEquals(ratio, held.denseOverHeldSquares(), 0.0, "the ratio changes only at a regrowth");
    }
}
