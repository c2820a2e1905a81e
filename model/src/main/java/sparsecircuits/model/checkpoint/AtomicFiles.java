package sparsecircuits.model.checkpoint;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Atomic file writes: the content goes to a temporary file in the target's directory, which is
 * flushed to the device ({@link FileChannel#force(boolean)}), renamed over the target in one step
 * ({@link StandardCopyOption#ATOMIC_MOVE}), and then the directory itself is synced where the
 * platform allows. A crash or kill at any moment leaves either the previous file or the new one,
 * never a mix; a writer that fails leaves the previous file unchanged and no temporary file behind.
 *
 * <p>The temporary file is named {@code .NAME.RANDOM.tmp} next to the target.
 */
public final class AtomicFiles {
    private AtomicFiles() {
    }

    /** Produces the content of a file; the stream is buffered and must not be closed by the writer. */
    @FunctionalInterface
    public interface WriterCallback {
        void write(OutputStream out) throws IOException;
    }

    /**
     * Atomically replaces (or creates) {@code target} with what {@code writer} writes. A
     * {@link RuntimeException} thrown by the writer propagates unchanged (after clean-up).
     * @throws CheckpointException when the file cannot be written (naming it and the reason), or the
     *         writer throws an {@link IOException}
     */
    public static void write(Path target, WriterCallback writer) {
        Path dir = target.toAbsolutePath().getParent();
        Path tmp = null;
        try {
            tmp = createTemp(dir, target.getFileName().toString());
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                OutputStream out = new BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16);
                writer.write(new NonClosing(out));
                out.flush();
                ch.force(true);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            tmp = null;
            syncDirectory(dir);
        } catch (IOException e) {
            throw new CheckpointException(target + ": cannot write (" + describe(e) + ")", e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // best effort: the write already failed and that is what is reported
                }
            }
        }
    }

    /** Atomically writes {@code text} as UTF-8. */
    public static void writeString(Path target, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        write(target, out -> out.write(bytes));
    }

    /** Atomically writes {@code bytes}. */
    public static void writeBytes(Path target, byte[] bytes) {
        write(target, out -> out.write(bytes));
    }

    private static Path createTemp(Path dir, String name) throws IOException {
        for (int attempt = 0; ; attempt++) {
            Path tmp = dir.resolve("." + name + "." + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1) + ".tmp");
            try {
                return Files.createFile(tmp);
            } catch (FileAlreadyExistsException e) {
                if (attempt >= 100) {
                    throw e;
                }
            }
        }
    }

    /** Syncs a directory so that the rename is durable; platforms that cannot open a directory are skipped. */
    private static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // Windows cannot open directories; the rename is still atomic there
        }
    }

    static String describe(IOException e) {
        String kind = e.getClass().getSimpleName();
        String msg = e.getMessage();
        if (e instanceof java.nio.file.NoSuchFileException) {
            return "no such file or directory: " + msg;
        }
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied: " + msg;
        }
        return msg == null ? kind : kind + ": " + msg;
    }

    /** Keeps a writer from closing the stream before it is flushed and forced. */
    private static final class NonClosing extends OutputStream {
        private final OutputStream out;

        NonClosing(OutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }

        @Override
        public void close() throws IOException {
            out.flush();
        }
    }
}
