package sparsecircuits.bench;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import sparsecircuits.autograd.graph.Ops;
import sparsecircuits.autograd.param.Parameter;
import sparsecircuits.kernels.KernelProvider;
import sparsecircuits.model.checkpoint.ModelFiles;
import sparsecircuits.model.checkpoint.SafeTensors;
import sparsecircuits.model.gpt.Gpt;
import sparsecircuits.model.gpt.GptConfig;
import sparsecircuits.model.gpt.Hook;

/**
 * Writes a small model with {@link ModelFiles} and the logits this engine computes for it, so that
 * {@code bench/torch/check_reference.py} can load the model into the authors' {@code GPT} and compare.
 * Usage: {@code ReferenceExport OUT_DIR [--learned-positions]}; writes {@code OUT_DIR/config.json},
 * {@code OUT_DIR/model.safetensors} and {@code OUT_DIR/logits.safetensors} ("tokens" [2, 16] as floats, "logits" [2, 16, 64]).
 * The other direction, {@code ReferenceExport --check DIR}: loads a model the reference wrote
 * ({@code check_reference.py --export-reference DIR}) with {@link ModelFiles#load} and compares this engine's
 * logits with the reference's (max abs diff, PASS under 1e-3, exit 1 on FAIL).
 * {@code ReferenceExport --from-model MODEL_DIR OUT_FILE}: this engine's logits for a model it trained (any recipe) on
 * random tokens, into OUT_FILE, for {@code check_reference.py --model MODEL_DIR --tokens-logits OUT_FILE}.
 */
public final class ReferenceExport {
    private ReferenceExport() {
    }

    public static void main(String[] args) {
        if (args.length < 1) {
            System.err.println("usage: ReferenceExport OUT_DIR [--learned-positions] | ReferenceExport --check DIR"
                    + " | ReferenceExport --from-model MODEL_DIR OUT_FILE");
            System.exit(2);
        }
        if (args[0].equals("--from-model") && args.length == 3) {
            fromModel(Path.of(args[1]), Path.of(args[2]));
            return;
        }
        if (args[0].equals("--check") && args.length == 2) {
            check(Path.of(args[1]));
            return;
        }
        Path out = Path.of(args[0]);
        boolean positions = args.length > 1 && args[1].equals("--learned-positions");
        int vocab = 64, ctx = 16, batch = 2;
        GptConfig c = GptConfig.builder().vocabSize(vocab).nLayer(2).dModel(32).blockSize(ctx).learnedPositions(positions).build();
        Gpt g = new Gpt(c, 1);
        // Large random values everywhere (gains, biases, sinks, final_logits_bias too) so that every term
        // visibly moves the logits; the init's 0.02 scale would let a missing term hide in the noise.
        Random r = new Random(2);
        for (Parameter p : g.parameterList()) {
            float[] v = p.value();
            boolean gain = p.name().endsWith("ln_1.weight") || p.name().endsWith("ln_2.weight") || p.name().endsWith("ln_f.weight");
            for (int i = 0; i < v.length; i++) v[i] = (float) ((gain ? 1 : 0) + 0.5 * r.nextGaussian());
            if (p.isSparse()) p.sparsify(Math.max(1, p.numel() / 4), 0);
        }
        float[] bias = g.finalLogitsBias();
        for (int i = 0; i < bias.length; i++) bias[i] = (float) r.nextGaussian();
        ModelFiles.save(g, out);

        writeLogits(g, batch, r, out.resolve("logits.safetensors"));
        System.out.println("wrote " + out + " (" + g.parameterCount() + " parameters, " + g.nonZeroBudget() + " kept)");
    }

    private static void fromModel(Path dir, Path outFile) {
        Gpt g = ModelFiles.load(dir);
        writeLogits(g, 2, new Random(3), outFile);
        System.out.println("wrote " + outFile + ": logits of " + dir + " on 2 × " + g.config().blockSize() + " random tokens");
    }

    /** Writes "tokens" [batch, ctx] (as floats) drawn from {@code r} and this engine's "logits" [batch, ctx, vocab] for them. */
    private static void writeLogits(Gpt g, int batch, Random r, Path file) {
        int ctx = g.config().blockSize(), vocab = g.config().vocabSize();
        int[] tokens = new int[batch * ctx];
        float[] tokenValues = new float[tokens.length];
        for (int i = 0; i < tokens.length; i++) tokenValues[i] = tokens[i] = r.nextInt(vocab);
        float[] logits = g.forward(tokens, batch, new Ops(KernelProvider.get(), null), Hook.NONE).data();
        SafeTensors.write(file, List.of(
                SafeTensors.Tensor.f32("tokens", new int[] {batch, ctx}, tokenValues),
                SafeTensors.Tensor.f32("logits", new int[] {batch, ctx, vocab}, logits)), Map.of());
    }

    private static void check(Path dir) {
        Gpt g = ModelFiles.load(dir);
        SafeTensors.Loaded ref = SafeTensors.read(dir.resolve("logits.safetensors"));
        SafeTensors.Tensor t = ref.get("tokens");
        int[] tokens = new int[t.data().length];
        for (int i = 0; i < tokens.length; i++) tokens[i] = Math.round(t.data()[i]);
        float[] logits = g.forward(tokens, t.shape()[0], new Ops(KernelProvider.get(), null), Hook.NONE).data();
        float[] want = ref.get("logits").data();
        double diff = 0;
        for (int i = 0; i < want.length; i++) diff = Math.max(diff, Math.abs(logits[i] - want[i]));
        boolean pass = logits.length == want.length && diff <= 1e-3;
        System.out.printf("loaded %s: %s; max abs diff %.3e (tol 1e-3): %s%n", dir, g.config(), diff, pass ? "PASS" : "FAIL");
        if (!pass) System.exit(1);
    }
}
