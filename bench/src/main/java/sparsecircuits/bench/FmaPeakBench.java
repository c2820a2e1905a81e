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
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import sparsecircuits.kernels.vector.FmaProbe;

/**
 * The FMA peak of this CPU through the Vector API ({@link FmaProbe}: 12 independent FMA chains on
 * the preferred species, data in registers). One op = {@code FmaProbe.run(ITERATIONS)} =
 * ITERATIONS · {@link FmaProbe#flopsPerIteration()} flops (12 · 2 · lanes per iteration; 6,291,456
 * flops with 16 lanes). The secondary score {@code :flop} counts those flops, and since the output
 * unit is ns it reads directly as <b>GFLOP/s</b> (flop/ns); the primary score is probe calls per ns.
 * {@code peak} runs on one thread (the per-core figure every dense ratio is taken against),
 * {@code peak2} on two JMH threads (the whole machine on a 2-core box).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 4, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {Bench.ADD_VECTOR, "-Xms2g", "-Xmx2g"})
public class FmaPeakBench {
    /** FMA rounds per op: about 50 µs per call at 120 GFLOP/s with 16 lanes. */
    static final long ITERATIONS = 1 << 14;

    private long flopsPerOp;

    /** Flops done: JMH reports this counter per ns, i.e. in GFLOP/s. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Flops {
        public long flop;

        @Setup(Level.Iteration)
        public void reset() {
            flop = 0;
        }
    }

    @Setup(Level.Trial)
    public void setUp() {
        flopsPerOp = ITERATIONS * FmaProbe.flopsPerIteration();
        int lanes = (int) (FmaProbe.flopsPerIteration() / 24);
        // The probe's chains are c ← fma(c, m, a) from c = 1 … 12, identical in every lane; replay one
        // lane with Math.fma (the same fused rounding) and compare the returned sum.
        float m = 0.999999f, a = 1e-7f;
        float[] c = new float[12];
        for (int i = 0; i < 12; i++) c[i] = 1f + i;
        for (long it = 0; it < ITERATIONS; it++) {
            for (int i = 0; i < 12; i++) c[i] = Math.fma(c[i], m, a);
        }
        double expected = 0;
        for (int i = 0; i < 12; i++) expected += c[i];
        expected *= lanes;
        float got = FmaProbe.run(ITERATIONS);
        if (!(Math.abs(got - expected) <= 1e-5 * Math.abs(expected))) {
            Check.fail("FmaProbe.run(" + ITERATIONS + ")", "returned " + got + ", expected " + expected
                    + " (a probe that skips FMAs would report a fake peak)");
        }
        System.err.println("# check passed: FmaProbe: " + lanes + " float lanes, " + flopsPerOp + " flops per op, java "
                + System.getProperty("java.version"));
    }

    @Benchmark
    public float peak(Flops counter) {
        counter.flop += flopsPerOp;
        return FmaProbe.run(ITERATIONS);
    }

    @Benchmark
    @Threads(2)
    public float peak2(Flops counter) {
        counter.flop += flopsPerOp;
        return FmaProbe.run(ITERATIONS);
    }
}
