# Sourced by smoke.sh and run-kernels.sh: picks the JVM that runs benchmarks.jar.
# Order: $JAVA_HOME/bin/java if set, else the newest JDK under /usr/lib/jvm, else `java` on PATH.
# (JMH forks each benchmark JVM with the same java binary.)

bench_pick_java() {
    if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then
        printf '%s\n' "$JAVA_HOME/bin/java"
        return
    fi
    local best="" best_ver="" dir ver
    for dir in /usr/lib/jvm/*/; do
        dir="${dir%/}"
        [ -x "$dir/bin/java" ] || continue
        ver=""
        if [ -f "$dir/release" ]; then
            ver="$(sed -n 's/^JAVA_VERSION="\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$dir/release" | head -n 1)"
        fi
        [ -n "$ver" ] || ver="$(basename "$dir" | grep -o '[0-9][0-9.]*' | head -n 1)"
        [ -n "$ver" ] || continue
        if [ -z "$best" ] || [ "$(printf '%s\n%s\n' "$best_ver" "$ver" | sort -V | tail -n 1)" != "$best_ver" ]; then
            best="$dir/bin/java"
            best_ver="$ver"
        fi
    done
    if [ -n "$best" ]; then
        printf '%s\n' "$best"
    else
        command -v java || { echo "no java found: set JAVA_HOME" >&2; return 1; }
    fi
}

# Prints "vector" when the vector provider is compiled into the jar, else "scalar".
bench_default_provider() {
    if grep -a -q 'sparsecircuits/kernels/vector/VectorKernels.class' "$1" 2>/dev/null; then
        echo vector
    else
        echo scalar
    fi
}
