package sparsecircuits.experiment.job;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import sparsecircuits.model.json.Json;

/**
 * A finished job as the result store keeps it ({@code jobs/ID.json}, format {@value #FORMAT}): its id, what it was,
 * what it read, what it wrote, what it found, and how long it took.
 *
 * @param seconds     wall time of the job
 * @param worker      where it ran and on which kernels, for the report
 * @param finishedUtc when it finished (ISO-8601)
 */
public record JobRecord(String id, String kind, String name, String engine, Map<String, Object> inputs, List<String> outputs,
                        Map<String, Object> result, double seconds, Worker worker, String finishedUtc) {
    public static final String FORMAT = "sparse-circuits-job/1";

    /**
     * Where a job ran: the host, the runner and its slot there ("in-process", "spark executor 3"), and the kernels it
     * used. Two jobs give bit-identical results only on the same kernel provider and vector width ({@link #kernels()}).
     *
     * @param kernels    the kernel provider's name ("vector", "scalar"); empty when unknown (a record from before)
     * @param vectorBits the vector width the kernels used; 0 when unknown
     * @param threads    the job's kernel threads; 0 when unknown
     */
    public record Worker(String host, String runner, String kernels, int vectorBits, int threads) {
        /** The kernels as "vector 512-bit", the key two workers must share to give the same bits. */
        public String kernelsKey() {
            return kernels.isEmpty() ? "unknown" : kernels + " " + vectorBits + "-bit";
        }

        /** One line for people: "host (in-process; vector kernels, 512-bit, 2 threads)". */
        public String describe() {
            if (kernels.isEmpty()) return host;
            return host + " (" + runner + "; " + kernels + " kernels, " + vectorBits + "-bit, " + threads + " thread" + (threads == 1 ? "" : "s") + ")";
        }

        Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("host", host);
            m.put("runner", runner);
            m.put("kernels", kernels);
            m.put("vector_bits", (long) vectorBits);
            m.put("threads", (long) threads);
            return m;
        }

        /** From a record: an object, or (records written before workers were structured) one line of text. */
        static Worker fromJson(Object v) {
            if (v instanceof Map<?, ?> m) {
                return new Worker((String) m.get("host"), (String) m.get("runner"), (String) m.get("kernels"),
                        ((Number) m.get("vector_bits")).intValue(), ((Number) m.get("threads")).intValue());
            }
            return new Worker(String.valueOf(v), "", "", 0, 0);
        }
    }

    /**
     * The id of a job of {@code kind} with these inputs under this engine version: the kind, then 20 hex digits of the
     * SHA-256 of the inputs written with sorted keys (so the order a job lists them in does not matter).
     */
    public static String id(String kind, Map<String, Object> inputs, String engine) {
        return kind + "-" + sha256Hex(kind + "\n" + engine + "\n" + Json.write(sorted(inputs))).substring(0, 20);
    }

    /** The SHA-256 of {@code text} (UTF-8) in lower-case hex. */
    public static String sha256Hex(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The record as JSON. */
    public String toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("format", FORMAT);
        m.put("id", id);
        m.put("kind", kind);
        m.put("name", name);
        m.put("engine", engine);
        m.put("inputs", inputs);
        m.put("outputs", new ArrayList<Object>(outputs));
        m.put("result", result);
        m.put("seconds", seconds);
        m.put("worker", worker.toJson());
        m.put("finished_utc", finishedUtc);
        return Json.writePretty(m) + "\n";
    }

    /** A record read back; an IllegalArgumentException for a file that is not one. */
    @SuppressWarnings("unchecked")
    public static JobRecord fromJson(String text) {
        if (!(Json.parse(text) instanceof Map<?, ?> m) || !FORMAT.equals(m.get("format"))) {
            throw new IllegalArgumentException("not a job record (format is not " + FORMAT + ")");
        }
        List<String> outputs = new ArrayList<>();
        for (Object o : (List<Object>) m.get("outputs")) outputs.add((String) o);
        return new JobRecord((String) m.get("id"), (String) m.get("kind"), (String) m.get("name"), (String) m.get("engine"),
                (Map<String, Object>) m.get("inputs"), outputs, (Map<String, Object>) m.get("result"),
                ((Number) m.get("seconds")).doubleValue(), Worker.fromJson(m.get("worker")), (String) m.get("finished_utc"));
    }

    private static Object sorted(Object v) {
        if (v instanceof Map<?, ?> m) {
            TreeMap<String, Object> t = new TreeMap<>();
            m.forEach((k, x) -> t.put((String) k, sorted(x)));
            return t;
        }
        if (v instanceof List<?> l) return l.stream().map(JobRecord::sorted).toList();
        return v;
    }
}
