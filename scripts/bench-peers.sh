#!/usr/bin/env bash
# The SDK next to its peers, side by side in one run (issue 13): decode of one captured 500-ticket page,
# and paging through 100,000 tickets at 0 and 150 ms per request, by the Rust benches
# (benches/decode.rs, benches/paging.rs) and, when python3 is available, by py-autotask 2.3.0 and plain
# Python `requests` loops (scripts/bench_peers.py), against the same servers:
#   * a fixed-page-server (benches/support) answering every request with the captured page;
#   * one autotask-sim per latency, started with --tickets, --latency-ms and a threshold out of reach.
# Rounds alternate the two sides (Python round k, then Rust round k), so load changes hit both alike.
# Prints one table per bench with min/median, records/s and the ratios; the samples stay in
# target/bench-peers/.
#
# Usage: scripts/bench-peers.sh
#   ROUNDS=3            rounds (min and median are reported)
#   TICKETS=100000      tickets in each simulator
#   LATENCIES="0 150"   ms added per request, one simulator each; LATENCIES="" runs the decode bench alone
#   MIN_SECS=1          seconds each decode case runs per round
#   BENCH_VENV=target/bench-peers-venv   where the Python venv is made (py-autotask==2.3.0, requests)
#   NO_PYTHON=1         the Rust side only
# Run it with nothing else running (2 shared cores); the load average is printed next to every table.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${ROUNDS:-3}"
tickets="${TICKETS:-100000}"
latencies="${LATENCIES-0 150}"
min_secs="${MIN_SECS:-1}"
venv="${BENCH_VENV:-target/bench-peers-venv}"
out=target/bench-peers
mkdir -p "$out"
stamp="$(date +%Y%m%d-%H%M%S)"
json="$PWD/$out/samples-$stamp.jsonl"
log="$out/rust-$stamp.log"

echo "load at start: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores; rustc $(rustc --version | cut -d' ' -f2)"

cargo build --release --quiet -p autotask-sim --bin autotask-sim
cargo build --release --quiet -p autotask-bench-support --bin fixed-page-server
cargo bench --quiet -p autotask --bench decode --bench paging --no-run

python=""
if [ -z "${NO_PYTHON:-}" ] && command -v python3 >/dev/null 2>&1; then
    if [ ! -x "$venv/bin/python" ]; then
        python3 -m venv "$venv"
    fi
    "$venv/bin/pip" install --quiet --disable-pip-version-check py-autotask==2.3.0 requests
    python="$venv/bin/python"
    echo "python side: $("$python" --version), py-autotask $("$python" -c 'import importlib.metadata as m; print(m.version("py-autotask"))')"
else
    echo "python side: skipped (no python3, or NO_PYTHON set): the Rust benches run alone"
fi

pids=()
cleanup() {
    for pid in "${pids[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
}
trap cleanup EXIT

# Starts a server in the background (its pid kept for the cleanup), waits for its "base URL ..." line
# and sets `url` to the URL. Not called in a $(...) subshell: the pid must reach `pids`.
start_server() {
    local name="$1"
    shift
    local file="$out/$name.out"
    "$@" >"$file" 2>"$out/$name.err" &
    pids+=("$!")
    local i
    for i in $(seq 600); do
        if grep -q 'base URL' "$file" 2>/dev/null; then
            url=$(sed -nE 's/.*base URL (http[^ ]*).*/\1/p' "$file" | head -n 1)
            return
        fi
        sleep 0.1
    done
    echo "$name did not start; see $out/$name.err" >&2
    exit 1
}

url=""
start_server fixed target/release/fixed-page-server --port 0
fixed_url="$url"
echo "fixed-page-server: $fixed_url"
sim_args=()
sim_env=()
latency_list=""
for ms in $latencies; do
    start_server "sim-$ms" target/release/autotask-sim --port 0 --tickets "$tickets" \
        --notes-per-ticket 0 --threshold 100000000 --latency-ms "$ms"
    echo "autotask-sim --latency-ms $ms: $url"
    sim_args+=(--sim "$ms=$url")
    sim_env+=("BENCH_SIM_URL_$ms=$url")
    latency_list="${latency_list:+$latency_list,}$ms"
done

for round in $(seq "$rounds"); do
    echo "round $round of $rounds (load $(cut -d' ' -f1-3 /proc/loadavg))"
    if [ -n "$python" ]; then
        nice "$python" scripts/bench_peers.py run --fixed "$fixed_url" "${sim_args[@]}" --round "$round" \
            --min-secs "$min_secs" --json "$json"
    fi
    benches="decode${latency_list:+ paging}"
    for bench in $benches; do
        env BENCH_ROUNDS=1 BENCH_ROUND="$round" BENCH_JSON="$json" BENCH_MIN_SECS="$min_secs" \
            BENCH_FIXED_URL="$fixed_url" BENCH_LATENCIES_MS="$latency_list" "${sim_env[@]}" \
            nice cargo bench --quiet -p autotask --bench "$bench" >>"$log"
        echo "  rust $bench: done"
    done
done

# Memory: each SDK paging case alone in its own process against the external simulator (0 ms), so the
# peak RSS is the client's own.
memory=""
first_ms="${latency_list%%,*}"
for case in ${latency_list:+"sdk stream()" "sdk parallel(3)" "sdk 3 partitions"}; do
    peak=$(env BENCH_ROUNDS=1 BENCH_CASES="$case" BENCH_LATENCIES_MS="$first_ms" "${sim_env[@]}" \
        nice cargo bench --quiet -p autotask --bench paging | sed -nE 's/^peak RSS of this process so far: ([^ ]+ [^ ]+).*/\1/p')
    memory="$memory
- $case, all $tickets tickets at $first_ms ms, alone in its process: peak RSS $peak"
done

echo
echo "# Side by side: $rounds rounds, load at end $(cut -d' ' -f1-3 /proc/loadavg)"
if command -v python3 >/dev/null 2>&1; then
    python3 scripts/bench_peers.py report --json "$json"
else
    cat "$log"
fi
echo
echo "## memory$memory"
echo
echo "samples: $json; Rust tables of each round: $log"
