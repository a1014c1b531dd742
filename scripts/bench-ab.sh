#!/usr/bin/env bash
# Before/after of one bench binary, alternated round by round in one run: the bench built at an older
# commit and at the current checkout each run one round in turn, so that both sides see the same load.
#
# Usage: scripts/bench-ab.sh OLD_COMMIT BENCH          e.g. scripts/bench-ab.sh c9528af export
#   ROUNDS=7                 alternated rounds (default 7)
#   AB_DIR=/tmp/bench-ab     where the old sources and their target dir go (default: $TMPDIR/bench-ab)
#   Any BENCH_* variable (BENCH_EXPORT_TICKETS, BENCH_CASES, ...) reaches both sides.
#
# Prints min and median per case and side from the samples (BENCH_JSON lines, kept in AB_DIR). Cases
# that exist on one side only are listed for that side.
set -euo pipefail
cd "$(dirname "$0")/.."
old_commit="${1:?old commit}"
bench="${2:?bench name}"
rounds="${ROUNDS:-7}"
ab_dir="${AB_DIR:-${TMPDIR:-/tmp}/bench-ab}"
src="$ab_dir/src-$old_commit"

binary() { # the bench executable cargo reports for `--no-run`
    cargo bench -p autotask --bench "$bench" --no-run --message-format=json "$@" 2>/dev/null |
        python3 -c 'import json,sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == sys.argv[1] and m.get("executable"):
        print(m["executable"])' "$bench" | tail -n 1
}

if [ ! -d "$src" ]; then
    mkdir -p "$src"
    git archive "$old_commit" | tar -x -C "$src"
fi
new_bin=$(binary)
old_bin=$(cd "$src" && CARGO_TARGET_DIR="$ab_dir/target" binary)
[ -x "$new_bin" ] && [ -x "$old_bin" ] || { echo "bench binaries not built" >&2; exit 1; }

rm -f "$ab_dir/old.jsonl" "$ab_dir/new.jsonl"
echo "old: $old_commit ($old_bin)"
echo "new: $(git rev-parse --short HEAD)$(git diff --quiet || echo ' + changes') ($new_bin)"
echo "load at start: $(cut -d' ' -f1-3 /proc/loadavg)"
for k in $(seq "$rounds"); do
    BENCH_ROUNDS=1 BENCH_ROUND=$k BENCH_JSON="$ab_dir/old.jsonl" "$old_bin" --bench >/dev/null
    BENCH_ROUNDS=1 BENCH_ROUND=$k BENCH_JSON="$ab_dir/new.jsonl" "$new_bin" --bench >/dev/null
done
echo "load at end: $(cut -d' ' -f1-3 /proc/loadavg); $rounds rounds"
python3 - "$ab_dir" <<'PY'
import json, statistics, sys
d = sys.argv[1]
for side in ["old", "new"]:
    cases = {}
    for line in open(f"{d}/{side}.jsonl"):
        s = json.loads(line)
        cases.setdefault(s["case"], []).append(s["seconds"] * 1000)
    for case, ms in cases.items():
        print(f"{side} | {case} | min {min(ms):.1f} ms | median {statistics.median(ms):.1f} ms | n {len(ms)}")
PY
