package sparsecircuits.cli;

import java.util.List;
import sparsecircuits.kernels.KernelProvider;
import sparsecircuits.kernels.Kernels;
import sparsecircuits.kernels.info.KernelBench;
import sparsecircuits.kernels.info.KernelChecks;
import sparsecircuits.kernels.info.PlatformInfo;
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
        boolean json = options.has("--json");
        boolean noBench = options.has("--no-bench");
        double seconds = options.number("--seconds", DEFAULT_SECONDS);

        KernelsInfoReport report = measure(ctx, seconds, noBench);
        if (json) {
            ctx.out().println(Json.writePretty(report.toJson()));
        } else {
            ctx.out().print(report.toText());
        }
        ctx.out().flush();
        if (!report.checksPassed()) {
            long failed = report.checks().stream().filter(r -> !r.ok()).count();
            ctx.err().println("sparse-circuits: " + failed + " kernel check(s) disagree with the scalar reference"
                    + "; please report it with the output of 'sparse-circuits kernels-info --json'"
                    + " (meanwhile -Dsparsecircuits.kernels=scalar selects the reference kernels)");
            return 1;
        }
        return 0;
    }

    static KernelsInfoReport measure(CommandContext ctx, double seconds, boolean noBench) {
        KernelProvider.Selection selection = Main.kernels();
        Kernels kernels = selection.kernels();
        PlatformInfo platform = PlatformInfo.detect();
        KernelsInfoReport.Provider provider = new KernelsInfoReport.Provider(kernels.name(), selection.reason(),
                kernels.vectorBitSize(), kernels.usesFma());
        int total = noBench ? 1 : 1 + KernelBench.steps();
        KernelBench.Report bench = null;
        List<KernelChecks.Result> checks;
        try (ProgressLine progress = new ProgressLine(ctx.err(), ctx.errIsTerminal(), "kernels-info")) {
            progress.step(0, total, "checking " + kernels.name() + " kernels against the scalar reference");
            checks = KernelChecks.run(kernels);
            if (!noBench) {
                bench = KernelBench.run(seconds, (i, n, what) -> progress.step(1 + i, total,
                        "benchmark (~" + Math.round(seconds) + " s): " + what));
            }
        }
        return new KernelsInfoReport(Version.get(), platform, provider, kernels.pool().threads(), checks, bench);
    }
}
