package sparsecircuits.cli;

import java.nio.file.Path;
import sparsecircuits.model.train.TrainRun;

/** {@code --corpus synthetic|DIR|mix:DIR:SHARE}: a directory is stored absolute, so a run resumes from anywhere. */
final class CorpusArg {
    static final String VALUE = "synthetic|DIR|mix:DIR:SHARE";
    static final String HELP = "the embedded generator, a directory of .py files, or both with DIR's share of the characters";

    private CorpusArg() {
    }

    /**
     * The corpus string with its directory made absolute.
     *
     * @throws sparsecircuits.model.train.SettingException for a malformed {@code mix:} (the library's words)
     */
    static String absolute(String corpus) {
        if (corpus.equals("synthetic")) return corpus;
        if (corpus.startsWith(TrainRun.MIX_PREFIX)) {
            TrainRun.MixSpec m = TrainRun.parseMix(corpus);
            return new TrainRun.MixSpec(m.dir().toAbsolutePath().normalize(), m.share()).corpus();
        }
        return Path.of(corpus).toAbsolutePath().normalize().toString();
    }
}
