package sparsecircuits.cli;

/**
 * One subcommand of {@code sparse-circuits}. A command declares its options, gets them parsed, and
 * returns an exit status: 0 for success, 1 when it ran but found a problem (e.g. a failed check).
 * Bad input is thrown as {@link UserError} (exit 2); anything else is an internal error (exit 1).
 * Commands print results on {@link CommandContext#out()} and progress/notices on
 * {@link CommandContext#err()}; they never call {@code System.exit}.
 */
interface Command {

    /** The word that selects the command, e.g. {@code kernels-info}. */
    String name();

    /** One line for the top-level command list. */
    String summary();

    /** The words after the command name in its usage line, e.g. {@code [--json] [--seconds N]}. */
    default String usageArgs() {
        StringBuilder sb = new StringBuilder();
        for (Options.Spec s : options().specs()) {
            sb.append(sb.length() == 0 ? "" : " ").append('[').append(s.usage()).append(']');
        }
        return sb.toString();
    }

    /** A paragraph or two for {@code <command> --help}, after the usage line. */
    String description();

    /** Leading words a command takes besides options (e.g. {@code tasks show NAME}), turned into options. */
    default java.util.List<String> words(java.util.List<String> args) {
        return args;
    }

    /** The options this command accepts. */
    Options options();

    /**
     * Rejects option combinations that each option alone cannot (throws {@link UserError}); called
     * before {@link #run}, and by the launcher to tell a runnable command line from bad input.
     */
    default void check(Options.Parsed options) {
    }

    /** Runs the command (after {@link #check}). */
    int run(Options.Parsed options, CommandContext ctx) throws Exception;
}
