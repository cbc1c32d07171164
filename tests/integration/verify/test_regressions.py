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


@pytest.mark.parametrize(
    ("old", "new", "where", "path"),
    [
        ("return jsonify(item), 201", "return jsonify(item), 200", "POST /items", "status"),
        ('"price": row["price"],  # planted: missing key', "", "GET /items", "$.items[0].price"),
        ('ORDER BY id")', 'ORDER BY id DESC")', "GET /items", "$.items[0].id"),
        ("_CACHE.clear()  # planted: stale cache", "pass", "GET /stats", "$.count"),
    ],
    ids=["changed-status", "missing-key", "reordered-list", "stale-cache"],
)
def test_a_planted_regression_is_caught(
    shop_project: Path, plant, old: str, new: str, where: str, path: str
) -> None:
    plant(shop_project, old, new)
    code, report = run_verify()
    assert code == 1
    row = endpoint(report, where)
    assert row["outcome"] == "differs"
    assert row["first_difference"]["path"] == path
    # nothing that is only noise is reported as a difference
    flagged = {d["path"] for s in report["steps"] for d in s["differences"]}
    assert not flagged & {"$.uuid", "$.created_at", "$.issued_at", "$.access_token", "$.server_time"}


def test_stale_cache_names_the_read_after_the_write(shop_project: Path, plant) -> None:
    plant(shop_project, "_CACHE.clear()  # planted: stale cache", "pass")
    _, report = run_verify()
    step = next(s for s in report["steps"] if s["differences"])
    assert step["name"] == "stats after create"
    assert step["differences"][0] == {"path": "$.count", "baseline": "4", "candidate": "3"}


def test_blueprint_prefix_is_not_a_difference_but_a_rename_is(shop_project: Path, plant) -> None:
    plant(shop_project, "# planted: missing key", "# unchanged")
    code, report = run_verify("--candidate", "candidate_app:blueprint_app")
    assert code == 0 and report["url_map"]["differences"] == []
    plant(shop_project, '"/stats", "stats", stats', '"/stats", "statistics", stats')
    code, report = run_verify()
    assert code == 1
    assert report["url_map"]["differences"] == [
        {"kind": "endpoint", "rule": "/stats", "baseline": "stats", "candidate": "statistics"}
    ]


def test_table_and_junit_formats(shop_project: Path, plant) -> None:
    plant(shop_project, 'ORDER BY id")', 'ORDER BY id DESC")')
    result = CliRunner().invoke(main, ["verify"])
    assert result.exit_code == 1
    assert "GET /items" in result.stdout and "differs" in result.stdout
    assert "$.items[0].id" in result.stdout
    assert "baseline and candidate differ" in result.stderr
    junit = CliRunner().invoke(main, ["verify", "--format", "junit", "-o", "out.xml"])
    assert junit.exit_code == 1
    xml = (shop_project / "out.xml").read_text(encoding="utf-8")
    assert 'name="GET /items"' in xml and "<failure" in xml
