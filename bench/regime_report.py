#!/usr/bin/env python3
"""The report of bench/run-regime-sweep.sh (issue 19): reads OUT/points/*.json (one finished frontier experiment
each, format sparse-circuits/regime-point/1) and OUT/params.json if present; writes, each atomically,
OUT/results.json (one row per point), OUT/summary.md (for BENCHMARKS.md), OUT/ratio_vs_E.svg and OUT/frontier.svg.

    python3 bench/regime_report.py OUT

Ratios follow the engine's rule (sparsecircuits.pruning.compare.Comparison): dense/sparse, the geometric mean over
the tasks where both models reached the target with a nonzero count. A point's sparse model is the one whose d_model
is the point's; its partner is the dense model its pairing names. Standard library only.
"""
import glob
import json
import math
import os
import sys
import tempfile

SCHEMA = "sparse-circuits/regime-report/1"
NAN = float("nan")
CORPORA = ["synthetic", "python", "mix"]
PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#7f7f7f"]
L0_COLORS = {"A": "#1f77b4", "B": "#d62728"}
MIN_COMMON_TASKS = 3  # as the engine's Fig. 3: with fewer common tasks, each model's own tasks

# ----------------------------------------------------------------------------- numbers and formats


def num(x):
    """A float from a JSON value: None, strings ("NaN", "Infinity") and junk become NaN or ±inf."""
    try:
        return float(x) if x is not None and not isinstance(x, bool) else NAN
    except (TypeError, ValueError):
        return NAN


def finite(x):
    """x is a finite number."""
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def fmt(x, spec=".3f", unit=""):
    """x formatted, or "—" when missing or not finite."""
    return format(x, spec) + unit if finite(x) else "—"


def ratio_text(r):
    """A ratio cell {"ratio", "tasks"} as "2.35× (4)"."""
    return f"{r['ratio']:.2f}× ({r['tasks']})" if r and finite(r.get("ratio")) else "—"


def shortest(e):
    """A number in its shortest form (E 8, not 8.0), or "—"."""
    return fmt(e, "g")


def cell(x):
    """A text cell: "—" for a missing value."""
    return "—" if x is None or x == "" else str(x)


def clean(o):
    """o with every non-finite float as None (JSON has no NaN)."""
    if isinstance(o, float):
        return o if math.isfinite(o) else None
    if isinstance(o, dict):
        return {k: clean(v) for k, v in o.items()}
    if isinstance(o, (list, tuple)):
        return [clean(v) for v in o]
    return o


def write_atomic(path, text):
    """Writes text to path through a temporary file in the same directory and os.replace."""
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(os.path.abspath(path)), prefix=".tmp-", suffix=os.path.basename(path))
    with os.fdopen(fd, "w") as out:
        out.write(text)
    mask = os.umask(0)
    os.umask(mask)
    os.chmod(tmp, 0o666 & ~mask)  # mkstemp makes it 0600; the report is an ordinary file
    os.replace(tmp, path)

# ----------------------------------------------------------------------------- one experiment


def at(circuits, target):
    """The circuit pruned to target (relative tolerance 1e-9), or None."""
    for c in circuits or []:
        t = num((c or {}).get("target"))
        if c and (t == target or abs(t - target) <= 1e-9 * abs(target)):
            return c
    return None


def ratio(e, sid, did, target, key="edges"):
    """Geometric mean over tasks of key(dense)/key(sparse) at target where both reached it with a nonzero count."""
    logs = []
    for t in e.get("tasks") or []:
        cs = t.get("circuits") or {}
        s, d = at(cs.get(sid), target), at(cs.get(did), target)
        if s and d and s.get("reached") and d.get("reached") and num(s.get(key)) > 0 and num(d.get(key)) > 0:
            logs.append(math.log(num(d[key]) / num(s[key])))
    return {"ratio": math.exp(sum(logs) / len(logs)) if logs else NAN, "tasks": len(logs)}


def solved(e, mid):
    """How many tasks the model solves: unpruned held-out loss ≤ solvedBelow, no tokenizer clash."""
    below = num(e.get("solvedBelow"))
    return sum(1 for t in e.get("tasks") or [] if not t.get("tokenizerClash") and num((t.get("losses") or {}).get(mid)) <= below)


def pick_sparse(e, point):
    """The point's sparse model: the one with d_model = point.d_model (and its seed on a tie), else the widest."""
    sparse = [m for m in e.get("models") or [] if m and m.get("mode") == "sparse"]
    same = [m for m in sparse if point.get("d_model") is not None and m.get("dModel") == point.get("d_model")]
    seeded = [m for m in same if (m.get("setup") or {}).get("seed") == point.get("seed")]
    pool = seeded or same or sparse
    return max(pool, key=lambda m: num(m.get("dModel")) if finite(num(m.get("dModel"))) else -1) if pool else None


def flag_reason(c):
    """Why a control undermines a circuit: which of random-init, inverted, nonsense reached the target and with what."""
    why = [f"{n} reached the target with {(c.get(k) or {}).get('edges', '?')} edges"
           for k, n in (("randomInit", "random-init"), ("inverted", "inverted"), ("nonsense", "nonsense"))
           if (c.get(k) or {}).get("flags")]
    return "; ".join(why) + f" (real circuit {c.get('edges', '?')} edges)" if why else "no control says why"


def controls(e, ids):
    """(checked, flagged) over the controls of the models in ids; flagged is a list of {task, model, why}."""
    checked, flagged = 0, []
    for t in e.get("tasks") or []:
        for c in t.get("controls") or []:
            if c and c.get("modelId") in ids:
                checked += 1
                if c.get("trustworthy") is False:
                    flagged.append({"task": t.get("task"), "model": c.get("modelId"), "why": flag_reason(c)})
    return checked, flagged


def point_row(p):
    """The results.json row of one point file's content: its settings and every figure of the report."""
    pt = p.get("point") or {}
    row = {k: pt.get(k) for k in ("name", "corpus", "corpus_arg", "l0", "base_width", "pfrac", "min_per_neuron", "E",
                                  "d_model", "budget", "steps", "tokens", "seed", "recipe")}
    row.update({k: p.get(k) for k in ("status", "reason", "flags", "wall_s", "job_seconds", "commit", "cpu_model", "finished_utc")})
    e = p.get("experiment")
    if p.get("status") != "done" or not isinstance(e, dict):
        row["status"] = "failed" if p.get("status") in (None, "done") else p.get("status")
        row["reason"] = row["reason"] or ("no experiment in the point file" if p.get("status") == "done" else None)
        return row
    m = pick_sparse(e, pt)
    if m is None:
        raise ValueError("its experiment has no sparse model")
    if pt.get("d_model") is not None and m.get("dModel") != pt.get("d_model"):
        print(f"regime_report.py: warning: {pt.get('name')}: no sparse model of d_model {pt.get('d_model')}; using {m.get('id')}", file=sys.stderr)
    sid, setup = m.get("id"), m.get("setup") or {}
    did = next((q.get("denseId") for q in e.get("pairings") or [] if q and q.get("sparseId") == sid), None)
    dense = next((d for d in e.get("models") or [] if d and d.get("id") == did), {})
    main, targets = num(e.get("mainTarget")), [num(t) for t in e.get("targets") or []]
    checked, flagged = controls(e, {sid, did})
    sl, dl = num(m.get("valLoss")), num(dense.get("valLoss"))
    row.update({
        "E": row["E"] if row["E"] is not None else setup.get("expansion"), "d_model": row["d_model"] or m.get("dModel"),
        "seed": row["seed"] if row["seed"] is not None else setup.get("seed"), "tokens": row["tokens"] or setup.get("tokens"),
        "sparse_id": sid, "sparse_val_loss": sl, "forced_share": num(setup.get("forcedShare")),
        "tasks": len(e.get("tasks") or []), "sparse_solved": solved(e, sid),
        "partner_id": did, "partner_val_loss": dl, "partner_solved": solved(e, did) if did else None,
        "loss_gap_pct": 100 * (dl - sl) / sl if finite(sl) and sl else NAN,
        "main_target": main, "targets": targets,
        "edge_ratio": {f"{t:g}": ratio(e, sid, did, t) for t in targets} if did else {},
        "node_ratio": ratio(e, sid, did, main, "nodes") if did else {"ratio": NAN, "tasks": 0},
        "controls_checked": checked, "controls_flagged": flagged, "experiment_utc": e.get("createdUtc"),
    })
    row["edge_ratio_main"] = row["edge_ratio"].get(f"{main:g}") or (ratio(e, sid, did, main) if did else {"ratio": NAN, "tasks": 0})
    return row


def load_points(out):
    """[(row, experiment or None)] of OUT/points/*.json, sorted for the table; a bad file is skipped with a warning."""
    got = []
    for path in sorted(glob.glob(os.path.join(out, "points", "*.json"))):
        try:
            with open(path) as fh:
                p = json.load(fh)
            if not isinstance(p, dict) or not isinstance(p.get("point"), dict):
                raise ValueError("not a point file (no 'point' object)")
            row = point_row(p)
            row["name"] = row["name"] or os.path.basename(path)[:-5]
            got.append((row, p.get("experiment") if row["status"] == "done" else None))
        except Exception as x:  # noqa: BLE001 — any defect in one file must not stop the report
            print(f"regime_report.py: warning: skipping {path}: {type(x).__name__}: {x}", file=sys.stderr)
    return sorted(got, key=lambda g: sort_key(g[0]))


def sort_key(r):
    """Table order: corpus (synthetic, python, mix), L0, budget, E, seed, name."""
    c = r.get("corpus")
    return (CORPORA.index(c) if c in CORPORA else len(CORPORA), str(c), str(r.get("l0")), str(r.get("budget")),
            num(r.get("E")) if finite(num(r.get("E"))) else 1e9, num(r.get("seed")) if finite(num(r.get("seed"))) else 0, str(r.get("name")))

# ----------------------------------------------------------------------------- summary.md


def budget_cell(r):
    """The point's budget and its tokens in millions, "1x (6.1M)"."""
    tokens = num(r.get("tokens"))
    return cell(r.get("budget")) + (f" ({tokens / 1e6:.1f}M)" if finite(tokens) else "")


def minutes(r):
    """The point's wall time and job time in minutes, "30 / 61"."""
    return f"{fmt(num(r.get('wall_s')) / 60, '.0f')} / {fmt(num(r.get('job_seconds')) / 60, '.0f')}"


def header(rows, params):
    """The report's first lines: command, dates, machine, commits, total job and wall time."""
    done = [r for r in rows if r["status"] == "done"]
    utc = sorted(r["finished_utc"] for r in rows if r.get("finished_utc"))
    cpus = sorted({x for x in [params.get("cpu_model")] + [r.get("cpu_model") for r in rows] if x})
    commits = sorted({x for x in [params.get("commit")] + [r.get("commit") for r in rows] if x})
    job, wall = sum(num(r.get("job_seconds")) for r in rows if finite(num(r.get("job_seconds")))), \
        sum(num(r.get("wall_s")) for r in rows if finite(num(r.get("wall_s"))))
    return ["# Regime sweep: dense/sparse circuit-size ratio against E, L0, corpus and token budget", "",
            f"- command: `{params.get('command') or '—'}`",
            f"- started {params.get('started_utc') or '—'}; points finished {utc[0] if utc else '—'} … {utc[-1] if utc else '—'}",
            f"- CPU: {', '.join(cpus) or '—'}; commit(s): {', '.join(c[:12] for c in commits) or '—'}",
            f"- {len(done)} point(s) done, {len(rows) - len(done)} failed; compute time of the jobs {job / 3600:.2f} h, "
            f"wall time of the experiment commands {wall / 3600:.2f} h (both per point in the table; a point whose jobs "
            "were all found has wall time 0)", ""]


def ratio_cells(r, others):
    """The edge ratio at the main target, the node ratio there, and the edge ratio at each other target."""
    return [ratio_text(r["edge_ratio_main"]), ratio_text(r["node_ratio"])] + [ratio_text(r["edge_ratio"].get(f"{t:g}")) for t in others]


def main_table(rows, others):
    """Every point, one row each, grouped by corpus, L0, budget, E."""
    main = next((r["main_target"] for r in rows if finite(r.get("main_target"))), 0.15)
    head = (["point", "corpus", "L0", "E (d_model)", "budget", "seed", "val loss", "solved", "partner (loss, gap)",
             "partner solved", f"edges × at {main:g} (tasks)", f"nodes × at {main:g}"] + [f"edges × at {t:g}" for t in others]
            + ["controls flagged", "forced share", "wall / job min"])
    out = ["## Every point", "", "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        lead = [r["name"], cell(r.get("corpus")), cell(r.get("l0")), f"{shortest(num(r.get('E')))} (d{cell(r.get('d_model'))})",
                budget_cell(r), cell(r.get("seed"))]
        if r["status"] != "done":
            out.append("| " + " | ".join(lead + [f"**{r['status']}**: {r.get('reason') or 'no reason given'}"]
                                         + [""] * (len(head) - len(lead) - 2) + [minutes(r)]) + " |")
            continue
        partner = f"{r['partner_id']} ({fmt(r['partner_val_loss'])}, {fmt(r['loss_gap_pct'], '+.1f', '%')})" if r["partner_id"] else "—"
        out.append("| " + " | ".join(lead + [
            fmt(r["sparse_val_loss"]), f"{r['sparse_solved']} of {r['tasks']}", partner, cell(r["partner_solved"])] + ratio_cells(r, others)
            + [f"{len(r['controls_flagged'])} of {r['controls_checked']}", fmt(100 * r["forced_share"], ".0f", "%"), minutes(r)]) + " |")
    return out + ["", "Ratios are dense/sparse (partner over the point's sparse model), geometric means over the tasks in "
                  "parentheses: those where both reached the target with a nonzero count. Gap: the partner's validation loss "
                  "relative to the sparse model's. Controls: circuits the controls found not trustworthy, of those checked "
                  "(sparse model and partner). Forced share: of the top-k budget, what the min-per-neuron rule forces "
                  "(sparse model).", ""]


def lines(rows, seed0=True):
    """{(corpus, L0, budget): [rows sorted by E]} of the done points (seed 0 only when seed0)."""
    out = {}
    for r in rows:
        if r["status"] == "done" and (not seed0 or not r.get("seed")) and finite(num(r.get("E"))):
            out.setdefault((r.get("corpus"), r.get("l0"), r.get("budget")), []).append(r)
    return {k: sorted(v, key=lambda r: num(r["E"])) for k, v in sorted(out.items(), key=lambda kv: sort_key(kv[1][0]))}


def crossings(rows):
    """For each line at seed 0, the smallest E at which the main-target edge ratio exceeds 1, 4 and 10."""
    out = ["## Where the ratio crosses 1, 4 and 10", "", "| corpus | L0 | budget | edge ratio by E | > 1× | > 4× | > 10× |",
           "|---|---|---|---|---|---|---|"]
    for (c, l0, b), rs in lines(rows).items():
        top = max(num(r["E"]) for r in rs)
        cells = [next((f"E {shortest(num(r['E']))}" for r in rs if num(r["edge_ratio_main"]["ratio"]) > x), f"not within E ≤ {shortest(top)}")
                 for x in (1, 4, 10)]
        by_e = ", ".join(f"E{shortest(num(r['E']))} {fmt(r['edge_ratio_main']['ratio'], '.2f', '×')}" for r in rs)
        out.append(f"| {cell(c)} | {cell(l0)} | {cell(b)} | {by_e} | " + " | ".join(cells) + " |")
    return out + ["", "Seed 0 only; the first E (ascending) whose edge ratio at the main target exceeds the threshold.", ""]


def same_but_seed(r):
    """What the seeds of one point share: every setting but the seed and the name."""
    return tuple(str(r.get(k)) for k in ("corpus", "corpus_arg", "l0", "base_width", "pfrac", "min_per_neuron", "E",
                                         "d_model", "budget", "steps", "recipe"))


def seed_spread(rows, others):
    """Per point run with several seeds: each seed's loss and ratios, and the spread of the log ratio as a factor."""
    groups = {}
    for r in rows:
        if r["status"] == "done":
            groups.setdefault(same_but_seed(r), []).append(r)
    out = ["## Seed spread", ""]
    multi = [g for g in groups.values() if len(g) > 1]
    if not multi:
        return out + ["No point has more than one finished seed.", ""]
    for g in multi:
        g.sort(key=lambda r: num(r.get("seed")) if finite(num(r.get("seed"))) else 0)
        out += [f"**{g[0]['name']}** ({len(g)} seeds)", "",
                "| seed | point | val loss | partner | edges × at main | nodes × at main | " + " | ".join(f"edges × at {t:g}" for t in others) + " |",
                "|---|---|---|---|---|---|" + "---|" * len(others)]
        for r in g:
            partner = f"{cell(r['partner_id'])} ({fmt(r['partner_val_loss'])})"
            out.append("| " + " | ".join([cell(r.get("seed")), r["name"], fmt(r["sparse_val_loss"]), partner] + ratio_cells(r, others)) + " |")
        logs = [math.log(x) for x in (r["edge_ratio_main"]["ratio"] for r in g) if finite(x) and x > 0]
        losses = [r["sparse_val_loss"] for r in g if finite(r["sparse_val_loss"])]
        out += ["", f"Spread of the main edge ratio over {len(logs)} seed(s): "
                    + (f"{math.exp(max(logs) - min(logs)):.2f}× (max/min)" if len(logs) > 1 else "— (needs two finite ratios)")
                + (f"; of the sparse val loss {max(losses) - min(losses):.3f}" if len(losses) > 1 else ""), ""]
    return out


def beside_synthetic(rows):
    """The python and mix points next to the synthetic point of the same L0, E, budget and seed."""
    key = lambda r: (r.get("l0"), shortest(num(r.get("E"))), r.get("budget"), r.get("seed") or 0)
    syn = {key(r): r for r in rows if r.get("corpus") == "synthetic" and r["status"] == "done"}
    rest = [r for r in rows if r.get("corpus") not in ("synthetic", None)]
    out = ["## Real code and mix beside synthetic", ""]
    if not rest:
        return out + ["No python or mix point in this sweep.", ""]
    out += ["| point | corpus | L0 | E | budget | seed | val loss | edges × at main | nodes × at main | synthetic point | "
            "its val loss | its edges × at main | its nodes × at main |", "|" + "---|" * 13]
    for r in rest:
        s = syn.get(key(r))
        mine = ([fmt(r["sparse_val_loss"]), ratio_text(r["edge_ratio_main"]), ratio_text(r["node_ratio"])] if r["status"] == "done"
                else [f"**{r['status']}**", "—", "—"])
        theirs = ([s["name"], fmt(s["sparse_val_loss"]), ratio_text(s["edge_ratio_main"]), ratio_text(s["node_ratio"])] if s
                  else ["none finished", "—", "—", "—"])
        out.append(f"| {r['name']} | {cell(r.get('corpus_arg') or r.get('corpus'))} | {cell(r.get('l0'))} | {shortest(num(r.get('E')))} | "
                   f"{budget_cell(r)} | {cell(r.get('seed'))} | " + " | ".join(mine + theirs) + " |")
    return out + ["", "Validation losses of different corpora are not comparable with each other; the ratios are.", ""]


def flagged_section(rows):
    """Every circuit the controls found not trustworthy, with why."""
    out = ["## What the controls flagged", ""]
    items = [(r["name"], x) for r in rows if r["status"] == "done" for x in r["controls_flagged"]]
    checked = sum(r.get("controls_checked") or 0 for r in rows if r["status"] == "done")
    if not items:
        return out + [f"Nothing: none of the {checked} circuits checked was flagged.", ""]
    return out + [f"- {n}: {x['task']} in {x['model']}: {x['why']}" for n, x in items] + ["", f"{len(items)} of {checked} checked.", ""]


def summary(rows, params, frontier_note, ratio_note):
    """The whole summary.md."""
    out = header(rows, params)
    if not rows:
        return "\n".join(out + ["No point finished yet (OUT/points/ holds no readable point file).", ""])
    mains = {f"{r['main_target']:g}" for r in rows if finite(r.get("main_target"))}
    others = sorted({t for r in rows if r["status"] == "done" for t in r["targets"] if f"{t:g}" not in mains}, reverse=True)
    out += main_table(rows, others) + crossings(rows) + seed_spread(rows, others) + beside_synthetic(rows) + flagged_section(rows)
    out += ["## Plots", "", "![Edge ratio dense/sparse at the main target against E](ratio_vs_E.svg)", "", ratio_note, "",
            "![Circuit size against validation loss, per corpus and budget](frontier.svg)", "", frontier_note, ""]
    return "\n".join(out)

# ----------------------------------------------------------------------------- SVG


def esc(s):
    """s escaped for SVG text."""
    return str(s).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def log_ticks(lo, hi, mults=(1, 2, 5)):
    """(lo, hi) widened to decades, and the ticks between (1-2-5 per decade by default)."""
    lo, hi = 10 ** math.floor(math.log10(lo)), 10 ** math.ceil(math.log10(hi))
    hi = hi * 10 if hi <= lo else hi
    ticks, d = [], lo
    while d <= hi * 1.0001:
        ticks += [d * m for m in mults if d * m <= hi * 1.0001]
        d *= 10
    return lo, hi, ticks


def lin_ticks(lo, hi, n=5):
    """Nice linear ticks covering [lo, hi]."""
    span = (hi - lo) or abs(hi) or 1.0
    step = min((s * 10 ** math.floor(math.log10(span / n)) for s in (1, 2, 5, 10)), key=lambda s: abs(span / s - n))
    first = math.floor(lo / step) * step
    return [first + i * step for i in range(int((hi - first) / step) + 2)]


def frame(o, x0, y0, w, h, xt, yt, xlab, ylab, sx, sy, xfmt=lambda v: f"{v:g}"):
    """Grid, tick labels, box and axis titles of one panel; sx, sy map data to pixels."""
    for v in yt:
        o.append(f'<line x1="{x0}" y1="{sy(v):.1f}" x2="{x0 + w}" y2="{sy(v):.1f}" stroke="#e4e4e4"/>'
                 f'<text x="{x0 - 6}" y="{sy(v) + 4:.1f}" text-anchor="end">{v:g}</text>')
    for v in xt:
        o.append(f'<line x1="{sx(v):.1f}" y1="{y0}" x2="{sx(v):.1f}" y2="{y0 + h}" stroke="#e4e4e4"/>'
                 f'<text x="{sx(v):.1f}" y="{y0 + h + 16}" text-anchor="middle">{xfmt(v)}</text>')
    o.append(f'<rect x="{x0}" y="{y0}" width="{w}" height="{h}" fill="none" stroke="#333"/>'
             f'<text x="{x0 + w / 2}" y="{y0 + h + 34}" text-anchor="middle" font-size="13">{esc(xlab)}</text>'
             f'<text transform="translate({x0 - 52},{y0 + h / 2}) rotate(-90)" text-anchor="middle" font-size="13">{esc(ylab)}</text>')


def marker(x, y, color, hollow, tip, shape="circle"):
    """A circle or square marker with a hover title; hollow ones are white inside."""
    fill = "white" if hollow else color
    body = (f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4"' if shape == "circle"
            else f'<rect x="{x - 3.5:.1f}" y="{y - 3.5:.1f}" width="7" height="7"')
    return f'{body} fill="{fill}" stroke="{color}" stroke-width="1.6"><title>{esc(tip)}</title>' + ("</circle>" if shape == "circle" else "</rect>")


def svg(w, h, title, body):
    """A whole SVG document: white background, bold title, then the body's elements."""
    return "\n".join([f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="sans-serif" font-size="12">',
                      f'<rect width="{w}" height="{h}" fill="white"/>',
                      f'<text x="{w / 2}" y="24" text-anchor="middle" font-size="15" font-weight="bold">{esc(title)}</text>'] + body + ["</svg>", ""])


def ratio_svg(rows):
    """ratio_vs_E.svg: main-target edge ratio (log y) against E (log2 x), a line per (corpus, L0, budget); and its note."""
    done = [r for r in rows if r["status"] == "done" and finite(num(r.get("E"))) and num(r["E"]) > 0]
    have = [r for r in done if finite(r["edge_ratio_main"]["ratio"]) and r["edge_ratio_main"]["ratio"] > 0]
    missing = [r["name"] for r in done if r not in have]
    W, H, left, right, top, bottom = 880, 540, 84, 250, 48, 84
    pw, ph = W - left - right, H - top - bottom
    es = [num(r["E"]) for r in done] or [1.0]
    xlo, xhi = min(1.0, min(es)), max(16.0, max(es))
    ys = [r["edge_ratio_main"]["ratio"] for r in have] + [1.0]
    ylo, yhi, yt = log_ticks(min(ys), max(ys))
    sx = lambda e: left + (math.log2(e) - math.log2(xlo) + 0.3) / (math.log2(xhi) - math.log2(xlo) + 0.6) * pw
    sy = lambda v: top + ph - (math.log(v) - math.log(ylo)) / (math.log(yhi) - math.log(ylo)) * ph
    o = []
    frame(o, left, top, pw, ph, [2 ** k for k in range(round(math.log2(xlo)), round(math.log2(xhi)) + 1)], yt,
          "E = d_model / base width (log2 scale)", "edge ratio dense/sparse at the main target (log)", sx, sy)
    o.append(f'<line x1="{left}" y1="{sy(1):.1f}" x2="{left + pw}" y2="{sy(1):.1f}" stroke="#333" stroke-dasharray="6,4"/>'
             f'<text x="{left + pw - 4}" y="{sy(1) - 5:.1f}" text-anchor="end" fill="#333">1×</text>')
    keys = list(lines(rows, seed0=False))
    combos = list(dict.fromkeys((k[0], k[1]) for k in keys))
    entries = []
    for k in keys:
        color, dash = PALETTE[combos.index((k[0], k[1])) % len(PALETTE)], ("" if k[2] in ("1x", None) else ' stroke-dasharray="7,4"')
        rs = [r for r in have if (r.get("corpus"), r.get("l0"), r.get("budget")) == k]
        s0 = [r for r in rs if not r.get("seed")]
        if len(s0) > 1:
            o.append(f'<polyline fill="none" stroke="{color}" stroke-width="2"{dash} points="'
                     + " ".join(f"{sx(num(r['E'])):.1f},{sy(r['edge_ratio_main']['ratio']):.1f}" for r in s0) + '"/>')
        o += [marker(sx(num(r["E"])), sy(r["edge_ratio_main"]["ratio"]), color, bool(r.get("seed")),
                     f"{r['name']}: {r['edge_ratio_main']['ratio']:.2f}× over {r['edge_ratio_main']['tasks']} task(s)") for r in rs]
        entries.append((f"{k[0]}, L0 {k[1]}, {k[2]}", color, dash, "circle", False))
    legend(o, left + pw + 20, top + 8, entries + [("seed ≥ 1 (hollow)", "#666", None, "circle", True)])
    note = ("Not plotted (no task both models reached the main target on): " + ", ".join(missing) + ".") if missing else ""
    if note:
        o.append(f'<text x="{left}" y="{H - 12}" fill="#a00" font-size="11">{esc(note)}</text>')
    caption = ("x: E of the point's sparse model; y: the geometric-mean edge ratio dense/sparse at the main target. "
               "Solid lines 1x budget, dashed other budgets; filled seed 0, hollow seed ≥ 1. " + note).strip()
    return svg(W, H, "Edge ratio (loss-matched dense / sparse) against E", o), caption


def frontier_panels(points):
    """{(corpus argument, budget): [model entries]}: each point's sparse model and every dense model of its experiment,
    deduplicated by (id, validation loss); an entry keeps the experiment it came from."""
    panels, seen = {}, set()
    for r, e in points:
        if e is None:
            continue
        key = (r.get("corpus_arg") or r.get("corpus"), r.get("budget"))
        for m in e.get("models") or []:
            same = (key, (m or {}).get("id"), fmt(num((m or {}).get("valLoss")), ".9f"))
            if not m or (m.get("mode") == "sparse" and m.get("id") != r["sparse_id"]) or same in seen:
                continue
            seen.add(same)
            panels.setdefault(key, []).append({"id": m.get("id"), "sparse": m.get("mode") == "sparse", "loss": num(m.get("valLoss")),
                                               "d": m.get("dModel"), "l0": r.get("l0"), "E": r.get("E"),
                                               "seed": r.get("seed") if m.get("mode") == "sparse" else (m.get("setup") or {}).get("seed"),
                                               "main": r["main_target"], "e": e})
    return panels  # points come sorted by corpus, L0, budget, E


def place(models):
    """Sets x (geometric-mean edges at the main target) and n on each model; returns the common tasks used or None."""
    def reached(m):
        return {t.get("task"): num(c.get("edges")) for t in m["e"].get("tasks") or []
                for c in [at((t.get("circuits") or {}).get(m["id"]), m["main"])] if c and c.get("reached") and num(c.get("edges")) > 0}
    for m in models:
        m["tasks"] = reached(m)
    common = set.intersection(*(set(m["tasks"]) for m in models)) if models else set()
    shared = len(common) >= MIN_COMMON_TASKS
    for m in models:
        xs = [v for t, v in m["tasks"].items() if not shared or t in common]
        m["x"], m["n"] = (math.exp(sum(map(math.log, xs)) / len(xs)) if xs else NAN), len(xs)
    return sorted(common) if shared else None


def legend(o, x, y, entries, dx=0, dy=22):
    """Legend entries (name, color, dash or None for no line, shape, hollow) from (x, y), stepping by dx, dy."""
    for i, (name, color, dash, shape, hollow) in enumerate(entries):
        ex, ey = x + dx * i, y + dy * i
        if dash is not None:
            o.append(f'<line x1="{ex}" y1="{ey}" x2="{ex + 28}" y2="{ey}" stroke="{color}" stroke-width="2"{dash}/>')
        o += [marker(ex + 14, ey, color, hollow, name, shape), f'<text x="{ex + 36}" y="{ey + 4}">{esc(name)}</text>']


def frontier_panel(o, x0, y0, pw, ph, models):
    """One panel of frontier.svg: each model family (dense; sparse per L0) joined in width order, seed ≥ 1 hollow."""
    pts = [m for m in models if finite(m["x"]) and finite(m["loss"])]
    if not pts:
        o.append(f'<text x="{x0 + pw / 2}" y="{y0 + ph / 2}" text-anchor="middle" fill="#a00">'
                 'no model with a circuit at the main target and a loss</text>')
        return
    xs = [m["x"] for m in pts]
    xlo, xhi, xt = log_ticks(min(xs), max(xs), (1, 2, 5) if max(xs) / min(xs) < 100 else (1,))
    yt = lin_ticks(min(m["loss"] for m in pts), max(m["loss"] for m in pts))
    sx = lambda v: x0 + (math.log(v) - math.log(xlo)) / (math.log(xhi) - math.log(xlo)) * pw
    sy = lambda v: y0 + ph - (v - yt[0]) / ((yt[-1] - yt[0]) or 1) * ph
    frame(o, x0, y0, pw, ph, xt, yt, "geometric-mean circuit edges (log)", "validation loss", sx, sy)
    fams = {}
    for m in pts:
        fams.setdefault(("dense" if not m["sparse"] else m["l0"], m["seed"]), []).append(m)
    for (fam, seed), ms in fams.items():
        color = "#888" if fam == "dense" else L0_COLORS.get(fam, PALETTE[sum(map(ord, str(fam))) % len(PALETTE)])
        ms.sort(key=lambda m: num(m["E"] if m["sparse"] else m["d"]))
        if len(ms) > 1:
            o.append(f'<polyline fill="none" stroke="{color}" stroke-width="1.5" points="'
                     + " ".join(f"{sx(m['x']):.1f},{sy(m['loss']):.1f}" for m in ms) + '"/>')
        for m in ms:
            tip = f"{m['id']}: {m['x']:.0f} edges over {m['n']} task(s), loss {m['loss']:.3f}"
            label = f"E{shortest(num(m['E']))}" if m["sparse"] else f"d{m['d']}"
            o.append(marker(sx(m["x"]), sy(m["loss"]), color, bool(seed), tip, "circle" if m["sparse"] else "square"))
            o.append(f'<text x="{sx(m["x"]) + 6:.1f}" y="{sy(m["loss"]) - 6:.1f}" font-size="10" fill="{color}">{esc(label)}</text>')


def frontier_svg(points):
    """frontier.svg: one panel per (corpus, budget), circuit edges (log x) against validation loss; and its note."""
    panels = frontier_panels(points)
    cols, pw, ph = 2, 330, 250
    W, H = 84 + cols * (pw + 110), 40 + max(1, math.ceil(len(panels) / cols)) * (ph + 110)
    o, notes = [], []
    for i, ((corpus, budget), models) in enumerate(panels.items()):
        common = place(models)
        notes.append(f"{cell(corpus)}, {cell(budget)}: " + (f"over the {len(common)} tasks every model reached ({', '.join(common)})"
                                                           if common else f"over each model's own tasks (fewer than {MIN_COMMON_TASKS} common)"))
        x0, y0 = 84 + (i % cols) * (pw + 110), 90 + (i // cols) * (ph + 110)
        o.append(f'<text x="{x0 + pw / 2}" y="{y0 - 8}" text-anchor="middle" font-weight="bold">{esc(cell(corpus))}, '
                 f'budget {esc(cell(budget))}{"" if common else " (own tasks)"}</text>')
        frontier_panel(o, x0, y0, pw, ph, models)
    legend(o, 76, 48, [("sparse, L0 A", L0_COLORS["A"], None, "circle", False), ("sparse, L0 B", L0_COLORS["B"], None, "circle", False),
                       ("dense", "#888", None, "square", False), ("seed ≥ 1", "#666", None, "circle", True)], dx=150, dy=0)
    note = ("Frontier x: for each model (every point's sparse model and every dense model of its experiment, deduplicated "
            "per panel by model id and validation loss), the geometric mean of its circuit edges at the main target over "
            f"the tasks every model of the panel (corpus × budget) reached it on with a nonzero edge count; when fewer than "
            f"{MIN_COMMON_TASKS} such tasks exist, over the model's own tasks (all it reached the target on with edges), as the "
            "engine's Fig. 3 falls back. y: validation loss. Per panel: " + "; ".join(notes) + ".")
    return svg(W, H, "Circuit size against validation loss (Fig. 3), per corpus and budget", o), note


def main(out):
    params = {}
    try:
        with open(os.path.join(out, "params.json")) as fh:
            params = json.load(fh)
        params = params if isinstance(params, dict) else {}
    except FileNotFoundError:
        pass
    except (OSError, ValueError) as x:
        print(f"regime_report.py: warning: ignoring {out}/params.json: {x}", file=sys.stderr)
    points = load_points(out)
    rows = [r for r, _ in points]
    write_atomic(os.path.join(out, "results.json"), json.dumps(clean({"schema": SCHEMA, "params": params, "rows": rows}), indent=1) + "\n")
    ratio_note = frontier_note = ""
    if rows:
        text, ratio_note = ratio_svg(rows)
        write_atomic(os.path.join(out, "ratio_vs_E.svg"), text)
        text, frontier_note = frontier_svg(points)
        write_atomic(os.path.join(out, "frontier.svg"), text)
    write_atomic(os.path.join(out, "summary.md"), summary(rows, params, frontier_note, ratio_note))


if __name__ == "__main__":
    if len(sys.argv) != 2 or not os.path.isdir(sys.argv[1]):
        sys.exit("usage: regime_report.py OUT   (reads OUT/points/*.json, OUT/params.json; writes results.json, summary.md, "
                 "ratio_vs_E.svg, frontier.svg)")
    main(sys.argv[1])
