package sparsecircuits.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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
import sparsecircuits.pruning.circuit.CircuitSample;

/** export through Main.run on a circuit of a tiny trained model: every format, and one line for bad input. */
class ExportCommandTest {

    @Test
    void exportsEveryFormatAndRefusesBadInput(@TempDir Path tmp) throws Exception {
        Path model = tmp.resolve("m"), circuit = tmp.resolve("c");
        assertEquals(0, TrainCommandTest.train(model, "--steps", "2").status());
        CircuitSample.save(model, circuit);
        @SuppressWarnings("unchecked")
        Map<String, Object> cj = (Map<String, Object>) Json.read(circuit.resolve("circuit.json"));
        long nodes = ((Number) cj.get("nodes")).longValue(), edges = ((Number) cj.get("edges")).longValue();
        assertTrue(nodes > 0 && edges > 0, nodes + " nodes, " + edges + " edges");
        Files.writeString(tmp.resolve("labels.json"), "{\"0.attn.act_in:0\": \"a, \\\"quoted\\\" label\"}");

        // dot and graphml into the circuit directory by default
        MainTest.Run dot = export(model, circuit, "dot", "--labels", tmp.resolve("labels.json").toString());
        assertEquals(0, dot.status(), dot.err());
        String dotText = Files.readString(circuit.resolve("circuit.dot"));
        assertTrue(dotText.startsWith("digraph circuit {"), dotText);
        assertEquals(edges, dotText.lines().filter(l -> l.contains(" -> ") && !l.contains("style=invis")).count());
        assertTrue(dot.out().startsWith("exported " + nodes + " nodes and " + edges + " edges as dot"), dot.out());

        MainTest.Run gml = export(model, circuit, "graphml", "--out", tmp.resolve("g/out.graphml").toString());
        assertEquals(0, gml.status(), gml.err());
        String gmlText = Files.readString(tmp.resolve("g/out.graphml"));
        assertEquals(nodes, count(gmlText, "<node id="));
        assertEquals(edges, count(gmlText, "<edge id="));

        MainTest.Run csv = export(model, circuit, "csv", "--out", tmp.resolve("csv").toString(), "--labels", tmp.resolve("labels.json").toString());
        assertEquals(0, csv.status(), csv.err());
        assertEquals(nodes + 1, Files.readString(tmp.resolve("csv/nodes.csv")).split("\r\n").length);
        assertTrue(Files.readString(tmp.resolve("csv/nodes.csv")).contains(",\"a, \"\"quoted\"\" label\"\r\n"), "the --labels label, quoted");
        assertEquals(edges + 1, Files.readString(tmp.resolve("csv/edges.csv")).split("\r\n").length);

        MainTest.Run json = export(model, circuit, "json", "--prompt", "if x", "--out", tmp.resolve("graph.json").toString());
        assertEquals(0, json.status(), json.err());
        @SuppressWarnings("unchecked")
        Map<String, Object> graph = (Map<String, Object>) Json.read(tmp.resolve("graph.json"));
        @SuppressWarnings("unchecked")
        Map<String, Object> meta = (Map<String, Object>) graph.get("metadata");
        assertEquals("if x", meta.get("prompt"));
        @SuppressWarnings("unchecked")
        Map<String, Object> gen = (Map<String, Object>) meta.get("generation_settings");
        assertEquals("source activation x weight", gen.get("link_weight"), "a mean-ablated circuit replays on the prompt");
        assertEquals(nodes, ((List<?>) graph.get("nodes")).size());
        assertEquals(edges, ((List<?>) graph.get("links")).size());
        assertEquals("graph", meta.get("slug"), "the file name is the slug the frontend loads");
        @SuppressWarnings("unchecked")
        Map<String, Object> index = (Map<String, Object>) Json.read(tmp.resolve("graph-metadata.json"));
        assertEquals(List.of(meta), index.get("graphs"));
        assertEquals(0, export(model, circuit, "json", "--prompt", "if y", "--out", tmp.resolve("graph.json").toString()).status());
        assertEquals(1, ((List<?>) ((Map<?, ?>) Json.read(tmp.resolve("graph-metadata.json"))).get("graphs")).size(), "replaced, not added");
        assertEquals(0, export(model, circuit, "json", "--prompt", "if y", "--out", tmp.resolve("graph2.json").toString()).status());
        assertEquals(2, ((List<?>) ((Map<?, ?>) Json.read(tmp.resolve("graph-metadata.json"))).get("graphs")).size(), "a second graph");
        MainTest.Run defaultPrompt = export(model, circuit, "json");
        assertEquals(0, defaultPrompt.status(), defaultPrompt.err());
        assertTrue(defaultPrompt.out().contains(circuit.toString()) && defaultPrompt.out().trim().endsWith(".json"), defaultPrompt.out());

        MainTest.Run bundle = export(model, circuit, "bundle", "--out", tmp.resolve("copy").toString());
        assertEquals(0, bundle.status(), bundle.err());
        for (String f : List.of("circuit.json", "circuit.safetensors")) {
            assertArrayEquals(Files.readAllBytes(circuit.resolve(f)), Files.readAllBytes(tmp.resolve("copy").resolve(f)), f);
        }
        try (var s = Files.list(tmp.resolve("copy"))) {
            assertEquals(2, s.count(), "no temporary files left behind");
        }

        // bad input: one line, exit 2, nothing written
        MainTest.assertOneLineError(export(model, circuit, "svg"), "unknown export format 'svg'");
        MainTest.assertOneLineError(export(model, tmp.resolve("nowhere"), "dot"), "circuit.json is missing");
        Path other = tmp.resolve("other");
        assertEquals(0, TrainCommandTest.train(other, "--steps", "2", "--seed", "9").status());
        MainTest.assertOneLineError(export(other, circuit, "dot", "--out", tmp.resolve("foreign.dot").toString()), "comes from another model");
        assertFalse(Files.exists(tmp.resolve("foreign.dot")));
        String longPrompt = "x = 1\n".repeat(40); // far beyond the 16-token context
        MainTest.assertOneLineError(export(model, circuit, "json", "--prompt", longPrompt, "--out", tmp.resolve("long.json").toString()),
                "the model's context is 16 tokens");
        assertFalse(Files.exists(tmp.resolve("long.json")));
        MainTest.assertOneLineError(export(model, circuit, "bundle"), "needs --out");
        MainTest.assertOneLineError(export(model, circuit, "json", "--out", tmp.resolve("g.txt").toString()), "must end in .json");
        MainTest.assertOneLineError(MainTest.run("export", "--model", model.toString(), "--format", "dot"), "needs --circuit");
        Files.writeString(tmp.resolve("bad-labels.json"), "[1]");
        MainTest.assertOneLineError(export(model, circuit, "dot", "--labels", tmp.resolve("bad-labels.json").toString()), "not an object");
        MainTest.Run help = MainTest.run("export", "--help");
        assertEquals(0, help.status());
        assertTrue(help.out().contains("graphml") && help.out().contains("Neuronpedia"), help.out());
    }

    private static MainTest.Run export(Path model, Path circuit, String format, String... extra) {
        List<String> a = new java.util.ArrayList<>(List.of("export", "--model", model.toString(), "--circuit", circuit.toString(), "--format", format));
        a.addAll(List.of(extra));
        return MainTest.run(a.toArray(String[]::new));
    }

    private static long count(String s, String what) {
        long n = 0;
        for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + 1)) n++;
        return n;
    }
}
