package sparsecircuits.model.train;

/**
 * A run setting the library refuses. The message says what is wrong in the library's terms; {@link #setting()} names
 * the setting by its key in {@code train-config.json} (or {@code config.json} for the vocabulary), so that a caller
 * can point at its own input for it (the CLI names the flag) without parsing the message.
 */
public final class SettingException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String setting;

    public SettingException(String setting, String message) {
        super(message);
        this.setting = setting;
    }

    /** The setting's key, e.g. {@code "ctx"}, {@code "steps"}, {@code "vocab_size"}. */
    public String setting() {
        return setting;
    }
}
