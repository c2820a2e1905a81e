package sparsecircuits.cli;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import sparsecircuits.kernels.info.KernelBench;
import sparsecircuits.kernels.info.KernelChecks;
import sparsecircuits.kernels.info.PlatformInfo;

/**
 * What {@code kernels-info} found, as a readable table or as one JSON object whose keys are
 * documented in the README (section kernels-info) (schema {@value #SCHEMA}). Keys never disappear:
 * a value that does not apply is {@code null}.
 *
 * @param version  the sparse-circuits version
 * @param platform JDK, OS and CPU
 * @param provider the chosen kernel provider
 * @param threads  threads of the default worker pool
 * @param checks   one result per kernel
 * @param bench    the benchmark, or null when it was skipped
 */
record KernelsInfoReport(String version, PlatformInfo platform, Provider provider, int threads,
                         List<KernelChecks.Result> checks, KernelBench.Report bench) {

    static final String SCHEMA = "sparse-circuits/kernels-info/1";

    /** The chosen provider and why. */
    record Provider(String name, String reason, int vectorBits, boolean fma) {
    }

    boolean checksPassed() {
        return KernelChecks.allOk(checks);
    }

    // ------------------------------------------------------------------------------------ JSON

    Map<String, Object> toJson() {
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

    // ------------------------------------------------------------------------------------ text

    String toText() {
        StringBuilder sb = new StringBuilder();
        sb.append("sparse-circuits ").append(version).append(" kernels-info\n\n");
        Table sys = new Table("", "");
        sys.row("JDK", platform.jdkVersion() + " (" + platform.jdkVendor() + ", " + platform.vmName() + ") at " + platform.javaHome());
        sys.row("CPU", platform.cpuModel() + ", " + platform.logicalCores() + " logical cores, " + platform.arch()
                + ", " + platform.osName() + " " + platform.osVersion());
        sys.row("provider", provider.name() + " (" + provider.reason() + ")");
        int lanes = Math.max(1, provider.vectorBits() / 32);
        sys.row("vectors", provider.vectorBits() + "-bit (" + lanes + " float lane" + (lanes == 1 ? "" : "s") + "), FMA "
                + (provider.fma() ? "on" : "off"));
        sys.row("threads", threads + " (default pool; the benchmark uses 1)");
        sys.appendTo(sb, false);

        long passed = checks.stream().filter(KernelChecks.Result::ok).count();
        sb.append('\n').append("Checks against the scalar reference: ").append(passed).append(" of ").append(checks.size())
                .append(" kernels agree").append(passed == checks.size() ? "" : " (FAILURES BELOW)").append('\n');
        Table ct = new Table("kernel", "max abs error", "max rel error", "tolerance", "result");
        ct.rightAlign(1, 2, 3);
        List<String> failures = new ArrayList<>();
        for (KernelChecks.Result r : checks) {
            ct.row(r.kernel(), sci(r.maxAbsError()), sci(r.maxRelError()), sci(r.tolerance()), r.ok() ? "ok" : "FAIL");
            if (!r.ok()) failures.add(r.kernel() + ": " + r.failure());
        }
        ct.appendTo(sb, true);
        for (String f : failures) sb.append("  ").append(f).append('\n');

        if (bench == null) {
            sb.append("\nBenchmark skipped (--no-bench).\n");
            return sb.toString();
        }
        KernelBench.Report b = bench;
        sb.append('\n').append(String.format(Locale.ROOT,
                "Benchmark: %s kernels, %d thread, best of several runs after warm-up, %.1f s%n",
                b.provider(), b.threads(), b.elapsedSeconds()));
        Table bt = new Table("measurement", "shape", "speed", "vs dense");
        bt.rightAlign(2, 3);
        bt.row("FMA peak (Vector API)", "", b.fmaPeakGflops().isPresent() ? gflops(b.fmaPeakGflops().getAsDouble())
                : "n/a (no vector module)", "");
        KernelBench.Dense g = b.gemm();
        bt.row("dense GEMM (" + g.kernel() + ")", g.m() + "x" + g.n() + "x" + g.k(), gflops(g.gflops()), "");
        String layer = KernelBench.OUT + "x" + KernelBench.IN + ", " + KernelBench.TOKENS + " tokens";
        bt.row("layer forward, dense (" + b.layerDense().kernel() + ")", layer, gflops(b.layerDense().gflops()), "1.00x");
        for (KernelBench.Sparse s : b.spmm()) {
            bt.row("layer forward, SpMM 1/" + s.denominator(), "nnz " + String.format(Locale.ROOT, "%,d", s.nnz()),
                    gflops(s.gflops()), speedup(s.speedupVsDense()));
        }
        bt.row("layer dX, dense (" + b.dxDense().kernel() + ")", layer, gflops(b.dxDense().gflops()), "1.00x");
        KernelBench.Sparse dx = b.dx();
        bt.row("layer dX, " + dx.kernel() + " 1/" + dx.denominator(), "nnz " + String.format(Locale.ROOT, "%,d", dx.nnz()),
                gflops(dx.gflops()), speedup(dx.speedupVsDense()));
        for (KernelBench.TopKTiming t : b.topk()) {
            bt.row("top-k (TopK.select)", sizeLabel(t.elements()) + " floats, k = n/16",
                    String.format(Locale.ROOT, "%.2f ns/element", t.nsPerElement()), "");
        }
        bt.appendTo(sb, true);
        sb.append("  SpMM/dX GFLOP/s count stored entries only (2 x nnz x tokens); \"vs dense\" = dense time / sparse time.\n");
        return sb.toString();
    }

    private static String gflops(double g) {
        return String.format(Locale.ROOT, g >= 100 ? "%.0f GFLOP/s" : g >= 10 ? "%.1f GFLOP/s" : "%.2f GFLOP/s", g);
    }

    private static String speedup(double s) {
        return String.format(Locale.ROOT, s >= 10 ? "%.1fx" : "%.2fx", s);
    }

    private static String sci(double d) {
        return !Double.isFinite(d) ? "n/a" : d == 0 ? "0" : String.format(Locale.ROOT, "%.1e", d);
    }

    private static String sizeLabel(int n) {
        if (n % (1 << 20) == 0) return (n >> 20) + "M";
        if (n % (1 << 10) == 0) return (n >> 10) + "K";
        return Integer.toString(n);
    }

    /** A plain aligned text table, indented two spaces. */
    static final class Table {
        private final String[] header;
        private final List<String[]> rows = new ArrayList<>();
        private boolean[] right;

        Table(String... header) {
            this.header = header;
            this.right = new boolean[header.length];
        }

        void rightAlign(int... columns) {
            for (int c : columns) right[c] = true;
        }

        void row(String... cells) {
            rows.add(cells);
        }

        void appendTo(StringBuilder sb, boolean withHeader) {
            int[] w = new int[header.length];
            List<String[]> all = new ArrayList<>();
            if (withHeader) all.add(header);
            all.addAll(rows);
            for (String[] r : all) {
                for (int c = 0; c < r.length; c++) w[c] = Math.max(w[c], r[c].length());
            }
            for (String[] r : all) {
                StringBuilder line = new StringBuilder("  ");
                for (int c = 0; c < r.length; c++) {
                    if (c > 0) line.append("   ");
                    String cell = r[c];
                    String padding = " ".repeat(w[c] - cell.length());
                    line.append(right[c] ? padding + cell : cell + padding);
                }
                sb.append(line.toString().stripTrailing()).append('\n');
            }
        }
    }
}
