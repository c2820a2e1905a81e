/**
 * Tasks, node masks, ablations, the pruner, circuits, controls, the tracer, exporters and the viewer.
 * Filled in by the circuits issue; a circuit's edges are the nonzeros of the sparse weights between
 * kept nodes (SPEC §4.1), read off the kernels' CSR patterns.
 */
package sparsecircuits.pruning;
