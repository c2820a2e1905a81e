package sparsecircuits.cli;

import java.util.Locale;
import java.util.stream.Collectors;
import sparsecircuits.model.checkpoint.ModelFiles;
import sparsecircuits.model.checkpoint.ModelSummary;
import sparsecircuits.model.json.Json;

/** {@code inspect}: what a model directory holds: config, parameter counts, L0 per tensor, training progress. */
final class InspectCommand implements Command {

    @Override
    public String name() {
        return "inspect";
    }

    @Override
    public String summary() {
        return "show a model's config, parameter counts, nonzeros (L0) per tensor and training progress";
    }

    @Override
    public String description() {
        return "Prints the model's config (the reference GPTConfig fields of config.json), its parameter count, and its L0:\n"
                + "the nonzero weights in total and per tensor with their density. For a run made by 'train' it adds the\n"
                + "L0 budget the schedule allows at the steps done (the minimum-per-neuron rule may keep a few more) and\n"
                + "the progress in train-log.jsonl: steps done of the total, last training loss, last validation loss.";
    }

    @Override
    public Options options() {
        return new Options(name())
                .option("--model", "DIR", "the model directory (config.json, model.safetensors; required)")
                .flag("--json", "print one JSON object instead of the tables");
    }

    @Override
    public void check(Options.Parsed o) {
        ModelDir.require(o, name());
    }

    @Override
    public int run(Options.Parsed o, CommandContext ctx) {
        ModelSummary m = ModelSummary.of(ModelDir.require(o, name()));
        if (m.budgetProblem() != null) ctx.err().println("inspect: no L0 budget: " + m.budgetProblem());
        if (o.has("--json")) {
            ctx.out().println(Json.writePretty(m.toJson()));
        } else {
            ctx.out().print(text(m));
        }
        return 0;
    }

    private static String text(ModelSummary m) {
        StringBuilder sb = new StringBuilder();
        sb.append("model       ").append(m.dir()).append('\n');
        sb.append("config      ").append(ModelFiles.referenceConfig(m.config()).entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(" "))).append('\n');
        sb.append(String.format(Locale.ROOT, "parameters  %,d%n", m.parameters()));
        sb.append(String.format(Locale.ROOT, "nonzeros    %,d (L0; density %.4f)%n", m.nonzeros(), m.density()));
        ModelSummary.Training t = m.training();
        boolean scheduled = m.budget() != null;
        if (scheduled) {
            sb.append(String.format(Locale.ROOT, "budget      %,d allowed by the L0 schedule after %,d steps%n", m.budget(), t.stepsDone()));
        }
        if (t != null) {
            sb.append(String.format(Locale.ROOT, "training    %s, %s steps done of %s; last loss %s, last validation loss %s%s; %s%n",
                    t.mode() == null ? "unknown mode" : t.mode(), t.stepsDone(), t.stepsTotal() == null ? "?" : t.stepsTotal(),
                    number(t.lastLoss()), number(t.lastValLoss()), t.lastValStep() == null ? "" : " (step " + t.lastValStep() + ")",
                    t.resumable() ? "resumable" : "no train-state.bin"));
        }
        int width = m.tensors().stream().mapToInt(x -> x.name().length()).max().orElse(4);
        sb.append('\n').append(Options.pad("tensor", width)).append(String.format(Locale.ROOT, "  %-12s %6s %10s %10s %8s%s%n",
                "shape", "kind", "numel", "nonzeros", "density", scheduled ? "     budget" : ""));
        for (ModelSummary.Tensor x : m.tensors()) {
            String shape = x.shape().stream().map(String::valueOf).collect(Collectors.joining("×"));
            sb.append(Options.pad(x.name(), width)).append(String.format(Locale.ROOT, "  %-12s %6s %10d %10d %8.4f%s%n",
                    shape, x.sparse() ? "sparse" : "dense", x.numel(), x.nonzeros(), x.density(),
                    scheduled ? String.format(Locale.ROOT, " %10d", x.budget()) : ""));
        }
        return sb.toString();
    }

    private static String number(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.4f", v);
    }
}
