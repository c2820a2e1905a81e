package sparsecircuits.model.gpt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import sparsecircuits.autograd.graph.Ops;
import sparsecircuits.kernels.KernelProvider;

class SamplerTest {
    private final Gpt model = new Gpt(GptTest.SMALL, 7); // vocab 40, block size 12
    private final Ops ops = new Ops(KernelProvider.get(), null);
    private final Sampler sampler = new Sampler(model, ops);
    private final int[] prompt = GptTest.tokens(5, 40, 3);

    @Test
    void sameSeedSameOutputOtherSeedOtherOutput() {
        int[] a = sampler.generate(prompt, 20, 1.0, 0, 42, -1);
        assertArrayEquals(a, sampler.generate(prompt, 20, 1.0, 0, 42, -1));
        assertEquals(20, a.length);
        assertFalse(Arrays.equals(a, sampler.generate(prompt, 20, 1.0, 0, 43, -1)), "a near-uniform model differs per seed");
        int[] k = sampler.generate(prompt, 20, 0.8, 5, 9, -1);
        assertArrayEquals(k, sampler.generate(prompt, 20, 0.8, 5, 9, -1));
    }

    @Test
    void greedyIsTheArgmaxOfTheForwardLogits() {
        int[] next = sampler.generate(prompt, 3, 0, 0, 1, -1);
        int[] seq = prompt.clone();
        for (int i = 0; i < 3; i++) {
            float[] logits = model.forward(seq, 1, ops, Hook.NONE).data();
            int best = 0;
            for (int t = 1; t < 40; t++) if (logits[(seq.length - 1) * 40 + t] > logits[(seq.length - 1) * 40 + best]) best = t;
            assertEquals(best, next[i], "token " + i);
            seq = Arrays.copyOf(seq, seq.length + 1);
            seq[seq.length - 1] = best;
        }
        assertArrayEquals(next, sampler.generate(prompt, 3, 2.0, 1, 99, -1), "top-k 1 is greedy at any temperature and seed");
    }

    @Test
    void longContextsAreCroppedToTheBlockSizeFromTheLeft() {
        int[] longPrompt = GptTest.tokens(30, 40, 5);
        assertArrayEquals(Arrays.copyOfRange(longPrompt, 18, 30), Sampler.crop(longPrompt, 12));
        assertArrayEquals(prompt, Sampler.crop(prompt, 12));
        // the model sees only the last 12 tokens, so what came before them cannot matter
        assertArrayEquals(sampler.generate(Sampler.crop(longPrompt, 12), 15, 0, 0, 0, -1),
                sampler.generate(longPrompt, 15, 0, 0, 0, -1));
        assertEquals(15, sampler.generate(prompt, 15, 1, 0, 0, -1).length, "runs past the block size");
    }

    @Test
    void stopsBeforeTheStopToken() {
        int first = sampler.generate(prompt, 1, 0, 0, 0, -1)[0];
        assertEquals(0, sampler.generate(prompt, 10, 0, 0, 0, first).length);
        assertEquals(0, sampler.generate(prompt, 0, 1, 0, 0, -1).length);
        assertThrows(IllegalArgumentException.class, () -> sampler.generate(new int[0], 5, 1, 0, 0, -1));
        assertThrows(IllegalArgumentException.class, () -> sampler.generate(prompt, 5, -1, 0, 0, -1));
    }
}
