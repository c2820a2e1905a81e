package sparsecircuits.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import sparsecircuits.experiment.job.JobRecord;
import sparsecircuits.experiment.store.LocalDirectoryStore;
import sparsecircuits.experiment.store.ResultStore;

/**
 * A result store on any Hadoop file system ({@code file:}, {@code hdfs:}, {@code s3a:}, ...), in the same layout as
 * {@link LocalDirectoryStore} ({@code jobs/ID.json}, {@code .staging/ID/}, outputs at their relative paths), so a run
 * directory written by either store is read by the other.
 *
 * <p>A commit puts the outputs in place first (write, then rename) and writes the record last, through a temporary
 * file and a rename: the record is the commit marker. On a file system whose rename is not atomic (object stores) a
 * reader may see outputs without a record, which it treats as absent, never a record without its outputs. A retried
 * or speculative attempt of the same job computes the same bytes and overwrites them.
 *
 * <p>Jobs read and write local files. On a local file system ({@code file:}) the staging directory and committed
 * files are used in place, so a training job that an executor's death interrupted continues from its checkpoint in
 * the retry; on any other, staging is a local directory uploaded at commit and committed files are copied to a local
 * cache before a job reads them.
 */
public final class HadoopResultStore implements ResultStore {
    private final URI uri;
    private final FileSystem fs;
    private final Path root;
    /** The run directory on this machine's disk ({@code file:}), or null. */
    private final java.nio.file.Path localRoot;
    /** Where a remote run directory's staging and read copies live on this machine, or null for a local one. */
    private final java.nio.file.Path cache;

    private HadoopResultStore(URI uri, FileSystem fs, java.nio.file.Path localRoot, java.nio.file.Path cache) {
        this.uri = uri;
        this.fs = fs;
        this.root = new Path(uri);
        this.localRoot = localRoot;
        this.cache = cache;
    }

    /**
     * The store at {@code location}: a path (a local directory) or a URI of a file system {@code conf} knows. Creates
     * the directory and checks that a file can be written and removed there; an IllegalArgumentException in one
     * sentence when not.
     */
    public static HadoopResultStore open(String location, Configuration conf) throws IOException {
        URI uri = uriOf(location);
        FileSystem fs;
        java.nio.file.Path localRoot = null, cache = null;
        if ("file".equals(uri.getScheme())) {
            fs = FileSystem.getLocal(conf).getRawFileSystem(); // raw: no .crc files beside the outputs
            localRoot = java.nio.file.Path.of(uri);
        } else {
            try {
                fs = FileSystem.get(uri, conf);
            } catch (IOException | RuntimeException e) {
                throw new IllegalArgumentException("cannot open the run directory " + location + ": " + message(e), e);
            }
            cache = java.nio.file.Path.of(System.getProperty("java.io.tmpdir"), "sparse-circuits-store",
                    JobRecord.sha256Hex(uri.toString()).substring(0, 16));
        }
        HadoopResultStore store = new HadoopResultStore(uri, fs, localRoot, cache);
        store.checkWritable(location);
        return store;
    }

    /** A location as a URI: one with a scheme is taken as it is, a path is made absolute ({@code file:}). */
    static URI uriOf(String location) {
        if (location == null || location.isBlank()) throw new IllegalArgumentException("no run directory given");
        try {
            URI u = new URI(location);
            if (u.getScheme() != null && u.getScheme().length() > 1) return u.normalize(); // "C:" is a drive, not a scheme
        } catch (URISyntaxException e) {
            // a path with characters a URI would escape: a local path
        }
        return java.nio.file.Path.of(location).toAbsolutePath().normalize().toUri();
    }

    private void checkWritable(String location) {
        Path probe = new Path(root, LocalDirectoryStore.JOBS + "/.probe-" + UUID.randomUUID());
        try {
            fs.mkdirs(new Path(root, LocalDirectoryStore.JOBS));
            try (OutputStream out = fs.create(probe, true)) {
                out.write('\n');
            }
            fs.delete(probe, false);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("cannot write the run directory " + location + ": " + message(e)
                    + " (give a directory this user, and every executor, can write)", e);
        }
    }

    /** The store's location, which every executor opens again. */
    public URI uri() {
        return uri;
    }

    @Override
    public synchronized Optional<JobRecord> find(String id) throws IOException {
        Path file = record(id);
        if (!fs.exists(file)) return Optional.empty();
        JobRecord r;
        try {
            r = JobRecord.fromJson(read(file));
        } catch (RuntimeException e) {
            return Optional.empty(); // unreadable: computed again
        }
        for (String out : r.outputs()) if (!fs.exists(new Path(root, out))) return Optional.empty();
        return Optional.of(r);
    }

    @Override
    public java.nio.file.Path staging(String id) throws IOException {
        java.nio.file.Path base = localRoot != null ? localRoot : cache;
        return Files.createDirectories(base.resolve(LocalDirectoryStore.STAGING).resolve(id));
    }

    @Override
    public synchronized void commit(JobRecord record) throws IOException {
        java.nio.file.Path staged = staging(record.id());
        for (String out : record.outputs()) {
            if (!Files.exists(staged.resolve(out))) throw new IOException(record.name() + " did not write " + out);
        }
        Path remoteStaged = new Path(root, LocalDirectoryStore.STAGING + "/" + record.id());
        if (localRoot == null) { // upload first: a failed upload leaves the committed result as it was
            for (String out : record.outputs()) {
                Path to = new Path(remoteStaged, out);
                fs.mkdirs(to.getParent());
                fs.copyFromLocalFile(false, true, new Path(staged.resolve(out).toUri()), to);
            }
        }
        forgetReplaced(record);
        for (String out : record.outputs()) {
            Path target = new Path(root, out);
            fs.mkdirs(target.getParent());
            if (fs.exists(target)) fs.delete(target, true);
            if (!fs.rename(new Path(remoteStaged, out), target)) throw new IOException("could not move " + out + " into place in " + uri);
        }
        Path tmp = new Path(root, LocalDirectoryStore.JOBS + "/." + record.id() + ".json." + UUID.randomUUID() + ".tmp");
        try (OutputStream o = fs.create(tmp, true)) {
            o.write(record.toJson().getBytes(StandardCharsets.UTF_8));
            if (o instanceof org.apache.hadoop.fs.Syncable s) s.hsync();
        }
        Path file = record(record.id());
        if (fs.exists(file)) fs.delete(file, false);
        if (!fs.rename(tmp, file)) throw new IOException("could not write the record of " + record.name() + " in " + uri);
        fs.delete(remoteStaged, true);
        if (localRoot == null) LocalDirectoryStore.deleteTree(staged);
    }

    /** Removes the records of finished jobs whose outputs lie at or inside one of {@code record}'s outputs. */
    private void forgetReplaced(JobRecord record) throws IOException {
        Path jobs = new Path(root, LocalDirectoryStore.JOBS);
        List<FileStatus> files = new ArrayList<>();
        for (FileStatus s : fs.listStatus(jobs)) if (s.getPath().getName().endsWith(".json") && !s.getPath().getName().startsWith(".")) files.add(s);
        for (FileStatus f : files) {
            JobRecord other;
            try {
                other = JobRecord.fromJson(read(f.getPath()));
            } catch (IOException | RuntimeException e) {
                continue;
            }
            if (ResultStore.replaces(record, other)) fs.delete(f.getPath(), false);
        }
    }

    @Override
    public synchronized java.nio.file.Path importFiles(java.nio.file.Path dir, java.util.function.Predicate<java.nio.file.Path> which, String relative)
            throws IOException {
        Path target = new Path(root, relative);
        if (!fs.exists(target)) {
            Path aside = new Path(root, LocalDirectoryStore.STAGING + "/import-" + UUID.randomUUID());
            fs.mkdirs(aside);
            try (Stream<java.nio.file.Path> s = Files.walk(dir)) {
                for (java.nio.file.Path f : s.filter(Files::isRegularFile).filter(which).toList()) {
                    fs.copyFromLocalFile(false, true, new Path(f.toUri()), new Path(aside, dir.relativize(f).toString().replace('\\', '/')));
                }
            }
            fs.mkdirs(target.getParent());
            if (!fs.rename(aside, target)) throw new IOException("could not move the copy of " + dir + " into place in " + uri);
        }
        return committed(relative);
    }

    @Override
    public java.nio.file.Path committed(String relative) {
        if (localRoot != null) return localRoot.resolve(relative);
        java.nio.file.Path local = cache.resolve("committed").resolve(relative);
        try { // copied again when the committed one is newer: a job may have replaced it
            FileStatus remote = fs.getFileStatus(new Path(root, relative));
            if (!Files.exists(local) || Files.getLastModifiedTime(local).toMillis() < remote.getModificationTime()) {
                LocalDirectoryStore.deleteTree(local);
                Files.createDirectories(local.getParent());
                fs.copyToLocalFile(false, new Path(root, relative), new Path(local.toUri()), true);
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot read " + relative + " from " + uri, e);
        }
        return local;
    }

    @Override
    public String describe() {
        return localRoot != null ? localRoot.toString() : uri.toString();
    }

    private Path record(String id) {
        return new Path(root, LocalDirectoryStore.JOBS + "/" + id + ".json");
    }

    private String read(Path file) throws IOException {
        try (InputStream in = fs.open(file)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static String message(Throwable e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m.lines().findFirst().orElse(m);
    }
}
