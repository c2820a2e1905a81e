package sparsecircuits.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real jar trains, is interrupted the way Ctrl-C interrupts it (SIGTERM runs the same shutdown path as
 * SIGINT), leaves a consistent checkpoint, and resumes from it.
 */
class TrainIT {
    static final List<String> SMALL = List.of("--d-model", "32", "--base-width", "16", "--ctx", "16", "--batch", "2",
            "--vocab", "320", "--eval-batches", "1", "--eval-every", "0", "--checkpoint-every", "0");

    static List<String> cmd(String... args) {
        List<String> c = new ArrayList<>(List.of(KernelsInfoIT.THIS_JAVA, "--add-modules", "jdk.incubator.vector",
                "-jar", KernelsInfoIT.JAR.toString()));
        c.addAll(List.of(args));
        return c;
    }

    static long stepLines(Path log) throws Exception {
        return Files.readAllLines(log, StandardCharsets.UTF_8).stream().filter(l -> l.contains("\"loss\"")).count();
    }

    @Test
    void interruptedRunCheckpointsAndResumes(@TempDir Path tmp) throws Exception {
        Path run = tmp.resolve("run");
        List<String> train = new ArrayList<>(cmd("train", "--out", run.toString(), "--steps", "1000000"));
        train.addAll(SMALL);
        Process p = new ProcessBuilder(train).redirectErrorStream(true).redirectOutput(tmp.resolve("train.out").toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        Path log = run.resolve("train-log.jsonl");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!(Files.exists(log) && stepLines(log) >= 5)) {
            assertTrue(p.isAlive(), "train exited early: " + Files.readString(tmp.resolve("train.out")));
            assertTrue(System.nanoTime() < deadline, "no training progress within 120 s");
            Thread.sleep(100);
        }
        p.destroy(); // SIGTERM: the shutdown hook asks the loop to checkpoint and stop
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "train did not stop after SIGTERM");
        String out = Files.readString(tmp.resolve("train.out"));
        assertTrue(out.contains("stopped at step"), out);
        long done = stepLines(log);
        assertTrue(Files.isRegularFile(run.resolve("train-state.bin")) && Files.isRegularFile(run.resolve("model.safetensors")), out);

        Path rOut = tmp.resolve("resume.out");
        Process r = new ProcessBuilder(cmd("resume", "--run", run.toString(), "--steps", Long.toString(done + 3)))
                .redirectErrorStream(true).redirectOutput(rOut.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        assertTrue(r.waitFor(180, TimeUnit.SECONDS));
        String rs = Files.readString(rOut);
        assertEquals(0, r.exitValue(), rs);
        assertTrue(rs.contains("resuming at step " + done), rs);
        assertEquals(done + 3, stepLines(log), "the log continues from the checkpoint without gaps or repeats");
    }
}
