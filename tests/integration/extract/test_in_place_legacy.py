"""--in-place on a copy of legacy/: its own suite passes unchanged with the default --app."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from decompose.cli import main

REPO = Path(__file__).resolve().parents[3]


@pytest.mark.slow
def test_legacy_suite_passes_after_in_place_extraction(tmp_path: Path) -> None:
    shutil.copytree(
        REPO / "legacy", tmp_path / "legacy",
        ignore=shutil.ignore_patterns("__pycache__", "instance", "*.sqlite3", ".decompose-cache"),
    )
    # the url_map check of --in-place is covered by tests/unit/extract/test_in_place.py; here the
    # proof is the legacy suite itself, so skip the two extra imports to stay inside the budget
    result = CliRunner().invoke(
        main, ["extract", str(tmp_path / "legacy" / "app.py"), "--in-place", "--no-import-check"]
    )
    assert result.exit_code == 0, result.output
    assert "self-check: skipped (--no-import-check)" in result.output
    compat = (tmp_path / "legacy" / "app.py").read_text()
    assert "app = create_app()" in compat and len(compat.splitlines()) < 40
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", "legacy/tests"],
        cwd=tmp_path, capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert " passed" in proc.stdout
