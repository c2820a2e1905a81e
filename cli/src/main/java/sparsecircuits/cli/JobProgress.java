package sparsecircuits.cli;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import sparsecircuits.experiment.job.Job;
import sparsecircuits.experiment.job.JobRecord;
import sparsecircuits.experiment.run.RunListener;

/**
 * The job runner's progress on standard error: on a terminal one line redrawn in place (jobs done / running / failed,
 * then the running jobs' own progress); elsewhere a plain line when a job starts, finishes or fails, its notes, and
 * its progress every 15 s.
 */
final class JobProgress implements RunListener {
    private final CommandContext ctx;
    private final ProgressLine line;
    private final String who;
    private static final long PLAIN_EVERY_NANOS = 15_000_000_000L;
    private final Map<String, String> running = new LinkedHashMap<>();
    private final Map<String, Long> printed = new java.util.HashMap<>();
    private final java.util.Set<String> noted = new java.util.HashSet<>();
    private int known, done, failed, found;

    /** The command this shows the jobs of ("experiment", "sweep"), the prefix of its lines. */
    String who() {
        return who;
    }

    JobProgress(String who, CommandContext ctx) {
        this.who = who;
        this.ctx = ctx;
        this.line = new ProgressLine(ctx.err(), ctx.errIsTerminal(), who);
    }

    @Override
    public void counts(int known, int finished, int running, int failed) {
        this.known = known;
        this.done = finished;
        this.failed = failed;
        redraw();
    }

    @Override
    public void started(Job job) {
        running.put(job.name(), "");
        if (!ctx.errIsTerminal()) ctx.err().println(who + ": " + job.name() + " ...");
        redraw();
    }

    @Override
    public void progress(Job job, String status) {
        running.put(job.name(), status);
        if (!ctx.errIsTerminal()) { // a log gets a job's progress at most every 15 s
            long now = System.nanoTime();
            Long last = printed.get(job.name());
            if (last == null || now - last >= PLAIN_EVERY_NANOS) {
                printed.put(job.name(), now);
                ctx.err().println(who + ": " + job.name() + ": " + status);
            }
        }
        redraw();
    }

    @Override
    public void finished(Job job, JobRecord record, boolean wasFound) {
        running.remove(job.name());
        if (wasFound) {
            found++;
            return;
        }
        line.close();
        ctx.err().printf(Locale.ROOT, "%s: %s done in %.1f s%n", who, job.name(), record.seconds());
        redraw();
    }

    @Override
    public void failed(Job job, Exception error) {
        running.remove(job.name());
        line.close();
        ctx.err().println(who + ": " + job.name() + " FAILED: " + (error.getMessage() == null ? error.getClass().getSimpleName() : error.getMessage()));
        if (ctx.debug()) error.printStackTrace(ctx.err());
        redraw();
    }

    @Override
    public void note(Job job, String text) {
        if (!noted.add(text)) return; // the same sentence from another job (the same task on the other model)
        line.close();
        ctx.err().println(who + ": " + job.name() + ": " + text);
        redraw();
    }

    /** Jobs found in the store rather than run. */
    int found() {
        return found;
    }

    void close() {
        line.close();
    }

    private void redraw() {
        if (!ctx.errIsTerminal()) return;
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "[%d/%d done, %d running, %d failed]", done, known, running.size(), failed));
        for (Map.Entry<String, String> e : running.entrySet()) s.append(' ').append(e.getKey()).append(e.getValue().isEmpty() ? "" : ": " + e.getValue());
        line.show(who + " " + s);
    }
}
