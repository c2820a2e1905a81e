package sparsecircuits.cli;

import java.io.IOException;
import java.nio.file.Path;
import sparsecircuits.experiment.plan.ExperimentSettings;

/**
 * {@code demo}: the main job on the embedded default: the experiment at the size a 10-minute budget allows on 2
 * cores ({@link ExperimentSettings#demo()}), then where to go next.
 */
final class DemoCommand implements Command {
    static final String DEFAULT_OUT = "runs/demo";

    @Override
    public String name() {
        return "demo";
    }

    @Override
    public String summary() {
        return "the experiment at laptop size: sparse + 2 dense models, circuits of the solved tasks, controls, report.html (~10 min)";
    }

    @Override
    public String description() {
        ExperimentSettings d = ExperimentSettings.demo().build();
        return "Runs 'experiment' at the size a 10-minute budget allows on 2 cores: the default weight-sparse model (2 layers,\n"
                + "d_model 128, pfrac 1/4 of a width-64 base, AbsTopK 1/4, sink, bigram table) and dense models of width "
                + d.denseWidths().get(0) + " and " + d.denseWidths().get(1) + "\n"
                + "trained for --steps steps of 16 × 64 tokens on the embedded synthetic Python corpus; the dense model\n"
                + "closest in validation loss is the loss-matched baseline. Then " + d.tasks().size() + " tasks are evaluated on both; every task\n"
                + "both solve is pruned in both at targets " + d.targets() + ", with the controls (random-init model, inverted task,\n"
                + "zero ablation) on every circuit. Writes --out/models, --out/circuits (each circuit with its viewer page\n"
                + "view.html, linked from the report), --out/jobs, experiment.json and report.html, and prints where the report is.\n"
                + "Finished jobs are found on a rerun and an interrupted run resumes.";
    }

    @Override
    public Options options() {
        return RunFlags.add(new Options(name())
                .option("--out", "DIR", "run directory (default " + DEFAULT_OUT + ")")
                .number("--steps", "N", "training steps of every model (default " + ExperimentSettings.demo().build().steps() + ")", 1, 1e9,
                        Long.toString(ExperimentSettings.demo().build().steps())));
    }

    @Override
    public void check(Options.Parsed o) {
        ModelDir.wholeNumbers(o, "--steps");
        RunFlags.check(o);
    }

    @Override
    public int run(Options.Parsed o, CommandContext ctx) throws IOException {
        Path dir = Path.of(o.value("--out", DEFAULT_OUT));
        ctx.err().println("demo: sparse vs dense circuits on the embedded synthetic Python corpus, into " + dir);
        ExperimentSettings.Builder b = ExperimentSettings.demo();
        ExperimentSettings s = b.steps((long) o.number("--steps", b.build().steps())).build();
        int status = ExperimentRun.run(s, dir, RunFlags.runner(o), ctx);
        ctx.out().println();
        ctx.out().println("next: open the report in a browser; 'sparse-circuits experiment --help' for the full-size run,");
        ctx.out().println("'prune --help' to prune one model and task yourself, 'inspect --model DIR' for a model's L0 per tensor.");
        return status;
    }
}
