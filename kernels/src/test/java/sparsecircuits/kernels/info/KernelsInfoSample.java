package sparsecircuits.kernels.info;

import java.util.List;
import java.util.OptionalDouble;

/**
 * kernels-info's results on made-up figures, as a test fixture: KernelsInfoTest checks their JSON, and cli's
 * KernelsInfoReportTest (through the kernels' test jar) their text tables.
 */
public final class KernelsInfoSample {
    private KernelsInfoSample() {
    }

    /** One check passing and one failing on NaN; the benchmark when asked for, with an FMA peak only on vectors. */
    public static KernelsInfo sample(boolean withBench, boolean vector) {
        PlatformInfo platform = new PlatformInfo("25.0.3+9-LTS", "Eclipse Adoptium", "OpenJDK 64-Bit Server VM", "/jdk",
                "Linux", "6.1", "amd64", "Test CPU @ 3.0GHz", 8, vector);
        KernelsInfo.Provider provider = new KernelsInfo.Provider(vector ? "vector" : "scalar",
                vector ? "jdk.incubator.vector present" : "jdk.incubator.vector is not in this JVM", vector ? 512 : 32, vector);
        List<KernelChecks.Result> checks = List.of(
                new KernelChecks.Result("gemmABt", 100, 1.5e-7, 3e-8, 1e-4, true, null),
                new KernelChecks.Result("spmm", 50, Double.NaN, Double.NaN, 2e-4, false, "output 0 element 3 is NaN (reference 0.5)"));
        KernelBench.Report bench = null;
        if (withBench) {
            KernelBench.Timing t = new KernelBench.Timing(2_500_000, 7);
            bench = new KernelBench.Report(provider.name(), 1, 10, 10.4, vector ? OptionalDouble.of(123.456789) : OptionalDouble.empty(),
                    new KernelBench.Dense("gemmABt", 256, 2048, 512, 40.123456, t),
                    new KernelBench.Dense("gemmAB", 2048, 512, 512, 38.0, t),
                    List.of(new KernelBench.Sparse("spmm", 4, 262144, 20.0, 2.1, t),
                            new KernelBench.Sparse("spmm", 64, 16384, 9.0, 15.25, t)),
                    new KernelBench.Dense("gemmAtB", 512, 512, 2048, 30.0, t),
                    new KernelBench.Sparse("spmmTransposed", 16, 65536, 12.0, 6.5, t),
                    List.of(new KernelBench.TopKTiming(65536, 4096, 1.25, t)));
        }
        return new KernelsInfo("1.2.3", platform, provider, 8, checks, bench);
    }
}
