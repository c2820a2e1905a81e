package sparsecircuits.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sparsecircuits.cli.ExperimentDigest;
import sparsecircuits.model.json.Json;

/**
 * kill -9 in the middle of an experiment, then the same command again: every job's result is there once, nothing is
 * left half-written, and the results are the recorded digest's (issue 16: recorded before the experiment became
 * jobs, so behaviour is unchanged), as if the run had never been killed, with 2 jobs at once on 1 thread each.
 */
class ExperimentKillIT {

    private static Process start(Path out, Path log) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(ExperimentDigest.ARGS));
        cmd.addAll(List.of("--out", out.toString()));
        return new ProcessBuilder(TrainIT.cmd(cmd.toArray(String[]::new))).redirectErrorStream(true).redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
    }

    private static long records(Path out) throws Exception {
        Path jobs = out.resolve("jobs");
        if (!Files.isDirectory(jobs)) return 0;
        try (Stream<Path> s = Files.list(jobs)) {
            return s.filter(p -> p.toString().endsWith(".json")).count();
        }
    }

    @Test
    void aKilledExperimentFinishesOnARerunWithTheSameResults(@TempDir Path tmp) throws Exception {
        String expected = ExperimentDigest.expected();
        Path out = tmp.resolve("e");
        Process p = start(out, tmp.resolve("first.log"));
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (records(out) < 2 && p.isAlive() && System.nanoTime() < deadline) Thread.sleep(50); // both models trained
        Thread.sleep(1500); // into the node means or the evaluations
        assertTrue(p.isAlive(), "the run ended before it was killed: " + Files.readString(tmp.resolve("first.log")));
        p.destroyForcibly(); // SIGKILL: no shutdown hook, no checkpoint
        p.waitFor(1, TimeUnit.MINUTES);
        long before = records(out);

        Process again = start(out, tmp.resolve("second.log"));
        assertTrue(again.waitFor(10, TimeUnit.MINUTES), "the rerun did not finish");
        String log = Files.readString(tmp.resolve("second.log"));
        assertEquals(0, again.exitValue(), log);
        assertTrue(log.contains(before + " found finished"), "the rerun kept the " + before + " finished jobs: " + log);

        Set<String> names = new HashSet<>();
        try (Stream<Path> s = Files.list(out.resolve("jobs"))) {
            for (Path r : s.toList()) {
                assertTrue(r.toString().endsWith(".json"), "no temporary file left: " + r);
                String name = (String) ((java.util.Map<?, ?>) Json.read(r)).get("name");
                assertTrue(names.add(name), "one record per job: " + name);
            }
        }
        assertEquals(14, names.size(), names.toString()); // 2 trainings, 2 means, 4 evaluations, 4 prunings, 1 page, the report
        try (Stream<Path> s = Files.list(out.resolve(".staging"))) {
            assertFalse(s.findAny().isPresent(), "every staging directory was committed or cleared");
        }
        String record = System.getProperty("digest.record");
        if (record != null) { // recording the fixture (see ExperimentDigest)
            Files.writeString(Path.of(record), ExperimentDigest.digest(out), StandardCharsets.UTF_8);
            return;
        }
        String recordedOn = expected.lines().findFirst().orElseThrow();
        assumeTrue(recordedOn.equals(ExperimentDigest.kernelsLine()), "the digest was recorded with " + recordedOn);
        assertEquals(ExperimentDigest.comparable(expected), ExperimentDigest.comparable(ExperimentDigest.digest(out)));
    }
}
