package sparsecircuits.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sparsecircuits.model.json.Json;
import sparsecircuits.pruning.circuit.CircuitFiles;

/** prune through Main.run on a tiny trained model: the bundle it writes, the unsolved case, bad input. */
class PruneCommandTest {

    @Test
    void prunesWritesTheBundleAndRefusesAnUnreachableTarget(@TempDir Path tmp) throws Exception {
        Path model = tmp.resolve("m");
        MainTest.Run t = TrainCommandTest.train(model, "--steps", "3");
        assertEquals(0, t.status(), t.err());
        Path out = tmp.resolve("c");
        MainTest.Run p = MainTest.run("prune", "--model", model.toString(), "--task", "if_equals", "--target", "10", "--steps", "5",
                "--pairs", "8", "--out", out.toString());
        assertEquals(0, p.status(), p.err());
        assertTrue(p.out().startsWith("circuit for if_equals:"), p.out());
        assertTrue(Files.isRegularFile(model.resolve("node-means.safetensors")), "node means are stored beside the model");
        @SuppressWarnings("unchecked")
        Map<String, Object> j = (Map<String, Object>) Json.read(out.resolve("circuit.json"));
        assertEquals("sparse-circuits/circuit/1", j.get("schema"));
        @SuppressWarnings("unchecked")
        Map<String, Object> run = (Map<String, Object>) j.get("run");
        assertEquals("if_equals", run.get("task"));
        assertTrue(((Number) run.get("task_loss_circuit")).doubleValue() <= 10);
        assertTrue(Files.isRegularFile(out.resolve("circuit.safetensors")));

        Path withControls = tmp.resolve("c2");
        MainTest.Run pc = MainTest.run("prune", "--model", model.toString(), "--task", "if_equals", "--target", "10", "--steps", "3",
                "--pairs", "8", "--controls", "--search", "1", "--out", withControls.toString());
        assertEquals(0, pc.status(), pc.err());
        assertTrue(pc.out().contains("controls: "), pc.out());
        @SuppressWarnings("unchecked")
        Map<String, Object> controls = (Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>) Json.read(withControls.resolve("circuit.json"))).get("run")).get("controls");
        for (String k : List.of("random_init", "inverted_task", "zero_ablation", "trustworthy")) assertTrue(controls.containsKey(k), k);
        @SuppressWarnings("unchecked")
        List<Object> search = (List<Object>) ((Map<String, Object>) ((Map<String, Object>) Json.read(withControls.resolve("circuit.json"))).get("run")).get("search");
        assertEquals(1, search.size());

        MainTest.Run resampled = MainTest.run("prune", "--model", model.toString(), "--task", "if_equals", "--target", "10", "--steps", "3",
                "--pairs", "8", "--ablation", "resample", "--node-deltas", "4", "--out", tmp.resolve("c3").toString());
        assertEquals(0, resampled.status(), resampled.err());
        @SuppressWarnings("unchecked")
        Map<String, Object> rr = (Map<String, Object>) ((Map<String, Object>) Json.read(tmp.resolve("c3/circuit.json"))).get("run");
        assertEquals("resample", rr.get("ablation"));

        MainTest.Run unsolved = MainTest.run("prune", "--model", model.toString(), "--task", "if_equals", "--target", "1e-6",
                "--steps", "2", "--pairs", "8", "--out", tmp.resolve("none").toString());
        assertEquals(2, unsolved.status(), unsolved.err());
        assertEquals(1, unsolved.errLines().size(), unsolved.err());
        assertTrue(unsolved.err().contains("the model does not solve if_equals"), unsolved.err());
        assertTrue(!Files.exists(tmp.resolve("none")), "nothing written for an unsolved task");

        // the circuit replays through eval with the loss prune reported; another model's circuit is refused with both hashes
        MainTest.Run replay = MainTest.run("eval", "--model", model.toString(), "--circuit", out.toString(), "--pairs", "4", "--json");
        assertEquals(0, replay.status(), replay.err());
        @SuppressWarnings("unchecked")
        Map<String, Object> rj = (Map<String, Object>) Json.parse(replay.out());
        assertEquals("if_equals", rj.get("task"));
        assertEquals(((Number) run.get("task_loss_circuit")).doubleValue(), ((Number) rj.get("task_loss")).doubleValue(), 1e-5,
                "same held-out pairs (pairs/2 = 4), same mask, same loss");
        Path other = tmp.resolve("other");
        assertEquals(0, TrainCommandTest.train(other, "--steps", "2", "--seed", "9").status());
        MainTest.Run foreign = MainTest.run("eval", "--model", other.toString(), "--circuit", out.toString());
        assertEquals(2, foreign.status(), foreign.err());
        assertEquals(1, foreign.errLines().size(), foreign.err());
        assertTrue(foreign.err().contains("comes from another model") && foreign.err().contains(CircuitFiles.sha256(other.resolve("model.safetensors"))),
                foreign.err());
    }

    @Test
    void badInputGetsOneLine(@TempDir Path tmp) {
        for (List<String> args : List.of(List.of("prune", "--task", "if_equals"), List.of("prune", "--model", tmp.toString()),
                List.of("prune", "--model", tmp.toString(), "--task", "x", "--ablation", "bogus"))) {
            MainTest.Run r = MainTest.run(args.toArray(String[]::new));
            assertEquals(2, r.status(), r.toString());
            assertEquals(1, r.errLines().size(), r.err());
        }
    }
}
