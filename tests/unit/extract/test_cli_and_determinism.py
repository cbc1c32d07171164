"""The command line: exit codes, --check, --dry-run, bad input; and byte-identical output."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from decompose.cli import main
from decompose.extract import plan_extraction

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "extract"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copytree(FIXTURES / "url_for_between_domains", tmp_path / "proj")
    # analyze reads the domains from here when the CLI runs
    (tmp_path / "proj" / "decompose.toml").write_text(
        '[domains.auth]\nrules = ["/login"]\n\n[domains.shop]\nrules = ["/catalog", "/cart", "/checkout"]\n'
    )
    return tmp_path / "proj"


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def test_write_then_check_then_drift(project: Path, tmp_path: Path) -> None:
    out = str(tmp_path / "out")
    code, output = _run("extract", str(project / "app.py"), "--out", out)
    assert code == 0, output
    assert "self-check: passed" in output
    assert "2 domains (auth, shop)" in output
    code, output = _run("extract", str(project / "app.py"), "--out", out, "--check")
    assert (code, output) == (0, f"{out} is up to date\n")
    (tmp_path / "out" / "webapp" / "shop" / "routes.py").write_text("# edited by hand\n")
    code, output = _run("extract", str(project / "app.py"), "--out", out, "--check")
    assert code == 1
    assert "webapp/shop/routes.py" in output


def test_dry_run_prints_plan_and_diffs_and_writes_nothing(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, output = _run("extract", str(project / "app.py"), "--out", str(out), "--dry-run")
    assert code == 0, output
    assert "webapp/auth/routes.py" in output
    assert "+++ b/webapp/shop/routes.py" in output
    assert '+@bp.route("/checkout", methods=["POST"])' in output
    assert not out.exists()


def test_no_import_check_is_reported(project: Path, tmp_path: Path) -> None:
    code, output = _run("extract", str(project / "app.py"), "--out", str(tmp_path / "o"), "--no-import-check")
    assert code == 0
    assert "self-check: skipped (--no-import-check)" in output


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such file"),
        (b"def broken(:\n", "syntax error"),
        (b"\x00\x01\x02binary", "binary file"),
        (b"caf\xe9 = 1\n", "not UTF-8"),
        (b"", "empty"),
        (b"x = 1\n", "no module-level Flask app"),
    ],
)
def test_bad_input_is_one_sentence_and_exit_2(tmp_path: Path, content: bytes | None, message: str) -> None:
    app = tmp_path / "app.py"
    if content is not None:
        app.write_bytes(content)
    code, output = _run("extract", str(app), "--out", str(tmp_path / "out"))
    assert code == 2
    assert message in output
    assert "Traceback" not in output
    assert len(output.strip().splitlines()) == 1


def test_conflicting_options_exit_2(project: Path, tmp_path: Path) -> None:
    code, output = _run("extract", str(project / "app.py"), "--out", "x", "--check", "--dry-run")
    assert code == 2 and "exclude each other" in output
    code, output = _run("extract", str(project / "app.py"))
    assert code == 2 and "--out" in output


def test_output_is_byte_identical_across_runs(project: Path) -> None:
    domains = json.loads((project / "case.json").read_text())["domains"]
    first, _ = plan_extraction(project / "app.py", endpoint_domains=domains)
    second, _ = plan_extraction(project / "app.py", endpoint_domains=domains)
    assert [(f.path, f.content) for f in first.files] == [(f.path, f.content) for f in second.files]
