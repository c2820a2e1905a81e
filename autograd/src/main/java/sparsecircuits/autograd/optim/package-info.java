/**
 * The training update of SPEC §2: the schedules (warmup/decay, L0 anneal, sharkfin, per-tensor budgets)
 * and the optimizer step in the order of SPEC §2.5 (RMS normalisation, Adam, top-k, decoupled decay).
 */
package sparsecircuits.autograd.optim;
