package sparsecircuits.pruning.prune;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import sparsecircuits.kernels.Kernels;
import sparsecircuits.model.gpt.Gpt;
import sparsecircuits.pruning.loss.TaskLoss;
import sparsecircuits.pruning.nodes.NodeMask;

/**
 * The controls that say when a circuit is not to be trusted (SPEC §4.9, DESIGN.md Clarifications): the same pruning
 * on a randomly initialised model with the same per-tensor nonzeros, on the inverted task (every pair's targets
 * swapped), on the nonsense task (each prompt's target drawn at random between its two targets: no rule to find;
 * neither task is defined for single-target tasks), and with zero instead of mean ablation. All but the last can
 * flag: {@link #RULE}.
 *
 * @param edgeLimit     twice the real circuit's edges: a control that reaches the target within it flags the circuit
 * @param randomInit    the random-init control
 * @param inverted      the inverted-task control; null for a single-target task
 * @param nonsense      the nonsense-task control; null for a single-target task
 * @param zeroAblation  the zero-ablation control; null when the circuit was not pruned under mean ablation
 * @param trustworthy   whether no flagging control reached the target within the limit
 */
public record Controls(long edgeLimit, Control randomInit, Control inverted, Control nonsense, Control zeroAblation, boolean trustworthy) {
    public static final String RULE = "not trustworthy when the random-init, inverted-task or nonsense-task control reaches the target with at most 2x the circuit's edges";
    /** The nonsense task's coin flips, seeded from the pruning's seed. */
    public static final long NONSENSE_SEED_OFFSET = 104729;
    /** The random-init control's seed, offset from the pruning's. */
    public static final long RANDOM_SEED_OFFSET = 7919;

    /**
     * One control's pruning.
     *
     * @param flags whether it reached the target within the edge limit (always false for zero ablation, which never flags)
     */
    public record Control(boolean reached, long nodes, long edges, double circuitLoss, double fullLoss, boolean flags) {
        static Control of(Pruner.Outcome o, long limit) {
            return new Control(o.reached(), o.reached() ? o.circuit().nodes() : 0, o.reached() ? o.circuit().edges().size() : 0,
                    o.bisection().loss(), o.bisection().fullLoss(), limit != Long.MAX_VALUE && o.flags(limit));
        }
    }

    /** How the caller prunes (its settings, target and progress display), given a pruner, the splits and a label. */
    public interface Pruning {
        Pruner.Outcome prune(Pruner pruner, List<TaskLoss.Sequence> train, List<TaskLoss.Sequence> heldOut, String label);
    }

    /**
     * Runs the controls of a circuit with {@code circuitEdges} edges.
     *
     * @param pruner         the real circuit's pruner (the inverted task reuses it)
     * @param randomPruner   a pruner for the random-init model (its own node means, the same ablation)
     * @param singleTarget   whether the task has one target (no inverted control)
     */
    public static Controls run(Gpt model, Pruner pruner, NodeMask.Ablation ablation, Kernels kernels, long circuitEdges, long seed,
                               Function<Gpt, Pruner> randomPruner, boolean singleTarget, List<TaskLoss.Sequence> train,
                               List<TaskLoss.Sequence> heldOut, Pruning pruning) {
        long limit = 2 * circuitEdges;
        Gpt random = Pruner.randomLike(model, seed + RANDOM_SEED_OFFSET);
        Pruner.Outcome r = pruning.prune(randomPruner.apply(random), train, heldOut, "control: random init");
        Pruner.Outcome inv = singleTarget ? null
                : pruning.prune(pruner, Pruner.inverted(train), Pruner.inverted(heldOut), "control: inverted task");
        long coin = seed + NONSENSE_SEED_OFFSET;
        Pruner.Outcome non = singleTarget ? null
                : pruning.prune(pruner, Pruner.nonsense(train, coin), Pruner.nonsense(heldOut, coin + 1), "control: nonsense task");
        Pruner.Outcome z = ablation != NodeMask.Ablation.MEAN ? null
                : pruning.prune(new Pruner(model, null, NodeMask.Ablation.ZERO, kernels), train, heldOut, "control: zero ablation");
        Control rc = Control.of(r, limit), ic = inv == null ? null : Control.of(inv, limit), nc = non == null ? null : Control.of(non, limit);
        return new Controls(limit, rc, ic, nc, z == null ? null : Control.of(z, Long.MAX_VALUE),
                !rc.flags() && (ic == null || !ic.flags()) && (nc == null || !nc.flags()));
    }

    /** As circuit.json's "controls". */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("random_init", json(randomInit, true));
        m.put("inverted_task", inverted == null ? "not applicable (single-target task)" : json(inverted, true));
        m.put("nonsense_task", nonsense == null ? "not applicable (single-target task)" : json(nonsense, true));
        if (zeroAblation != null) m.put("zero_ablation", json(zeroAblation, false));
        m.put("trustworthy", trustworthy);
        m.put("rule", RULE);
        return m;
    }

    private static Map<String, Object> json(Control c, boolean canFlag) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("reached_target", c.reached());
        m.put("task_loss_full", c.fullLoss());
        if (c.reached()) {
            m.put("nodes", c.nodes());
            m.put("edges", c.edges());
            m.put("task_loss_circuit", c.circuitLoss());
        }
        if (canFlag) m.put("flags_circuit", c.flags());
        return m;
    }
}
