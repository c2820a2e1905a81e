package sparsecircuits.autograd.graph;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * The record of ops in execution order. {@link #backward} walks it in reverse, running each node's rule
 * (rules accumulate, {@code +=}, into their inputs' gradients). A node is recorded only when one of its
 * inputs requires a gradient, so a forward pass over constants and frozen tensors costs no memory here.
 */
public final class Tape {

    /** A backward rule: reads the output's gradient and accumulates into the inputs that {@link Tensor#needsGrad()}. */
    @FunctionalInterface
    public interface Rule {
        void backward();
    }

    /** One recorded op. A null rule means the op has no derivative: reaching it in backward is an error. */
    public record Node(String op, Tensor output, Tensor[] inputs, Rule rule) {
    }

    private final List<Node> nodes = new ArrayList<>();
    private final boolean recycle;
    private final java.util.Map<Integer, java.util.ArrayDeque<float[]>> freeFloats = new java.util.HashMap<>();
    private final java.util.Map<Integer, java.util.ArrayDeque<int[]>> freeInts = new java.util.HashMap<>();
    private final List<float[]> lentFloats = new ArrayList<>();
    private final List<int[]> lentInts = new ArrayList<>();
    private final java.util.Map<String, double[]> profile = new java.util.TreeMap<>();
    private long lastRecord = System.nanoTime();

    /** A tape whose arrays are fresh each time (tensors stay valid after {@link #clear()}). */
    public Tape() {
        this(false);
    }

    /**
     * With {@code recycle}, every array the ops take from this tape (outputs, gradients, scratch) goes back to a
     * pool at {@link #clear()} and is handed out again, zeroed, in the next pass: a training loop then allocates
     * almost nothing per step (no GC pauses). Tensors made on such a tape must not be used after clear().
     */
    public Tape(boolean recycle) {
        this.recycle = recycle;
    }

    /** Whether arrays are recycled at {@link #clear()}. */
    public boolean recycles() {
        return recycle;
    }

    /** A zeroed float array of length n (from the pool when recycling). */
    float[] floats(int n) {
        return floats(n, true);
    }

    /**
     * A float array of length n; with {@code zeroed} false a recycled array keeps old values, for outputs and
     * scratch that the op overwrites completely (saves a pass over memory per array).
     */
    float[] floats(int n, boolean zeroed) {
        if (!recycle) return new float[n];
        java.util.ArrayDeque<float[]> q = freeFloats.get(n);
        float[] a = q == null ? null : q.pollLast();
        if (a == null) a = new float[n];
        else if (zeroed) java.util.Arrays.fill(a, 0f);
        lentFloats.add(a);
        return a;
    }

    /** A zeroed int array of length n (from the pool when recycling). */
    int[] ints(int n) {
        return ints(n, true);
    }

    /** An int array of length n; with {@code zeroed} false a recycled array keeps old values (it is overwritten). */
    int[] ints(int n, boolean zeroed) {
        if (!recycle) return new int[n];
        java.util.ArrayDeque<int[]> q = freeInts.get(n);
        int[] a = q == null ? null : q.pollLast();
        if (a == null) a = new int[n];
        else if (zeroed) java.util.Arrays.fill(a, 0);
        lentInts.add(a);
        return a;
    }

    /** Records op → output; returns output. Called by {@link Ops} only when some input requires a gradient. */
    Tensor record(String op, Tensor output, Rule rule, Tensor... inputs) {
        long now = System.nanoTime(); // the op's forward ran since the previous record (ops run one after another)
        addTime(op, 0, now - lastRecord);
        lastRecord = now;
        Node n = new Node(op, output, inputs, rule);
        output.creator = n;
        nodes.add(n);
        return output;
    }

    /** The recorded nodes, oldest first. */
    public List<Node> nodes() {
        return Collections.unmodifiableList(nodes);
    }

    private void addTime(String op, int slot, long nanos) {
        double[] t = profile.computeIfAbsent(op, o -> new double[3]);
        t[slot] += nanos / 1e6;
        if (slot == 0) t[2]++;
    }

    /**
     * Milliseconds per op name since this tape was made: {forward, backward, count}. A forward time is the wall
     * time since the previous recorded op, so it includes unrecorded work in between (a cheap profile, not exact).
     */
    public java.util.Map<String, double[]> profile() {
        return java.util.Collections.unmodifiableMap(profile);
    }

    /** Forgets the profile so far. */
    public void resetProfile() {
        profile.clear();
    }

    /** Restarts the forward clock (call right before a forward pass when profiling). */
    public void markStart() {
        lastRecord = System.nanoTime();
    }

    /** Forgets every node (activations held only by the tape become garbage). */
    public void clear() {
        for (Node n : nodes) n.output().creator = null;
        nodes.clear();
        if (recycle) {
            for (float[] a : lentFloats) freeFloats.computeIfAbsent(a.length, z -> new java.util.ArrayDeque<>()).add(a);
            for (int[] a : lentInts) freeInts.computeIfAbsent(a.length, z -> new java.util.ArrayDeque<>()).add(a);
            lentFloats.clear();
            lentInts.clear();
        }
    }

    /** Backward from a one-element loss, seeded with 1, into every leaf that requires a gradient. */
    public void backward(Tensor loss) {
        if (loss.numel() != 1) {
            throw new IllegalArgumentException("backward without a seed needs a one-element output; " + loss
                    + " has " + loss.numel() + " elements: pass a seed gradient of its shape");
        }
        backward(List.of(loss), List.of(new float[] {1f}), null);
    }

    /** Backward from an output of any shape, seeded with {@code seed} (same element count). */
    public void backward(Tensor output, float[] seed) {
        backward(List.of(output), List.of(seed), null);
    }

    /**
     * Targeted backward: only nodes on a path from a target to an output run, so gradients reach exactly the
     * targets (and the intermediates between) and nothing else is computed. A null target set means every
     * leaf that requires a gradient.
     */
    public void backward(List<Tensor> outputs, List<float[]> seeds, Collection<Tensor> targets) {
        if (outputs.size() != seeds.size()) {
            throw new IllegalArgumentException(outputs.size() + " outputs but " + seeds.size() + " seeds");
        }
        Set<Tensor> on = Collections.newSetFromMap(new IdentityHashMap<>());
        if (targets != null) {
            for (Tensor t : targets) {
                if (!t.requiresGrad()) {
                    throw new IllegalArgumentException("target " + t + " does not require a gradient (a constant or a detached tensor)");
                }
                on.add(t);
                t.retainGrad = true;
            }
        }
        // forward sweep: which tensors depend on a target (all requiring tensors when untargeted)
        for (Node n : nodes) {
            for (Tensor in : n.inputs()) {
                if (targets == null ? in.requiresGrad() && in.creator == null : on.contains(in)) {
                    on.add(in);
                }
            }
            for (Tensor in : n.inputs()) {
                if (on.contains(in)) {
                    on.add(n.output());
                    break;
                }
            }
        }
        for (Node n : nodes) {
            for (Tensor in : n.inputs()) in.needsGrad = on.contains(in);
            n.output().needsGrad = on.contains(n.output());
        }
        for (int i = 0; i < outputs.size(); i++) {
            Tensor out = outputs.get(i);
            float[] seed = seeds.get(i);
            if (seed.length != out.numel()) {
                throw new IllegalArgumentException("seed for " + out + " has " + seed.length + " elements, expected " + out.numel());
            }
            if (!out.requiresGrad()) {
                throw new IllegalArgumentException(out + " does not depend on anything that requires a gradient");
            }
            float[] g = out.grad();
            for (int j = 0; j < seed.length; j++) g[j] += seed[j];
            out.retainGrad = out.retainGrad || targets == null && out.creator == null;
        }
        try {
            for (int i = nodes.size() - 1; i >= 0; i--) {
                Node n = nodes.get(i);
                Tensor out = n.output();
                if (!out.hasGrad() || !on.contains(out)) continue;
                boolean anyInput = false;
                for (Tensor in : n.inputs()) anyInput |= in.needsGrad;
                if (!anyInput) continue;
                if (n.rule() == null) {
                    throw new IllegalStateException("op '" + n.op() + "' has no backward rule, but a gradient must flow through it to " + out);
                }
                long t0 = System.nanoTime();
                n.rule().backward();
                addTime(n.op(), 1, System.nanoTime() - t0);
                if (!outputs.contains(out)) out.dropGrad();
            }
        } finally {
            for (Node n : nodes) {
                for (Tensor in : n.inputs()) in.needsGrad = in.requiresGrad();
                n.output().needsGrad = n.output().requiresGrad();
            }
        }
    }
}
