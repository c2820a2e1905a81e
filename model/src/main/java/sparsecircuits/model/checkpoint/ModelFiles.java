package sparsecircuits.model.checkpoint;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import sparsecircuits.autograd.param.Parameter;
import sparsecircuits.model.gpt.Gpt;
import sparsecircuits.model.gpt.GptConfig;
import sparsecircuits.model.json.Json;
import sparsecircuits.model.json.JsonException;

/**
 * A model directory the reference code can load: {@code config.json} holds exactly the fields of the
 * reference {@code GPTConfig} (so {@code GPT(GPTConfig(**json))} works), {@code model.safetensors} holds the
 * reference {@code state_dict} names and {@code [out, in]} layout (so {@code load_state_dict(strict=True)} works).
 *
 * <p>Reading: missing config fields take the reference defaults (so a config written by the reference loads);
 * what this engine cannot run is refused, naming the file and field. Whether the model has learned positions
 * is not a config field in the reference (it always holds {@code transformer.wpe.weight}): a {@code wpe} with
 * any nonzero entry means learned positions, an all-zero one means none — adding zeros changes nothing, so
 * both readings compute the same function. Tolerated deviations: a missing {@code final_logits_bias} is zero
 * (as the reference {@code load_model} does), and {@code transformer.h.N.attn.bias} of shape
 * {@code [1, 1, block, block]} (the causal-mask buffer the reference saves when {@code flash} is false) is
 * skipped. Any other unexpected tensor is an error.
 */
public final class ModelFiles {
    public static final String CONFIG = "config.json";
    public static final String WEIGHTS = "model.safetensors";
    public static final String DEFAULT_TOKENIZER = "sparse-circuits-bpe";
    /** Metadata key and value of this layout's version, beside safetensors' {@code "format": "pt"}. */
    public static final String VERSION_KEY = "sparse-circuits.version";
    public static final String VERSION = "1";

    static final String WPE = "transformer.wpe.weight";
    static final String LOGITS_BIAS = "final_logits_bias";

    /** The reference GPTConfig fields and defaults, in dataclass order (Python None as null). */
    private static final Map<String, Object> REFERENCE_DEFAULTS;

    static {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("block_size", 1024L);
        m.put("vocab_size", 50304L);
        m.put("n_layer", 12L);
        m.put("n_head", 12L);
        m.put("d_head", null);
        m.put("d_model", 768L);
        m.put("dropout", 0.0);
        m.put("bias", true);
        m.put("ln_bias", true);
        m.put("rms_norm", false);
        m.put("residual_activation_type", "identity");
        m.put("activation_type", "gelu");
        m.put("afrac", null);
        m.put("afrac_loctypes", "attn_in,attn_out,mlp_in,mlp_out");
        m.put("debug_nans", false);
        m.put("tied_unembed", true);
        m.put("tokenizer_name", "tinypython_2k");
        m.put("grad_checkpointing", true);
        m.put("d_mlp", null);
        m.put("enable_bigram_table", false);
        m.put("learnable_bigram_table", false);
        m.put("d_pos_emb", null);
        m.put("dropout_cat_pos_emb", false);
        m.put("sinusoidal_cat_pos_emb", false);
        m.put("enable_sparse_kernels", false);
        m.put("flash", true);
        m.put("sink", false);
        REFERENCE_DEFAULTS = Collections.unmodifiableMap(m);
    }

    private ModelFiles() {
    }

    /** The names of the reference GPTConfig fields: the only keys a config.json may hold. */
    public static Set<String> referenceKeys() {
        return REFERENCE_DEFAULTS.keySet();
    }

    public static Map<String, Object> referenceConfig(GptConfig c) {
        return referenceConfig(c, DEFAULT_TOKENIZER);
    }

    /** Every reference GPTConfig field, written explicitly (several reference defaults differ from SPEC §1.1). */
    public static Map<String, Object> referenceConfig(GptConfig c, String tokenizerName) {
        boolean abstopk = c.afrac() < 1 && !c.afracLocations().isEmpty();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("block_size", c.blockSize());
        m.put("vocab_size", c.vocabSize());
        m.put("n_layer", c.nLayer());
        m.put("n_head", c.nHead());
        m.put("d_head", c.dHead());
        m.put("d_model", c.dModel());
        m.put("dropout", 0.0);
        m.put("bias", true);
        m.put("ln_bias", true);
        m.put("rms_norm", true);
        m.put("residual_activation_type", "identity");
        m.put("activation_type", "gelu");
        m.put("afrac", abstopk ? c.afrac() : null);
        m.put("afrac_loctypes", GptConfig.LOCATIONS.stream().filter(c.afracLocations()::contains).collect(Collectors.joining(",")));
        m.put("debug_nans", false);
        m.put("tied_unembed", false);
        m.put("tokenizer_name", tokenizerName);
        m.put("grad_checkpointing", false);
        m.put("d_mlp", c.dMlp());
        m.put("enable_bigram_table", c.bigramTable());
        m.put("learnable_bigram_table", c.bigramTable());
        m.put("d_pos_emb", null);
        m.put("dropout_cat_pos_emb", false);
        m.put("sinusoidal_cat_pos_emb", false);
        m.put("enable_sparse_kernels", false);
        m.put("flash", true); // the reference implements the sink only on the flash path
        m.put("sink", c.sink());
        return m;
    }

    /**
     * The config a parsed config.json describes, with {@code learnedPositions} false ({@link #load} decides it
     * from {@code wpe}). Missing fields take the reference defaults.
     * @throws CheckpointException naming {@code file} and the field for unknown fields, wrong types, and settings
     *         this engine does not run (tied unembedding, LayerNorm, ReLU, concatenated positions, ...)
     */
    public static GptConfig parseConfig(Object json, Path file) {
        if (!(json instanceof Map<?, ?> raw)) {
            throw new CheckpointException(file + ": is " + Json.kind(json) + ", not an object of GPTConfig fields");
        }
        Set<String> unknown = new TreeSet<>();
        for (Object k : raw.keySet()) if (!REFERENCE_DEFAULTS.containsKey(k)) unknown.add((String) k);
        if (!unknown.isEmpty()) {
            throw new CheckpointException(file + ": unknown field(s) " + unknown + "; the reference GPTConfig(**json) rejects"
                    + " them (keep training settings in another file)");
        }
        Fields f = Fields.withDefaults(file, raw);
        refuse(file, !f.flag("rms_norm"), "rms_norm is false (LayerNorm; also the reference default when missing),"
                + " but this engine runs RMSNorm only: set rms_norm to true");
        refuse(file, f.flag("tied_unembed"), "tied_unembed is true (also the reference default when missing),"
                + " but this engine unties wte and lm_head: set tied_unembed to false");
        refuse(file, !f.text("activation_type").equals("gelu"), "activation_type is '" + f.text("activation_type")
                + "', but this engine runs gelu only");
        refuse(file, !f.text("residual_activation_type").equals("identity"), "residual_activation_type is '"
                + f.text("residual_activation_type") + "', but this engine runs identity only");
        refuse(file, f.get("d_pos_emb") != null, "d_pos_emb is set (concatenated position embeddings), which this"
                + " engine does not run: set it to null");
        refuse(file, !f.flag("bias"), "bias is false, but this engine's linear layers always have biases");
        refuse(file, f.number("dropout") != 0, "dropout is " + f.number("dropout") + ", but this engine has no dropout: set 0.0");
        boolean sink = f.flag("sink");
        refuse(file, sink && !f.flag("flash"), "sink is true but flash is false, and the reference ignores the sink"
                + " without flash: set flash to true");
        for (String k : List.of("ln_bias", "debug_nans", "grad_checkpointing", "learnable_bigram_table",
                "dropout_cat_pos_emb", "sinusoidal_cat_pos_emb", "enable_sparse_kernels")) {
            f.flag(k); // no effect here (ln_bias: RMSNorm has no bias), but a wrong type is still a broken file
        }
        f.text("tokenizer_name");

        int dModel = f.integer("d_model"), nHead = f.integer("n_head");
        refuse(file, nHead <= 0 || dModel % nHead != 0, "d_model " + dModel + " is not divisible by n_head " + nHead);
        int dHead = f.get("d_head") == null ? dModel / nHead : f.integer("d_head");
        int dMlp = f.get("d_mlp") == null ? 4 * dModel : f.integer("d_mlp");
        Double afracValue = f.get("afrac") == null ? null : f.number("afrac");
        Set<String> locations = new LinkedHashSet<>();
        for (String loc : f.text("afrac_loctypes").split(",")) {
            if (loc.isEmpty()) continue;
            if (GptConfig.LOCATIONS.contains(loc)) locations.add(loc);
            else refuse(file, afracValue != null, "afrac_loctypes names '" + loc + "', an AbsTopK location this engine"
                    + " does not run (known: " + String.join(",", GptConfig.LOCATIONS) + ")");
        }
        try {
            return GptConfig.builder().vocabSize(f.integer("vocab_size")).nLayer(f.integer("n_layer")).dModel(dModel).nHead(nHead)
                    .dHead(dHead).dMlp(dMlp).blockSize(f.integer("block_size")).afrac(afracValue == null ? 1.0 : afracValue)
                    .afracLocations(locations).sink(sink).bigramTable(f.flag("enable_bigram_table")).learnedPositions(false).build();
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(file + ": " + e.getMessage(), e);
        }
    }

    private static void refuse(Path file, boolean bad, String why) {
        if (bad) throw new CheckpointException(file + ": " + why);
    }

    /** Typed access to config fields, defaults filled in; a wrong type names the file and field. */
    private record Fields(Path file, Map<String, Object> values) {
        static Fields withDefaults(Path file, Map<?, ?> raw) {
            Map<String, Object> m = new HashMap<>(REFERENCE_DEFAULTS);
            for (Map.Entry<?, ?> e : raw.entrySet()) m.put((String) e.getKey(), e.getValue());
            return new Fields(file, m);
        }

        Object get(String k) {
            return values.get(k);
        }

        private CheckpointException wrongType(String k, String expected) {
            return new CheckpointException(file + ": " + k + " is " + Json.kind(get(k)) + ", expected " + expected);
        }

        boolean flag(String k) {
            if (get(k) instanceof Boolean b) return b;
            throw wrongType(k, "true or false");
        }

        String text(String k) {
            if (get(k) instanceof String s) return s;
            throw wrongType(k, "a string");
        }

        double number(String k) {
            if (get(k) instanceof Number n) return n.doubleValue();
            throw wrongType(k, "a number");
        }

        int integer(String k) {
            // Long from parsed JSON, Integer from referenceConfig
            if ((get(k) instanceof Long || get(k) instanceof Integer) && ((Number) get(k)).longValue() >= 0
                    && ((Number) get(k)).longValue() <= Integer.MAX_VALUE) return ((Number) get(k)).intValue();
            throw wrongType(k, "a non-negative integer (without a fraction)");
        }
    }

    public static void save(Gpt model, Path dir) {
        save(model, dir, DEFAULT_TOKENIZER);
    }

    /**
     * Writes {@code config.json} (pretty) and {@code model.safetensors} (F32) into {@code dir}, creating it,
     * each file atomically. Weights are written first and config.json last, so a directory with a new config
     * always has the matching weights; if config.json fails, weights this call created are removed again.
     * @throws CheckpointException when the directory or a file cannot be written
     */
    public static void save(Gpt model, Path dir, String tokenizerName) {
        String config = Json.writePretty(referenceConfig(model.config(), tokenizerName)) + "\n";
        List<SafeTensors.Pending> tensors = pendingTensors(model);
        Path weights = dir.resolve(WEIGHTS);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new CheckpointException(dir + ": cannot create the model directory (" + AtomicFiles.describe(e) + ")", e);
        }
        boolean hadWeights = Files.exists(weights);
        SafeTensors.writePending(weights, tensors, Map.of("format", "pt", VERSION_KEY, VERSION));
        try {
            AtomicFiles.writeString(dir.resolve(CONFIG), config);
        } catch (CheckpointException e) {
            if (!hadWeights) {
                try {
                    Files.deleteIfExists(weights);
                } catch (IOException ignored) {
                    // best effort: the config failure is what gets reported
                }
            }
            throw e;
        }
    }

    /** The reference state_dict: parameters by name, a zero wpe when positions are not learned, final_logits_bias. */
    static List<SafeTensors.Tensor> tensors(Gpt model) {
        return pendingTensors(model).stream().map(t -> SafeTensors.Tensor.f32(t.name(), t.shape(), t.values().get())).toList();
    }

    /**
     * {@link #tensors} as the writer asks for them: a held parameter's dense copy (scalable recipe) is made when its
     * turn comes, so saving a wide model needs one dense tensor in memory, not all of them.
     */
    static List<SafeTensors.Pending> pendingTensors(Gpt model) {
        GptConfig c = model.config();
        List<SafeTensors.Pending> out = new ArrayList<>();
        for (Parameter p : model.parameterList()) {
            out.add(new SafeTensors.Pending(p.name(), p.shape(), p.isHeld() ? p::denseValues : p::value));
            if (p.name().equals("transformer.wte.weight") && !c.learnedPositions()) {
                // the reference always holds wpe; zeros add nothing
                out.add(new SafeTensors.Pending(WPE, new int[] {c.blockSize(), c.dModel()}, () -> new float[c.blockSize() * c.dModel()]));
            }
        }
        out.add(new SafeTensors.Pending(LOGITS_BIAS, new int[] {c.vocabSize()}, model::finalLogitsBias));
        return out;
    }

    /**
     * Reads a model directory written by {@link #save} or by the reference (F32, or F16/BF16 converted).
     * Every expected tensor must be present with the reference shape; sparse parameters get the kept set of
     * their nonzero entries back (so nnz is the nonzero count, which can be below the saved model's nnz when
     * kept entries were exactly zero).
     * @throws CheckpointException naming the file and the field or tensor for anything missing, misshapen,
     *         unexpected, unreadable or unsupported
     */
    public static Gpt load(Path dir) {
        Path configFile = dir.resolve(CONFIG), weightsFile = dir.resolve(WEIGHTS);
        Object json;
        try {
            json = Json.read(configFile);
        } catch (IOException e) {
            throw new CheckpointException(configFile + ": cannot read (" + AtomicFiles.describe(e) + ")", e);
        } catch (JsonException e) {
            throw new CheckpointException(configFile + ": not valid JSON (" + e.getMessage() + ")", e);
        }
        GptConfig c = parseConfig(json, configFile);
        Map<String, SafeTensors.Tensor> file = SafeTensors.read(weightsFile).tensors();
        for (SafeTensors.Tensor t : file.values()) {
            if (!Set.of("F32", "F16", "BF16").contains(t.dtype())) {
                throw new CheckpointException(weightsFile + ": tensor '" + t.name() + "' has dtype " + t.dtype()
                        + "; model weights must be F32, F16 or BF16");
            }
        }
        SafeTensors.Tensor wpe = file.get(WPE);
        if (wpe != null && anyNonZero(wpe.data())) {
            c = c.toBuilder().learnedPositions(true).build();
        }
        Gpt model = new Gpt(c, 0);

        Map<String, int[]> expected = new LinkedHashMap<>();
        for (Parameter p : model.parameterList()) expected.put(p.name(), p.shape());
        expected.put(WPE, new int[] {c.blockSize(), c.dModel()});
        expected.put(LOGITS_BIAS, new int[] {c.vocabSize()});
        List<String> missing = new ArrayList<>();
        for (String name : expected.keySet()) if (!file.containsKey(name) && !name.equals(LOGITS_BIAS)) missing.add(name);
        if (!missing.isEmpty()) {
            throw new CheckpointException(weightsFile + ": missing tensor(s) " + missing + " that " + CONFIG + " requires");
        }
        List<String> unexpected = new ArrayList<>();
        for (SafeTensors.Tensor t : file.values()) {
            int[] want = expected.get(t.name());
            if (want == null) {
                if (!isMaskBuffer(t, c)) unexpected.add(t.name());
            } else if (!Arrays.equals(want, t.shape())) {
                throw new CheckpointException(weightsFile + ": tensor '" + t.name() + "' has shape " + Arrays.toString(t.shape())
                        + ", expected " + Arrays.toString(want) + " from " + CONFIG);
            }
        }
        if (!unexpected.isEmpty()) {
            throw new CheckpointException(weightsFile + ": unexpected tensor(s) " + unexpected + " that " + CONFIG
                    + " does not account for (check sink, enable_bigram_table, n_layer)");
        }

        for (Parameter p : model.parameterList()) {
            System.arraycopy(file.get(p.name()).data(), 0, p.value(), 0, p.numel());
            if (p.isSparse()) {
                int nz = p.countNonZero();
                if (nz < p.numel()) p.sparsify(nz, 0); // the kept set is the nonzero entries
                p.refreshCsrValues();
            }
        }
        SafeTensors.Tensor bias = file.get(LOGITS_BIAS);
        if (bias != null) System.arraycopy(bias.data(), 0, model.finalLogitsBias(), 0, c.vocabSize());
        return model;
    }

    private static boolean anyNonZero(float[] x) {
        for (float v : x) if (v != 0f) return true;
        return false;
    }

    /** The reference's non-flash causal mask buffer {@code transformer.h.N.attn.bias}: derived, nothing to load. */
    private static boolean isMaskBuffer(SafeTensors.Tensor t, GptConfig c) {
        return t.name().matches("transformer\\.h\\.\\d+\\.attn\\.bias")
                && Arrays.equals(t.shape(), new int[] {1, 1, c.blockSize(), c.blockSize()});
    }
}
