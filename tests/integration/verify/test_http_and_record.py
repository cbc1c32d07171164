"""Running servers (--http) and recorded traffic (--record's middleware, replayed from JSONL)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from decompose.cli import main
from decompose.verify.record import RecordMiddleware

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "verify"


@pytest.fixture
def serve(shop_project: Path, tmp_path: Path) -> Iterator:
    procs: list[subprocess.Popen[str]] = []
    shutil.copy(FIXTURES / "serve_shop.py", shop_project / "serve_shop.py")

    def start(module: str) -> str:
        workdir = tmp_path / f"srv{len(procs)}"
        workdir.mkdir()
        proc = subprocess.Popen(
            [sys.executable, "serve_shop.py", module, str(workdir)],
            cwd=shop_project,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        procs.append(proc)
        assert proc.stdout is not None
        port = proc.stdout.readline().strip()
        assert port.isdigit(), "the fixture server did not start"
        return f"http://127.0.0.1:{port}"

    yield start
    for proc in procs:
        proc.terminate()
        proc.wait(timeout=10)
        if proc.stdout is not None:
            proc.stdout.close()


def test_http_mode_catches_a_regression_and_filters_read_noise(serve, shop_project: Path, plant) -> None:
    plant(shop_project, 'ORDER BY id")', 'ORDER BY id DESC")')
    base, cand = serve("baseline_app"), serve("candidate_app")
    result = CliRunner().invoke(main, ["verify", "--http", base, cand, "--format", "json"])
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    assert report["noise_detection"] == "reads-only" and not report["url_map"]["checked"]
    rows = {e["endpoint"]: e for e in report["endpoints"]}
    assert rows["GET /items"]["first_difference"]["path"] == "$.items[0].id"
    # reads are asked twice, so the server time in the list is noise, not a difference
    assert "$.server_time" in rows["GET /items"]["noise"]


def test_http_mode_with_a_secondary_server_filters_write_noise(serve, shop_project: Path, plant) -> None:
    plant(shop_project, "# planted: missing key", "")
    base, cand, second = serve("baseline_app"), serve("candidate_app"), serve("baseline_app")
    result = CliRunner().invoke(
        main, ["verify", "--http", base, cand, "--secondary", second, "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["noise_detection"] == "full"


def test_recorded_traffic_replays_with_captured_token_and_id(
    shop_project: Path, plant, monkeypatch: pytest.MonkeyPatch, clean_modules: None
) -> None:
    plant(shop_project, "_CACHE.clear()  # planted: stale cache", "pass")
    import types

    monkeypatch.syspath_prepend(str(shop_project))
    monkeypatch.setenv("SHOP_DB", str(shop_project / "recording.sqlite3"))
    import shop_setup

    shop_setup.prepare(types.SimpleNamespace(workdir=shop_project, app=lambda: None))
    import baseline_app

    recording = shop_project / "traffic.jsonl"
    app = baseline_app.app
    app.wsgi_app = RecordMiddleware(app.wsgi_app, recording)
    client = app.test_client()
    token = client.post("/login", json={"username": "demo", "password": "demo-pass"}).json["access_token"]
    auth = {"Authorization": f"Bearer {token}"}
    client.get("/stats")
    new_id = client.post("/items", json={"name": "vase", "price": 3}, headers=auth).json["id"]
    client.get(f"/items/{new_id}")
    client.get("/stats")
    lines = [json.loads(line) for line in recording.read_text().splitlines()]
    assert [r["path"] for r in lines] == ["/login", "/stats", "/items", f"/items/{new_id}", "/stats"]
    assert lines[0]["response"]["json"]["access_token"] == token

    result = CliRunner().invoke(main, ["verify", "--scenarios", "traffic.jsonl", "--format", "json"])
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    steps = report["steps"]
    assert steps[2]["status"] == 201  # the create was authorised with the replay's own token
    assert steps[3]["path"] == f"/items/{new_id}" and steps[3]["status"] == 200
    assert steps[4]["differences"][0]["path"] == "$.count"  # stale cache caught
