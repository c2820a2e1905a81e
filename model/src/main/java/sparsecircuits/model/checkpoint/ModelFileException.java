package sparsecircuits.model.checkpoint;

/**
 * A model directory ({@code config.json} + {@code model.safetensors}) that cannot be written, read, or run:
 * the message is one actionable line naming the file and the field or tensor, e.g.
 * {@code run/config.json: tied_unembed is true, but this engine unties embedding and unembedding (SPEC §1.1)}.
 * Lower-level {@link CheckpointException}s are wrapped with their message unchanged, so callers catch one type.
 */
public final class ModelFileException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ModelFileException(String message) {
        super(message);
    }

    public ModelFileException(String message, Throwable cause) {
        super(message, cause);
    }
}
