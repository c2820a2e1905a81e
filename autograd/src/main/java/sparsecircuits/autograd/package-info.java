/**
 * Reverse-mode autograd over the kernels: tensors, the tape, one backward rule per op, targeted
 * backward, sparse parameters and optimizers. Filled in by the training issue; the kernels it builds
 * on already follow its contract (backward kernels accumulate into gradient buffers).
 */
package sparsecircuits.autograd;
