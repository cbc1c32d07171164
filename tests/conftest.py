"""Fixtures shared by the toolkit's tests.

Real services only: PostgreSQL and Redis on loopback (``scripts/ensure-services.sh`` starts them
for ``make test``). Fixture apps are imported by the tests that need ``app.url_map``;
``clean_modules`` removes whatever they imported so one fixture never leaks into the next.
"""

from __future__ import annotations

import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
# Fixture monoliths and golden trees carry their own (user) tests; they are data here, not tests.
collect_ignore_glob = ["fixtures/*", "golden/*"]

POSTGRES_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
REDIS_URL = "redis://127.0.0.1:6379/15"


@pytest.fixture
def repo_root() -> Path:
    return REPO


@pytest.fixture
def clean_modules() -> Iterator[None]:
    """Forget modules (and sys.path entries) a test imported, as Flask's own test suite does."""
    before_modules = set(sys.modules)
    before_path = list(sys.path)
    yield
    for name in set(sys.modules) - before_modules:
        del sys.modules[name]
    sys.path[:] = before_path


@pytest.fixture
def postgres_database() -> Iterator[str]:
    """A fresh, empty PostgreSQL database on loopback; dropped afterwards."""
    import psycopg2

    name = f"decompose_test_{uuid.uuid4().hex[:12]}"
    admin = psycopg2.connect(POSTGRES_ADMIN_URL)
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    finally:
        with admin.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.fixture
def redis_url() -> str:
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    client.ping()
    client.close()
    return REDIS_URL
