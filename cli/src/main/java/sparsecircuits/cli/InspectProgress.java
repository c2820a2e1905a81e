package sparsecircuits.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import sparsecircuits.model.json.Json;

/** Steps done by a run, from the last step line of its train-log.jsonl (0 when there is none). */
final class InspectProgress {
    private InspectProgress() {
    }

    static long stepsDone(Path dir) {
        Path log = dir.resolve("train-log.jsonl");
        if (!Files.exists(log)) return 0;
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            long done = 0;
            for (String l : lines) {
                try {
                    if (Json.parse(l) instanceof Map<?, ?> m && m.get("loss") instanceof Number && m.get("step") instanceof Number s) {
                        done = Math.max(done, s.longValue());
                    }
                } catch (RuntimeException e) {
                    // a line cut by a kill
                }
            }
            return done;
        } catch (IOException e) {
            return 0;
        }
    }
}
