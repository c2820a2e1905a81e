package sparsecircuits.pruning.prune;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import sparsecircuits.autograd.graph.Ops;
import sparsecircuits.autograd.graph.Tape;
import sparsecircuits.autograd.graph.Tensor;
import sparsecircuits.kernels.Kernels;
import sparsecircuits.model.gpt.Gpt;
import sparsecircuits.pruning.loss.Choice;
import sparsecircuits.pruning.loss.ChoiceLoss;
import sparsecircuits.pruning.loss.TaskLoss;

/**
 * Logit recalibration of a pruned circuit (SPEC §4.7): a scalar scale s and a per-token shift b on the final
 * logits, ℓ' = s·ℓ + b (b is what {@code final_logits_bias} holds), fitted to the task loss by 16 L-BFGS steps.
 * The paper's authors are unsure it is principled, so the circuit is reported with and without it.
 */
public final class Recalibration {

    /** The fitted transform: ℓ' = scale·ℓ + bias. */
    public record Fit(double scale, float[] bias, double lossBefore, double lossAfter) {
    }

    private Recalibration() {
    }

    /** Last-position logits {@code [N × V]} of the sequences under the circuit's mask, in sequence order. */
    public static float[][] lastLogits(Gpt model, List<TaskLoss.Sequence> seqs, Kernels kernels, TaskLoss.HookFor hook) {
        return TaskLoss.lastLogits(model, seqs, Ops.inference(kernels).sparseBelow(1.0), hook);
    }

    /** Task loss of logits under a transform, and optionally its gradient {ds, db...}. */
    static double loss(float[][] logits, List<TaskLoss.Sequence> seqs, double s, float[] b, double[] grad, Kernels kernels) {
        int n = logits.length, v = b.length;
        float[] x = new float[n * v];
        for (int i = 0; i < n; i++) for (int j = 0; j < v; j++) x[i * v + j] = (float) (s * logits[i][j] + b[j]);
        int[] c = new int[n], o = new int[n];
        Choice[] k = new Choice[n];
        for (int i = 0; i < n; i++) {
            c[i] = seqs.get(i).correct();
            o[i] = seqs.get(i).other();
            k[i] = seqs.get(i).kind();
        }
        Tape tape = grad == null ? null : new Tape();
        Ops ops = new Ops(kernels, tape);
        Tensor xt = grad == null ? Tensor.constant(x, n, v) : Tensor.variable(x, n, v);
        Tensor l = ChoiceLoss.of(ops, xt, c, o, k);
        if (grad != null) {
            tape.backward(l);
            float[] g = xt.grad();
            java.util.Arrays.fill(grad, 0);
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < v; j++) {
                    grad[0] += (double) g[i * v + j] * logits[i][j];
                    grad[1 + j] += g[i * v + j];
                }
            }
        }
        return l.item();
    }

    /** Fits (s, b) with {@code steps} L-BFGS iterations (history 8, backtracking line search) from s = 1, b = 0. */
    public static Fit fit(float[][] logits, List<TaskLoss.Sequence> seqs, int steps, Kernels kernels) {
        int v = logits[0].length, dim = 1 + v;
        double[] th = new double[dim];
        th[0] = 1;
        double[] g = new double[dim];
        double f = eval(logits, seqs, th, g, kernels);
        double before = f;
        Deque<double[][]> hist = new ArrayDeque<>();
        for (int it = 0; it < steps; it++) {
            // two-loop recursion: d = −H·g
            double[] q = g.clone();
            List<double[][]> hs = new ArrayList<>(hist);
            double[] alpha = new double[hs.size()];
            for (int i = hs.size() - 1; i >= 0; i--) {
                double[] sv = hs.get(i)[0], yv = hs.get(i)[1];
                alpha[i] = dot(sv, q) / dot(yv, sv);
                axpy(-alpha[i], yv, q);
            }
            if (!hs.isEmpty()) {
                double[] sv = hs.get(hs.size() - 1)[0], yv = hs.get(hs.size() - 1)[1];
                double gamma = dot(sv, yv) / dot(yv, yv);
                for (int i = 0; i < dim; i++) q[i] *= gamma;
            } else {
                for (int i = 0; i < dim; i++) q[i] *= 1e-1;
            }
            for (int i = 0; i < hs.size(); i++) {
                double[] sv = hs.get(i)[0], yv = hs.get(i)[1];
                double beta = dot(yv, q) / dot(yv, sv);
                axpy(alpha[i] - beta, sv, q);
            }
            double dg = -dot(q, g);
            if (!(dg < 0)) break; // not a descent direction: stop
            double step = 1;
            double[] next = new double[dim], gn = new double[dim];
            double fn = Double.NaN;
            for (int ls = 0; ls < 20; ls++) {
                for (int i = 0; i < dim; i++) next[i] = th[i] - step * q[i];
                fn = eval(logits, seqs, next, gn, kernels);
                if (fn <= f + 1e-4 * step * dg) break;
                step *= 0.5;
            }
            if (!(fn < f)) break;
            double[] sv = new double[dim], yv = new double[dim];
            for (int i = 0; i < dim; i++) {
                sv[i] = next[i] - th[i];
                yv[i] = gn[i] - g[i];
            }
            if (dot(sv, yv) > 1e-12) {
                hist.addLast(new double[][] {sv, yv});
                if (hist.size() > 8) hist.removeFirst();
            }
            th = next;
            g = gn;
            f = fn;
        }
        float[] b = new float[v];
        for (int j = 0; j < v; j++) b[j] = (float) th[1 + j];
        return new Fit(th[0], b, before, f);
    }

    /** Task loss of held-out logits under a fitted transform. */
    public static double lossWith(Fit fit, float[][] logits, List<TaskLoss.Sequence> seqs, Kernels kernels) {
        return loss(logits, seqs, fit.scale(), fit.bias(), null, kernels);
    }

    private static double eval(float[][] logits, List<TaskLoss.Sequence> seqs, double[] th, double[] g, Kernels kernels) {
        float[] b = new float[th.length - 1];
        for (int j = 0; j < b.length; j++) b[j] = (float) th[1 + j];
        return loss(logits, seqs, th[0], b, g, kernels);
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }

    private static void axpy(double a, double[] x, double[] y) {
        for (int i = 0; i < x.length; i++) y[i] += a * x[i];
    }

}
