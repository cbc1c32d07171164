"""Every process bench started is gone afterwards: a target that fails to start, and Ctrl-C."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from click.testing import CliRunner

from decompose.cli import main


def write_profile(tmp_path: Path, fixture_root: Path, duration: str = "2s") -> Path:
    """The fixture profile plus an upstream stand-in whose command line carries tmp_path."""
    text = (fixture_root / "profile.toml").read_text()
    text = text.replace('duration = "2s"', f'duration = "{duration}"')
    upstream = (
        "[upstream]\n"
        f'command = ["{{python}}", "-m", "http.server", "{{port}}", "--bind", "127.0.0.1", "--directory", "{tmp_path}"]\n'
        'ready_path = "/"\n'
        "[upstream.env]\n"
        'UPSTREAM_URL = "{upstream}/v1"\n'
    )
    broken = "[targets.broken]\nsetup = []\n"  # no seeding: the failure must come from gunicorn
    path = tmp_path / "profile.toml"
    path.write_text(text + "\n" + broken + upstream)
    return path


def test_a_target_that_fails_to_start_stops_everything(fixture_root, tmp_path, leftovers):
    profile = write_profile(tmp_path, fixture_root)
    result = CliRunner().invoke(
        main,
        [
            "bench", "--root", str(fixture_root), "--profile", str(profile), "--quick",
            "--target", "one=benchapp:app", "--target", "broken=broken:app", "--output", str(tmp_path / "out"),
        ],
    )  # fmt: skip
    assert result.exit_code == 2, result.output
    assert "target broken (broken:app) exited" in result.output
    assert "fails on import on purpose" in result.output  # the log tail is in the message
    assert "Worker failed to boot" in result.output  # ... as gunicorn logged it
    remaining = leftovers(str(tmp_path))
    assert remaining == [], [p.cmdline() for p in remaining]


def test_ctrl_c_mid_run_stops_everything(fixture_root, tmp_path, leftovers):
    profile = write_profile(tmp_path, fixture_root, duration="60s")
    argv = [
        sys.executable, "-m", "decompose", "bench", "--root", str(fixture_root), "--profile", str(profile),
        "--quick", "--target", "one=benchapp:app", "--output", str(tmp_path / "out"),
    ]  # fmt: skip
    bench = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert bench.stderr is not None
        for line in bench.stderr:
            if "round 1/1" in line:
                break
        time.sleep(3)  # the load generator is running now
        running = leftovers(str(tmp_path))
        assert len(running) >= 3, "upstream, gunicorn master and worker should be up"
        bench.send_signal(signal.SIGINT)
        bench.wait(timeout=60)
    finally:
        if bench.poll() is None:
            bench.kill()
            bench.wait()
        for stream in (bench.stdout, bench.stderr):
            if stream is not None:
                stream.close()
    assert bench.returncode != 0
    remaining = leftovers(str(tmp_path))
    assert remaining == [], [p.cmdline() for p in remaining]


def test_a_port_in_use_is_a_clear_error(fixture_root, tmp_path, leftovers):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        profile = write_profile(tmp_path, fixture_root)
        profile.write_text(profile.read_text() + f"\n[targets.one]\nport = {port}\n")
        result = CliRunner().invoke(
            main,
            [
                "bench", "--root", str(fixture_root), "--profile", str(profile), "--quick",
                "--target", "one=benchapp:app", "--output", str(tmp_path / "out"),
            ],
        )  # fmt: skip
    assert result.exit_code == 2, result.output
    assert f"port {port} on 127.0.0.1 (targets.one.port in {profile}) is in use" in result.output
    assert leftovers(str(tmp_path)) == []  # the upstream started before the check
