"""Helpers for the analysis tests: write a tiny project into tmp_path and analyse it."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from decompose.analysis import analyze
from decompose.config import Config
from decompose.model import AnalysisResult


@pytest.fixture
def project(tmp_path: Path) -> Callable[..., Path]:
    """``project({"app.py": "...", "models.py": "..."})`` -> path of the first file."""

    def make(files: dict[str, str]) -> Path:
        first = None
        for name, text in files.items():
            target = tmp_path / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
            first = first or target
        assert first is not None
        return first

    return make


@pytest.fixture
def run(project: Callable[..., Path]) -> Callable[..., AnalysisResult]:
    """Analyse inline sources (no cache, no config)."""

    def go(files: dict[str, str], config: Config | None = None) -> AnalysisResult:
        return analyze(project(files), config=config or Config(), use_cache=False)

    return go


REPO = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="session")
def legacy_result() -> AnalysisResult:
    """legacy/app.py analysed once per test session (with its own legacy/decompose.toml)."""
    return analyze(REPO / "legacy" / "app.py", use_cache=False)
