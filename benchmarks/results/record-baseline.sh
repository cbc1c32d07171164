#!/usr/bin/env bash
# Re-record the legacy baseline with `decompose bench`, on PostgreSQL, with production's worker
# model (one sync gunicorn worker) and the upstream at production latency:
#   legacy-baseline.*  profile default.toml: 50 users, 2 rounds x 30 s, then the capacity ramp
#   legacy-latency.*   profile latency.toml: 1 user, every endpoint equally often, 2 x 45 s
# Each comes as .json (with the machine it was measured on; usable as
# `decompose bench --baseline benchmarks/results/legacy-baseline.json`), .md, .txt and .xml.
#
# Usage: benchmarks/results/record-baseline.sh [extra decompose bench options]
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH="$PWD/.venv/bin:$PATH"

record() {  # record NAME PROFILE [options]
    local name=$1 profile=$2
    shift 2
    local out
    out="$(mktemp -d "${TMPDIR:-/tmp}/decompose-$name.XXXXXX")"
    decompose bench --target legacy=legacy.app:app --profile "benchmarks/profiles/$profile" \
        --output "$out" "$@"
    for ext in json md txt xml; do
        cp "$out/bench.$ext" "benchmarks/results/$name.$ext"
    done
    echo "$name written to benchmarks/results/$name.* (logs in $out/logs)"
}

record legacy-baseline default.toml --capacity "$@"
record legacy-latency latency.toml "$@"
