package sparsecircuits.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code demo}: the main job on the embedded default. Today that is training a small weight-sparse GPT on the
 * synthetic Python corpus, its validation loss against unigram/bigram baselines, a sample, four tasks' losses
 * and the pruned circuit of the best-solved one. The dense baseline, the controls and the report join with the
 * circuits issue.
 */
final class DemoCommand implements Command {
    static final String DEFAULT_OUT = "runs/demo";

    @Override
    public String name() {
        return "demo";
    }

    /** The demo's tasks: the quote task (with the controls) and those the small models solve most often. */
    static final List<String> TASKS = List.of("single_double_quote", "while_return_true", "lambda_func", "else_elif", "fstring_brace");

    @Override
    public String summary() {
        return "the experiment at laptop size: sparse + 3 dense models, circuits of the solved tasks, controls, report.html (~10 min)";
    }

    @Override
    public String description() {
        return "Runs 'experiment' at the size a 10-minute budget allows on 2 cores: the default weight-sparse model (2 layers,\n"
                + "d_model 128, pfrac 1/4 of a width-64 base, AbsTopK 1/4, sink, bigram table) and dense models of width 48 and 64\n"
                + "trained for --steps steps of 16 × 64 tokens on the embedded synthetic Python corpus; the dense model\n"
                + "closest in validation loss is the loss-matched baseline. Then " + TASKS.size() + " tasks are evaluated on both; every task\n"
                + "both solve is pruned in both at targets 0.3, 0.15 and 0.08, with the controls (random-init model, inverted task,\n"
                + "zero ablation) on every circuit. Writes --out/models, --out/circuits (each circuit with its viewer page\n"
                + "view.html, linked from the report), experiment.json and report.html, and prints where the report is.\n"
                + "Finished models are reused and an interrupted run resumes.";
    }

    @Override
    public Options options() {
        return new Options(name())
                .option("--out", "DIR", "run directory (default " + DEFAULT_OUT + ")")
                .number("--steps", "N", "training steps of every model (default " + STEPS + ")", 1, 1e9, Long.toString(STEPS));
    }

    static final long STEPS = 3500;

    @Override
    public int run(Options.Parsed options, CommandContext ctx) {
        Path dir = Path.of(options.value("--out", DEFAULT_OUT));
        ctx.err().println("demo: sparse vs dense circuits on the embedded synthetic Python corpus, into " + dir);
        ExperimentCommand.Plan plan = new ExperimentCommand.Plan(dir, (long) options.number("--steps", STEPS), List.of(48, 64), TASKS,
                List.of(0.3, 0.15, 0.08), 0.15, 150, List.of(1e-3), 128, TASKS, 0.05, 0, "sparse-circuits demo: weight-sparse vs dense circuits");
        int status = ExperimentCommand.run(plan, ctx);
        ctx.out().println();
        ctx.out().println("next: open the report in a browser; 'sparse-circuits experiment --help' for the full-size run,");
        ctx.out().println("'prune --help' to prune one model and task yourself, 'inspect --model DIR' for a model's L0 per tensor.");
        return status;
    }
}
