/**
 * The experiment's jobs on Apache Spark: {@link sparsecircuits.cluster.SparkRunner} runs a plan's jobs as Spark tasks
 * (one task per job, {@code spark.task.cpus} = threads per job), {@link sparsecircuits.cluster.HadoopResultStore}
 * keeps their results on any Hadoop file system in the run directory's layout. Found by the command line through
 * {@link java.util.ServiceLoader}; nothing else depends on this module.
 */
package sparsecircuits.cluster;
