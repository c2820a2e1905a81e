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
        return "the frontier experiment at laptop size: 2 sparse widths + 2 dense, circuits of the solved tasks, controls, report.html (~10 min)";
    }

    @Override
    public String description() {
        ExperimentSettings d = ExperimentSettings.demo().build();
        return "Runs 'experiment --preset demo', the size a 10-minute budget allows on 2 cores: weight-sparse models of d_model\n"
                + d.sparseWidths() + " at one L0 (pfrac " + d.pfrac() + " of a width-" + d.baseWidth() + " base, so E "
                + d.sparseWidths().stream().map(w -> Integer.toString(w / d.baseWidth())).toList() + "; 2 layers, AbsTopK 1/4, sink, bigram\n"
                + "table) and dense models of d_model " + d.denseWidths() + ", trained for --steps steps of " + d.batch() + " × " + d.ctx()
                + " tokens on the embedded synthetic\n"
                + "Python corpus; each sparse model is paired with the dense model closest in validation loss. Then " + d.tasks().size()
                + " tasks are\nevaluated on every model; every task a model solves is pruned in it at targets " + d.targets() + ", with the\n"
                + "controls (random-init model, inverted task, nonsense task, zero ablation) on " + String.join(", ", d.controls()) + ".\n"
                + "Writes --out/models, --out/circuits (each circuit with its viewer page view.html, linked from the report),\n"
                + "--out/jobs, experiment.json and report.html, and prints where the report is. Finished jobs are found on a rerun\n"
                + "and an interrupted run resumes.";
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
        ctx.err().println("demo: weight-sparse vs dense circuits at two sparse widths, on the embedded synthetic Python corpus, into " + dir);
        ExperimentSettings.Builder b = ExperimentSettings.demo();
        ExperimentSettings s = b.steps((long) o.number("--steps", b.build().steps())).build();
        int status = ExperimentRun.run(s, dir.toString(), o, ctx);
        ctx.out().println();
        ctx.out().println("next: open the report in a browser; 'sparse-circuits experiment --help' for the full-size run,");
        ctx.out().println("'prune --help' to prune one model and task yourself, 'inspect --model DIR' for a model's L0 per tensor.");
        return status;
    }
}
