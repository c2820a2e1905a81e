package sparsecircuits.cli;

import java.nio.file.Path;
import sparsecircuits.model.train.TrainRun;

/** {@code --corpus synthetic|DIR|mix:DIR:SHARE}: a directory is stored absolute, so a run resumes from anywhere. */
final class CorpusArg {
    static final String VALUE = "synthetic|DIR|mix:DIR:SHARE";
    static final String HELP = "the embedded generator, a directory of .py files, or both with DIR's share of the characters";

    private CorpusArg() {
    }

    /** The corpus string with its directory made absolute; the library checks the rest. */
    static String absolute(String corpus) {
        if (corpus.equals("synthetic")) return corpus;
        if (corpus.startsWith(TrainRun.MIX_PREFIX)) {
            int at = corpus.lastIndexOf(':');
            if (at <= TrainRun.MIX_PREFIX.length()) return corpus; // no share: the library says what is missing
            return TrainRun.MIX_PREFIX + absolutePath(corpus.substring(TrainRun.MIX_PREFIX.length(), at)) + corpus.substring(at);
        }
        return absolutePath(corpus);
    }

    private static String absolutePath(String dir) {
        return Path.of(dir).toAbsolutePath().normalize().toString();
    }
}
