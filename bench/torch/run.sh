#!/usr/bin/env bash
# PyTorch anchor for the weight-sparse GPT training step (the authors' way: dense math, masked weights).
# Installs Debian's python3-torch + libopenblas0-pthread when missing, runs a loss sanity check,
# then times sparse and dense steps on 1 and 2 threads, and writes
# bench/torch/results/<UTC timestamp>/{*.json,*.log,summary.md}.
#
# Usage: bench/torch/run.sh [--steps N] [--warmup N] [--threads "1 2"] [--no-install]
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PY=/usr/bin/python3        # Debian's python: python3-torch installs there, not into a pyenv python
STEPS=10
WARMUP=3
THREADS="1 2"
INSTALL=1

while [[ $# -gt 0 ]]; do
  case "$1" in
    --steps)   STEPS="$2"; shift 2 ;;
    --warmup)  WARMUP="$2"; shift 2 ;;
    --threads) THREADS="$2"; shift 2 ;;
    --no-install) INSTALL=0; shift ;;
    -h|--help) sed -n '2,7p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
  esac
done

say() { echo "[run.sh] $*"; }
die() { echo "[run.sh] ERROR: $*" >&2; exit 1; }

# ---------------------------------------------------------------- install
pkg_installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

if [[ "$INSTALL" == 1 ]]; then
  missing=()
  for p in python3-torch libopenblas0-pthread; do
    pkg_installed "$p" || missing+=("$p")
  done
  if [[ ${#missing[@]} -gt 0 ]]; then
    command -v apt-get >/dev/null || die "apt-get not found; install ${missing[*]} by hand (Debian/Ubuntu only)"
    SUDO=()
    if [[ "$(id -u)" != 0 ]]; then
      command -v sudo >/dev/null || die "not root and no sudo: install ${missing[*]} by hand"
      SUDO=(sudo)
    fi
    say "installing ${missing[*]} (apt-get update first) ..."
    # another install may hold dpkg's lock (engineers share the machine): wait for it instead of failing
    "${SUDO[@]}" apt-get update -qq -o DPkg::Lock::Timeout=900 || die "apt-get update failed"
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=900 --no-install-recommends "${missing[@]}" \
      || die "apt-get install ${missing[*]} failed"
  else
    say "python3-torch and libopenblas0-pthread already installed"
  fi
fi

[[ -x "$PY" ]] || die "$PY not found (Debian's python3 is required: python3-torch installs into it)"
"$PY" -c 'import torch' 2>/dev/null \
  || die "'$PY -c \"import torch\"' fails; is python3-torch installed? (apt-get install python3-torch)"
say "$("$PY" -c 'import torch, sys; print("torch", torch.__version__, "on", sys.executable, sys.version.split()[0])')"

# a slow reference BLAS (libblas3 alone) makes a step ~15x slower: warn loudly
blas_link="$(readlink -f /usr/lib/x86_64-linux-gnu/libblas.so.3 2>/dev/null || true)"
say "system libblas.so.3 -> ${blas_link:-?}"
case "$blas_link" in
  *openblas*|*mkl*|*blis*) ;;
  *) say "WARNING: libblas.so.3 is not OpenBLAS; timings will be far from a fair anchor" ;;
esac

# ---------------------------------------------------------------- run
STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
OUT="$HERE/results/$STAMP"
mkdir -p "$OUT"
say "results -> $OUT"

say "sanity check (loss on a repeated batch, lr 1e-2, not timed)"
OMP_NUM_THREADS=2 "$PY" "$HERE/gpt_step.py" --sanity --mode sparse --threads 2 2>&1 | tee "$OUT/sanity.log" \
  || die "sanity check failed (see $OUT/sanity.log)"

for mode in sparse dense; do
  for t in $THREADS; do
    say "mode $mode, $t thread(s): warmup $WARMUP, $STEPS measured steps"
    OMP_NUM_THREADS="$t" "$PY" "$HERE/gpt_step.py" --mode "$mode" --threads "$t" \
      --steps "$STEPS" --warmup "$WARMUP" --json "$OUT/${mode}_t${t}.json" 2>&1 | tee "$OUT/${mode}_t${t}.log" \
      || die "run mode=$mode threads=$t failed (see $OUT/${mode}_t${t}.log)"
  done
done

# ---------------------------------------------------------------- summary
"$PY" - "$OUT" <<'EOF'
import glob, json, os, sys
out = sys.argv[1]
rows = [json.load(open(f)) for f in sorted(glob.glob(os.path.join(out, "*_t*.json")))]
rows.sort(key=lambda r: (r["mode"] != "sparse", r["threads"]))
best = {}
for r in rows:
    if r["mode"] not in best or r["median_ms"] < best[r["mode"]]["median_ms"]:
        best[r["mode"]] = r
r0 = rows[0]
lines = [
    "# PyTorch anchor: authors' weight-sparse GPT, one training step",
    "",
    f"- CPU: {r0['cpu']}",
    f"- torch {r0['torch']} ({r0['python']}); BLAS: {r0['blas']}; loaded: {', '.join(r0['blas_libs']) or '-'}",
    f"- model: L4 d256, 16 heads x d_head 16, d_mlp 1024, V 2048, ctx {r0['ctx']}, batch {r0['batch']}; "
    f"{r0['n_params']/1e6:.2f}M params; AbsTopK 1/4 at 8 locations; sink; bigram table",
    f"- warmup {r0['warmup']}, {r0['steps']} measured steps per row; `*` = better thread count for the mode",
    "",
    "| mode | threads | median ms/step | mean ms/step | tokens/s | peak RSS MB | fwd+loss / bwd / gradnorm+Adam / mask+decay (mean ms) |",
    "|---|---|---|---|---|---|---|",
]
for r in rows:
    mark = " *" if best[r["mode"]] is r else ""
    lines.append(f"| {r['mode']} | {r['threads']}{mark} | {r['median_ms']:.1f} | {r['mean_ms']:.1f} | "
                 f"{r['tokens_per_s']:.0f} | {r['peak_rss_mb']:.0f} | "
                 + " / ".join(f"{r['phase_ms_mean'].get(k, 0):.0f}"
                              for k in ("forward_loss", "backward", "gradnorm_adam", "mask_decay")) + " |")
text = "\n".join(lines) + "\n"
open(os.path.join(out, "summary.md"), "w").write(text)
print(text)
EOF
say "done: $OUT/summary.md"
