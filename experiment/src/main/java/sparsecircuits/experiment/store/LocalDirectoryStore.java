package sparsecircuits.experiment.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import sparsecircuits.experiment.job.JobRecord;
import sparsecircuits.model.checkpoint.AtomicFiles;

/**
 * A result store in a local run directory: records in {@code jobs/ID.json}, staging in {@code .staging/ID/}, outputs
 * moved into place by renames on the same file system, the record written last (temp file, fsync, rename). A crash
 * at any point leaves either the old result, or no record (the job runs again), never a record without its files.
 */
public final class LocalDirectoryStore implements ResultStore {
    public static final String JOBS = "jobs", STAGING = ".staging";
    private final Path root;

    public LocalDirectoryStore(Path root) throws IOException {
        this.root = root;
        Files.createDirectories(root.resolve(JOBS));
    }

    public Path root() {
        return root;
    }

    @Override
    public synchronized Optional<JobRecord> find(String id) throws IOException {
        Path file = root.resolve(JOBS).resolve(id + ".json");
        if (!Files.isRegularFile(file)) return Optional.empty();
        JobRecord r;
        try {
            r = JobRecord.fromJson(Files.readString(file, StandardCharsets.UTF_8));
        } catch (RuntimeException e) {
            return Optional.empty(); // unreadable (hand-edited, disk trouble): computed again
        }
        for (String out : r.outputs()) if (!Files.exists(root.resolve(out))) return Optional.empty(); // a file was deleted: again
        return Optional.of(r);
    }

    @Override
    public Path staging(String id) throws IOException {
        return Files.createDirectories(root.resolve(STAGING).resolve(id));
    }

    @Override
    public synchronized void commit(JobRecord record) throws IOException {
        Path staged = root.resolve(STAGING).resolve(record.id());
        for (String out : record.outputs()) {
            if (!Files.exists(staged.resolve(out))) throw new IOException(record.name() + " did not write " + out);
        }
        forgetReplaced(record); // before any file moves: no record may point at files about to be replaced
        for (String out : record.outputs()) {
            Path target = root.resolve(out);
            Files.createDirectories(target.getParent());
            if (Files.isDirectory(target)) { // a directory cannot be renamed over another: move the old one aside first
                Path old = root.resolve(STAGING).resolve("replaced-" + record.id()).resolve(out);
                Files.createDirectories(old.getParent());
                deleteTree(old);
                Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
            }
            move(staged.resolve(out), target);
        }
        AtomicFiles.writeString(root.resolve(JOBS).resolve(record.id() + ".json"), record.toJson());
        deleteTree(staged);
        deleteTree(root.resolve(STAGING).resolve("replaced-" + record.id()));
    }

    /** Removes the records of finished jobs whose outputs lie at or inside one of {@code record}'s outputs. */
    private void forgetReplaced(JobRecord record) throws IOException {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(root.resolve(JOBS), "*.json")) {
            ds.forEach(files::add);
        }
        for (Path f : files) {
            JobRecord other;
            try {
                other = JobRecord.fromJson(Files.readString(f, StandardCharsets.UTF_8));
            } catch (IOException | RuntimeException e) {
                continue;
            }
            if (ResultStore.replaces(record, other)) Files.deleteIfExists(f);
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Deletes a file or a directory with everything in it; nothing when it is missing. */
    public static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) return;
        try (Stream<Path> s = Files.walk(p)) {
            for (Path x : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(x);
        }
    }

    @Override
    public synchronized Path importFiles(Path dir, java.util.function.Predicate<Path> which, String relative) throws IOException {
        Path target = root.resolve(relative);
        if (Files.isDirectory(target)) return target;
        Path aside = root.resolve(STAGING).resolve("import-" + java.util.UUID.randomUUID());
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path f : s.filter(Files::isRegularFile).filter(which).toList()) {
                Path to = aside.resolve(dir.relativize(f).toString());
                Files.createDirectories(to.getParent());
                Files.copy(f, to);
            }
        }
        Files.createDirectories(aside);
        Files.createDirectories(target.getParent());
        move(aside, target);
        return target;
    }

    @Override
    public Path committed(String relative) {
        return root.resolve(relative);
    }

    @Override
    public String describe() {
        return root.toString();
    }
}
