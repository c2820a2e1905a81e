#!/usr/bin/env bash
# End-to-end training step at PERF.md's sizes (L4, d_model 256, 16 heads × d_head 16, V 2048, ctx 128, batch 8):
# ours (TrainStepBench: sparse at density 1/16 after annealing, sparse with pattern-only dW, dense) on 1 and 2
# threads, then the PyTorch anchor (bench/torch/run.sh, the authors' way) in the same run, and the ratios.
# Writes bench/results/<UTC>-train-step/summary.md (committed when cited; no generated pages: bench/README.md "Results").
#
# Usage: bench/run-train-step.sh [--steps N] [--warmup N] [--no-torch]
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$HERE")"
STEPS=15; WARMUP=5; TORCH=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --steps) STEPS="$2"; shift 2 ;;
    --warmup) WARMUP="$2"; shift 2 ;;
    --no-torch) TORCH=0; shift ;;
    -h|--help) sed -n '2,7p' "$0"; exit 0 ;;
    *) echo "run-train-step.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
  esac
done
# shellcheck source=java-env.sh
. "$HERE/java-env.sh"
JAVA="$(bench_pick_java)"
OUT="$HERE/results/$(date -u +%Y%m%dT%H%M%SZ)-train-step"
mkdir -p "$OUT"
(cd "$ROOT" && ./mvnw -B -ntp -q -DskipTests install -pl kernels,autograd,model,bench -am)
JAR="$HERE/target/benchmarks.jar"
run() { # name threads extra-flags...
  local name="$1" threads="$2"; shift 2
  "$JAVA" --add-modules jdk.incubator.vector -Xmx3g -Dsparsecircuits.threads="$threads" "$@" \
    -cp "$JAR" sparsecircuits.bench.TrainStepBench "${name%%+*}" "$STEPS" "$WARMUP" >"$OUT/$name-$threads.txt" 2>/dev/null
  sed -n '1,2p' "$OUT/$name-$threads.txt"
}
for t in 1 2; do
  run sparse "$t"
  run sparse+pattern "$t" -DpatternGrad=true
  run dense "$t"
done
if [[ "$TORCH" == 1 ]]; then
  bash "$HERE/torch/run.sh" --steps 10 --warmup 3 | tee "$OUT/torch.txt"
  TORCH_DIR="$(ls -d "$HERE"/torch/results/*/ | sort | tail -n 1)"
fi
python3 - "$OUT" "${TORCH_DIR:-}" <<'PY'
import json, sys, glob, os, re
out, tdir = sys.argv[1], sys.argv[2]
ours = {}
for f in sorted(glob.glob(os.path.join(out, '*.txt'))):
    name = os.path.basename(f)[:-4]
    if name == 'torch': continue
    for line in open(f):
        if line.startswith('{'):
            ours[name] = json.loads(line)
torch = {}
if tdir:
    for f in glob.glob(os.path.join(tdir, '*.json')):
        d = json.load(open(f))
        if 'mode' in d and 'threads' in d:
            torch[(d['mode'], d['threads'])] = d.get('median_ms') or d.get('median_ms_per_step')
best_t = {m: min(v for (mm, t), v in torch.items() if mm == m) for m in ('sparse', 'dense') if any(mm == m for mm, _ in torch)}
cpu = next(iter(ours.values()))['cpu'] if ours else '?'
lines = ['# Training step, PERF.md sizes', '', f'- CPU: {cpu}', '',
         '| configuration | threads | median ms/step | tokens/s | peak heap MB | vs PyTorch (best thread count, same mode) |', '|---|---|---|---|---|---|']
for name, d in sorted(ours.items()):
    mode = name.split('-')[0]
    base = 'sparse' if mode.startswith('sparse') else 'dense'
    ratio = f"{best_t[base] / d['median_ms']:.2f}x" if base in best_t else 'n/a'
    lines.append(f"| {mode} | {d['threads']} | {d['median_ms']:.1f} | {d['tokens_per_s']:.0f} | {d['peak_heap_mb']} | {ratio} |")
for m, v in best_t.items():
    lines.append(f'\nPyTorch {m} (authors\' way), best of 1 and 2 threads: {v:.1f} ms/step')
open(os.path.join(out, 'summary.md'), 'w').write('\n'.join(lines) + '\n')
print('\n'.join(lines))
PY
echo "results in $OUT"
