package sparsecircuits.experiment.run;

import java.util.List;
import java.util.Map;
import sparsecircuits.experiment.job.JobRecord;

/**
 * What a run did.
 *
 * @param records  every finished job's record, by job name
 * @param ran      names of the jobs computed in this run (the others were found in the store)
 * @param failures job name → why it failed (jobs after a failed one are not listed: they never ran)
 * @param stopped  whether the run stopped at the user's request
 */
public record RunSummary(Map<String, JobRecord> records, List<String> ran, Map<String, String> failures, boolean stopped) {
    public boolean complete() {
        return failures.isEmpty() && !stopped;
    }
}
