package sparsecircuits.cli;

import java.io.PrintStream;

/**
 * A simple progress indicator on standard error: on a terminal one line redrawn in place
 * ({@code \r}) and erased when done; elsewhere (a pipe, a log file) one plain line per step.
 */
final class ProgressLine implements AutoCloseable {
    private final PrintStream err;
    private final boolean terminal;
    private final String prefix;
    private int lastWidth;

    ProgressLine(PrintStream err, boolean terminal, String prefix) {
        this.err = err;
        this.terminal = terminal;
        this.prefix = prefix;
    }

    /** Shows step {@code index} (0-based) of {@code total}. */
    void step(int index, int total, String what) {
        show(prefix + " [" + (index + 1) + "/" + total + "] " + what);
    }

    /** Shows one progress line: redrawn in place on a terminal, a new line elsewhere. */
    void show(String line) {
        if (terminal) {
            err.print("\r" + Options.pad(line, lastWidth));
            lastWidth = line.length();
        } else {
            err.println(line);
        }
        err.flush();
    }

    /** Ends the redrawn line on a terminal so it stays visible. */
    void keep() {
        if (terminal && lastWidth > 0) {
            err.println();
            err.flush();
            lastWidth = 0;
        }
    }

    /** Erases the line on a terminal. */
    @Override
    public void close() {
        if (terminal && lastWidth > 0) {
            err.print("\r" + " ".repeat(lastWidth) + "\r");
            err.flush();
            lastWidth = 0;
        }
    }
}
