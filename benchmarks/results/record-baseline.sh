#!/usr/bin/env bash
# Re-record the legacy baseline: a full `decompose bench` run of the legacy app alone under the
# production-like profile (50 users, 2 rounds x 30 s, then the capacity ramp), on PostgreSQL.
# Writes benchmarks/results/legacy-baseline.{json,md,txt,xml}; the JSON carries the machine it
# was measured on and serves as `decompose bench --baseline benchmarks/results/legacy-baseline.json`.
#
# Usage: benchmarks/results/record-baseline.sh [extra decompose bench options]
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH="$PWD/.venv/bin:$PATH"
out="$(mktemp -d "${TMPDIR:-/tmp}/decompose-baseline.XXXXXX")"
decompose bench --target legacy=legacy.app:app --profile benchmarks/profiles/default.toml \
    --capacity --output "$out" "$@"
for ext in json md txt xml; do
    cp "$out/bench.$ext" "benchmarks/results/legacy-baseline.$ext"
done
echo "baseline written to benchmarks/results/legacy-baseline.* (logs in $out/logs)"
