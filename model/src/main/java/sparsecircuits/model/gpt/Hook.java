package sparsecircuits.model.gpt;

import sparsecircuits.autograd.graph.Ops;
import sparsecircuits.autograd.graph.Tensor;

/**
 * A hook point of {@link Gpt#forward}: called with each named activation (token-major
 * {@code [batch, tokens, channels]}), it returns the tensor the forward pass continues with: the same one
 * (record), or a new one (replace), which may itself be built with {@code ops} so gradients flow through it
 * (mask parameters of the pruner). Names follow the reference implementation: {@code {l}.attn.act_in},
 * {@code {l}.attn.q|k|v}, {@code {l}.attn.resid_delta}, {@code {l}.mlp.act_in}, {@code {l}.mlp.post_act},
 * {@code {l}.mlp.resid_delta}, plus the residual stream {@code {l}.resid_in}, {@code {l}.resid_mid} and
 * {@code final_resid}.
 */
@FunctionalInterface
public interface Hook {

    Tensor at(String name, Tensor activation, Ops ops);

    /** No hook: every activation passes unchanged. */
    Hook NONE = (name, x, ops) -> x;

    /** This hook, then {@code next} on its result. */
    default Hook then(Hook next) {
        return (name, x, ops) -> next.at(name, at(name, x, ops), ops);
    }
}
