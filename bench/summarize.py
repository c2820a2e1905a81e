#!/usr/bin/env python3
"""Turns a results directory of JMH JSON files (and numpy_gemm.jsonl, if present) into Markdown
tables of the derived figures: GFLOP/s, ratios to the same run's FMA peak and numpy, sparse
speed-ups over the dense row, top-k ns/element, vector-over-scalar speed-ups.

Usage: python3 bench/summarize.py bench/results/<run>/   (or a list of .json / .jsonl files)
Standard library only.
"""
import glob
import json
import math
import os
import sys


def load(paths):
    jmh, numpy = [], []
    files = []
    for p in paths:
        if os.path.isdir(p):
            files += sorted(glob.glob(os.path.join(p, "*.json"))) + sorted(glob.glob(os.path.join(p, "*.jsonl")))
        else:
            files.append(p)
    for f in files:
        if f.endswith(".jsonl"):
            with open(f) as fh:
                for line in fh:
                    line = line.strip()
                    if line.startswith("{"):
                        numpy.append(json.loads(line))
        else:
            with open(f) as fh:
                text = fh.read().strip()
            if text:
                jmh += json.loads(text)
    return jmh, numpy


def short(name):
    parts = name.split(".")
    return parts[-2], parts[-1]


def fmt(x, digits=1):
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "—"
    if abs(x) >= 100:
        return f"{x:,.0f}"
    return f"{x:.{digits}f}"


def jround(x):
    """Java's Math.round for positive values."""
    return int(math.floor(x + 0.5))


def main(argv):
    if not argv:
        print(__doc__)
        return 2
    jmh, numpy = load(argv)
    by_class = {}
    for r in jmh:
        cls, method = short(r["benchmark"])
        by_class.setdefault(cls, []).append((method, r))
    out = []
    if jmh:
        r0 = jmh[0]
        out.append(f"JMH {r0.get('jmhVersion')} on {r0.get('vmName')} {r0.get('jdkVersion')} "
                   f"({r0.get('warmupIterations')}×{r0.get('warmupTime')} warm-up, "
                   f"{r0.get('measurementIterations')}×{r0.get('measurementTime')} measurement, {r0.get('forks')} fork)\n")

    peak = {}
    for method, r in by_class.get("FmaPeakBench", []):
        flop = r["secondaryMetrics"].get("flop", {})
        peak[r["threads"]] = flop.get("score")
    if peak:
        out.append("## FMA peak (Vector API probe)\n")
        out.append("| threads | GFLOP/s |\n|---|---|")
        for t in sorted(peak):
            out.append(f"| {t} | {fmt(peak[t])} |")
        out.append("")

    np_best = {}
    blas = [n for n in numpy if n.get("event") == "blas"]
    for n in numpy:
        if n.get("event") == "gemm":
            np_best[(n["shape"], n["threads"])] = n
    if np_best:
        out.append("## numpy (peer) C = A·Bᵀ\n")
        if blas:
            b = blas[0]
            out.append(f"numpy {b.get('numpy')}, {b.get('blas')} {b.get('blas_version')}, kernel {b.get('corename')}"
                       f"{', removed ' + ', '.join(b['env_removed']) if b.get('env_removed') else ''}\n")
        out.append("| shape m×n×k | threads | ms (median) | GFLOP/s (median) | GFLOP/s (best) |\n|---|---|---|---|---|")
        for (shape, t), n in sorted(np_best.items()):
            out.append(f"| {shape} | {t} | {n['ms_median']:.3f} | {fmt(n['gflops_median'])} | {fmt(n['gflops_best'])} |")
        out.append("")

    gemm = by_class.get("GemmBench", [])
    if gemm:
        out.append("## Dense GEMM (GemmBench), GFLOP/s = 2mnk / time\n")
        out.append("| form | shape m×n×k | threads | provider | µs/op | GFLOP/s | × FMA peak | × numpy (median) |\n"
                   "|---|---|---|---|---|---|---|---|")
        for method, r in sorted(gemm, key=lambda mr: (mr[0], mr[1]["params"]["shape"], mr[1]["params"]["threads"],
                                                      mr[1]["params"]["provider"])):
            p = r["params"]
            m, n, k = (int(s) for s in p["shape"].split("x"))
            us = r["primaryMetric"]["score"]
            gf = 2.0 * m * n * k / (us * 1e3)
            t = int(p["threads"])
            pk = peak.get(t) or (peak.get(1) * t if peak.get(1) else None)
            npr = np_best.get((p["shape"], t))
            out.append(f"| {method} | {p['shape']} | {t} | {p['provider']} | {fmt(us)} | {fmt(gf)} | "
                       f"{fmt(gf / pk, 2) if pk else '—'} | {fmt(gf / npr['gflops_median'], 2) if npr else '—'} |")
        out.append("")

    for cls, title, dense_kernel in (("SpmmBench", "Sparse forward Y = W·X (spmm) vs dense gemmAB", "gemmAB"),
                                     ("SpmmTransposedBench", "Sparse dX = Wᵀ·dY (spmmTransposed) vs dense gemmAtB", "gemmAtB"),
                                     ("SddmmBench", "Sparse dW on the pattern (sddmm) vs dense gemmABt", "gemmABt")):
        rows = by_class.get(cls, [])
        if not rows:
            continue
        groups = {}
        for method, r in rows:
            p = r["params"]
            key = (p["provider"], p["shape"], p["tokens"], p["threads"], p["pattern"])
            groups.setdefault(key, {})[p["density"]] = r["primaryMetric"]["score"]
        out.append(f"## {title}\n")
        out.append("useful GFLOP/s = 2·nnz·tokens / time; speed-up = dense µs / sparse µs (same provider, shape, threads)\n")
        out.append("| provider | out×in | tokens | threads | pattern | density | nnz | µs/op | useful GFLOP/s | speed-up vs dense |\n"
                   "|---|---|---|---|---|---|---|---|---|---|")
        for key in sorted(groups):
            provider, shape, tokens, threads, pattern = key
            o, i = (int(s) for s in shape.split("x"))
            n = int(tokens)
            dense_us = groups[key].get("dense")
            for dens in sorted(groups[key], key=lambda d: -1.0 if d == "dense" else -float(d)):
                us = groups[key][dens]
                if dens == "dense":
                    nnz = o * i
                else:
                    d = float(dens)
                    nnz = o * max(1, min(i, jround(d * i))) if pattern == "uniform" else max(1, jround(d * o * i))
                gf = 2.0 * nnz * n / (us * 1e3)
                sp = dense_us / us if dense_us else None
                out.append(f"| {provider} | {shape} | {n} | {threads} | {pattern} | {dens} | {nnz} | {fmt(us)} | "
                           f"{fmt(gf)} | {fmt(sp, 2) if sp else '—'} |")
        out.append("")

    topk = by_class.get("TopKBench", [])
    if topk:
        out.append("## Whole-tensor top-k (TopK.select, k = n/16)\n")
        out.append("| n | ms/op | ns/element |\n|---|---|---|")
        per = []
        for method, r in sorted(topk, key=lambda mr: int(mr[1]["params"]["n"])):
            e = r["secondaryMetrics"].get("element", {}).get("score")
            per.append(e)
            out.append(f"| {r['params']['n']} | {r['primaryMetric']['score'] / 1e6:.3f} | {fmt(e, 2)} |")
        if len(per) > 1 and min(per) > 0:
            out.append(f"\nmax/min ns/element = {max(per) / min(per):.2f} (target ≤ 1.5: O(n))")
        out.append("")
    tn = by_class.get("TopKNeuronBench", [])
    if tn:
        out.append("## Top-k with minimum per neuron (1024×4096, j = 4, k = n/16)\n")
        out.append("| neurons | ms/op | ns/element |\n|---|---|---|")
        for method, r in tn:
            e = r["secondaryMetrics"].get("element", {}).get("score")
            out.append(f"| {r['params']['neurons']} | {r['primaryMetric']['score'] / 1e6:.3f} | {fmt(e, 2)} |")
        out.append("")

    ops = by_class.get("RowOpsBench", [])
    if ops:
        table = {}
        for method, r in ops:
            p = r["params"]
            table.setdefault((method, p["threads"]), {})[p["provider"]] = r["primaryMetric"]["score"]
        out.append("## Row-wise kernels (µs/op)\n")
        out.append("| kernel | threads | scalar | vector | vector speed-up |\n|---|---|---|---|---|")
        for (method, t), v in sorted(table.items()):
            s, vv = v.get("scalar"), v.get("vector")
            out.append(f"| {method} | {t} | {fmt(s)} | {fmt(vv)} | {fmt(s / vv, 2) if s and vv else '—'} |")
        out.append("")
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
