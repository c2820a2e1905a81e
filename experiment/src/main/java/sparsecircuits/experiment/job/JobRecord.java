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
 * @param worker      where it ran (host and thread), for the report
 * @param finishedUtc when it finished (ISO-8601)
 */
public record JobRecord(String id, String kind, String name, String engine, Map<String, Object> inputs, List<String> outputs,
                        Map<String, Object> result, double seconds, String worker, String finishedUtc) {
    public static final String FORMAT = "sparse-circuits-job/1";

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
        m.put("worker", worker);
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
                ((Number) m.get("seconds")).doubleValue(), (String) m.get("worker"), (String) m.get("finished_utc"));
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
