package sparsecircuits.kernels.info;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import sparsecircuits.kernels.KernelProvider;
import sparsecircuits.kernels.Kernels;

/**
 * What the kernels of this platform are and do: the platform, the chosen provider, a check of every kernel against
 * the scalar reference and optionally a short benchmark. As JSON its keys are documented in the README (section
 * kernels-info, schema {@value #SCHEMA}) and never disappear: a value that does not apply is {@code null}.
 *
 * @param version  the sparse-circuits version
 * @param platform JDK, OS and CPU
 * @param provider the chosen kernel provider
 * @param threads  threads of the default worker pool
 * @param checks   one result per kernel
 * @param bench    the benchmark, or null when it was skipped
 */
public record KernelsInfo(String version, PlatformInfo platform, Provider provider, int threads,
                          List<KernelChecks.Result> checks, KernelBench.Report bench) {

    public static final String SCHEMA = "sparse-circuits/kernels-info/1";

    /** The chosen provider and why. */
    public record Provider(String name, String reason, int vectorBits, boolean fma) {
    }

    /**
     * Checks {@code selection}'s kernels and, unless {@code seconds} is 0, benchmarks them for about that long;
     * {@code progress} hears of the check as step 0 and of the benchmark's steps after it.
     */
    public static KernelsInfo measure(String version, KernelProvider.Selection selection, double seconds, KernelBench.Progress progress) {
        Kernels kernels = selection.kernels();
        Provider provider = new Provider(kernels.name(), selection.reason(), kernels.vectorBitSize(), kernels.usesFma());
        boolean bench = seconds > 0;
        int total = bench ? 1 + KernelBench.steps() : 1;
        progress.step(0, total, "checking " + kernels.name() + " kernels against the scalar reference");
        List<KernelChecks.Result> checks = KernelChecks.run(kernels);
        KernelBench.Report report = bench ? KernelBench.run(seconds, (i, n, what) -> progress.step(1 + i, total,
                "benchmark (~" + Math.round(seconds) + " s): " + what)) : null;
        return new KernelsInfo(version, PlatformInfo.detect(), provider, kernels.pool().threads(), checks, report);
    }

    public boolean checksPassed() {
        return KernelChecks.allOk(checks);
    }

    /** Kernels that disagree with the scalar reference. */
    public long failedChecks() {
        return checks.stream().filter(r -> !r.ok()).count();
    }

    /** As a JSON value tree (maps, lists, strings, numbers, booleans, nulls; no NaN). */
    public Map<String, Object> toJson() {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("schema", SCHEMA);
        root.put("version", version);
        root.put("jdk", obj("version", platform.jdkVersion(), "vendor", platform.jdkVendor(), "vm", platform.vmName(),
                "home", platform.javaHome()));
        root.put("os", obj("name", platform.osName(), "version", platform.osVersion(), "arch", platform.arch()));
        root.put("cpu", obj("model", platform.cpuModel(), "cores", platform.logicalCores()));
        root.put("provider", obj("name", provider.name(), "reason", provider.reason(), "vector_bits", provider.vectorBits(),
                "float_lanes", Math.max(1, provider.vectorBits() / 32), "fma", provider.fma(),
                "vector_module", platform.vectorModule()));
        root.put("threads", threads);
        root.put("checks_passed", checksPassed());
        List<Object> list = new ArrayList<>();
        for (KernelChecks.Result r : checks) {
            list.add(obj("kernel", r.kernel(), "outputs", r.outputs(), "max_abs_error", finite(r.maxAbsError()),
                    "max_rel_error", finite(r.maxRelError()), "tolerance", finite(r.tolerance()), "ok", r.ok(),
                    "failure", r.failure()));
        }
        root.put("checks", list);
        root.put("bench", bench == null ? null : benchJson(bench));
        return root;
    }

    private static Map<String, Object> benchJson(KernelBench.Report b) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("provider", b.provider());
        m.put("threads", b.threads());
        m.put("budget_seconds", round(b.budgetSeconds()));
        m.put("elapsed_seconds", round(b.elapsedSeconds()));
        Double peak = b.fmaPeakGflops().isPresent() ? round(b.fmaPeakGflops().getAsDouble()) : null;
        m.put("fma_peak_gflops", peak);
        KernelBench.Dense g = b.gemm();
        Map<String, Object> gemm = obj("kernel", g.kernel(), "m", g.m(), "n", g.n(), "k", g.k(), "gflops", round(g.gflops()),
                "fraction_of_fma_peak", peak == null ? null : round(g.gflops() / b.fmaPeakGflops().getAsDouble()));
        timing(gemm, g.timing());
        m.put("gemm", gemm);
        m.put("layer", obj("out", KernelBench.OUT, "in", KernelBench.IN, "tokens", KernelBench.TOKENS,
                "dense", dense(b.layerDense())));
        List<Object> spmm = new ArrayList<>();
        for (KernelBench.Sparse s : b.spmm()) spmm.add(sparse(s, null));
        m.put("spmm", spmm);
        m.put("dx", sparse(b.dx(), b.dxDense()));
        List<Object> topk = new ArrayList<>();
        for (KernelBench.TopKTiming t : b.topk()) {
            Map<String, Object> e = obj("elements", t.elements(), "k", t.k(), "ns_per_element", round(t.nsPerElement()));
            timing(e, t.timing());
            topk.add(e);
        }
        m.put("topk", topk);
        return m;
    }

    private static Map<String, Object> dense(KernelBench.Dense d) {
        Map<String, Object> m = obj("kernel", d.kernel(), "gflops", round(d.gflops()));
        timing(m, d.timing());
        return m;
    }

    private static Map<String, Object> sparse(KernelBench.Sparse s, KernelBench.Dense dense) {
        Map<String, Object> m = obj("kernel", s.kernel(), "density", s.density(), "density_label", "1/" + s.denominator(),
                "nnz", s.nnz(), "gflops", round(s.gflops()), "speedup_vs_dense", round(s.speedupVsDense()));
        timing(m, s.timing());
        if (dense != null) {
            m.put("dense", dense(dense));
        }
        return m;
    }

    private static void timing(Map<String, Object> m, KernelBench.Timing t) {
        m.put("time_ms", round(t.millis()));
        m.put("runs", t.runs());
    }

    private static Map<String, Object> obj(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], kv[i + 1]);
        return m;
    }

    /** NaN/infinity become null (JSON has neither). */
    private static Double finite(double d) {
        return Double.isFinite(d) ? d : null;
    }

    /** Four significant digits: measurements are not more precise than that. */
    static Double round(double d) {
        if (!Double.isFinite(d)) return null;
        if (d == 0) return 0.0;
        return new BigDecimal(d).round(new MathContext(4)).doubleValue();
    }
}
