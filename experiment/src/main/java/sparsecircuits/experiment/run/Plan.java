package sparsecircuits.experiment.run;

import java.util.List;
import sparsecircuits.experiment.job.Job;

/**
 * A DAG of jobs that unfolds as results arrive: an experiment knows its training jobs from its settings, but which
 * dense model is loss-matched, and so which models are pruned on which tasks, only once the models and evaluations
 * are finished. The runner asks again after every finished job; a job, once listed, is listed again every time.
 */
public interface Plan {
    /** Every job known given what has finished so far (finished ones included). */
    List<Job> jobs(Job.Finished finished);
}
