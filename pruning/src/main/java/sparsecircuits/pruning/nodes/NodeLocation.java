package sparsecircuits.pruning.nodes;

import java.util.ArrayList;
import java.util.List;
import sparsecircuits.model.gpt.Gpt;
import sparsecircuits.model.gpt.GptConfig;

/**
 * One of the 8 node locations of a layer (DESIGN.md decision 4): its hook name and how many channels (nodes)
 * it has. A node is (location, channel); q/k/v channel c belongs to head c / d_head.
 */
public record NodeLocation(int layer, String location, int width) {

    /** The hook name, e.g. {@code 3.attn.q}. */
    public String hook() {
        return layer + "." + location;
    }

    /** Every node location of a model, layer by layer in forward order. */
    public static List<NodeLocation> of(GptConfig c) {
        List<NodeLocation> out = new ArrayList<>();
        for (int l = 0; l < c.nLayer(); l++) {
            for (String loc : Gpt.NODE_LOCATIONS) {
                int w = switch (loc) {
                    case "attn.q", "attn.k", "attn.v" -> c.attnWidth();
                    case "mlp.post_act" -> c.dMlp();
                    default -> c.dModel();
                };
                out.add(new NodeLocation(l, loc, w));
            }
        }
        return out;
    }

    /** Total nodes of a model. */
    public static long count(GptConfig c) {
        long n = 0;
        for (NodeLocation l : of(c)) n += l.width();
        return n;
    }
}
