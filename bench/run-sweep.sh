#!/usr/bin/env bash
# The Spark runner against the in-process runner (issue 20), on the same cores, in one run:
#   a plan of 16 prunings at the demo's pruning size (the demo's wide sparse model d256 and dense d64, 8 tasks each,
#   150 mask steps, 128 pairs; with them 16 evaluations, 2 node means, 16 viewer pages and the report), its models
#   trained beforehand and copied into every variant's fresh run directory, so only the prunings' plan is timed:
#     inproc-2x1  experiment --jobs 2 --job-threads 1            (the in-process runner, 2 jobs of 1 thread)
#     spark-2x1   experiment --master local[2] --job-threads 1   (embedded Spark, 2 tasks of 1 core)
#     inproc-1x2  experiment --jobs 1 --job-threads 2            (1 job of 2 threads, for reference)
#   each --repeats times (default 2), the order alternating. Per variant: the whole command's wall time (JVM start
#   and, for Spark, its start-up included), the plan's own job time; for Spark the start-up ("connected in") and the
#   per-job overhead the runner measures (how long a job's task held its core beyond the job's own time).
# Targets: Spark's per-job overhead ≤ 5% of a pruning job; spark-2x1 ≥ 0.95× inproc-2x1 (in-process time / Spark time).
# Writes OUT/results.json and OUT/summary.md (OUT default bench/results/<UTC>-sweep); the run directories go under
# --runs (default runs/bench-sweep). About 25 min on 2 cores; --quick (40 training steps, 10 mask steps) ~5 min.
#
# Usage: bench/run-sweep.sh [--out DIR] [--runs DIR] [--repeats N] [--quick]
# Environment: JAVA_HOME (default the newest JDK under /usr/lib/jvm).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$HERE")"
OUT=; RUNS="$ROOT/runs/bench-sweep"; REPEATS=2; QUICK=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --out) OUT="$2"; shift 2 ;;
    --runs) RUNS="$2"; shift 2 ;;
    --repeats) REPEATS="$2"; shift 2 ;;
    --quick) QUICK=1; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run-sweep.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
[[ "$REPEATS" =~ ^[1-9][0-9]*$ ]] || { echo "run-sweep.sh: --repeats must be a whole number ≥ 1" >&2; exit 2; }
say() { echo "[sweep-bench $(date -u +%H:%M:%S)] $*" >&2; }
source "$HERE/java-env.sh"
JAVA="$(bench_pick_java)"; export JAVA_HOME="$(dirname "$(dirname "$(readlink -f "$JAVA")")")"
OUT="${OUT:-$HERE/results/$(date -u +%Y%m%dT%H%M%SZ)-sweep}"
mkdir -p "$OUT" "$RUNS"

STEPS=300; PRUNE_STEPS=150
[[ "$QUICK" == 1 ]] && { STEPS=40; PRUNE_STEPS=10; }
TASKS=single_double_quote,while_return_true,lambda_func,else_elif,fstring_brace,if_equals,var_if,var_swap
FLAGS=(--preset demo --steps "$STEPS" --sparse-widths 256 --dense-widths 64 --tasks "$TASKS" --controls none
       --solved-below 10 --prune-steps "$PRUNE_STEPS")

say "building the jars (./mvnw package -pl cli,cluster -am)"
(cd "$ROOT" && ./mvnw -B -ntp -q -DskipTests package -pl cli,cluster -am >&2)
touch "$ROOT/cli/target/sparse-circuits.jar" "$ROOT/cluster/target/sparse-circuits-spark.jar" # built from these sources: no rebuild in a timed run
CPU="$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
say "CPU: $CPU; $(nproc) cores; $("$JAVA" -version 2>&1 | head -n 1)"

# the models, once: the same flags with one task train the same models (a training job's id does not depend on tasks)
BASE="$RUNS/models"
if [[ "$(ls "$BASE"/jobs/train-*.json 2>/dev/null | wc -l)" != 2 ]]; then
  say "training the two models ($STEPS steps)"
  "$ROOT/sparse-circuits" experiment --out "$BASE" "${FLAGS[@]/$TASKS/if_equals}" --jobs 2 --job-threads 1 > "$OUT/train.log" 2>&1
fi

run_variant() { # NAME REPEAT FLAGS...
  local name=$1 rep=$2; shift 2
  local dir="$RUNS/$name-$rep" log="$OUT/$name-$rep.err"
  rm -rf "$dir"; mkdir -p "$dir/jobs"
  cp -r "$BASE/models" "$dir/models"; cp "$BASE"/jobs/train-*.json "$dir/jobs/"
  say "$name (repeat $rep)"
  local t0 t1
  t0=$(date +%s.%N)
  "$ROOT/sparse-circuits" experiment --out "$dir" "${FLAGS[@]}" "$@" > "$OUT/$name-$rep.out" 2> "$log"
  t1=$(date +%s.%N)
  python3 - "$OUT/runs.jsonl" "$name" "$rep" "$t0" "$t1" "$dir" "$log" <<'PY'
import json, re, sys, glob
out, name, rep, t0, t1, d, log = sys.argv[1:]
jobs = [json.load(open(f)) for f in glob.glob(d + "/jobs/*.json")]
ran = [j for j in jobs if j["kind"] != "train"]
prunes = sorted(j["seconds"] for j in ran if j["kind"] == "prune")
text = open(log).read()
start = re.search(r"connected in ([0-9.]+) s", text)
over = re.search(r"median ([0-9.]+) s, mean ([0-9.]+) s, max ([0-9.]+) s over (\d+) jobs", text)
rec = dict(variant=name, repeat=int(rep), wall_s=float(t1) - float(t0), jobs=len(ran), prunes=len(prunes),
           job_seconds=sum(j["seconds"] for j in ran), prune_median_s=prunes[len(prunes) // 2] if prunes else None,
           spark_start_s=float(start.group(1)) if start else None,
           overhead_median_s=float(over.group(1)) if over else None, overhead_mean_s=float(over.group(2)) if over else None,
           overhead_max_s=float(over.group(3)) if over else None, workers=sorted({j["worker"]["runner"] for j in ran}))
open(out, "a").write(json.dumps(rec) + "\n")
print(json.dumps(rec))
PY
}

rm -f "$OUT/runs.jsonl"
for rep in $(seq 1 "$REPEATS"); do
  if (( rep % 2 == 1 )); then
    run_variant inproc-2x1 "$rep" --jobs 2 --job-threads 1 >&2
    run_variant spark-2x1 "$rep" --master 'local[2]' --job-threads 1 >&2
  else
    run_variant spark-2x1 "$rep" --master 'local[2]' --job-threads 1 >&2
    run_variant inproc-2x1 "$rep" --jobs 2 --job-threads 1 >&2
  fi
  run_variant inproc-1x2 "$rep" --jobs 1 --job-threads 2 >&2
done

python3 - "$OUT" "$CPU" "$STEPS" "$PRUNE_STEPS" "$REPEATS" "$(git -C "$ROOT" rev-parse --short HEAD)" <<'PY'
import json, statistics, sys
out, cpu, steps, prune_steps, repeats, commit = sys.argv[1:]
runs = [json.loads(l) for l in open(out + "/runs.jsonl")]
by = {}
for r in runs: by.setdefault(r["variant"], []).append(r)
med = lambda v, k: statistics.median([r[k] for r in by[v] if r[k] is not None]) if any(r[k] is not None for r in by[v]) else None
summary = {v: {k: med(v, k) for k in ("wall_s", "job_seconds", "prune_median_s", "spark_start_s", "overhead_median_s", "overhead_mean_s", "overhead_max_s")}
           for v in by}
ratio = summary["inproc-2x1"]["wall_s"] / summary["spark-2x1"]["wall_s"]
share = summary["spark-2x1"]["overhead_mean_s"] / summary["spark-2x1"]["prune_median_s"]
res = dict(schema="sparse-circuits/sweep-bench/1", cpu=cpu, commit=commit, steps=int(steps), prune_steps=int(prune_steps),
           repeats=int(repeats), runs=runs, median=summary, spark_vs_inprocess=ratio, overhead_share_of_prune=share)
json.dump(res, open(out + "/results.json", "w"), indent=2)
L = [f"# Spark runner vs in-process runner (bench/run-sweep.sh, commit {commit})", "",
     f"CPU: {cpu}. Plan: 16 prunings at the demo's size ({prune_steps} mask steps; sparse d256 and dense d64 × 8 tasks) "
     f"with their evaluations, node means, pages and report; models trained beforehand ({steps} steps). Medians of {repeats} repeats.", "",
     "| variant | wall time of the command (s) | job time (s) | median pruning (s) | Spark start-up (s) | overhead per job, mean / median / max (s) |",
     "|---|---|---|---|---|---|"]
for v in ("inproc-2x1", "spark-2x1", "inproc-1x2"):
    s = summary[v]
    f = lambda x, p=1: "—" if x is None else f"{x:.{p}f}"
    L.append(f"| {v} | {f(s['wall_s'])} | {f(s['job_seconds'])} | {f(s['prune_median_s'], 2)} | {f(s['spark_start_s'], 2)} | "
             f"{f(s['overhead_mean_s'], 3)} / {f(s['overhead_median_s'], 3)} / {f(s['overhead_max_s'], 3)} |")
L += ["", f"- Spark local[2] against in-process 2 × 1 (in-process time ÷ Spark time): **{ratio:.3f}×** (target ≥ 0.95×)",
      f"- Spark's mean overhead per job as a share of the median pruning: **{100 * share:.1f}%** (target ≤ 5%)"]
open(out + "/summary.md", "w").write("\n".join(L) + "\n")
print("\n".join(L))
PY
