"""legacy/ -> extracted/: the committed output is current, lint-clean, and serves under gunicorn.

The full behavioural proof is the legacy suite run against the extracted app (scripts/run-tests.sh):
    pytest legacy/tests --app extracted.wsgi:app [--db postgres]
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner

from decompose.cli import main

REPO = Path(__file__).resolve().parents[3]
BIN = Path(sys.executable).parent


def test_committed_extracted_is_what_extract_generates() -> None:
    result = CliRunner().invoke(main, ["extract", str(REPO / "legacy" / "app.py"), "--out", str(REPO / "extracted"), "--check"])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("tool", [["ruff", "check", "--no-cache", "."], ["lint-imports", "--no-cache"]])
def test_extracted_passes_ruff_and_its_boundary_contract(tool: list[str]) -> None:
    proc = subprocess.run([str(BIN / tool[0]), *tool[1:]], cwd=REPO / "extracted", capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_gunicorn_serves_it_with_chdir(tmp_path: Path, redis_url: str) -> None:
    port = _free_port()
    env = dict(os.environ)
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'app.sqlite3'}",
        REDIS_URL=redis_url,
        UPLOAD_FOLDER=str(tmp_path / "uploads"),
        DEBUG_REQUESTS="0",
    )
    proc = subprocess.Popen(
        [str(BIN / "gunicorn"), "--chdir", str(REPO / "extracted"), "-b", f"127.0.0.1:{port}", "-w", "1", "wsgi:app"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                resp = requests.get(f"http://127.0.0.1:{port}/health", timeout=2)
                break
            except requests.ConnectionError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    out = proc.stdout.read() if proc.stdout else ""
                    pytest.fail(f"gunicorn did not come up: {out[-2000:]}")
                time.sleep(0.2)
        assert resp.status_code == 200, resp.text
        assert requests.get(f"http://127.0.0.1:{port}/api/categories", timeout=5).status_code in {200, 401}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stdout:
            proc.stdout.close()
