package sparsecircuits.kernels;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.quicktheories.generators.SourceDSL.integers;
import static sparsecircuits.kernels.Fixtures.EPS;
import static sparsecircuits.kernels.Fixtures.assertClose;
import static sparsecircuits.kernels.Fixtures.assertGuards;
import static sparsecircuits.kernels.Fixtures.assertUnchanged;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The pruner's fused node gate (nodeGateForward / nodeGateBackward) against double oracles, with gates as mask
 * training makes them (exactly 0 or 1) and as a surrogate would (in between), activations as AbsTopK leaves them.
 */
class NodeGateTest {

    /** Gates: kind 0 all exactly 0/1, 1 all zero, 2 all one, 3 anywhere in [0, 1]. */
    static float[] gates(SplittableRandom r, int c, int kind) {
        float[] g = new float[c];
        for (int j = 0; j < c; j++) {
            g[j] = switch (kind) {
                case 0 -> r.nextBoolean() ? 1f : 0f;
                case 1 -> 0f;
                case 2 -> 1f;
                default -> (float) r.nextDouble();
            };
        }
        return g;
    }

    static void check(Kernels ks, int rows, int c, int gateKind, boolean overwrite, boolean withDx, boolean withDg, long salt) {
        String ctx = ks.name() + " nodeGate rows=" + rows + " c=" + c + " gates=" + gateKind + " overwrite=" + overwrite
                + " dx=" + withDx + " dg=" + withDg + " seed=" + Fixtures.seed() + "/" + salt;
        SplittableRandom r = Fixtures.rnd(salt);
        int n = rows * c, off = (int) (salt % 3);
        float[] xs = SparseLinearTest.activations(r, rows, c, 0.3), gs = gates(r, c, gateKind);
        float[] bs = Fixtures.randomFloats(r, c, -1, 1), dys = Fixtures.randomFloats(r, n, -2, 2);
        float[] dx0 = Fixtures.randomFloats(r, n, -1, 1), dg0 = Fixtures.randomFloats(r, c, -1, 1);
        float[] x = Fixtures.guardedInput(xs, off, 2), g = Fixtures.guardedInput(gs, off + 1, 3);
        float[] base = Fixtures.guardedInput(bs, off, 2), dy = Fixtures.guardedInput(dys, off + 2, 1);
        float[] y = Fixtures.guardedOutput(Fixtures.nanFilled(n), off, 2);
        float[] dx = withDx ? Fixtures.guardedOutput(overwrite ? Fixtures.nanFilled(n) : dx0, off + 1, 2) : null;
        float[] dg = withDg ? Fixtures.guardedOutput(dg0, off, 3) : null;
        float[] xCopy = x.clone(), gCopy = g.clone(), bCopy = base.clone(), dyCopy = dy.clone();

        ks.nodeGateForward(rows, c, x, off, g, off + 1, base, off, y, off);
        assertGuards(y, off, n, ctx + " y");
        for (int i = 0; i < n; i++) {
            int j = i % c;
            double ref = (double) gs[j] * xs[i] + (1 - (double) gs[j]) * bs[j];
            assertClose(ref, y[off + i], 4 * EPS * (Math.abs(gs[j] * xs[i]) + Math.abs(bs[j])) + 1e-38, ctx + " y[" + i + "]");
        }
        ks.nodeGateBackward(rows, c, x, off, g, off + 1, base, off, dy, off + 2, dx, off + 1, overwrite, dg, off);
        assertUnchanged(xCopy, x, "x", ctx);
        assertUnchanged(gCopy, g, "g", ctx);
        assertUnchanged(bCopy, base, "base", ctx);
        assertUnchanged(dyCopy, dy, "dy", ctx);
        if (withDx) {
            assertGuards(dx, off + 1, n, ctx + " dx");
            for (int i = 0; i < n; i++) {
                double ref = (overwrite ? 0 : dx0[i]) + (double) gs[i % c] * dys[i];
                assertClose(ref, dx[off + 1 + i], 2 * EPS * (Math.abs(ref) + Math.abs(dx0[i])) + 1e-38, ctx + " dx[" + i + "]");
            }
        }
        if (withDg) {
            assertGuards(dg, off, c, ctx + " dg");
            for (int j = 0; j < c; j++) {
                double s = dg0[j], abs = Math.abs(dg0[j]);
                for (int q = 0; q < rows; q++) {
                    double p = dys[q * c + j] * ((double) xs[q * c + j] - bs[j]);
                    s += p;
                    abs += Math.abs(p) + Math.abs(dys[q * c + j] * bs[j]);
                }
                assertClose(s, dg[off + j], (rows + 3) * EPS * abs + 1e-38, ctx + " dg[" + j + "]");
            }
        }
    }

    @Test
    void grid() {
        Kernels ks = Fixtures.kernels();
        long salt = 0;
        for (int c : new int[] {1, 3, 8, 15, 16, 17, 33, 64, 129, 512}) {
            for (int rows : new int[] {0, 1, 2, 7, 40}) {
                for (int kind = 0; kind < 4; kind++) {
                    check(ks, rows, c, kind, salt % 2 == 0, true, true, salt++);
                }
            }
        }
    }

    @Test
    void eitherGradientAlone() {
        Kernels ks = Fixtures.kernels();
        for (int c : new int[] {5, 16, 100}) {
            check(ks, 9, c, 3, false, true, false, 900 + c);
            check(ks, 9, c, 3, true, true, false, 901 + c);
            check(ks, 9, c, 0, false, false, true, 902 + c);
        }
    }

    @Test
    void property() {
        Kernels ks = Fixtures.kernels();
        Fixtures.qt(150).forAll(integers().between(0, 70), integers().between(1, 300), integers().between(0, 1 << 20))
                .checkAssert((rows, c, salt) -> check(ks, rows, c, salt % 4, salt % 3 == 0, salt % 5 != 1, salt % 7 != 2, salt));
    }

    @Test
    void badInputIsRefusedWithItsName() {
        Kernels ks = Fixtures.kernels();
        float[] x = new float[12], g = new float[4], b = new float[4], y = new float[12];
        assertThrows(IllegalArgumentException.class, () -> ks.nodeGateForward(3, 4, x, 1, g, 0, b, 0, y, 0));
        assertThrows(IllegalArgumentException.class, () -> ks.nodeGateForward(3, 4, x, 0, new float[3], 0, b, 0, y, 0));
        assertThrows(IllegalArgumentException.class, () -> ks.nodeGateBackward(3, 4, x, 0, g, 0, b, 0, y, 0, new float[11], 0, true, g, 0));
        assertThrows(IllegalArgumentException.class, () -> ks.nodeGateBackward(3, 4, x, 0, g, 0, b, 1, y, 0, null, 0, true, g, 0));
    }
}
