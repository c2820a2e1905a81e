#!/usr/bin/env python3
"""The report of bench/run-width-sweep.sh: reads a results directory, writes results.json, summary.md, width.svg.

    python3 bench/width_sweep_report.py bench/results/<UTC>-width-sweep
    python3 bench/width_sweep_report.py --plot bench/results/<UTC>-width-sweep   # width.svg alone, from results.json

Inputs (written by the script): params.json, machine.json, kernels-info.json, logs/<id>.meta.json with
logs/<id>.jsonl (train-log.jsonl), logs/<id>.time (peak RSS KB and wall s of /usr/bin/time), logs/<id>.gc
(-Xlog:gc), logs/<id>.out; profile-<config>-E<E>.txt (TrainStepBench); torch/<mode>-E<E>-t<threads>.json
(bench/torch/gpt_step.py); end.json. Standard library only.
"""
import glob
import json
import math
import os
import re
import statistics
import sys

# ----------------------------------------------------------------------------- small helpers


def load(path, default=None):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return default


def fmt(x, digits=1, unit=""):
    if x is None:
        return "—"
    if isinstance(x, float) and (math.isnan(x) or math.isinf(x)):
        return "—"
    return f"{x:,.{digits}f}{unit}"


def ratio_str(x, digits=2):
    return "—" if x is None else f"{x:.{digits}f}×"


def div(a, b):
    return None if a is None or b is None or b == 0 else a / b


def p95(xs):
    """Nearest-rank 95th percentile."""
    s = sorted(xs)
    return s[max(0, math.ceil(0.95 * len(s)) - 1)] if s else None


def median(xs):
    return statistics.median(xs) if xs else None


def mean(xs):
    return statistics.fmean(xs) if xs else None


# ----------------------------------------------------------------------------- the schedule (Java's Schedule)

SLACK = 1.0 + 2.0 ** -40


def kept_count(frac, numel):
    """Schedule.keptCount: clamp(floor(frac·numel·(1+2⁻⁴⁰)), 1, numel), frac clamped to [0, 1]."""
    frac = max(0.0, min(1.0, frac))
    x = math.floor(frac * numel * SLACK)
    return 1 if x < 1 else min(numel, int(x))


def pfrac_at(t, steps, pfrac, e, start=0.01, stop=0.5):
    """Schedule.pfracAt: E² up to the anneal start, linear to pfrac at the stop."""
    s, en = start * steps, stop * steps
    u = 0.0 if t <= s else 1.0 if t >= en else min(1.0, (t - s) / (en - s))
    e2 = e * e
    return e2 if u == 0.0 else pfrac if u == 1.0 else e2 + (pfrac - e2) * u


def matrix_density(t, steps, pfrac, e):
    return max(0.0, min(1.0, pfrac_at(t, steps, pfrac, e) / (e * e)))


def windows(steps, skip_after):
    """0-based schedule steps t (log step = t + 1) of the two sweep windows of a sparse run of `steps`:
    the second half of the anneal's first tenth (the first half is the JIT's), and after the anneal stop."""
    s, en = 0.01 * steps, 0.5 * steps
    w = (en - s) / 10
    first = [t for t in range(steps) if t > s and s + w / 2 <= t < s + w]
    if not first:
        first = [t for t in range(steps) if s < t < s + w][-1:]
    after = [t for t in range(steps) if t >= math.ceil(en) + skip_after]
    return first, after


def period_window(steps, skip_after, every):
    """The scalable recipe's after-anneal window: whole regrowth periods only (from the first regrowth step at or after the
    anneal stop + skip_after), so that the mean counts the regrowth steps at their share. Empty when no period fits."""
    start = math.ceil((math.ceil(0.5 * steps) + skip_after) / every) * every
    periods = max(0, (steps - start) // every)
    return list(range(start, start + periods * every))


def tenths(steps):
    """The ten windows of the anneal, as lists of 0-based t with start < t < stop."""
    s, en = 0.01 * steps, 0.5 * steps
    w = (en - s) / 10
    out = [[] for _ in range(10)]
    for t in range(steps):
        if s < t < en:
            out[min(9, int((t - s) // w))].append(t)
    return out


# ----------------------------------------------------------------------------- inputs


def read_steps(path):
    """{t: step record} of a train-log.jsonl (step lines only; t = step − 1)."""
    out = {}
    try:
        with open(path) as f:
            for line in f:
                line = line.strip()
                if not line.startswith("{"):
                    continue
                try:
                    d = json.loads(line)
                except ValueError:
                    continue
                if "ms" in d and "step" in d:
                    out[int(d["step"]) - 1] = d
    except OSError:
        pass
    return out


GC_LINE = re.compile(r"\bPause\b.*?(\d+)M->(\d+)M\((\d+)M\)")


def read_gc(path):
    """(peak used heap MB, peak committed heap MB, collections) from a -Xlog:gc file: the heap's used size
    peaks just before a collection, so the largest 'before' figure of the pauses is the peak used heap (at the
    granularity of collections; growth after the last collection is not seen)."""
    used = committed = None
    n = 0
    try:
        with open(path) as f:
            for line in f:
                m = GC_LINE.search(line)
                if m:
                    n += 1
                    b, c = int(m.group(1)), int(m.group(3))
                    used = b if used is None else max(used, b)
                    committed = c if committed is None else max(committed, c)
    except OSError:
        pass
    return used, committed, n


def read_time(path):
    """(peak RSS MB, wall s) from the one-line '%M %e' output of /usr/bin/time (or the poll fallback)."""
    try:
        with open(path) as f:
            lines = [l.split() for l in f if re.match(r"^\d+ [\d.]+\s*$", l)]
        if lines:
            kb, wall = lines[-1]
            return int(kb) / 1024.0, float(wall)
    except OSError:
        pass
    return None, None


def window_stats(steps, ts, tokens):
    recs = [steps[t] for t in ts if t in steps]
    if not recs:
        return None
    ms = [r["ms"] for r in recs]
    m = mean(ms)
    return {
        "steps": [recs[0]["step"], recs[-1]["step"]], "n": len(recs),
        "mean_ms": m, "median_ms": median(ms), "p95_ms": p95(ms), "max_ms": max(ms),
        "forward_ms": mean([r["forward_ms"] for r in recs]),
        "backward_ms": mean([r["backward_ms"] for r in recs]),
        "optimizer_ms": mean([r["optimizer_ms"] for r in recs]),
        "tokens_per_s": tokens / (m / 1000.0) if m else None,
        "pfrac": [recs[0].get("pfrac"), recs[-1].get("pfrac")],
    }


def read_profile(path):
    """TrainStepBench's output: the JSON line, mean forward/backward/optimizer and the per-op profile."""
    if not os.path.exists(path):
        return None
    out = {"ops": {}}
    with open(path) as f:
        for line in f:
            s = line.strip()
            if s.startswith("{"):
                try:
                    out["result"] = json.loads(s)
                except ValueError:
                    pass
                continue
            m = re.match(r"mean forward ([\d.]+) ms, backward ([\d.]+) ms, optimizer ([\d.]+) ms", s)
            if m:
                out["forward_ms"], out["backward_ms"], out["optimizer_ms"] = map(float, m.groups())
                continue
            m = re.match(r"(\S+)\s+fwd\s+([\d.]+) ms\s+bwd\s+([\d.]+) ms\s+\((\d+) calls\)", s)
            if m:
                out["ops"][m.group(1)] = {"fwd_ms": float(m.group(2)), "bwd_ms": float(m.group(3)), "calls": int(m.group(4))}
    return out if "result" in out else None


# ----------------------------------------------------------------------------- the report


def main(out):
    params = load(os.path.join(out, "params.json"), {})
    machine = load(os.path.join(out, "machine.json"), {})
    end = load(os.path.join(out, "end.json"), {})
    ki = load(os.path.join(out, "kernels-info.json"))
    P = params
    widths = [int(x) for x in str(P.get("widths", "1 2 4 8")).split()]
    base, pfrac, j = int(P.get("base_width", 64)), float(P.get("pfrac", 0.25)), int(P.get("min_per_neuron", 2))
    layers, vocab, ctx, batch = int(P.get("layers", 2)), int(P.get("vocab", 512)), int(P.get("ctx", 64)), int(P.get("batch", 16))
    tokens = batch * ctx
    sweep_steps, dense_steps = int(P.get("steps", 240)), int(P.get("dense_steps", 120))
    skip_after, skip_dense = int(P.get("skip_after", 10)), int(P.get("skip_dense", 20))
    crossover = float(P.get("crossover", 0.12))
    quick = P.get("quick") == "1"

    # ---- the Java runs
    runs = {}
    for meta_path in sorted(glob.glob(os.path.join(out, "logs", "*.meta.json"))):
        meta = load(meta_path)
        if not meta:
            continue
        rid = meta["id"]
        base_path = os.path.join(out, "logs", rid)
        steps = read_steps(base_path + ".jsonl")
        rss, wall = read_time(base_path + ".time")
        heap, heap_committed, gcs = read_gc(base_path + ".gc")
        trained = None
        try:
            for line in open(base_path + ".out"):
                m = re.search(r"trained (\d+) steps in ([\d.]+) s", line)
                if m:
                    trained = float(m.group(2))
        except OSError:
            pass
        r = dict(meta, peak_rss_mb=rss, wall_s=wall, peak_heap_mb=heap, peak_heap_committed_mb=heap_committed,
                 gc_pauses=gcs, train_s=trained, logged_steps=len(steps))
        r["_steps"] = steps
        runs[rid] = r

    regrow_every = int(P.get("regrow_every", 100))

    def run_windows(r, mode, skip_after, skip_dense):
        """A run's anneal and after-anneal window statistics; the scalable recipe's after window is whole regrowth
        periods, and it also reports its regrowth steps apart from the others (the cost that N spreads)."""
        n = int(r["steps"])
        if mode == "scalable":
            first, _ = windows(n, skip_after)
            after = period_window(n, skip_after, regrow_every)
            res = {"anneal": window_stats(r["_steps"], first, tokens), "after": window_stats(r["_steps"], after, tokens),
                   "after_regrowth_steps": window_stats(r["_steps"], [t for t in after if t % regrow_every == 0], tokens),
                   "after_other_steps": window_stats(r["_steps"], [t for t in after if t % regrow_every != 0], tokens)}
        elif mode == "sparse":
            first, after = windows(n, skip_after)
            res = {"anneal": window_stats(r["_steps"], first, tokens), "after": window_stats(r["_steps"], after, tokens)}
        else:
            res = {"anneal": None, "after": window_stats(r["_steps"], range(skip_dense, n), tokens)}
        res.update({k: r.get(k) for k in ("steps", "exit", "peak_rss_mb", "peak_heap_mb", "peak_heap_committed_mb",
                                           "wall_s", "load_before", "logged_steps", "min_per_neuron", "base_width", "pfrac")})
        return res

    sweep = {}
    for e in widths:
        row = {}
        for jar in ("current", "baseline"):
            for mode in ("sparse", "scalable", "dense"):  # scalable: the scalable recipe (issue 18), a sparse run too
                r = runs.get(f"sweep-{jar}-{mode}-E{e}")
                if r:
                    row[f"{jar}_{mode}"] = run_windows(r, mode, skip_after, skip_dense)
        sweep[e] = row

    # ---- L0 B (issue 18): base 128, 4x the nonzeros of L0 A, d_model 128..2048
    l0b = {}
    if P.get("l0b") == "1":
        for e in [int(x) for x in str(P.get("l0b_widths", "")).split()]:
            row = {}
            for mode in ("sparse", "scalable", "dense"):
                r = runs.get(f"l0b-current-{mode}-E{e}")
                if r:
                    row[mode] = run_windows(r, mode, int(P.get("l0b_skip_after", 5)), int(P.get("l0b_skip_dense", 10)))
            if row:
                aft = {m: (row.get(m) or {}).get("after") and row[m]["after"]["mean_ms"] for m in ("sparse", "scalable", "dense")}
                row["d_model"] = int(P.get("l0b_base_width", 128)) * e
                row["min_per_neuron"] = next((row[m].get("min_per_neuron") for m in ("sparse", "scalable", "dense") if row.get(m)), None)
                row["ratios"] = {"scalable_vs_our_dense": div(aft["dense"], aft["scalable"]),
                                 "scalable_vs_paper_sparse": div(aft["sparse"], aft["scalable"]),
                                 "paper_sparse_vs_our_dense": div(aft["dense"], aft["sparse"])}
                l0b[e] = row

    # ---- the heap part (issue 18): smallest -Xmx each recipe trains in at E = 32
    heap = {}
    try:
        for line in open(os.path.join(out, "heap-attempts.txt")):
            f = line.split()
            if len(f) == 3:
                heap.setdefault(f[0], {"attempts": []})["attempts"].append({"xmx_mb": int(f[1]), "exit": int(f[2])})
            elif len(f) == 5 and f[1] == "smallest":
                h = heap.setdefault(f[0], {"attempts": []})
                h["smallest_xmx_mb"], h["largest_failing_xmx_mb"] = int(f[2]), int(f[4])
                used, committed, _ = read_gc(os.path.join(out, "logs", f"heap-{f[0]}-{f[2]}.gc"))
                h["peak_heap_mb_at_smallest"] = used
    except OSError:
        pass
    if heap:
        heap["scalable_over_paper"] = div((heap.get("scalable") or {}).get("smallest_xmx_mb"), (heap.get("paper") or {}).get("smallest_xmx_mb"))
        heap["shape"] = {"E": int(P.get("heap_e", 32)), "d_model": base * int(P.get("heap_e", 32)), "base_width": base,
                         "pfrac": float(P.get("heap_pfrac", 0.5)), "min_per_neuron": int(P.get("heap_min_per_neuron", 1)),
                         "steps": int(P.get("heap_steps", 3))}

    # ---- PyTorch
    torch = {}
    for f in sorted(glob.glob(os.path.join(out, "torch", "*.json"))):
        d = load(f)
        if not d or "mean_ms" not in d:
            continue
        e = round(d["d_model"] / base)
        torch.setdefault(e, {}).setdefault(d["mode"], []).append(d)
    torch_best = {}
    for e, modes in torch.items():
        for mode, rs in modes.items():
            b = min(rs, key=lambda x: x["mean_ms"])
            torch_best.setdefault(e, {})[mode] = {
                "threads": b["threads"], "mean_ms": b["mean_ms"], "median_ms": b["median_ms"], "max_ms": b["max_ms"],
                "tokens_per_s": tokens / (b["mean_ms"] / 1000), "peak_rss_mb": b["peak_rss_mb"],
                "phase_ms_mean": b["phase_ms_mean"], "kept": b.get("kept"),
                "by_threads": {str(x["threads"]): {"mean_ms": x["mean_ms"], "median_ms": x["median_ms"]} for x in rs}}
    torch_info = next((d for modes in torch.values() for rs in modes.values() for d in rs), None)

    # ---- the minimum-per-neuron rule's share of each sparse tensor's target budget
    budget = {}
    for e in widths:
        d = base * e
        E = d / base
        rows = []
        for name, out_f, in_f, by in (("attn.c_attn", 3 * d, d, "rows"), ("attn.c_proj", d, d, "columns"),
                                      ("mlp.c_fc", 4 * d, d, "rows"), ("mlp.c_proj", d, 4 * d, "columns")):
            numel = out_f * in_f
            k = kept_count(pfrac / (E * E), numel)
            neurons = out_f if by == "rows" else in_f
            dense = k >= numel
            rows.append({"tensor": name, "shape": [out_f, in_f], "numel": numel, "neurons": neurons, "neurons_are": by,
                         "kept": k, "density": k / numel, "forced": None if dense or j == 0 else j * neurons,
                         "share": None if dense or j == 0 else j * neurons / k, "refused": (not dense) and j * neurons > k})
        vocab_k = kept_count(pfrac / E, vocab * d)
        budget[e] = {"matrices": rows, "wte_lm_head_kept": vocab_k, "wte_lm_head_density": vocab_k / (vocab * d)}

    # ---- the dense step's matrix products against kernels-info's GEMM rate
    gemm_1t = None
    ki_bench = (ki or {}).get("bench") or {}
    cands = [x for x in ((ki_bench.get("gemm") or {}).get("gflops"), ((ki_bench.get("layer") or {}).get("dense") or {}).get("gflops")) if x]
    if cands:
        gemm_1t = max(cands)
    dense_rate = {}
    profiles = {}
    for f in sorted(glob.glob(os.path.join(out, "profile-*-E*.txt"))):
        m = re.match(r"profile-(.+)-E(\d+)\.txt", os.path.basename(f))
        p = read_profile(f)
        if m and p:
            profiles.setdefault(int(m.group(2)), {})[m.group(1)] = p
    for e in widths:
        p = profiles.get(e, {}).get("dense")
        if not p or "linear" not in p["ops"]:
            continue
        d = base * e
        macs = layers * 12 * d * d + vocab * d
        flops = 6.0 * tokens * macs
        lin = p["ops"]["linear"]
        ms = lin["fwd_ms"] + lin["bwd_ms"]
        rate = flops / (ms * 1e6) if ms > 0 else None
        threads = p["result"].get("threads", 1)
        dense_rate[e] = {"linear_ms": ms, "linear_fwd_ms": lin["fwd_ms"], "linear_bwd_ms": lin["bwd_ms"], "calls": lin["calls"],
                         "gflop": flops / 1e9, "gflops": rate, "threads": threads, "gemm_1thread_gflops": gemm_1t,
                         "fraction_of_gemm": div(rate, gemm_1t), "fraction_of_gemm_per_core": div(rate, gemm_1t * threads if gemm_1t else None),
                         "profile_step_ms": p["result"].get("median_ms")}

    # ---- the long part
    long = {}
    lsteps = int(P.get("long_steps", 3500))
    ldense_warm, ldense_n = int(P.get("long_dense_warmup", 20)), int(P.get("long_dense_steps", 200))
    ld = runs.get("long-current-dense-E8")
    dense_ms = [ld["_steps"][t]["ms"] for t in range(ldense_warm, ldense_warm + ldense_n) if ld and t in ld["_steps"]]
    if dense_ms:
        long["dense"] = {"steps": [ldense_warm + 1, ldense_warm + len(dense_ms)], "n": len(dense_ms), "median_ms": median(dense_ms),
                         "p95_ms": p95(dense_ms), "mean_ms": mean(dense_ms), "peak_rss_mb": ld["peak_rss_mb"], "peak_heap_mb": ld["peak_heap_mb"]}
    E8 = 8
    tw = tenths(lsteps)
    for jar, rid in (("current", "long-current-sparse-E8"), ("baseline", "long-baseline-sparse-E8"),
                     ("scalable", "long-current-scalable-E8")):
        r = runs.get(rid)
        if not r:
            continue
        rows = []
        for i, ts in enumerate(tw):
            ms = [r["_steps"][t]["ms"] for t in ts if t in r["_steps"]]
            if not ms:
                continue
            d0 = matrix_density(ts[0], lsteps, pfrac, E8)
            d1 = matrix_density(ts[-1], lsteps, pfrac, E8)
            side = "above" if d1 > crossover else "below" if d0 <= crossover else "straddles"
            med, q = median(ms), p95(ms)
            dm, dq = long.get("dense", {}).get("median_ms"), long.get("dense", {}).get("p95_ms")
            limit = 1.0 if side == "below" else 1.1
            rm, rq = div(med, dm), div(q, dq)
            rows.append({"tenth": i + 1, "steps": [ts[0] + 1, ts[-1] + 1], "n": len(ms), "matrix_density": [d0, d1], "side": side,
                         "median_ms": med, "p95_ms": q, "max_ms": max(ms), "median_vs_dense": rm, "p95_vs_dense": rq,
                         "median_limit": limit, "median_met": None if rm is None else rm <= limit,
                         "p95_met": None if rq is None else rq <= 1.2})
        after = [r["_steps"][t]["ms"] for t in range(math.ceil(0.5 * lsteps) + skip_after, lsteps) if t in r["_steps"]]
        long[jar] = {"steps": int(r["steps"]), "logged_steps": r["logged_steps"], "exit": r.get("exit"), "wall_s": r["wall_s"],
                     "train_s": r["train_s"], "peak_rss_mb": r["peak_rss_mb"], "peak_heap_mb": r["peak_heap_mb"],
                     "sum_step_s": sum(x["ms"] for x in r["_steps"].values()) / 1000, "tenths": rows,
                     "after_median_ms": median(after), "after_p95_ms": p95(after), "flags": r.get("flags")}

    # ---- ratios and targets
    def after(e, key):
        x = sweep.get(e, {}).get(key)
        return x and x.get("after") and x["after"]["mean_ms"]

    def anneal(e, key):
        x = sweep.get(e, {}).get(key)
        return x and x.get("anneal") and x["anneal"]["mean_ms"]

    def tmean(e, mode):
        return torch_best.get(e, {}).get(mode, {}).get("mean_ms")

    ratios = {}
    for e in widths:
        ratios[e] = {
            "sparse_vs_baseline_sparse": div(after(e, "baseline_sparse"), after(e, "current_sparse")),
            "sparse_vs_our_dense": div(after(e, "current_dense"), after(e, "current_sparse")),
            "anneal_over_our_dense": div(anneal(e, "current_sparse"), after(e, "current_dense")),
            "sparse_vs_torch_sparse": div(tmean(e, "sparse"), after(e, "current_sparse")),
            "dense_vs_torch_dense": div(tmean(e, "dense"), after(e, "current_dense")),
            "dense_vs_baseline_dense": div(after(e, "baseline_dense"), after(e, "current_dense")),
            "baseline_sparse_vs_baseline_dense": div(after(e, "baseline_dense"), after(e, "baseline_sparse")),
            "scalable_vs_our_dense": div(after(e, "current_dense"), after(e, "current_scalable")),
            "scalable_vs_paper_sparse": div(after(e, "current_sparse"), after(e, "current_scalable")),
            "scalable_vs_torch_sparse": div(tmean(e, "sparse"), after(e, "current_scalable")),
        }
    growth = div(after(8, "current_sparse"), after(1, "current_sparse"))
    growth_base = div(after(8, "baseline_sparse"), after(1, "baseline_sparse"))

    def target(what, measured, limit, ok, note=""):
        status = "not run" if measured is None else ("met" if ok else "missed")
        return {"target": what, "measured": measured, "limit": limit, "status": status, "note": note}

    targets = []
    r8 = ratios.get(8, {})
    x = r8.get("sparse_vs_baseline_sparse")
    targets.append(target("After the anneal, E = 8: our sparse step ≥ 2× faster than the baseline commit's sparse step",
                          x, "≥ 2.00×", x is not None and x >= 2.0, "mean ms/step, after-anneal window of the sweep"))
    x = r8.get("sparse_vs_our_dense")
    targets.append(target("After the anneal, E = 8: ≥ 1.8× faster than our same-run dense step of the same shape",
                          x, "≥ 1.80×", x is not None and x >= 1.8, "our dense: steady window of the sweep's dense run"))
    dr = dense_rate.get(8, {})
    x = dr.get("fraction_of_gemm_per_core")
    targets.append(target("E = 8: the dense step's matrix products ≥ 0.6× the GEMM rate",
                          x, "≥ 0.60×", x is not None and x >= 0.6,
                          "linear ops of TrainStepBench's dense profile (forward + dX + dW, lm_head included) on "
                          f"{dr.get('threads', '?')} threads ÷ (threads × kernels-info's 1-thread GEMM); "
                          f"against the 1-thread rate alone: {ratio_str(dr.get('fraction_of_gemm'))}"))
    x = r8.get("sparse_vs_torch_sparse")
    targets.append(target("After the anneal, E = 8: ≥ 6× the authors' way in PyTorch", x, "≥ 6.00×", x is not None and x >= 6.0,
                          "PyTorch: best of 1 and 2 threads, mean ms/step, masks at our target densities"))
    cur = long.get("current", {})
    rows = cur.get("tenths") or []
    if rows and long.get("dense"):
        worst = max(rows, key=lambda q: (q["median_vs_dense"] or 0) / q["median_limit"])
        missed = [str(q["tenth"]) for q in rows if not q["median_met"]]
        targets.append(target("Anneal (whole E = 8 run), each tenth: median ≤ 1.1× the dense median above the crossover, ≤ 1.0× below",
                              worst["median_vs_dense"], "≤ 1.10× / ≤ 1.00×", not missed,
                              f"worst: tenth {worst['tenth']} ({worst['side']} the crossover {crossover:g}); "
                              + (f"missed in tenths {', '.join(missed)}" if missed else "every tenth met")))
        worst = max(rows, key=lambda q: q["p95_vs_dense"] or 0)
        missed = [str(q["tenth"]) for q in rows if not q["p95_met"]]
        targets.append(target("Anneal (whole E = 8 run), each tenth: p95 ≤ 1.2× the dense p95", worst["p95_vs_dense"], "≤ 1.20×",
                              not missed, f"worst: tenth {worst['tenth']}; " + (f"missed in tenths {', '.join(missed)}" if missed else "every tenth met")))
    else:
        targets.append(target("Anneal (whole E = 8 run), each tenth: median ≤ 1.1× / 1.0× the dense median", None, "≤ 1.10× / ≤ 1.00×", False, "long part not run"))
        targets.append(target("Anneal (whole E = 8 run), each tenth: p95 ≤ 1.2× the dense p95", None, "≤ 1.20×", False, "long part not run"))
    targets.append(target("Growth from E = 1 to E = 8 at L0 A (sparse, after the anneal) ≤ 5×", growth, "≤ 5.00×",
                          growth is not None and growth <= 5.0, f"baseline commit: {ratio_str(growth_base)}"))
    x = ratios.get(1, {}).get("sparse_vs_baseline_sparse")
    targets.append(target("E = 1 sparse step no slower than the baseline commit's (speed-up)", x, "≥ 1.00×", x is not None and x >= 1.0,
                          "after-anneal window"))
    xs = {e: ratios[e]["dense_vs_baseline_dense"] for e in widths if ratios[e]["dense_vs_baseline_dense"] is not None}
    x = min(xs.values()) if xs else None
    targets.append(target("Dense step no slower than the baseline commit's, every E (speed-up, worst E)", x, "≥ 1.00×",
                          x is not None and x >= 1.0, ", ".join(f"E={e}: {v:.2f}×" for e, v in xs.items())))
    base_long = long.get("baseline", {})
    x = div(base_long.get("wall_s"), cur.get("wall_s"))
    targets.append(target(f"The whole {lsteps:,}-step E = 8 train, end to end: ≥ 2× faster than the baseline commit's", x, "≥ 2.00×",
                          x is not None and x >= 2.0,
                          f"wall s: ours {fmt(cur.get('wall_s'))}, baseline {fmt(base_long.get('wall_s'))}"))
    # issue 18: the scalable recipe
    growth_scalable = div(after(8, "current_scalable"), after(1, "current_scalable"))
    if P.get("scalable", "1") == "1":
        x = r8.get("scalable_vs_our_dense")
        targets.append(target("Issue 18: after the anneal, E = 8: the scalable step ≥ 6× faster than our dense step of the same shape",
                              x, "≥ 6.00×", x is not None and x >= 6.0,
                              f"scalable: mean over whole {regrow_every}-step regrowth periods after the anneal"))
        x = r8.get("scalable_vs_torch_sparse")
        targets.append(target("Issue 18: after the anneal, E = 8: the scalable step ≥ 16× the authors' way in PyTorch", x, "≥ 16.00×",
                              x is not None and x >= 16.0, "PyTorch: best of 1 and 2 threads"))
        targets.append(target("Issue 18: growth of the scalable step from E = 1 to E = 8 at L0 A ≤ 3×", growth_scalable, "≤ 3.00×",
                              growth_scalable is not None and growth_scalable <= 3.0, ""))
        x = ratios.get(1, {}).get("scalable_vs_paper_sparse")
        targets.append(target("Issue 18: E = 1 scalable step no slower than the paper recipe's", x, "≥ 1.00×", x is not None and x >= 1.0,
                              "at E = 1 every weight stays in the paper recipe (its start at 32× its target would be denser than 1/8)"))
        x = (l0b.get(8) or {}).get("ratios", {}).get("scalable_vs_our_dense") if l0b else None
        if l0b:
            targets.append(target("Issue 18 (no target, reported): L0 B at E = 8, the scalable step against our dense step", x, "reported",
                                  True, "L0 B: base 128, pfrac 1/4; " + ", ".join(
                                      f"E={e}: {ratio_str(v['ratios']['scalable_vs_our_dense'])}" for e, v in l0b.items())))
        x = heap.get("scalable_over_paper") if heap else None
        targets.append(target(f"Issue 18: E = {P.get('heap_e', 32)} trains in ≤ 0.5× the smallest heap the paper recipe needs", x, "≤ 0.50×",
                              x is not None and x <= 0.5,
                              f"smallest -Xmx (MB, bisection to 8%): paper {(heap.get('paper') or {}).get('smallest_xmx_mb', '?')}, "
                              f"scalable {(heap.get('scalable') or {}).get('smallest_xmx_mb', '?')}; pfrac {P.get('heap_pfrac', '?')}, "
                              f"min-per-neuron {P.get('heap_min_per_neuron', '?')}" if heap else "heap part not run"))
        sc_long = long.get("scalable", {})
        x = div(cur.get("wall_s"), sc_long.get("wall_s"))
        targets.append(target(f"Issue 18: the whole {lsteps:,}-step E = 8 train, end to end: scalable ≥ 2× faster than the paper recipe's",
                              x, "≥ 2.00×", x is not None and x >= 2.0,
                              f"wall s: paper {fmt(cur.get('wall_s'))}, scalable {fmt(sc_long.get('wall_s'))}"))
    targets.append({"target": "Bit-identical results for any thread count; bit-exact resume after kill -9; reference parity ≤ 1e-4 in CI",
                    "measured": None, "limit": "tests", "status": "not measured here", "note": "checked by the test suite, not by this benchmark"})

    # ---- results.json
    def clean(o):
        if isinstance(o, dict):
            return {str(k): clean(v) for k, v in o.items() if not str(k).startswith("_")}
        if isinstance(o, list):
            return [clean(v) for v in o]
        if isinstance(o, float) and (math.isnan(o) or math.isinf(o)):
            return None
        return o

    results = {
        "schema": "sparse-circuits/width-sweep/1", "params": P, "machine": machine, "end": end,
        "kernels_info": {k: (ki or {}).get(k) for k in ("jdk", "cpu", "provider", "threads", "checks_passed", "bench")} if ki else None,
        "sweep": sweep, "torch": {"best": torch_best, "runs": torch, "info": {k: torch_info.get(k) for k in ("torch", "python", "blas", "blas_libs", "cpu")} if torch_info else None},
        "budget": budget, "dense_products": dense_rate, "profiles": profiles, "ratios": ratios,
        "growth_e1_to_e8": {"current": growth, "baseline": growth_base, "scalable": growth_scalable}, "long": long, "l0b": l0b, "heap": heap, "targets": targets,
        "runs": {k: {kk: vv for kk, vv in v.items() if not kk.startswith("_")} for k, v in runs.items()},
    }
    with open(os.path.join(out, "results.json"), "w") as f:
        json.dump(clean(results), f, indent=1)

    # ---- width.svg (from these figures only, so that replot() draws it again from results.json)
    plot(out, P, sweep, torch_best)

    # ---- summary.md
    L = []
    title = "# Width benchmark: training step against d_model at a fixed L0" + (" (--quick: pipeline check, not a measurement)" if quick else "")
    L += [title, ""]
    L += [f"- when: {machine.get('started_utc', '?')} → {end.get('ended_utc', '?')}; script wall time **{fmt(end.get('wall_s'), 0)} s** "
          f"({fmt((end.get('wall_s') or 0) / 60, 1)} min)",
          f"- CPU: {machine.get('cpu_model', '?')} (family {machine.get('cpu_family', '?')}, model {machine.get('cpu_model_id', '?')}, "
          f"stepping {machine.get('cpu_stepping', '?')}; {machine.get('cpus', '?')} cpus; {machine.get('isa', '?')})",
          f"- JDK: {machine.get('java_version', '?')} ({machine.get('java', '?')}), both jars, same flags: "
          f"`java --add-modules jdk.incubator.vector -Dsparsecircuits.stderr.tty=false -Xlog:gc:file=… -jar <jar> train …` "
          "(what the `./sparse-circuits` launcher ends up running: its jar relaunches itself with the module; no -Xmx, the JVM's default heap)",
          f"- load average: {machine.get('load_start', '?')} at the start, {end.get('load_end', '?')} at the end (each run's own in results.json)",
          f"- commit: current `{machine.get('commit', '?')}`{' (uncommitted changes)' if machine.get('dirty') == '1' else ''}; "
          f"baseline `BASELINE={P.get('baseline', '?')}` ({machine.get('baseline_commit', '—')}), built in a git worktree under bench/target/",
          f"- L0 A: base width {base}, pfrac {pfrac:g}, min-per-neuron {j}; {layers} layers, vocab {vocab}, ctx {ctx}, batch {batch} "
          f"({tokens:,} tokens/step), d_head 16, heads d_model/16, d_mlp 4·d_model; E ∈ {{{', '.join(map(str, widths))}}}",
          f"- sweep: sparse `train --steps {sweep_steps}` (anneal from step {0.01 * sweep_steps:g} to {0.5 * sweep_steps:g}), "
          f"dense `train --mode dense --steps {dense_steps}`, both `--eval-every 0 --checkpoint-every 0`; "
          f"windows: the anneal's first tenth = its second half (steps {describe(windows(sweep_steps, skip_after)[0])}), "
          f"after the anneal = steps {describe(windows(sweep_steps, skip_after)[1])}; dense steady = steps {skip_dense + 1}–{dense_steps}; "
          "mean ms/step of the train-log.jsonl `ms` field (forward + backward + optimizer, the batch fetch excluded)",
          "- peak RSS: /usr/bin/time's maximum resident set size (of the one JVM); peak heap: the largest heap-used-before-collection "
          "of `-Xlog:gc` (used heap peaks just before a collection)",
          ""]
    if machine.get("notes"):
        L += [f"- note: {n}" for n in machine["notes"].split("|") if n] + [""]
    L += ["![ms/step against d_model](width.svg)", ""]

    L += ["## ms/step per configuration", "",
          "| E | d_model | configuration | anneal 1st tenth: ms | fwd / bwd / opt | after anneal (dense: steady): ms | fwd / bwd / opt | tokens/s | peak RSS MB | peak heap MB | load before |",
          "|---|---|---|---|---|---|---|---|---|---|---|"]
    names = {"current_sparse": "ours sparse", "current_scalable": "ours sparse, scalable recipe", "current_dense": "ours dense",
             "baseline_sparse": "baseline sparse", "baseline_dense": "baseline dense"}
    for e in widths:
        for key, name in names.items():
            x = sweep.get(e, {}).get(key)
            if not x:
                continue
            a, b = x.get("anneal"), x.get("after")
            ph = lambda w: "—" if not w else f"{w['forward_ms']:.1f} / {w['backward_ms']:.1f} / {w['optimizer_ms']:.1f}"
            bold = "**" if key == "current_sparse" else ""
            L.append(f"| {e} | {base * e} | {name}{'' if x.get('exit') in (0, '0', None) else ' (exit ' + str(x.get('exit')) + ')'} | "
                     f"{fmt(a and a['mean_ms'])} | {ph(a)} | {bold}{fmt(b and b['mean_ms'])}{bold} | {ph(b)} | "
                     f"{fmt(b and b['tokens_per_s'], 0)} | {fmt(x.get('peak_rss_mb'), 0)} | {fmt(x.get('peak_heap_mb'), 0)} | {(x.get('load_before') or '').split(' ')[0]} |")
        for mode in ("sparse", "dense"):
            t = torch_best.get(e, {}).get(mode)
            if t:
                ph = t["phase_ms_mean"]
                L.append(f"| {e} | {base * e} | PyTorch {mode} ({t['threads']} thr; median {t['median_ms']:.1f}) | | | {fmt(t['mean_ms'])} | "
                         f"{ph.get('forward_loss', 0):.1f} / {ph.get('backward', 0):.1f} / {ph.get('gradnorm_adam', 0) + ph.get('mask_decay', 0):.1f} | "
                         f"{fmt(t['tokens_per_s'], 0)} | {fmt(t['peak_rss_mb'], 0)} | | |")
    L += ["", "PyTorch: `bench/torch/gpt_step.py` (the authors' architecture, dense math on masked weights, per-tensor top-k every step), "
          "masks at our target densities (matrices pfrac/E², wte/lm_head/biases pfrac/E), best of 1 and 2 threads by mean; "
          "its phases are forward+loss / backward / gradnorm+Adam+mask+decay."
          + (f" torch {torch_info['torch']}, BLAS loaded: {', '.join(torch_info.get('blas_libs') or []) or '-'}." if torch_info else ""), ""]

    L += ["## Ratios (after the anneal, mean ms/step; > 1 = ours faster)", "",
          "| E | ours sparse vs baseline sparse | ours sparse vs our dense | ours anneal ÷ our dense (cost) | ours sparse vs PyTorch sparse | ours dense vs PyTorch dense | ours dense vs baseline dense | baseline sparse vs baseline dense |",
          "|---|---|---|---|---|---|---|---|"]
    for e in widths:
        r = ratios[e]
        L.append(f"| {e} | {ratio_str(r['sparse_vs_baseline_sparse'])} | {ratio_str(r['sparse_vs_our_dense'])} | {ratio_str(r['anneal_over_our_dense'])} | "
                 f"{ratio_str(r['sparse_vs_torch_sparse'])} | {ratio_str(r['dense_vs_torch_dense'])} | {ratio_str(r['dense_vs_baseline_dense'])} | "
                 f"{ratio_str(r['baseline_sparse_vs_baseline_dense'])} |")
    L += ["", f"Growth of the sparse step from E = 1 to E = 8: ours {ratio_str(growth)}, baseline {ratio_str(growth_base)}.", ""]
    if any(sweep.get(e, {}).get("current_scalable") for e in widths):
        L += ["### The scalable recipe (issue 18)", "",
              f"After-anneal means over whole {regrow_every}-step regrowth periods (so the regrowth steps count at their share); "
              f"its sweep runs {P.get('scalable_steps', '?')} steps so that two periods fit.", "",
              "| E | scalable vs our dense | scalable vs the paper recipe | scalable vs PyTorch sparse |", "|---|---|---|---|"]
        for e in widths:
            r = ratios[e]
            L.append(f"| {e} | {ratio_str(r['scalable_vs_our_dense'])} | {ratio_str(r['scalable_vs_paper_sparse'])} | {ratio_str(r['scalable_vs_torch_sparse'])} |")
        L += ["", f"Growth of the scalable step from E = 1 to E = 8: {ratio_str(growth_scalable)}.", "",
              "Regrowth steps apart (the cost the interval spreads), after the anneal, mean ms:", "",
              "| E | regrowth steps | other steps | whole periods |", "|---|---|---|---|"]
        for e in widths:
            q = sweep.get(e, {}).get("current_scalable") or {}
            cell = lambda w: fmt((q.get(w) or {}).get("mean_ms"))
            L.append(f"| {e} | {cell('after_regrowth_steps')} | {cell('after_other_steps')} | {cell('after')} |")
        L.append("")
    if l0b:
        L += ["### L0 B: base width 128, pfrac 1/4 (4× L0 A's nonzeros)", "",
              f"Paper recipe {P.get('l0b_steps')} steps (after-anneal window from step {math.ceil(0.5 * int(P.get('l0b_steps', 80))) + int(P.get('l0b_skip_after', 5))}), "
              f"scalable recipe {P.get('l0b_scalable_steps')} steps (whole {regrow_every}-step periods after the anneal), dense "
              f"{P.get('l0b_dense_steps')} steps (from step {P.get('l0b_skip_dense')}); mean ms/step; j = the min-per-neuron rule's "
              "minimum, 2 wherever every matrix's budget holds it.", "",
              "| E | d_model | j | paper recipe | scalable recipe | dense | scalable vs dense | scalable vs paper | paper vs dense | peak heap MB paper / scalable / dense |",
              "|---|---|---|---|---|---|---|---|---|---|"]
        for e, row in l0b.items():
            ms = lambda m: fmt(((row.get(m) or {}).get("after") or {}).get("mean_ms"))
            hp = lambda m: fmt((row.get(m) or {}).get("peak_heap_mb"), 0)
            r = row["ratios"]
            L.append(f"| {e} | {row['d_model']} | {row['min_per_neuron']} | {ms('sparse')} | {ms('scalable')} | {ms('dense')} | "
                     f"{ratio_str(r['scalable_vs_our_dense'])} | {ratio_str(r['scalable_vs_paper_sparse'])} | {ratio_str(r['paper_sparse_vs_our_dense'])} | "
                     f"{hp('sparse')} / {hp('scalable')} / {hp('dense')} |")
        L.append("")
    if heap:
        sh = heap["shape"]
        L += [f"### The heap at E = {sh['E']} (d_model {sh['d_model']}, base {sh['base_width']}, pfrac {sh['pfrac']:g}, min-per-neuron {sh['min_per_neuron']})", "",
              f"The smallest -Xmx with which `train` runs {sh['steps']} steps (a regrowth, the final evaluation and the save included), "
              "by geometric bisection to 8% from 8 GB; an attempt slower than 4× the unconstrained one counts as failed.", "",
              "| recipe | smallest -Xmx passing (MB) | largest failing (MB) | peak heap used there (MB) | attempts |", "|---|---|---|---|---|"]
        for rc in ("paper", "scalable"):
            h = heap.get(rc)
            if h:
                L.append(f"| {rc} | {h.get('smallest_xmx_mb', '?')} | {h.get('largest_failing_xmx_mb', '?')} | {fmt(h.get('peak_heap_mb_at_smallest'), 0)} | "
                         + ", ".join(f"{a['xmx_mb']}:{'ok' if a['exit'] == 0 else 'fail'}" for a in h["attempts"]) + " |")
        L += ["", f"Scalable ÷ paper: {ratio_str(heap.get('scalable_over_paper'))}.", ""]

    L += ["## The minimum-per-neuron rule's share of each tensor's budget (at the target L0)", "",
          f"Share = j·neurons / k, j = {j}, k = floor(pfrac/E²·numel) (Schedule.keptCount); c_attn and c_fc neurons are rows, "
          "the c_proj neurons columns. 100% = the whole pattern is forced (each neuron's top j); wte/lm_head and the biases have no minimum.", "",
          "| E | d_model | attn.c_attn | attn.c_proj | mlp.c_fc | mlp.c_proj | wte / lm_head kept (density) |", "|---|---|---|---|---|---|---|"]
    for e in widths:
        cells = []
        for q in budget[e]["matrices"]:
            if q["share"] is None:
                cells.append(f"dense (k = numel = {q['numel']:,})" if q["kept"] >= q["numel"] else "no rule (j = 0)")
            else:
                cells.append(f"{q['share'] * 100:.1f}% ({q['forced']:,} of {q['kept']:,})" + (" **refused**" if q["refused"] else ""))
        L.append(f"| {e} | {base * e} | " + " | ".join(cells) + f" | {budget[e]['wte_lm_head_kept']:,} ({budget[e]['wte_lm_head_density']:.4f}) |")
    L.append("")

    L += ["## The dense step's matrix products against the GEMM rate", "",
          ("kernels-info --json did not run or failed (logs/kernels-info.err). " if not ki_bench else "") +
          f"kernels-info --json (same run, 1 thread): GEMM {fmt(((ki_bench.get('gemm') or {}).get('gflops')))} GFLOP/s "
          f"(gemmABt 256×2048×512, {((ki_bench.get('gemm') or {}).get('runs', '?'))} runs), dense layer "
          f"{fmt((((ki_bench.get('layer') or {}).get('dense')) or {}).get('gflops'))} GFLOP/s (gemmAB 2048×512×512), FMA peak "
          f"{fmt(ki_bench.get('fma_peak_gflops'))}; the GEMM rate taken is the better of the two: {fmt(gemm_1t)} GFLOP/s per core.",
          "The dense step's products: the `linear` op of TrainStepBench's per-op profile (dense, this shape), FLOPs = 6·tokens·Σ(out·in) over "
          f"the {layers}·4 block linears and lm_head (forward, dX, dW).", "",
          "| E | d_model | GFLOP/step | linear ms (fwd + bwd) | GFLOP/s | threads | ÷ (threads × GEMM) | ÷ GEMM (1 thread) | profiled step ms |",
          "|---|---|---|---|---|---|---|---|---|"]
    if not dense_rate:
        L.append("| — | | | not run (no TrainStepBench profile) | | | | | |")
    for e in widths:
        x = dense_rate.get(e)
        if x:
            L.append(f"| {e} | {base * e} | {x['gflop']:.2f} | {x['linear_ms']:.1f} ({x['linear_fwd_ms']:.1f} + {x['linear_bwd_ms']:.1f}) | "
                     f"{fmt(x['gflops'])} | {x['threads']} | {ratio_str(x['fraction_of_gemm_per_core'])} | {ratio_str(x['fraction_of_gemm'])} | "
                     f"{fmt(x['profile_step_ms'])} |")
    L.append("")

    if long:
        L += [f"## The whole {lsteps:,}-step E = 8 train (L0 A), `--eval-every 50 --eval-batches 8 --checkpoint-every 100`", "",
              "| run | wall s (end to end) | train s (its own) | Σ step ms / 1000 | after-anneal median ms | peak RSS MB | peak heap MB |", "|---|---|---|---|---|---|---|"]
        label = {"current": "ours sparse", "baseline": "baseline " + str(P.get("baseline")) + " sparse", "scalable": "ours sparse, scalable recipe"}
        for jar in ("current", "baseline", "scalable"):
            x = long.get(jar)
            if x:
                L.append(f"| {label[jar]}{'' if x.get('exit') in (0, '0', None) else ' (exit ' + str(x['exit']) + ')'} | "
                         f"{fmt(x['wall_s'])} | {fmt(x['train_s'])} | {fmt(x['sum_step_s'])} | {fmt(x['after_median_ms'])} | {fmt(x['peak_rss_mb'], 0)} | {fmt(x['peak_heap_mb'], 0)} |")
        dn = long.get("dense")
        if dn:
            L += ["", f"Dense E = 8 (ours, same script): {dn['n']} steps (steps {dn['steps'][0]}–{dn['steps'][1]}, after {ldense_warm} warm-up steps): "
                  f"median **{dn['median_ms']:.1f} ms**, p95 **{dn['p95_ms']:.1f} ms**."]
        L += ["", f"Per tenth of the anneal (steps {0.01 * lsteps:g}..{0.5 * lsteps:g}); crossover = {crossover:g} (the density below which an op takes "
              "the CSR path; 'above' = the matrices are denser than it for the whole tenth); limits: median ≤ 1.1× the dense median above "
              "the crossover (also for a tenth that straddles it), ≤ 1.0× below; p95 ≤ 1.2× the dense p95.", "",
              "| tenth | steps | matrix density | side | ours median | ÷ dense | ours p95 | ÷ dense | met | baseline median | ÷ dense | baseline p95 | ÷ dense |",
              "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
        brows = {q["tenth"]: q for q in long.get("baseline", {}).get("tenths", [])}
        allt = sorted(set([q["tenth"] for q in long.get("current", {}).get("tenths", [])]) | set(brows))
        crows = {q["tenth"]: q for q in long.get("current", {}).get("tenths", [])}
        for i in allt:
            c, b = crows.get(i), brows.get(i)
            q = c or b
            met = "—" if not c or c["median_met"] is None else ("yes" if c["median_met"] and c["p95_met"] else "no")
            L.append(f"| {i} | {q['steps'][0]}–{q['steps'][1]} | {q['matrix_density'][0]:.3f}→{q['matrix_density'][1]:.3f} | {q['side']} | "
                     f"{fmt(c and c['median_ms'])} | {ratio_str(c and c['median_vs_dense'])} | {fmt(c and c['p95_ms'])} | {ratio_str(c and c['p95_vs_dense'])} | {met} | "
                     f"{fmt(b and b['median_ms'])} | {ratio_str(b and b['median_vs_dense'])} | {fmt(b and b['p95_ms'])} | {ratio_str(b and b['p95_vs_dense'])} |")
        L.append("")

    if profiles.get(8):
        p8 = profiles[8]
        order = [k for k in ("dense", "sparse-anneal", "sparse-after") if k in p8]
        ops = sorted({op for k in order for op in p8[k]["ops"]}, key=lambda op: -max(p8[k]["ops"].get(op, {}).get("fwd_ms", 0) + p8[k]["ops"].get(op, {}).get("bwd_ms", 0) for k in order))
        L += ["## Per-op profile at E = 8 (TrainStepBench, 2 threads; mean ms per step, forward / backward)", "",
              "| op | " + " | ".join(order) + " |", "|---|" + "---|" * len(order)]
        for op in ops:
            L.append(f"| {op} | " + " | ".join(
                (lambda v: f"{v['fwd_ms']:.1f} / {v['bwd_ms']:.1f}" if v else "—")(p8[k]["ops"].get(op)) for k in order) + " |")
        L.append("| step (median ms) | " + " | ".join(f"{p8[k]['result'].get('median_ms', 0):.1f}" for k in order) + " |")
        L.append("| forward / backward / optimizer (mean ms) | " + " | ".join(
            f"{p8[k].get('forward_ms', 0):.1f} / {p8[k].get('backward_ms', 0):.1f} / {p8[k].get('optimizer_ms', 0):.1f}" for k in order) + " |")
        L += ["", "`sparse-anneal`: the schedule placed at 3% of its steps (`-Dphase=anneal`, inside the anneal's first tenth); "
              "`sparse-after`: at 60% (after the anneal). Profiled steps carry the tape's timing overhead.", ""]

    L += ["## Targets (issue 14)" + (" — --quick: shortened runs, the verdicts mean nothing" if quick else ""), "",
          "| target | measured | limit | status | how |", "|---|---|---|---|---|"]
    for t in targets:
        m = t["measured"]
        L.append(f"| {t['target']} | {ratio_str(m) if m is not None else '—'} | {t['limit']} | **{t['status']}** | {t['note']} |")
    L += ["", "Files: results.json (everything above and each run's raw figures), logs/ (train-log.jsonl, GC log, stdout of each run), "
          "profile-*.txt, torch/*.json, kernels-info.json.", ""]
    with open(os.path.join(out, "summary.md"), "w") as f:
        f.write("\n".join(L))
    print("\n".join(L))


def describe(ts):
    return f"{ts[0] + 1}–{ts[-1] + 1}" if ts else "none"


# ----------------------------------------------------------------------------- the plot


def plot(out, P, sweep, torch_best):
    """Writes out/width.svg from the params, the sweep and PyTorch's best runs (keys: E as int)."""
    widths = [int(x) for x in str(P.get("widths", "1 2 4 8")).split()]

    def mean_ms(e, key, window):
        x = sweep.get(e, {}).get(key)
        return x and x.get(window) and x[window]["mean_ms"]

    def tmean(e, mode):
        return torch_best.get(e, {}).get(mode, {}).get("mean_ms")

    series = [
        ("ours sparse, after anneal", "#1f77b4", "", 2.6, lambda e: mean_ms(e, "current_sparse", "after")),
        ("ours sparse, anneal (1st tenth)", "#1f77b4", "7,4", 1.8, lambda e: mean_ms(e, "current_sparse", "anneal")),
        ("ours sparse, scalable recipe, after anneal", "#17becf", "", 2.6, lambda e: mean_ms(e, "current_scalable", "after")),
        ("ours dense", "#2ca02c", "", 2.2, lambda e: mean_ms(e, "current_dense", "after")),
        (f"baseline {P.get('baseline', '')} sparse, after", "#ff7f0e", "", 1.8, lambda e: mean_ms(e, "baseline_sparse", "after")),
        (f"baseline {P.get('baseline', '')} dense", "#8c564b", "", 1.8, lambda e: mean_ms(e, "baseline_dense", "after")),
        ("PyTorch sparse (authors' way)", "#d62728", "2,3", 1.8, lambda e: tmean(e, "sparse")),
        ("PyTorch dense", "#9467bd", "2,3", 1.8, lambda e: tmean(e, "dense")),
    ]
    if widths:  # a run of the heap part alone has no sweep to draw
        write_svg(os.path.join(out, "width.svg"), widths, int(P.get("base_width", 64)), series, P.get("quick") == "1")


def replot(out):
    """Draws out/width.svg again from out/results.json alone (a committed results directory has no logs/*.meta.json,
    so main() cannot rebuild it; bench/regenerate-pages.sh calls this). results.json stores E as a string key."""
    r = load(os.path.join(out, "results.json"))
    if not isinstance(r, dict) or r.get("schema") != "sparse-circuits/width-sweep/1":
        sys.exit(f"width_sweep_report.py: error: {out}/results.json is missing or not a sparse-circuits/width-sweep/1 file")
    as_int = lambda d: {int(k): v for k, v in (d or {}).items()}
    plot(out, r.get("params") or {}, as_int(r.get("sweep")), as_int((r.get("torch") or {}).get("best")))


def write_svg(path, widths, base, series, quick):
    W, H = 860, 520
    left, right, top, bottom = 78, 272, 48, 62
    pw, ph = W - left - right, H - top - bottom
    xs = [base * e for e in widths]
    pts = []
    for name, color, dash, sw, f in series:
        p = [(base * e, f(e)) for e in widths if f(e)]
        pts.append((name, color, dash, sw, p))
    ys = [y for *_, p in pts for _, y in p]
    if not ys or not xs:
        ys = [1.0, 10.0]
    ylo, yhi = 10 ** math.floor(math.log10(min(ys))), 10 ** math.ceil(math.log10(max(ys)))
    if ylo == yhi:
        yhi = ylo * 10
    xlo, xhi = min(xs) / 1.25, max(xs) * 1.25
    lx = lambda x: left + (math.log(x) - math.log(xlo)) / (math.log(xhi) - math.log(xlo)) * pw
    ly = lambda y: top + ph - (math.log(y) - math.log(ylo)) / (math.log(yhi) - math.log(ylo)) * ph
    o = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" font-family="sans-serif" font-size="12">',
         f'<rect width="{W}" height="{H}" fill="white"/>',
         f'<text x="{W / 2}" y="24" text-anchor="middle" font-size="15" font-weight="bold">Training step at a fixed L0 (base width {base}): '
         f'ms/step against d_model{" (--quick)" if quick else ""}</text>']
    # y grid: 1-2-5 per decade
    d = ylo
    while d <= yhi * 1.0001:
        for m in (1, 2, 5):
            y = d * m
            if ylo <= y <= yhi * 1.0001:
                major = m == 1
                o.append(f'<line x1="{left}" y1="{ly(y):.1f}" x2="{left + pw}" y2="{ly(y):.1f}" stroke="{"#bbb" if major else "#e4e4e4"}"/>')
                o.append(f'<text x="{left - 6}" y="{ly(y) + 4:.1f}" text-anchor="end">{y:g}</text>')
        d *= 10
    for x in xs:
        o.append(f'<line x1="{lx(x):.1f}" y1="{top}" x2="{lx(x):.1f}" y2="{top + ph}" stroke="#e4e4e4"/>')
        o.append(f'<text x="{lx(x):.1f}" y="{top + ph + 18}" text-anchor="middle">{x}</text>')
        o.append(f'<text x="{lx(x):.1f}" y="{top + ph + 32}" text-anchor="middle" fill="#666" font-size="10">E={x // base}</text>')
    o.append(f'<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="none" stroke="#333"/>')
    o.append(f'<text x="{left + pw / 2}" y="{H - 12}" text-anchor="middle" font-size="13">d_model (log scale)</text>')
    o.append(f'<text transform="translate(20,{top + ph / 2}) rotate(-90)" text-anchor="middle" font-size="13">ms per training step (log scale)</text>')
    for name, color, dash, sw, p in pts:
        if not p:
            continue
        da = f' stroke-dasharray="{dash}"' if dash else ""
        o.append(f'<polyline fill="none" stroke="{color}" stroke-width="{sw}"{da} points="' + " ".join(f"{lx(x):.1f},{ly(y):.1f}" for x, y in p) + '"/>')
        for x, y in p:
            o.append(f'<circle cx="{lx(x):.1f}" cy="{ly(y):.1f}" r="3.2" fill="{color}"><title>{name}: d_model {x}, {y:.1f} ms</title></circle>')
    lx0, ly0 = left + pw + 16, top + 6
    shown = [s for s in pts if s[4]]
    o.append(f'<rect x="{lx0 - 8}" y="{ly0 - 14}" width="{right - 16}" height="{22 * len(shown) + 10}" fill="white" stroke="#999"/>')
    for i, (name, color, dash, sw, p) in enumerate(shown):
        y = ly0 + 22 * i
        da = f' stroke-dasharray="{dash}"' if dash else ""
        o.append(f'<line x1="{lx0}" y1="{y}" x2="{lx0 + 28}" y2="{y}" stroke="{color}" stroke-width="{sw}"{da}/>')
        o.append(f'<circle cx="{lx0 + 14}" cy="{y}" r="3.2" fill="{color}"/>')
        o.append(f'<text x="{lx0 + 36}" y="{y + 4}">{esc(name)}</text>')
    o.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(o) + "\n")


def esc(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--plot" and os.path.isdir(sys.argv[2]):
        replot(sys.argv[2])
    elif len(sys.argv) == 2 and os.path.isdir(sys.argv[1]):
        main(sys.argv[1])
    else:
        sys.exit("usage: width_sweep_report.py RESULTS_DIR          (results.json, summary.md, width.svg from the run's files)\n"
                 "       width_sweep_report.py --plot RESULTS_DIR   (width.svg alone, from results.json)")
