package sparsecircuits.cli;

import java.io.FileOutputStream;
import java.io.FileDescriptor;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import sparsecircuits.kernels.KernelProvider;

/**
 * The {@code sparse-circuits} command line: {@code sparse-circuits [--debug] <command> [options]}.
 *
 * <p>Exit status: 0 success; 1 the command ran and found a problem, or an unexpected internal
 * error (one line, and the stack trace with {@code --debug}); 2 bad input ({@link UserError}: one
 * line {@code sparse-circuits: <problem>; <fix>}, no stack trace).
 *
 * <p>{@link #run} is the whole program without {@code System.exit}, for tests and embedding.
 */
public final class Main {
    static final String PROGRAM = "sparse-circuits";
    /** Set by the launcher script to say whether standard error is a terminal ({@code true}/{@code false}). */
    static final String STDERR_TTY_PROPERTY = "sparsecircuits.stderr.tty";

    private final Map<String, Command> commands = new LinkedHashMap<>();

    private Main(List<Command> commands) {
        for (Command c : commands) {
            this.commands.put(c.name(), c);
        }
    }

    /**
     * The commands, in the order of the help. Later commands (train, resume, eval, sample, inspect,
     * prune, view, export, experiment, tasks) are added here when they exist.
     */
    static List<Command> commands() {
        return List.of(new TrainCommand(), new ResumeCommand(), new EvalCommand(), new SampleCommand(), new InspectCommand(), new TasksCommand(),
                new PruneCommand(), new ViewCommand(), new ExportCommand(),
                new ExperimentCommand(), new SweepCommand(), new DemoCommand(), new KernelsInfoCommand());
    }

    public static void main(String[] args) {
        configureLogging(Arrays.asList(args).contains("--debug"));
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), false, StandardCharsets.UTF_8);
        int status = run(args, out, System.err, stderrIsTerminal());
        out.flush();
        System.err.flush();
        System.exit(status);
    }

    /** Runs the command line {@code args}; returns the exit status. Standard error is taken as not a terminal. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        return run(args, out, err, false);
    }

    static int run(String[] args, PrintStream out, PrintStream err, boolean errIsTerminal) {
        return run(args, out, err, errIsTerminal, commands());
    }

    /** {@link #run} over the given commands (tests use their own). */
    static int run(String[] args, PrintStream out, PrintStream err, boolean errIsTerminal, List<Command> commands) {
        List<String> words = new ArrayList<>(Arrays.asList(args));
        boolean debug = words.removeIf("--debug"::equals);
        CommandContext ctx = new CommandContext(out, err, errIsTerminal, debug);
        Main main = new Main(commands);
        try {
            return main.dispatch(words, ctx);
        } catch (UserError e) {
            out.flush();
            err.println(PROGRAM + ": " + e.getMessage());
            return 2;
        } catch (sparsecircuits.model.checkpoint.CheckpointException | sparsecircuits.model.train.TrainingException e) {
            out.flush(); // a bad or missing file, or a run that cannot go on: the message says which and what to do
            err.println(PROGRAM + ": " + oneLine(String.valueOf(e.getMessage())));
            return 2;
        } catch (Exception | Error e) {
            out.flush();
            if (debug) {
                e.printStackTrace(err);
            }
            String what = e.getMessage() == null ? e.getClass().getName() : e.getClass().getName() + ": " + e.getMessage();
            err.println(PROGRAM + ": internal error: " + oneLine(what)
                    + (debug ? "" : "; rerun with --debug for the stack trace"));
            return 1;
        }
    }

    /**
     * Whether this command line will run a command (and so wants the Vector API module). Help, the
     * version and bad input (unknown command, bad options) do not: they are answered without
     * relaunching the JVM, so they print no incubator-module warning and answer faster.
     */
    public static boolean runsACommand(String[] args) {
        List<String> words = new ArrayList<>(Arrays.asList(args));
        words.removeIf("--debug"::equals);
        if (words.isEmpty()) {
            return false;
        }
        Command command = new Main(commands()).commands.get(words.get(0));
        if (command == null) {
            return false;
        }
        List<String> rest = words.subList(1, words.size());
        if (rest.contains("--help") || rest.contains("-h")) {
            return false;
        }
        try {
            command.check(command.options().parse(command.words(rest)));
            return true;
        } catch (UserError e) {
            return false;
        }
    }

    private int dispatch(List<String> words, CommandContext ctx) throws Exception {
        if (words.isEmpty()) {
            ctx.out().print(help());
            return 0;
        }
        String first = words.get(0);
        List<String> rest = words.subList(1, words.size());
        switch (first) {
            case "--help":
            case "-h":
            case "help":
                return helpCommand(rest, ctx);
            case "--version":
            case "-V":
                ctx.out().println(PROGRAM + " " + sparsecircuits.experiment.job.Engine.BUILD);
                return 0;
            default:
                break;
        }
        if (first.startsWith("-")) {
            throw new UserError("unknown option '" + first + "'",
                    "options go after the command, e.g. '" + PROGRAM + " kernels-info --json'; see '" + PROGRAM + " --help'");
        }
        Command command = commands.get(first);
        if (command == null) {
            String guess = Options.closest(first, commands.keySet());
            throw new UserError("unknown command '" + first + "'",
                    (guess != null ? "did you mean '" + guess + "'? " : "")
                            + "the commands are " + String.join(", ", commands.keySet()) + " (see '" + PROGRAM + " --help')");
        }
        if (rest.contains("--help") || rest.contains("-h")) {
            ctx.out().print(help(command));
            return 0;
        }
        Options.Parsed parsed = command.options().parse(command.words(rest));
        command.check(parsed);
        return command.run(parsed, ctx);
    }

    private int helpCommand(List<String> rest, CommandContext ctx) {
        if (rest.isEmpty()) {
            ctx.out().print(help());
            return 0;
        }
        Command c = commands.get(rest.get(0));
        if (c == null || rest.size() > 1) {
            String guess = c == null ? Options.closest(rest.get(0), commands.keySet()) : null;
            throw new UserError(c == null ? "no help for unknown command '" + rest.get(0) + "'" : "help takes one command name",
                    (guess != null ? "did you mean '" + guess + "'? " : "")
                            + "write '" + PROGRAM + " help <command>' with one of " + String.join(", ", commands.keySet()));
        }
        ctx.out().print(help(c));
        return 0;
    }

    String help() {
        StringBuilder sb = new StringBuilder();
        sb.append(PROGRAM).append(' ').append(sparsecircuits.experiment.job.Engine.BUILD)
                .append(": train weight-sparse transformers, prune them to circuits, and see the circuits.\n\n");
        sb.append("Usage: ").append(PROGRAM).append(" [--debug] <command> [options]\n");
        sb.append("       ").append(PROGRAM).append(" <command> --help\n\n");
        sb.append("Commands:\n");
        int width = Math.max("help".length(), commands.keySet().stream().mapToInt(String::length).max().orElse(0));
        for (Command c : commands.values()) {
            sb.append("  ").append(Options.pad(c.name(), width)).append("  ").append(c.summary()).append('\n');
        }
        sb.append("  ").append(Options.pad("help", width)).append("  ").append("show this help, or a command's (help <command>)\n\n");
        sb.append("Options:\n");
        sb.append("  --help, -h     show this help\n");
        sb.append("  --version      print the version\n");
        sb.append("  --debug        print the stack trace of an internal error\n\n");
        sb.append("Exit status: 0 success, 1 a failed check or an internal error, 2 bad input.\n");
        return sb.toString();
    }

    static String help(Command c) {
        StringBuilder sb = new StringBuilder();
        String args = c.usageArgs();
        sb.append("Usage: ").append(PROGRAM).append(' ').append(c.name()).append(args.isEmpty() ? "" : " " + args).append("\n\n");
        sb.append(c.description()).append("\n\n");
        sb.append("Options:\n").append(c.options().help());
        return sb.toString();
    }

    /**
     * The process-wide kernel provider. A bad {@code -Dsparsecircuits.kernels} or
     * {@code -Dsparsecircuits.threads} is the user's input, so it becomes a {@link UserError}.
     */
    static KernelProvider.Selection kernels() {
        try {
            return KernelProvider.selection();
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new UserError(oneLine(String.valueOf(e.getMessage())),
                    "fix that -Dsparsecircuits.* option (given to java or in SPARSE_CIRCUITS_JAVA_OPTS) or leave it out");
        }
    }

    private static String oneLine(String s) {
        return s.replaceAll("\\s*\\R\\s*", " ").trim();
    }

    /** From the launcher script's property, else from the JVM's own view of the console. */
    static boolean stderrIsTerminal() {
        String p = System.getProperty(STDERR_TTY_PROPERTY);
        if (p != null) {
            return Boolean.parseBoolean(p);
        }
        java.io.Console console = System.console();
        if (console == null) {
            return false;
        }
        try { // JDK 22+: System.console() may exist without a terminal; isTerminal() tells
            Method isTerminal = java.io.Console.class.getMethod("isTerminal");
            return (Boolean) isTerminal.invoke(console);
        } catch (ReflectiveOperationException e) {
            return true; // JDK < 22: a console means stdin and stdout are a terminal
        }
    }

    /** java.util.logging as one plain line per record on standard error; warnings only unless --debug. */
    static void configureLogging(boolean debug) {
        Logger root = Logger.getLogger("");
        for (Handler h : root.getHandlers()) {
            root.removeHandler(h);
        }
        Level level = debug ? Level.INFO : Level.WARNING;
        root.setLevel(level);
        root.addHandler(new Handler() {
            @Override
            public void publish(LogRecord r) {
                if (r.getLevel().intValue() >= level.intValue()) {
                    System.err.println(PROGRAM + ": " + r.getLevel().getName().toLowerCase(java.util.Locale.ROOT) + ": "
                            + oneLine(String.valueOf(new SimpleFormatter().formatMessage(r))));
                }
            }

            @Override
            public void flush() {
                System.err.flush();
            }

            @Override
            public void close() {
            }
        });
    }
}
