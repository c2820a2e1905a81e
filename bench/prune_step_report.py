#!/usr/bin/env python3
"""Summary of bench/run-prune-step.sh: writes DIR/results.json and DIR/summary.md from the run's files.

Usage: prune_step_report.py DIR
"""
import glob
import json
import os
import statistics
import sys

SIZES = {
    'demo': 'demo (L2 d128, V512, ctx 64)',
    'perf': 'perf (L4 d256, V2048, ctx 128)',
    'e8': 'E = 8 (L2 d512 over base 64, pfrac 1/4, min 2/neuron)',
    'd48': 'dense d48 (L2, 3 heads)',
}


def load_json_line(path):
    for line in open(path):
        if line.startswith('{'):
            return json.loads(line)
    return None


def main(out):
    steps = {}
    for f in glob.glob(os.path.join(out, 'step-*.txt')):
        version, mode, size, threads = os.path.basename(f)[5:-4].split('-')
        d = load_json_line(f)
        if d:
            steps[(version, mode, size, int(threads))] = d
    torch = {}
    for f in glob.glob(os.path.join(out, 'torch-*.json')):
        d = json.load(open(f))
        torch[(d['size'], d['threads'])] = d
    e2e = {}
    for f in glob.glob(os.path.join(out, 'e2e-*.json')):
        d = json.load(open(f))
        c = os.path.join(out, 'logs', f"circuit-{d['version']}-{d['model']}-{d['task']}.json")
        if os.path.exists(c):
            cj = json.load(open(c))
            d['nodes'], d['edges'] = cj.get('nodes'), cj.get('edges')
        e2e[(d['version'], d['model'], d['task'])] = d
    machine = open(os.path.join(out, 'machine.txt')).read().splitlines()
    cpu = next((l.split(':', 1)[1].strip() for l in machine if l.startswith('Model name')), '?')
    java = next((l for l in machine if l.startswith('java:')), 'java: ?')
    commit = next((l for l in machine if l.startswith('commit:')), '')
    baseline = next((l.split(':', 1)[1].strip() for l in machine if l.startswith('baseline:')), '?')
    targets = []

    lines = ['# Pruning at width: the mask-training step, end-to-end `prune` and `view` (issue 15)', '',
             f'- CPU: {cpu} ({os.cpu_count()} cpus); {java}; {commit}; baseline commit {baseline}',
             *[f'- {l}' for l in machine if l.startswith('uptime')],
             '- step: the real `Pruner.train` timed through its per-step listener (PruneStepBench), single_double_quote, '
             '16 pairs = 32 sequences a batch, median ms/step; PyTorch: `bench/torch/prune_step.py`, same prompts, '
             'dense masked weights (the authors\' way), best of 1 and 2 threads', '']

    # ---- the step
    lines += ['## The mask-training step', '',
              '| shape | configuration | 1 thread ms | 2 threads ms | vs baseline (best) | vs PyTorch (best of 1/2 threads) |',
              '|---|---|---|---|---|---|']
    best = lambda version, mode, size: min((d['median_ms'] for (v, m, s, t), d in steps.items()
                                             if v == version and m == mode and s == size), default=None)
    for size in ('demo', 'perf', 'e8', 'd48'):
        tbest = min((d['median_ms'] for (s, t), d in torch.items() if s == size), default=None)
        for version, mode in (('current', 'sparse'), ('current', 'dense'), ('baseline', 'sparse')):
            row = [steps.get((version, mode, size, t)) for t in (1, 2)]
            if not any(row):
                continue
            b = best(version, mode, size)
            vs_base = ''
            if version == 'current' and mode == 'sparse':
                bb = best('baseline', 'sparse', size)
                if bb:
                    vs_base = f'{bb / b:.2f}x'
                    if size in ('demo', 'perf'):
                        targets.append((f'sparse step at {size} no slower than the baseline', f'{bb / b:.2f}x', bb / b >= 0.95))
            vs_torch = f'{tbest / b:.2f}x' if tbest and version == 'current' else ''
            cells = [f"{d['median_ms']:.1f}" if d else '-' for d in row]
            lines.append(f'| {SIZES[size]} | {"ours" if version == "current" else "baseline"} {mode} | {cells[0]} | {cells[1]} | {vs_base} | {vs_torch} |')
        for t in (1, 2):
            d = torch.get((size, t))
            if d:
                ms = f"{d['median_ms']:.1f}{' *' if d['median_ms'] == tbest else ''}"
                lines.append(f"| {SIZES[size]} | PyTorch {d['mode']} | {ms if t == 1 else ''} | {ms if t == 2 else ''} | | |")
        if size == 'e8' and tbest and best('current', 'sparse', 'e8'):
            r = tbest / best('current', 'sparse', 'e8')
            targets.append(('step at E = 8 >= 5x PyTorch (best of 1/2 threads each)', f'{r:.2f}x', r >= 5))
    lines.append('')
    if torch:
        d = next(iter(torch.values()))
        lines += [f"PyTorch {d['torch']} ({d['python']}); BLAS loaded: {', '.join(d['blas_libs']) or '-'}", '']

    # ---- end to end
    if e2e:
        lines += ['## End to end: `prune` (target 0.15, defaults) and `view` of the circuit', '',
                  '| task | model | version | prune s | view s | nodes | edges | prune exit |', '|---|---|---|---|---|---|---|---|']
        for (v, m, task), d in sorted(e2e.items(), key=lambda kv: (kv[0][2], kv[0][1], kv[0][0])):
            view = f"{d['view_s']:.1f}" if d.get('view_s') is not None else '-'
            lines.append(f"| {task} | {m} | {v} | {d['prune_s']:.1f} | {view} | {d.get('nodes', '-')} | {d.get('edges', '-')} | {d['prune_status']} |")
        lines.append('')
        tasks = sorted({k[2] for k in e2e})
        speed, vs_dense, views = [], [], []
        for task in tasks:
            cur, base, dense = e2e.get(('current', 'e8', task)), e2e.get(('baseline', 'e8', task)), e2e.get(('current', 'd48', task))
            if cur and base and cur['prune_status'] == 0 and base['prune_status'] == 0:
                speed.append(base['prune_s'] / cur['prune_s'])
                targets.append((f'prune {task} at E = 8 >= 4x faster than the baseline', f"{base['prune_s'] / cur['prune_s']:.2f}x",
                                base['prune_s'] / cur['prune_s'] >= 4))
            if cur and dense and cur['prune_status'] == 0 and dense['prune_status'] == 0:
                vs_dense.append(cur['prune_s'] / dense['prune_s'])
                targets.append((f'prune {task} at E = 8 <= 2.5x its time on dense d48', f"{cur['prune_s'] / dense['prune_s']:.2f}x",
                                cur['prune_s'] / dense['prune_s'] <= 2.5))
                if cur.get('view_s') and dense.get('view_s'):
                    r = cur['view_s'] / dense['view_s']
                    views.append(r)
                    targets.append((f'view of the {task} circuit at E = 8 <= 2x its time on dense d48', f'{r:.2f}x', r <= 2))
        if speed:
            lines.append(f'Geometric mean over tasks: E = 8 prune vs the baseline **{statistics.geometric_mean(speed):.2f}x**; '
                         + (f'E = 8 vs dense d48 **{statistics.geometric_mean(vs_dense):.2f}x**' if vs_dense else ''))
            lines.append('')
        for m in ('e8', 'd48'):
            f = os.path.join(out, f'model-{m}-last-eval.json')
            if os.path.exists(f) and os.path.getsize(f):
                lines.append(f"- model {m}: validation loss {json.load(open(f))['val_loss']:.3f} at step 3,500")
        lines.append('')

    # ---- targets
    if targets:
        lines += ['## Targets', '', '| target | measured | |', '|---|---|---|']
        lines += [f'| {t} | {m} | {"met" if ok else "**missed**"} |' for t, m, ok in targets]
        lines.append('')
    prof = os.path.join(out, 'profile-sparse-e8.txt')
    if os.path.exists(prof):
        lines += ['## What is left: the op profile of one step at E = 8 (2 threads)', '', '```', *open(prof).read().splitlines(), '```', '']
    lines += ['Load before each run: load.txt; lscpu: machine.txt; logs: logs/.']
    open(os.path.join(out, 'summary.md'), 'w').write('\n'.join(lines) + '\n')
    results = dict(steps=[dict(zip(('version', 'mode', 'size', 'threads'), k), **v) for k, v in sorted(steps.items())],
                   torch=list(torch.values()), e2e=list(e2e.values()),
                   targets=[dict(target=t, measured=m, met=ok) for t, m, ok in targets])
    json.dump(results, open(os.path.join(out, 'results.json'), 'w'), indent=1)
    print('\n'.join(lines))


if __name__ == '__main__':
    if len(sys.argv) != 2 or not os.path.isdir(sys.argv[1]):
        sys.exit('usage: prune_step_report.py DIR (a bench/results/<UTC>-prune-step directory)')
    main(sys.argv[1])
