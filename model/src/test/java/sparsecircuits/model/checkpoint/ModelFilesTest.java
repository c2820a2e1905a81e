package sparsecircuits.model.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import sparsecircuits.autograd.graph.Ops;
import sparsecircuits.autograd.param.Parameter;
import sparsecircuits.kernels.KernelProvider;
import sparsecircuits.model.gpt.Gpt;
import sparsecircuits.model.gpt.GptConfig;
import sparsecircuits.model.gpt.Hook;
import sparsecircuits.model.json.Json;

class ModelFilesTest {
    static final GptConfig SMALL = GptConfig.builder().vocabSize(40).nLayer(2).dModel(32).blockSize(12).build();
    static final GptConfig PLAIN = GptConfig.builder().vocabSize(24).nLayer(1).dModel(16).dHead(8).dMlp(32).blockSize(8).afrac(1.0)
            .afracLocations(Set.of()).sink(false).bigramTable(false).learnedPositions(true).build();

    @TempDir
    Path tmp;

    /** A model with every tensor random (biases and final_logits_bias too) and sparse weights at ~1/4. */
    static Gpt randomModel(GptConfig c, long seed) {
        Gpt g = new Gpt(c, seed);
        Random r = new Random(seed);
        for (Parameter p : g.parameterList()) {
            float[] v = p.value();
            for (int i = 0; i < v.length; i++) v[i] = (float) r.nextGaussian();
            if (p.isSparse() && p.rows() > 1) p.sparsify(Math.max(1, p.numel() / 4), 0);
        }
        float[] b = g.finalLogitsBias();
        for (int i = 0; i < b.length; i++) b[i] = (float) r.nextGaussian();
        return g;
    }

    static float[] logits(Gpt g) {
        Random r = new Random(7);
        int t = g.config().blockSize();
        int[] tokens = new int[2 * t];
        for (int i = 0; i < tokens.length; i++) tokens[i] = r.nextInt(g.config().vocabSize());
        return g.forward(tokens, 2, new Ops(KernelProvider.get(), null), Hook.NONE).data();
    }

    @ParameterizedTest
    @CsvSource({"SMALL", "PLAIN"})
    void roundTripIsBitExact(String which) {
        GptConfig c = which.equals("SMALL") ? SMALL : PLAIN;
        Gpt g = randomModel(c, 3);
        ModelFiles.save(g, tmp);
        Gpt back = ModelFiles.load(tmp);
        assertEquals(c, back.config());
        assertEquals(g.parameters().keySet(), back.parameters().keySet());
        for (Parameter p : g.parameterList()) {
            Parameter q = back.parameter(p.name());
            assertArrayEquals(p.value(), q.value(), p.name());
            assertEquals(p.nnz(), q.nnz(), p.name() + " kept set");
        }
        assertArrayEquals(g.finalLogitsBias(), back.finalLogitsBias());
        assertArrayEquals(logits(g), logits(back));
    }

    @Test
    void configHoldsExactlyTheReferenceFields() throws IOException {
        ModelFiles.save(new Gpt(SMALL, 1), tmp);
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) Json.read(tmp.resolve(ModelFiles.CONFIG));
        assertEquals(ModelFiles.referenceKeys(), m.keySet());
        Map<String, Object> want = new LinkedHashMap<>();
        want.put("block_size", 12L);
        want.put("vocab_size", 40L);
        want.put("n_layer", 2L);
        want.put("n_head", 2L);
        want.put("d_head", 16L);
        want.put("d_model", 32L);
        want.put("d_mlp", 128L);
        want.put("dropout", 0.0);
        want.put("bias", true);
        want.put("rms_norm", true);
        want.put("residual_activation_type", "identity");
        want.put("activation_type", "gelu");
        want.put("afrac", 0.25);
        want.put("afrac_loctypes", "attn_in,attn_out,mlp_in,mlp_out,mlp_neuron,attn_v,attn_k,attn_q");
        want.put("tied_unembed", false);
        want.put("enable_bigram_table", true);
        want.put("learnable_bigram_table", true);
        want.put("flash", true);
        want.put("sink", true);
        want.put("tokenizer_name", "sparse-circuits-bpe");
        want.put("grad_checkpointing", false);
        want.put("d_pos_emb", null);
        for (Map.Entry<String, Object> e : want.entrySet()) assertEquals(e.getValue(), m.get(e.getKey()), e.getKey());
        assertNull(ModelFiles.referenceConfig(PLAIN).get("afrac"), "no AbsTopK is afrac None");
        Map<String, String> meta = SafeTensors.readHeader(tmp.resolve(ModelFiles.WEIGHTS)).metadata();
        assertEquals("pt", meta.get("format"));
        assertEquals(ModelFiles.VERSION, meta.get(ModelFiles.VERSION_KEY));
    }

    @Test
    void missingFieldsTakeTheReferenceDefaults() {
        GptConfig c = ModelFiles.parseConfig(Json.parse(
                "{\"rms_norm\": true, \"tied_unembed\": false, \"d_model\": 64, \"n_head\": 4, \"vocab_size\": 100,"
                        + " \"n_layer\": 2, \"block_size\": 32, \"afrac\": 0.25}"), tmp);
        assertEquals(GptConfig.builder().vocabSize(100).nLayer(2).dModel(64).blockSize(32)
                .afracLocations(Set.of("attn_in", "attn_out", "mlp_in", "mlp_out")).sink(false).bigramTable(false).build(), c);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "tied_unembed|true|tied_unembed is true",
        "rms_norm|false|rms_norm is false",
        "activation_type|\"relu\"|activation_type is 'relu'",
        "residual_activation_type|\"relu\"|residual_activation_type is 'relu'",
        "d_pos_emb|8|d_pos_emb is set",
        "flash|false|sink is true but flash is false",
        "n_head|3|not divisible by",
        "d_model|32.5|d_model is a number, expected a non-negative integer",
        "learning_rate|0.01|unknown field(s) [learning_rate]",
    })
    void unsupportedConfigsAreRefusedNamingFileAndField(String key, String json, String message) {
        Map<String, Object> m = new LinkedHashMap<>(ModelFiles.referenceConfig(SMALL));
        m.put(key, Json.parse(json));
        Path file = tmp.resolve("config.json");
        CheckpointException e = assertThrows(CheckpointException.class, () -> ModelFiles.parseConfig(m, file));
        assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(message), "[" + message + "] not in " + e.getMessage());
    }

    @Test
    void aMissingRmsNormMeansLayerNormAndIsRefused() {
        Map<String, Object> m = new LinkedHashMap<>(ModelFiles.referenceConfig(SMALL));
        m.remove("rms_norm");
        assertTrue(assertThrows(CheckpointException.class, () -> ModelFiles.parseConfig(m, tmp))
                .getMessage().contains("rms_norm is false"));
    }

    @Test
    void f16WeightsLoadConverted() throws IOException {
        Gpt g = randomModel(SMALL, 5);
        ModelFiles.save(g, tmp);
        writeF16(tmp.resolve(ModelFiles.WEIGHTS), ModelFiles.tensors(g));
        Gpt back = ModelFiles.load(tmp);
        for (Parameter p : g.parameterList()) {
            float[] want = p.value().clone();
            for (int i = 0; i < want.length; i++) want[i] = SafeTensors.halfToFloat(toHalf(want[i]));
            assertArrayEquals(want, back.parameter(p.name()).value(), p.name());
        }
    }

    /** float to binary16 bits by truncation (the test only needs a fixed conversion); tiny values flush to ±0. */
    static short toHalf(float f) {
        int x = Float.floatToRawIntBits(f), sign = (x >>> 16) & 0x8000, exp = ((x >>> 23) & 0xff) - 112;
        if (exp <= 0) return (short) sign;
        if (exp >= 31) return (short) (sign | 0x7bff);
        return (short) (sign | exp << 10 | (x & 0x7fffff) >>> 13);
    }

    /** A safetensors file with every tensor as F16, written byte by byte (not through SafeTensors.write). */
    static void writeF16(Path file, List<SafeTensors.Tensor> tensors) throws IOException {
        Map<String, Object> header = new LinkedHashMap<>();
        long offset = 0;
        for (SafeTensors.Tensor t : tensors) {
            long end = offset + 2L * t.data().length;
            header.put(t.name(), Map.of("dtype", "F16", "shape", t.shape(), "data_offsets", List.of(offset, end)));
            offset = end;
        }
        byte[] h = Json.write(header).getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + (int) offset).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h);
        for (SafeTensors.Tensor t : tensors) for (float v : t.data()) b.putShort(toHalf(v));
        Files.write(file, b.array());
    }

    /** Saves SMALL, rewrites its weights with {@code edit} applied to the tensor list, and returns load's message. */
    String loadAfter(Consumer<List<SafeTensors.Tensor>> edit) {
        Gpt g = randomModel(SMALL, 9);
        ModelFiles.save(g, tmp);
        List<SafeTensors.Tensor> ts = new ArrayList<>(ModelFiles.tensors(g));
        edit.accept(ts);
        SafeTensors.write(tmp.resolve(ModelFiles.WEIGHTS), ts, Map.of());
        return assertThrows(CheckpointException.class, () -> ModelFiles.load(tmp)).getMessage();
    }

    @Test
    void missingTensorIsNamed() {
        String m = loadAfter(ts -> ts.removeIf(t -> t.name().equals("transformer.h.1.mlp.c_fc.bias")));
        assertTrue(m.contains(ModelFiles.WEIGHTS) && m.contains("missing tensor(s) [transformer.h.1.mlp.c_fc.bias]"), m);
    }

    @Test
    void wrongShapeNamesExpectedAndFound() {
        String m = loadAfter(ts -> ts.replaceAll(t -> t.name().equals("lm_head.weight")
                ? SafeTensors.Tensor.f32(t.name(), new int[] {32, 40}, t.data()) : t));
        assertTrue(m.contains("tensor 'lm_head.weight' has shape [32, 40], expected [40, 32]"), m);
    }

    @Test
    void unexpectedTensorsAreListed() {
        String m = loadAfter(ts -> ts.add(SafeTensors.Tensor.f32("transformer.h.2.ln_1.weight", new int[] {32}, new float[32])));
        assertTrue(m.contains("unexpected tensor(s) [transformer.h.2.ln_1.weight]"), m);
    }

    @Test
    void truncatedWeightsAreReported() throws IOException {
        ModelFiles.save(randomModel(SMALL, 2), tmp);
        Path w = tmp.resolve(ModelFiles.WEIGHTS);
        byte[] bytes = Files.readAllBytes(w);
        Files.write(w, java.util.Arrays.copyOf(bytes, bytes.length - 100));
        String m = assertThrows(CheckpointException.class, () -> ModelFiles.load(tmp)).getMessage();
        assertTrue(m.contains(ModelFiles.WEIGHTS) && m.contains("truncated"), m);
    }

    @Test
    void brokenConfigJsonIsReported() throws IOException {
        ModelFiles.save(new Gpt(SMALL, 1), tmp);
        Files.writeString(tmp.resolve(ModelFiles.CONFIG), "{\"n_layer\": 2,");
        String m = assertThrows(CheckpointException.class, () -> ModelFiles.load(tmp)).getMessage();
        assertTrue(m.contains(ModelFiles.CONFIG) && m.contains("not valid JSON"), m);
    }

    @Test
    void failedSaveLeavesNothingBehind() throws IOException {
        Path notADir = tmp.resolve("model");
        Files.writeString(notADir, "keep");
        String m = assertThrows(CheckpointException.class, () -> ModelFiles.save(new Gpt(SMALL, 1), notADir)).getMessage();
        assertTrue(m.contains("cannot create the model directory"), m);
        assertEquals("keep", Files.readString(notADir));
        try (var files = Files.list(tmp)) {
            assertEquals(List.of(notADir), files.toList());
        }
        // config.json cannot be written (a directory is in its place): the new weights are removed again
        Path dir = tmp.resolve("d");
        Files.createDirectories(dir.resolve(ModelFiles.CONFIG));
        assertThrows(CheckpointException.class, () -> ModelFiles.save(new Gpt(SMALL, 1), dir));
        assertFalse(Files.exists(dir.resolve(ModelFiles.WEIGHTS)));
        try (var files = Files.list(dir)) {
            assertEquals(List.of(dir.resolve(ModelFiles.CONFIG)), files.toList(), "no temporary files left");
        }
    }
}
