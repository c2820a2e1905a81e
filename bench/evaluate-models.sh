#!/usr/bin/env bash
# What an experiment's models know beyond the synthetic generator (issue 17 §2): for every model under RUN/models/,
# the validation loss on a real-code corpus (default Debian's CPython 3.11 standard library) and the held-out loss
# and accuracy of the shipped custom tasks (examples/tasks/*.jsonl, written from real code). Reads the models only;
# writes RUN/models-beyond.json (one object per model) and prints a Markdown table. A few seconds per model and task.
#
# Usage: bench/evaluate-models.sh RUN [REAL_CODE_DIR]
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$HERE")"
RUN="${1:?usage: bench/evaluate-models.sh RUN [REAL_CODE_DIR]}"
REAL="${2:-/usr/lib/python3.11}"
[ -d "$RUN/models" ] || { echo "evaluate-models: $RUN/models is not a directory: give an experiment's run directory" >&2; exit 2; }
[ -d "$REAL" ] || { echo "evaluate-models: $REAL is missing: install Debian's libpython3.11-stdlib or give a directory of .py files" >&2; exit 2; }
CLI="$ROOT/sparse-circuits"
OUT="$RUN/models-beyond.json"
TMP="$(mktemp -d)"; trap 'rm -rf "$TMP"' EXIT
for model in "$RUN"/models/*/; do
  id="$(basename "$model")"
  "$CLI" eval --model "$model" --corpus "$REAL" --json > "$TMP/$id.real.json"
  for task in "$ROOT"/examples/tasks/*.jsonl; do
    "$CLI" eval --model "$model" --task "$task" --json > "$TMP/$id.task.$(basename "$task" .jsonl).json"
  done
done
python3 - "$TMP" "$OUT" "$REAL" <<'EOF'
import glob, json, os, sys
tmp, out, real = sys.argv[1:4]
rows = {}
for f in sorted(glob.glob(os.path.join(tmp, "*.json"))):
    name = os.path.basename(f)[:-5]
    model, kind, *rest = name.split(".")
    r = rows.setdefault(model, {"model": model, "real_code_corpus": real, "tasks": {}})
    d = json.load(open(f))
    if kind == "real":
        r["real_code_val_loss"] = d.get("loss")
        r["real_code_bigram_loss"] = d.get("bigram_entropy")
    else:
        r["tasks"][rest[0]] = {"loss": d.get("task_loss"), "accuracy": d.get("accuracy")}
data = list(rows.values())
with open(out + ".tmp", "w") as fh:
    json.dump(data, fh, indent=2)
os.replace(out + ".tmp", out)
tasks = sorted({t for r in data for t in r["tasks"]})
print("| model | real-code val loss | " + " | ".join(tasks) + " | solved (≤ 0.05) |")
print("|---|---|" + "---|" * len(tasks) + "---|")
for r in data:
    cells = []
    for t in tasks:
        x = r["tasks"].get(t, {})
        cells.append("%.3f (acc %.2f)" % (x["loss"], x["accuracy"]) if x.get("loss") is not None else "n/a")
    solved = sum(1 for t in tasks if (r["tasks"].get(t, {}).get("loss") or 9) <= 0.05)
    loss = r.get("real_code_val_loss")
    print("| %s | %s | %s | %d of %d |" % (r["model"], "%.3f" % loss if loss is not None else "n/a", " | ".join(cells), solved, len(tasks)))
EOF
