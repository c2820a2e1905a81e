/**
 * The tracer: record and patch activations by hook name or regex, with or without a circuit's mask, through the
 * one {@code Gpt.forward}; per-node explanations (quantile snippets over pretraining windows, class means on a
 * task, attention patterns of q/k channels, embedding and unembedding tokens of residual channels, direct effects
 * on the target logits). Library API for the viewer and exporters.
 */
package sparsecircuits.pruning.trace;
