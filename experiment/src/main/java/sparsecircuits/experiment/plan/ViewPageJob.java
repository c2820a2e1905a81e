package sparsecircuits.experiment.plan;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import sparsecircuits.experiment.job.Job;
import sparsecircuits.experiment.job.JobContext;
import sparsecircuits.present.viewer.CircuitPage;

/**
 * A written circuit's viewer page ({@code view.html} in its directory, as {@code view} writes it). A page that cannot
 * be written is a note in the report, never a failed experiment: the job then finishes with the reason.
 */
final class ViewPageJob implements Job {
    static final String FILE = "view.html";
    private final PruneJob prune;
    private final int livePairs;

    ViewPageJob(PruneJob prune, int livePairs) {
        this.prune = prune;
        this.livePairs = livePairs;
    }

    @Override
    public String name() {
        return prune.plan().scoped("view " + prune.model.spec.id() + " " + prune.task.given());
    }

    @Override
    public String kind() {
        return "view";
    }

    @Override
    public List<Job> after() {
        return List.of(prune.model, prune);
    }

    @Override
    public Map<String, Object> inputs(Finished finished) {
        Map<String, Object> m = new LinkedHashMap<>();
        prune.model.identify(m, finished);
        m.put("circuit", finished.of(prune).id());
        m.put("live_pairs", (long) livePairs);
        return m;
    }

    @Override
    public Result run(JobContext ctx) {
        String rel = prune.circuitDirectory() + "/" + FILE;
        Map<String, Object> m = new LinkedHashMap<>();
        try {
            Path file = ctx.staging().resolve(rel);
            java.nio.file.Files.createDirectories(file.getParent());
            CircuitPage.write(ctx.committed(prune.model.spec.directory()), ctx.committed(prune.circuitDirectory()),
                    Map.of(), CircuitPage.Settings.of(livePairs), file, ctx.kernels(), ctx::progress);
            // the task's warnings were noted by its evaluation already
            m.put("view", rel);
            return new Result(m, List.of(rel));
        } catch (RuntimeException | java.io.IOException e) { // a page is a convenience: it never costs the experiment
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().replaceAll("\\s+", " ");
            ctx.note(rel + ": the viewer page was not written (" + why + "); going on");
            m.put("view_error", why);
            return new Result(m, List.of());
        }
    }

    /** The page's path, or null with {@link #error} set. */
    static String view(Finished finished, ViewPageJob job) {
        return (String) finished.of(job).result().get("view");
    }

    static String error(Finished finished, ViewPageJob job) {
        return (String) finished.of(job).result().get("view_error");
    }
}
