package sparsecircuits.kernels;

import static org.junit.jupiter.api.Assertions.fail;
import static org.quicktheories.generators.SourceDSL.integers;
import static sparsecircuits.kernels.Fixtures.assertClose;
import static sparsecircuits.kernels.Fixtures.assertGuards;
import static sparsecircuits.kernels.Fixtures.assertUnchanged;
import static sparsecircuits.kernels.Fixtures.dotTol;

import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.quicktheories.generators.Generate;

/** The three dense GEMM forms against a double oracle, over a size grid that straddles every vector width. */
class GemmTest {

    /** The three layouts; idxA/idxB give the flat index of A(i, p) and B(p, j). */
    enum Form {
        AB_T {
            int idxA(int i, int p, int m, int k) { return i * k + p; }
            int idxB(int p, int j, int n, int k) { return j * k + p; }
            void run(Kernels ks, int m, int n, int k, float[] a, int ao, float[] b, int bo, float[] c, int co, boolean acc) {
                ks.gemmABt(m, n, k, a, ao, b, bo, c, co, acc);
            }
        },
        AB {
            int idxA(int i, int p, int m, int k) { return i * k + p; }
            int idxB(int p, int j, int n, int k) { return p * n + j; }
            void run(Kernels ks, int m, int n, int k, float[] a, int ao, float[] b, int bo, float[] c, int co, boolean acc) {
                ks.gemmAB(m, n, k, a, ao, b, bo, c, co, acc);
            }
        },
        AT_B {
            int idxA(int i, int p, int m, int k) { return p * m + i; }
            int idxB(int p, int j, int n, int k) { return p * n + j; }
            void run(Kernels ks, int m, int n, int k, float[] a, int ao, float[] b, int bo, float[] c, int co, boolean acc) {
                ks.gemmAtB(m, n, k, a, ao, b, bo, c, co, acc);
            }
        };

        abstract int idxA(int i, int p, int m, int k);

        abstract int idxB(int p, int j, int n, int k);

        abstract void run(Kernels ks, int m, int n, int k, float[] a, int ao, float[] b, int bo, float[] c, int co, boolean acc);
    }

    /** One case: shape, offsets, accumulate flag, and whether data are small integers (exact arithmetic). */
    record Case(Form form, int m, int n, int k, int aOff, int bOff, int cOff, boolean accumulate, boolean integers, long salt) {
        @Override
        public String toString() {
            return form + " m=" + m + " n=" + n + " k=" + k + " aOff=" + aOff + " bOff=" + bOff + " cOff=" + cOff
                    + " accumulate=" + accumulate + (integers ? " integer-data" : "") + " seed=" + Fixtures.seed() + "/" + salt;
        }
    }

    static void check(Kernels ks, Case cs) {
        int m = cs.m, n = cs.n, k = cs.k;
        SplittableRandom r = Fixtures.rnd(cs.salt);
        float[] aData = new float[m * k], bData = new float[k * n], cInit = new float[m * n];
        for (int i = 0; i < aData.length; i++) aData[i] = cs.integers ? r.nextInt(-3, 4) : Fixtures.uniform(r, -1, 1);
        for (int i = 0; i < bData.length; i++) bData[i] = cs.integers ? r.nextInt(-3, 4) : Fixtures.uniform(r, -1, 1);
        for (int i = 0; i < cInit.length; i++) {
            // Without accumulate the old contents must be ignored entirely: NaN would poison a read.
            cInit[i] = !cs.accumulate ? Float.NaN : cs.integers ? r.nextInt(-50, 51) : Fixtures.uniform(r, -2, 2);
        }
        float[] a = Fixtures.guardedInput(aData, cs.aOff, 3);
        float[] b = Fixtures.guardedInput(bData, cs.bOff, 2);
        float[] c = Fixtures.guardedOutput(cInit, cs.cOff, 4);
        float[] a0 = a.clone(), b0 = b.clone();
        cs.form.run(ks, m, n, k, a, cs.aOff, b, cs.bOff, c, cs.cOff, cs.accumulate);
        String ctx = ks.name() + " " + cs;
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0, sAbs = 0;
                for (int p = 0; p < k; p++) {
                    double t = (double) aData[cs.form.idxA(i, p, m, k)] * bData[cs.form.idxB(p, j, n, k)];
                    s += t;
                    sAbs += Math.abs(t);
                }
                double init = cs.accumulate ? cInit[i * n + j] : 0;
                double tol = cs.integers ? 0 : dotTol(k, sAbs, init);
                assertClose(init + s, c[cs.cOff + i * n + j], tol, ctx + " at C(" + i + "," + j + ")");
            }
        }
        assertGuards(c, cs.cOff, m * n, ctx);
        assertUnchanged(a0, a, "a", ctx);
        assertUnchanged(b0, b, "b", ctx);
    }

    static Stream<Arguments> formsAndFlags() {
        Stream.Builder<Arguments> s = Stream.builder();
        for (Form f : Form.values()) {
            for (boolean acc : new boolean[] {false, true}) {
                s.add(Arguments.of(f, acc));
            }
        }
        return s.build();
    }

    /** Every (m, n, k) from the size list, independently: 0, 1, L−1, L, L+1, 2L+3 for L ∈ {4, 8, 16}, and 37. */
    @ParameterizedTest(name = "{0} accumulate={1}")
    @MethodSource("formsAndFlags")
    void sizeGrid(Form form, boolean accumulate) {
        Kernels ks = Fixtures.kernels();
        long salt = form.ordinal() * 1_000_000L + (accumulate ? 500_000 : 0);
        for (int m : Fixtures.SIZES) {
            for (int n : Fixtures.SIZES) {
                for (int k : Fixtures.SIZES) {
                    int aOff = (7 * m + k) % 5, bOff = (3 * n + k) % 4, cOff = (m + 2 * n) % 6;
                    salt++;
                    check(ks, new Case(form, m, n, k, aOff, bOff, cOff, accumulate, false, salt));
                    check(ks, new Case(form, m, n, k, aOff, bOff, cOff, accumulate, true, salt));
                }
            }
        }
    }

    @ParameterizedTest(name = "{0} accumulate={1}")
    @MethodSource("formsAndFlags")
    void largeOddShape(Form form, boolean accumulate) {
        Kernels ks = Fixtures.kernels();
        check(ks, new Case(form, 67, 131, 1021, 3, 5, 7, accumulate, false, 77 + form.ordinal()));
        check(ks, new Case(form, 131, 67, 1021, 1, 0, 2, accumulate, true, 99 + form.ordinal()));
    }

    @Test
    void kZeroGivesZerosOrLeavesCUnchanged() {
        Kernels ks = Fixtures.kernels();
        for (Form f : Form.values()) {
            float[] c = {OUT(), 5f, -6f, 7f, OUT()};
            f.run(ks, 1, 3, 0, new float[0], 0, new float[0], 0, c, 1, true);
            Fixtures.assertBitsEqual(new float[] {OUT(), 5f, -6f, 7f, OUT()}, c, f + " k=0 accumulate");
            f.run(ks, 1, 3, 0, new float[0], 0, new float[0], 0, c, 1, false);
            Fixtures.assertBitsEqual(new float[] {OUT(), 0f, 0f, 0f, OUT()}, c, f + " k=0 overwrite");
        }
    }

    private static float OUT() {
        return Fixtures.OUT_GUARD;
    }

    @Test
    void randomShapesProperty() {
        Kernels ks = Fixtures.kernels();
        Fixtures.qt(150)
                .forAll(integers().between(0, 70), integers().between(0, 70), integers().between(0, 90),
                        Generate.pick(java.util.List.of(Form.values())))
                .checkAssert((m, n, k, form) -> {
                    long salt = ((m * 101L + n) * 103 + k) * 7 + form.ordinal();
                    SplittableRandom r = Fixtures.rnd(salt);
                    check(ks, new Case(form, m, n, k, r.nextInt(10), r.nextInt(10), r.nextInt(10), r.nextBoolean(), false, salt));
                });
    }

    @Test
    void accumulateIsCPlusProduct() {
        // Two calls: overwrite then accumulate the same product must give 2·AB (exact with integer data).
        Kernels ks = Fixtures.kernels();
        for (Form f : Form.values()) {
            int m = 9, n = 17, k = 23;
            SplittableRandom r = Fixtures.rnd(4242 + f.ordinal());
            float[] a = new float[m * k], b = new float[k * n], c = new float[m * n], once = new float[m * n];
            for (int i = 0; i < a.length; i++) a[i] = r.nextInt(-4, 5);
            for (int i = 0; i < b.length; i++) b[i] = r.nextInt(-4, 5);
            f.run(ks, m, n, k, a, 0, b, 0, once, 0, false);
            f.run(ks, m, n, k, a, 0, b, 0, c, 0, false);
            f.run(ks, m, n, k, a, 0, b, 0, c, 0, true);
            for (int i = 0; i < c.length; i++) {
                if (c[i] != 2 * once[i]) fail(f + ": accumulate did not add: C[" + i + "] = " + c[i] + ", AB = " + once[i]);
            }
        }
    }
}
