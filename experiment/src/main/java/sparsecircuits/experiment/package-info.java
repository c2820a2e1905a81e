/**
 * The experiment as a library of jobs: what {@code experiment} and {@code demo} run, in a form a program can plan,
 * split and run anywhere.
 *
 * <pre>
 *   plan.ExperimentSettings ──► plan.ExperimentPlan ──(jobs, unfolding)──► run.InProcessRunner ──► store.ResultStore
 *        (built by name)          (a DAG of job.Job)                        (N jobs × T threads)    (run directory:
 *                                                                                                     models/, circuits/,
 *                                                                                                     jobs/ID.json, report)
 * </pre>
 *
 * <ul>
 *   <li>{@link sparsecircuits.experiment.job}: what a job is: its inputs (settings, and the ids of the jobs it reads),
 *       an id hashed from them and the engine version, its run against a context, its record.
 *   <li>{@link sparsecircuits.experiment.store}: where results live; jobs write a staging directory and the store
 *       commits it (files first, the record last), so a result is complete or absent.
 *   <li>{@link sparsecircuits.experiment.run}: a plan, a runner that runs what is ready and finds what is done, and
 *       what it reports while it works.
 *   <li>{@link sparsecircuits.experiment.plan}: the sparse-vs-dense experiment's settings, plan and jobs.
 * </ul>
 *
 * <p>The module sits above {@code present} because two jobs write pages; the figures they draw
 * ({@code pruning.compare}, {@code pruning.circuit.CircuitRun}) are computed below it.
 */
package sparsecircuits.experiment;
