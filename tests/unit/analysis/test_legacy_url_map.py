"""The routes analyze finds in legacy/app.py equal ``app.url_map`` of the imported legacy app."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest

from decompose.model import AnalysisResult

REPO = Path(__file__).resolve().parents[3]


@pytest.mark.skipif(not (REPO / "legacy" / "app.py").is_file(), reason="legacy/app.py not written yet")
def test_legacy_routes_equal_url_map(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clean_modules: None, legacy_result: AnalysisResult
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'legacy.sqlite3'}")
    monkeypatch.setenv("UPLOAD_FOLDER", str(tmp_path / "uploads"))
    result = legacy_result
    sys.path.insert(0, str(REPO))
    app = importlib.import_module("legacy.app").app
    expected = {(r.rule, r.endpoint, tuple(sorted(r.methods or ()))) for r in app.url_map.iter_rules()}
    inv = result.inventory
    found = {(r.rule, r.endpoint, r.methods) for r in (*inv.routes, *inv.static_routes)}
    assert found == expected, f"missing: {sorted(expected - found)}\nextra: {sorted(found - expected)}"


def test_legacy_config_assigns_every_route(legacy_result: AnalysisResult) -> None:
    result = legacy_result
    assert result.config_file == "legacy/decompose.toml"
    assert result.domains.source == "config"
    assert set(result.domains.domains) == {"auth", "vocabulary", "practice", "images", "content", "gamification"}
    unassigned = [r.rule for r in result.inventory.routes if r.domain is None]
    assert unassigned == []
