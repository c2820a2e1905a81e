package sparsecircuits.bench;

import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.AuxCounters;
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

import sparsecircuits.kernels.select.TopK;

/**
 * Whole-tensor magnitude top-k ({@link TopK#select}, radix select) with k = n/16 on standard-normal
 * weights. The primary score is ns per call; the secondary score {@code select:element} is
 * <b>ns per element</b> (an operations counter of n per call, which JMH divides the time by), the
 * figure that should stay flat from 64K to 16M elements if the select is O(n).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 4, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {Bench.ADD_VECTOR, "-Xms2g", "-Xmx2g"})
public class TopKBench {

    @Param({"65536", "262144", "1048576", "4194304", "16777216"})
    public int n;

    private float[] w;
    private int k;
    private int[] out;

    @Setup(Level.Trial)
    public void setUp() {
        w = Bench.gaussian(51, n);
        k = n / 16;
        out = new int[k];
        TopK.select(w, 0, n, k, out, 0);
        TopKCheck.check("TopK.select n=" + n, w, n, k, out, null);
        System.err.println("# check passed (exact): TopK.select n=" + n + " k=" + k);
    }

    @Benchmark
    public int[] select(ElementCounter counter) {
        TopK.select(w, 0, n, k, out, 0);
        counter.element += n;
        return out;
    }
}
