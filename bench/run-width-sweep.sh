#!/usr/bin/env bash
# The width benchmark (issue 14 §1): training at a fixed L0 (base width 64, pfrac 1/4, min-per-neuron 2; 2 layers,
# vocab 512, ctx 64, batch 16) at E = 1, 2, 4, 8 (d_model 64..512), in one run: our sparse and dense `train`
# (this tree's CLI jar), the same for the pinned baseline commit (built in a git worktree under bench/target/),
# and the authors' way in PyTorch (bench/torch/gpt_step.py, best of 1 and 2 threads); per configuration mean
# ms/step (forward / backward / optimizer) in the anneal's first tenth and after the anneal, tokens/s, peak RSS
# and heap; the min-per-neuron rule's share of each tensor's budget; the dense step's products against the same
# run's kernels-info GEMM rate; then one whole 3,500-step E = 8 train (ours and the baseline's, with evals and
# checkpoints) with the median and p95 per tenth of the anneal against 200 dense steps. Writes results.json,
# summary.md (with the issue's targets evaluated) and width.svg to bench/results/<UTC>-width-sweep/. width.svg is
# drawn from results.json alone (bench/regenerate-pages.sh draws it again) and is committed with a cited run, as
# BENCHMARKS.md shows it; of logs/ only what a summary cites (bench/README.md "Results").
# Issue 18 adds the scalable recipe at every point and in the long part, a second L0 (L0 B: base width 128, pfrac
# 1/4, 4x the nonzeros) at d_model 128..2048 (paper recipe, scalable recipe and dense, shorter runs: a d_model 2048
# paper step takes seconds), and the heap part: at E = 32 (base 64, d_model 2048, pfrac 1/2, min-per-neuron 1) the
# smallest -Xmx with which each recipe trains, found by bisection.
# Full run ~75-90 min on 2 cores; --quick ~10 min (a pipeline check, not a measurement).
#
# Usage: bench/run-width-sweep.sh [--quick] [--no-torch] [--no-baseline] [--no-long] [--no-scalable] [--no-l0b] [--no-heap]
#                                 [--steps N] [--summarize DIR]
#   --quick        short runs of everything (60-step sweep, 100-step "long" run, 2 torch steps)
#   --no-torch     skip PyTorch          --no-baseline  skip building and running the baseline commit
#   --no-long      skip the whole 3,500-step E = 8 runs and the 200 dense steps
#   --no-scalable  skip the scalable recipe (issue 18), which otherwise runs at every point and in the long part
#   --no-l0b       skip L0 B (base 128, pfrac 1/4 at d_model 128..2048)
#   --no-heap      skip the E = 32 heap bisection
#   --steps N      steps of each sparse sweep run (default 240; the dense runs take N/2)
#   --summarize D  only rewrite D/results.json, summary.md and width.svg from the files of an earlier run (all of
#                  its logs/: not a committed run, whose results.json it would rewrite without the sweep)
# Environment: JAVA_HOME (the JDK for both jars; default the newest under /usr/lib/jvm), WIDTHS ("1 2 4 8"), L0B_WIDTHS
# ("1 2 4 8 16"), REGROW_EVERY (the scalable recipe's interval, 100), CROSSOVER (density of
# the CSR/dense crossover for the anneal targets; default Ops.DEFAULT_SPARSE_BELOW read from this tree, else 0.12).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$HERE")"
BASELINE=2b4ba41            # the commit where issue 14 began: every "faster than before" target is against it

WIDTHS="${WIDTHS:-1 2 4 8}"; BASE_WIDTH=64; PFRAC=0.25; MIN_PER_NEURON=2; LAYERS=2; VOCAB=512; CTX=64; BATCH=16; D_HEAD=16
STEPS=240; SKIP_AFTER=10; SKIP_DENSE=20
LONG_STEPS=3500; LONG_DENSE_STEPS=200; LONG_DENSE_WARMUP=20
TORCH_STEPS=10; TORCH_WARMUP=3; PROFILE_STEPS=10; PROFILE_WARMUP=5; KI_SECONDS=20
QUICK=0; TORCH=1; BASE=1; LONG=1; SUMMARIZE=; STEPS_SET=; SCALABLE=1; REGROW_EVERY="${REGROW_EVERY:-100}"
# L0 B: 4x L0 A's nonzeros; its paper-recipe runs are short (a d_model 2048 step takes seconds) but keep 35 steps after
# the anneal; its scalable runs keep two whole regrowth periods after it
L0B=1; L0B_WIDTHS="${L0B_WIDTHS:-1 2 4 8 16}"; L0B_BASE=128; L0B_STEPS=80; L0B_SKIP_AFTER=5; L0B_DENSE_STEPS=30; L0B_SKIP_DENSE=10
# the heap part: E = 32 at base 64 (d_model 2048), pfrac 1/2 and min-per-neuron 1, the densest L0 at which the rule's
# forced entries fit the c_attn budget (3 d rows, 1 each = the whole budget); HEAP_STEPS steps including a regrowth
HEAP=1; HEAP_E=32; HEAP_PFRAC=0.5; HEAP_J=1; HEAP_STEPS=3; HEAP_RESOLUTION=108   # bisection stops at hi/lo <= 1.08
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) QUICK=1; shift ;;
    --no-torch) TORCH=0; shift ;;
    --no-baseline) BASE=0; shift ;;
    --no-long) LONG=0; shift ;;
    --no-scalable) SCALABLE=0; shift ;;
    --steps) STEPS_SET="$2"; shift 2 ;;
    --summarize) SUMMARIZE="$2"; shift 2 ;;
    --no-l0b) L0B=0; shift ;;
    --no-heap) HEAP=0; shift ;;
    -h|--help) sed -n '2,35p' "$0"; exit 0 ;;
    *) echo "run-width-sweep.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
  esac
done
PYTHON="$(command -v python3 || echo /usr/bin/python3)"
REPORT="$HERE/width_sweep_report.py"
if [[ -n "$SUMMARIZE" ]]; then "$PYTHON" "$REPORT" "$SUMMARIZE"; exit 0; fi
if [[ "$QUICK" == 1 ]]; then
  STEPS=60; SKIP_AFTER=5; SKIP_DENSE=10; LONG_STEPS=100; LONG_DENSE_STEPS=20; LONG_DENSE_WARMUP=10
  TORCH_STEPS=2; TORCH_WARMUP=1; PROFILE_STEPS=3; PROFILE_WARMUP=2; KI_SECONDS=5
  HEAP_RESOLUTION=300; L0B_WIDTHS="1 16"; L0B_STEPS=24; L0B_SKIP_AFTER=2; L0B_DENSE_STEPS=8; L0B_SKIP_DENSE=3
fi
if [[ -n "$STEPS_SET" ]]; then
  [[ "$STEPS_SET" =~ ^[0-9]+$ && "$STEPS_SET" -ge 20 ]] || { echo "run-width-sweep.sh: --steps wants a whole number >= 20" >&2; exit 2; }
  STEPS="$STEPS_SET"
fi
DENSE_STEPS=$((STEPS / 2))
# the scalable recipe's after-anneal window must hold two whole regrowth periods (its mean counts the regrowth steps)
SCALABLE_STEPS=$(( STEPS > 2 * (SKIP_AFTER + 2 * REGROW_EVERY) ? STEPS : 2 * (SKIP_AFTER + 2 * REGROW_EVERY) ))
L0B_SCALABLE_STEPS=$(( L0B_STEPS > 2 * (L0B_SKIP_AFTER + 2 * REGROW_EVERY) ? L0B_STEPS : 2 * (L0B_SKIP_AFTER + 2 * REGROW_EVERY) ))
[[ "$QUICK" == 0 ]] || L0B_SCALABLE_STEPS=$L0B_STEPS

say() { echo "[width-sweep $(date -u +%H:%M:%S)] $*"; }
die() { echo "[width-sweep] ERROR: $*" >&2; exit 1; }
T_START=$(date +%s)

# shellcheck source=java-env.sh
. "$HERE/java-env.sh"
JAVA="$(bench_pick_java)"
export JAVA_HOME="${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$JAVA")")")}"   # Maven builds on the same JDK
OUT="$HERE/results/$(date -u +%Y%m%dT%H%M%SZ)-width-sweep"
LOGS="$OUT/logs"
mkdir -p "$LOGS" "$OUT/torch"
TMP="$(mktemp -d "${TMPDIR:-/tmp}/width-sweep.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT
NOTES=()
say "results -> $OUT"

# ---------------------------------------------------------------- machine
LOAD_START="$(cut -d' ' -f1-3 /proc/loadavg)"
cpu_field() { grep -m1 "^$1[[:space:]]*:" /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'; }
CPU_MODEL="$(cpu_field 'model name')"
ISA=$(grep -m1 '^flags' /proc/cpuinfo | grep -qw avx512f && echo avx512f || { grep -m1 '^flags' /proc/cpuinfo | grep -qw avx2 && echo avx2 || echo no-avx2; })
JAVA_VERSION="$("$JAVA" -version 2>&1 | sed -n '1p;2p' | tr '\n' ' ' | sed 's/ *$//')"
COMMIT="$(git -C "$ROOT" rev-parse HEAD)"
DIRTY=0; [[ -z "$(git -C "$ROOT" status --porcelain --untracked-files=no)" ]] || DIRTY=1
say "CPU: $CPU_MODEL (family $(cpu_field 'cpu family'), model $(cpu_field model), $(nproc) cpus, $ISA); load $LOAD_START"
say "JDK: $JAVA_VERSION ($JAVA); commit $COMMIT$([[ $DIRTY == 1 ]] && echo ' + uncommitted changes'); baseline $BASELINE"
if awk -v l="${LOAD_START%% *}" 'BEGIN { exit !(l > 1.0) }'; then
  say "WARNING: load average $LOAD_START before the run: the machine is busy, figures will be noisy"
  NOTES+=("load average ${LOAD_START} at the start: the machine was busy")
fi
CROSSOVER="${CROSSOVER:-$(grep -rhoE 'DEFAULT_SPARSE_BELOW = [0-9.]+' "$ROOT/autograd/src/main/java" 2>/dev/null | head -n 1 | awk '{print $3}')}"
CROSSOVER="${CROSSOVER:-0.12}"

# peak RSS and wall time of a command: /usr/bin/time when there is one, else VmHWM polled from /proc
if [[ ! -x /usr/bin/time && "$(id -u)" == 0 ]] && command -v apt-get >/dev/null; then
  say "installing GNU time (for the peak RSS)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=900 time >/dev/null 2>&1 || true
fi
timed() { # FILE CMD...: writes "<peak RSS KB> <wall s>" to FILE, returns CMD's status
  local tf="$1"; shift
  if [[ -x /usr/bin/time ]]; then
    /usr/bin/time -o "$tf" -f '%M %e' "$@"
    return
  fi
  local t0 pid hwm=0 v rc=0
  t0=$(date +%s.%N)
  "$@" & pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    v=$(awk '/^VmHWM/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)
    [[ -n "$v" && "$v" -gt "$hwm" ]] && hwm="$v"
    sleep 0.5
  done
  wait "$pid" || rc=$?
  echo "$hwm $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')" >"$tf"
  return "$rc"
}

# ---------------------------------------------------------------- builds
MVN=(./mvnw -B -ntp -q -DskipTests package)
say "building this tree's CLI jar and bench/target/benchmarks.jar"
(cd "$ROOT" && { "${MVN[@]}" -o -pl cli,bench -am >/dev/null 2>&1 || "${MVN[@]}" -pl cli,bench -am; }) || die "the build of this tree failed"
cp "$ROOT/cli/target/sparse-circuits.jar" "$TMP/current.jar"     # the whole run uses one jar, whatever is rebuilt meanwhile
cp "$HERE/target/benchmarks.jar" "$TMP/benchmarks.jar"
CUR_JAR="$TMP/current.jar"; BENCH_JAR="$TMP/benchmarks.jar"; BASE_JAR=; BASE_COMMIT=
if [[ "$BASE" == 1 ]]; then
  BASE_COMMIT="$(git -C "$ROOT" rev-parse --verify "$BASELINE^{commit}")" || die "baseline $BASELINE is not a commit of this repository"
  BDIR="$HERE/target/baseline-$BASELINE"
  if [[ -f "$BDIR/.git" && "$(git -C "$BDIR" rev-parse HEAD 2>/dev/null)" == "$BASE_COMMIT" ]]; then
    say "baseline worktree $BDIR exists"
  else
    rm -rf "$BDIR"
    say "git worktree add --detach $BDIR $BASELINE"
    git -C "$ROOT" worktree add -f --detach "$BDIR" "$BASE_COMMIT" >/dev/null || die "git worktree add failed"
  fi
  if [[ -f "$BDIR/cli/target/sparse-circuits.jar" ]]; then
    say "baseline jar already built: $BDIR/cli/target/sparse-circuits.jar"
  else
    say "building the baseline's CLI jar (package, never install)"
    (cd "$BDIR" && { "${MVN[@]}" -o -pl cli -am >/dev/null 2>&1 || "${MVN[@]}" -pl cli -am; }) || die "the baseline's build failed"
  fi
  cp "$BDIR/cli/target/sparse-circuits.jar" "$TMP/baseline.jar"
  BASE_JAR="$TMP/baseline.jar"
else
  NOTES+=("--no-baseline: the baseline commit was not run")
fi

# ---------------------------------------------------------------- PyTorch
PY=/usr/bin/python3     # Debian's python: python3-torch installs there
if [[ "$TORCH" == 1 ]] && ! "$PY" -c 'import torch' 2>/dev/null; then
  SUDO=(); [[ "$(id -u)" == 0 ]] || SUDO=(sudo)
  say "installing python3-torch and libopenblas0-pthread (apt-get; waits for another install's lock)"
  { "${SUDO[@]}" apt-get update -qq -o DPkg::Lock::Timeout=900 \
    && "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=900 --no-install-recommends \
       python3-torch libopenblas0-pthread; } >"$LOGS/apt.log" 2>&1 || true
  if ! "$PY" -c 'import torch' 2>/dev/null; then
    say "WARNING: torch could not be installed (see logs/apt.log): PyTorch skipped"
    NOTES+=("PyTorch skipped: torch could not be installed"); TORCH=0
  fi
fi
[[ "$TORCH" == 1 ]] || [[ " ${NOTES[*]-} " == *"PyTorch skipped"* ]] || NOTES+=("--no-torch: PyTorch was not run")
[[ "$LONG" == 1 ]] || NOTES+=("--no-long: the whole ${LONG_STEPS}-step E = 8 runs were not run")

# ---------------------------------------------------------------- the record of this run
"$PYTHON" - "$OUT" <<PY
import json, sys
out = sys.argv[1]
json.dump({k: str(v) for k, v in dict(
    baseline="$BASELINE", widths="$WIDTHS", base_width=$BASE_WIDTH, pfrac=$PFRAC, min_per_neuron=$MIN_PER_NEURON, layers=$LAYERS,
    vocab=$VOCAB, ctx=$CTX, batch=$BATCH, d_head=$D_HEAD, steps=$STEPS, dense_steps=$DENSE_STEPS, skip_after=$SKIP_AFTER,
    skip_dense=$SKIP_DENSE, long_steps=$LONG_STEPS, long_dense_steps=$LONG_DENSE_STEPS, long_dense_warmup=$LONG_DENSE_WARMUP,
    torch_steps=$TORCH_STEPS, torch_warmup=$TORCH_WARMUP, profile_steps=$PROFILE_STEPS, profile_warmup=$PROFILE_WARMUP,
    kernels_info_seconds=$KI_SECONDS, crossover="$CROSSOVER", quick=$QUICK, torch=$TORCH, run_baseline=$BASE, long=$LONG,
    scalable=$SCALABLE, regrow_every=$REGROW_EVERY, scalable_steps=$SCALABLE_STEPS, l0b=$L0B, l0b_widths="$L0B_WIDTHS",
    l0b_base_width=$L0B_BASE, l0b_steps=$L0B_STEPS, l0b_skip_after=$L0B_SKIP_AFTER, l0b_dense_steps=$L0B_DENSE_STEPS,
    l0b_skip_dense=$L0B_SKIP_DENSE, l0b_scalable_steps=$L0B_SCALABLE_STEPS, heap=$HEAP, heap_e=$HEAP_E, heap_pfrac=$HEAP_PFRAC,
    heap_min_per_neuron=$HEAP_J, heap_steps=$HEAP_STEPS).items()},
    open(out + "/params.json", "w"), indent=1)
PY
NOTES_JOINED="$(IFS='|'; echo "${NOTES[*]-}")"
"$PYTHON" - "$OUT/machine.json" "$CPU_MODEL" "$(cpu_field 'cpu family')" "$(cpu_field model)" "$(cpu_field stepping)" "$(nproc)" "$ISA" \
  "$JAVA" "$JAVA_VERSION" "$LOAD_START" "$COMMIT" "$DIRTY" "$BASE_COMMIT" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$NOTES_JOINED" \
  "$(sha256sum "$CUR_JAR" | cut -c1-16)" "$([[ -n "$BASE_JAR" ]] && sha256sum "$BASE_JAR" | cut -c1-16)" <<'PY'
import json, sys
keys = ["cpu_model", "cpu_family", "cpu_model_id", "cpu_stepping", "cpus", "isa", "java", "java_version", "load_start", "commit",
        "dirty", "baseline_commit", "started_utc", "notes", "current_jar_sha256", "baseline_jar_sha256"]
json.dump(dict(zip(keys, sys.argv[2:])), open(sys.argv[1], "w"), indent=1)
PY

# ---------------------------------------------------------------- runs
JVM=("$JAVA" --add-modules jdk.incubator.vector -Dsparsecircuits.stderr.tty=false)
run_train() { # ID current|baseline PART E MODE STEPS [more train flags...]
  local id="$1" which="$2" part="$3" e="$4" mode="$5" steps="$6"; shift 6
  local base="${RUN_BASE:-$BASE_WIDTH}" pfrac="${RUN_PFRAC:-$PFRAC}" j="${RUN_J:-$MIN_PER_NEURON}"   # L0 B and the heap part set these
  local jar="$CUR_JAR" d=$((base * e)) dir="$TMP/$id" load rc=0 started
  [[ "$which" == current ]] || jar="$BASE_JAR"
  local flags=(--mode "$mode" --d-model "$d" --base-width "$base" --pfrac "$pfrac" --min-per-neuron "$j"
               --layers "$LAYERS" --d-head "$D_HEAD" --vocab "$VOCAB" --ctx "$CTX" --batch "$BATCH" --steps "$steps" "$@")
  load="$(cut -d' ' -f1-3 /proc/loadavg)"; started="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  say "$id: train ${flags[*]} (load $load)"
  rm -rf "$dir"
  timed "$LOGS/$id.time" "${JVM[@]}" "-Xlog:gc:file=$LOGS/$id.gc" -jar "$jar" train "${flags[@]}" --out "$dir" \
    >"$LOGS/$id.out" 2>&1 || rc=$?
  [[ -f "$dir/train-log.jsonl" ]] && cp "$dir/train-log.jsonl" "$LOGS/$id.jsonl"
  rm -rf "$dir"
  "$PYTHON" - "$LOGS/$id.meta.json" "$id" "$which" "$part" "$e" "$d" "$mode" "$steps" "$rc" "$load" "$started" "${flags[*]}" \
    "$base" "$pfrac" "$j" <<'PY'
import json, sys
a = sys.argv
json.dump(dict(id=a[2], jar=a[3], part=a[4], E=int(a[5]), d_model=int(a[6]), mode=a[7], steps=int(a[8]), exit=int(a[9]),
               load_before=a[10], started_utc=a[11], flags=a[12], base_width=int(a[13]), pfrac=float(a[14]),
               min_per_neuron=int(a[15])), open(a[1], "w"), indent=1)
PY
  say "  exit $rc; $(grep -E '^trained|rror' "$LOGS/$id.out" | tail -n 1); peak RSS KB / wall s: $(tail -n 1 "$LOGS/$id.time" 2>/dev/null)"
}
run_profile() { # NAME E MODE [-D...]: TrainStepBench's per-op profile of this shape (current tree)
  local name="$1" e="$2" mode="$3"; shift 3
  say "profile $name E=$e (TrainStepBench $mode $PROFILE_STEPS $PROFILE_WARMUP $*)"
  "$JAVA" --add-modules jdk.incubator.vector -DbaseWidth="$BASE_WIDTH" -Dpfrac="$PFRAC" -DminPerNeuron="$MIN_PER_NEURON" \
    -DdHead="$D_HEAD" -Dlayers="$LAYERS" -DdModel=$((BASE_WIDTH * e)) -Dvocab="$VOCAB" -Dctx="$CTX" -Dbatch="$BATCH" "$@" \
    -cp "$BENCH_JAR" sparsecircuits.bench.TrainStepBench "$mode" "$PROFILE_STEPS" "$PROFILE_WARMUP" \
    >"$OUT/profile-$name-E$e.txt" 2>"$LOGS/profile-$name-E$e.err" || say "  profile $name E=$e failed (see logs/profile-$name-E$e.err)"
  sed -n '1p' "$OUT/profile-$name-E$e.txt"
}
run_torch() { # E MODE THREADS
  local e="$1" mode="$2" t="$3" f="$OUT/torch/$2-E$1-t$3"
  say "PyTorch $mode E=$e, $t thread(s) (load $(cut -d' ' -f1-3 /proc/loadavg))"
  OMP_NUM_THREADS="$t" "$PY" "$HERE/torch/gpt_step.py" --mode "$mode" --threads "$t" --n-layer "$LAYERS" --d-model $((BASE_WIDTH * e)) \
    --d-head "$D_HEAD" --vocab "$VOCAB" --ctx "$CTX" --batch "$BATCH" --base-width "$BASE_WIDTH" --pfrac "$PFRAC" \
    --steps "$TORCH_STEPS" --warmup "$TORCH_WARMUP" --json "$f.json" >"$f.log" 2>&1 || say "  PyTorch $mode E=$e t=$t failed (see $f.log)"
  sed -n '2p' "$f.log"
}

say "kernels-info --json --seconds $KI_SECONDS (this tree's jar)"
"${JVM[@]}" -jar "$CUR_JAR" kernels-info --json --seconds "$KI_SECONDS" >"$OUT/kernels-info.json" 2>"$LOGS/kernels-info.err" \
  || say "kernels-info failed (see logs/kernels-info.err)"

for e in $WIDTHS; do
  run_train "sweep-current-sparse-E$e" current sweep "$e" sparse "$STEPS" --eval-every 0 --checkpoint-every 0
  [[ "$SCALABLE" == 0 ]] || run_train "sweep-current-scalable-E$e" current sweep "$e" sparse "$SCALABLE_STEPS" --recipe scalable \
    --regrow-every "$REGROW_EVERY" --eval-every 0 --checkpoint-every 0
  [[ -z "$BASE_JAR" ]] || run_train "sweep-baseline-sparse-E$e" baseline sweep "$e" sparse "$STEPS" --eval-every 0 --checkpoint-every 0
  run_train "sweep-current-dense-E$e" current sweep "$e" dense "$DENSE_STEPS" --eval-every 0 --checkpoint-every 0
  [[ -z "$BASE_JAR" ]] || run_train "sweep-baseline-dense-E$e" baseline sweep "$e" dense "$DENSE_STEPS" --eval-every 0 --checkpoint-every 0
  run_profile dense "$e" dense
  if [[ "$e" == 8 ]]; then
    run_profile sparse-anneal "$e" sparse -Dphase=anneal
    run_profile sparse-after "$e" sparse
  fi
  if [[ "$TORCH" == 1 ]]; then
    for mode in sparse dense; do
      for t in 1 2; do run_torch "$e" "$mode" "$t"; done
    done
  fi
done

if [[ "$LONG" == 1 ]]; then
  LONG_FLAGS=(--eval-every 50 --eval-batches 8 --checkpoint-every 100)
  run_train long-current-dense-E8 current long 8 dense $((LONG_DENSE_STEPS + LONG_DENSE_WARMUP)) --eval-every 0 --checkpoint-every 0
  run_train long-current-sparse-E8 current long 8 sparse "$LONG_STEPS" "${LONG_FLAGS[@]}"
  [[ "$SCALABLE" == 0 ]] || run_train long-current-scalable-E8 current long 8 sparse "$LONG_STEPS" --recipe scalable \
    --regrow-every "$REGROW_EVERY" "${LONG_FLAGS[@]}"
  [[ -z "$BASE_JAR" ]] || run_train long-baseline-sparse-E8 baseline long 8 sparse "$LONG_STEPS" "${LONG_FLAGS[@]}"
fi

# ---------------------------------------------------------------- L0 B (issue 18): 4x the nonzeros, d_model 128..2048
min_per_neuron_for() { # BASE PFRAC E: 2 when every matrix's budget holds 2 per neuron at the target L0, else 1
  "$PYTHON" - "$1" "$2" "$3" <<'PY'
import math, sys
base, pfrac, e = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
d = base * e
ok = True
for out_f, in_f, neurons in ((3 * d, d, 3 * d), (d, d, d), (4 * d, d, 4 * d), (d, 4 * d, d)):
    numel = out_f * in_f
    kept = max(1, min(numel, math.floor(pfrac / (e * e) * numel * (1 + 2 ** -40))))
    ok = ok and (kept >= numel or 2 * neurons <= kept)
print(2 if ok else 1)
PY
}
if [[ "$L0B" == 1 ]]; then
  for e in $L0B_WIDTHS; do
    jb="$(min_per_neuron_for "$L0B_BASE" "$PFRAC" "$e")"
    export RUN_BASE="$L0B_BASE" RUN_J="$jb"
    run_train "l0b-current-sparse-E$e" current l0b "$e" sparse "$L0B_STEPS" --eval-every 0 --checkpoint-every 0
    [[ "$SCALABLE" == 0 ]] || run_train "l0b-current-scalable-E$e" current l0b "$e" sparse "$L0B_SCALABLE_STEPS" --recipe scalable \
      --regrow-every "$REGROW_EVERY" --eval-every 0 --checkpoint-every 0
    run_train "l0b-current-dense-E$e" current l0b "$e" dense "$L0B_DENSE_STEPS" --eval-every 0 --checkpoint-every 0
    unset RUN_BASE RUN_J
  done
fi

# ---------------------------------------------------------------- the heap part (issue 18): E = 32, smallest -Xmx per recipe
heap_try() { # RECIPE MB: 0 when `train` finishes HEAP_STEPS steps (a regrowth, the final eval and save included) in -Xmx MB
  local recipe="$1" mb="$2" dir="$TMP/heap-$1-$2" rc=0 limit
  limit=$(( ${HEAP_TIMEOUT:-0} > 0 ? HEAP_TIMEOUT : 900 ))
  timeout "$limit" "$JAVA" --add-modules jdk.incubator.vector -Dsparsecircuits.stderr.tty=false "-Xmx${mb}m" \
    "-Xlog:gc:file=$LOGS/heap-$recipe-$mb.gc" -jar "$CUR_JAR" train --mode sparse --recipe "$recipe" \
    --d-model $((BASE_WIDTH * HEAP_E)) --base-width "$BASE_WIDTH" --pfrac "$HEAP_PFRAC" --min-per-neuron "$HEAP_J" \
    --layers "$LAYERS" --d-head "$D_HEAD" --vocab "$VOCAB" --ctx "$CTX" --batch "$BATCH" --steps "$HEAP_STEPS" \
    --eval-every 0 --checkpoint-every 0 --out "$dir" >"$LOGS/heap-$recipe-$mb.out" 2>&1 || rc=$?
  rm -rf "$dir"
  echo "$recipe $mb $rc" >>"$OUT/heap-attempts.txt"
  say "  heap $recipe -Xmx${mb}m: exit $rc"
  return "$rc"
}
if [[ "$HEAP" == 1 ]]; then
  : >"$OUT/heap-attempts.txt"
  for recipe in paper scalable; do
    [[ "$recipe" == paper || "$SCALABLE" == 1 ]] || continue
    # the time of an unconstrained attempt (-Xmx 8 GB) bounds the others: a heap so tight that GC thrashes counts as too small
    t0=$(date +%s); HEAP_TIMEOUT=0
    heap_try "$recipe" 8192 || { say "WARNING: $recipe at E = $HEAP_E fails even in 8 GB (see logs/heap-$recipe-8192.out)"; continue; }
    HEAP_TIMEOUT=$(( 4 * ($(date +%s) - t0) + 30 ))
    lo=32; hi=8192     # lo fails (assumed), hi passes; bisect geometrically in MB until hi/lo <= 1.08 (7 attempts)
    while (( hi * 100 > lo * HEAP_RESOLUTION )); do
      mid=$(awk -v a="$lo" -v b="$hi" 'BEGIN { printf "%d", sqrt(a * b) }')
      if heap_try "$recipe" "$mid"; then hi=$mid; else lo=$mid; fi
    done
    echo "$recipe smallest $hi largest_failing $lo" >>"$OUT/heap-attempts.txt"
    say "heap: the $recipe recipe at E = $HEAP_E trains in -Xmx${hi}m (fails in ${lo}m)"
    unset HEAP_TIMEOUT
  done
fi

# ---------------------------------------------------------------- report
T_END=$(date +%s)
"$PYTHON" - "$OUT/end.json" "$((T_END - T_START))" "$(cut -d' ' -f1-3 /proc/loadavg)" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" <<'PY'
import json, sys
json.dump(dict(wall_s=int(sys.argv[2]), load_end=sys.argv[3], ended_utc=sys.argv[4]), open(sys.argv[1], "w"), indent=1)
PY
"$PYTHON" "$REPORT" "$OUT"
say "done in $((T_END - T_START)) s: $OUT/summary.md, results.json, width.svg"
