package sparsecircuits.pruning.nodes;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;
import sparsecircuits.autograd.graph.Ops;
import sparsecircuits.kernels.Kernels;
import sparsecircuits.model.checkpoint.CheckpointException;
import sparsecircuits.model.checkpoint.SafeTensors;
import sparsecircuits.model.gpt.Gpt;
import sparsecircuits.model.gpt.Hook;

/**
 * The mean of every node over pretraining tokens (SPEC §4.2: pooled over all positions of the windows given),
 * the values a mean-ablated node takes. Computed once per model on the unpruned model (after AbsTopK, where the
 * masks act) and stored as {@code node-means.safetensors} beside it: one F32 tensor per hook name.
 */
public final class NodeMeans {
    public static final String FILE = "node-means.safetensors";

    private final Map<String, float[]> means;
    private final long tokens;

    private NodeMeans(Map<String, float[]> means, long tokens) {
        this.means = means;
        this.tokens = tokens;
    }

    /** Means given per location (e.g. read back from a circuit bundle); {@code tokens} is how many they average. */
    public static NodeMeans of(Map<String, float[]> means, long tokens) {
        return new NodeMeans(new LinkedHashMap<>(means), tokens);
    }

    /**
     * Runs the model over {@code batches} (each {@code batch × tokens}) without a tape, summing every node location
     * in double. {@code progress} is told each batch index as it finishes.
     */
    public static NodeMeans compute(Gpt model, List<int[]> batches, int batch, Kernels kernels, IntConsumer progress) {
        Map<String, double[]> sums = new LinkedHashMap<>();
        for (NodeLocation l : NodeLocation.of(model.config())) sums.put(l.hook(), new double[l.width()]);
        long[] rows = new long[1];
        Hook accumulate = (name, x, ops) -> {
            double[] s = sums.get(name);
            if (s != null) {
                float[] d = x.data();
                int c = x.cols();
                for (int r = 0, n = x.rows(); r < n; r++) {
                    for (int j = 0; j < c; j++) s[j] += d[r * c + j];
                }
                if (name.equals("0.attn.act_in")) rows[0] += x.rows(); // one location counts the tokens
            }
            return x;
        };
        // the frozen model: CSR for every sparse weight, one pool of arrays for every batch
        Ops ops = Ops.inference(kernels).sparseBelow(1.0);
        for (int i = 0; i < batches.size(); i++) {
            model.logitsAt(batches.get(i), batch, new int[0], ops, accumulate); // activations only: no logits
            ops.recycle();
            progress.accept(i);
        }
        if (rows[0] == 0) throw new IllegalArgumentException("node means need at least one token");
        Map<String, float[]> means = new LinkedHashMap<>();
        for (Map.Entry<String, double[]> e : sums.entrySet()) {
            float[] m = new float[e.getValue().length];
            for (int j = 0; j < m.length; j++) m[j] = (float) (e.getValue()[j] / rows[0]);
            means.put(e.getKey(), m);
        }
        return new NodeMeans(means, rows[0]);
    }

    /** The means of one location ({@code [width]}). */
    public float[] of(String hook) {
        float[] m = means.get(hook);
        if (m == null) throw new IllegalArgumentException("no node means for location " + hook);
        return m;
    }

    /** Tokens the means were taken over. */
    public long tokens() {
        return tokens;
    }

    public Map<String, float[]> all() {
        return java.util.Collections.unmodifiableMap(means);
    }

    /** Writes {@code node-means.safetensors} atomically into {@code dir}. */
    public void save(Path dir) {
        List<SafeTensors.Tensor> ts = new ArrayList<>();
        for (Map.Entry<String, float[]> e : means.entrySet()) {
            ts.add(SafeTensors.Tensor.f32(e.getKey(), new int[] {e.getValue().length}, e.getValue()));
        }
        SafeTensors.write(dir.resolve(FILE), ts, Map.of("tokens", Long.toString(tokens), "format", "sparse-circuits/node-means/1"));
    }

    /** Reads the means of {@code model} from {@code dir}; refuses a file whose locations or widths do not fit it. */
    public static NodeMeans load(Path dir, Gpt model) {
        Path f = dir.resolve(FILE);
        SafeTensors.Loaded l = SafeTensors.read(f);
        Map<String, float[]> means = new LinkedHashMap<>();
        for (NodeLocation loc : NodeLocation.of(model.config())) {
            SafeTensors.Tensor t = l.tensors().get(loc.hook());
            if (t == null || t.data().length != loc.width()) {
                throw new CheckpointException(f + ": " + (t == null ? "no tensor '" + loc.hook() + "'" : "'" + loc.hook() + "' has "
                        + t.data().length + " values, the model's location has " + loc.width())
                        + "; delete it and compute the node means again");
            }
            means.put(loc.hook(), t.data());
        }
        long tokens = Long.parseLong(l.metadata().getOrDefault("tokens", "0"));
        return new NodeMeans(means, tokens);
    }
}
