#!/usr/bin/env bash
# The full measured kernel run behind BENCHMARKS.md: machine facts, the numpy peer, then every JMH
# benchmark class with the real iteration counts of its annotations (1 fork, 4×2 s warm-up,
# 5×2 s measurement), JSON results and a derived summary in bench/results/<UTC time>/ (no generated pages there:
# committed when BENCHMARKS.md cites it; bench/README.md "Results").
# Builds nothing: run ./mvnw -B -ntp -pl bench -am package -DskipTests first.
#
# Usage: bash bench/run-kernels.sh [Class ...]     (default: all classes below)
# Environment:
#   PROVIDERS=scalar,vector   providers for the classes that have one (default both; vector is required
#                             unless PROVIDERS=scalar is given)
#   JMH_OPTS="..."            extra JMH options for every class (e.g. "-p threads=1,2" or "-wi 2 -i 3")
#   SKIP_NUMPY=1              skip bench/numpy_gemm.py
#   JAVA_HOME                 the JDK to run (else the newest JDK in /usr/lib/jvm, else java)
# With every default the run takes about 55 minutes on 2 cores (about 110 parameter sets × ~20 s).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=java-env.sh
. "$here/java-env.sh"
jar="$here/target/benchmarks.jar"
[ -f "$jar" ] || { echo "run-kernels: $jar is missing; build it with ./mvnw -B -ntp -pl bench -am package -DskipTests" >&2; exit 2; }
java_bin="$(bench_pick_java)"
providers="${PROVIDERS:-scalar,vector}"
if [[ ",$providers," == *",vector,"* ]] && [ "$(bench_default_provider "$jar")" != vector ]; then
    echo "run-kernels: benchmarks.jar has no vector provider (sparsecircuits.kernels.vector.VectorKernels); set PROVIDERS=scalar to measure scalar only" >&2
    exit 2
fi

stamp="$(date -u +%Y%m%dT%H%M%SZ)"
out="$here/results/$stamp"
mkdir -p "$out"
exec > >(tee -a "$out/run.log") 2>&1

echo "== run $stamp -> $out"
echo "== machine"
grep -m1 '^model name' /proc/cpuinfo || true
grep -m1 -E '^cpu family' /proc/cpuinfo || true
grep -m1 -E '^model\s' /proc/cpuinfo || true
echo "cores: $(nproc); AVX-512F: $(grep -m1 -qw avx512f /proc/cpuinfo && echo yes || echo no); FMA: $(grep -m1 -qw fma /proc/cpuinfo && echo yes || echo no)"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine skews every figure)"
uname -sr
echo "== java: $java_bin"
"$java_bin" -version 2>&1
echo "== git: $(git -C "$here" rev-parse --short HEAD 2>/dev/null || echo '?') $(git -C "$here" status --porcelain 2>/dev/null | grep -q . && echo '(dirty)' || true)"

if [ -z "${SKIP_NUMPY:-}" ]; then
    echo "== numpy peer (bench/numpy_gemm.py)"
    py="$(command -v python3 || true)"
    if [ -n "$py" ] && "$py" -c 'import numpy' 2>/dev/null; then
        "$py" "$here/numpy_gemm.py" | tee "$out/numpy_gemm.jsonl" || echo "numpy_gemm.py failed" >&2
    else
        echo "no python3 with numpy: skipped"
    fi
fi

classes=("$@")
if [ "${#classes[@]}" -eq 0 ]; then
    classes=(FmaPeakBench GemmBench SpmmBench SpmmTransposedBench SddmmBench TopKBench TopKNeuronBench RowOpsBench)
fi
read -r -a jmh_opts <<< "${JMH_OPTS:-}"
status=0
for cls in "${classes[@]}"; do
    args=()
    case "$cls" in
        GemmBench|SpmmBench|SpmmTransposedBench|SddmmBench|RowOpsBench) args=(-p "provider=$providers") ;;
    esac
    echo "== $cls ${args[*]} ${jmh_opts[*]}"
    t0=$(date +%s)
    if ! "$java_bin" -jar "$jar" "^sparsecircuits\\.bench\\.$cls\\." -foe true "${args[@]}" "${jmh_opts[@]}" \
            -rf json -rff "$out/$cls.json" 2>&1 | grep -v '^WARNING: Using incubator modules'; then
        echo "== $cls FAILED" >&2
        status=1
    fi
    echo "== $cls took $(( $(date +%s) - t0 )) s"
done

echo "== summary ($out/summary.md)"
python3 "$here/summarize.py" "$out" | tee "$out/summary.md" || true
exit $status
