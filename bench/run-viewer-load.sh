#!/usr/bin/env bash
# The circuit viewer at scale (the issue's target: a circuit of 1,000 nodes and 20,000 edges opens and is
# interactive in under 2 s in headless Chromium, and the page is under 5 MB). Builds a seeded synthetic circuit
# (4 layers, d_model 256, nodes at all 8 locations, edges of all 6 types) and renders two pages of it with ViewerHtml:
#   bare: live ablation and examples off, no graph prompt (the graph alone);
#   full: the page a user gets: a seeded random sparse model of that config (< ModelJs.MAX_NONZEROS nonzeros), the
#         examples block computed by Examples.compute (tracer masked by the circuit; 64 random-token windows, 8
#         held-out random pairs of 16-24 tokens), live ablation on (ModelJs.data) and a graph prompt (export live).
# Then opens both N times in Debian's headless chromium through Debian's chromedriver (Selenium; a fresh tab each
# time, alternating) and times: navigation start to ready (window.viewerReadyMs) and to the first frame after it,
# driver.get() to data-ready (wall), a node click until the inspector (and on the full page the examples panel) is
# filled, two live-ablation toggles on the full page (the first also computes the circuit baseline), and a |weight|
# threshold change. Writes bench/results/<UTC>-viewer-load/results.{json,md}; the pages go to bench/target/viewer-load/.
# Commit results.{json,md} when cited; never the pages (ViewerLoad draws them again from its seed; bench/README.md "Results").
#
# Usage: bench/run-viewer-load.sh [--runs N] [--seed N]      (needs: apt-get install chromium chromium-driver)
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$HERE")"
RUNS=5; SEED=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --runs) RUNS="$2"; shift 2 ;;
    --seed) SEED="$2"; shift 2 ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "run-viewer-load.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
  esac
done
for f in /usr/bin/chromium /usr/bin/chromedriver; do
  [[ -x "$f" ]] || { echo "run-viewer-load.sh: $f is missing: apt-get install chromium chromium-driver" >&2; exit 2; }
done
# shellcheck source=java-env.sh
. "$HERE/java-env.sh"
JAVA="$(bench_pick_java)"
export JAVA_HOME="${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$JAVA")")")}"
OUT="bench/results/$(date -u +%Y%m%dT%H%M%SZ)-viewer-load"   # relative to the repository: results name no machine paths
CP="$HERE/target/viewer-load.classpath"
# the reactor (no install: the local repository is shared); bench's classpath points at the modules' target/ jars
BUILD=(./mvnw -B -ntp -q -DskipTests package dependency:build-classpath -pl bench -am -Dmdep.outputFile="$CP" -Dmdep.includeScope=runtime)
(cd "$ROOT" && { "${BUILD[@]}" -o 2>/dev/null || "${BUILD[@]}"; })   # offline when the local repository has everything
cd "$ROOT"
mkdir -p "$OUT"
COMMIT="$(cd "$ROOT" && git rev-parse --short HEAD 2>/dev/null || echo '?')"
(cd "$ROOT" && git diff --quiet HEAD -- . 2>/dev/null) || COMMIT="$COMMIT+dirty"
# Selenium Manager is not used (explicit driver and browser paths) and must never download anything
export SE_OFFLINE=true
"$JAVA" --add-modules jdk.incubator.vector -cp "$HERE/target/classes:$(cat "$CP")" sparsecircuits.bench.ViewerLoad \
  --runs "$RUNS" --seed "$SEED" --commit "$COMMIT" --out "$OUT" --page bench/target/viewer-load/viewer-1000n-20000e.html 2> >(grep -v '^WARNING: Using incubator modules' >&2)
