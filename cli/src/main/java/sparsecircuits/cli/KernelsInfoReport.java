package sparsecircuits.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import sparsecircuits.kernels.info.KernelBench;
import sparsecircuits.kernels.info.KernelChecks;
import sparsecircuits.kernels.info.KernelsInfo;
import sparsecircuits.kernels.info.PlatformInfo;

/** {@code kernels-info}'s tables: what {@link KernelsInfo} found, as a person reads it (the JSON is {@link KernelsInfo#toJson}). */
final class KernelsInfoReport {
    private KernelsInfoReport() {
    }

    static String text(KernelsInfo info) {
        PlatformInfo platform = info.platform();
        KernelsInfo.Provider provider = info.provider();
        List<KernelChecks.Result> checks = info.checks();
        StringBuilder sb = new StringBuilder();
        sb.append("sparse-circuits ").append(info.version()).append(" kernels-info\n\n");
        Table sys = new Table("", "");
        sys.row("JDK", platform.jdkVersion() + " (" + platform.jdkVendor() + ", " + platform.vmName() + ") at " + platform.javaHome());
        sys.row("CPU", platform.cpuModel() + ", " + platform.logicalCores() + " logical cores, " + platform.arch()
                + ", " + platform.osName() + " " + platform.osVersion());
        sys.row("provider", provider.name() + " (" + provider.reason() + ")");
        int lanes = Math.max(1, provider.vectorBits() / 32);
        sys.row("vectors", provider.vectorBits() + "-bit (" + lanes + " float lane" + (lanes == 1 ? "" : "s") + "), FMA "
                + (provider.fma() ? "on" : "off"));
        sys.row("threads", info.threads() + " (default pool; the benchmark uses 1)");
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

        if (info.bench() == null) {
            sb.append("\nBenchmark skipped (--no-bench).\n");
            return sb.toString();
        }
        KernelBench.Report b = info.bench();
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
