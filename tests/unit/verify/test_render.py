from __future__ import annotations

import json
from xml.etree import ElementTree as ET

from decompose.model.verify import (
    Difference,
    EndpointResult,
    StepResult,
    UrlMapDifference,
    VerifyReport,
)
from decompose.verify.render import RENDERERS, render_json, render_junit, render_table
from decompose.verify.runner import fold


def steps() -> tuple[StepResult, ...]:
    return (
        StepResult("s", 1, "a", "GET", "/a", "GET /a", "same"),
        StepResult("s", 2, "b", "GET", "/a", "GET /a", "noise only", noise=("$.t", "$.x[0].at", "$.x[1].at")),
        StepResult("s", 3, "c", "POST", "/b", "POST /b", "differs", (Difference("status", "201", "200"),)),
        StepResult("s", 4, "d", "GET", "/c", "GET /c", "error", error="the baseline raised X"),
    )


def report(**extra) -> VerifyReport:
    return VerifyReport(
        "a:app", "b:app", "import", True, steps=steps(), endpoints=fold(steps()),
        uncovered=("GET /d",), routes_total=4, **extra,
    )


def test_fold_keeps_the_worst_step_per_endpoint() -> None:
    rows = {e.endpoint: e for e in fold(steps())}
    assert rows["GET /a"] == EndpointResult(
        "GET /a", "noise only", 2, noise=("$.t", "$.x[0].at", "$.x[1].at")
    )
    assert rows["POST /b"].first_difference == Difference("status", "201", "200")
    assert rows["POST /b"].first_step == "s #3"
    assert rows["GET /c"].error == "the baseline raised X"


def test_json_is_complete_and_stable() -> None:
    data = json.loads(render_json(report()))
    assert data["schema_version"] == 1 and data["exit_code"] == 1
    assert data["coverage"] == {"routes": 4, "covered": 3, "uncovered": ["GET /d"]}
    assert render_json(report()) == render_json(report())


def test_table_mentions_difference_noise_and_coverage() -> None:
    text = render_table(report(url_map=(UrlMapDifference("missing", "/x", "x [GET]", "-"),)))
    for expected in ("URL map differences", "POST /b", "status (s #3)", "$.t", "GET /d", "1 differs"):
        assert expected in text
    assert "$.x[*].at (1)" in text and "$.x[0].at" not in text


def test_junit_counts() -> None:
    root = ET.fromstring(render_junit(report()))
    suite = root.find("testsuite")
    assert suite is not None
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors"), suite.get("skipped")) == ("5", "1", "1", "1")


def test_registry() -> None:
    assert set(RENDERERS) == {"table", "json", "junit"}
