"""Planted regressions in a copy of the shop fixture: verify must catch each one (exit 1),
and must stay quiet (exit 0) about noise: a uuid, timestamps, a random login token."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from decompose.cli import main


def run_verify(*args: str) -> tuple[int, dict]:
    result = CliRunner().invoke(main, ["verify", "--format", "json", *args])
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, json.loads(result.stdout)


def endpoint(report: dict, name: str) -> dict:
    return next(e for e in report["endpoints"] if e["endpoint"] == name)


def test_an_unchanged_copy_is_the_same_and_noise_is_not_reported(shop_project: Path, plant) -> None:
    plant(shop_project, "# planted: missing key", "# unchanged")
    code, report = run_verify()
    assert code == 0
    assert report["passed"] and report["coverage"]["uncovered"] == []
    login = endpoint(report, "POST /login")
    assert login["outcome"] == "noise only"
    assert {"$.access_token", "$.issued_at"} <= set(login["noise"])
    create = endpoint(report, "POST /items")
    assert {"$.uuid", "$.created_at"} <= set(create["noise"])
    # seeded random is identical in every run, so it is compared, not ignored
    assert endpoint(report, "GET /lucky")["outcome"] == "same"
    # so is a path inside each run's own directory, shown as {workdir}
    assert endpoint(report, "GET /where")["outcome"] == "same"


@pytest.mark.parametrize(
    ("old", "new", "where", "step", "path"),
    [
        ("return jsonify(item), 201", "return jsonify(item), 200", "POST /items", "create", "status"),
        ('"price": row["price"],  # planted: missing key', "", "GET /items", "GET /items", "$.items[0].price"),
        ('ORDER BY id")', 'ORDER BY id DESC")', "GET /items", "GET /items", "$.items[0].id"),
        ("_CACHE.clear()  # planted: stale cache", "pass", "GET /stats", "stats after create", "$.count"),
    ],
    ids=["changed-status", "missing-key", "reordered-list", "stale-cache"],
)
def test_a_planted_regression_is_caught(
    shop_project: Path, plant, old: str, new: str, where: str, step: str, path: str
) -> None:
    plant(shop_project, old, new)
    code, report = run_verify()
    assert code == 1
    row = endpoint(report, where)
    assert row["outcome"] == "differs"
    assert row["first_difference"]["path"] == path
    first = next(s for s in report["steps"] if s["differences"])
    assert first["name"] == step  # the first step that shows it, e.g. the read after the write
    # nothing that is only noise is reported as a difference
    flagged = {d["path"] for s in report["steps"] for d in s["differences"]}
    assert not flagged & {"$.uuid", "$.created_at", "$.issued_at", "$.access_token", "$.server_time"}


def test_a_stale_cache_shows_both_values(shop_project: Path, plant) -> None:
    plant(shop_project, "_CACHE.clear()  # planted: stale cache", "pass")
    result = CliRunner().invoke(main, ["verify"])
    assert result.exit_code == 1
    assert "baseline and candidate differ" in result.stderr
    lines = [line for line in result.stdout.splitlines() if "GET /stats" in line]
    assert lines and "differs" in lines[0] and "$.count" in lines[0]
    assert "4" in lines[0] and "3" in lines[0]  # baseline saw the write, candidate the cache


def test_blueprint_prefix_is_not_a_difference_but_a_rename_is(shop_project: Path, plant) -> None:
    plant(shop_project, "# planted: missing key", "# unchanged")
    code, report = run_verify("--candidate", "candidate_app:blueprint_app")
    assert code == 0 and report["url_map"]["differences"] == []
    # a body that names the endpoint shows the planned rename: listed, not a difference
    meta = endpoint(report, "GET /meta")
    assert meta["outcome"] == "noise only"
    assert meta["noise"] == [
        '$.endpoint (endpoint rename "shop.meta")',
        '$.hits.meta (endpoint rename <missing>)',
        '$.hits["shop.meta"] (endpoint rename 1)',
    ]
    plant(shop_project, '"/stats", "stats", stats', '"/stats", "statistics", stats')
    code, report = run_verify()
    assert code == 1
    assert report["url_map"]["differences"] == [
        {"kind": "endpoint", "rule": "/stats", "baseline": "stats", "candidate": "statistics"}
    ]
