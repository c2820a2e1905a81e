#!/usr/bin/env python3
"""Markdown tables of a frontier experiment's experiment.json (format sparse-circuits-experiment/2), for
BENCHMARKS.md: the models (E, loss, tasks solved, forced share, time), each pairing's edge and node ratios at every
target with the tasks they cover, the tasks every model solved, and what the controls flagged. The ratios follow
the engine's rule (sparsecircuits.pruning.compare.Comparison): geometric means over the tasks where both models
reached the target with a nonzero count.

Usage: bench/frontier_summary.py RUN/experiment.json
"""
import json
import math
import sys


def at(circuits, target):
    for c in circuits or []:
        if c and abs(c["target"] - target) <= 1e-9 * abs(target):
            return c
    return None


def num(x):
    return float("nan") if x is None or isinstance(x, str) else float(x)


def ratio(e, pairing, target, key):
    logs, tasks = [], []
    for t in e["tasks"]:
        s = at(t["circuits"].get(pairing["sparseId"]), target)
        d = at(t["circuits"].get(pairing["denseId"]), target)
        if not s or not d or not s["reached"] or not d["reached"] or s[key] <= 0 or d[key] <= 0:
            continue
        logs.append(math.log(d[key] / s[key]))
        tasks.append(t["task"])
    return (math.exp(sum(logs) / len(logs)) if logs else float("nan")), tasks


def main(path):
    e = json.load(open(path))
    below = num(e["solvedBelow"])
    print(f"Machine: {e['machine']}; finished {e['createdUtc']}.\n")
    print("| model | E | val loss | tasks solved | forced share | tokens | train time |")
    print("|---|---|---|---|---|---|---|")
    for m in e["models"]:
        u = m.get("setup") or {}
        solved = sum(1 for t in e["tasks"] if not t.get("tokenizerClash") and num(t["losses"].get(m["id"])) <= below)
        share = num(u.get("forcedShare"))
        ex = num(u.get("expansion"))
        print(f"| {m['id']} | {f'{ex:g}' if ex > 0 else '—'} | {num(m['valLoss']):.3f} | {solved} of {len(e['tasks'])} | "
              f"{'—' if math.isnan(share) else f'{100 * share:.0f}%'} | {u.get('tokens', 0) / 1e6:.1f}M | {num(m['seconds']) / 60:.1f} min |")
    print()
    print("| sparse | partner | " + " | ".join(f"edges at {t:g}" for t in e["targets"]) + f" | nodes at {e['mainTarget']:g} | tasks at {e['mainTarget']:g} |")
    print("|---|---|" + "---|" * (len(e["targets"]) + 2))
    for p in e["pairings"]:
        cells = []
        for t in e["targets"]:
            r, ts = ratio(e, p, t, "edges")
            cells.append("—" if not ts else f"{r:.2f}× ({len(ts)})")
        nodes, _ = ratio(e, p, e["mainTarget"], "nodes")
        _, ts = ratio(e, p, e["mainTarget"], "edges")
        print(f"| {p['sparseId']} | {p['denseId']} | " + " | ".join(cells) + f" | {'—' if not ts else f'{nodes:.2f}×'} | {', '.join(ts) or '—'} |")
    print()
    for t in e["tasks"]:
        if t.get("tokenizerClash"):
            print(f"- tokenizer clash: {t['tokenizerClash']}")
        for c in t.get("controls") or []:
            if not c["trustworthy"]:
                print(f"- controls flag {t['task']} in {c['modelId']}")
    common = [t["task"] for t in e["tasks"]
              if all((lambda c: c and c["reached"] and c["edges"] > 0)(at(t["circuits"].get(m["id"]), e["mainTarget"])) for m in e["models"])]
    print(f"- tasks every model solved and pruned with edges at {e['mainTarget']:g}: {', '.join(common) or 'none'}")


if __name__ == "__main__":
    main(sys.argv[1])
