package sparsecircuits.present.viewer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import sparsecircuits.autograd.param.Parameter;
import sparsecircuits.model.gpt.Gpt;
import sparsecircuits.model.gpt.GptConfig;
import sparsecircuits.pruning.nodes.NodeLocation;
import sparsecircuits.pruning.nodes.NodeMeans;

/**
 * The whole sparse model, its node means and the task's held-out prompts, serialised for the viewer's live
 * what-if ablation (issue 6 §3): the page runs {@link Gpt#forward}'s math in JavaScript. Every 2-D parameter is
 * CSR over its nonzero entries (row pointers as little-endian Int32, column indices as Int32 gaps within the row,
 * values as Float32 byte-shuffled, {@code "enc"} naming either); 1-D
 * parameters (norm gains, biases, sinks), the final logits bias and the node means are dense Float32. All arrays sit
 * in one binary {@code blob}, 4-byte aligned, zlib-compressed and base64-encoded (the page inflates it with the
 * browser's {@code DecompressionStream}); each array is named by {@code {"at": byte offset, "n": length}} into the
 * inflated blob. Compression halves a trained model's page (column indices deflate to a few percent; weights barely).
 * Only when the model has at most {@link #MAX_NONZEROS} nonzeros; otherwise the blob says live ablation is off and why.
 *
 * <p>Prompts: a side with {@code other < 0} is a TARGET side (−log p(correct)), with {@code correct < 0} an AVOID
 * side (−log(1 − p(other))); otherwise BINARY, as {@link sparsecircuits.pruning.loss.TaskLoss}.
 */
public final class ModelJs {
    /**
     * The largest model (total nonzero parameters) the page embeds by default: about 2.8 MB of page and a 0.4 s
     * toggle at 16 prompts (BENCHMARKS.md); {@code view --live-max-nonzeros} raises it.
     */
    public static final long MAX_NONZEROS = 500_000;

    private ModelJs() {
    }

    /** The live blob: {@code {"enabled": false, "reason": ...}}. */
    public static Map<String, Object> off(String reason) {
        return ViewerHtml.off(reason);
    }

    /** Total nonzero entries over every parameter (what the page would embed). */
    public static long nonZeros(Gpt model) {
        long n = 0;
        for (Parameter p : model.parameterList()) n += countNonZero(p.value());
        return n;
    }

    /**
     * The live blob of {@code model}: config, weights, node means and the prompts, or {@link #off} when the model
     * is too large.
     */
    public static Map<String, Object> data(Gpt model, NodeMeans means, List<int[]> prompts, int[] correct, int[] other) {
        return data(model, means, prompts, correct, other, MAX_NONZEROS);
    }

    /** {@link #data(Gpt, NodeMeans, List, int[], int[])} with {@code maxNonZeros} in place of {@link #MAX_NONZEROS}. */
    public static Map<String, Object> data(Gpt model, NodeMeans means, List<int[]> prompts, int[] correct, int[] other, long maxNonZeros) {
        if (prompts.size() != correct.length || prompts.size() != other.length) {
            throw new IllegalArgumentException(prompts.size() + " prompts but " + correct.length + "/" + other.length + " targets");
        }
        if (prompts.isEmpty()) return off("no held-out prompts were given");
        long nnz = nonZeros(model);
        if (nnz > maxNonZeros) {
            return off("the model has " + nnz + " nonzero parameters, more than the " + maxNonZeros + " the page embeds");
        }
        GptConfig c = model.config();
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("enabled", true);
        d.put("nonzeros", nnz);
        Map<String, Object> cfg = ViewerHtml.shape(c);
        cfg.put("rms_eps", (double) GptConfig.RMS_EPS);
        cfg.put("sink", c.sink());
        cfg.put("bigram_table", c.bigramTable());
        cfg.put("learned_positions", c.learnedPositions());
        Map<String, Object> keep = new LinkedHashMap<>();
        keep.put("attn_in", (long) c.keep("attn_in", c.dModel()));
        keep.put("attn_q", (long) c.keep("attn_q", c.attnWidth()));
        keep.put("attn_k", (long) c.keep("attn_k", c.attnWidth()));
        keep.put("attn_v", (long) c.keep("attn_v", c.attnWidth()));
        keep.put("attn_out", (long) c.keep("attn_out", c.dModel()));
        keep.put("mlp_in", (long) c.keep("mlp_in", c.dModel()));
        keep.put("mlp_neuron", (long) c.keep("mlp_neuron", c.dMlp()));
        keep.put("mlp_out", (long) c.keep("mlp_out", c.dModel()));
        cfg.put("keep", keep);
        d.put("config", cfg);
        Blob blob = new Blob();
        Map<String, Object> params = new LinkedHashMap<>();
        for (Parameter p : model.parameterList()) params.put(p.name(), tensor(p.value(), p.shape(), blob));
        params.put("final_logits_bias", tensor(model.finalLogitsBias(), new int[] {c.vocabSize()}, blob));
        d.put("params", params);
        Map<String, Object> m = new LinkedHashMap<>();
        for (NodeLocation l : NodeLocation.of(c)) {
            float[] v = means.of(l.hook());
            if (v == null || v.length != l.width()) {
                throw new IllegalArgumentException("node means for " + l.hook() + " are missing or not of width " + l.width());
            }
            m.put(l.hook(), blob.f32(v));
        }
        d.put("means", m);
        d.put("blob_bytes", (long) blob.size());
        d.put("blob", blob.deflated());
        List<Object> ps = new ArrayList<>(prompts.size());
        for (int i = 0; i < prompts.size(); i++) {
            Map<String, Object> p = new LinkedHashMap<>();
            List<Object> toks = new ArrayList<>(prompts.get(i).length);
            for (int t : prompts.get(i)) toks.add((long) t);
            p.put("tokens", toks);
            p.put("correct", (long) correct[i]);
            p.put("other", (long) other[i]);
            ps.add(p);
        }
        d.put("prompts", ps);
        return d;
    }

    /** A 1-D tensor dense, a 2-D one as CSR over its nonzeros. */
    private static Map<String, Object> tensor(float[] v, int[] shape, Blob blob) {
        Map<String, Object> t = new LinkedHashMap<>();
        List<Object> sh = new ArrayList<>();
        for (int s : shape) sh.add((long) s);
        t.put("shape", sh);
        if (shape.length == 1) {
            t.put("dense", blob.f32(v));
            return t;
        }
        int rows = shape[0], cols = v.length / rows, nnz = countNonZero(v);
        int[] ptr = new int[rows + 1], idx = new int[nnz];
        float[] val = new float[nnz];
        int q = 0;
        for (int r = 0; r < rows; r++) {
            ptr[r] = q;
            for (int col = 0, o = r * cols; col < cols; col++) {
                if (v[o + col] != 0f) {
                    idx[q] = col;
                    val[q++] = v[o + col];
                }
            }
        }
        ptr[rows] = q;
        t.put("ptr", blob.i32(ptr));
        t.put("idx", blob.rowDeltas(idx, ptr));
        t.put("val", blob.f32(val));
        return t;
    }

    /** The arrays of the live blob, appended little-endian at 4-byte offsets; zlib + base64 at the end. */
    static final class Blob {
        private final java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();

        /** Floats byte-shuffled (every float's byte 0, then every byte 1, ...): exponents side by side deflate better. */
        Map<String, Object> f32(float[] v) {
            int n = v.length;
            byte[] b = new byte[4 * n];
            for (int i = 0; i < n; i++) {
                int bits = Float.floatToRawIntBits(v[i]);
                for (int k = 0; k < 4; k++) b[k * n + i] = (byte) (bits >>> (8 * k));
            }
            Map<String, Object> ref = add(b, n);
            ref.put("enc", "shuffle4");
            return ref;
        }

        /** CSR column indices as the gap to the previous index in the row (the first as is): small numbers deflate well. */
        Map<String, Object> rowDeltas(int[] idx, int[] ptr) {
            int[] d = new int[idx.length];
            for (int r = 0; r + 1 < ptr.length; r++) {
                for (int q = ptr[r]; q < ptr[r + 1]; q++) d[q] = q == ptr[r] ? idx[q] : idx[q] - idx[q - 1];
            }
            Map<String, Object> ref = i32(d);
            ref.put("enc", "row_deltas");
            return ref;
        }

        Map<String, Object> i32(int[] v) {
            ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
            for (int i : v) b.putInt(i);
            return add(b.array(), v.length);
        }

        private Map<String, Object> add(byte[] b, int n) {
            Map<String, Object> ref = new LinkedHashMap<>();
            ref.put("at", (long) bytes.size());
            ref.put("n", (long) n);
            bytes.writeBytes(b); // every array is 4 bytes an element, so offsets stay 4-aligned
            return ref;
        }

        int size() {
            return bytes.size();
        }

        String deflated() {
            java.util.zip.Deflater z = new java.util.zip.Deflater(java.util.zip.Deflater.BEST_COMPRESSION);
            z.setInput(bytes.toByteArray());
            z.finish();
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            byte[] buf = new byte[1 << 16];
            while (!z.finished()) out.write(buf, 0, z.deflate(buf));
            z.end();
            return Base64.getEncoder().encodeToString(out.toByteArray());
        }
    }

    private static int countNonZero(float[] v) {
        int n = 0;
        for (float f : v) if (f != 0f) n++;
        return n;
    }
}
