package sparsecircuits.model.corpus;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;

/**
 * Every {@code .py} file under a directory (for instance a CPython standard library), one document a
 * file, split into training and validation documents by file.
 *
 * <ul>
 *   <li>Files are found recursively (symbolic links are not followed) and read once, when the corpus is
 *       opened, in the order of their relative paths ({@code /}-separated, compared as strings).</li>
 *   <li>Files must be valid UTF-8: a file that is not is <b>skipped</b> (never decoded with replacement
 *       characters) and counted in {@link #skippedNotUtf8()}. A leading byte-order mark is dropped.
 *       Empty files are ignored.</li>
 *   <li>Split: a file goes to validation when
 *       {@code mix(fnv1a64(relative path) ^ seed) mod 100 < validationPercent}, so the split depends only
 *       on the path, the seed and the percentage, not on the rest of the tree. When
 *       {@code 0 < validationPercent < 100} and there are at least two documents, neither side is left
 *       empty: the file with the lowest score moves to validation, or the one with the highest to
 *       training.</li>
 * </ul>
 */
public final class PythonDirectoryCorpus implements Corpus {

    private final Path root;
    private final int validationPercent;
    private final long seed;
    private final List<String> trainPaths;
    private final List<String> validationPaths;
    private final List<String> train;
    private final List<String> validation;
    private final int skippedNotUtf8;

    private PythonDirectoryCorpus(Path root, int validationPercent, long seed, List<String> trainPaths,
            List<String> validationPaths, List<String> train, List<String> validation, int skipped) {
        this.root = root;
        this.validationPercent = validationPercent;
        this.seed = seed;
        this.trainPaths = trainPaths;
        this.validationPaths = validationPaths;
        this.train = train;
        this.validation = validation;
        this.skippedNotUtf8 = skipped;
    }

    /**
     * Reads every {@code .py} file under {@code dir}.
     * @param validationPercent share of files, 0 to 100, that go to validation
     * @throws IllegalArgumentException when {@code dir} is missing or not a directory, holds no {@code .py}
     *         file (or only empty or non-UTF-8 ones), or {@code validationPercent} is out of range
     * @throws UncheckedIOException when a file cannot be read
     */
    public static PythonDirectoryCorpus open(Path dir, int validationPercent, long seed) {
        if (validationPercent < 0 || validationPercent > 100) {
            throw new IllegalArgumentException("validation percent must be 0 to 100, got " + validationPercent);
        }
        if (!Files.exists(dir)) throw new IllegalArgumentException("corpus directory " + dir + " does not exist");
        if (!Files.isDirectory(dir)) throw new IllegalArgumentException("corpus directory " + dir + " is not a directory");
        List<Path> files;
        try (Stream<Path> s = Files.walk(dir)) {
            files = s.filter(p -> p.getFileName() != null && p.getFileName().toString().endsWith(".py"))
                    .filter(Files::isRegularFile).collect(java.util.stream.Collectors.toList());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list corpus directory " + dir + ": " + e.getMessage(), e);
        }
        List<String[]> rel = new ArrayList<>(); // {relative path, absolute path}
        for (Path p : files) {
            String r = dir.relativize(p).toString().replace(p.getFileSystem().getSeparator(), "/");
            rel.add(new String[]{r, p.toString()});
        }
        rel.sort((a, b) -> a[0].compareTo(b[0]));
        if (rel.isEmpty()) throw new IllegalArgumentException("corpus directory " + dir + " contains no .py files");

        List<String> paths = new ArrayList<>();
        List<String> docs = new ArrayList<>();
        int skipped = 0;
        for (String[] f : rel) {
            byte[] bytes;
            try {
                bytes = Files.readAllBytes(Path.of(f[1]));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read corpus file " + f[1] + ": " + e.getMessage(), e);
            }
            String text = decodeUtf8(bytes);
            if (text == null) {
                skipped++;
                continue;
            }
            if (text.startsWith("\uFEFF")) text = text.substring(1);
            if (text.isEmpty()) continue;
            paths.add(f[0]);
            docs.add(text);
        }
        if (docs.isEmpty()) {
            throw new IllegalArgumentException("corpus directory " + dir + " has " + rel.size()
                    + " .py files but none is non-empty valid UTF-8 (" + skipped + " not UTF-8)");
        }

        int n = docs.size();
        long[] score = new long[n];
        boolean[] toValidation = new boolean[n];
        int nValid = 0;
        for (int i = 0; i < n; i++) {
            score[i] = score(paths.get(i), seed);
            toValidation[i] = score[i] < validationPercent;
            if (toValidation[i]) nValid++;
        }
        if (validationPercent > 0 && validationPercent < 100 && n >= 2) {
            if (nValid == 0) toValidation[extreme(score, toValidation, false, true)] = true;
            else if (nValid == n) toValidation[extreme(score, toValidation, true, false)] = false;
        }
        List<String> tp = new ArrayList<>(), vp = new ArrayList<>(), td = new ArrayList<>(), vd = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            (toValidation[i] ? vp : tp).add(paths.get(i));
            (toValidation[i] ? vd : td).add(docs.get(i));
        }
        return new PythonDirectoryCorpus(dir, validationPercent, seed, Collections.unmodifiableList(tp),
                Collections.unmodifiableList(vp), Collections.unmodifiableList(td), Collections.unmodifiableList(vd),
                skipped);
    }

    /** Index of the lowest (highest when {@code highest}) score among files whose side equals {@code side}. */
    private static int extreme(long[] score, boolean[] side, boolean highest, boolean want) {
        int best = -1;
        for (int i = 0; i < score.length; i++) {
            if (side[i] == want) continue;
            if (best < 0 || (highest ? score[i] > score[best] : score[i] < score[best])) best = i;
        }
        return best;
    }

    /** The split score of a relative path, 0 to 99. */
    static long score(String relativePath, long seed) {
        long h = 0xcbf29ce484222325L;
        for (byte b : relativePath.getBytes(StandardCharsets.UTF_8)) {
            h ^= (b & 0xff);
            h *= 0x100000001b3L;
        }
        return Long.remainderUnsigned(SyntheticPython.SplitMix.mix(h ^ seed), 100);
    }

    private static String decodeUtf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    @Override
    public List<String> train() {
        return train;
    }

    @Override
    public List<String> validation() {
        return validation;
    }

    @Override
    public boolean isFinite() {
        return true;
    }

    @Override
    public String describe() {
        return ".py files under " + root + " (" + train.size() + " train, " + validation.size()
                + " validation documents, " + validationPercent + "% validation, seed " + seed
                + (skippedNotUtf8 > 0 ? ", " + skippedNotUtf8 + " non-UTF-8 files skipped" : "") + ")";
    }

    /** Relative paths of the training documents, in the order of {@link #train()}. */
    public List<String> trainPaths() {
        return trainPaths;
    }

    /** Relative paths of the validation documents, in the order of {@link #validation()}. */
    public List<String> validationPaths() {
        return validationPaths;
    }

    /** How many {@code .py} files were skipped because they are not valid UTF-8. */
    public int skippedNotUtf8() {
        return skippedNotUtf8;
    }

    public Path root() {
        return root;
    }
}
