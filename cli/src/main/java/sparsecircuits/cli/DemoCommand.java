package sparsecircuits.cli;

/**
 * {@code demo}: the main job. Training and pruning come with later issues; until then it says so
 * and runs {@code kernels-info}, the part that is there.
 */
final class DemoCommand implements Command {

    @Override
    public String name() {
        return "demo";
    }

    @Override
    public String summary() {
        return "run the main job (for now: what is there yet, then kernels-info)";
    }

    @Override
    public String description() {
        return "The demo will train a small sparse model and a dense baseline on the embedded Python corpus,\n"
                + "prune circuits for several tasks and write a report. Those parts come with later issues; for\n"
                + "now the demo says what is there and runs 'sparse-circuits kernels-info'.";
    }

    @Override
    public Options options() {
        return new Options(name());
    }

    @Override
    public int run(Options.Parsed options, CommandContext ctx) {
        ctx.out().println("sparse-circuits demo: training a sparse model and a dense baseline, pruning circuits and the");
        ctx.out().println("report come with later issues. What is there yet: the kernels (scalar and Vector API),");
        ctx.out().println("checked and benchmarked by 'sparse-circuits kernels-info', which runs now.");
        ctx.out().println();
        Options.Parsed none = new KernelsInfoCommand().options().parse(java.util.List.of());
        return new KernelsInfoCommand().run(none, ctx);
    }
}
