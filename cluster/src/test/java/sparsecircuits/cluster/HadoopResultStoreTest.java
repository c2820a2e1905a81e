package sparsecircuits.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sparsecircuits.experiment.job.JobRecord;
import sparsecircuits.experiment.store.LocalDirectoryStore;
import sparsecircuits.experiment.store.ResultStore;
import sparsecircuits.experiment.store.ResultStoreContract;

/** The Hadoop store on {@code file:}: the store contract, the local store's layout, and its refusals. */
class HadoopResultStoreTest extends ResultStoreContract {
    @Override
    protected ResultStore open(Path dir) throws IOException {
        return HadoopResultStore.open(dir.toUri().toString(), new Configuration());
    }

    @Test
    void eitherStoreReadsWhatTheOtherWrote(@TempDir Path dir) throws IOException {
        ResultStore hadoop = open(dir);
        Files.writeString(Files.createDirectories(hadoop.staging("fake-9").resolve("models/m")).resolve("w.bin"), "weights");
        JobRecord r = new JobRecord("fake-9", "fake", "job 9", "test", Map.of("x", 1L), List.of("models/m"), Map.of(), 2.0,
                new JobRecord.Worker("h", "spark executor 1", "vector", 512, 1), "2026-12-08T00:00:00Z");
        hadoop.commit(r);
        assertEquals(r, new LocalDirectoryStore(dir).find("fake-9").orElseThrow());
        try (var files = Files.walk(dir)) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().endsWith(".crc")), "no checksum files beside the outputs");
        }
        assertEquals(r, HadoopResultStore.open(dir.toString(), new Configuration()).find("fake-9").orElseThrow(), "a plain path is file:");
    }

    @Test
    void aDirectoryThatCannotBeWrittenIsRefusedInOneSentence(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("a-file"), "not a directory");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> HadoopResultStore.open(file.resolve("run").toString(), new Configuration()));
        assertTrue(e.getMessage().startsWith("cannot write the run directory " + file.resolve("run")), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        IllegalArgumentException scheme = assertThrows(IllegalArgumentException.class,
                () -> HadoopResultStore.open("nosuchfs://host/run", new Configuration()));
        assertTrue(scheme.getMessage().startsWith("cannot open the run directory nosuchfs://host/run"), scheme.getMessage());
    }

    @Test
    void locationsArePathsOrUris() {
        assertEquals("file", HadoopResultStore.uriOf("runs/x").getScheme());
        assertTrue(HadoopResultStore.uriOf("runs/x").getPath().endsWith("/runs/x"));
        assertEquals("hdfs://nn:8020/runs/x", HadoopResultStore.uriOf("hdfs://nn:8020/runs/x").toString());
        assertThrows(IllegalArgumentException.class, () -> HadoopResultStore.uriOf(" "));
    }
}
