package sparsecircuits.autograd.optim;

import org.junit.jupiter.api.Test;
import sparsecircuits.autograd.optim.Schedule.EmbeddingSchedule;
import sparsecircuits.autograd.param.Parameter.BudgetClass;

import java.math.BigInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;

class ScheduleTest {

    /** Exact non-negative-denominator rational for the reference computation. */
    private record Q(BigInteger n, BigInteger d) {
        static Q of(long n, long d) {
            return new Q(BigInteger.valueOf(n), BigInteger.valueOf(d)).norm();
        }

        Q norm() {
            BigInteger g = n.gcd(d);
            if (g.signum() == 0) return new Q(BigInteger.ZERO, BigInteger.ONE);
            Q q = new Q(n.divide(g), d.divide(g));
            return q.d.signum() < 0 ? new Q(q.n.negate(), q.d.negate()) : q;
        }

        Q add(Q o) { return new Q(n.multiply(o.d).add(o.n.multiply(d)), d.multiply(o.d)).norm(); }
        Q sub(Q o) { return add(new Q(o.n.negate(), o.d)); }
        Q mul(Q o) { return new Q(n.multiply(o.n), d.multiply(o.d)).norm(); }
        Q div(Q o) { return new Q(n.multiply(o.d), d.multiply(o.n)).norm(); }
        int cmp(Q o) { return n.multiply(o.d).compareTo(o.n.multiply(d)); }
        Q min(Q o) { return cmp(o) <= 0 ? this : o; }
        Q max(Q o) { return cmp(o) >= 0 ? this : o; }
        BigInteger floor() { return n.signum() >= 0 ? n.divide(d) : n.subtract(d).add(BigInteger.ONE).divide(d); }
        double dbl() { return n.doubleValue() / d.doubleValue(); }
    }

    private static final long[] E = {1, 2, 3, 4, 8};
    private static final long[][] PFRAC = {{1, 8}, {1, 4}, {1, 2}, {1, 1}, {2, 1}, {1, 16}, {1, 3}, {3, 64}};

    /** The exact kept count of SPEC §2.1/§2.2 at step t (T a multiple of 100; anneal 1% → 50%). */
    private static Q exactKeptReal(BudgetClass budget, long e, long[] pf, long T, long t, int numel, boolean smooth) {
        Q e2 = Q.of(e * e, 1);
        Q target = Q.of(pf[0], pf[1]);
        long s = T / 100, stop = T / 2;
        Q u = t <= s ? Q.of(0, 1) : t >= stop ? Q.of(1, 1) : Q.of(t - s, stop - s);
        Q pt = e2.add(target.sub(e2).mul(u));
        Q frac;
        if (budget == BudgetClass.MATRIX) {
            frac = pt.div(e2);
        } else if (!smooth) {
            frac = pt.div(Q.of(e, 1));
        } else {
            Q adj = e2.cmp(target) == 0 ? target
                    : target.add(Q.of(e, 1).sub(target).mul(pt.sub(target)).div(e2.sub(target)));
            frac = adj.div(Q.of(e, 1));
        }
        frac = frac.max(Q.of(0, 1)).min(Q.of(1, 1));
        return frac.mul(Q.of(numel, 1));
    }

    @Test
    void keptCountsAreExactAtEveryStepAndNeverIncrease() {
        qt().withExamples(250).forAll(integers().between(0, E.length - 1), integers().between(0, PFRAC.length - 1),
                integers().between(1, 12), integers().between(1, 5000)).checkAssert((ei, pi, hundreds, numel) -> {
            long e = E[ei];
            long[] pf = PFRAC[pi];
            long T = 100L * hundreds;
            boolean smooth = (numel & 1) == 0;
            Schedule s = new Schedule(T, (double) pf[0] / pf[1], e, 0.01, 0.01, 0.5,
                    smooth ? EmbeddingSchedule.SMOOTH : EmbeddingSchedule.PAPER_STEP);
            for (BudgetClass b : BudgetClass.values()) {
                int prev = Integer.MAX_VALUE;
                for (long t = 0; t <= T; t++) {
                    int kept = s.keptCount(b, numel, t);
                    assertTrue(kept >= 1 && kept <= numel, "kept " + kept + " outside [1, " + numel + "]");
                    assertTrue(kept <= prev, b + " kept count rose at step " + t + ": " + prev + " -> " + kept);
                    prev = kept;
                    Q real = exactKeptReal(b, e, pf, T, t, numel, smooth);
                    long expected = Math.max(1, Math.min(numel, real.floor().longValueExact()));
                    boolean nearInteger = real.floor().add(BigInteger.ONE).longValue() - real.dbl() < 1e-9 * (1 + real.dbl());
                    if (nearInteger) {
                        assertTrue(kept == expected || kept == Math.min(numel, expected + 1),
                                b + " step " + t + ": kept " + kept + " vs exact " + real.dbl());
                    } else {
                        assertEquals(expected, kept, b + " step " + t + " of " + T + " (E " + e + ", pfrac " + pf[0] + "/" + pf[1]
                                + ", numel " + numel + ")");
                    }
                    if (t <= T / 100) assertEquals(numel, kept, "dense until the anneal starts");
                }
            }
        });
    }

    @Test
    void everyMatrixKeepsPfracTimesItsBaseSizeAfterTheAnneal() {
        // "every matrix keeps pfrac × (size of that matrix in the base model)"; vocab tensors pfrac/E of theirs
        qt().withExamples(300).forAll(integers().between(1, 4), integers().between(1, 40), integers().between(1, 40),
                integers().between(0, 5)).checkAssert((e, bOut, bIn, p) -> {
            int pfDen = 1 << p; // pfrac = 1/1 .. 1/32
            Schedule s = Schedule.standard(600, 1.0 / pfDen, e);
            int numel = e * bOut * e * bIn;
            for (long t : new long[] {300, 301, 450, 600}) {
                if (bOut * bIn % pfDen == 0) {
                    assertEquals(bOut * bIn / pfDen, s.keptCount(BudgetClass.MATRIX, numel, t));
                }
                int vocabNumel = bOut * (e * bIn); // [V, d_model]
                if (bOut * bIn % pfDen == 0) {
                    assertEquals(bOut * bIn / pfDen, s.keptCount(BudgetClass.VOCAB_OR_BIAS, vocabNumel, t));
                }
            }
            assertEquals(numel, s.keptCount(BudgetClass.MATRIX, numel, 0));
            assertEquals(numel, s.keptCount(BudgetClass.MATRIX, numel, 6));
        });
        // SPEC §2.1 example: E=4, pfrac 1/4 → matrices 1/64, embeddings and biases 1/16
        Schedule s = Schedule.standard(1000, 0.25, 4);
        assertEquals(1.0 / 64, s.keptFraction(BudgetClass.MATRIX, 500));
        assertEquals(1.0 / 16, s.keptFraction(BudgetClass.VOCAB_OR_BIAS, 500));
        assertEquals(1, Schedule.keptCount(1e-9, 100), "at least one entry is kept");
    }

    @Test
    void smoothEmbeddingScheduleAnnealsOverTheWholeWindowUnlikeThePaperStep() {
        Schedule smooth = Schedule.standard(1000, 0.25, 4);
        Schedule step = new Schedule(1000, 0.25, 4, 0.01, 0.01, 0.5, EmbeddingSchedule.PAPER_STEP);
        // a quarter into the window the matrices are at pfrac_t ≈ 12.06; the paper step is still dense
        long t = 10 + 490 / 4;
        assertEquals(1.0, step.keptFraction(BudgetClass.VOCAB_OR_BIAS, t));
        double f = smooth.keptFraction(BudgetClass.VOCAB_OR_BIAS, t);
        assertTrue(f < 0.8 && f > 0.7, "smooth fraction " + f);
        // both start dense and end at pfrac/E
        assertEquals(1.0, smooth.keptFraction(BudgetClass.VOCAB_OR_BIAS, 10));
        assertEquals(0.0625, smooth.keptFraction(BudgetClass.VOCAB_OR_BIAS, 500));
        assertEquals(0.0625, step.keptFraction(BudgetClass.VOCAB_OR_BIAS, 500));
    }

    @Test
    void warmupAndDecayEndpoints() {
        Schedule s = Schedule.standard(600, 0.25, 2);
        assertEquals(0.0, s.lrFactor(0));
        assertEquals(0.5, s.lrFactor(3), 1e-12);
        assertEquals(1.0, s.lrFactor(6), 1e-12);
        assertEquals(0.5, s.lrFactor(303), 1e-12);
        assertEquals(0.0, s.lrFactor(600), 1e-12);
        for (long t = 1; t <= 6; t++) assertTrue(s.lrFactor(t) > s.lrFactor(t - 1), "warmup rises");
        for (long t = 7; t <= 600; t++) assertTrue(s.lrFactor(t) < s.lrFactor(t - 1), "decay falls");
        Schedule noWarmup = new Schedule(100, 1, 1, 0, 0.01, 0.5, EmbeddingSchedule.SMOOTH);
        assertEquals(1.0, noWarmup.lrFactor(0));
        assertEquals(0.25, noWarmup.lrFactor(75), 1e-12);
    }

    @Test
    void sharkfinAndAnneal() {
        qt().withExamples(200).forAll(integers().between(1, 8), integers().between(0, 6), integers().between(1, 30))
                .checkAssert((e, p, hundreds) -> {
                    double pfrac = 1.0 / (1 << p);
                    long T = 100L * hundreds;
                    Schedule s = Schedule.standard(T, pfrac, e);
                    assertEquals(Math.sqrt(pfrac / ((double) e * e)), s.sharkfin(0), 1e-15);
                    assertEquals((double) e * e, s.pfracAt(0));
                    assertEquals((double) e * e, s.pfracAt(T / 100));
                    double prev = Double.POSITIVE_INFINITY;
                    for (long t = 0; t <= T; t++) {
                        double pt = s.pfracAt(t);
                        assertTrue(pt <= prev, "pfrac_t rose at " + t);
                        prev = pt;
                        if (t >= T / 2) {
                            assertEquals(pfrac, pt, "pfrac_t is the target from the stop on");
                            assertEquals(1.0, s.sharkfin(t), "sharkfin is 1 from the stop on");
                        }
                        assertEquals(0.1 * s.lrFactor(t) * Math.sqrt(pfrac / pt), s.lr(0.1, t), 1e-15);
                    }
                    // halfway through the window pfrac_t is the midpoint
                    long mid = T / 100 + (T / 2 - T / 100) / 2;
                    if ((T / 2 - T / 100) % 2 == 0) {
                        assertEquals(((double) e * e + pfrac) / 2, s.pfracAt(mid), 1e-9);
                    }
                });
        // the "sharkfin": E=4, pfrac 1/4 → multiplier 1/8 at the start; lr_t peaks ≈ 0.5·lr near 50%
        Schedule s = Schedule.standard(1000, 0.25, 4);
        assertEquals(0.125, s.sharkfin(0), 1e-15);
        double peak = 0;
        long argmax = -1;
        for (long t = 0; t <= 1000; t++) {
            if (s.lr(1, t) > peak) {
                peak = s.lr(1, t);
                argmax = t;
            }
        }
        assertEquals(500, argmax);
        assertEquals(1 - 490.0 / 990, peak, 1e-12);
    }

    @Test
    void pfracForInvertsTheKeptFractionAfterTheAnneal() {
        for (EmbeddingSchedule emb : EmbeddingSchedule.values()) {
            for (int e = 1; e <= 8; e++) {
                Schedule s = new Schedule(100, 0.25, e, 0.01, 0.01, 0.5, emb);
                assertEquals(e * e, s.pfracFor(BudgetClass.MATRIX, 1), "a matrix is dense at pfrac E²");
                assertEquals(e, s.pfracFor(BudgetClass.VOCAB_OR_BIAS, 1), "a vocab/bias tensor is dense at pfrac E");
                for (double f : new double[] {1.0 / 64, 0.125, 0.5, 1}) {
                    for (BudgetClass c : BudgetClass.values()) {
                        Schedule w = s.withPfrac(s.pfracFor(c, f));
                        assertEquals(f, w.keptFraction(c, 100), 1e-15, c + " E " + e + " " + emb);
                        assertEquals(f, w.keptFraction(c, 50), 1e-15, "from the anneal stop on");
                        assertEquals(s.lrFactor(10), w.lrFactor(10), "same warmup/decay");
                    }
                }
            }
        }
    }

    @Test
    void badConfigurationsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> Schedule.standard(0, 0.25, 2));
        assertThrows(IllegalArgumentException.class, () -> Schedule.standard(10, 0, 2));
        assertThrows(IllegalArgumentException.class, () -> Schedule.standard(10, 0.25, 0));
        assertThrows(IllegalArgumentException.class, () -> new Schedule(10, 0.25, 2, 0.01, 0.5, 0.5, EmbeddingSchedule.SMOOTH));
        assertThrows(IllegalArgumentException.class, () -> new Schedule(10, 0.25, 2, 1.0, 0.01, 0.5, EmbeddingSchedule.SMOOTH));
        assertThrows(IllegalArgumentException.class, () -> Schedule.keptCount(0.5, 0));
    }
}
