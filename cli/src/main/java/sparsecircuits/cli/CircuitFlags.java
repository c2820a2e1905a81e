package sparsecircuits.cli;

import java.nio.file.Path;
import java.util.Map;
import sparsecircuits.present.export.NodeLabels;

/** The flags of the commands that read a saved circuit (view, export): {@code --circuit DIR} and {@code --labels FILE}. */
final class CircuitFlags {
    private CircuitFlags() {
    }

    /** The --circuit directory, which must be given (whether it holds a circuit, the library says when it reads it). */
    static Path require(Options.Parsed o, String command) {
        if (!o.has("--circuit")) {
            throw new UserError(command + " needs --circuit DIR", "give a directory written by 'prune', e.g. --circuit runs/m/circuits/if_equals");
        }
        return Path.of(o.value("--circuit", ""));
    }

    /** The --labels file's node labels, or none without the flag. */
    static Map<String, String> labels(Options.Parsed o) {
        if (!o.has("--labels")) return Map.of();
        try {
            return NodeLabels.read(Path.of(o.value("--labels", "")));
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage(), "give --labels a JSON object of node id -> label, e.g. {\"0.attn.q:5\": \"quote detector\"}");
        }
    }
}
