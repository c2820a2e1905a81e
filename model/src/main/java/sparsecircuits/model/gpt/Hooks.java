package sparsecircuits.model.gpt;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import sparsecircuits.autograd.graph.Tensor;

/** Ready-made hooks: record activations by name or regex, replace one by name. */
public final class Hooks {
    private Hooks() {
    }

    /**
     * Records (a detached copy of) every activation whose name matches {@code regex} into {@code into},
     * keyed by name, in forward order. The forward pass continues unchanged.
     */
    public static Hook record(String regex, Map<String, Tensor> into) {
        Pattern p = Pattern.compile(regex);
        return (name, x, ops) -> {
            if (p.matcher(name).matches()) {
                into.put(name, Tensor.constant(x.data().clone(), x.shape()));
            }
            return x;
        };
    }

    /** A recorder with its own map: {@code Hooks.recorder(".*\\.attn\\.q")}. */
    public static Recorder recorder(String regex) {
        return new Recorder(regex);
    }

    /** Replaces the activation named {@code name} by {@code replace.apply(activation)}. */
    public static Hook replace(String name, UnaryOperator<Tensor> replace) {
        return (n, x, ops) -> n.equals(name) ? replace.apply(x) : x;
    }

    /** A hook that records into its own ordered map. */
    public static final class Recorder implements Hook {
        private final Map<String, Tensor> recorded = new LinkedHashMap<>();
        private final Hook hook;

        Recorder(String regex) {
            this.hook = record(regex, recorded);
        }

        @Override
        public Tensor at(String name, Tensor activation, sparsecircuits.autograd.graph.Ops ops) {
            return hook.at(name, activation, ops);
        }

        /** Recorded activations by hook name, in forward order. */
        public Map<String, Tensor> recorded() {
            return recorded;
        }
    }
}
