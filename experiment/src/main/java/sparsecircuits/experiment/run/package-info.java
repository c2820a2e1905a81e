/**
 * Running a plan. A {@link sparsecircuits.experiment.run.Plan} lists its jobs given what has finished (it unfolds:
 * an experiment knows which models it prunes only after training and evaluation).
 * {@link sparsecircuits.experiment.run.InProcessRunner} runs up to N ready jobs at once, each on kernels with T
 * threads of its own, takes finished results from the store, contains failures (only the jobs that read a failed
 * one are skipped), stops cleanly on request and reports to a {@link sparsecircuits.experiment.run.RunListener}.
 * Results do not depend on N or T: every job is deterministic for any thread count.
 */
package sparsecircuits.experiment.run;
