package sparsecircuits.autograd.optim;

import org.junit.jupiter.api.Test;
import sparsecircuits.autograd.optim.Schedule.EmbeddingSchedule;
import sparsecircuits.autograd.param.Parameter;
import sparsecircuits.autograd.param.Parameter.SparsityRule;
import sparsecircuits.kernels.KernelProvider;
import sparsecircuits.kernels.Kernels;
import sparsecircuits.kernels.select.TopK;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;

class SparseAdamTest {
    private final Kernels kernels = KernelProvider.get();

    private static void gaussian(float[] a, Random r, double scale) {
        for (int i = 0; i < a.length; i++) a[i] = (float) (scale * r.nextGaussian());
    }

    /** A small model's parameter set: the four min-j matrices, embeddings, biases, gains, sink, bigram. */
    private static List<Parameter> model(int d, int v) {
        return List.of(
                Parameter.sparse("wte", SparsityRule.VOCAB_OR_BIAS, v, d),
                Parameter.dense("ln_1.weight", d),
                Parameter.sparse("c_attn.weight", SparsityRule.MATRIX_ROWS, 3 * d, d),
                Parameter.sparse("c_attn.bias", SparsityRule.VOCAB_OR_BIAS, 3 * d),
                Parameter.sparse("attn.c_proj.weight", SparsityRule.MATRIX_COLUMNS, d, d),
                Parameter.dense("sink_logit", 2),
                Parameter.sparse("c_fc.weight", SparsityRule.MATRIX_ROWS, 4 * d, d),
                Parameter.sparse("mlp.c_proj.weight", SparsityRule.MATRIX_COLUMNS, d, 4 * d),
                Parameter.sparse("lm_head.weight", SparsityRule.VOCAB_OR_BIAS, v, d),
                Parameter.dense("bigram_table", v, v).excludeFromWeightDecay());
    }

    @Test
    void keptCountsFollowTheScheduleAtEveryStepAndDenseParametersStayDense() {
        qt().withExamples(12).forAll(integers().between(1, 3), integers().between(0, 2), integers().between(0, 1000))
                .checkAssert((e, p, seed) -> {
                    int d = 16 * e;
                    int v = 24;
                    double pfrac = 1.0 / (1 << p);
                    long T = 100;
                    List<Parameter> params = model(d, v);
                    Random r = new Random(seed);
                    for (Parameter q : params) gaussian(q.value(), r, 0.1);
                    Schedule s = Schedule.standard(T, pfrac, e);
                    SparseAdam opt = new SparseAdam(params, s, 0.01, SparseAdam.Settings.defaults().withMinPerNeuron(1), kernels);
                    opt.checkBudgets();
                    for (long t = 0; t < T; t++) {
                        for (Parameter q : params) gaussian(q.grad(), r, 1);
                        SparseAdam.StepInfo info = opt.step();
                        assertEquals(t, info.step());
                        long total = 0;
                        for (Parameter q : params) {
                            if (q.isSparse()) {
                                int k = s.keptCount(q.rule().budget(), q.numel(), t);
                                assertEquals(k, q.nnz(), q.name() + " at step " + t);
                                assertTrue(q.countNonZero() <= k, q.name() + " has nonzeros outside its kept set");
                                assertEquals(k, q.csr().nnz());
                            } else {
                                assertEquals(q.numel(), q.countNonZero(), q.name() + " (DENSE) lost entries at step " + t);
                            }
                            total += q.nnz();
                        }
                        assertEquals(total, info.nonZeros());
                    }
                    assertEquals(T, opt.stepsTaken());
                });
    }

    @Test
    void regrowthReallyHappens() {
        // 8 entries, budget 4 from step 1 on (E = 1, pfrac 1/2, anneal 0% → 1% of 100 steps).
        // Entry 0 is pushed towards zero, entry 7 (dropped at step 1) is pushed up every step: its one-step
        // Adam update overtakes the shrinking |w0| and it re-enters the kept set.
        Parameter w = Parameter.sparse("w", new SparsityRule(TopK.Neurons.NONE, Parameter.BudgetClass.MATRIX), 2, 4);
        float[] init = {1.0f, 0.9f, 0.8f, 0.7f, 0.6f, 0.5f, 0.4f, 0.3f};
        System.arraycopy(init, 0, w.value(), 0, 8);
        Schedule s = new Schedule(100, 0.5, 1, 0, 0, 0.01, EmbeddingSchedule.SMOOTH);
        SparseAdam opt = new SparseAdam(List.of(w), s, 0.1, SparseAdam.Settings.defaults().withWeightDecay(0), kernels);
        int regrownAt = -1;
        for (int t = 0; t < 60; t++) {
            w.zeroGrad();
            w.grad()[0] = 1f;
            w.grad()[7] = -1f;
            opt.step();
            if (t == 0) assertEquals(8, w.nnz(), "dense at step 0");
            if (t == 1) {
                assertEquals(4, w.nnz());
                assertEquals(0f, w.value()[7], "entry 7 is dropped at step 1");
            }
            if (t >= 1) assertEquals(4, w.nnz());
            if (t > 1 && w.value()[7] != 0f) {
                regrownAt = t;
                break;
            }
        }
        assertTrue(regrownAt > 1, "a weight zeroed by top-k came back");
        assertTrue(w.value()[7] > 0f);
        int[] colIdx = w.csr().colIdx();
        int[] rowPtr = w.csr().rowPtr();
        boolean inPattern = false;
        for (int q = rowPtr[1]; q < rowPtr[2]; q++) inPattern |= colIdx[q] == 3;
        assertTrue(inPattern, "the regrown weight is in the rebuilt CSR pattern");
        assertTrue(w.m()[7] < 0f, "its Adam moment kept accumulating while it was zero");
    }

    /**
     * step() folds the gradient scale into Adam and the decay into Adam or the top-k write-back; its parameters,
     * moments, gradients (left normalised) and kept sets are bit for bit those of the four steps run one after the
     * other, as they were before the fusion, through warmup, anneal (all kept, then shrinking) and after it, with
     * the fused run on a 3-thread pool and the reference on 1 thread.
     */
    @Test
    void stepIsBitIdenticalToTheUnfusedSequence() {
        qt().withExamples(8).forAll(integers().between(1, 2), integers().between(0, 2), integers().between(0, 2), integers().between(0, 1000))
                .checkAssert((e, pf, j, seed) -> {
                    int d = 64 * e, v = 24; // c_fc and c_proj big enough to be split over the pool
                    long total = 40;
                    Schedule s = Schedule.standard(total, new double[] {0.25, 0.5, 1.0}[pf], e);
                    SparseAdam.Settings set = SparseAdam.Settings.defaults().withMinPerNeuron(j);
                    List<Parameter> fused = model(d, v), ref = model(d, v);
                    Random r = new Random(seed);
                    for (int i = 0; i < fused.size(); i++) {
                        gaussian(fused.get(i).value(), r, 0.1);
                        System.arraycopy(fused.get(i).value(), 0, ref.get(i).value(), 0, fused.get(i).numel());
                    }
                    try (sparsecircuits.kernels.WorkerPool three = new sparsecircuits.kernels.WorkerPool(3);
                         sparsecircuits.kernels.WorkerPool one = new sparsecircuits.kernels.WorkerPool(1)) {
                        Kernels kf = KernelProvider.create(three), kr = KernelProvider.create(one);
                        SparseAdam opt = new SparseAdam(fused, s, 0.05, set, kf);
                        for (long t = 0; t < total; t++) {
                            for (int i = 0; i < fused.size(); i++) {
                                gaussian(fused.get(i).grad(), r, 0.5);
                                System.arraycopy(fused.get(i).grad(), 0, ref.get(i).grad(), 0, fused.get(i).numel());
                            }
                            opt.step();
                            unfusedStep(ref, s, 0.05, set, kr, t);
                            for (int i = 0; i < fused.size(); i++) {
                                Parameter a = fused.get(i), b = ref.get(i);
                                String at = a.name() + " step " + t;
                                assertBitsEqual(b.value(), a.value(), at + " value");
                                assertBitsEqual(b.m(), a.m(), at + " m");
                                assertBitsEqual(b.v(), a.v(), at + " v");
                                assertBitsEqual(b.grad(), a.grad(), at + " grad");
                                assertArrayEquals(b.keptIndices(), a.keptIndices(), at + " kept set");
                            }
                        }
                    }
                });
    }

    /** SPEC §2.5 steps 3–6 one pass each, as SparseAdam ran them before the fusion. */
    private static void unfusedStep(List<Parameter> ps, Schedule s, double baseLr, SparseAdam.Settings set, Kernels k, long t) {
        double lr = s.lr(baseLr, t), ss = 0;
        long n = 0;
        for (Parameter p : ps) {
            ss += k.sumSquares(p.numel(), p.grad(), 0);
            n += p.numel();
        }
        float inv = (float) (1.0 / (Math.sqrt(ss / n) + set.rmsEps()));
        for (Parameter p : ps) k.scale(p.numel(), inv, p.grad(), 0);
        for (Parameter p : ps) {
            k.adamStep(p.numel(), p.value(), 0, p.grad(), 0, p.m(), 0, p.v(), 0, (float) lr, set.beta1(), set.beta2(), set.eps(), t + 1);
        }
        for (Parameter p : ps) {
            if (p.isSparse()) p.sparsify(s.keptCount(p.rule().budget(), p.numel(), t), set.minPerNeuron());
        }
        float factor = (float) (1.0 - (double) set.weightDecay() * lr);
        for (Parameter p : ps) {
            if (p.weightDecay()) k.scale(p.numel(), factor, p.value(), 0); // pruned entries are +0: scaling them changes nothing
        }
    }

    private static void assertBitsEqual(float[] want, float[] got, String at) {
        for (int i = 0; i < want.length; i++) {
            if (Float.floatToRawIntBits(want[i]) != Float.floatToRawIntBits(got[i])) {
                throw new AssertionError(at + " [" + i + "]: " + got[i] + ", unfused " + want[i]);
            }
        }
    }

    @Test
    void rmsNormalisationMakesTheGlobalGradientRmsOne() {
        qt().withExamples(100).forAll(integers().between(1, 200), integers().between(1, 50), integers().between(-3, 6),
                integers().between(0, 100_000)).checkAssert((n1, n2, exp, seed) -> {
            Random r = new Random(seed);
            Parameter a = Parameter.dense("a", n1);
            Parameter b = Parameter.sparse("b", SparsityRule.VOCAB_OR_BIAS, n2, 3);
            Parameter bigram = Parameter.dense("bigram_table", 4, 4).excludeFromWeightDecay();
            double scale = Math.pow(10, exp);
            gaussian(a.grad(), r, scale);
            gaussian(b.grad(), r, scale);
            gaussian(bigram.grad(), r, scale);
            float[] before = a.grad().clone();
            SparseAdam opt = new SparseAdam(List.of(a, b, bigram), Schedule.dense(10), 0.01, SparseAdam.Settings.defaults(), kernels);
            double rms = opt.step().gradRms(); // the step leaves every gradient normalised
            double ss = 0;
            double n = 0;
            for (Parameter p : List.of(a, b, bigram)) {
                for (float g : p.grad()) ss += (double) g * g;
                n += p.numel();
            }
            double after = Math.sqrt(ss / n);
            assertEquals(rms / (rms + 1e-5), after, 1e-6 * after, "rms after = rms / (rms + 1e-5)");
            if (rms >= 1) assertEquals(1.0, after, 2e-5, "global grad RMS is 1 (within the ε of 1e-5 and float rounding)");
            for (int i = 0; i < n1; i++) {
                assertEquals(before[i] / (rms + 1e-5), a.grad()[i], 1e-6 * Math.abs(before[i] / (rms + 1e-5)) + 1e-30);
            }
        });
    }

    @Test
    void nonFiniteGradientIsNamedAndNothingChanges() {
        Parameter a = Parameter.dense("a", 3);
        Parameter b = Parameter.dense("h.1.mlp.c_fc.weight", 2, 2);
        a.grad()[0] = 2f;
        b.grad()[3] = Float.NaN;
        SparseAdam opt = new SparseAdam(List.of(a, b), Schedule.dense(10), 0.01, SparseAdam.Settings.defaults(), kernels);
        IllegalStateException e = assertThrows(IllegalStateException.class, opt::step);
        assertTrue(e.getMessage().contains("h.1.mlp.c_fc.weight"), e.getMessage());
        assertEquals(2f, a.grad()[0]);
        assertEquals(0, opt.stepsTaken());
    }

    /** torch.optim.Adam + the surrounding steps, in double. */
    @Test
    void adamMatchesTorchFormulaInDoubleIncludingBiasCorrection() {
        Random r = new Random(11);
        Parameter a = Parameter.dense("a", 37);
        Parameter w = Parameter.dense("w", 5, 6); // ≥2-D: decayed
        gaussian(a.value(), r, 1);
        gaussian(w.value(), r, 1);
        List<Parameter> ps = List.of(a, w);
        double[][] p = {toDouble(a.value()), toDouble(w.value())};
        double[][] m = {new double[37], new double[30]};
        double[][] v = {new double[37], new double[30]};
        Schedule s = Schedule.dense(20);
        double lr = 0.05;
        SparseAdam opt = new SparseAdam(ps, s, lr, SparseAdam.Settings.defaults(), kernels);
        double b1 = 0.9, b2 = 0.95, eps = 0.1, wd = 0.1;
        for (int step = 0; step < 6; step++) {
            double[][] g = new double[2][];
            double ss = 0;
            for (int i = 0; i < 2; i++) {
                Parameter q = ps.get(i);
                gaussian(q.grad(), r, 0.3 + step);
                g[i] = toDouble(q.grad());
                for (double x : g[i]) ss += x * x;
            }
            double rms = Math.sqrt(ss / 67);
            double lrT = s.lr(lr, step);
            int t = step + 1;
            for (int i = 0; i < 2; i++) {
                for (int k = 0; k < p[i].length; k++) {
                    double gn = g[i][k] / (rms + 1e-5);
                    m[i][k] = b1 * m[i][k] + (1 - b1) * gn;
                    v[i][k] = b2 * v[i][k] + (1 - b2) * gn * gn;
                    double stepSize = lrT / (1 - Math.pow(b1, t));
                    double denom = Math.sqrt(v[i][k]) / Math.sqrt(1 - Math.pow(b2, t)) + eps;
                    p[i][k] -= stepSize * m[i][k] / denom;
                    if (i == 1) p[i][k] -= wd * lrT * p[i][k];
                }
            }
            SparseAdam.StepInfo info = opt.step();
            assertEquals(lrT, info.lr(), 1e-15);
            assertEquals(rms, info.gradRms(), 1e-6 * rms);
            for (int i = 0; i < 2; i++) {
                float[] got = ps.get(i).value();
                for (int k = 0; k < got.length; k++) {
                    assertEquals(p[i][k], got[k], 2e-6 * (1 + Math.abs(p[i][k])), ps.get(i).name() + "[" + k + "] after step " + t);
                    assertEquals(m[i][k], ps.get(i).m()[k], 1e-6 * (1 + Math.abs(m[i][k])));
                    assertEquals(v[i][k], ps.get(i).v()[k], 1e-6 * (1 + Math.abs(v[i][k])));
                }
            }
        }
        assertTrue(s.lr(lr, 0) == 0.0 && s.lr(lr, 1) > 0, "the run crossed the warmup");
    }

    private static double[] toDouble(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) d[i] = a[i];
        return d;
    }

    @Test
    void decaySkipsOneDimensionalParametersAndTheBigramTable() {
        Random r = new Random(5);
        Parameter bias = Parameter.sparse("c_fc.bias", SparsityRule.VOCAB_OR_BIAS, 8);
        Parameter gain = Parameter.dense("ln_f.weight", 8);
        Parameter bigram = Parameter.dense("bigram_table", 4, 4).excludeFromWeightDecay();
        Parameter weight = Parameter.dense("w", 4, 4);
        Parameter wte = Parameter.sparse("wte", SparsityRule.VOCAB_OR_BIAS, 6, 4);
        List<Parameter> ps = List.of(bias, gain, bigram, weight, wte);
        for (Parameter p : ps) gaussian(p.value(), r, 1);
        float[][] before = new float[ps.size()][];
        for (int i = 0; i < ps.size(); i++) before[i] = ps.get(i).value().clone();
        // zero gradients: Adam moves nothing (m = 0), so only decay can change values; no top-k (dense schedule)
        SparseAdam opt = new SparseAdam(ps, Schedule.dense(100), 0.5, SparseAdam.Settings.defaults(), kernels);
        opt.step(); // lr_t = 0 at step 0
        opt.step();
        double lrT = Schedule.dense(100).lr(0.5, 1);
        assertTrue(lrT > 0);
        float factor = (float) (1 - 0.1 * lrT);
        assertArrayEquals(before[0], bias.value(), "1-D bias not decayed");
        assertArrayEquals(before[1], gain.value(), "gain not decayed");
        assertArrayEquals(before[2], bigram.value(), "bigram table not decayed");
        for (int k = 0; k < 16; k++) assertEquals(before[3][k] * factor, weight.value()[k], 1e-7f, "weight decayed");
        for (int k = 0; k < 24; k++) assertEquals(before[4][k] * factor, wte.value()[k], 1e-7f, "embedding decayed");
        assertNotEquals(before[3][0], weight.value()[0]);
    }

    @Test
    void stepCounterCanBeRestored() {
        Parameter a = Parameter.dense("a", 4);
        SparseAdam opt = new SparseAdam(List.of(a), Schedule.dense(10), 0.01, SparseAdam.Settings.defaults(), kernels);
        opt.setStepsTaken(7);
        assertEquals(7, opt.stepsTaken());
        assertEquals(7, opt.step().step());
        assertEquals(8, opt.stepsTaken());
        assertThrows(IllegalArgumentException.class, () -> opt.setStepsTaken(-1));
    }

    @Test
    void impossibleBudgetIsReportedBeforeTraining() {
        // d 16, E 2 over base 8, pfrac 1/4 → c_fc [64 × 16] keeps 1024/16 = 64 < 4·64 rows
        List<Parameter> ps = List.of(Parameter.sparse("h.0.mlp.c_fc.weight", SparsityRule.MATRIX_ROWS, 64, 16));
        SparseAdam opt = new SparseAdam(ps, Schedule.standard(100, 0.25, 2), 0.01, SparseAdam.Settings.defaults(), kernels);
        BudgetException e = assertThrows(BudgetException.class, opt::checkBudgets);
        assertEquals("h.0.mlp.c_fc.weight: minimum-per-neuron rule cannot be met at the target budget: j·neurons = 4·64 = 256 > k = 64;"
                + " the largest j that works is 1, the smallest pfrac for j = 4 is 1", e.getMessage());
        assertEquals(BudgetException.Reason.MIN_PER_NEURON, e.reason());
        assertEquals("h.0.mlp.c_fc.weight", e.tensor());
        assertEquals(64, e.kept());
        assertEquals(64, e.neurons());
        // 4 per row of 64 rows is 256 of 1024 = 1/4 of the tensor, which pfrac/E² = 1/4 keeps at pfrac 1
        assertEquals(new SparseAdam.Budgets(0.25, 2, 4, 4, 1, 1.0), e.budgets());
        new SparseAdam(ps, Schedule.standard(100, 0.25, 2), 0.01, SparseAdam.Settings.defaults().withMinPerNeuron(1), kernels)
                .checkBudgets();
        new SparseAdam(ps, Schedule.standard(100, 1.0, 2), 0.01, SparseAdam.Settings.defaults(), kernels).checkBudgets();
        assertThrows(BudgetException.class, () -> new SparseAdam(ps, Schedule.standard(100, 0.99, 2), 0.01,
                SparseAdam.Settings.defaults(), kernels).checkBudgets(), "just below the smallest pfrac");
        assertThrows(IllegalArgumentException.class, () -> new SparseAdam(List.of(Parameter.dense("x", 1), Parameter.dense("x", 2)),
                Schedule.dense(1), 0.01, SparseAdam.Settings.defaults(), kernels), "duplicate names");
    }

    @Test
    void theSmallestPfracIsRoundedUpToThreeDigitsAndStillWorks() {
        // 30 rows × 7 inputs at E = 1: one per row needs 30 of 210 = 1/7 of the tensor; pfrac 0.142 keeps 29, 0.143 keeps 30
        List<Parameter> ps = List.of(Parameter.sparse("w", SparsityRule.MATRIX_ROWS, 30, 7));
        SparseAdam.Settings j1 = SparseAdam.Settings.defaults().withMinPerNeuron(1);
        SparseAdam.Budgets b = new SparseAdam(ps, Schedule.standard(10, 0.05, 1), 0.01, j1, kernels).budgets();
        assertEquals(0.143, b.minPfrac());
        assertEquals(0, b.maxMinPerNeuron(), "pfrac 0.05 keeps 10 of 210: fewer than one per row");
        new SparseAdam(ps, Schedule.standard(10, 0.143, 1), 0.01, j1, kernels).checkBudgets();
        assertThrows(BudgetException.class, () -> new SparseAdam(ps, Schedule.standard(10, 0.142, 1), 0.01, j1, kernels).checkBudgets());
        // j above the fan-in of 7: no pfrac meets it
        SparseAdam.Budgets none = new SparseAdam(ps, Schedule.standard(10, 0.5, 1), 0.01, SparseAdam.Settings.defaults()
                .withMinPerNeuron(8), kernels).budgets();
        assertTrue(Double.isNaN(none.minPfrac()), "no pfrac for j 8 > fan-in 7");
        assertEquals(3, none.maxMinPerNeuron(), "pfrac 1/2 keeps 105 of 210: 3 per row");
        BudgetException e = assertThrows(BudgetException.class, () -> new SparseAdam(ps, Schedule.standard(10, 0.5, 1), 0.01,
                SparseAdam.Settings.defaults().withMinPerNeuron(8), kernels).checkBudgets());
        assertTrue(e.getMessage().endsWith("the largest j that works is 3, and no pfrac meets j = 8"), e.getMessage());
    }

    @Test
    void aPfracAskingForMoreThanATensorHoldsIsRefused() {
        // E = 2: matrices keep pfrac/4 and vocab/bias tensors pfrac/2, so pfrac 2 is the most a model with both can ask
        List<Parameter> ps = model(8, 12);
        SparseAdam.Settings j1 = SparseAdam.Settings.defaults().withMinPerNeuron(1);
        new SparseAdam(ps, Schedule.standard(100, 2, 2), 0.01, j1, kernels).checkBudgets();
        for (double pfrac : new double[] {2.01, 3, 4, 7}) {
            BudgetException e = assertThrows(BudgetException.class,
                    () -> new SparseAdam(ps, Schedule.standard(100, pfrac, 2), 0.01, j1, kernels).checkBudgets());
            assertEquals(BudgetException.Reason.PFRAC_ABOVE_DENSE, e.reason());
            assertEquals("wte", e.tensor());
            assertEquals(2.0, e.budgets().maxPfrac());
            assertEquals("pfrac " + SparseAdam.decimal(pfrac) + " asks for more nonzeros than wte holds: pfrac must be ≤ 2 at expansion factor 2",
                    e.getMessage());
        }
        // matrices alone can go up to E² = 4 before they are dense
        List<Parameter> matrices = ps.stream().filter(p -> p.isSparse() && p.rule().hasMinimum()).toList();
        new SparseAdam(matrices, Schedule.standard(100, 4, 2), 0.01, j1, kernels).checkBudgets();
        BudgetException e = assertThrows(BudgetException.class,
                () -> new SparseAdam(matrices, Schedule.standard(100, 4.5, 2), 0.01, j1, kernels).checkBudgets());
        assertEquals(4.0, e.budgets().maxPfrac());
    }

    @Test
    void forcedShareIsTheRulesPartOfEachTargetBudget() {
        // E = 2: c_fc [64 × 16] keeps pfrac/4 of 1024; j = 4 forces 4 per row = 256, all of it at pfrac 1
        List<Parameter> ps = List.of(Parameter.sparse("c_fc.weight", SparsityRule.MATRIX_ROWS, 64, 16),
                Parameter.sparse("c_fc.bias", SparsityRule.VOCAB_OR_BIAS, 64),
                Parameter.sparse("c_proj.weight", SparsityRule.MATRIX_COLUMNS, 16, 64),
                Parameter.dense("ln.weight", 16));
        SparseAdam.ForcedShare whole = new SparseAdam(ps, Schedule.standard(100, 1, 2), 0.01,
                SparseAdam.Settings.defaults(), kernels).forcedShare();
        assertEquals(List.of("c_fc.weight", "c_proj.weight"), List.copyOf(whole.perTensor().keySet()), "tensors with the rule, in order");
        assertEquals(1.0, whole.perTensor().get("c_fc.weight"));
        assertEquals(1.0, whole.perTensor().get("c_proj.weight"), "4 per column of 64 columns");
        assertEquals(1.0, whole.overall());
        // twice the budget: the rule forces half of it
        SparseAdam.ForcedShare half = new SparseAdam(ps, Schedule.standard(100, 2, 2), 0.01,
                SparseAdam.Settings.defaults(), kernels).forcedShare();
        assertEquals(0.5, half.perTensor().get("c_fc.weight"));
        assertEquals(0.5, half.overall());
        // a budget below j·neurons is all forced (checkBudgets refuses it; the share stops at 1)
        assertEquals(1.0, new SparseAdam(ps, Schedule.standard(100, 0.25, 2), 0.01, SparseAdam.Settings.defaults(), kernels)
                .forcedShare().overall());
        SparseAdam.ForcedShare none = new SparseAdam(ps, Schedule.standard(100, 1, 2), 0.01,
                SparseAdam.Settings.defaults().withMinPerNeuron(0), kernels).forcedShare();
        assertEquals(0.0, none.overall());
        assertEquals(0.0, none.perTensor().get("c_proj.weight"));
        // j = 1 at pfrac 1: c_fc keeps 256 of which 64 forced, c_proj too, so a quarter overall
        assertEquals(0.25, new SparseAdam(ps, Schedule.standard(100, 1, 2), 0.01,
                SparseAdam.Settings.defaults().withMinPerNeuron(1), kernels).forcedShare().overall());
    }
}
