package sparsecircuits.experiment.run;

import java.io.Serializable;

/**
 * How to build a plan, small enough to send to another JVM: a cluster runner sends it with every job, and the executor
 * builds the plan again and unfolds it with the records the driver sent, so that it finds the same job under the same
 * name with the same inputs (a plan unfolds deterministically from the records of its finished jobs).
 */
public interface PlanSource extends Serializable {
    /** A new plan (nothing finished yet). */
    Plan plan();

    /** What the plan is, in a few words, for progress lines and a cluster's application name. */
    String describe();
}
