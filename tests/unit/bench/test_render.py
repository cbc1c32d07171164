"""Renderers: every format from the same result; JSON round-trips; JUnit is valid XML."""

from __future__ import annotations

import json
from xml.etree import ElementTree as ET

from decompose.bench.render import RENDERERS, render
from decompose.bench.results import (
    BenchResult,
    CapacityResult,
    CapacityStep,
    EndpointResult,
    GateOutcome,
    Stats,
    TargetResult,
)


def sample() -> BenchResult:
    def target(name: str, rps: float) -> TargetResult:
        stats = Stats(
            requests=100,
            failures=1,
            rps=rps,
            avg=12.0,
            p50=10,
            p90=20,
            p95=30,
            p99=40,
            max=50,
            queries=6.0,
        )
        return TargetResult(
            name=name,
            app=f"{name}:app",
            server="sync x1, timeout 120, keep-alive 2",
            overall=stats,
            endpoints=(EndpointResult("item owners", "GET", "/items/owners", "n+1", stats),),
            groups=(("n+1", stats),),
            rss_mb=52.0,
            uss_mb=38.0,
            workers=1,
            server_cpu=55.0,
            loadgen_cpu=91.0,
            loadgen_cpu_max_process=91.0,
            machine_cpu=99.0,
            measured_s=10.0,
            capacity=CapacityResult(
                "p95 <= 100 ms",
                2,
                (CapacityStep(1, 20, 0, 50, True), CapacityStep(2, 200, 0, 60, False)),
            ),
            warnings=("the load generator used 91% of a core",),
        )

    return BenchResult(
        profile="fixture",
        quick=False,
        started_at="2026-11-28T18:00:00Z",
        machine={"cpus": 2, "hostname": "box"},
        targets=(target("legacy", 100.0), target("candidate", 1000.0)),
        gates=(
            GateOutcome(
                "candidate",
                "overall",
                "rps >= 2000",
                "fail",
                1000.0,
                2000.0,
                "req/s",
                "candidate overall: missed by 1,000 req/s",
            ),
            GateOutcome("candidate", "capacity", "users >= 1", "pass", 2.0, 1.0, "users", "ok"),
        ),
        baseline="legacy",
        settings={"users": 50, "rounds": 2, "duration_s": 30.0},
    )


def test_every_format_renders():
    for fmt in RENDERERS:
        assert render(sample(), fmt).strip()


def test_json_round_trips():
    result = sample()
    again = BenchResult.from_dict(json.loads(render(result, "json")))
    assert again == result


def test_table_puts_targets_side_by_side_with_warnings_and_gates():
    text = render(sample(), "table")
    header = next(line for line in text.splitlines() if "[legacy]" in line)
    assert header.index("[legacy]") < header.index("[candidate]")
    assert "item owners" in text and "6.0" in text
    assert "warning: legacy: the load generator used 91% of a core" in text
    assert "FAIL" in text and "1 of 2 gates failed" in text


def test_junit_has_one_case_per_gate_and_target():
    root = ET.fromstring(render(sample(), "junit").split("?>", 1)[1])
    assert root.get("tests") == "4" and root.get("failures") == "1"
    failure = root.find("testcase/failure")
    assert failure is not None and "missed by" in failure.get("message", "")


def test_markdown_has_tables_and_capacity():
    text = render(sample(), "markdown")
    assert "| endpoint | group |" in text
    assert "**candidate**: 2 users" in text
    assert "## Gates" in text
