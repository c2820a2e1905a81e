package sparsecircuits.pruning.circuit;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import sparsecircuits.pruning.nodes.NodeMask;
import sparsecircuits.pruning.prune.Controls;
import sparsecircuits.pruning.prune.Pruner;

/**
 * What circuit.json says about how its circuit was found (its "run" object), typed: written here and nowhere else.
 * Optional parts are null and left out of the file: {@code prune} adds the recalibration, block deltas and the
 * search; the experiment adds the k_coef grid; either adds the controls.
 *
 * @param k               nodes kept (the bisection's k)
 * @param nodesTotal      nodes in the model
 * @param fullLoss        held-out task loss of the unpruned model
 * @param circuitLoss     held-out task loss of the circuit
 * @param necessity       held-out task loss with only the circuit's nodes ablated
 * @param recalibration   the logit scale + shift fitted on the circuit (SPEC §4.7), or null
 * @param blockDeltas     per location, the loss change when its kept nodes are ablated, or null
 * @param nodeDeltas      per kept node (at most a limit, largest first), the loss change when it is ablated
 * @param search          the random search's trials around the settings, or null
 * @param controls        the controls' outcome, or null when they were not run
 */
public record CircuitRun(String task, NodeMask.Ablation ablation, double target, long k, long nodesTotal, double fullLoss,
                         double circuitLoss, double necessity, Recalibrated recalibration, List<Pruner.Delta> blockDeltas,
                         List<Pruner.Delta> nodeDeltas, long trainPairs, long heldOutPairs, Settings settings, List<Trial> search,
                         List<Pruner.Point> bisection, Controls controls) {

    /** The circuit's loss after the logit recalibration, and the fitted scale. */
    public record Recalibrated(double loss, double logitScale) {
    }

    /**
     * The mask-training settings that found the circuit.
     *
     * @param initBias   the mask init bias (null when it is the default and not reported)
     * @param kCoefGrid  the grid the k_coef was chosen from (null without a grid)
     */
    public record Settings(long steps, Double initBias, double kCoef, List<Double> kCoefGrid, double lr, long seed) {
    }

    /** One trial of the random search: its settings, the circuit size it reached (edges null when it missed the target). */
    public record Trial(double kCoef, double lr, double initBias, long k, Long edges) {
    }

    /** As circuit.json's "run". */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("task", task);
        m.put("ablation", ablation.name().toLowerCase(Locale.ROOT));
        m.put("target", target);
        m.put("k", k);
        m.put("nodes_total", nodesTotal);
        m.put("task_loss_full", fullLoss);
        m.put("task_loss_circuit", circuitLoss);
        if (recalibration != null) {
            m.put("task_loss_circuit_recalibrated", recalibration.loss());
            m.put("recalibration_logit_scale", recalibration.logitScale());
        }
        if (blockDeltas != null) m.put("block_ablation_deltas", deltas(blockDeltas));
        m.put("node_ablation_deltas", deltas(nodeDeltas));
        m.put("task_loss_without_circuit", necessity);
        m.put("train_pairs", trainPairs);
        m.put("held_out_pairs", heldOutPairs);
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("steps", settings.steps());
        if (settings.initBias() != null) s.put("init_bias", settings.initBias());
        s.put("k_coef", settings.kCoef());
        if (settings.kCoefGrid() != null) s.put("k_coef_grid", new ArrayList<Object>(settings.kCoefGrid()));
        s.put("lr", settings.lr());
        s.put("seed", settings.seed());
        m.put("settings", s);
        if (search != null) {
            List<Object> trials = new ArrayList<>();
            for (Trial t : search) {
                Map<String, Object> x = new LinkedHashMap<>();
                x.put("k_coef", t.kCoef());
                x.put("lr", t.lr());
                x.put("init_bias", t.initBias());
                x.put("k", t.k());
                if (t.edges() != null) x.put("edges", t.edges());
                trials.add(x);
            }
            m.put("search", trials);
        }
        List<Object> points = new ArrayList<>();
        for (Pruner.Point p : bisection) {
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("k", p.k());
            x.put("task_loss", p.loss());
            points.add(x);
        }
        m.put("bisection", points);
        if (controls != null) m.put("controls", controls.toJson());
        return m;
    }

    private static List<Object> deltas(List<Pruner.Delta> ds) {
        List<Object> out = new ArrayList<>();
        for (Pruner.Delta d : ds) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("location", d.hook());
            if (d.channel() >= 0) m.put("channel", (long) d.channel());
            m.put("delta", d.delta());
            out.add(m);
        }
        return out;
    }

    /** The task a circuit.json "run" names ("" when absent: a circuit written by another tool). */
    public static String task(Map<String, Object> run) {
        return String.valueOf(run.getOrDefault("task", ""));
    }

    /** How a circuit.json "run" says the deleted nodes were ablated (mean when absent). */
    public static NodeMask.Ablation ablation(Map<String, Object> run) {
        return switch (String.valueOf(run.getOrDefault("ablation", "mean"))) {
            case "zero" -> NodeMask.Ablation.ZERO;
            case "resample" -> NodeMask.Ablation.RESAMPLE;
            default -> NodeMask.Ablation.MEAN;
        };
    }
}
