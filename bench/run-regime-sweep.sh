#!/usr/bin/env bash
# Where the effect appears (issue 19): the frontier experiment over width, nonzeros, tokens and corpus. Each point
# is one `experiment` of one sparse model (E × base width, pfrac 1/4, min-per-neuron 2 where its budget holds, else
# 1) against the dense widths that bracket its loss, all 20 tasks, 600 mask steps at one k_coef (1e-3; targets
# 0.3 / 0.15 / 0.08; the hour preset's 150 steps left two of the E 4 model's prunings at 4,747 and 7,921 edges where
# 600 steps give 50 and 52: see the note in bench/results/20261208T005048Z-regime/NOTES.md), the controls on the width probe's four tasks (lambda_func, while_return_true,
# if_equals, var_if: each costs 4 more prunings per model), the scalable recipe (at E ≤ 4 it is the paper
# recipe; BENCHMARKS.md "The scalable recipe").
#
# Points, in the order they run (a short sitting answers the first questions first):
#   1. synthetic, token budget 1× (the hour preset's 6.1M tokens): L0 A (base 64) E 1, 2, 4, 8; L0 B (base 128)
#      E 2, 4, 8, 16
#   2. budget 3×: L0 A E 1, 2, 4, 8; real code (CPython's standard library, /usr/lib/python3.11) and the mix
#      (half of the characters from it) at L0 A, E 2 and 8
#   3. budget 3×, L0 B E 2, 4, 8, 16
#   4. a second seed at the best finished point of each corpus (largest edge ratio at 0.15; a tie: the wider)
# All points share one run directory (--runs; `experiment --shared-out`), so a dense model several points use trains
# once. Each finished point's experiment.json is kept as OUT/points/NAME.json (with the point's settings, its wall
# time and job time) as soon as it is done, and committed with --commit; a point whose file matches its settings is
# skipped, so the sweep continues across sittings even when the run directory is lost. A point that fails (out of
# memory, a refused budget) is recorded with its reason and not retried (--retry-failed retries it). Ctrl-C or a
# kill stops at a checkpoint: run the same command again. The summary (summary.md, results.json, the plots) is
# written from OUT/points alone: `--summarize OUT` writes it again.
#
# Usage: bench/run-regime-sweep.sh [--out DIR] [--runs DIR] [--only "NAME ..."] [--phases "1 2 3 4"] [--jobs N]
#                                  [--commit] [--retry-failed] [--estimate] [--quick] [--summarize DIR]
#   --out DIR        results (default: the newest bench/results/*-regime, else a new <UTC>-regime)
#   --runs DIR       the shared run directory (default runs/regime; --quick: runs/regime-quick)
#   --only LIST      run these points only (names as listed by --estimate)
#   --phases LIST    run these phases only (default "1 2 3 4")
#   --jobs N         jobs of each experiment at once (default 2: two jobs of one kernel thread on 2 cores)
#   --commit         git-commit each point's file as soon as it is written
#   --estimate       list every point with its estimated time and exit
#   --quick          a pipeline check in minutes: tiny widths and steps, 2 tasks (not a measurement)
# Environment: JAVA_HOME (default the newest JDK under /usr/lib/jvm).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$HERE")"

OUT=; RUNS=; ONLY=; PHASES="1 2 3 4"; JOBS=2; COMMIT=0; RETRY=0; ESTIMATE=0; QUICK=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --out) OUT="$2"; shift 2 ;;
    --runs) RUNS="$2"; shift 2 ;;
    --only) ONLY="$2"; shift 2 ;;
    --phases) PHASES="$2"; shift 2 ;;
    --jobs) JOBS="$2"; shift 2 ;;
    --commit) COMMIT=1; shift ;;
    --retry-failed) RETRY=1; shift ;;
    --estimate) ESTIMATE=1; shift ;;
    --quick) QUICK=1; shift ;;
    --summarize) python3 "$HERE/regime_report.py" "$2"; exit 0 ;;
    -h|--help) sed -n '2,34p' "$0"; exit 0 ;;
    *) echo "run-regime-sweep.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
  esac
done
[[ "$JOBS" =~ ^[1-9][0-9]*$ ]] || { echo "run-regime-sweep.sh: --jobs wants a whole number >= 1, got '$JOBS'" >&2; exit 2; }
for p in $PHASES; do [[ "$p" =~ ^[1-4]$ ]] || { echo "run-regime-sweep.sh: --phases takes 1 to 4, got '$p'" >&2; exit 2; }; done

say() { echo "[regime $(date -u +%H:%M:%S)] $*"; }
die() { echo "[regime] ERROR: $*" >&2; exit 1; }

# ---- the grid
PY_DIR=/usr/lib/python3.11; MIX_SHARE=0.5
STEPS_1X=6000; DENSE_SYN="32 48 64 96 128"; DENSE_CODE="48 64 96 128"
BASE_A=64; BASE_B=128; PFRAC=0.25; TASKS=all; PRUNE=(--prune-steps 600 --k-coefs 1e-3 --targets 0.3,0.15,0.08 --target 0.15 --controls lambda_func,while_return_true,if_equals,var_if)
if [[ "$QUICK" == 1 ]]; then
  STEPS_1X=40; DENSE_SYN="16 32"; DENSE_CODE="16 32"; BASE_A=16; BASE_B=32; TASKS=if_equals,lambda_func
  PRUNE=(--prune-steps 3 --k-coefs 1e-3 --targets 10,9 --target 9 --solved-below 9 --pairs 8)
fi
SUFFIX=; [[ "$QUICK" == 0 ]] || SUFFIX=-quick
RUNS="${RUNS:-$ROOT/runs/regime$SUFFIX}"

# NAME PHASE CORPUS L0 E BUDGET SEED
POINTS=()
for e in 1 2 4 8; do POINTS+=("syn-A-E$e-1x 1 synthetic A $e 1 0"); done
for e in 2 4 8 16; do POINTS+=("syn-B-E$e-1x 1 synthetic B $e 1 0"); done
for e in 1 2 4 8; do POINTS+=("syn-A-E$e-3x 2 synthetic A $e 3 0"); done
for c in py mix; do for e in 2 8; do POINTS+=("$c-A-E$e-3x 2 $c A $e 3 0"); done; done
for e in 2 4 8 16; do POINTS+=("syn-B-E$e-3x 3 synthetic B $e 3 0"); done
if [[ "$QUICK" == 1 ]]; then # E 1 and 2 of each line, budgets 1× and 3× of 40 steps
  POINTS=("syn-A-E1-1x 1 synthetic A 1 1 0" "syn-A-E2-1x 1 synthetic A 2 1 0" "syn-B-E2-1x 1 synthetic B 2 1 0"
          "syn-A-E2-3x 2 synthetic A 2 3 0" "py-A-E2-3x 2 py A 2 3 0" "mix-A-E2-3x 2 mix A 2 3 0")
fi

corpus_arg() { case "$1" in synthetic) echo synthetic ;; py) echo "$PY_DIR" ;; mix) echo "mix:$PY_DIR:$MIX_SHARE" ;; esac; }

# the experiment flags of a point: NAME PHASE CORPUS L0 E BUDGET SEED. j = 2 wherever every matrix's budget holds
# it (the engine refuses one that cannot, before anything runs), else 1.
point_flags() {
  local corpus="$3" l0="$4" e="$5" budget="$6" seed="$7" base dense j
  base=$([[ "$l0" == A ]] && echo "$BASE_A" || echo "$BASE_B")
  dense=$([[ "$corpus" == synthetic ]] && echo "$DENSE_SYN" || echo "$DENSE_CODE")
  flags_with() {
    echo "--sparse-widths $((base * e)) --base-width $base --pfrac $PFRAC --min-per-neuron $1 --layers 2 --vocab 512 --ctx 64" \
         "--batch 16 --steps $((STEPS_1X * budget)) --seeds $seed --corpus $(corpus_arg "$corpus") --recipe scalable" \
         "--dense-widths $(echo "$dense" | tr ' ' ',') --tasks $TASKS ${PRUNE[*]}"
  }
  # shellcheck disable=SC2046
  if "${JVM[@]}" experiment $(flags_with 2) --estimate >/dev/null 2>&1; then j=2; else j=1; fi
  flags_with "$j"
}

# shellcheck source=java-env.sh
. "$HERE/java-env.sh"
JAVA="$(bench_pick_java)"
export JAVA_HOME="${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$JAVA")")")}"

# ---- the real-code corpus: Debian's CPython 3.11 standard library
if [[ ! -f "$PY_DIR/json/__init__.py" ]]; then
  say "installing Debian's CPython 3.11 standard library (libpython3.11-stdlib) for the real-code corpus"
  SUDO=(); [[ "$(id -u)" == 0 ]] || SUDO=(sudo)
  "${SUDO[@]}" apt-get update -qq && "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
    -o DPkg::Lock::Timeout=900 --no-install-recommends libpython3.11-stdlib >/dev/null \
    || die "could not install libpython3.11-stdlib: install it (apt-get install libpython3.11-stdlib) or run --phases 1"
fi

say "building the CLI jar"
(cd "$ROOT" && { ./mvnw -B -ntp -q -o -DskipTests package -pl cli -am >/dev/null 2>&1 || ./mvnw -B -ntp -q -DskipTests package -pl cli -am; }) \
  || die "the build failed"
JAR="$(mktemp "${TMPDIR:-/tmp}/regime.XXXXXX")"; trap 'rm -f "$JAR"' EXIT
cp "$ROOT/cli/target/sparse-circuits.jar" "$JAR"      # one jar for the whole sitting, whatever is rebuilt meanwhile
THREADS=$(( $(nproc) / JOBS )); (( THREADS >= 1 )) || THREADS=1
JVM=("$JAVA" --add-modules jdk.incubator.vector -Dsparsecircuits.stderr.tty=false -jar "$JAR")

selected() { # NAME PHASE: whether --only / --phases pick this point
  [[ -z "$ONLY" || " $ONLY " == *" $1 "* ]] && [[ " $PHASES " == *" $2 "* ]]
}

if [[ "$ESTIMATE" == 1 ]]; then
  total=0
  for p in "${POINTS[@]}"; do
    read -r name phase _ <<<"$p"
    selected "$name" "$phase" || continue
    # shellcheck disable=SC2046
    line="$("${JVM[@]}" experiment $(point_flags $p) --estimate 2>/dev/null || echo "refused")"
    printf '%-16s phase %s  %s\n' "$name" "$phase" "$line"
    min="$(sed -n 's/.*estimated \([0-9]*\) min.*/\1/p' <<<"$line")"; total=$(( total + ${min:-0} ))
  done
  echo "sum of the points' estimates: $total min (a dense model several points share is counted in each; it trains once)"
  exit 0
fi

if [[ -z "$OUT" ]]; then
  OUT="$(ls -d "$HERE"/results/*-regime"$SUFFIX" 2>/dev/null | sort | tail -n 1 || true)"
  OUT="${OUT:-$HERE/results/$(date -u +%Y%m%dT%H%M%SZ)-regime$SUFFIX}"
fi
mkdir -p "$OUT/points" "$OUT/logs" "$RUNS"
say "results -> $OUT; shared run directory -> $RUNS; $JOBS job(s) at once, $THREADS kernel thread(s) each"
cpu_field() { grep -m1 "^$1[[:space:]]*:" /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'; }
[[ -f "$OUT/params.json" ]] || python3 - "$OUT/params.json" <<PY
import json, sys
json.dump(dict(command="bash bench/run-regime-sweep.sh" + (" --quick" if $QUICK else ""), quick=$QUICK, steps_1x=$STEPS_1X,
               base_a=$BASE_A, base_b=$BASE_B, pfrac=$PFRAC, dense_synthetic="$DENSE_SYN", dense_code="$DENSE_CODE",
               python_dir="$PY_DIR", mix_share=$MIX_SHARE, cpu_model="$(cpu_field 'model name')", cpus=$(nproc),
               commit="$(git -C "$ROOT" rev-parse HEAD)", started_utc="$(date -u +%Y-%m-%dT%H:%M:%SZ)"), open(sys.argv[1], "w"), indent=1)
PY

# the state of a point's file: "done" / "failed" when it holds these flags, else "" (absent or other settings)
point_state() { # FILE FLAGS
  [[ -f "$1" ]] || return 0
  python3 -c 'import json,sys; p=json.load(open(sys.argv[1])); print(p["status"] if p.get("flags")==sys.argv[2] else "")' "$1" "$2"
}

run_point() { # NAME PHASE CORPUS L0 E BUDGET SEED
  local name="$1" file="$OUT/points/$1.json" flags state t0 rc=0 log="$OUT/logs/$1.err"
  flags="$(point_flags "$@")"
  state="$(point_state "$file" "$flags")"
  if [[ "$state" == done || ( "$state" == failed && "$RETRY" == 0 ) ]]; then say "$name: $state before"; return 0; fi
  say "$name: experiment $flags"
  t0=$(date +%s.%N); local since; since=$(date +%s)
  # shellcheck disable=SC2086
  "${JVM[@]}" experiment --out "$RUNS" --shared-out --jobs "$JOBS" --job-threads "$THREADS" $flags \
    >"$OUT/logs/$name.out" 2>"$log" || rc=$?
  [[ "$rc" != 130 ]] || { say "$name: stopped; run the same command again to continue"; exit 130; }
  python3 - "$file" "$name" "$rc" "$flags" "$t0" "$(date +%s.%N)" "$since" "$RUNS" "$log" "$ROOT" "$@" <<'PY'
import glob, json, os, subprocess, sys
file, name, rc, flags, t0, t1, since, runs, log, root, _n, phase, corpus, l0, e, budget, seed = sys.argv[1:]
params = json.load(open(os.path.join(os.path.dirname(os.path.dirname(file)), "params.json")))
f = flags.split()
arg = lambda k: f[f.index(k) + 1]
d_model, base = int(arg("--sparse-widths")), int(arg("--base-width"))
point = dict(name=name, phase=int(phase), corpus={"py": "python"}.get(corpus, corpus), corpus_arg=arg("--corpus"), l0=l0,
             base_width=base, pfrac=float(arg("--pfrac")), min_per_neuron=int(arg("--min-per-neuron")), E=int(e), d_model=d_model,
             budget=budget + "x", steps=int(arg("--steps")), tokens=int(arg("--steps")) * int(arg("--batch")) * int(arg("--ctx")),
             seed=int(seed), dense_widths=[int(x) for x in arg("--dense-widths").split(",")], recipe=arg("--recipe"))
# the jobs this point ran: the records written since it started (the shared store holds every point's)
job_seconds = 0.0
for r in glob.glob(os.path.join(runs, "jobs", "*.json")):
    if os.path.getmtime(r) >= float(since):
        try:
            job_seconds += json.load(open(r)).get("seconds", 0.0)
        except (OSError, ValueError):
            pass
out = dict(schema="sparse-circuits/regime-point/1", point=point, flags=flags, status="done" if rc == "0" else "failed", reason=None,
           wall_s=float(t1) - float(t0), job_seconds=job_seconds, commit=subprocess.run(["git", "-C", root, "rev-parse", "HEAD"],
           capture_output=True, text=True).stdout.strip(), cpu_model=params.get("cpu_model"), cpus=params.get("cpus"),
           finished_utc=subprocess.run(["date", "-u", "+%Y-%m-%dT%H:%M:%SZ"], capture_output=True, text=True).stdout.strip(),
           experiment=None)
if rc == "0":
    out["experiment"] = json.load(open(os.path.join(runs, "experiment.json")))
else:
    lines = [l.strip() for l in open(log, errors="replace") if l.strip() and not l.startswith("WARNING")]
    fails = [l for l in lines if " failed: " in l or l.startswith("sparse-circuits:")]
    out["reason"] = (fails or lines or ["exit " + rc])[0][:400]
tmp = file + ".tmp"
json.dump(out, open(tmp, "w"), indent=1)
os.replace(tmp, file)
PY
  if [[ "$rc" == 0 ]]; then say "$name: done in $(( $(date +%s) - since )) s"; else say "$name: FAILED (exit $rc): $(python3 -c 'import json,sys;print(json.load(open(sys.argv[1]))["reason"])' "$file")"; fi
  if [[ "$COMMIT" == 1 ]]; then
    git -C "$ROOT" add -f "$file" "$OUT/params.json" && git -C "$ROOT" commit -q -m "Regime sweep: point $name" -- "$file" "$OUT/params.json" \
      || say "WARNING: could not commit $file"
  fi
  python3 "$HERE/regime_report.py" "$OUT" >/dev/null || say "WARNING: the summary failed (bench/regime_report.py $OUT)"
}

for p in "${POINTS[@]}"; do
  read -r name phase _ <<<"$p"
  selected "$name" "$phase" || continue
  # shellcheck disable=SC2086
  run_point $p
done

# ---- phase 4: a second seed at the best finished point of each corpus
if [[ " $PHASES " == *" 4 "* ]]; then
  while read -r best; do
    [[ -n "$best" ]] || continue
    for p in "${POINTS[@]}"; do
      read -r name phase corpus l0 e budget _ <<<"$p"
      [[ "$name" == "$best" ]] || continue
      [[ -z "$ONLY" || " $ONLY " == *" $name-s1 "* ]] || continue
      run_point "$name-s1" 4 "$corpus" "$l0" "$e" "$budget" 1
    done
  done < <(python3 - "$OUT/points" <<'PY'
import glob, json, math, sys
best = {}
for f in glob.glob(sys.argv[1] + "/*.json"):
    p = json.load(open(f))
    if p.get("status") != "done" or p["point"]["seed"] != 0 or not p.get("experiment"):
        continue
    e = p["experiment"]
    main = e.get("mainTarget", 0.15)
    logs = []
    for pair in e.get("pairings", []):
        for t in e.get("tasks", []):
            def at(cs):
                return next((c for c in cs or [] if c and abs(c["target"] - main) <= 1e-9 and c.get("reached")), None)
            s, d = at(t["circuits"].get(pair["sparseId"])), at(t["circuits"].get(pair["denseId"]))
            if s and d and s["edges"] > 0 and d["edges"] > 0:
                logs.append(math.log(d["edges"] / s["edges"]))
    if not logs:
        continue
    key = (math.exp(sum(logs) / len(logs)), p["point"]["E"])
    c = p["point"]["corpus"]
    if c not in best or key > best[c][0]:
        best[c] = (key, p["point"]["name"])
for c in sorted(best):
    print(best[c][1])
PY
)
fi
python3 "$HERE/regime_report.py" "$OUT"
say "done: $OUT/summary.md"
