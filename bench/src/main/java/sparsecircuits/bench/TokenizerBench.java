package sparsecircuits.bench;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import sparsecircuits.model.corpus.SyntheticPython;
import sparsecircuits.model.tokenizer.BpeTrainer;
import sparsecircuits.model.tokenizer.ByteLevelBpe;
import sparsecircuits.pruning.tasks.PaperTaskTargets;

/**
 * Byte-level BPE encoding speed on ~1 MB of the embedded synthetic Python corpus (held-out documents, not the
 * tokenizer's training sample). Score: ms per call; setup prints the bytes and tokens of the text, so MB/s and
 * tokens/s follow. Checks in setup that decode(encode(text)) == text.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
public class TokenizerBench {

    @Param({"512", "2048"})
    public int vocab;

    private ByteLevelBpe bpe;
    private String text;
    private int bytes;

    @Setup(Level.Trial)
    public void setUp() {
        bpe = new BpeTrainer(vocab, PaperTaskTargets.all()).train(SyntheticPython.documentsOfAtLeast(1, 1_500_000));
        text = String.join("\n", SyntheticPython.documentsOfAtLeast(2, 1_000_000));
        bytes = text.getBytes(StandardCharsets.UTF_8).length;
        if (!bpe.decode(bpe.encode(text)).equals(text)) throw new IllegalStateException("decode(encode(text)) != text");
        System.err.println("# check passed: round trip of " + bytes + " bytes = " + bpe.encode(text).length + " tokens, vocab " + bpe.vocabSize());
    }

    @Benchmark
    public int[] encode() {
        return bpe.encode(text);
    }
}
