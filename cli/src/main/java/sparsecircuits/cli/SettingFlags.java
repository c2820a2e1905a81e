package sparsecircuits.cli;

import java.util.Map;
import sparsecircuits.model.train.SettingException;

/**
 * The library's training errors in the user's terms: the library says what is wrong and names the setting
 * ({@link SettingException#setting()}, a train-config.json key); here that becomes the flag that sets it. The library
 * never names a flag (DESIGN.md Clarifications, "Library messages").
 */
final class SettingFlags {
    /** Setting keys (train-config.json's, config.json's vocab_size, the experiment's) to the flags that set them. */
    static final Map<String, String> FLAGS = Map.ofEntries(
            Map.entry("pfrac", "--pfrac"), Map.entry("base_width", "--base-width"), Map.entry("min_per_neuron", "--min-per-neuron"),
            Map.entry("lr", "--lr"), Map.entry("steps", "--steps"), Map.entry("batch", "--batch"), Map.entry("ctx", "--ctx"),
            Map.entry("seed", "--seed"), Map.entry("anneal_stop_frac", "--anneal-stop"), Map.entry("weight_decay", "--weight-decay"),
            Map.entry("eval_every", "--eval-every"), Map.entry("eval_batches", "--eval-batches"),
            Map.entry("checkpoint_every", "--checkpoint-every"), Map.entry("recipe", "--recipe"), Map.entry("regrow_every", "--regrow-every"),
            Map.entry("corpus", "--corpus"), Map.entry("corpus_seed", "--corpus-seed"), Map.entry("vocab_size", "--vocab"),
            // the experiment's settings (ExperimentSettings)
            Map.entry("dense_widths", "--dense-widths"), Map.entry("tasks", "--tasks"), Map.entry("targets", "--targets"),
            Map.entry("k_coefs", "--k-coefs"), Map.entry("controls", "--controls"), Map.entry("sparse_widths", "--sparse-widths"),
            Map.entry("l0", "--l0"), Map.entry("layers", "--layers"), Map.entry("dense_layers", "--dense-layers"), Map.entry("afrac", "--afrac"),
            Map.entry("seeds", "--seeds"), Map.entry("tokens", "--tokens"), Map.entry("preset", "--preset"));

    private SettingFlags() {
    }

    /** A one-line error for a library refusal during {@code command}: the fix names the flag when the command has it. */
    static UserError userError(IllegalArgumentException e, Command command) {
        String help = "see '" + Main.PROGRAM + " " + command.name() + " --help'";
        String flag = e instanceof SettingException s ? FLAGS.get(s.setting()) : null;
        boolean has = flag != null && command.options().specs().stream().anyMatch(spec -> spec.name().equals(flag));
        if (!has) return new UserError(e.getMessage(), help);
        String fix = switch (flag) {
            case "--ctx" -> "give a smaller --ctx, or a larger corpus with --corpus";
            case "--steps" -> "give the total number of steps with --steps N";
            default -> "change " + flag;
        };
        return new UserError(e.getMessage(), fix + " (" + help + ")");
    }
}
