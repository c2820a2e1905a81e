#!/usr/bin/env bash
# Smoke run of every JMH benchmark class with ONE parameter set each (1 fork, 1 s warm-up, 1 s
# measurement). Each benchmark checks its own result in @Setup, so this is also a correctness
# run of every kernel at benchmark size. Builds nothing: run
#   ./mvnw -B -ntp -pl bench -am package -DskipTests
# first. Exits non-zero if any benchmark fails. About 1.5-2 minutes on 2 cores.
#
# Environment: SMOKE_PROVIDER=scalar|vector (default: vector when the jar contains the vector
# provider, else scalar with a note), JAVA_HOME (else the newest JDK in /usr/lib/jvm, else java).
# Extra arguments are passed to every JMH run (e.g. -jvmArgsAppend -XX:MaxVectorSize=32).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=java-env.sh
. "$here/java-env.sh"
jar="$here/target/benchmarks.jar"
if [ ! -f "$jar" ]; then
    echo "smoke: $jar is missing; build it with ./mvnw -B -ntp -pl bench -am package -DskipTests" >&2
    exit 2
fi
java_bin="$(bench_pick_java)"
provider="${SMOKE_PROVIDER:-$(bench_default_provider "$jar")}"
if [ -z "${SMOKE_PROVIDER:-}" ] && [ "$provider" = scalar ]; then
    echo "smoke: NOTE: benchmarks.jar has no sparsecircuits.kernels.vector.VectorKernels; smoke-testing the scalar provider" >&2
fi
echo "smoke: java $("$java_bin" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.version = //p') ($java_bin), provider $provider"

results="$(mktemp -d "${TMPDIR:-/tmp}/bench-smoke.XXXXXX")"
trap 'rm -rf "$results"' EXIT
# 200 ms windows: the smoke shows that every benchmark runs and reports, it measures nothing (bench/run-*.sh do)
common=(-f 1 -wi 1 -i 1 -w 200ms -r 200ms -foe true)
layer=(-p "provider=$provider" -p shape=512x2048 -p density=0.0625 -p pattern=uniform -p tokens=512 -p threads=1)
failed=()
start=$(date +%s)

run() { # run <Class> [jmh args...]
    local cls="$1"
    shift
    local t0=$(date +%s) rc=0
    echo "=== smoke: $cls $*"
    "$java_bin" -jar "$jar" "^sparsecircuits\\.bench\\.$cls\\." "${common[@]}" "$@" \
        -rf json -rff "$results/$cls.json" "${extra[@]}" 2>&1 | grep -v '^WARNING: Using incubator modules' || rc=${PIPESTATUS[0]}
    local n=0
    [ -f "$results/$cls.json" ] && n=$(grep -c '"benchmark"' "$results/$cls.json" || true)
    if [ "$rc" -ne 0 ] || [ "$n" -eq 0 ]; then
        echo "=== smoke: $cls FAILED (exit $rc, $n results)" >&2
        failed+=("$cls")
    else
        echo "=== smoke: $cls ok ($n results, $(( $(date +%s) - t0 )) s)"
    fi
}

extra=("$@")
run FmaPeakBench
run GemmBench -p "provider=$provider" -p shape=256x2048x512 -p threads=1
run SpmmBench "${layer[@]}"
run SpmmTransposedBench "${layer[@]}"
run SddmmBench "${layer[@]}"
run TopKBench -p n=1048576
run TopKNeuronBench -p neurons=ROWS
run RowOpsBench -p "provider=$provider" -p threads=1
run TokenizerBench -p vocab=512

echo "smoke: $(( $(date +%s) - start )) s in total"
if [ "${#failed[@]}" -ne 0 ]; then
    echo "smoke: FAILED: ${failed[*]}" >&2
    exit 1
fi
echo "smoke: all benchmark classes passed"
