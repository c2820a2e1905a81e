package sparsecircuits.cli;

import java.io.PrintStream;

/**
 * Where a command writes and how: results to {@code out}, progress and notices to {@code err}.
 *
 * @param out              standard output (results: tables, JSON)
 * @param err              standard error (progress, notices, warnings)
 * @param errIsTerminal    whether {@code err} is an interactive terminal (progress redraws one line)
 * @param debug            whether {@code --debug} was given
 */
record CommandContext(PrintStream out, PrintStream err, boolean errIsTerminal, boolean debug) {
}
