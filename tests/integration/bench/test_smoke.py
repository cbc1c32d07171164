"""The whole loop on the fixture app: two targets, a few seconds of load, gates, all outputs.

No timed assertions: only that numbers exist, that the query counter saw the known pattern,
and that gates turn into the right exit code and messages.
"""

from __future__ import annotations

import json

from click.testing import CliRunner

from decompose.bench.results import BenchResult
from decompose.cli import main

GATES = """
baseline = "one"
[overall]
gates = ["failure_rate < 50%", "rps >= 1000000", "queries <= 1.5 * baseline"]
[groups."n+1"]
gates = ["queries <= 6"]
[capacity]
gates = ["users >= 1"]
"""


def test_quick_run_side_by_side_with_gates_and_capacity(fixture_root, tmp_path, leftovers):
    gates = tmp_path / "gates.toml"
    gates.write_text(GATES)
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main,
        [
            "bench", "--root", str(fixture_root), "--profile", str(fixture_root / "profile.toml"),
            "--target", "one=benchapp:app", "--target", "two=benchapp:app",
            "--quick", "--capacity", "--gates", str(gates), "--output", str(out),
        ],
    )  # fmt: skip
    # One gate cannot pass on any machine: exit 1, and the message says by how much.
    assert result.exit_code == 1, result.output
    assert "1 of 5 gates failed" in result.output
    assert "two: copying the database seeded for one" in result.output  # reuse_seed
    assert "two overall: rps = " in result.output and "missed by" in result.output

    data = json.loads((out / "bench.json").read_text())
    bench = BenchResult.from_dict(data)
    assert [t.name for t in bench.targets] == ["one", "two"]
    for target in bench.targets:
        assert target.overall.requests > 0
        assert target.rss_mb and target.rss_mb > 0
        assert target.loadgen_cpu is not None
        owners = target.endpoint("item owners")
        items = target.endpoint("items")
        assert owners is not None and items is not None
        assert owners.stats.queries == 6.0  # 1 + 5 lazy loads, counted by the gunicorn hook
        assert items.stats.queries == 1.0
        assert target.capacity is not None and target.capacity.steps
    assert bench.target("two").workers == 2  # the [targets.two.server] override took effect
    statuses = {(g.scope, g.expression): g.status for g in bench.gates}
    assert statuses[("overall", "rps >= 1000000")] == "fail"
    assert statuses[("group:n+1", "queries <= 6")] == "pass"
    assert statuses[("overall", "queries <= 1.5 * baseline")] == "pass"
    for suffix in (".xml", ".md", ".txt"):
        assert (out / f"bench{suffix}").read_text().strip()
    table = (out / "bench.txt").read_text()
    assert "[one]" in table and "[two]" in table
    assert leftovers(str(tmp_path)) == []


def test_distributed_mode_with_one_locust_worker(fixture_root, tmp_path, leftovers):
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main,
        [
            "bench", "--root", str(fixture_root), "--profile", str(fixture_root / "profile.toml"),
            "--target", "one=benchapp:app", "--quick", "--workers", "1", "--format", "json",
            "--output", str(out),
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    bench = BenchResult.from_dict(json.loads((out / "bench.json").read_text()))
    (target,) = bench.targets
    assert target.overall.requests > 0
    assert target.endpoint("item owners").stats.queries == 6.0
    assert bench.settings["locust_workers"] == 1
    assert leftovers(str(tmp_path)) == []


def test_without_a_mix_the_mix_comes_from_analyze(fixture_root):
    result = CliRunner().invoke(
        main,
        ["bench", "--root", str(fixture_root), "--profile", str(fixture_root / "profile.toml"),
         "--target", "one=benchapp:app", "--print-mix"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert '[[mix]]\nname = "GET /items"' in result.output
    assert 'path = "/items/owners"' in result.output
    assert "/login" not in result.output  # POST only
