/**
 * The sparse-vs-dense experiment (SPEC §6.1, §8) as jobs: {@link sparsecircuits.experiment.plan.ExperimentSettings}
 * (built by name; the {@code experiment} and {@code demo} presets) and
 * {@link sparsecircuits.experiment.plan.ExperimentPlan}, whose jobs are: train each model; node means of the two
 * compared models; evaluate each task on each; prune each task both solve in each (with its controls, which write
 * into the circuit's file and use the pruning's chosen settings); the viewer page of each written circuit; the
 * report ({@code experiment.json}, {@code report.html}), which follows every record.
 */
package sparsecircuits.experiment.plan;
