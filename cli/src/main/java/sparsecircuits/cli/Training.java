package sparsecircuits.cli;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import sparsecircuits.model.train.Trainer;

/** A training run in the foreground, for {@code train} and {@code resume}: the progress bar, and Ctrl-C as a clean stop. */
final class Training {
    private Training() {
    }

    /** Runs a trainer to the end with the progress bar; Ctrl-C checkpoints and stops cleanly. */
    static int run(Trainer trainer, Path dir, CommandContext ctx) {
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch done = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            stop.set(true);
            try {
                done.await(120, TimeUnit.SECONDS); // let the loop finish its step and write the checkpoint
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
        }, "sparse-circuits-ctrl-c");
        Runtime.getRuntime().addShutdownHook(hook);
        TrainProgress progress = new TrainProgress(ctx.err(), ctx.errIsTerminal(), trainer.stepsDone());
        long t0 = System.nanoTime();
        try {
            Trainer.Outcome outcome = trainer.run(dir, progress, stop::get);
            progress.finish();
            double s = (System.nanoTime() - t0) / 1e9;
            if (outcome == Trainer.Outcome.STOPPED) {
                ctx.err().println("stopped at step " + trainer.stepsDone() + "; checkpoint saved; continue with '"
                        + Main.PROGRAM + " resume --run " + dir + "'");
                return 130;
            }
            ctx.out().printf(Locale.ROOT, "trained %d steps in %.1f s; validation loss %.4f; model in %s%n",
                    trainer.stepsDone(), s, trainer.lastValidation(), dir);
            return 0;
        } catch (sparsecircuits.model.train.TrainingException e) {
            progress.finish();
            long last = trainer.lastCheckpointStep();
            throw new UserError(e.getMessage(), last >= 0 ? "the checkpoint of step " + last + " in " + dir + " is intact"
                    : "no checkpoint was written yet");
        } finally {
            done.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException ignored) {
                // the JVM is already shutting down (Ctrl-C): the hook is running
            }
        }
    }
}
