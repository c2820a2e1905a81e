#!/usr/bin/env bash
# Pruning at width (issues 5 and 15), in one run:
#  1. the mask-training step: ms/step of the real Pruner on a frozen model (PruneStepBench: single_double_quote,
#     16 pairs a batch, node means on corpus windows), 1 and 2 threads, at the demo size (L2 d128) and PERF.md's
#     (L4 d256) sparse (density 1/16) and dense, at the width benchmark's E = 8 shape (d_model 512 over a width-64
#     base, pfrac 1/4, min 2 per neuron) and at its loss-matched dense d48; this tree and, at demo/perf, the
#     pinned baseline commit (built in a git worktree under bench/target/, package only);
#  2. the authors' way in PyTorch at the same shapes on the same prompts (bench/torch/prune_step.py, dense
#     masked weights), best of 1 and 2 threads;
#  3. the op profile of one step at E = 8 (a replica of the Pruner's step on a profiling tape);
#  4. end to end: `prune` of lambda_func, if_equals and while_return_true (defaults: target 0.15, 400 steps,
#     node deltas) and `view` of each circuit, on a trained E = 8 model and a trained dense d48 model (3,500
#     steps each; trained into --models DIR by this tree's jar when missing, ~20 min), with this tree's jar and
#     the baseline's, each run on a fresh copy of the model directory (node means included in the time).
# Writes bench/results/<UTC>-prune-step/: summary.md (targets evaluated), results.json, the raw logs; no generated
# pages (the e2e runs' viewer pages stay in a temporary directory); committed when cited (bench/README.md "Results").
# ~18 min on 2 cores with the models trained (the baseline's E = 8 prunes are most of it).
#
# Usage: bench/run-prune-step.sh [--steps N] [--warmup N] [--no-torch] [--no-baseline] [--no-e2e]
#                                [--models DIR] [--tasks "A B C"] [--summarize DIR]
#   --steps/--warmup  timed and warm-up steps of each step benchmark (default 20 / 20)
#   --no-torch        skip PyTorch        --no-baseline  skip building and running the baseline commit
#   --no-e2e          skip the end-to-end prune/view runs (and the models they need)
#   --models DIR      where the E = 8 and d48 models are (or are trained to); default bench/target/prune-models
#   --tasks "..."     the end-to-end tasks (default "lambda_func if_equals while_return_true")
#   --summarize DIR   only rewrite DIR/summary.md and results.json from the files of an earlier run
# Environment: JAVA_HOME (the JDK for both jars; default the newest under /usr/lib/jvm).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$HERE")"
BASELINE=05ca81d            # the commit where issue 15 began: every "faster than before" target is against it

STEPS=20; WARMUP=20; TORCH=1; BASE=1; E2E=1; SUMMARIZE=   # our JVM needs ~20 steps before C2 has compiled the kernels
MODELS="$HERE/target/prune-models"; TASKS="lambda_func if_equals while_return_true"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --steps) STEPS="$2"; shift 2 ;;
    --warmup) WARMUP="$2"; shift 2 ;;
    --no-torch) TORCH=0; shift ;;
    --no-baseline) BASE=0; shift ;;
    --no-e2e) E2E=0; shift ;;
    --models) MODELS="$2"; shift 2 ;;
    --tasks) TASKS="$2"; shift 2 ;;
    --summarize) SUMMARIZE="$2"; shift 2 ;;
    -h|--help) sed -n '2,27p' "$0"; exit 0 ;;
    *) echo "run-prune-step.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
  esac
done
for n in "$STEPS" "$WARMUP"; do
  [[ "$n" =~ ^[0-9]+$ && "$n" -ge 1 ]] || { echo "run-prune-step.sh: --steps and --warmup want whole numbers >= 1" >&2; exit 2; }
done
REPORT="$HERE/prune_step_report.py"
if [[ -n "$SUMMARIZE" ]]; then python3 "$REPORT" "$SUMMARIZE"; exit 0; fi

say() { echo "[prune-step $(date -u +%H:%M:%S)] $*"; }
die() { echo "[prune-step] ERROR: $*" >&2; exit 1; }
T_START=$(date +%s)
# shellcheck source=java-env.sh
. "$HERE/java-env.sh"
JAVA="$(bench_pick_java)"
export JAVA_HOME="${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$JAVA")")")}"
OUT="$HERE/results/$(date -u +%Y%m%dT%H%M%SZ)-prune-step"
mkdir -p "$OUT/logs"
TMP="$(mktemp -d "${TMPDIR:-/tmp}/prune-step.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT
say "results -> $OUT"
{ lscpu; echo; echo "uptime at start: $(uptime)"; echo "java: $("$JAVA" -version 2>&1 | head -n 1)"
  echo "commit: $(git -C "$ROOT" rev-parse HEAD)$([[ -z "$(git -C "$ROOT" status --porcelain --untracked-files=no)" ]] || echo ' + uncommitted changes')"
  echo "baseline: $BASELINE"; } >"$OUT/machine.txt"

# ---------------------------------------------------------------- builds (one jar per side for the whole run)
MVN=(./mvnw -B -ntp -q -DskipTests package)
say "building this tree's CLI jar and bench/target/benchmarks.jar"
(cd "$ROOT" && { "${MVN[@]}" -o -pl cli,bench -am >/dev/null 2>&1 || "${MVN[@]}" -pl cli,bench -am; }) || die "the build of this tree failed"
cp "$ROOT/cli/target/sparse-circuits.jar" "$TMP/current.jar"
cp "$HERE/target/benchmarks.jar" "$TMP/current-bench.jar"
if [[ "$BASE" == 1 ]]; then
  BASE_COMMIT="$(git -C "$ROOT" rev-parse --verify "$BASELINE^{commit}")" || die "baseline $BASELINE is not a commit of this repository"
  BDIR="$HERE/target/baseline-$BASELINE"
  if [[ ! -f "$BDIR/.git" || "$(git -C "$BDIR" rev-parse HEAD 2>/dev/null)" != "$BASE_COMMIT" ]]; then
    rm -rf "$BDIR"
    say "git worktree add --detach $BDIR $BASELINE"
    git -C "$ROOT" worktree add -f --detach "$BDIR" "$BASE_COMMIT" >/dev/null || die "git worktree add failed"
  fi
  if [[ ! -f "$BDIR/cli/target/sparse-circuits.jar" || ! -f "$BDIR/bench/target/benchmarks.jar" ]]; then
    say "building the baseline's CLI and benchmark jars (package, never install)"
    (cd "$BDIR" && { "${MVN[@]}" -o -pl cli,bench -am >/dev/null 2>&1 || "${MVN[@]}" -pl cli,bench -am; }) || die "the baseline's build failed"
  fi
  cp "$BDIR/cli/target/sparse-circuits.jar" "$TMP/baseline.jar"
  cp "$BDIR/bench/target/benchmarks.jar" "$TMP/baseline-bench.jar"
fi

# ---------------------------------------------------------------- 1. the step
step() { # version mode size threads
  local f="$OUT/step-$1-$2-$3-$4.txt" export=()
  [[ "$1" == current ]] && export=(-Dexport="$OUT/sequences-$3.json")   # the prompts PyTorch gets: this tree's tokenisation
  echo "load before step $*: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$OUT/load.txt"
  "$JAVA" --add-modules jdk.incubator.vector -Xmx4g -Dsparsecircuits.threads="$4" "${export[@]}" \
    -cp "$TMP/$1-bench.jar" sparsecircuits.bench.PruneStepBench "$2" "$3" "$STEPS" "$WARMUP" >"$f" 2>"$OUT/logs/step-$1-$2-$3-$4.err" \
    || { say "step $* failed (see logs/)"; return 0; }
  say "$1 $(sed -n '1p' "$f" | cut -c1-90)"
}
for t in 1 2; do
  for cfg in "sparse demo" "dense demo" "sparse perf" "dense perf" "sparse e8" "dense d48"; do
    # shellcheck disable=SC2086
    step current $cfg "$t"
  done
  if [[ "$BASE" == 1 ]]; then
    step baseline sparse demo "$t"
    step baseline sparse perf "$t"
  fi
done

# ---------------------------------------------------------------- 3. the profile at E = 8
"$JAVA" --add-modules jdk.incubator.vector -Xmx4g -Dsparsecircuits.threads=2 -Dprofile=true -DprofileSteps="$STEPS" -DprofileWarmup="$WARMUP" \
  -cp "$TMP/current-bench.jar" sparsecircuits.bench.PruneStepBench sparse e8 2 1 2>/dev/null | grep -v '^{' | sed 1d >"$OUT/profile-sparse-e8.txt" || true
say "profile e8: $(sed -n '2p' "$OUT/profile-sparse-e8.txt")"

# ---------------------------------------------------------------- 2. PyTorch
if [[ "$TORCH" == 1 ]]; then
  PY=/usr/bin/python3
  if ! "$PY" -c 'import torch' 2>/dev/null; then
    say "torch missing: bench/torch/run.sh installs python3-torch + libopenblas0-pthread; running its install step"
    bash "$HERE/torch/run.sh" --steps 1 --warmup 0 --threads 1 >/dev/null
  fi
  for cfg in "demo masked" "perf masked" "e8 masked" "d48 dense"; do
    read -r size mode <<<"$cfg"
    for t in 1 2; do
      echo "load before torch $size $t thr: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$OUT/load.txt"
      OMP_NUM_THREADS="$t" "$PY" "$HERE/torch/prune_step.py" --size "$size" --mode "$mode" --threads "$t" \
        --steps "$STEPS" --warmup 5 --sequences "$OUT/sequences-$size.json" --json "$OUT/torch-$size-$t.json" \
        >"$OUT/logs/torch-$size-$t.txt" 2>&1 || say "torch $size $t failed (see logs/)"
      say "torch $size $t thr: $(sed -n '2p' "$OUT/logs/torch-$size-$t.txt")"
    done
  done
fi

# ---------------------------------------------------------------- 4. end to end
if [[ "$E2E" == 1 ]]; then
  mkdir -p "$MODELS"
  train_model() { # name args...
    local name="$1"; shift
    if [[ -f "$MODELS/$name/model.safetensors" && ! -f "$MODELS/$name/train-state.bin.partial" ]] \
       && grep -q '"steps": 3500' "$MODELS/$name/train-config.json" 2>/dev/null && python3 - "$MODELS/$name/train-log.jsonl" <<'PY'
import json, sys
last = [json.loads(l) for l in open(sys.argv[1]) if l.startswith('{')][-1]
sys.exit(0 if last.get('step') == 3500 else 1)
PY
    then
      say "model $name: $MODELS/$name (trained)"
      return
    fi
    say "training $name into $MODELS/$name (3,500 steps; this tree's jar): $*"
    rm -rf "${MODELS:?}/$name"
    "$JAVA" --add-modules jdk.incubator.vector -Xmx6g -jar "$TMP/current.jar" train --out "$MODELS/$name" --steps 3500 --eval-every 500 "$@" \
      >"$OUT/logs/train-$name.log" 2>&1 || die "training $name failed (see $OUT/logs/train-$name.log)"
  }
  train_model e8 --d-model 512 --base-width 64 --pfrac 0.25 --min-per-neuron 2
  train_model d48 --mode dense --d-model 48 --heads 3
  for m in e8 d48; do
    grep -h '"val_loss"' "$MODELS/$m/train-log.jsonl" | tail -n 1 >"$OUT/model-$m-last-eval.json" || true
  done
  versions=(current); [[ "$BASE" == 1 ]] && versions+=(baseline)
  for task in $TASKS; do
    for m in e8 d48; do
      for v in "${versions[@]}"; do
        run="$v-$m-$task"
        rm -rf "$TMP/model" "$TMP/circuit"
        mkdir -p "$TMP/model"
        for f in config.json model.safetensors tokenizer.json train-config.json train-log.jsonl; do cp "$MODELS/$m/$f" "$TMP/model/"; done
        echo "load before $run: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$OUT/load.txt"
        t0=$(date +%s.%N); rc=0
        "$JAVA" --add-modules jdk.incubator.vector -Xmx6g -jar "$TMP/$v.jar" prune --model "$TMP/model" --task "$task" --out "$TMP/circuit" \
          >"$OUT/logs/prune-$run.log" 2>&1 || rc=$?
        t1=$(date +%s.%N); vrc=-1; t2=$t1
        if [[ "$rc" == 0 ]]; then
          cp "$TMP/circuit/circuit.json" "$OUT/logs/circuit-$run.json"
          vrc=0
          "$JAVA" --add-modules jdk.incubator.vector -Xmx6g -jar "$TMP/$v.jar" view --circuit "$TMP/circuit" --model "$TMP/model" --out "$TMP/view.html" \
            >"$OUT/logs/view-$run.log" 2>&1 || vrc=$?
          t2=$(date +%s.%N)
        fi
        python3 - "$OUT/e2e-$run.json" "$v" "$m" "$task" "$rc" "$t0" "$t1" "$vrc" "$t2" <<'PY'
import json, sys
out, v, m, task, rc, t0, t1, vrc, t2 = sys.argv[1:]
d = dict(version=v, model=m, task=task, prune_status=int(rc), prune_s=round(float(t1) - float(t0), 2),
         view_status=int(vrc), view_s=round(float(t2) - float(t1), 2) if int(vrc) >= 0 else None)
json.dump(d, open(out, 'w'))
PY
        say "$run: prune exit $rc in $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s; view exit $vrc in $(awk -v a="$t1" -v b="$t2" 'BEGIN { printf "%.1f", b - a }') s"
      done
    done
  done
fi
echo "uptime at end: $(uptime)" >>"$OUT/machine.txt"
python3 "$REPORT" "$OUT"
say "done in $(( $(date +%s) - T_START )) s: $OUT/summary.md"
