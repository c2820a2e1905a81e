#!/usr/bin/env bash
# The corpus and vocabulary of the frontier presets, chosen by measurement (issue 17 §2): the hour preset's E 4 model
# (d_model 256 over base 64, pfrac 1/2, j = 1, 6,000 steps, seed 0) trained on
#   synthetic-v512   the synthetic generator at vocab 512 (what the hour preset trains),
#   synthetic-v1024  the same at vocab 1024,
#   mix-v512         half the characters from a real-code directory (default Debian's CPython 3.11 stdlib), vocab 512;
# then, per model: validation loss on the synthetic corpus and on the real code, held-out loss of the 20 paper tasks
# and of the custom tasks of examples/tasks/ (solved: ≤ 0.05, the experiment's rule). Never the edge ratio.
# Trainings resume when killed (a finished one is skipped); about 10 min each on 2 cores.
#
# Usage: bench/probe-corpus-vocab.sh OUT [REAL_CODE_DIR]     writes OUT/<probe>/ (the models), OUT/probes.json and
#                                                             prints a Markdown table
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$HERE")"
OUT="${1:?usage: bench/probe-corpus-vocab.sh OUT [REAL_CODE_DIR]}"
REAL="${2:-/usr/lib/python3.11}"
[ -d "$REAL" ] || { echo "probe-corpus-vocab: $REAL is missing: install Debian's libpython3.11-stdlib or give a directory of .py files" >&2; exit 2; }
mkdir -p "$OUT"
CLI="$ROOT/sparse-circuits"
MODEL="--mode sparse --d-model 256 --base-width 64 --pfrac 0.5 --min-per-neuron 1 --steps 6000 --seed 0"
declare -A PROBES=([synthetic-v512]="--vocab 512 --corpus synthetic" [synthetic-v1024]="--vocab 1024 --corpus synthetic"
                   [mix-v512]="--vocab 512 --corpus mix:$REAL:0.5")
TASKS="$("$CLI" tasks | awk 'NF >= 3 && $2 ~ /^(binary|single)$/ {print $1}')"
for probe in synthetic-v512 synthetic-v1024 mix-v512; do
  dir="$OUT/$probe"
  if [ ! -f "$dir/.trained" ]; then
    # shellcheck disable=SC2086
    if [ -f "$dir/train-state.bin" ]; then "$CLI" resume --run "$dir"; else "$CLI" train $MODEL ${PROBES[$probe]} --out "$dir"; fi
    touch "$dir/.trained"
  fi
  if [ ! -f "$dir/evaluation.json" ]; then
    {
      printf '{"probe": "%s", "settings": "%s %s",\n' "$probe" "$MODEL" "${PROBES[$probe]}"
      printf '"synthetic": %s,\n' "$("$CLI" eval --model "$dir" --corpus synthetic --json)"
      printf '"real_code": %s,\n"tasks": {\n' "$("$CLI" eval --model "$dir" --corpus "$REAL" --json)"
      sep=""
      for t in $TASKS "$ROOT"/examples/tasks/*.jsonl; do
        printf '%s"%s": %s\n' "$sep" "$(basename "$t" .jsonl)" "$("$CLI" eval --model "$dir" --task "$t" --json)"; sep=","
      done
      printf '}}\n'
    } > "$dir/evaluation.json.tmp"
    # the model is named by its probe, not by this machine's path (the file may be committed)
    python3 - "$dir/evaluation.json.tmp" "$dir" "$probe" "$ROOT" <<'PY'
import sys
f, d, name, root = sys.argv[1:5]
s = open(f).read().replace('"' + d + '"', '"' + name + '"').replace('"' + root + '/', '"')
open(f, "w").write(s)
PY
    mv "$dir/evaluation.json.tmp" "$dir/evaluation.json"
  fi
done
python3 - "$OUT" "$ROOT/examples/tasks" <<'PY'
import glob, json, os, sys
out, custom_dir = sys.argv[1:3]
custom = sorted(os.path.basename(f)[:-6] for f in glob.glob(os.path.join(custom_dir, "*.jsonl")))
rows = []
for probe in ["synthetic-v512", "synthetic-v1024", "mix-v512"]:
    d = json.load(open(os.path.join(out, probe, "evaluation.json")))
    tasks = d["tasks"]
    paper = [t for t in tasks if t not in custom]
    solved = lambda names: [t for t in names if tasks[t]["task_loss"] <= 0.05]
    log = [json.loads(l) for l in open(os.path.join(out, probe, "train-log.jsonl"))]
    rows.append({"probe": probe, "settings": d["settings"],
                 "synthetic_val_loss": d["synthetic"]["loss"], "synthetic_bigram_loss": d["synthetic"]["bigram_entropy"],
                 "real_code_val_loss": d["real_code"]["loss"], "real_code_bigram_loss": d["real_code"]["bigram_entropy"],
                 "paper_solved": solved(paper), "custom_solved": solved(custom),
                 "task_loss": {t: tasks[t]["task_loss"] for t in tasks},
                 "train_seconds": sum(x.get("ms", 0) for x in log) / 1000})
with open(os.path.join(out, "probes.json.tmp"), "w") as fh:
    json.dump(rows, fh, indent=1)
os.replace(os.path.join(out, "probes.json.tmp"), os.path.join(out, "probes.json"))
print("| probe | synthetic val loss (bigram) | real-code val loss (bigram) | paper tasks solved | custom tasks solved | best custom task loss | train time |")
print("|---|---|---|---|---|---|---|")
for r in rows:
    best = min(custom, key=lambda t: r["task_loss"][t])
    print("| %s | %.3f (%.3f) | %.3f (%.3f) | %d of %d | %d of %d | %s %.3f | %.1f min |" % (
        r["probe"], r["synthetic_val_loss"], r["synthetic_bigram_loss"], r["real_code_val_loss"], r["real_code_bigram_loss"],
        len(r["paper_solved"]), len(r["task_loss"]) - len(custom), len(r["custom_solved"]), len(custom), best,
        r["task_loss"][best], r["train_seconds"] / 60))
PY
