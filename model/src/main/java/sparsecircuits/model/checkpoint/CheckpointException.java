package sparsecircuits.model.checkpoint;

/**
 * A checkpoint file that cannot be read or written: missing, truncated, corrupt or hostile, or a
 * write that failed. The message is one actionable line that names the file, the tensor when there
 * is one, and what is wrong, e.g.
 * {@code model.safetensors: tensor 'transformer.wte.weight' has data_offsets [0, 1000] but F32 [16, 32] needs 2048 bytes}.
 */
public final class CheckpointException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CheckpointException(String message) {
        super(message);
    }

    public CheckpointException(String message, Throwable cause) {
        super(message, cause);
    }
}
