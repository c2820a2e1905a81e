#!/usr/bin/env bash
# Draws the generated pages of benchmark results again from the JSON committed beside them. git keeps what a benchmark
# measured (JSON, summaries, logs); the pages drawn from it are built here (bench/results/.gitignore lists them):
#   DIR/experiment.json              -> DIR/report.html  the engine's renderer (ExperimentJson.read, ReportHtml.render)
#                                       through sparsecircuits.bench.RenderReport in bench/target/benchmarks.jar;
#                                       never committed
#   DIR/results.json of a width sweep -> DIR/width.svg   python3 bench/width_sweep_report.py --plot DIR; committed,
#                                       because BENCHMARKS.md and DIR/summary.md show it as an image
# The pages are byte-identical for the same renderer (no clock, no machine, no randomness: the date and machine in a
# report come from its JSON). A report's links to circuits/*/ and their view.html point into the run's own directory,
# which is not committed: they stay dead here.
#
# Usage: bench/regenerate-pages.sh [--check] [--no-build] [DIR ...]
#   DIR         a results directory (default: every directory in bench/results/ that has something to draw)
#   --check     write nothing there: draw every page into a temporary directory and compare it with DIR's file; exit 1
#               when one differs or when git tracks a page that is never committed (bench/results/**/*.html)
#   --no-build  use bench/target/benchmarks.jar as it is (default: build it, ./mvnw package -pl bench -am, never install)
# Environment: JAVA_HOME (default the newest JDK under /usr/lib/jvm, as the other bench scripts).
# Exit: 0 done; 1 a page could not be written, or --check found a difference; 2 bad arguments or input.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$HERE")"
JAR="$HERE/target/benchmarks.jar"
ME="regenerate-pages.sh"
WIDTH_SCHEMA="sparse-circuits/width-sweep/1"

err() { echo "$ME: error: $*" >&2; }
usage_error() { err "$*"; echo "$ME: try --help" >&2; exit 2; }

CHECK=0; BUILD=1; DIRS=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --check) CHECK=1; shift ;;
    --no-build) BUILD=0; shift ;;
    -h|--help) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    --) shift; DIRS+=("$@"); break ;;
    -*) usage_error "unknown option '$1'" ;;
    *) DIRS+=("$1"); shift ;;
  esac
done

is_width_sweep() { [[ -f "$1/results.json" ]] && grep -q "\"schema\": *\"$WIDTH_SCHEMA\"" "$1/results.json"; }
has_pages() { [[ -f "$1/experiment.json" ]] || is_width_sweep "$1"; }

if [[ ${#DIRS[@]} -eq 0 ]]; then
  for d in "$ROOT"/bench/results/*/; do
    d="${d%/}"
    if has_pages "$d"; then DIRS+=("${d#"$PWD"/}"); fi
  done
  [[ ${#DIRS[@]} -gt 0 ]] || { err "no directory in bench/results/ has an experiment.json or a width sweep's results.json"; exit 2; }
else
  for d in "${DIRS[@]}"; do
    [[ -d "$d" ]] || usage_error "$d: no such directory"
    has_pages "$d" || usage_error "$d: nothing to draw (no experiment.json, no results.json with schema $WIDTH_SCHEMA)"
  done
fi

# the pairs for RenderReport, and the width sweeps to re-plot
REPORTS=(); SWEEPS=()
for d in "${DIRS[@]}"; do
  d="${d%/}"
  [[ -f "$d/experiment.json" ]] && REPORTS+=("$d")
  if is_width_sweep "$d"; then SWEEPS+=("$d"); fi
done

if [[ ${#REPORTS[@]} -gt 0 ]]; then
  # shellcheck source=java-env.sh
  . "$HERE/java-env.sh"
  JAVA="$(bench_pick_java)" || { err "no java: set JAVA_HOME to a JDK 25"; exit 2; }
  if [[ "$BUILD" == 1 ]]; then
    export JAVA_HOME="${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$JAVA")")")}"
    # never install: the local repository is shared; offline first when it already has everything
    MVN=(./mvnw -B -ntp -q -DskipTests package -pl bench -am)
    echo "$ME: building bench/target/benchmarks.jar (${MVN[*]})"
    (cd "$ROOT" && { "${MVN[@]}" -o >/dev/null 2>&1 || "${MVN[@]}"; }) || { err "the build failed (output above)"; exit 1; }
  fi
  [[ -f "$JAR" ]] || { err "$JAR is missing: build it (run without --no-build)"; exit 2; }
  grep -a -q 'sparsecircuits/bench/RenderReport.class' "$JAR" \
    || { err "$JAR has no sparsecircuits.bench.RenderReport (built before it): run without --no-build"; exit 2; }
fi
if [[ ${#SWEEPS[@]} -gt 0 ]]; then
  PYTHON="$(command -v python3 || true)"
  [[ -n "$PYTHON" ]] || { err "python3 is missing (needed for width.svg)"; exit 2; }
fi

TMP=""
if [[ "$CHECK" == 1 ]]; then
  TMP="$(mktemp -d "${TMPDIR:-/tmp}/regenerate-pages.XXXXXX")"
  trap 'rm -rf "$TMP"' EXIT
fi

# where each page is drawn: beside its JSON, or under $TMP with --check
REPORT_OUT=(); SVG_OUT=()
ARGS=()
for i in "${!REPORTS[@]}"; do
  d="${REPORTS[$i]}"
  out="$d/report.html"
  [[ "$CHECK" == 1 ]] && out="$TMP/report-$i.html"
  REPORT_OUT+=("$out"); ARGS+=("$d/experiment.json" "$out")
done

STATUS=0
if [[ ${#ARGS[@]} -gt 0 ]]; then
  set +e
  "$JAVA" -cp "$JAR" sparsecircuits.bench.RenderReport "${ARGS[@]}" | { [[ "$CHECK" == 1 ]] && cat >/dev/null || cat; }
  rc=${PIPESTATUS[0]}
  set -e
  [[ $rc -eq 0 ]] || STATUS=$rc
fi
for i in "${!SWEEPS[@]}"; do
  d="${SWEEPS[$i]}"
  if [[ "$CHECK" == 1 ]]; then
    mkdir -p "$TMP/sweep-$i"
    cp "$d/results.json" "$TMP/sweep-$i/"
    "$PYTHON" "$HERE/width_sweep_report.py" --plot "$TMP/sweep-$i" || STATUS=2
    SVG_OUT+=("$TMP/sweep-$i/width.svg")
  else
    if "$PYTHON" "$HERE/width_sweep_report.py" --plot "$d"; then echo "wrote $d/width.svg"; else STATUS=2; fi
    SVG_OUT+=("$d/width.svg")
  fi
done

if [[ "$CHECK" == 1 ]]; then
  compare() { # drawn, existing
    if [[ ! -f "$1" ]]; then
      return   # not drawn: its error is above
    elif [[ ! -f "$2" ]]; then
      echo "absent  $2 (not drawn yet: run without --check)"
    elif cmp -s "$1" "$2"; then
      echo "same    $2"
    else
      echo "DIFFERS $2 (drawn from the JSON by this tree's renderer)"
      STATUS=$(( STATUS > 1 ? STATUS : 1 ))
    fi
  }
  for i in "${!REPORTS[@]}"; do compare "${REPORT_OUT[$i]}" "${REPORTS[$i]}/report.html"; done
  for i in "${!SWEEPS[@]}"; do compare "${SVG_OUT[$i]}" "${SWEEPS[$i]}/width.svg"; done
  tracked="$(git -C "$ROOT" ls-files -- 'bench/results/*.html' 2>/dev/null || true)"
  if [[ -n "$tracked" ]]; then
    err "git tracks generated pages (bench/results/.gitignore; draw them with $ME): git rm --cached them:"
    sed 's/^/  /' <<<"$tracked" >&2
    STATUS=$(( STATUS > 1 ? STATUS : 1 ))
  fi
fi
exit "$STATUS"
