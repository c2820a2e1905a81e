package sparsecircuits.pruning.circuit;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import sparsecircuits.model.checkpoint.AtomicFiles;
import sparsecircuits.model.checkpoint.CheckpointException;
import sparsecircuits.model.checkpoint.SafeTensors;
import sparsecircuits.model.json.Json;
import sparsecircuits.pruning.nodes.NodeMask;
import sparsecircuits.pruning.nodes.NodeMeans;

/**
 * The circuit bundle: {@code circuit.json} (schema {@value #SCHEMA}: what was pruned, from which model file by
 * SHA-256, the kept nodes and edges by location and type, the losses, the bisection points) and
 * {@code circuit.safetensors} (per location the mask and the ablation means; per weight edge type the kept
 * edges as [from, to] index pairs and their weights). Both are written atomically.
 */
public final class CircuitFiles {
    public static final String SCHEMA = "sparse-circuits/circuit/1";
    public static final String JSON = "circuit.json", TENSORS = "circuit.safetensors";

    private CircuitFiles() {
    }

    /** Writes the bundle of circuit {@code c}, found as {@code run} says, from the weights in {@code modelFile}. */
    public static void save(Path dir, Circuit c, NodeMeans means, Path modelFile, CircuitRun run) {
        save(dir, c, means, modelFile, run.toJson());
    }

    /**
     * A bundle whose "run" is written as given: for circuits made elsewhere (tests, imported tools); the engine writes
     * a {@link CircuitRun}.
     *
     * @param info what the circuit is (task, ablation, target, k, losses...)
     */
    public static void save(Path dir, Circuit c, NodeMeans means, Path modelFile, Map<String, Object> info) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new CheckpointException(dir + ": cannot create the circuit directory (" + e.getMessage() + ")", e);
        }
        List<SafeTensors.Tensor> ts = new ArrayList<>();
        for (Map.Entry<String, boolean[]> e : c.kept().entrySet()) {
            boolean[] k = e.getValue();
            float[] m = new float[k.length];
            for (int i = 0; i < k.length; i++) m[i] = k[i] ? 1f : 0f;
            ts.add(SafeTensors.Tensor.f32("mask." + e.getKey(), new int[] {k.length}, m));
            if (means != null) ts.add(SafeTensors.Tensor.f32("mean." + e.getKey(), new int[] {k.length}, means.of(e.getKey()).clone()));
        }
        Map<String, List<Circuit.Edge>> byType = new LinkedHashMap<>();
        for (Circuit.Edge e : c.edges()) byType.computeIfAbsent(e.fromHook().split("\\.")[0] + "." + e.type(), t -> new ArrayList<>()).add(e);
        for (Map.Entry<String, List<Circuit.Edge>> e : byType.entrySet()) {
            List<Circuit.Edge> es = e.getValue();
            float[] idx = new float[2 * es.size()], w = new float[es.size()];
            for (int i = 0; i < es.size(); i++) {
                idx[2 * i] = es.get(i).from();
                idx[2 * i + 1] = es.get(i).to();
                w[i] = es.get(i).weight();
            }
            ts.add(SafeTensors.Tensor.f32("edges." + e.getKey() + ".index", new int[] {es.size(), 2}, idx));
            ts.add(SafeTensors.Tensor.f32("edges." + e.getKey() + ".weight", new int[] {es.size()}, w));
        }
        SafeTensors.write(dir.resolve(TENSORS), ts, Map.of("format", SCHEMA));

        Map<String, Object> j = new LinkedHashMap<>();
        j.put("schema", SCHEMA);
        j.put("model_file", modelFile.toString());
        j.put("model_sha256", sha256(modelFile));
        j.put("run", info);
        j.put("nodes", c.nodes());
        j.put("edges", (long) c.edges().size());
        j.put("nodes_by_location", new LinkedHashMap<String, Object>(c.nodesByLocation()));
        j.put("edges_by_type", new LinkedHashMap<String, Object>(c.edgesByType()));
        AtomicFiles.writeString(dir.resolve(JSON), Json.writePretty(j) + "\n");
    }

    /** A circuit bundle read back: circuit.json as parsed, and per location the mask and (when stored) the means. */
    public record Loaded(Map<String, Object> json, Map<String, float[]> masks, Map<String, float[]> means) {
        /** The "run" object of circuit.json (task, ablation, target, losses...). */
        @SuppressWarnings("unchecked")
        public Map<String, Object> run() {
            return json.get("run") instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
        }

        /** The circuit's kept nodes, as circuit.json counts them. */
        public long nodes() {
            return json.get("nodes") instanceof Number n ? n.longValue() : 0;
        }

        /** The circuit's edges, as circuit.json counts them. */
        public long edges() {
            return json.get("edges") instanceof Number n ? n.longValue() : 0;
        }

        /** How the circuit's deleted nodes were ablated when it was pruned ("run.ablation"; mean when absent). */
        public NodeMask.Ablation ablation() {
            return CircuitRun.ablation(run());
        }

        /**
         * Why this circuit cannot be replayed (its deleted nodes set as when it was pruned), or null when it can:
         * resample ablation draws other sequences per batch, and mean ablation needs every location's means.
         */
        public String whyNotReplayable() {
            if (ablation() == NodeMask.Ablation.RESAMPLE) return "the circuit was pruned under resample ablation, which cannot be replayed";
            if (ablation() == NodeMask.Ablation.MEAN && !means.keySet().containsAll(masks.keySet())) {
                return "the circuit bundle has no means for some locations (circuit.safetensors is incomplete)";
            }
            return null;
        }

        /** The means deleted nodes take on replay: the stored ones, or null under zero ablation. */
        public Map<String, float[]> replayMeans() {
            String why = whyNotReplayable();
            if (why != null) throw new IllegalArgumentException(why);
            return ablation() == NodeMask.Ablation.ZERO ? null : means;
        }

        /** The circuit's mask as when it was pruned (kept nodes pass, the others take their mean or zero). */
        public NodeMask mask() {
            Map<String, sparsecircuits.autograd.graph.Tensor> gates = new LinkedHashMap<>();
            masks.forEach((k, v) -> gates.put(k, sparsecircuits.autograd.graph.Tensor.constant(v, v.length)));
            Map<String, float[]> m = replayMeans();
            return new NodeMask(gates, m == null ? null : NodeMeans.of(m, 0), ablation());
        }
    }

    /**
     * Reads the bundle in {@code dir} and checks that it was pruned from {@code modelFile}: a circuit of another model
     * is refused with both SHA-256s in the message.
     */
    @SuppressWarnings("unchecked")
    public static Loaded load(Path dir, Path modelFile) {
        Path jf = dir.resolve(JSON);
        if (!Files.isRegularFile(jf)) throw new CheckpointException(jf + ": no circuit here (circuit.json is missing)");
        Object parsed;
        try {
            parsed = Json.read(jf);
        } catch (IOException | RuntimeException e) {
            throw new CheckpointException(jf + ": not a readable circuit.json (" + e.getMessage() + ")", e);
        }
        if (!(parsed instanceof Map<?, ?> raw) || !SCHEMA.equals(raw.get("schema"))) {
            throw new CheckpointException(jf + ": not a circuit file (schema is not " + SCHEMA + ")");
        }
        Map<String, Object> j = (Map<String, Object>) raw;
        String theirs = String.valueOf(j.get("model_sha256")), ours = sha256(modelFile);
        if (!ours.equals(theirs)) {
            throw new CheckpointException(jf + ": the circuit comes from another model (its model_sha256 is " + theirs
                    + ", " + modelFile + " has " + ours + ")");
        }
        Map<String, float[]> masks = new LinkedHashMap<>(), means = new LinkedHashMap<>();
        for (SafeTensors.Tensor t : SafeTensors.read(dir.resolve(TENSORS)).tensors().values()) {
            if (t.name().startsWith("mask.")) masks.put(t.name().substring(5), t.data());
            else if (t.name().startsWith("mean.")) means.put(t.name().substring(5), t.data());
        }
        return new Loaded(j, masks, means);
    }

    /** SHA-256 of a file, hex. */
    public static String sha256(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) d.update(buf, 0, n);
            return HexFormat.of().formatHex(d.digest());
        } catch (IOException e) {
            throw new CheckpointException(file + ": cannot read (" + e.getMessage() + ")", e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
