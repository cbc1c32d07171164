"""Helpers for the bench integration tests: the fixture app, and a check that nothing leaked."""

from __future__ import annotations

import os
from pathlib import Path

import psutil
import pytest

FIXTURE = Path(__file__).parents[2] / "fixtures" / "bench"


def processes_mentioning(marker: str) -> list[psutil.Process]:
    """Live processes whose command line or environment mentions ``marker``."""
    found = []
    for process in psutil.process_iter(["cmdline", "pid"]):
        if process.pid == os.getpid():
            continue
        try:
            if process.status() == psutil.STATUS_ZOMBIE:
                continue
            text = " ".join(process.info["cmdline"] or [])
            if marker in text or any(marker in value for value in process.environ().values()):
                found.append(process)
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return found


@pytest.fixture
def fixture_root() -> Path:
    return FIXTURE


@pytest.fixture
def leftovers():
    """``leftovers(marker)``: live processes that mention ``marker`` (should be none)."""
    return processes_mentioning
