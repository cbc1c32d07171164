"""Gate parsing and evaluation: pass, fail, relative, missing metric, tolerance."""

from __future__ import annotations

import pytest

from decompose.bench.gates import evaluate, locust_half_bucket, parse_gate, parse_gates
from decompose.bench.results import BenchResult, CapacityResult, EndpointResult, Stats, TargetResult
from decompose.errors import ConfigError


def target(
    name: str,
    *,
    rps: float,
    p95: float,
    rss: float | None,
    queries: float | None = 2.0,
    capacity: int | None = None,
) -> TargetResult:
    overall = Stats(
        requests=1000, failures=0, rps=rps, p50=p95 / 2, p95=p95, p99=p95 * 2, queries=queries
    )
    cached = Stats(requests=500, rps=rps / 2, p95=p95, queries=1.0)
    return TargetResult(
        name=name,
        app=f"{name}.app:app",
        server="sync x1",
        overall=overall,
        endpoints=(EndpointResult("words", "GET", "/words", "cached", cached),),
        groups=(("cached", cached),),
        rss_mb=rss,
        capacity=None if capacity is None else CapacityResult("p95 <= 100 ms", capacity),
    )


def result(*targets: TargetResult, quick: bool = False) -> BenchResult:
    return BenchResult(profile="test", quick=quick, started_at="", targets=targets)


LEGACY = target("legacy", rps=100.0, p95=900.0, rss=200.0, capacity=5)


def outcome_of(gates_toml: dict, *targets: TargetResult, quick: bool = False):
    gates = parse_gates(gates_toml)
    outcomes = evaluate(gates, result(*targets, quick=quick))
    assert len(outcomes) == 1
    return outcomes[0]


# ----------------------------------------------------------------------------- parsing


@pytest.mark.parametrize(
    ("expression", "metric", "op", "value", "relative"),
    [
        ("p95 < 100ms", "p95", "<", 100.0, False),
        ("p95<0.1s", "p95", "<", 100.0, False),
        ("rps >= 1000", "rps", ">=", 1000.0, False),
        ("rps >= 1000 req/s", "rps", ">=", 1000.0, False),
        ("rss <= 0.5 * baseline", "rss", "<=", 0.5, True),
        ("rps >= baseline * 10", "rps", ">=", 10.0, True),
        ("rss <= 512MB", "rss", "<=", 512.0, False),
        ("rss <= 1GB", "rss", "<=", 1024.0, False),
        ("failure_rate < 1%", "failure_rate", "<", 1.0, False),
        ("queries <= baseline", "queries", "<=", 1.0, True),
    ],
)
def test_parse_gate(expression, metric, op, value, relative):
    gate = parse_gate(expression, "overall")
    assert (gate.metric, gate.op, gate.value, gate.relative) == (metric, op, value, relative)


@pytest.mark.parametrize(
    ("expression", "scope", "message"),
    [
        ("p97 < 100ms", "overall", "unknown metric 'p97'"),
        ("p95 less than 100", "overall", "is not '<metric> <op> <threshold>'"),
        ("p95 < 100MB", "overall", "p95 is a latency but '100MB' is a memory"),
        ("rss < 100MB", "group:cached", "put 'rss < 100MB' under [overall]"),
        ("users >= 10", "overall", "put 'users >= 10' under [capacity]"),
        ("p95 < 100ms", "capacity", "[capacity] only has the metric 'users'"),
        ("p95 < 100 parsecs", "overall", "unknown unit"),
    ],
)
def test_parse_gate_errors_name_the_problem(expression, scope, message):
    with pytest.raises(ConfigError) as info:
        parse_gate(expression, scope, "gates.toml: overall.gates[0]")
    assert str(info.value).startswith("gates.toml: overall.gates[0]: ")
    assert message in str(info.value)


def test_parse_gates_file_scopes_and_settings():
    gates = parse_gates(
        {
            "baseline": "legacy",
            "latency_tolerance": "10ms",
            "overall": {"gates": ["rps >= 1000"]},
            "groups": {"cached": {"gates": ["p95 < 100ms"]}},
            "endpoints": {"GET /words": {"gates": ["p99 < 1s"]}},
            "capacity": {"gates": ["users >= 10 * baseline"]},
        }
    )
    assert [g.scope for g in gates.gates] == [
        "overall",
        "group:cached",
        "endpoint:GET /words",
        "capacity",
    ]
    assert gates.baseline == "legacy"
    assert gates.latency_tolerance == 10.0


def test_parse_gates_rejects_unknown_keys_with_their_path():
    with pytest.raises(ConfigError, match=r"gates.toml: overal is not a known key"):
        parse_gates({"overal": {"gates": []}}, "gates.toml")
    with pytest.raises(ConfigError, match=r"groups.cached must be a table with one key"):
        parse_gates({"groups": {"cached": {"gate": ["p95 < 1ms"]}}}, "gates.toml")


def test_the_shipped_gates_file_parses():
    from pathlib import Path

    from decompose.bench.gates import load_gates

    gates = load_gates(Path(__file__).parents[3] / "benchmarks" / "gates.toml")
    assert gates.baseline == "legacy"
    assert any(g.scope == "capacity" for g in gates.gates)


# ----------------------------------------------------------------------------- evaluation


def test_absolute_gate_passes():
    candidate = target("candidate", rps=1500.0, p95=80.0, rss=90.0)
    outcome = outcome_of(
        {"baseline": "legacy", "overall": {"gates": ["rps >= 1000"]}}, LEGACY, candidate
    )
    assert outcome.status == "pass"
    assert outcome.target == "candidate"
    assert outcome.actual == 1500.0


def test_absolute_gate_fails_and_says_by_how_much():
    candidate = target("candidate", rps=812.5, p95=80.0, rss=90.0)
    outcome = outcome_of(
        {"baseline": "legacy", "overall": {"gates": ["rps >= 1000"]}}, LEGACY, candidate
    )
    assert outcome.status == "fail"
    assert outcome.failed
    assert "rps = 812 req/s, needs >= 1,000 req/s" in outcome.message.replace("812.5", "812")
    assert "missed by 188 req/s" in outcome.message or "missed by 187" in outcome.message
    assert "18.8%" in outcome.message


def test_relative_gate_uses_the_baseline_value():
    passing = target("candidate", rps=1200.0, p95=80.0, rss=99.0)
    failing = target("candidate", rps=900.0, p95=80.0, rss=150.0)
    gates = {"baseline": "legacy", "overall": {"gates": ["rss <= 0.5 * baseline"]}}
    good = outcome_of(gates, LEGACY, passing)
    assert good.status == "pass"
    assert good.threshold == 100.0
    bad = outcome_of(gates, LEGACY, failing)
    assert bad.status == "fail"
    assert "0.5 x legacy 200 MB" in bad.message
    assert "missed by 50 MB" in bad.message


def test_relative_gate_on_a_group_and_capacity():
    candidate = target("candidate", rps=1200.0, p95=80.0, rss=99.0, capacity=40)
    group = outcome_of(
        {"baseline": "legacy", "groups": {"cached": {"gates": ["rps >= 10 * baseline"]}}},
        LEGACY,
        candidate,
    )
    assert group.status == "pass" and group.threshold == 500.0
    capacity = outcome_of(
        {"baseline": "legacy", "capacity": {"gates": ["users >= 10 * baseline"]}}, LEGACY, candidate
    )
    assert capacity.status == "fail"
    assert "users = 40 users, needs >= 50 users" in capacity.message


def test_missing_metric_fails_and_says_so():
    candidate = target("candidate", rps=1200.0, p95=80.0, rss=None, queries=None)
    for expression in ("rss <= 100MB", "queries <= 1"):
        outcome = outcome_of(
            {"baseline": "legacy", "overall": {"gates": [expression]}}, LEGACY, candidate
        )
        assert outcome.status == "missing"
        assert outcome.failed
        assert "was not measured" in outcome.message


def test_missing_scope_and_missing_baseline_fail():
    candidate = target("candidate", rps=1200.0, p95=80.0, rss=90.0)
    scope = outcome_of(
        {"baseline": "legacy", "groups": {"search": {"gates": ["p95 < 100ms"]}}}, LEGACY, candidate
    )
    assert scope.status == "missing" and "no such scope" in scope.message
    no_baseline = outcome_of({"overall": {"gates": ["rps >= 10 * baseline"]}}, candidate)
    assert no_baseline.status == "missing" and "needs a baseline" in no_baseline.message
    baseline_without_number = target("legacy", rps=100.0, p95=900.0, rss=None)
    relative = outcome_of(
        {"baseline": "legacy", "overall": {"gates": ["rss <= 0.5 * baseline"]}},
        baseline_without_number,
        candidate,
    )
    assert relative.status == "missing" and "not measured on legacy" in relative.message


def test_capacity_gates_are_skipped_in_quick_runs_only():
    candidate = target("candidate", rps=1200.0, p95=80.0, rss=90.0)
    gates = {"baseline": "legacy", "capacity": {"gates": ["users >= 10 * baseline"]}}
    assert outcome_of(gates, LEGACY, candidate, quick=True).status == "skipped"
    assert outcome_of(gates, LEGACY, candidate, quick=False).status == "missing"


@pytest.mark.parametrize(
    ("p95", "tolerance", "status"),
    [
        (90.0, "bucket", "pass"),
        (100.0, "bucket", "pass"),  # Locust's 100 ms bucket holds 95-105 ms: not proven to miss
        (110.0, "bucket", "fail"),
        (100.0, "0ms", "fail"),
        (110.0, "10ms", "fail"),
        (100.0, "10ms", "pass"),
    ],
)
def test_latency_tolerance(p95, tolerance, status):
    candidate = target("candidate", rps=1200.0, p95=p95, rss=90.0)
    gates = {
        "baseline": "legacy",
        "latency_tolerance": tolerance,
        "overall": {"gates": ["p95 < 100ms"]},
    }
    outcome = outcome_of(gates, LEGACY, candidate)
    assert outcome.status == status
    if status == "pass" and p95 >= 100:
        assert "tolerance" in outcome.message


def test_half_bucket_follows_locust_rounding():
    assert locust_half_bucket(50) == 0.5
    assert locust_half_bucket(100) == 5.0
    assert locust_half_bucket(2000) == 50.0


def test_gated_targets_default_to_all_but_the_baseline():
    other = target("other", rps=2000.0, p95=10.0, rss=10.0)
    candidate = target("candidate", rps=2000.0, p95=10.0, rss=10.0)
    gates = parse_gates({"baseline": "legacy", "overall": {"gates": ["rps >= 1000"]}})
    outcomes = evaluate(gates, result(LEGACY, candidate, other))
    assert [o.target for o in outcomes] == ["candidate", "other"]
    only = parse_gates(
        {"baseline": "legacy", "targets": ["other"], "overall": {"gates": ["rps >= 1000"]}}
    )
    assert [o.target for o in evaluate(only, result(LEGACY, candidate, other))] == ["other"]


def test_a_stored_baseline_stands_in_for_a_baseline_target():
    """--baseline benchmarks/results/....json: relative gates read the stored numbers."""
    stored = BenchResult.from_dict(result(LEGACY).as_dict()).targets[0]
    candidate = target("candidate", rps=900.0, p95=80.0, rss=90.0)
    gates = parse_gates({"baseline": "legacy", "overall": {"gates": ["rps >= 10 * baseline"]}})
    (outcome,) = evaluate(gates, result(candidate), baseline=stored)
    assert outcome.status == "fail"
    assert outcome.threshold == 1000.0


def test_a_zero_baseline_is_called_out():
    zero = target("legacy", rps=100.0, p95=900.0, rss=200.0, capacity=0)
    candidate = target("candidate", rps=1200.0, p95=80.0, rss=99.0, capacity=3)
    outcome = outcome_of(
        {"baseline": "legacy", "capacity": {"gates": ["users >= 10 * baseline"]}}, zero, candidate
    )
    assert outcome.status == "pass"
    assert "legacy measured 0" in outcome.message


def test_apply_gates_with_a_stored_result_or_a_target_name(tmp_path):
    from decompose.bench.gates import apply_gates
    from decompose.bench.output import read_results
    from decompose.bench.render import render

    path = tmp_path / "legacy-baseline.json"
    path.write_text(render(result(LEGACY), "json"))
    stored = read_results(path)
    candidate = target("candidate", rps=1200.0, p95=80.0, rss=99.0)
    gates = parse_gates({"baseline": "legacy", "overall": {"gates": ["rps >= 10 * baseline"]}})
    gated = apply_gates(result(candidate), gates, stored)
    assert gated.baseline == "legacy" and [g.status for g in gated.gates] == ["pass"]
    other = target("other", rps=200.0, p95=80.0, rss=99.0)
    by_name = apply_gates(result(LEGACY, candidate, other), gates, "other")
    assert by_name.baseline == "other"
    assert {g.target: g.status for g in by_name.gates} == {"legacy": "fail", "candidate": "fail"}


def test_read_results_rejects_other_files(tmp_path):
    from decompose.bench.output import read_results

    path = tmp_path / "x.json"
    path.write_text('{"targets": [{"name": "x"}]}')
    with pytest.raises(ConfigError, match="is not a results JSON written by decompose bench"):
        read_results(path)
    with pytest.raises(ConfigError, match="cannot read the results file"):
        read_results(tmp_path / "missing.json")
