"""The gunicorn hook counts SQL statements per request from outside the app (real gunicorn)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request

import pytest

from decompose.bench import gunicorn_hook
from decompose.bench.procs import ProcessSet, free_port, wait_http


def get(port: int, path: str, tag: str | None) -> None:
    headers = {"Authorization": "Bearer tok-user1"}
    if tag is not None:
        headers["X-Decompose-Bench"] = tag
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=headers)
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200
        response.read()


@pytest.mark.parametrize("worker_class", ["sync", "gevent"])  # gthread: in the smoke test
def test_statements_per_request_match_the_known_pattern(fixture_root, tmp_path, worker_class):
    env = dict(
        os.environ, DATABASE_URL=f"sqlite:///{tmp_path / 'app.sqlite3'}", FLASK_APP="benchapp"
    )
    subprocess.run(
        [sys.executable, "-m", "flask", "seed", "--users", "5"], cwd=fixture_root, env=env, check=True,
        capture_output=True, timeout=60,
    )  # fmt: skip
    query_dir = tmp_path / "queries"
    query_dir.mkdir()
    env["DECOMPOSE_BENCH_QUERY_DIR"] = str(query_dir)
    port = free_port()
    argv = [
        sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "2",
        "--worker-class", worker_class, "--threads", "2", "--config", gunicorn_hook.__file__, "benchapp:app",
    ]  # fmt: skip
    with ProcessSet() as procs:
        server = procs.start(
            "fixture", argv, env=env, cwd=fixture_root, log=tmp_path / "server.log"
        )
        wait_http(server, f"http://127.0.0.1:{port}/health", 30, "fixture")
        for _ in range(5):
            get(port, "/items", "r0 0")
        for _ in range(4):
            get(port, "/items/owners", "r0 1")
        for _ in range(3):
            get(port, "/items/owners", "warmup 1")
            get(port, "/items/owners", None)  # untagged: not counted at all
        procs.stop(server)  # graceful: every worker writes its final counts

    totals: dict[str, list[int]] = {}
    files = list(query_dir.glob("*.json"))
    assert files, "the hook wrote no counts"
    for path in files:
        for tag, (requests, statements) in json.loads(path.read_text()).items():
            entry = totals.setdefault(tag, [0, 0])
            entry[0] += requests
            entry[1] += statements
    assert totals == {
        "r0 0": [5, 5],  # one SELECT per request
        "r0 1": [4, 24],  # N+1: 1 + one lazy load per distinct owner (5)
        "warmup 1": [3, 18],
    }


def test_the_hook_is_inert_without_its_environment(fixture_root, tmp_path):
    """Without DECOMPOSE_BENCH_QUERY_DIR the hook does nothing (and the app still serves)."""
    env = {k: v for k, v in os.environ.items() if k != "DECOMPOSE_BENCH_QUERY_DIR"}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'app.sqlite3'}"
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "benchapp", "seed", "--users", "1"], cwd=fixture_root, env=env,
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    port = free_port()
    argv = [
        sys.executable,
        "-m",
        "gunicorn",
        "--bind",
        f"127.0.0.1:{port}",
        "--config",
        gunicorn_hook.__file__,
        "benchapp:app",
    ]
    with ProcessSet() as procs:
        server = procs.start(
            "fixture", argv, env=env, cwd=fixture_root, log=tmp_path / "server.log"
        )
        wait_http(server, f"http://127.0.0.1:{port}/health", 30, "fixture")
        get(port, "/items/owners", "r0 1")
    assert not list(tmp_path.glob("**/*.json"))


def test_the_targets_own_gunicorn_config_stays_in_effect(fixture_root, tmp_path):
    env = dict(
        os.environ, DATABASE_URL=f"sqlite:///{tmp_path / 'app.sqlite3'}", FLASK_APP="benchapp"
    )
    subprocess.run(
        [sys.executable, "-m", "flask", "seed", "--users", "5"], cwd=fixture_root, env=env, check=True,
        capture_output=True, timeout=60,
    )  # fmt: skip
    (tmp_path / "queries").mkdir()
    (tmp_path / "markers").mkdir()
    env["DECOMPOSE_BENCH_QUERY_DIR"] = str(tmp_path / "queries")
    env["DECOMPOSE_BENCH_GUNICORN_CONFIG"] = str(fixture_root / "gunicorn_own.py")
    env["OWN_HOOK_MARKER"] = str(tmp_path / "markers")
    port = free_port()
    argv = [
        sys.executable,
        "-m",
        "gunicorn",
        "--bind",
        f"127.0.0.1:{port}",
        "--config",
        gunicorn_hook.__file__,
        "benchapp:app",
    ]
    with ProcessSet() as procs:
        server = procs.start(
            "fixture", argv, env=env, cwd=fixture_root, log=tmp_path / "server.log"
        )
        wait_http(server, f"http://127.0.0.1:{port}/health", 30, "fixture")
        get(port, "/items/owners", "r0 1")
        procs.stop(server)
    assert (
        len(list((tmp_path / "markers").iterdir())) == 2
    )  # its setting (workers) and its hook ran
    counts = [json.loads(p.read_text()) for p in (tmp_path / "queries").glob("*.json")]
    assert sum(c.get("r0 1", [0, 0])[1] for c in counts) == 6  # and ours too
