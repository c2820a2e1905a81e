package sparsecircuits.autograd.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.BiFunction;
import java.util.function.Function;
import sparsecircuits.kernels.KernelProvider;

/**
 * The finite-difference check of an op's rules: its forward against a double reference, its backward against
 * central differences of that reference in double, on small random shapes drawn from QuickTheories seeds. The loss
 * differentiated is Σ w ⊙ op(x) with random w, so every output element's gradient path is checked.
 *
 * <p>One copy for every module: {@code OpsGradientTest} checks autograd's ops with it, pruning's tests the ops pruning
 * records itself (the node gate, Heaviside, the choice loss), through autograd's test jar.
 */
public final class GradientCheck {
    public static final long SEED = Long.getLong("sparsecircuits.test.seed", 20261124L);
    public static final int EXAMPLES = 25;

    private GradientCheck() {
    }

    /**
     * One op under test: float inputs → the op on the tape (with the Ops that records it); the same in double. The op
     * may replace {@code inputs[i]} by the tensor whose gradient stands for input i (a parameter's own tensor holding
     * the same values, say): the check reads the gradient of whatever is there when the op returns.
     */
    public record Case(String name, float[][] inputs, int[][] shapes, BiFunction<Ops, Tensor[], Tensor> op,
                       Function<double[][], double[]> ref, boolean[] differentiable) {
    }

    public static float[] rand(SplittableRandom r, int n, double lo, double hi) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (lo + (hi - lo) * r.nextDouble());
        return a;
    }

    /** {@link #check} on {@value #EXAMPLES} cases made from seeds QuickTheories draws (pinned by {@link #SEED}). */
    public static void property(BiFunction<SplittableRandom, Long, Case> make, double fwdTol, double gradTol) {
        qt().withFixedSeed(SEED).withExamples(EXAMPLES).forAll(longs().all()).checkAssert(s -> {
            SplittableRandom r = new SplittableRandom(s);
            check(make.apply(r, s), r, fwdTol, gradTol);
        });
    }

    /** Runs the forward and backward checks of one case. */
    public static void check(Case c, SplittableRandom r, double fwdTol, double gradTol) {
        Tape tape = new Tape();
        Ops ops = new Ops(KernelProvider.get(), tape);
        Tensor[] in = new Tensor[c.inputs.length];
        for (int i = 0; i < in.length; i++) {
            in[i] = c.differentiable[i] ? Tensor.variable(c.inputs[i].clone(), c.shapes[i]) : Tensor.constant(c.inputs[i].clone(), c.shapes[i]);
        }
        Tensor y = c.op.apply(ops, in);
        double[][] xs = new double[c.inputs.length][];
        for (int i = 0; i < xs.length; i++) xs[i] = toDouble(c.inputs[i]);
        double[] ref = c.ref.apply(xs);
        assertEquals(ref.length, y.numel(), c.name + ": output size");
        for (int i = 0; i < ref.length; i++) {
            if (Math.abs(ref[i] - y.data()[i]) > fwdTol * (1 + Math.abs(ref[i]))) {
                fail(c.name + ": forward[" + i + "] = " + y.data()[i] + ", double reference " + ref[i] + " (seed " + SEED + ")");
            }
        }
        float[] w = rand(r, ref.length, -1, 1);
        tape.backward(y, w);
        for (int i = 0; i < in.length; i++) {
            if (!c.differentiable[i]) continue;
            double[] fd = finiteDifferences(c.ref, xs, i, w);
            float[] g = in[i].hasGrad() ? in[i].grad() : new float[fd.length];
            double scale = 1;
            for (double v : fd) scale = Math.max(scale, Math.abs(v));
            for (int j = 0; j < fd.length; j++) {
                if (Math.abs(fd[j] - g[j]) > gradTol * scale) {
                    fail(c.name + ": ∂input" + i + "[" + j + "] = " + g[j] + ", finite differences " + fd[j]
                            + " (shape " + Arrays.toString(c.shapes[i]) + ", seed " + SEED + ")");
                }
            }
        }
    }

    /** ∂(Σ w·f(x))/∂x_input by central differences in double. */
    private static double[] finiteDifferences(Function<double[][], double[]> f, double[][] xs, int input, float[] w) {
        double[] x = xs[input];
        double[] g = new double[x.length];
        for (int j = 0; j < x.length; j++) {
            double save = x[j];
            double h = 1e-6 * Math.max(1, Math.abs(save));
            x[j] = save + h;
            double up = dot(f.apply(xs), w);
            x[j] = save - h;
            double down = dot(f.apply(xs), w);
            x[j] = save;
            g[j] = (up - down) / (2 * h);
        }
        return g;
    }

    private static double dot(double[] a, float[] w) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * w[i];
        return s;
    }

    private static double[] toDouble(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) d[i] = a[i];
        return d;
    }
}
