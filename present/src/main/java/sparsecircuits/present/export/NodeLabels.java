package sparsecircuits.present.export;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import sparsecircuits.model.json.Json;
import sparsecircuits.model.json.JsonException;

/** A person's labels for circuit nodes: a JSON object of node id ({@link CircuitGraph#id}) -> label, as the exports and the viewer take them. */
public final class NodeLabels {
    private NodeLabels() {
    }

    /**
     * Reads a labels file, e.g. {@code {"0.attn.q:5": "quote detector"}}.
     *
     * @throws IllegalArgumentException naming the file for an unreadable file, or one that is not an object of strings
     */
    public static Map<String, String> read(Path file) {
        Object parsed;
        try {
            parsed = Json.read(file);
        } catch (IOException | JsonException e) {
            throw new IllegalArgumentException(file + ": cannot read the labels (" + e.getMessage().replaceAll("\\s+", " ") + ")", e);
        }
        if (!(parsed instanceof Map<?, ?> m)) {
            throw new IllegalArgumentException(file + " is " + Json.kind(parsed) + ", not an object of node id -> label");
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : m.entrySet()) {
            if (!(e.getValue() instanceof String s)) {
                throw new IllegalArgumentException(file + ": the label of " + e.getKey() + " is " + Json.kind(e.getValue()) + ", not a string");
            }
            out.put((String) e.getKey(), s);
        }
        return out;
    }
}
