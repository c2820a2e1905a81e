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
 * Top-k with the minimum-per-neuron rule ({@link TopK#selectWithMinimum}) on a [1024 × 4096]
 * weight, j = 4, k = n/16, neurons = rows or columns. Scores: ns per call, and
 * {@code selectWithMinimum:element} = <b>ns per element</b>.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 4, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {Bench.ADD_VECTOR, "-Xms2g", "-Xmx2g"})
public class TopKNeuronBench {
    static final int ROWS = 1024;
    static final int COLS = 4096;
    static final int J = 4;

    @Param({"ROWS", "COLUMNS"})
    public String neurons;

    private TopK.Neurons axis;
    private float[] w;
    private int k;
    private int[] out;

    @Setup(Level.Trial)
    public void setUp() {
        axis = TopK.Neurons.valueOf(neurons);
        w = Bench.gaussian(61, ROWS * COLS);
        k = ROWS * COLS / 16;
        out = new int[k];
        TopK.selectWithMinimum(w, 0, ROWS, COLS, k, J, axis, out, 0);
        boolean[] forced = TopKCheck.forced(w, ROWS, COLS, J, axis);
        TopKCheck.check("TopK.selectWithMinimum " + neurons, w, ROWS * COLS, k, out, forced);
        System.err.println("# check passed (exact): TopK.selectWithMinimum " + ROWS + "x" + COLS + " k=" + k + " j=" + J + " neurons=" + neurons);
    }

    @Benchmark
    public int[] selectWithMinimum(ElementCounter counter) {
        TopK.selectWithMinimum(w, 0, ROWS, COLS, k, J, axis, out, 0);
        counter.element += (long) ROWS * COLS;
        return out;
    }
}
