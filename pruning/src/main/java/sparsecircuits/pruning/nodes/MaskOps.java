package sparsecircuits.pruning.nodes;

import sparsecircuits.autograd.graph.Ops;
import sparsecircuits.autograd.graph.Tensor;
import sparsecircuits.kernels.Kernels;

/**
 * The two ops of node masks, with their backward rules (only pruning uses them, so they live here and are recorded
 * through {@link Ops#record}, on the same pooled arrays and kernels as the ops of {@link Ops}): the gate that mixes
 * an activation with its ablation value, and the Heaviside step that turns the pruner's τ into 0/1 gates.
 */
public final class MaskOps {
    private MaskOps() {
    }

    /**
     * Per-channel gate between an activation and a replacement: y = g ⊙ x + (1 − g) ⊙ base, with g {@code [C]}
     * broadcast over rows and base either {@code [C]} (a mean, broadcast) or x's shape (resampled activations).
     * This is how a node mask deletes nodes (SPEC §4.3). ∂x = g ⊙ dy, ∂g = Σ_rows dy ⊙ (x − base), ∂base = (1 − g) ⊙ dy.
     */
    public static Tensor gate(Ops ops, Tensor x, Tensor g, Tensor base) {
        Kernels k = ops.kernels();
        int rows = x.rows(), c = x.cols();
        if (g.numel() != c) throw new IllegalArgumentException("gate: " + g.numel() + " gates for " + c + " channels");
        boolean full = base.numel() == x.numel() && base.numel() != c || rows == 1 && base.numel() == c;
        if (!full && base.numel() != c) {
            throw new IllegalArgumentException("gate: base has " + base.numel() + " values; expected " + c + " or " + x.numel());
        }
        boolean rec = ops.recording(x, g, base);
        Tensor y = ops.output(rec, x.shape());
        float[] xd = x.data(), gd = g.data(), bd = base.data(), yd = y.data();
        boolean broadcast = base.numel() == c; // a mean or zero per channel: the fused kernels
        if (broadcast) {
            k.nodeGateForward(rows, c, xd, 0, gd, 0, bd, 0, yd, 0);
        } else {
            for (int r = 0; r < rows; r++) {
                int o = r * c;
                for (int j = 0; j < c; j++) yd[o + j] = gd[j] * xd[o + j] + (1 - gd[j]) * bd[o + j];
            }
        }
        if (!rec) return y;
        return ops.record("gate", y, () -> {
            float[] dy = y.grad();
            // every gate 0: x gets no gradient at all, so the ops that made it (used nowhere else) never run backward
            boolean toX = x.needsGrad() && !allZero(gd);
            if (broadcast && !base.needsGrad()) {
                boolean fresh = toX && !x.hasGrad();
                float[] gx = !toX ? null : fresh ? x.gradToOverwrite() : x.grad();
                k.nodeGateBackward(rows, c, xd, 0, gd, 0, bd, 0, dy, 0, gx, 0, fresh, g.needsGrad() ? g.grad() : null, 0);
                return;
            }
            float[] gx = toX ? x.grad() : null, gg = g.needsGrad() ? g.grad() : null, gb = base.needsGrad() ? base.grad() : null;
            for (int r = 0; r < rows; r++) {
                int o = r * c, bo = full ? o : 0;
                for (int j = 0; j < c; j++) {
                    float d = dy[o + j];
                    if (gx != null) gx[o + j] += gd[j] * d;
                    if (gg != null) gg[j] += d * (xd[o + j] - bd[bo + j]);
                    if (gb != null) gb[bo + j] += (1 - gd[j]) * d;
                }
            }
        }, x, g, base);
    }

    private static boolean allZero(float[] a) {
        for (float f : a) if (f != 0f) return false;
        return true;
    }

    /**
     * Heaviside step with the sigmoid surrogate gradient (SPEC §4.3): y = [τ &gt; 0]; ∂τ = dy · σ'(τ/T)/T. The
     * pruner's node masks: exactly 0 or 1 forward, a smooth gradient backward.
     */
    public static Tensor heaviside(Ops ops, Tensor tau, float temperature) {
        if (!(temperature > 0)) throw new IllegalArgumentException("heaviside: temperature must be > 0, got " + temperature);
        boolean rec = ops.recording(tau);
        Tensor y = ops.output(rec, tau.shape());
        float[] t = tau.data(), yd = y.data();
        for (int i = 0; i < t.length; i++) yd[i] = t[i] > 0 ? 1f : 0f;
        if (!rec) return y;
        return ops.record("heaviside", y, () -> {
            float[] g = y.grad(), gt = tau.grad();
            for (int i = 0; i < t.length; i++) {
                double sg = 1 / (1 + Math.exp(-t[i] / temperature));
                gt[i] += (float) (g[i] * sg * (1 - sg) / temperature);
            }
        }, tau);
    }
}
