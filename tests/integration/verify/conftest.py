"""A project directory with copies of the shop fixture, as a user's repository would have."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "verify"


@pytest.fixture
def shop_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """tmp_path holding baseline_app.py, shop_setup.py, scenarios and a pyproject.toml."""
    shutil.copy(FIXTURES / "shop_app.py", tmp_path / "baseline_app.py")
    shutil.copy(FIXTURES / "shop_setup.py", tmp_path / "shop_setup.py")
    shutil.copy(FIXTURES / "shop_scenarios.yaml", tmp_path / "scenarios.yaml")
    (tmp_path / "pyproject.toml").write_text(
        '[tool.decompose.verify]\nsetup = "shop_setup:prepare"\nseed = 7\n'
        'scenarios = ["scenarios.yaml"]\nbaseline = "baseline_app:app"\n'
        'candidate = "candidate_app:app"\n'
        '[tool.decompose.verify.env]\nSHOP_DB = "{workdir}/shop.sqlite3"\n',
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    # run directories (kept when a target fails, for its log) go under the test's tmp_path
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    return tmp_path


def _plant(project: Path, old: str, new: str) -> None:
    source = (project / "baseline_app.py").read_text(encoding="utf-8")
    assert source.count(old) == 1, f"the fixture no longer contains {old!r} exactly once"
    (project / "candidate_app.py").write_text(source.replace(old, new), encoding="utf-8")


@pytest.fixture
def plant() -> Callable[[Path, str, str], None]:
    """``plant(project, old, new)`` writes candidate_app.py: the baseline with one change."""
    return _plant
