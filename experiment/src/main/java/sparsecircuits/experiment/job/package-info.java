/**
 * A job and its record. A {@link sparsecircuits.experiment.job.Job} names what it reads
 * ({@link sparsecircuits.experiment.job.Job#after()}) and lists its inputs; its id is the kind plus a SHA-256 of the
 * inputs (keys sorted) and {@link sparsecircuits.experiment.job.Engine#VERSION}. Equal inputs give equal ids, so a
 * finished job is found and not computed again; a changed input changes the id of that job and of every job that
 * reads it, and of nothing else. A job runs against a {@link sparsecircuits.experiment.job.JobContext} (its kernels,
 * its staging directory, committed files to read, progress) and returns a
 * {@link sparsecircuits.experiment.job.Job.Result}; the runner turns it into a
 * {@link sparsecircuits.experiment.job.JobRecord} ({@code jobs/ID.json}).
 */
package sparsecircuits.experiment.job;
