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

/** The local store: results complete or absent, staging that survives a crash, replaced results forgotten. */
class LocalDirectoryStoreTest {

    private static JobRecord record(String id, List<String> outputs) {
        return new JobRecord(id, "fake", "job " + id, "test", Map.of("x", 1L), outputs, Map.of("y", "z"), 1.5,
                new JobRecord.Worker("here", "test", "scalar", 128, 1), "2026-12-07T00:00:00Z");
    }

    @Test
    void aCommittedResultIsFoundWithItsFiles(@TempDir Path dir) throws IOException {
        LocalDirectoryStore store = new LocalDirectoryStore(dir);
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
    void stagingSurvivesACrashAndTheSameIdGetsItBack(@TempDir Path dir) throws IOException {
        Files.writeString(new LocalDirectoryStore(dir).staging("train-1").resolve("checkpoint"), "step 40");
        assertEquals("step 40", Files.readString(new LocalDirectoryStore(dir).staging("train-1").resolve("checkpoint")));
    }

    @Test
    void aNewResultAtTheSamePathReplacesTheOldAndForgetsItsRecord(@TempDir Path dir) throws IOException {
        LocalDirectoryStore store = new LocalDirectoryStore(dir);
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
    void aJobThatDidNotWriteItsOutputIsNotCommitted(@TempDir Path dir) throws IOException {
        LocalDirectoryStore store = new LocalDirectoryStore(dir);
        store.staging("fake-2");
        IOException e = assertThrows(IOException.class, () -> store.commit(record("fake-2", List.of("report.html"))));
        assertTrue(e.getMessage().contains("report.html"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("jobs/fake-2.json")));
    }

    @Test
    void idsDependOnInputsNotOnTheirOrder() {
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
}
