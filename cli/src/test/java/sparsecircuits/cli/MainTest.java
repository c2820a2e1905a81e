package sparsecircuits.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import sparsecircuits.model.json.Json;

class MainTest {

    /** One run of the command line: exit status and what went to stdout and stderr. */
    record Run(int status, String out, String err) {
        List<String> errLines() {
            return err.isEmpty() ? List.of() : List.of(err.split("\n"));
        }
    }

    static Run run(String... args) {
        return run(Main.commands(), args);
    }

    static Run run(List<Command> commands, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            status = Main.run(args, o, e, false, commands);
        }
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** Bad input: exit 2, nothing on stdout, one line on stderr naming {@code fragment}, no exception text. */
    static void assertOneLineError(Run r, String fragment) {
        assertEquals(2, r.status(), r.toString());
        assertEquals("", r.out());
        assertEquals(1, r.errLines().size(), r.err());
        assertTrue(r.err().startsWith("sparse-circuits: "), r.err());
        assertFalse(r.err().contains("Exception"), r.err());
        assertTrue(r.err().contains(fragment), "'" + fragment + "' in " + r.err());
    }

    private static void assertUserError(Run r, String... fragments) {
        assertEquals(2, r.status(), r.toString());
        assertEquals("", r.out(), "nothing on stdout");
        List<String> lines = r.errLines();
        assertEquals(1, lines.size(), "exactly one line on stderr: " + r.err());
        String line = lines.get(0);
        assertTrue(line.startsWith("sparse-circuits: "), line);
        assertTrue(line.contains("; "), "says what is wrong; then how to fix it: " + line);
        assertFalse(line.contains("Exception"), line);
        for (String f : fragments) {
            assertTrue(line.contains(f), "'" + f + "' in: " + line);
        }
    }

    @ParameterizedTest
    @CsvSource({"--help", "-h", "help", "''"})
    void topLevelHelpListsTheCommands(String arg) {
        Run r = arg.isEmpty() ? run() : run(arg);
        assertEquals(0, r.status());
        assertEquals("", r.err());
        assertTrue(r.out().startsWith("sparse-circuits "), r.out());
        assertTrue(r.out().contains("Usage: sparse-circuits [--debug] <command> [options]"), r.out());
        for (String c : List.of("demo", "kernels-info", "help")) {
            assertTrue(r.out().contains("\n  " + c + " "), c + " in " + r.out());
        }
    }

    @ParameterizedTest
    @CsvSource({"kernels-info,--help", "kernels-info,-h", "help,kernels-info", "demo,--help", "help,demo",
            "kernels-info,--json --help"})
    void everyCommandHasHelp(String first, String second) {
        String[] args = (first + " " + second).split(" ");
        Run r = run(args);
        assertEquals(0, r.status(), r.toString());
        String command = first.equals("help") ? second : first;
        assertTrue(r.out().startsWith("Usage: sparse-circuits " + command), r.out());
        assertTrue(r.out().contains("--help, -h"), r.out());
        if (command.equals("kernels-info")) {
            assertTrue(r.out().contains("--seconds N"), r.out());
            assertTrue(r.out().contains("--json"), r.out());
        }
    }

    @Test
    void printsTheVersion() {
        Run r = run("--version");
        assertEquals(0, r.status());
        assertTrue(r.out().matches("sparse-circuits \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?\\n"), r.out());
    }

    @Test
    void unknownCommand() {
        assertUserError(run("bogus-command"), "unknown command 'bogus-command'", "demo, kernels-info");
        assertUserError(run("kernel-info"), "did you mean 'kernels-info'?");
        assertUserError(run("--debug", "dmeo"), "did you mean 'demo'?");
        assertUserError(run("help", "bogus"), "no help for unknown command 'bogus'");
        assertUserError(run("--bogus"), "unknown option '--bogus'");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "--jsn                   | unknown option '--jsn' for kernels-info | did you mean '--json'?",
        "--sconds 3              | unknown option '--sconds' for kernels-info | did you mean '--seconds'?",
        "--seconds               | option --seconds needs a value | --seconds N",
        "--seconds --json        | option --seconds needs a value | --seconds N",
        "--seconds ten           | --seconds must be a number from 0.5 to 3600, got 'ten' | --seconds 5",
        "--seconds 0             | got '0' | --seconds 5",
        "--seconds -3            | got '-3' | --seconds 5",
        "--seconds NaN           | got 'NaN' | --seconds 5",
        "--seconds Infinity      | got 'Infinity' | --seconds 5",
        "--seconds 1e9           | got '1e9' | --seconds 5",
        "--seconds 0x10          | got '0x10' | --seconds 5",
        "--seconds=abc           | got 'abc' | --seconds 5",
        "--json=yes              | option --json takes no value, got 'yes' | write just --json",
        "--json --json           | option --json is given more than once | give it once",
        "extra                   | unexpected argument 'extra' for kernels-info | takes only options",
        "--json extra            | unexpected argument 'extra' for kernels-info | takes only options",
        "-j                      | unknown option '-j' for kernels-info | kernels-info --help",
        "--no-bench --seconds 3  | --seconds and --no-bench contradict each other | give one of them",
    })
    void badKernelsInfoOptions(String args, String problem, String fix) {
        String[] words = ("kernels-info " + args.trim()).split("\\s+");
        assertUserError(run(words), problem, fix);
    }

    @Test
    void demoTakesNoOptions() {
        assertUserError(run("demo", "--json"), "unknown option '--json' for demo");
    }

    @Test
    void internalErrorsAreOneLineWithAHintAndExitOne() {
        Command boom = new Command() {
            public String name() { return "boom"; }
            public String summary() { return "fails"; }
            public String description() { return "fails"; }
            public Options options() { return new Options("boom"); }
            public int run(Options.Parsed o, CommandContext ctx) {
                throw new IllegalStateException("kaboom\nsecond line");
            }
        };
        Run r = run(List.of(boom), "boom");
        assertEquals(1, r.status());
        assertEquals(List.of("sparse-circuits: internal error: java.lang.IllegalStateException: kaboom second line; "
                + "rerun with --debug for the stack trace"), r.errLines());

        Run debug = run(List.of(boom), "boom", "--debug");
        assertEquals(1, debug.status());
        assertTrue(debug.err().contains("\tat "), "stack trace with --debug: " + debug.err());
        assertTrue(debug.err().endsWith("sparse-circuits: internal error: java.lang.IllegalStateException: kaboom second line\n"),
                debug.err());
    }

    @Test
    void aUserErrorThrownByACommandIsOneLineAndExitTwo() {
        Command bad = new Command() {
            public String name() { return "bad"; }
            public String summary() { return "rejects its input"; }
            public String description() { return "rejects"; }
            public Options options() { return new Options("bad"); }
            public int run(Options.Parsed o, CommandContext ctx) {
                ctx.out().print("partial");
                throw new UserError("the file x.json does not exist", "give an existing file");
            }
        };
        Run r = run(List.of(bad), "bad");
        assertEquals(2, r.status());
        assertEquals(List.of("sparse-circuits: the file x.json does not exist; give an existing file"), r.errLines());
    }

    @Test
    void runsACommandOnlyForValidCommandLines() {
        assertTrue(Main.runsACommand(new String[] {"kernels-info"}));
        assertTrue(Main.runsACommand(new String[] {"--debug", "kernels-info", "--json", "--seconds", "2"}));
        assertTrue(Main.runsACommand(new String[] {"demo"}));
        assertFalse(Main.runsACommand(new String[] {}));
        assertFalse(Main.runsACommand(new String[] {"--help"}));
        assertFalse(Main.runsACommand(new String[] {"--version"}));
        assertFalse(Main.runsACommand(new String[] {"help", "demo"}));
        assertFalse(Main.runsACommand(new String[] {"kernels-info", "--help"}));
        assertFalse(Main.runsACommand(new String[] {"bogus-command"}));
        assertFalse(Main.runsACommand(new String[] {"kernels-info", "--seconds", "x"}));
        assertFalse(Main.runsACommand(new String[] {"kernels-info", "--seconds", "3", "--no-bench"}));
    }

    @Test
    void kernelsInfoJsonWithoutBenchIsOneParsableObject() {
        Run r = run("kernels-info", "--json", "--no-bench");
        assertEquals(0, r.status(), r.err());
        @SuppressWarnings("unchecked")
        Map<String, Object> json = (Map<String, Object>) Json.parse(r.out());
        assertEquals("sparse-circuits/kernels-info/1", json.get("schema"));
        assertEquals(Boolean.TRUE, json.get("checks_passed"));
        assertEquals(24, ((List<?>) json.get("checks")).size());
        assertTrue(json.containsKey("bench"));
        assertEquals(null, json.get("bench"));
        assertTrue(r.err().contains("[1/1] checking"), "progress on stderr: " + r.err());
    }

    @Test
    void kernelsInfoTextWithoutBench() {
        Run r = run("kernels-info", "--no-bench");
        assertEquals(0, r.status(), r.err());
        for (String s : List.of("JDK", "CPU", "provider", "vectors", "threads", "24 of 24 kernels agree", "attentionBackward",
                "Benchmark skipped")) {
            assertTrue(r.out().contains(s), s + " in " + r.out());
        }
    }
}
