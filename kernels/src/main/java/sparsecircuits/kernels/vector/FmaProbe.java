package sparsecircuits.kernels.vector;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The FMA-peak probe: 12 independent accumulator chains of fused multiply-adds on the preferred
 * species, data in registers, so the only limit is the FMA ports. The figure every dense-kernel
 * ratio is taken against (PERF.md).
 */
public final class FmaProbe {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private FmaProbe() {
    }

    /** Runs {@code iterations} rounds of 12 vector FMAs; returns a value that depends on all of them. */
    public static float run(long iterations) {
        FloatVector m = FloatVector.broadcast(S, 0.999999f);
        FloatVector a = FloatVector.broadcast(S, 1e-7f);
        FloatVector c0 = FloatVector.broadcast(S, 1f), c1 = c0.add(1f), c2 = c0.add(2f), c3 = c0.add(3f);
        FloatVector c4 = c0.add(4f), c5 = c0.add(5f), c6 = c0.add(6f), c7 = c0.add(7f);
        FloatVector c8 = c0.add(8f), c9 = c0.add(9f), c10 = c0.add(10f), c11 = c0.add(11f);
        for (long i = 0; i < iterations; i++) {
            c0 = c0.fma(m, a); c1 = c1.fma(m, a); c2 = c2.fma(m, a); c3 = c3.fma(m, a);
            c4 = c4.fma(m, a); c5 = c5.fma(m, a); c6 = c6.fma(m, a); c7 = c7.fma(m, a);
            c8 = c8.fma(m, a); c9 = c9.fma(m, a); c10 = c10.fma(m, a); c11 = c11.fma(m, a);
        }
        return c0.add(c1).add(c2).add(c3).add(c4).add(c5).add(c6).add(c7).add(c8).add(c9).add(c10).add(c11)
                .reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
    }

    /** Flops done by {@link #run} per iteration. */
    public static long flopsPerIteration() {
        return 12L * 2 * S.length();
    }

    /** Best GFLOP/s over repeated timed runs within about {@code millis} ms (after a warm-up). */
    public static double peakGflops(int millis) {
        long iters = 1 << 16;
        float sink = 0;
        for (int w = 0; w < 20; w++) sink += run(iters); // let C2 compile the loop
        double best = 0;
        long deadline = System.nanoTime() + Math.max(1, millis) * 1_000_000L;
        do {
            long t0 = System.nanoTime();
            sink += run(iters * 16);
            long dt = System.nanoTime() - t0;
            best = Math.max(best, (double) iters * 16 * flopsPerIteration() / dt);
        } while (System.nanoTime() < deadline);
        if (sink == 42.4242f) System.out.print(""); // keep the result alive
        return best;
    }
}
