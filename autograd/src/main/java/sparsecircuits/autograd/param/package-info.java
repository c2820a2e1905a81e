/**
 * Trainable parameters: dense values, gradients and Adam moments for every kind, plus per-tensor
 * top-k sparsification with the minimum-per-neuron rule and the CSR view the sparse kernels use
 * (SPEC §2.1, DESIGN.md decision 1).
 */
package sparsecircuits.autograd.param;
