package sparsecircuits.model.corpus;

import java.nio.file.Path;

/**
 * A source of Python documents split into training and validation documents.
 *
 * <p>Each call of {@link #train()} or {@link #validation()} returns an {@link Iterable} whose every
 * {@code iterator()} starts the same sequence again, so a consumer can read it twice (for instance
 * once to train a tokenizer and once to make batches). A document is never in both sequences.
 * {@link #isFinite()} says whether the sequences end (a directory) or are unbounded (the generator, a mix).
 */
public interface Corpus {

    /** Training documents, in a fixed order. */
    Iterable<String> train();

    /** Validation documents, in a fixed order, disjoint from {@link #train()}. */
    Iterable<String> validation();

    /** {@code true} when both sequences end; {@code false} when they are unbounded. */
    boolean isFinite();

    /** One line saying where the documents come from, for logs and {@code train-config.json}. */
    String describe();

    /** The embedded synthetic corpus of {@link SyntheticPython} for {@code seed}. */
    static Corpus synthetic(long seed) {
        return SyntheticPython.corpus(seed);
    }

    /**
     * Every {@code .py} file under {@code dir}; see {@link PythonDirectoryCorpus}.
     * @throws IllegalArgumentException when {@code dir} is missing, not a directory, or holds no {@code .py} file
     */
    static Corpus directory(Path dir, int validationPercent, long seed) {
        return PythonDirectoryCorpus.open(dir, validationPercent, seed);
    }

    /**
     * Documents of {@code directory} and {@code synthetic} interleaved so that {@code share} of the characters come
     * from {@code directory}; unbounded (the directory starts over when it runs out). See {@link MixedCorpus}.
     * @throws IllegalArgumentException when {@code share} is not strictly between 0 and 1, or a side has no training or
     *         no validation document
     */
    static Corpus mixed(Corpus directory, Corpus synthetic, double share) {
        return MixedCorpus.of(directory, synthetic, share);
    }
}
