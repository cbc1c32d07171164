"""The worked example: the generated corpus over legacy/ (and extracted/, once it exists).

Slow (three processes each import and seed the legacy app, then ~150 steps run three times):
run with ``pytest -m slow tests/integration/verify``. Needs Redis (the app's login counters).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from decompose.cli import main

REPO = Path(__file__).resolve().parents[3]
CORPUS = REPO / "legacy" / "verify" / "corpus.yaml"

pytestmark = [pytest.mark.slow, pytest.mark.redis]


def verify(monkeypatch: pytest.MonkeyPatch, *args: str) -> tuple[int, dict]:
    monkeypatch.chdir(REPO)
    result = CliRunner().invoke(main, ["verify", "--format", "json", *args])
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, json.loads(result.stdout)


def test_legacy_against_itself_has_no_real_difference(monkeypatch: pytest.MonkeyPatch) -> None:
    if not CORPUS.is_file():
        pytest.skip("legacy/verify/corpus.yaml has not been generated")
    code, report = verify(monkeypatch, "--candidate", "legacy.app:app")
    assert code == 0, [e for e in report["endpoints"] if e["outcome"] in ("differs", "error")]
    assert report["coverage"]["uncovered"] == []


def test_extracted_answers_like_legacy(monkeypatch: pytest.MonkeyPatch) -> None:
    if not (REPO / "extracted" / "wsgi.py").is_file() or not CORPUS.is_file():
        pytest.skip("extracted/ or the corpus does not exist yet")
    code, report = verify(monkeypatch)
    assert report["url_map"]["differences"] == []
    assert code == 0, [e for e in report["endpoints"] if e["outcome"] in ("differs", "error")]
    assert report["coverage"]["uncovered"] == []
