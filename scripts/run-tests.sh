#!/usr/bin/env bash
# The test command behind `make test`. Exit code 5 from pytest (no test ran) is a failure here.
set -u
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH"
status=0
steps_ok=0
steps_failed=0

run() {
  echo "+ $*"
  "$@"
  rc=$?
  if [ $rc -eq 5 ]; then echo "run-tests: '$*' executed no test; that is a broken run." >&2; rc=1; fi
  if [ $rc -ne 0 ]; then status=1; steps_failed=$((steps_failed + 1)); else steps_ok=$((steps_ok + 1)); fi
  return 0
}

# The toolkit's own tests.
run pytest -q
# The legacy app's behavioural contract, in processes of their own (the app reads its database
# URL at import time): every rule must be requested, on SQLite and on PostgreSQL.
run pytest -q legacy/tests --require-all-rules
run pytest -q legacy/tests --require-all-rules --db postgres
# The same suite, unchanged, against the extracted app.
if [ -f extracted/wsgi.py ]; then
  run pytest -q legacy/tests --require-all-rules --app extracted.wsgi:app
  run pytest -q legacy/tests --require-all-rules --app extracted.wsgi:app --db postgres
fi
# Differential replay of the committed corpus, legacy vs extracted ([tool.decompose.verify]).
run decompose verify --require-coverage --format table
# A quick smoke of the benchmark loop, legacy vs extracted (numbers are not asserted here; the
# gates run in `decompose bench` proper). Results go to a scratch directory.
bench_out=$(mktemp -d)
run decompose bench --quick --output "$bench_out"
rm -rf "$bench_out"
# Golden checks: the analyze report of legacy/ and the committed extracted/ are what the tool
# generates today (regenerate with `python -m decompose.report.golden` and
# `decompose extract legacy/app.py --out extracted`, then review the diff).
run python -m decompose.report.golden --check
run decompose extract legacy/app.py --out extracted --check
# Lint, types and layering: decompose itself, and the generated package's domain boundaries.
run ruff check src tests benchmarks
run mypy
run lint-imports --config .importlinter
if [ -d extracted ]; then
  run bash -c 'cd extracted && ruff check . && lint-imports' 
fi
echo "run-tests steps: $steps_ok passed, $steps_failed failed"
exit $status
