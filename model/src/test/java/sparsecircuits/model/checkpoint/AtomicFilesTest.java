package sparsecircuits.model.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
    @TempDir
    Path dir;

    private List<String> names() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        }
    }

    @Test
    void writesAndReplaces() throws IOException {
        Path f = dir.resolve("config.json");
        AtomicFiles.writeString(f, "first é");
        assertEquals("first é", Files.readString(f, StandardCharsets.UTF_8));
        AtomicFiles.writeString(f, "second");
        assertEquals("second", Files.readString(f));
        AtomicFiles.writeBytes(f, new byte[] {1, 2, 3});
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(f));
        assertEquals(List.of("config.json"), names());
    }

    @Test
    void writerThrowingMidwayLeavesPreviousContentAndNoTempFile() throws IOException {
        Path f = dir.resolve("model.safetensors");
        AtomicFiles.writeString(f, "previous");
        IllegalStateException boom = new IllegalStateException("boom");
        IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> AtomicFiles.write(f, out -> {
            out.write(new byte[200_000]); // more than the buffer: bytes really reach the temp file
            throw boom;
        }));
        assertSame(boom, thrown);
        assertEquals("previous", Files.readString(f));
        assertEquals(List.of("model.safetensors"), names());
    }

    @Test
    void ioExceptionInWriterBecomesCheckpointExceptionNamingTheFile() throws IOException {
        Path f = dir.resolve("train-state.bin");
        AtomicFiles.writeString(f, "old");
        CheckpointException e = assertThrows(CheckpointException.class, () -> AtomicFiles.write(f, out -> {
            out.write(1);
            throw new IOException("disk full");
        }));
        assertTrue(e.getMessage().contains("train-state.bin") && e.getMessage().contains("disk full"), e.getMessage());
        assertEquals("old", Files.readString(f));
        assertEquals(List.of("train-state.bin"), names());
    }

    @Test
    void newFileIsNotCreatedWhenWriterFails() throws IOException {
        Path f = dir.resolve("new.json");
        assertThrows(RuntimeException.class, () -> AtomicFiles.write(f, out -> {
            throw new RuntimeException("fail");
        }));
        assertEquals(List.of(), names());
    }

    @Test
    void missingDirectoryIsACheckpointException() {
        Path f = dir.resolve("no-such-dir").resolve("x.json");
        CheckpointException e = assertThrows(CheckpointException.class, () -> AtomicFiles.writeString(f, "x"));
        assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
    }

    @Test
    void closingTheStreamInTheWriterIsHarmless() throws IOException {
        Path f = dir.resolve("a.txt");
        AtomicFiles.write(f, out -> {
            out.write("abc".getBytes(StandardCharsets.US_ASCII));
            out.close();
        });
        assertEquals("abc", Files.readString(f));
    }
}
