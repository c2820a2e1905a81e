package sparsecircuits.experiment.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sparsecircuits.experiment.job.JobRecord;

/**
 * What every result store must do: results complete or absent, staging that survives a crash, replaced results
 * forgotten, imported directories copied once. {@link LocalDirectoryStoreTest} runs it on a local directory; the
 * cluster module's HadoopResultStoreTest on a Hadoop file system.
 */
public abstract class ResultStoreContract {
    /** A store in {@code dir}, as a run would open it. */
    protected abstract ResultStore open(Path dir) throws IOException;

    private static JobRecord record(String id, List<String> outputs) {
        return new JobRecord(id, "fake", "job " + id, "test", Map.of("x", 1L), outputs, Map.of("y", "z"), 1.5,
                new JobRecord.Worker("here", "test", "scalar", 128, 1), "2026-12-07T00:00:00Z");
    }

    @Test
    public void aCommittedResultIsFoundWithItsFiles(@TempDir Path dir) throws IOException {
        ResultStore store = open(dir);
        Path staging = store.staging("fake-1");
        Files.createDirectories(staging.resolve("models/m"));
        Files.writeString(staging.resolve("models/m/w.bin"), "weights");
        assertTrue(store.find("fake-1").isEmpty(), "staged is not finished");
        store.commit(record("fake-1", List.of("models/m")));
        assertEquals("weights", Files.readString(dir.resolve("models/m/w.bin")));
        JobRecord back = store.find("fake-1").orElseThrow();
        assertEquals(record("fake-1", List.of("models/m")), back);
        assertFalse(Files.exists(dir.resolve(LocalDirectoryStore.STAGING).resolve("fake-1")), "staging removed");
        Files.delete(dir.resolve("models/m/w.bin"));
        Files.delete(dir.resolve("models/m"));
        assertTrue(store.find("fake-1").isEmpty(), "an output deleted by hand: computed again");
    }

    @Test
    public void stagingSurvivesACrashAndTheSameIdGetsItBack(@TempDir Path dir) throws IOException {
        Files.writeString(open(dir).staging("train-1").resolve("checkpoint"), "step 40");
        assertEquals("step 40", Files.readString(open(dir).staging("train-1").resolve("checkpoint")));
    }

    @Test
    public void aNewResultAtTheSamePathReplacesTheOldAndForgetsItsRecord(@TempDir Path dir) throws IOException {
        ResultStore store = open(dir);
        Files.createDirectories(store.staging("train-old").resolve("models/m"));
        Files.writeString(store.staging("train-old").resolve("models/m/w.bin"), "old");
        store.commit(record("train-old", List.of("models/m")));
        Files.createDirectories(store.staging("means-old").resolve("models/m"));
        Files.writeString(store.staging("means-old").resolve("models/m/means.bin"), "means of old");
        store.commit(record("means-old", List.of("models/m/means.bin")));
        assertTrue(store.find("means-old").isPresent(), "a file inside another job's directory does not replace it");
        assertTrue(store.find("train-old").isPresent());

        Files.createDirectories(store.staging("train-new").resolve("models/m"));
        Files.writeString(store.staging("train-new").resolve("models/m/w.bin"), "new");
        store.commit(record("train-new", List.of("models/m")));
        assertEquals("new", Files.readString(dir.resolve("models/m/w.bin")));
        assertFalse(Files.exists(dir.resolve("models/m/means.bin")), "the whole directory is replaced");
        assertTrue(store.find("train-old").isEmpty());
        assertFalse(Files.exists(dir.resolve("jobs/train-old.json")));
        assertFalse(Files.exists(dir.resolve("jobs/means-old.json")), "its means were inside it");
        assertTrue(store.find("train-new").isPresent());
    }

    @Test
    public void aJobThatDidNotWriteItsOutputIsNotCommitted(@TempDir Path dir) throws IOException {
        ResultStore store = open(dir);
        store.staging("fake-2");
        IOException e = assertThrows(IOException.class, () -> store.commit(record("fake-2", List.of("report.html"))));
        assertTrue(e.getMessage().contains("report.html"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("jobs/fake-2.json")));
    }

    @Test
    public void idsDependOnInputsNotOnTheirOrder() {
        Map<String, Object> a = new java.util.LinkedHashMap<>(), b = new java.util.LinkedHashMap<>();
        a.put("x", 1L);
        a.put("y", List.of("p", "q"));
        b.put("y", List.of("p", "q"));
        b.put("x", 1L);
        assertEquals(JobRecord.id("prune", a, "v1"), JobRecord.id("prune", b, "v1"));
        assertNotEquals(JobRecord.id("prune", a, "v1"), JobRecord.id("prune", a, "v2"), "another engine version");
        b.put("x", 2L);
        assertNotEquals(JobRecord.id("prune", a, "v1"), JobRecord.id("prune", b, "v1"));
        assertTrue(JobRecord.id("prune", a, "v1").matches("prune-[0-9a-f]{20}"));
    }

    @Test
    public void anImportedDirectoryIsCopiedOnceWithTheFilesAsked(@TempDir Path dir, @TempDir Path source) throws IOException {
        ResultStore store = open(dir);
        Files.createDirectories(source.resolve("pkg/sub"));
        Files.writeString(source.resolve("pkg/a.py"), "x = 1\n");
        Files.writeString(source.resolve("pkg/sub/b.py"), "y = 2\n");
        Files.writeString(source.resolve("pkg/notes.txt"), "not code");
        Path copy = store.importFiles(source, p -> p.toString().endsWith(".py"), "corpus/src-1");
        assertEquals(dir.resolve("corpus/src-1").toRealPath(), copy.toRealPath());
        assertEquals("y = 2\n", Files.readString(copy.resolve("pkg/sub/b.py")));
        assertFalse(Files.exists(copy.resolve("pkg/notes.txt")), "only the files asked for");
        Files.writeString(source.resolve("pkg/a.py"), "x = 3\n");
        store.importFiles(source, p -> p.toString().endsWith(".py"), "corpus/src-1");
        assertEquals("x = 1\n", Files.readString(copy.resolve("pkg/a.py")), "there already: not copied again (the name holds a hash of the contents)");
        try (var left = Files.list(Files.createDirectories(dir.resolve(LocalDirectoryStore.STAGING)))) {
            assertEquals(List.of(), left.toList(), "nothing left aside");
        }
    }

    @Test
    public void aRecordKeepsWhereItsJobRanAndReadsOneFromBefore() {
        JobRecord r = record("fake-3", List.of());
        assertEquals(r, JobRecord.fromJson(r.toJson()));
        assertEquals("scalar 128-bit", r.worker().kernelsKey());
        String old = r.toJson().replaceFirst("\"worker\": \\{[^}]*}", "\"worker\": \"host-1 (in-process; vector kernels, 512-bit, 2 threads)\"");
        JobRecord.Worker w = JobRecord.fromJson(old).worker();
        assertEquals("host-1 (in-process; vector kernels, 512-bit, 2 threads)", w.describe());
        assertEquals("unknown", w.kernelsKey());
    }
}
