package sparsecircuits.pruning.loss;

import sparsecircuits.autograd.graph.Ops;
import sparsecircuits.autograd.graph.Tensor;

/**
 * The task's two-choice loss as an op with its backward rule (only the task loss and recalibration use it, so it
 * lives here and is recorded through {@link Ops#record}, on the same pooled arrays as the ops of {@link Ops}).
 */
public final class ChoiceLoss {
    private ChoiceLoss() {
    }

    /**
     * Mean over rows of the task losses of SPEC §4.5 on logits {@code [N × V]} (one row per sequence: the last
     * position). Computed in double per row. ∂ℓ: BINARY (σ − 1) at correct and (1 − σ) at other with
     * σ = p(correct | the two); TARGET softmax − onehot; AVOID (p(other)/(1 − p(other)))·([j = other] − p_j).
     */
    public static Tensor of(Ops ops, Tensor logits, int[] correct, int[] other, Choice[] kind) {
        int n = logits.rows(), v = logits.cols();
        if (correct.length != n || other.length != n || kind.length != n) {
            throw new IllegalArgumentException("choiceLoss: " + n + " rows but " + correct.length + "/" + other.length + "/" + kind.length + " targets");
        }
        for (int r = 0; r < n; r++) {
            boolean needC = kind[r] != Choice.AVOID, needO = kind[r] != Choice.TARGET;
            if (needC && (correct[r] < 0 || correct[r] >= v) || needO && (other[r] < 0 || other[r] >= v)) {
                throw new IllegalArgumentException("choiceLoss: row " + r + " has targets " + correct[r] + "/" + other[r] + " outside the vocabulary of " + v);
            }
        }
        boolean rec = ops.recording(logits);
        Tensor y = ops.output(rec, 1);
        float[] x = logits.data();
        double[] dlog = new double[n * 2]; // per row: the scalar parts the backward needs (σ or p)
        double total = 0;
        for (int r = 0; r < n; r++) {
            int o = r * v;
            switch (kind[r]) {
                case BINARY -> {
                    double d = (double) x[o + other[r]] - x[o + correct[r]];
                    total += d > 0 ? d + Math.log1p(Math.exp(-d)) : Math.log1p(Math.exp(d)); // softplus(ℓo − ℓc)
                    dlog[2 * r] = 1 / (1 + Math.exp(d)); // σ = p(correct | the two)
                }
                case TARGET, AVOID -> {
                    double max = Double.NEGATIVE_INFINITY, z = 0;
                    for (int j = 0; j < v; j++) max = Math.max(max, x[o + j]);
                    for (int j = 0; j < v; j++) z += Math.exp(x[o + j] - max);
                    double lz = Math.log(z) + max;
                    if (kind[r] == Choice.TARGET) {
                        total += lz - x[o + correct[r]];
                    } else {
                        double po = Math.exp(x[o + other[r]] - lz);
                        total += -Math.log1p(-Math.min(po, 1 - 1e-12));
                        dlog[2 * r + 1] = po;
                    }
                    dlog[2 * r] = lz;
                }
            }
        }
        y.data()[0] = (float) (total / Math.max(1, n));
        if (!rec) return y;
        return ops.record("choiceLoss", y, () -> {
            double g = y.grad()[0] / Math.max(1, n);
            float[] gx = logits.grad();
            for (int r = 0; r < n; r++) {
                int o = r * v;
                switch (kind[r]) {
                    case BINARY -> {
                        double sig = dlog[2 * r];
                        gx[o + correct[r]] += (float) (g * (sig - 1));
                        gx[o + other[r]] += (float) (g * (1 - sig));
                    }
                    case TARGET -> {
                        double lz = dlog[2 * r];
                        for (int j = 0; j < v; j++) gx[o + j] += (float) (g * Math.exp(x[o + j] - lz));
                        gx[o + correct[r]] -= (float) g;
                    }
                    case AVOID -> {
                        double lz = dlog[2 * r], po = Math.min(dlog[2 * r + 1], 1 - 1e-12), f = po / (1 - po);
                        for (int j = 0; j < v; j++) gx[o + j] -= (float) (g * f * Math.exp(x[o + j] - lz));
                        gx[o + other[r]] += (float) (g * f);
                    }
                }
            }
        }, logits);
    }
}
