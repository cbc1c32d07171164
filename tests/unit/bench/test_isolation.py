"""Locust (and gevent's monkey-patching) stay in the load-generator subprocess."""

from __future__ import annotations

import subprocess
import sys


def test_bench_and_its_command_do_not_import_locust_or_gevent():
    code = (
        "import sys, decompose.cli, decompose.cli.bench, decompose.bench, decompose.bench.runner, "
        "decompose.bench.gunicorn_hook; "
        "print(sorted(m for m in ('locust', 'gevent') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip() == "[]"
