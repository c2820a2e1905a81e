#!/usr/bin/env bash
# The two training recipes' quality (issue 18): at L0 A of the width benchmark (base width 64, pfrac 1/4,
# min-per-neuron 2; 2 layers, vocab 512, ctx 64, batch 16, 3,500 steps, the width benchmark's long-run flags
# --eval-every 50 --eval-batches 8 --checkpoint-every 100), `train --recipe paper` and `--recipe scalable` at
# E = 2, 4, 8 and seeds 0, 1, 2: final validation loss, mean and spread per recipe. Then the circuits of the width
# probe's four tasks (lambda_func, while_return_true, if_equals, var_if; `prune` defaults, target 0.15) in the
# E = 8 seed-0 model of each recipe and in dense d48 and d64 trained the same way, and the edge ratio dense/sparse.
#
# Resumable: each finished training or pruning writes its record under OUT/ and is skipped when the script runs
# again with the same --out; a training stopped midway continues with `resume` from its run directory. Run
# directories (models, not committed) go under --runs. The summary (summary.md, results.json) is written from
# OUT's records alone; --summarize rewrites it.
# Full run ~2.5 h on 2 cores (the E = 8 trainings take ~14 min with the paper recipe); --quick ~5 min (a pipeline
# check: 120 steps, E = 2, seeds 0 and 1, one task).
#
# Usage: bench/run-recipe-quality.sh [--out DIR] [--runs DIR] [--widths "2 4 8"] [--seeds "0 1 2"] [--steps N]
#                                    [--regrow-every N] [--jobs N] [--no-circuits] [--quick] [--summarize DIR]
#   --out DIR        where the records go (default bench/results/<UTC>-recipe-quality; an existing one is resumed)
#   --runs DIR       run directories (default runs/recipe-quality)
#   --jobs N         trainings and prunings at once, each on nproc/N kernel threads (default 1; results are
#                    bit-identical for any thread count, so only the time changes: on 2 cores, 2 jobs of 1
#                    thread finish the small models sooner than one job of 2)
#   --no-circuits    train only
# Environment: JAVA_HOME (default the newest JDK under /usr/lib/jvm).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$HERE")"

JOBS=1; WIDTHS="2 4 8"; SEEDS="0 1 2"; STEPS=3500; REGROW_EVERY=100; CIRCUITS=1; QUICK=0; OUT=; RUNS="$ROOT/runs/recipe-quality"
BASE_WIDTH=64; PFRAC=0.25; MIN_PER_NEURON=2; LAYERS=2; VOCAB=512; CTX=64; BATCH=16; D_HEAD=16
DENSE_WIDTHS="48 64"; TASKS="lambda_func while_return_true if_equals var_if"; TARGET=0.15
while [[ $# -gt 0 ]]; do
  case "$1" in
    --out) OUT="$2"; shift 2 ;;
    --runs) RUNS="$2"; shift 2 ;;
    --widths) WIDTHS="$2"; shift 2 ;;
    --seeds) SEEDS="$2"; shift 2 ;;
    --steps) STEPS="$2"; shift 2 ;;
    --regrow-every) REGROW_EVERY="$2"; shift 2 ;;
    --jobs) JOBS="$2"; shift 2 ;;
    --no-circuits) CIRCUITS=0; shift ;;
    --quick) QUICK=1; shift ;;
    --summarize) python3 "$HERE/recipe_quality_report.py" "$2"; exit 0 ;;
    -h|--help) sed -n '2,22p' "$0"; exit 0 ;;
    *) echo "run-recipe-quality.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
  esac
done
for v in "$STEPS" "$REGROW_EVERY" "$JOBS"; do
  [[ "$v" =~ ^[1-9][0-9]*$ ]] || { echo "run-recipe-quality.sh: --steps, --regrow-every and --jobs want whole numbers >= 1" >&2; exit 2; }
done
if [[ "$QUICK" == 1 ]]; then
  WIDTHS="2"; SEEDS="0 1"; STEPS=120; TASKS="lambda_func"; DENSE_WIDTHS="48"
fi
CIRCUIT_E="$(echo "$WIDTHS" | tr ' ' '\n' | sort -n | tail -n 1)"   # circuits at the widest E (8 in the full run)
CIRCUIT_SEED="$(echo "$SEEDS" | awk '{print $1}')"

say() { echo "[recipe-quality $(date -u +%H:%M:%S)] $*"; }
die() { echo "[recipe-quality] ERROR: $*" >&2; exit 1; }

# shellcheck source=java-env.sh
. "$HERE/java-env.sh"
JAVA="$(bench_pick_java)"
export JAVA_HOME="${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$JAVA")")")}"
OUT="${OUT:-$HERE/results/$(date -u +%Y%m%dT%H%M%SZ)-recipe-quality}"
mkdir -p "$OUT/train" "$OUT/circuits" "$OUT/logs" "$RUNS"
say "records -> $OUT; run directories -> $RUNS"

say "building the CLI jar"
(cd "$ROOT" && { ./mvnw -B -ntp -q -o -DskipTests package -pl cli -am >/dev/null 2>&1 || ./mvnw -B -ntp -q -DskipTests package -pl cli -am; }) \
  || die "the build failed"
JAR="$(mktemp "${TMPDIR:-/tmp}/recipe-quality.XXXXXX")"; trap 'rm -f "$JAR"' EXIT
cp "$ROOT/cli/target/sparse-circuits.jar" "$JAR"      # one jar for the whole sitting, whatever is rebuilt meanwhile
sha="$(sha256sum "$JAR" | cut -c1-16)"
[[ -f "$OUT/jar-sha256" ]] || echo "$sha" >"$OUT/jar-sha256"
[[ "$(cat "$OUT/jar-sha256")" == "$sha" ]] || say "WARNING: this jar ($sha) differs from the one that began $OUT ($(cat "$OUT/jar-sha256")): a resumed training is bit-exact across builds only while the kernels are unchanged"

cpu_field() { grep -m1 "^$1[[:space:]]*:" /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'; }
[[ -f "$OUT/params.json" ]] || python3 - "$OUT/params.json" <<PY
import json, sys
json.dump(dict(widths="$WIDTHS", seeds="$SEEDS", steps=$STEPS, regrow_every=$REGROW_EVERY, base_width=$BASE_WIDTH, pfrac=$PFRAC,
               min_per_neuron=$MIN_PER_NEURON, layers=$LAYERS, vocab=$VOCAB, ctx=$CTX, batch=$BATCH, d_head=$D_HEAD,
               dense_widths="$DENSE_WIDTHS", tasks="$TASKS", target=$TARGET, circuit_e=$CIRCUIT_E, circuit_seed=$CIRCUIT_SEED,
               quick=$QUICK, cpu_model="$(cpu_field 'model name')", cpus=$(nproc), commit="$(git -C "$ROOT" rev-parse HEAD)",
               started_utc="$(date -u +%Y-%m-%dT%H:%M:%SZ)"), open(sys.argv[1], "w"), indent=1)
PY

THREADS=$(( $(nproc) / JOBS )); (( THREADS >= 1 )) || THREADS=1
JVM=("$JAVA" --add-modules jdk.incubator.vector -Dsparsecircuits.stderr.tty=false "-Dsparsecircuits.threads=$THREADS" -jar "$JAR")
spawn() { # run a command in the background, at most JOBS at once; `wait_all` collects them and fails if any failed
  while (( $(jobs -rp | wc -l) >= JOBS )); do wait -n || FAILED=1; done
  "$@" &
}
FAILED=0
wait_all() { while (( $(jobs -rp | wc -l) > 0 )); do wait -n || FAILED=1; done; wait || FAILED=1; [[ "$FAILED" == 0 ]] || die "a job failed (see $OUT/logs/)"; }
last_step() { tail -n 1 "$1/train-log.jsonl" 2>/dev/null | sed -n 's/^{"step":\([0-9]*\).*/\1/p'; }

train_one() { # ID MODE D_MODEL SEED [RECIPE]
  local id="$1" mode="$2" d="$3" seed="$4" recipe="${5:-}" dir="$RUNS/$1" rec="$OUT/train/$1.json" t0 rc=0 how
  [[ -f "$rec" ]] && { say "$id: done before"; return 0; }
  local flags=(--mode "$mode" --d-model "$d" --base-width "$BASE_WIDTH" --pfrac "$PFRAC" --min-per-neuron "$MIN_PER_NEURON"
               --layers "$LAYERS" --d-head "$D_HEAD" --vocab "$VOCAB" --ctx "$CTX" --batch "$BATCH" --steps "$STEPS" --seed "$seed"
               --eval-every 50 --eval-batches 8 --checkpoint-every 100)
  [[ -z "$recipe" ]] || flags+=(--recipe "$recipe")
  [[ "$recipe" != scalable ]] || flags+=(--regrow-every "$REGROW_EVERY")
  t0=$(date +%s.%N)
  if [[ "$(last_step "$dir")" == "$STEPS" && -f "$dir/config.json" ]]; then
    how="finished earlier"
  elif [[ -f "$dir/train-state.bin" ]]; then
    how="resumed from step $(last_step "$dir")"; say "$id: resume --run $dir"
    "${JVM[@]}" resume --run "$dir" >>"$OUT/logs/$id.out" 2>&1 || rc=$?
  else
    how="trained"; say "$id: train ${flags[*]}"
    rm -rf "$dir"
    "${JVM[@]}" train "${flags[@]}" --out "$dir" >"$OUT/logs/$id.out" 2>&1 || rc=$?
  fi
  [[ "$rc" == 0 ]] || die "$id: exit $rc (see $OUT/logs/$id.out)"
  cp "$dir/train-log.jsonl" "$OUT/logs/$id.jsonl"
  python3 - "$rec" "$id" "$mode" "$d" "$seed" "${recipe:-}" "$how" "$t0" "$(date +%s.%N)" "$dir/train-log.jsonl" "${flags[*]}" <<'PY'
import json, os, sys
rec, rid, mode, d, seed, recipe, how, t0, t1, log, flags = sys.argv[1:]
val = [json.loads(l) for l in open(log) if '"val_loss"' in l]
steps = [json.loads(l) for l in open(log) if '"ms"' in l]
r = dict(id=rid, mode=mode, d_model=int(d), seed=int(seed), recipe=recipe or None, how=how, flags=flags,
         final_val_loss=val[-1]["val_loss"] if val else None, final_step=val[-1]["step"] if val else None,
         val_curve=[[v["step"], v["val_loss"]] for v in val], sum_step_s=sum(s["ms"] for s in steps) / 1000,
         wall_s_this_sitting=float(t1) - float(t0))
tmp = rec + ".tmp"
json.dump(r, open(tmp, "w"), indent=1)
os.replace(tmp, rec)
PY
  say "$id: $how; final validation loss $(python3 -c "import json;print(json.load(open('$rec'))['final_val_loss'])")"
}

prune_one() { # MODEL_ID TASK
  local id="$1" task="$2" rec="$OUT/circuits/$1--$2.json" dir="$RUNS/$1/circuits/$2" rc=0 t0
  [[ -f "$rec" ]] && { say "prune $id $task: done before"; return 0; }
  say "prune $id $task (target $TARGET)"
  t0=$(date +%s.%N)
  "${JVM[@]}" prune --model "$RUNS/$id" --task "$task" --target "$TARGET" --out "$dir" >"$OUT/logs/prune-$id-$task.out" 2>&1 || rc=$?
  python3 - "$rec" "$id" "$task" "$rc" "$dir/circuit.json" "$t0" "$(date +%s.%N)" "$OUT/logs/prune-$id-$task.out" <<'PY'
import json, os, sys
rec, mid, task, rc, cj, t0, t1, log = sys.argv[1:]
r = dict(model=mid, task=task, exit=int(rc), wall_s=float(t1) - float(t0))
if int(rc) == 0:
    c = json.load(open(cj))
    run = c["run"]
    r.update(solved=True, nodes=c["nodes"], edges=c["edges"], nodes_total=run.get("nodes_total"),
             task_loss_full=run.get("task_loss_full"), task_loss_circuit=run.get("task_loss_circuit"))
else:
    lines = [l.strip() for l in open(log) if l.strip()]
    r.update(solved=False, reason=lines[-1] if lines else "exit " + rc)
tmp = rec + ".tmp"
json.dump(r, open(tmp, "w"), indent=1)
os.replace(tmp, rec)
PY
  say "  exit $rc; $(tail -n 1 "$OUT/logs/prune-$id-$task.out")"
}

# the circuits' models first (E = 8 seed 0 of each recipe and the dense partners), each trained and then pruned in
# one job, so that a short sitting already answers the circuit question; then the other seeds and widths
train_then_prune() { # ID MODE D_MODEL SEED [RECIPE]
  train_one "$@" || return 1
  [[ "$CIRCUITS" == 1 ]] || return 0
  local task
  for task in $TASKS; do prune_one "$1" "$task"; done
}
for recipe in paper scalable; do
  spawn train_then_prune "$recipe-E$CIRCUIT_E-s$CIRCUIT_SEED" sparse $((BASE_WIDTH * CIRCUIT_E)) "$CIRCUIT_SEED" "$recipe"
done
if [[ "$CIRCUITS" == 1 ]]; then
  for dw in $DENSE_WIDTHS; do spawn train_then_prune "dense-d$dw-s$CIRCUIT_SEED" dense "$dw" "$CIRCUIT_SEED"; done
fi
for seed in $SEEDS; do
  for e in $WIDTHS; do
    [[ "$seed" != "$CIRCUIT_SEED" || "$e" != "$CIRCUIT_E" ]] || continue   # trained above, in their own jobs
    for recipe in paper scalable; do spawn train_one "$recipe-E$e-s$seed" sparse $((BASE_WIDTH * e)) "$seed" "$recipe"; done
  done
done
wait_all
python3 "$HERE/recipe_quality_report.py" "$OUT"
say "done: $OUT/summary.md"
