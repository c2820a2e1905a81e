package sparsecircuits.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import sparsecircuits.autograd.optim.Schedule;
import sparsecircuits.autograd.param.Parameter;
import sparsecircuits.model.checkpoint.ModelFiles;
import sparsecircuits.model.gpt.Gpt;
import sparsecircuits.model.json.Json;
import sparsecircuits.model.train.TrainConfig;
import sparsecircuits.model.train.Trainer;

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
        Path dir = ModelDir.require(o, name());
        Gpt model = ModelDir.model(dir);
        TrainConfig tc = ModelDir.trainConfig(dir);
        ModelDir.Progress progress = ModelDir.progress(dir);
        long done = progress != null ? progress.stepsDone() : 0;
        Schedule schedule = null;
        try {
            if (tc != null && tc.sparse()) schedule = tc.schedule(model.config().dModel());
        } catch (IllegalArgumentException e) { // a train-config.json of another model: show the rest
            ctx.err().println("inspect: no L0 budget: " + Trainer.TRAIN_CONFIG + " does not fit the model (" + e.getMessage() + ")");
        }

        List<Map<String, Object>> tensors = new ArrayList<>();
        long nonzeros = 0, budget = 0;
        for (Parameter p : model.parameterList()) {
            int nz = p.countNonZero();
            int allowed = schedule != null && p.isSparse() ? schedule.keptCount(p.rule().budget(), p.numel(), done) : p.numel();
            nonzeros += nz;
            budget += allowed;
            Map<String, Object> t = new LinkedHashMap<>();
            t.put("name", p.name());
            t.put("shape", Arrays.stream(p.shape()).boxed().toList());
            t.put("sparse", p.isSparse());
            t.put("numel", p.numel());
            t.put("nonzeros", nz);
            t.put("density", (double) nz / p.numel());
            if (schedule != null) t.put("budget", allowed);
            tensors.add(t);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("schema", "sparse-circuits/inspect/1");
        m.put("model", dir.toString());
        m.put("config", ModelFiles.referenceConfig(model.config()));
        m.put("learned_positions", model.config().learnedPositions());
        m.put("parameters", model.parameterCount());
        m.put("nonzeros", nonzeros);
        m.put("density", (double) nonzeros / model.parameterCount());
        m.put("budget", schedule != null ? budget : null);
        m.put("tensors", tensors);
        m.put("training", training(dir, tc, progress));
        if (o.has("--json")) {
            ctx.out().println(Json.writePretty(m));
        } else {
            ctx.out().print(text(m, tensors, schedule != null, done));
        }
        return 0;
    }

    private static Map<String, Object> training(Path dir, TrainConfig tc, ModelDir.Progress p) {
        if (tc == null && p == null) return null;
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("mode", tc == null ? null : tc.sparse() ? "sparse" : "dense");
        t.put("corpus", tc == null ? null : tc.corpus());
        t.put("steps_total", tc == null ? null : tc.steps());
        t.put("steps_done", p == null ? 0 : p.stepsDone());
        t.put("last_loss", p == null || Double.isNaN(p.lastLoss()) ? null : p.lastLoss());
        t.put("last_val_step", p == null || p.lastValStep() < 0 ? null : p.lastValStep());
        t.put("last_val_loss", p == null || Double.isNaN(p.lastValLoss()) ? null : p.lastValLoss());
        t.put("resumable", Files.isRegularFile(dir.resolve(Trainer.STATE)));
        return t;
    }

    @SuppressWarnings("unchecked")
    private static String text(Map<String, Object> m, List<Map<String, Object>> tensors, boolean scheduled, long done) {
        StringBuilder sb = new StringBuilder();
        Map<String, Object> config = (Map<String, Object>) m.get("config");
        sb.append("model       ").append(m.get("model")).append('\n');
        sb.append("config      ").append(config.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(" "))).append('\n');
        long params = (Long) m.get("parameters"), nz = (Long) m.get("nonzeros");
        sb.append(String.format(Locale.ROOT, "parameters  %,d%n", params));
        sb.append(String.format(Locale.ROOT, "nonzeros    %,d (L0; density %.4f)%n", nz, (Double) m.get("density")));
        if (scheduled) {
            sb.append(String.format(Locale.ROOT, "budget      %,d allowed by the L0 schedule after %,d steps%n", (Long) m.get("budget"), done));
        }
        Map<String, Object> t = (Map<String, Object>) m.get("training");
        if (t != null) {
            sb.append(String.format(Locale.ROOT, "training    %s, %s steps done of %s; last loss %s, last validation loss %s%s; %s%n",
                    t.get("mode") == null ? "unknown mode" : t.get("mode"), t.get("steps_done"),
                    t.get("steps_total") == null ? "?" : t.get("steps_total"), number(t.get("last_loss")),
                    number(t.get("last_val_loss")), t.get("last_val_step") == null ? "" : " (step " + t.get("last_val_step") + ")",
                    Boolean.TRUE.equals(t.get("resumable")) ? "resumable" : "no train-state.bin"));
        }
        int width = tensors.stream().mapToInt(x -> ((String) x.get("name")).length()).max().orElse(4);
        sb.append('\n').append(Options.pad("tensor", width)).append(String.format(Locale.ROOT, "  %-12s %6s %10s %10s %8s%s%n",
                "shape", "kind", "numel", "nonzeros", "density", scheduled ? "     budget" : ""));
        for (Map<String, Object> x : tensors) {
            String shape = ((List<?>) x.get("shape")).stream().map(String::valueOf).collect(Collectors.joining("×"));
            sb.append(Options.pad((String) x.get("name"), width)).append(String.format(Locale.ROOT, "  %-12s %6s %10d %10d %8.4f%s%n",
                    shape, Boolean.TRUE.equals(x.get("sparse")) ? "sparse" : "dense", x.get("numel"), x.get("nonzeros"),
                    (Double) x.get("density"), scheduled ? String.format(Locale.ROOT, " %10d", x.get("budget")) : ""));
        }
        return sb.toString();
    }

    private static String number(Object v) {
        return v == null ? "-" : String.format(Locale.ROOT, "%.4f", (Double) v);
    }
}
