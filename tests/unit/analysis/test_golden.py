"""The JSON reports of the fixture apps and legacy/app.py match their golden files.

Regenerate after an intended change with ``python -m decompose.report.golden`` and review the
diff; this test is what CI runs.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from decompose.report import render
from decompose.report.golden import CASES, GOLDEN_DIR, render_case

REPO = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize("case", sorted(CASES))
def test_report_matches_golden(case: str, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> None:
    monkeypatch.chdir(REPO)
    expected = (REPO / GOLDEN_DIR / f"{case}.json").read_text(encoding="utf-8")
    if case == "legacy":  # analysed once for all the legacy tests
        actual = render(request.getfixturevalue("legacy_result"), "json")
    else:
        actual = render_case(case, REPO)
    assert actual == expected, (
        f"{case}: report differs from {GOLDEN_DIR}/{case}.json; if the change is intended run "
        "`python -m decompose.report.golden` and review the diff"
    )


def test_report_is_byte_identical_across_runs() -> None:
    first = render_case("fx_models", REPO)
    assert render_case("fx_models", REPO) == first
    assert str(REPO) not in first  # no absolute paths
