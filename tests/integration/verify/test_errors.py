"""verify exits 2 with one plain sentence when it cannot run."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from decompose.cli import main


def test_a_target_that_fails_to_import(shop_project: Path) -> None:
    (shop_project / "candidate_app.py").write_text("import flask\nraise RuntimeError('no db')\n")
    result = CliRunner().invoke(main, ["verify"])
    assert result.exit_code == 2
    message = result.stderr.strip()
    assert message.count("\n") == 0 and "Traceback" not in message
    assert "candidate target candidate_app:app could not be imported" in message
    assert "RuntimeError: no db" in message and "candidate_app.py:2" in message


def test_an_import_string_that_is_not_a_flask_app(shop_project: Path, plant) -> None:
    plant(shop_project, "# planted: missing key", "")
    result = CliRunner().invoke(main, ["verify", "--candidate", "candidate_app:FRUIT"])
    assert result.exit_code == 2
    assert "is a list, not a Flask app" in result.stderr


def test_a_scenario_file_with_a_bad_field(shop_project: Path) -> None:
    (shop_project / "bad.yaml").write_text(
        "scenarios:\n  - name: s\n    steps:\n      - path: /items\n      - methd: POST\n        path: /x\n"
    )
    result = CliRunner().invoke(main, ["verify", "--scenarios", "bad.yaml"])
    assert result.exit_code == 2
    assert "bad.yaml:5: unknown field 'methd' in step 2 of scenario 's'" in result.stderr


def test_no_scenarios_and_no_targets(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["verify"])
    assert result.exit_code == 2 and "--baseline and --candidate" in result.stderr
    result = CliRunner().invoke(main, ["verify", "--baseline", "a:app", "--candidate", "b:app"])
    assert result.exit_code == 2 and "No scenarios to replay" in result.stderr


def test_http_target_that_does_not_listen(shop_project: Path) -> None:
    import socket

    with socket.socket() as sock:  # a port that was free a moment ago
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    result = CliRunner().invoke(main, ["verify", "--http", url, url])
    assert result.exit_code == 2
    assert f"Nothing answers at {url}" in result.stderr


def test_a_target_that_dies_mid_run_is_reported_with_its_log(shop_project: Path, plant) -> None:
    plant(shop_project, "def hello():\n", "def hello():\n    import os; print('dying'); os._exit(3)\n")
    result = CliRunner().invoke(main, ["verify"])
    assert result.exit_code == 2
    message = result.stderr.strip()
    assert "The candidate target candidate_app:app (candidate run) exited while answering GET /hello" in message
    assert "dying" in message  # the tail of its output
