#!/usr/bin/env bash
# Compile time of the `autotask` crate itself (its build script, which generates the entities, and the
# library), with dependencies already built: all entity groups and one group, debug and release.
#
# Usage: scripts/bench-compile.sh
#   JOBS=2              cargo's -j (default 2)
#   ROUNDS=3            timed builds per configuration (default 3); min and median are reported
#   PROFILES="debug"    which profiles (default "debug release")
#
# Every timed build starts from `cargo clean -p autotask` (dependencies stay built), so it times the build
# script (compile and run) and the library. The figure is cargo's own "Finished ... in" time. The load
# average (`uptime`) is printed before each configuration: compile times on a shared 2-core machine mean
# little without it. Measure with nothing else running.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs="${JOBS:-2}"
rounds="${ROUNDS:-3}"
profiles="${PROFILES:-debug release}"

load() { sed -E 's/.*load average: //' /proc/loadavg 2>/dev/null || uptime; }

# Seconds from cargo's "Finished `dev` profile [...] target(s) in 1m 02s" (or "in 21.50s").
seconds() {
    sed -nE 's/.*Finished .* in (([0-9]+)m )?([0-9.]+)s.*/m=\2 s=\3/p' | head -n 1 |
        awk '{ sub("m=", "", $1); sub("s=", "", $2); print ($1 == "" ? 0 : $1) * 60 + $2 }'
}

measure() {
    local profile="$1" label="$2"
    shift 2
    local profile_flag=() dir=debug
    if [ "$profile" = release ]; then
        profile_flag=(--release)
        dir=release
    fi
    # Dependencies first, so that only the crate itself is timed.
    cargo build -p autotask "${profile_flag[@]}" -j "$jobs" "$@" --quiet
    local before times=() round finished
    before="$(cut -d' ' -f1-3 /proc/loadavg)"
    for round in $(seq "$rounds"); do
        cargo clean -p autotask "${profile_flag[@]}" --quiet
        finished=$(cargo build -p autotask "${profile_flag[@]}" -j "$jobs" "$@" 2>&1 | grep Finished)
        times+=("$(seconds <<<"$finished")")
    done
    local generated
    generated=$(ls -t target/"$dir"/build/autotask-*/out/entities.rs | head -n 1)
    local sorted min median
    sorted=$(printf '%s\n' "${times[@]}" | sort -g)
    min=$(head -n 1 <<<"$sorted")
    median=$(sed -n "$(((rounds + 1) / 2))p" <<<"$sorted")
    printf '%-8s %-14s min %6.1fs median %6.1fs (rounds: %s) %6s generated lines; load before %s, after %s\n' \
        "$profile" "$label" "$min" "$median" "$(tr '\n' ' ' <<<"$sorted" | sed 's/ $//')" \
        "$(wc -l <"$generated")" "$before" "$(cut -d' ' -f1-3 /proc/loadavg)"
}

echo "rustc $(rustc --version | cut -d' ' -f2), -j $jobs, $rounds rounds, $(nproc) cores; load at start: $(load)"
for profile in $profiles; do
    measure "$profile" "all groups" --all-features
    measure "$profile" "service_desk" --no-default-features --features service_desk
done
