"""Bad input: one plain sentence on stderr, exit 2, a traceback only under --debug."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from decompose.cli import main

APP = "from flask import Flask\napp = Flask(__name__)\n\n@app.route('/')\ndef index():\n    return 'x'\n"


def run_cli(*args: str) -> tuple[int, str]:
    """Exit code and stderr (stdout when the command succeeded)."""
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout if result.exit_code == 0 else result.stderr


def assert_one_sentence(code: int, err: str, *needles: str) -> None:
    assert code == 2, err
    lines = [x for x in err.splitlines() if x.strip()]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    for needle in needles:
        assert needle in err, err


def test_missing_path(tmp_path: Path) -> None:
    code, err = run_cli("analyze", str(tmp_path / "nope.py"), "--no-cache")
    assert_one_sentence(code, err, "nope.py", "no such file")


def test_directory_without_flask_app(tmp_path: Path) -> None:
    (tmp_path / "util.py").write_text("def f():\n    return 1\n")
    code, err = run_cli("analyze", str(tmp_path), "--no-cache")
    assert_one_sentence(code, err, "no module in this directory creates a Flask app")


def test_directory_without_python(tmp_path: Path) -> None:
    (tmp_path / "README").write_text("hello")
    code, err = run_cli("analyze", str(tmp_path), "--no-cache")
    assert_one_sentence(code, err, "holds no Python files")


def test_syntax_error_names_file_line_column(tmp_path: Path) -> None:
    bad = tmp_path / "app.py"
    bad.write_text(APP + "\ndef broken(:\n    pass\n")
    code, err = run_cli("analyze", str(bad), "--no-cache")
    assert_one_sentence(code, err, "app.py:8:", "syntax error")


def test_non_utf8_bytes(tmp_path: Path) -> None:
    bad = tmp_path / "app.py"
    bad.write_bytes(APP.encode() + b"# caf\xe9\n")
    code, err = run_cli("analyze", str(bad), "--no-cache")
    assert_one_sentence(code, err, "app.py:7:", "0xe9", "UTF-8")


def test_declared_latin1_is_fine(tmp_path: Path) -> None:
    ok = tmp_path / "app.py"
    ok.write_bytes(b"# -*- coding: latin-1 -*-\n" + APP.encode() + b"# caf\xe9\n")
    code, _ = run_cli("analyze", str(ok), "--no-cache", "--format", "json")
    assert code == 0


def test_empty_file(tmp_path: Path) -> None:
    empty = tmp_path / "app.py"
    empty.write_text("")
    code, err = run_cli("analyze", str(empty), "--no-cache")
    assert_one_sentence(code, err, "empty")


def test_file_without_app(tmp_path: Path) -> None:
    f = tmp_path / "app.py"
    f.write_text("import os\nprint(os.getcwd())\n")
    code, err = run_cli("analyze", str(f), "--no-cache")
    assert_one_sentence(code, err, "no Flask app found")


def test_app_without_routes(tmp_path: Path) -> None:
    f = tmp_path / "app.py"
    f.write_text("from flask import Flask\napp = Flask(__name__)\n")
    code, err = run_cli("analyze", str(f), "--no-cache")
    assert_one_sentence(code, err, "has no routes")


def test_binary_file(tmp_path: Path) -> None:
    f = tmp_path / "app.py"
    f.write_bytes(b"\x7fELF\x02\x01\x01\x00\x00\x00" * 100)
    code, err = run_cli("analyze", str(f), "--no-cache")
    assert_one_sentence(code, err, "binary")


def test_not_python(tmp_path: Path) -> None:
    f = tmp_path / "picture.png"
    f.write_bytes(b"\x89PNG\r\n")
    code, err = run_cli("analyze", str(f), "--no-cache")
    assert_one_sentence(code, err, "not a Python source file")


def test_huge_generated_file(tmp_path: Path) -> None:
    f = tmp_path / "app.py"
    line = "X = " + "1 + " * 60 + "1\n"
    with f.open("w") as fh:
        fh.write(APP)
        for _ in range(9_000_000 // len(line) + 1):
            fh.write(line)
    code, err = run_cli("analyze", str(f), "--no-cache")
    assert_one_sentence(code, err, "MB", "generated", "max_file_bytes")


def test_deeply_nested_generated_file(tmp_path: Path) -> None:
    f = tmp_path / "app.py"
    f.write_text(APP + "X = " + "(" * 5000 + "1" + ")" * 5000 + "\n")
    code, err = run_cli("analyze", str(f), "--no-cache")
    assert code == 2, err
    assert "Traceback" not in err


def test_debug_shows_traceback(tmp_path: Path) -> None:
    code, err = run_cli("--debug", "analyze", str(tmp_path / "nope.py"), "--no-cache")
    assert code == 2
    assert "Traceback" in err


def test_bad_sibling_module_is_reported_not_fatal(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("from helpers import f\n" + APP)
    (tmp_path / "helpers.py").write_text("def f(:\n")
    code, out = run_cli("analyze", str(tmp_path / "app.py"), "--no-cache", "--format", "json")
    assert code == 0
    assert "module not analysed" in out and "helpers.py" in out


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("for rule in os.environ['RULES'].split():\n    app.add_url_rule(rule, rule, index)\n", "inside a loop"),
        ("exec('x = 1')\n", "exec()"),
        ("globals()['y'] = 2\n", "globals()"),
        ("@app.route(PREFIX_FROM_ENV + '/x')\ndef computed():\n    return ''\n", "computed at run time"),
        ("api = object()\n@api.route('/z')\ndef other():\n    return ''\n", "not a Flask app or blueprint"),
        ("class Weird(type(object)):\n    pass\n", None),
        ("lambda: (yield)\n", None),
        ("match index:\n    case _:\n        pass\n", None),
    ],
)
def test_code_it_does_not_understand_is_reported(tmp_path: Path, code: str, reason: str | None) -> None:
    import json

    f = tmp_path / "app.py"
    f.write_text("import os\nPREFIX_FROM_ENV = os.environ['P']\n" + APP + code)
    exit_code, out = run_cli("analyze", str(f), "--no-cache", "--format", "json")
    assert exit_code == 0, out
    report = json.loads(out)
    if reason is not None:
        hits = [u for u in report["unhandled"] if reason in u["reason"]]
        assert hits, report["unhandled"]
        assert all(u["file"] == "app.py" and u["line"] > 7 for u in hits)
