package sparsecircuits.cli;

import sparsecircuits.kernels.info.KernelsInfo;
import sparsecircuits.model.json.Json;

/** {@code kernels-info}: the platform, the chosen kernel provider, a check of every kernel, and a short benchmark. */
final class KernelsInfoCommand implements Command {
    static final double DEFAULT_SECONDS = 10;

    @Override
    public String name() {
        return "kernels-info";
    }

    @Override
    public String summary() {
        return "show the JDK, CPU and kernel provider, check every kernel, and benchmark them (~10 s)";
    }

    @Override
    public String description() {
        return "Prints the JDK, the CPU, the kernel provider in use (vector or scalar, and why), its vector width,\n"
                + "FMA use and thread count; checks every kernel against the scalar reference on small random\n"
                + "inputs; then runs a time-boxed single-thread micro-benchmark: FMA peak, dense GEMM, CSR SpMM at\n"
                + "densities 1/4, 1/8, 1/16 and 1/64 against the dense product on the same layer, the sparse input\n"
                + "gradient (dX) against the dense one, and exact top-k. Progress goes to standard error.\n"
                + "\n"
                + "Exit status: 0 when every kernel agrees with the reference, 1 when one does not, 2 for bad options.\n"
                + "The JSON keys are documented in the README (kernels-info --json).";
    }

    @Override
    public Options options() {
        return new Options(name())
                .flag("--json", "print one JSON object on standard output instead of the tables")
                .number("--seconds", "N", "time budget of the benchmark in seconds (default 10; 0.5 to 3600)", 0.5, 3600, "5")
                .flag("--no-bench", "skip the benchmark: platform and checks only");
    }

    @Override
    public void check(Options.Parsed options) {
        if (options.has("--no-bench") && options.has("--seconds")) {
            throw new UserError("--seconds and --no-bench contradict each other", "give one of them");
        }
    }

    @Override
    public int run(Options.Parsed options, CommandContext ctx) {
        double seconds = options.has("--no-bench") ? 0 : options.number("--seconds", DEFAULT_SECONDS);
        KernelsInfo info;
        try (ProgressLine progress = new ProgressLine(ctx.err(), ctx.errIsTerminal(), "kernels-info")) {
            info = KernelsInfo.measure(sparsecircuits.experiment.job.Engine.BUILD, Main.kernels(), seconds, progress::step);
        }
        if (options.has("--json")) {
            ctx.out().println(Json.writePretty(info.toJson()));
        } else {
            ctx.out().print(KernelsInfoReport.text(info));
        }
        ctx.out().flush();
        if (!info.checksPassed()) {
            ctx.err().println("sparse-circuits: " + info.failedChecks() + " kernel check(s) disagree with the scalar reference"
                    + "; please report it with the output of 'sparse-circuits kernels-info --json'"
                    + " (meanwhile -Dsparsecircuits.kernels=scalar selects the reference kernels)");
            return 1;
        }
        return 0;
    }
}
