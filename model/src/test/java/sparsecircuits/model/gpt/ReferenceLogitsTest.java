package sparsecircuits.model.gpt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import sparsecircuits.autograd.graph.Ops;
import sparsecircuits.autograd.graph.Tensor;
import sparsecircuits.autograd.param.Parameter;
import sparsecircuits.kernels.KernelProvider;
import sparsecircuits.kernels.Kernels;
import sparsecircuits.kernels.WorkerPool;
import sparsecircuits.model.checkpoint.ModelFiles;
import sparsecircuits.model.checkpoint.SafeTensors;

/**
 * Reference parity in CI: models that the authors' {@code circuit_sparsity/inference/gpt.py} made, and the logits
 * and hook activations it computed for them, are committed under {@code src/test/resources/sparsecircuits/model/reference/}
 * (see the README there; {@code bench/torch/make_reference_fixture.py} regenerates them). This test loads each model
 * with {@link ModelFiles#load}, runs {@link Gpt#forward} on the committed tokens and requires max |Δ| ≤ 1e-4 against
 * the reference for every logit and every hook activation, on the scalar and the vector kernels, with the weights
 * taken through the default density rule, all through CSR and all dense.
 *
 * <p>Variant {@code sink-bigram-abstopk}: attention sink, bigram table, final_logits_bias, AbsTopK 1/4 at all 8
 * locations, n_head·d_head ≠ d_model, widths off the vector length, and a token whose embedding is so small that
 * the RMSNorm epsilon moves its logits. Variant {@code positions}: learned positions, no sink, no bigram table,
 * AbsTopK 3/8 at 4 locations. Prompts were drawn so that no AbsTopK is near a tie (README).
 */
class ReferenceLogitsTest {
    static final double TOLERANCE = 1e-4;
    static final String ROOT = "/sparsecircuits/model/reference/";
    static final List<String> VARIANTS = List.of("sink-bigram-abstopk", "positions", "scalable-trained");
    static final String[] CASES = {"", ".short"};

    private static final WorkerPool POOL = new WorkerPool(2);

    @AfterAll
    static void closePool() {
        POOL.close();
    }

    record Fixture(String variant, Gpt model, SafeTensors.Loaded reference) {
        int[] tokens(String suffix) {
            float[] t = reference.get("tokens" + suffix).data();
            int[] out = new int[t.length];
            for (int i = 0; i < t.length; i++) out[i] = Math.round(t[i]);
            return out;
        }

        int batch(String suffix) {
            return reference.get("tokens" + suffix).shape()[0];
        }
    }

    static Path directory(String variant) {
        URL url = ReferenceLogitsTest.class.getResource(ROOT + variant + "/" + ModelFiles.CONFIG);
        if (url == null) throw new AssertionError("test resource " + ROOT + variant + " is missing");
        try {
            return Path.of(url.toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new AssertionError(e);
        }
    }

    static Fixture fixture(String variant) {
        Path dir = directory(variant);
        return new Fixture(variant, ModelFiles.load(dir), SafeTensors.read(dir.resolve("logits.safetensors")));
    }

    static Optional<Kernels> kernels(String provider) {
        return provider.equals("scalar") ? Optional.of(KernelProvider.scalar(POOL)) : KernelProvider.vector(POOL);
    }

    /** Every variant × kernel provider × weight path (default density rule, all CSR, all dense). */
    static Stream<Arguments> runs() {
        List<Arguments> out = new ArrayList<>();
        for (String v : VARIANTS) {
            for (String provider : List.of("scalar", "vector")) {
                for (String path : List.of("default", "csr", "dense")) out.add(Arguments.of(v, provider, path));
            }
        }
        return out.stream();
    }

    static Ops ops(Kernels k, String path) {
        Ops ops = new Ops(k, null);
        return switch (path) {
            case "default" -> ops;
            case "csr" -> ops.sparseBelow(2);
            case "dense" -> ops.sparseBelow(0);
            default -> throw new IllegalArgumentException(path);
        };
    }

    static double maxAbsDiff(float[] got, float[] want) {
        assertEquals(want.length, got.length, "element count");
        double d = 0;
        for (int i = 0; i < want.length; i++) d = Math.max(d, Math.abs((double) got[i] - want[i]));
        return d;
    }

    @ParameterizedTest(name = "{0}, {1} kernels, {2} weights")
    @MethodSource("runs")
    void logitsAndHooksMatchTheReference(String variant, String provider, String path) {
        Optional<Kernels> k = kernels(provider);
        assumeTrue(k.isPresent(), "no jdk.incubator.vector in this JVM");
        Fixture f = fixture(variant);
        Ops ops = ops(k.get(), path);
        List<String> report = new ArrayList<>();
        double worst = 0;
        for (String suffix : CASES) {
            SafeTensors.Tensor want = f.reference().get("logits" + suffix);
            Hooks.Recorder rec = Hooks.recorder(".*");
            Tensor logits = f.model().forward(f.tokens(suffix), f.batch(suffix), ops, suffix.isEmpty() ? Hook.NONE : rec);
            assertArrayEquals(want.shape(), logits.shape(), "logits" + suffix + " shape");
            double d = maxAbsDiff(logits.data(), want.data());
            report.add(String.format(Locale.ROOT, "logits%s %.2e", suffix, d));
            worst = Math.max(worst, d);
            assertTrue(d <= TOLERANCE, variant + ": logits" + suffix + " max |Δ| " + d + " > " + TOLERANCE);
            if (suffix.isEmpty()) continue;
            // the hooks: the same names as the reference's hook_save (all but attn.y), [batch, tokens, channels]
            Set<String> stored = new TreeSet<>();
            for (String name : f.reference().tensors().keySet()) if (name.startsWith("hook.")) stored.add(name.substring(5));
            assertEquals(stored, new TreeSet<>(rec.recorded().keySet()), "hook names recorded by the forward");
            double hooks = 0;
            for (Map.Entry<String, Tensor> e : rec.recorded().entrySet()) {
                SafeTensors.Tensor ref = f.reference().get("hook." + e.getKey());
                assertArrayEquals(ref.shape(), e.getValue().shape(), "hook " + e.getKey() + " shape");
                double h = maxAbsDiff(e.getValue().data(), ref.data());
                assertTrue(h <= TOLERANCE, variant + ": hook " + e.getKey() + " max |Δ| " + h + " > " + TOLERANCE);
                hooks = Math.max(hooks, h);
            }
            report.add(String.format(Locale.ROOT, "hooks %.2e", hooks));
            worst = Math.max(worst, hooks);
        }
        System.out.printf(Locale.ROOT, "reference parity %s, %s kernels, %s weights: max |Δ| %.2e (%s)%n",
                variant, provider, path, worst, String.join(", ", report));
    }

    /** The fixtures are what the README says, so that the paths the parity test guards are really taken. */
    @Test
    void theFixturesExerciseTheirFeatures() {
        Fixture a = fixture("sink-bigram-abstopk"), b = fixture("positions");
        GptConfig ca = a.model().config(), cb = b.model().config();
        assertTrue(ca.sink() && ca.bigramTable() && !ca.learnedPositions(), ca.toString());
        assertEquals(Set.copyOf(GptConfig.LOCATIONS), ca.afracLocations());
        assertTrue(ca.attnWidth() != ca.dModel() && ca.dModel() % 16 != 0 && ca.vocabSize() % 16 != 0, ca.toString());
        assertTrue(!cb.sink() && !cb.bigramTable() && cb.learnedPositions() && cb.afracLocations().size() == 4, cb.toString());
        for (Fixture f : List.of(a, b)) {
            GptConfig c = f.model().config();
            assertEquals(2, c.nLayer());
            assertArrayEquals(new int[] {4, c.blockSize(), c.vocabSize()}, f.reference().get("logits").shape());
            assertTrue(f.batch(".short") > 1 && f.reference().get("tokens.short").shape()[1] < c.blockSize());
            // some weight matrices below the default density rule (CSR in the default forward), some above
            long below = f.model().parameterList().stream()
                    .filter(p -> p.isSparse() && p.rows() > 1 && p.density() < Ops.DEFAULT_SPARSE_BELOW).count();
            long above = f.model().parameterList().stream()
                    .filter(p -> p.isSparse() && p.rows() > 1 && p.density() >= Ops.DEFAULT_SPARSE_BELOW).count();
            assertTrue(below > 0 && above > 0, f.variant() + ": " + below + " sparse and " + above + " denser matrices");
        }
        // the tiny-embedding token: mean square of its embedding within a few epsilons
        float[] wte = a.model().parameter("transformer.wte.weight").value();
        int d = ca.dModel(), tiny = 7;
        double ms = 0;
        for (int i = 0; i < d; i++) ms += (double) wte[tiny * d + i] * wte[tiny * d + i] / d;
        assertTrue(ms > 0.1 * GptConfig.RMS_EPS && ms < 10 * GptConfig.RMS_EPS, "mean square " + ms);
        assertTrue(Arrays.stream(a.tokens("")).anyMatch(t -> t == tiny), "a prompt holds the tiny token");
    }

    /** The third fixture is a model this engine trained with the scalable recipe, its files as the trainer wrote them. */
    @Test
    void theScalableFixtureWasTrainedByTheScalableRecipe() throws Exception {
        Path dir = directory("scalable-trained");
        String trainConfig = java.nio.file.Files.readString(dir.resolve("train-config.json"));
        assertTrue(trainConfig.contains("\"recipe\": \"scalable\"") && trainConfig.contains("sparse-circuits/train-config/2"), trainConfig);
        Fixture f = fixture("scalable-trained");
        long zeros = f.model().parameterList().stream().filter(p -> p.isSparse() && p.rows() > 1).mapToLong(p -> p.numel() - p.countNonZero()).sum();
        assertTrue(zeros > 0, "the trained weights are sparse");
    }

    /**
     * Each component the parity test guards moves the committed logits by far more than the tolerance, so a forward
     * pass that dropped it would fail: the sink, the bigram table, final_logits_bias, AbsTopK, learned positions.
     */
    @Test
    void everyComponentMovesTheLogitsFarBeyondTheTolerance() {
        Ops ops = new Ops(KernelProvider.get(), null);
        String a = "sink-bigram-abstopk", b = "positions";
        assertFarOff(a, ops, g -> {
            for (Parameter p : g.parameterList()) if (p.name().endsWith("sink_logit")) Arrays.fill(p.value(), -1e30f);
        }, "without the sink");
        assertFarOff(a, ops, g -> Arrays.fill(g.parameter("bigram_table").value(), 0f), "without the bigram table");
        assertFarOff(a, ops, g -> Arrays.fill(g.finalLogitsBias(), 0f), "without final_logits_bias");
        assertFarOff(b, ops, g -> Arrays.fill(g.parameter("transformer.wpe.weight").value(), 0f), "without positions");
        for (Fixture f : List.of(fixture(a), fixture(b))) {
            GptConfig c = f.model().config();
            Gpt dense = new Gpt(c.toBuilder().afrac(1.0).afracLocations(Set.of()).build(), 0);
            for (Parameter p : f.model().parameterList()) {
                System.arraycopy(p.value(), 0, dense.parameter(p.name()).value(), 0, p.numel());
            }
            System.arraycopy(f.model().finalLogitsBias(), 0, dense.finalLogitsBias(), 0, c.vocabSize());
            double d = maxAbsDiff(dense.forward(f.tokens(""), f.batch(""), ops, Hook.NONE).data(), f.reference().get("logits").data());
            assertTrue(d > 100 * TOLERANCE, f.variant() + " without AbsTopK: max |Δ| only " + d);
        }
    }

    private static void assertFarOff(String variant, Ops ops, java.util.function.Consumer<Gpt> change, String what) {
        Fixture f = fixture(variant);
        change.accept(f.model());
        double d = maxAbsDiff(f.model().forward(f.tokens(""), f.batch(""), ops, Hook.NONE).data(), f.reference().get("logits").data());
        assertTrue(d > 100 * TOLERANCE, f.variant() + " " + what + ": max |Δ| only " + d);
    }
}
