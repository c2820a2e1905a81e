package sparsecircuits.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;
import sparsecircuits.model.train.Trainer;

/**
 * The training progress bar on standard error: on a terminal one line redrawn in place (step, bar, loss,
 * validation loss, L0, LR, tokens/s, ETA); elsewhere a plain line about every 5% of the run.
 */
final class TrainProgress implements Trainer.Listener {
    private final PrintStream err;
    private final boolean terminal;
    private final long startStep;
    private final long startNanos = System.nanoTime();
    private double val = Double.NaN;
    private double tokensPerSecond;
    private final ProgressLine line;

    TrainProgress(PrintStream err, boolean terminal, long startStep) {
        this.err = err;
        this.terminal = terminal;
        this.startStep = startStep;
        this.line = new ProgressLine(err, terminal, "train");
    }

    @Override
    public void step(Trainer.StepLog s) {
        tokensPerSecond = tokensPerSecond == 0 ? s.tokensPerSecond() : 0.9 * tokensPerSecond + 0.1 * s.tokensPerSecond();
        long every = Math.max(1, s.totalSteps() / 20);
        if (!terminal && s.step() % every != 0 && s.step() != s.totalSteps() && s.step() != startStep + 1) return;
        double elapsed = (System.nanoTime() - startNanos) / 1e9;
        double perStep = elapsed / Math.max(1, s.step() - startStep);
        long eta = Math.round(perStep * (s.totalSteps() - s.step()));
        int width = 20, filled = (int) (width * s.step() / s.totalSteps());
        String bar = "=".repeat(filled) + (filled < width ? ">" + " ".repeat(width - filled - 1) : "");
        line.show(String.format(Locale.ROOT, "train %d/%d [%s] loss %.3f%s L0 %s lr %.2e %,.0f tok/s ETA %d:%02d",
                s.step(), s.totalSteps(), bar, s.loss(), Double.isNaN(val) ? "" : String.format(Locale.ROOT, " val %.3f", val),
                compact(s.l0()), s.lr(), tokensPerSecond, eta / 60, eta % 60));
    }

    @Override
    public void validation(long step, double loss) {
        val = loss;
        if (!terminal) err.printf(Locale.ROOT, "validation loss after step %d: %.4f%n", step, loss);
    }

    @Override
    public void checkpoint(long step, Path dir) {
        if (!terminal) err.println("checkpoint at step " + step + " in " + dir);
    }

    /** Ends the redrawn line. */
    void finish() {
        line.keep();
    }

    static String compact(long n) {
        if (n >= 10_000_000) return String.format(Locale.ROOT, "%.1fM", n / 1e6);
        if (n >= 10_000) return String.format(Locale.ROOT, "%.1fk", n / 1e3);
        return Long.toString(n);
    }
}
