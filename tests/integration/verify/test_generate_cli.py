"""`verify --generate` on a fixture app: analyze's inventory in, a replayable corpus out."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from decompose.cli import main
from decompose.verify import scenario

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "verify"

CONFIG = """\
[tool.decompose.verify]
baseline = "notes_app:app"
candidate = "candidate_app:app"
setup = "notes_setup:prepare"
scenarios = ["corpus.yaml"]

[tool.decompose.verify.generate]
app = "notes_app.py"
output = "corpus.yaml"
values = { username = "demo", password = "pw" }
"""


@pytest.fixture
def notes_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("notes_app.py", "notes_setup.py"):
        shutil.copy(FIXTURES / name, tmp_path / name)
    (tmp_path / "pyproject.toml").write_text(CONFIG, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_generate_then_verify_covers_every_route(notes_project: Path) -> None:
    result = CliRunner().invoke(main, ["verify", "--generate"])
    assert result.exit_code == 0, result.output
    assert "Wrote 13 steps in 5 scenarios to" in result.stdout
    corpus = scenario.load(notes_project / "corpus.yaml")
    assert corpus.scenarios[0].steps[0].json == {"password": "pw", "username": "demo"}

    shutil.copy(notes_project / "notes_app.py", notes_project / "candidate_app.py")
    same = CliRunner().invoke(main, ["verify", "--format", "json"])
    assert same.exit_code == 0, same.output
    report = json.loads(same.stdout)
    assert report["coverage"] == {"routes": 7, "covered": 7, "uncovered": []}
    # the login really worked: the reads after it were authorised
    assert {s["status"] for s in report["steps"] if s["endpoint"] == "GET /notes"} == {200}
    assert {s["status"] for s in report["steps"] if s["endpoint"] == "POST /notes"} == {201}


def test_generate_without_an_app_is_a_usage_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["verify", "--generate"])
    assert result.exit_code == 2 and "--app PATH" in result.stderr
