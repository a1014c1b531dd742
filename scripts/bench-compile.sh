#!/usr/bin/env bash
# Compile time of the `autotask` crate itself (its build script, which generates the entities, and the
# library), with dependencies already built: debug and release, all entity groups and one group.
#
# Usage: scripts/bench-compile.sh            (JOBS=2 by default; set JOBS to change cargo's -j)
# Prints one line per configuration: profile, features, cargo's "Finished" time, generated line count.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs="${JOBS:-2}"

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
    cargo clean -p autotask "${profile_flag[@]}" --quiet
    local finished
    finished=$(cargo build -p autotask "${profile_flag[@]}" -j "$jobs" "$@" 2>&1 | grep Finished)
    local generated
    generated=$(ls -t target/"$dir"/build/autotask-*/out/entities.rs | head -n 1)
    printf '%-8s %-14s %-8s %6s generated lines\n' "$profile" "$label" \
        "$(sed -E 's/.* in ([0-9.]+m? ?[0-9.]*s).*/\1/' <<<"$finished")" "$(wc -l <"$generated")"
}

measure debug "all groups" --all-features
measure debug "service_desk" --no-default-features --features service_desk
measure release "all groups" --all-features
measure release "service_desk" --no-default-features --features service_desk
