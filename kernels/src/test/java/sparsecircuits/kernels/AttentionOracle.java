package sparsecircuits.kernels;

/**
 * Causal attention with an optional per-head sink, in double. q, k, v are read as
 * {@code [batch, tokens, heads·dHead]} with row stride {@code ld} at their offsets.
 */
final class AttentionOracle {
    final double[] probs; // [batch, heads, tokens, tokens]
    final double[] sinkWeight; // [batch, heads, tokens]
    final double[] out; // [batch, tokens, heads·dHead]
    final double[] maxAbsScoreTerms; // per (b, h, i): max_j Σ_e |q_e·k_e|·scale
    final double[] maxSpread; // per (b, h, i): max over logits of (max − logit)

    AttentionOracle(int batch, int tokens, int heads, int dHead, int ld,
                    double[] q, int qOff, double[] k, int kOff, double[] v, int vOff, double[] sink) {
        int width = heads * dHead;
        double scale = 1 / Math.sqrt(dHead);
        probs = new double[batch * heads * tokens * tokens];
        sinkWeight = new double[batch * heads * tokens];
        out = new double[batch * tokens * width];
        maxAbsScoreTerms = new double[batch * heads * tokens];
        maxSpread = new double[batch * heads * tokens];
        double[] s = new double[tokens];
        for (int b = 0; b < batch; b++) {
            for (int h = 0; h < heads; h++) {
                int u = b * heads + h;
                for (int i = 0; i < tokens; i++) {
                    int qi = qOff + (b * tokens + i) * ld + h * dHead;
                    double max = sink != null ? sink[h] : Double.NEGATIVE_INFINITY;
                    double min = max;
                    double absTerms = 0;
                    for (int j = 0; j <= i; j++) {
                        int kj = kOff + (b * tokens + j) * ld + h * dHead;
                        double dot = 0, abs = 0;
                        for (int e = 0; e < dHead; e++) {
                            dot += q[qi + e] * k[kj + e];
                            abs += Math.abs(q[qi + e] * k[kj + e]);
                        }
                        s[j] = dot * scale;
                        absTerms = Math.max(absTerms, abs * scale);
                        max = Math.max(max, s[j]);
                        min = Math.min(min, s[j]);
                    }
                    if (sink != null) min = Math.min(min, sink[h]);
                    double z = sink != null ? Math.exp(sink[h] - max) : 0;
                    for (int j = 0; j <= i; j++) z += Math.exp(s[j] - max);
                    int pi = (u * tokens + i) * tokens;
                    for (int j = 0; j <= i; j++) probs[pi + j] = Math.exp(s[j] - max) / z;
                    sinkWeight[u * tokens + i] = sink != null ? Math.exp(sink[h] - max) / z : 0;
                    maxAbsScoreTerms[u * tokens + i] = absTerms;
                    maxSpread[u * tokens + i] = max - min;
                    int oi = (b * tokens + i) * width + h * dHead;
                    for (int j = 0; j <= i; j++) {
                        int vj = vOff + (b * tokens + j) * ld + h * dHead;
                        for (int e = 0; e < dHead; e++) out[oi + e] += probs[pi + j] * v[vj + e];
                    }
                }
            }
        }
    }

    static double[] toDouble(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) d[i] = a[i];
        return d;
    }
}
