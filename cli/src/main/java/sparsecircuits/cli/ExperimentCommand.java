package sparsecircuits.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import sparsecircuits.experiment.plan.ExperimentSettings;
import sparsecircuits.pruning.tasks.PaperTasks;
import sparsecircuits.model.train.SettingException;
import sparsecircuits.pruning.tasks.Task;

/**
 * {@code experiment}: the paper's headline measured (SPEC §6.1, §8): a weight-sparse model and dense models of
 * several widths trained on the same corpus and token budget, the dense one closest in validation loss picked,
 * both pruned on every task both solve, at a sweep of target losses, with the controls, into report.html. The
 * library's {@link ExperimentPlan} does the work as jobs; this command parses, runs it and prints.
 */
final class ExperimentCommand implements Command {
    static final String DEFAULT_OUT = "runs/experiment";

    @Override
    public String name() {
        return "experiment";
    }

    @Override
    public String summary() {
        return "sparse vs loss-matched dense: train both, prune every solved task at several targets, controls, report.html";
    }

    @Override
    public String description() {
        return "Trains the default weight-sparse model ('train': 2 layers, d_model 128, pfrac 1/4 of a width-64 base) and\n"
                + "dense models of each --dense-widths on the same corpus, steps and batch; picks the dense model whose\n"
                + "validation loss is closest to the sparse one's (loss-matched, SPEC §6.1); evaluates every task on both; prunes\n"
                + "each task both models solve (held-out task loss ≤ --solved-below) in both, training the node masks at each\n"
                + "k_coef of --k-coefs and bisecting to each of --targets (each target keeps the fewest edges); runs the controls\n"
                + "(random-init model with the same nonzeros, inverted task, zero ablation) on the tasks named by --controls.\n"
                + "The work is a plan of jobs (train, node means, evaluate, prune, viewer page, report), --jobs at once with\n"
                + "--job-threads kernel threads each. Writes into --out:\n"
                + "  models/ID/            the trained models\n"
                + "  circuits/ID/TASK/     circuit.json + circuit.safetensors at the main --target, per model and task, and\n"
                + "                        view.html, its viewer page (a page that fails is noted, not fatal)\n"
                + "  jobs/ID.json          one record per finished job (its inputs, result and time)\n"
                + "  experiment.json       every figure (schema sparse-circuits-experiment/1)\n"
                + "  report.html           one offline page: training curves, L0 schedule, per-task nodes and edges, the\n"
                + "                        geometric-mean edge ratio, edges vs target loss, controls, unsolved tasks\n"
                + "A rerun finds every finished job and runs only those whose inputs changed, and the report. Ctrl-C\n"
                + "checkpoints; a killed run loses at most the jobs in flight.";
    }

    @Override
    public Options options() {
        return RunFlags.add(new Options(name())
                .option("--out", "DIR", "experiment directory (default " + DEFAULT_OUT + ")")
                .number("--steps", "N", "training steps of every model (default 6000)", 1, 1e9, "6000")
                .option("--dense-widths", "LIST", "d_model of the dense baselines, comma-separated multiples of 16 (default 32,48,64,96)")
                .option("--tasks", "all|LIST", "tasks to evaluate: all 20 paper tasks (default) or names / .jsonl files, comma-separated")
                .option("--targets", "LIST", "target task losses of the sweep (default 0.3,0.15,0.08)")
                .number("--target", "L", "the main target: circuits written, controls and the headline ratio (default 0.15)", 1e-6, 10, "0.15")
                .number("--prune-steps", "N", "mask-training steps per pruning (default 200)", 1, 1e6, "200")
                .option("--k-coefs", "LIST", "k_coef grid: masks are trained with each, and each target keeps the circuit with the fewest edges (default 3e-4,1e-3,3e-3)")
                .number("--pairs", "N", "training pairs per task (default 256; held-out: half as many)", 4, 1e6, "256")
                .option("--controls", "all|none|LIST", "tasks whose circuits get the controls (default all)")
                .number("--solved-below", "L", "a model solves a task when its unpruned held-out loss is at most this (default 0.05)", 1e-6, 10, "0.05")
                .number("--seed", "N", "seed of models, pairs and masks (default 0)", 0, 1e15, "0"));
    }

    @Override
    public void check(Options.Parsed o) {
        ModelDir.wholeNumbers(o, "--steps", "--prune-steps", "--pairs", "--seed");
        RunFlags.check(o);
        settings(o);
    }

    @Override
    public int run(Options.Parsed o, CommandContext ctx) throws IOException {
        return ExperimentRun.run(settings(o), Path.of(o.value("--out", DEFAULT_OUT)), RunFlags.runner(o), ctx);
    }

    /** Parses the flags into the library's settings; the library checks them, and a refusal is one UserError naming the flag. */
    ExperimentSettings settings(Options.Parsed o) {
        ExperimentSettings.Builder b = ExperimentSettings.builder().steps((long) o.number("--steps", 6000))
                .mainTarget(o.number("--target", 0.15)).pruneSteps((int) o.number("--prune-steps", 200)).pairs((int) o.number("--pairs", 256))
                .solvedBelow(o.number("--solved-below", 0.05)).seed((long) o.number("--seed", 0));
        if (o.has("--dense-widths")) b.denseWidths(list(o, "--dense-widths", "32,48,64", Integer::parseInt, "is not a whole number"));
        List<String> tasks = o.value("--tasks", "all").equals("all") ? PaperTasks.all().stream().map(Task::name).toList()
                : list(o, "--tasks", "if_equals,var_swap", s -> s, "");
        b.tasks(tasks);
        if (o.has("--targets")) b.targets(list(o, "--targets", "0.3,0.15,0.08", Double::parseDouble, "is not a number"));
        if (o.has("--k-coefs")) b.kCoefs(list(o, "--k-coefs", "3e-4,1e-3,3e-3", Double::parseDouble, "is not a number"));
        String cs = o.value("--controls", "all");
        b.controls(cs.equals("all") ? tasks : cs.equals("none") ? List.of() : list(o, "--controls", "if_equals", s -> s, ""));
        try {
            return b.build();
        } catch (SettingException e) {
            throw SettingFlags.userError(e, this);
        } catch (IllegalArgumentException e) { // a task: an unknown name (with a guess at the one meant) or a file that does not read
            throw TaskArg.userError(e);
        }
    }

    private static <T> List<T> list(Options.Parsed o, String flag, String example, Function<String, T> parse, String what) {
        List<T> out = new ArrayList<>();
        for (String raw : o.value(flag, "").split(",")) {
            String s = raw.trim();
            try {
                out.add(parse.apply(s));
            } catch (NumberFormatException e) {
                throw new UserError(flag + ": '" + s + "' " + (what.isEmpty() ? "is not valid" : what), "write e.g. " + flag + " " + example);
            }
        }
        return out;
    }
}
