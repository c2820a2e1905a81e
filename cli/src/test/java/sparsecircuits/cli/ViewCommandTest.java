package sparsecircuits.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sparsecircuits.model.json.Json;

/** view through Main.run on a fixed circuit of a tiny trained model: the page with the circuit's counts, one line for bad input. */
class ViewCommandTest {

    @Test
    void writesThePageAndRefusesBadInput(@TempDir Path tmp) throws Exception {
        Path model = tmp.resolve("m"), circuit = tmp.resolve("c");
        assertEquals(0, TrainCommandTest.train(model, "--steps", "2").status());
        ExportCommandTest.circuit(model, circuit);
        Map<?, ?> cj = (Map<?, ?>) Json.read(circuit.resolve("circuit.json"));
        long nodes = ((Number) cj.get("nodes")).longValue(), edges = ((Number) cj.get("edges")).longValue();
        assertTrue(nodes > 0 && edges > 0, nodes + " nodes, " + edges + " edges");

        MainTest.Run r = view(model, circuit);
        assertEquals(0, r.status(), r.err());
        Path page = circuit.resolve("view.html");
        assertTrue(r.out().contains(page.toString()) && r.out().contains(nodes + " nodes, " + edges + " edges"), r.out());
        String html = Files.readString(page);
        String open = "<script type=\"application/json\" id=\"data\">";
        int a = html.indexOf(open) + open.length();
        Map<?, ?> data = (Map<?, ?>) Json.parse(html.substring(a, html.indexOf("</script>", a)));
        assertEquals(nodes, ((List<?>) data.get("nodes")).size());
        assertEquals(edges, ((List<?>) data.get("links")).size());
        assertEquals(cj.get("model_sha256"), ((Map<?, ?>) data.get("model")).get("sha256"));
        String liveOpen = "<script type=\"application/json\" id=\"live\">";
        int b = html.indexOf(liveOpen) + liveOpen.length();
        Map<?, ?> live = (Map<?, ?>) Json.parse(html.substring(b, html.indexOf("</script>", b)));
        assertEquals(true, live.get("enabled"), "live ablation for a tiny model: " + live.get("reason") + "\n" + r.err());
        assertEquals(16, ((List<?>) live.get("prompts")).size(), "8 held-out pairs, both sides");
        assertTrue(r.out().contains("live ablation on"), r.out());
        try (var s = Files.list(circuit)) {
            assertEquals(3, s.count(), "circuit.json, circuit.safetensors, view.html and no temporary files");
        }

        MainTest.Run elsewhere = view(model, circuit, "--out", tmp.resolve("v.html").toString());
        assertEquals(0, elsewhere.status(), elsewhere.err());
        assertTrue(Files.readString(tmp.resolve("v.html")).startsWith("<!DOCTYPE html>"));
        MainTest.Run off = view(model, circuit, "--out", tmp.resolve("off.html").toString(), "--live-pairs", "0");
        assertEquals(0, off.status(), off.err());
        assertTrue(off.out().contains("live ablation off: --live-pairs 0"), off.out());

        // bad input: one line, exit 2, nothing written
        Path other = tmp.resolve("other");
        assertEquals(0, TrainCommandTest.train(other, "--steps", "2", "--seed", "9").status());
        MainTest.assertOneLineError(view(other, circuit, "--out", tmp.resolve("foreign.html").toString()), "comes from another model");
        assertFalse(Files.exists(tmp.resolve("foreign.html")));
        MainTest.assertOneLineError(view(model, tmp.resolve("nowhere")), "circuit.json is missing");
        MainTest.assertOneLineError(view(model, circuit, "--out", tmp.resolve("v.txt").toString()), "must end in .html");
        MainTest.assertOneLineError(view(model, circuit, "--out", tmp.toString()), "is a directory");
        MainTest.assertOneLineError(view(model, circuit, "--out", tmp.resolve("no/such/dir/v.html").toString()), "does not exist");
        MainTest.assertOneLineError(MainTest.run("view", "--model", model.toString()), "needs --circuit");
        MainTest.Run help = MainTest.run("view", "--help");
        assertEquals(0, help.status());
        assertTrue(help.out().contains("file://"), help.out());
    }

    private static MainTest.Run view(Path model, Path circuit, String... extra) {
        List<String> a = new java.util.ArrayList<>(List.of("view", "--model", model.toString(), "--circuit", circuit.toString()));
        a.addAll(List.of(extra));
        return MainTest.run(a.toArray(String[]::new));
    }
}
