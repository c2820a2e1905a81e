#!/usr/bin/env python3
"""Summary of bench/run-recipe-quality.sh (issue 18): from OUT/params.json, OUT/train/*.json and OUT/circuits/*.json
alone, writes OUT/results.json and OUT/summary.md: final validation loss per recipe and E (mean, sample standard
deviation, seeds), the scalable recipe's difference from the paper recipe's with the 0.5% target, and the circuits of
the probe tasks with the geometric-mean edge ratio dense/sparse per recipe and dense partner.

Usage: recipe_quality_report.py OUT
"""
import glob
import json
import math
import os
import statistics
import sys


def load(path, default=None):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return default


def fmt(x, digits=3):
    return "—" if x is None else f"{x:,.{digits}f}"


def geomean(xs):
    return math.exp(sum(math.log(x) for x in xs) / len(xs)) if xs else None


def main(out):
    P = load(os.path.join(out, "params.json"), {})
    trains = [t for t in (load(f) for f in sorted(glob.glob(os.path.join(out, "train", "*.json")))) if t]
    prunes = [c for c in (load(f) for f in sorted(glob.glob(os.path.join(out, "circuits", "*.json")))) if c]
    base = int(P.get("base_width", 64))

    # ---- validation loss per recipe and E
    loss = {}
    for t in trains:
        if t["mode"] != "sparse" or t.get("final_val_loss") is None:
            continue
        e = t["d_model"] // base
        loss.setdefault(e, {}).setdefault(t["recipe"], {})[t["seed"]] = t["final_val_loss"]
    table = []
    for e in sorted(loss):
        row = {"E": e, "d_model": base * e}
        for recipe in ("paper", "scalable"):
            by_seed = loss[e].get(recipe, {})
            xs = [by_seed[s] for s in sorted(by_seed)]
            row[recipe] = {"seeds": sorted(by_seed), "values": xs, "mean": statistics.mean(xs) if xs else None,
                           "sd": statistics.stdev(xs) if len(xs) > 1 else None,
                           "spread": (max(xs) - min(xs)) if len(xs) > 1 else None}
        pm, sm = row["paper"]["mean"], row["scalable"]["mean"]
        common = sorted(set(row["paper"]["seeds"]) & set(row["scalable"]["seeds"]))
        row["common_seeds"] = common
        row["scalable_minus_paper_pct"] = None if pm is None or sm is None else 100.0 * (sm - pm) / pm
        diffs = [loss[e]["scalable"][s] - loss[e]["paper"][s] for s in common]
        row["paired_diff_mean"] = statistics.mean(diffs) if diffs else None
        row["within_target"] = None if row["scalable_minus_paper_pct"] is None else abs(row["scalable_minus_paper_pct"]) <= 0.5
        table.append(row)

    # ---- circuits
    models = sorted({c["model"] for c in prunes})
    tasks = [t for t in str(P.get("tasks", "")).split() if any(c["task"] == t for c in prunes)]
    cell = {(c["model"], c["task"]): c for c in prunes}
    dense_models = [m for m in models if m.startswith("dense-")]
    sparse_models = [m for m in models if not m.startswith("dense-")]
    dense_loss = {t["id"]: t.get("final_val_loss") for t in trains if t["mode"] == "dense"}
    sparse_loss = {t["id"]: t.get("final_val_loss") for t in trains if t["mode"] == "sparse"}
    ratios = {}
    for sm in sparse_models:
        for dm in dense_models:
            per = {}
            for task in tasks:
                a, b = cell.get((sm, task)), cell.get((dm, task))
                if a and b and a.get("solved") and b.get("solved") and a["edges"] > 0 and b["edges"] > 0:
                    per[task] = {"edges": b["edges"] / a["edges"], "nodes": b["nodes"] / a["nodes"]}
            ratios[f"{dm} / {sm}"] = {"dense": dm, "sparse": sm, "tasks": sorted(per), "per_task": per,
                                      "edges_geomean": geomean([v["edges"] for v in per.values()]),
                                      "nodes_geomean": geomean([v["nodes"] for v in per.values()])}

    results = {"schema": "sparse-circuits/recipe-quality/1", "params": P, "loss": table, "trainings": trains,
               "circuits": prunes, "edge_ratios": ratios, "dense_val_loss": dense_loss, "sparse_val_loss": sparse_loss}
    tmp = os.path.join(out, "results.json.tmp")
    with open(tmp, "w") as f:
        json.dump(results, f, indent=1)
    os.replace(tmp, os.path.join(out, "results.json"))

    # ---- summary.md
    L = ["# The two recipes' quality (issue 18)" + (" (--quick: pipeline check, not a measurement)" if str(P.get("quick")) == "1" else ""), ""]
    L += [f"- CPU: {P.get('cpu_model', '?')}, {P.get('cpus', '?')} cpus; commit `{str(P.get('commit', '?'))[:12]}`; started {P.get('started_utc', '?')}",
          f"- L0 A: base width {P.get('base_width')}, pfrac {P.get('pfrac')}, min-per-neuron {P.get('min_per_neuron')}; {P.get('layers')} layers, "
          f"vocab {P.get('vocab')}, ctx {P.get('ctx')}, batch {P.get('batch')}; {P.get('steps')} steps; scalable regrowth every "
          f"{P.get('regrow_every')} steps; final validation loss over 8 batches (`--eval-batches 8`)",
          "- command: `bash bench/run-recipe-quality.sh`", ""]
    L += ["## Final validation loss", "",
          "| E | d_model | paper recipe: mean ± sd (seeds) | scalable recipe: mean ± sd (seeds) | scalable − paper | paired difference | within 0.5% |",
          "|---|---|---|---|---|---|---|"]
    for r in table:
        def cellv(q):
            if q["mean"] is None:
                return "—"
            sd = f" ± {q['sd']:.4f}" if q["sd"] is not None else ""
            return f"{q['mean']:.4f}{sd} ({', '.join(f'{v:.4f}' for v in q['values'])})"
        pct, paired, ok = r["scalable_minus_paper_pct"], r["paired_diff_mean"], r["within_target"]
        pct_s = "—" if pct is None else f"{pct:+.2f}%"
        paired_s = "—" if paired is None else f"{paired:+.4f}"
        ok_s = "—" if ok is None else ("yes" if ok else "**no**")
        L.append(f"| {r['E']} | {r['d_model']} | {cellv(r['paper'])} | {cellv(r['scalable'])} | {pct_s} | "
                 f"{paired_s} ({len(r['common_seeds'])} seeds) | {ok_s} |")
    L.append("")
    if prunes:
        L += [f"## Circuits at task loss {P.get('target')} (nodes / edges; `prune` defaults)", "",
              "| task | " + " | ".join(f"{m} (val {fmt(sparse_loss.get(m, dense_loss.get(m)))})" for m in models) + " |",
              "|---|" + "---|" * len(models)]
        for task in tasks:
            cells = []
            for m in models:
                c = cell.get((m, task))
                cells.append("—" if not c else (f"{c['nodes']} / {c['edges']}" if c.get("solved") else "not solved"))
            L.append(f"| {task} | " + " | ".join(cells) + " |")
        L += ["", "| dense / sparse | edge ratio (geo-mean) | node ratio (geo-mean) | tasks |", "|---|---|---|---|"]
        for k, v in ratios.items():
            ratio = lambda x: "—" if x is None else f"{x:.2f}×"
            L.append(f"| {k} | {ratio(v['edges_geomean'])} | {ratio(v['nodes_geomean'])} | {', '.join(v['tasks']) or 'none both solve'} |")
        L.append("")
    tmp = os.path.join(out, "summary.md.tmp")
    with open(tmp, "w") as f:
        f.write("\n".join(L) + "\n")
    os.replace(tmp, os.path.join(out, "summary.md"))


if __name__ == "__main__":
    if len(sys.argv) != 2 or not os.path.isdir(sys.argv[1]):
        print("usage: recipe_quality_report.py OUT (a bench/run-recipe-quality.sh output directory)", file=sys.stderr)
        sys.exit(2)
    main(sys.argv[1])
