"""Renderers and the analyze command's output options."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from decompose.analysis import analyze
from decompose.cli import main
from decompose.config import Config
from decompose.model import AnalysisResult, Finding, Location, Severity
from decompose.model.serialize import from_dict, to_dict
from decompose.report import FORMATS, render

REPO = Path(__file__).resolve().parents[3]
FX = REPO / "tests" / "fixtures" / "apps"


@pytest.fixture(scope="module")
def result() -> AnalysisResult:
    return analyze(FX / "fx_models" / "app.py", config=Config(), use_cache=False)


def test_json_has_the_documented_keys(result: AnalysisResult) -> None:
    data = json.loads(render(result, "json"))
    assert data["schema_version"] == 1
    assert {"schema_version", "app", "routes", "models", "findings", "domains", "partition", "unhandled"} <= set(data)
    route = data["routes"][0]
    assert {"rule", "methods", "endpoint", "handler", "file", "line", "domain"} <= set(route)
    finding = data["findings"][0]
    assert {"kind", "severity", "file", "line", "message", "evidence", "suggestion", "chain"} <= set(finding)
    assert data["app"]["entry"] == "fx_models/app.py"


def test_json_is_deterministic(result: AnalysisResult) -> None:
    again = analyze(FX / "fx_models" / "app.py", config=Config(), use_cache=False)
    assert render(result, "json") == render(again, "json")


def test_result_round_trips_through_dicts(result: AnalysisResult) -> None:
    assert from_dict(AnalysisResult, json.loads(json.dumps(to_dict(result)))) == result


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_every_format_renders(result: AnalysisResult, fmt: str) -> None:
    text = render(result, fmt)
    assert "fx_models" in text
    assert "/authors" in text


def test_markdown_has_findings_with_evidence(result: AnalysisResult) -> None:
    text = render(result, "markdown")
    assert "## Findings" in text and "```python" in text and "Suggested fix:" in text


def test_output_file_and_fail_on(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    runner = CliRunner()
    app = str(FX / "fx_models" / "app.py")
    ok = runner.invoke(main, ["analyze", app, "--no-cache", "--format", "json", "--output", str(out)])
    assert ok.exit_code == 0, ok.output
    assert ok.stdout == ""
    assert json.loads(out.read_text())["schema_version"] == 1
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]  # no temporary left behind
    failed = runner.invoke(main, ["analyze", app, "--no-cache", "--format", "json", "-o", str(out), "--fail-on", "high"])
    assert failed.exit_code == 1
    assert "at or above high" in failed.stderr
    passed = runner.invoke(main, ["analyze", str(FX / "fx_alias_from" / "app.py"), "--no-cache", "--fail-on", "low", "--format", "json"])
    assert passed.exit_code == 0, passed.stderr


def test_output_into_missing_directory(tmp_path: Path) -> None:
    r = CliRunner().invoke(main, ["analyze", str(FX / "fx_alias_from" / "app.py"), "--no-cache", "-o", str(tmp_path / "no" / "r.json"), "--format", "json"])
    assert r.exit_code == 2 and "does not exist" in r.stderr


def test_terminal_summary_via_cli() -> None:
    r = CliRunner().invoke(main, ["analyze", str(FX / "fx_blueprints"), "--no-cache"])
    assert r.exit_code == 0, r.stderr
    assert "decompose analyze: fx_blueprints/__init__.py" in r.stdout
    assert "admin.ban" in r.stdout and "split quality" in r.stdout


def test_config_option(tmp_path: Path) -> None:
    cfg = tmp_path / "decompose.toml"
    cfg.write_text('[domains.books]\nrules = ["/books"]\n[domains.authors]\nrules = ["/authors"]\n')
    r = CliRunner().invoke(main, ["analyze", str(FX / "fx_models" / "app.py"), "--no-cache", "--format", "json", "--config", str(cfg)])
    assert r.exit_code == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["partition"]["source"] == "config"
    assert {x["domain"] for x in data["routes"]} == {"books", "authors", None}
    assert any(f["kind"] == "domain.unassigned_route" for f in data["findings"])
    bad = tmp_path / "bad.toml"
    bad.write_text("[domains.books]\nrulez = []\n")
    r = CliRunner().invoke(main, ["analyze", str(FX / "fx_models" / "app.py"), "--no-cache", "--config", str(bad)])
    assert r.exit_code == 2 and "domains.books.rulez: unknown key" in r.stderr


def test_severity_order() -> None:
    f = Finding("x", Severity.MEDIUM, Location("a.py", 1), "m")
    assert f.severity >= Severity.LOW and not f.severity >= Severity.HIGH
    assert Severity.parse(" High ") == Severity.HIGH
