/**
 * Reverse-mode autograd: {@link sparsecircuits.autograd.graph.Tensor}, the {@link sparsecircuits.autograd.graph.Tape}
 * (ops in execution order, targeted backward) and {@link sparsecircuits.autograd.graph.Ops}, the table of ops with
 * their backward rules and the public way ({@code recording}, {@code output}, {@code record}) to record an op that
 * another module defines.
 */
package sparsecircuits.autograd.graph;
