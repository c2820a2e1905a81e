package sparsecircuits.pruning.loss;

/** What a row of {@link ChoiceLoss} asks of its logits (one side of a task pair, SPEC §4.5). */
public enum Choice {
    /** −log softmax([ℓ(correct), ℓ(other)])[0]: the two-way contrast of SPEC §4.5. */
    BINARY,
    /** −log p(correct) over the whole vocabulary. */
    TARGET,
    /** −log(1 − p(other)) over the whole vocabulary: the B side of a single-target task. */
    AVOID
}
