package sparsecircuits.experiment.job;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The engine version that every job id includes: results from another version are computed again, never mixed in. */
public final class Engine {
    /**
     * Raised whenever a change alters what a job computes (a different number anywhere in its result or files), so
     * that results of the old code are not found under the new code's ids even while the build version stays.
     */
    public static final int RESULTS = 1;

    /** The build's version, e.g. "0.1.0-SNAPSHOT" (what the command line's version option shows). */
    public static final String BUILD = load();

    /** The build version and {@link #RESULTS}, e.g. "0.1.0-SNAPSHOT results/1". */
    public static final String VERSION = BUILD + " results/" + RESULTS;

    private Engine() {
    }

    private static String load() {
        try (InputStream in = Engine.class.getResourceAsStream("/sparsecircuits/experiment/engine.properties")) {
            if (in == null) return "unknown";
            Properties p = new Properties();
            p.load(in);
            String v = p.getProperty("version", "unknown");
            return v.contains("${") ? "unknown" : v;
        } catch (IOException e) {
            return "unknown";
        }
    }
}
