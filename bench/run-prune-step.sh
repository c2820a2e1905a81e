#!/usr/bin/env bash
# Pruning (mask-training) step, issue 5: steps/s of the real Pruner on a frozen model, sparse (density 1/16
# after annealing) vs dense, at the demo size (L2 d128, 8 heads, V512, ctx 64) and PERF.md's size (L4 d256,
# 16 heads, V2048, ctx 128), 1 and 2 threads; then the same mask training the authors' way in PyTorch
# (bench/torch/prune_step.py: dense masked weights, same prompts) in the same run, best of 1 and 2 threads.
# Writes bench/results/<UTC>-prune-step/summary.md (ms/step, sparse-vs-dense, ours-vs-PyTorch, CPU, load).
#
# Usage: bench/run-prune-step.sh [--steps N] [--warmup N] [--no-torch] [--summarize DIR]
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$HERE")"
STEPS=20; WARMUP=20; TORCH=1; SUMMARIZE=   # our JVM needs ~20 steps before C2 has compiled the vector kernels
while [[ $# -gt 0 ]]; do
  case "$1" in
    --steps) STEPS="$2"; shift 2 ;;
    --warmup) WARMUP="$2"; shift 2 ;;
    --no-torch) TORCH=0; shift ;;
    --summarize) SUMMARIZE="$2"; shift 2 ;;   # only (re)write DIR/summary.md from the files of an earlier run
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) echo "run-prune-step.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
  esac
done
summarize() { # DIR: writes DIR/summary.md from the files of a run
python3 - "$1" <<'PY'
import json, sys, glob, os
out = sys.argv[1]
ours, torch = {}, {}
for f in sorted(glob.glob(os.path.join(out, '*.txt'))):
    for line in open(f):
        if line.startswith('{'):
            d = json.loads(line)
            ours[(d['mode'], d['size'], d['threads'])] = d
for f in glob.glob(os.path.join(out, 'torch-*.json')):
    d = json.load(open(f))
    torch[(d['size'], d['threads'])] = d
machine = open(os.path.join(out, 'machine.txt')).read().splitlines()
cpu = next((l.split(':', 1)[1].strip() for l in machine if l.startswith('Model name')), '?')
loads = [l for l in machine if l.startswith('uptime')]
any_d = next(iter(ours.values()), {})
lines = ['# Pruning (mask-training) step: ours (sparse / dense) vs the authors\' way in PyTorch', '',
         f'- CPU: {cpu} ({os.cpu_count()} cpus); kernels: {any_d.get("kernels", "?")}',
         *[f'- {l}' for l in loads],
         f'- batch: 16 pairs = 32 sequences of single_double_quote (BPE trained on the synthetic corpus), '
         f'{any_d.get("warmup", "?")} warm-up + {any_d.get("steps", "?")} timed steps, median ms/step',
         '- ours: the real `Pruner.train` (timed through its per-step listener), frozen model on CSR weights, '
         'node means computed on corpus windows; torch: `bench/torch/prune_step.py`, same prompts, dense masked weights', '']
sizes = [s for s in ('demo', 'perf') if any(k[1] == s for k in ours)]
for size in sizes:
    lines += [f'## {size}', '', '| configuration | threads | median ms/step | steps/s | vs our dense (same threads) | vs PyTorch (best of 1/2 threads) |',
              '|---|---|---|---|---|---|']
    tbest = min((d['median_ms'] for (s, t), d in torch.items() if s == size), default=None)
    for mode in ('sparse', 'dense'):
        for t in (1, 2):
            d = ours.get((mode, size, t))
            if not d: continue
            dense = ours.get(('dense', size, t))
            vs_dense = f"{dense['median_ms'] / d['median_ms']:.2f}x" if dense and mode == 'sparse' else ''
            vs_torch = f"{tbest / d['median_ms']:.2f}x" if tbest else 'n/a'
            lines.append(f"| ours {mode} | {t} | {d['median_ms']:.1f} | {d['steps_per_s']:.2f} | {vs_dense} | {vs_torch} |")
    for t in (1, 2):
        d = torch.get((size, t))
        if d:
            mark = ' *' if d['median_ms'] == tbest else ''
            lines.append(f"| PyTorch masked (authors' way){mark} | {t} | {d['median_ms']:.1f} | {d['steps_per_s']:.2f} | | |")
    best_ours = min((d['median_ms'] for (m, s, t), d in ours.items() if s == size and m == 'sparse'), default=None)
    if tbest and best_ours:
        r = tbest / best_ours
        lines += ['', f'Best ours (sparse) vs best PyTorch: **{r:.2f}x** (target >= 10x: {"met" if r >= 10 else "NOT met"})']
    lines.append('')
if torch:
    d = next(iter(torch.values()))
    lines += [f"PyTorch: torch {d['torch']} ({d['python']}); BLAS loaded: {', '.join(d['blas_libs']) or '-'}; "
              f"padded length (mean) {d['mean_padded_len']:.0f} tokens", '']
prof = []
for size in ('demo', 'perf'):
    for b, what in (('groups', 'now: 2 right-padded groups'), ('byLength', 'before: one pass per prompt length')):
        f = os.path.join(out, f'profile-sparse-{size}-{b}.txt')
        if os.path.exists(f):
            l = next((x.strip() for x in open(f) if 'forward+loss' in x), '')
            if l:
                fw, bw = (float(x.split()[0]) for x in (l.split('forward+loss ')[1], l.split('backward ')[1]))
                prof.append(f'| {size} | {what} | {fw:.1f} | {bw:.1f} | {fw + bw:.1f} |')
if prof:
    lines += ['## Batching of the task prompts in mask training (replica of one Pruner step, sparse, 1 thread, tape profile)', '',
              '| size | batching | forward+loss ms | backward ms | total ms |', '|---|---|---|---|---|', *prof, '']
lines += ['Load before each run: see load.txt; op profiles: profile-sparse-*.txt; lscpu: machine.txt.']
open(os.path.join(out, 'summary.md'), 'w').write('\n'.join(lines) + '\n')
print('\n'.join(lines))
PY
}
if [[ -n "$SUMMARIZE" ]]; then summarize "$SUMMARIZE"; exit 0; fi
# shellcheck source=java-env.sh
. "$HERE/java-env.sh"
JAVA="$(bench_pick_java)"
OUT="$HERE/results/$(date -u +%Y%m%dT%H%M%SZ)-prune-step"
mkdir -p "$OUT"
{ lscpu; echo; echo "uptime at start: $(uptime)"; echo "java: $("$JAVA" -version 2>&1 | head -n 1)"; } >"$OUT/machine.txt"
export JAVA_HOME="${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$JAVA")")")}"
BUILD=(./mvnw -B -ntp -q -DskipTests install -pl kernels,autograd,model,pruning,bench -am)
(cd "$ROOT" && { "${BUILD[@]}" -o 2>/dev/null || "${BUILD[@]}"; })   # offline when the local repository has everything
JAR="$HERE/target/benchmarks.jar"
run() { # mode size threads
  local mode="$1" size="$2" threads="$3" f="$OUT/$1-$2-$3.txt"
  echo "load before $mode $size $threads thr: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$OUT/load.txt"
  "$JAVA" --add-modules jdk.incubator.vector -Xmx3g -Dsparsecircuits.threads="$threads" -Dexport="$OUT/sequences-$size.json" \
    -cp "$JAR" sparsecircuits.bench.PruneStepBench "$mode" "$size" "$STEPS" "$WARMUP" >"$f" 2>/dev/null
  sed -n '1p' "$f"
}
for size in demo perf; do
  for t in 1 2; do
    run sparse "$size" "$t"
    run dense "$size" "$t"
  done
done
# the op-level profile of one step (a replica of Pruner's step on a profiling tape), sparse, 1 thread: as the
# Pruner batches now (2 right-padded groups) and as it did before (one pass per prompt length)
for size in demo perf; do
  for b in groups byLength; do
    "$JAVA" --add-modules jdk.incubator.vector -Xmx3g -Dsparsecircuits.threads=1 -Dprofile=true -DprofileSteps="$STEPS" -DprofileWarmup="$WARMUP" -Dbatching="$b" \
      -cp "$JAR" sparsecircuits.bench.PruneStepBench sparse "$size" 2 1 2>/dev/null | grep -v '^{' | sed 1d >"$OUT/profile-sparse-$size-$b.txt" || true
    echo "profile $size $b: $(sed -n '2p' "$OUT/profile-sparse-$size-$b.txt")"
  done
done
if [[ "$TORCH" == 1 ]]; then
  PY=/usr/bin/python3
  if ! "$PY" -c 'import torch' 2>/dev/null; then
    echo "torch missing: bench/torch/run.sh installs python3-torch + libopenblas0-pthread; running its install step" >&2
    bash "$HERE/torch/run.sh" --steps 1 --warmup 0 --threads 1 >/dev/null
  fi
  for size in demo perf; do
    for t in 1 2; do
      echo "load before torch $size $t thr: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$OUT/load.txt"
      OMP_NUM_THREADS="$t" "$PY" "$HERE/torch/prune_step.py" --size "$size" --mode masked --threads "$t" \
        --steps "$STEPS" --warmup "$WARMUP" --sequences "$OUT/sequences-$size.json" --json "$OUT/torch-$size-$t.json" \
        2>&1 | tee "$OUT/torch-$size-$t.txt" | sed -n '2p'
    done
  done
fi
echo "uptime at end: $(uptime)" >>"$OUT/machine.txt"
summarize "$OUT"
echo "results in $OUT"
