"""What a target needs besides itself: a fresh database, a Redis database, the upstream stand-in.

Each target gets its own database (a SQLite file in the work directory, or a PostgreSQL
database created for the run and dropped afterwards) and its own Redis database number, flushed
before setup, so that both targets start from identical, seeded state.
"""

from __future__ import annotations

import re
import shutil
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from decompose.bench.profile import BenchProfile
from decompose.errors import ConfigError, TargetError


class _Strict(dict[str, str]):
    def __init__(self, values: Mapping[str, str], where: str) -> None:
        super().__init__(values)
        self.where = where

    def __missing__(self, key: str) -> str:
        known = ", ".join("{" + k + "}" for k in sorted(self))
        raise ConfigError(f"{self.where}: unknown placeholder {{{key}}}; known: {known}")


def fill(text: str, values: Mapping[str, str], where: str) -> str:
    """Fill ``{placeholders}``; ``{n}`` is left for the load generator."""
    keep = dict(values)
    keep.setdefault("n", "{n}")
    try:
        return string.Formatter().vformat(text, (), _Strict(keep, where))
    except (ValueError, IndexError) as exc:
        raise ConfigError(f"{where}: cannot fill {text!r}: {exc}") from None


@dataclass
class Database:
    """A database prepared for one target; ``drop`` removes it."""

    url: str
    admin_url: str | None = None
    name: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def drop(self) -> None:
        if self.admin_url is None or self.name is None:
            return
        _postgres_execute(self.admin_url, f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def _postgres_execute(admin_url: str, statement: str) -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import SQLAlchemyError

    url = make_url(admin_url)
    if url.drivername == "postgresql":  # SQLAlchemy 2.1 would pick psycopg 3; use what is installed
        try:
            import psycopg2  # noqa: F401

            url = url.set(drivername="postgresql+psycopg2")
        except ImportError:
            pass
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text(statement))
    except SQLAlchemyError as exc:
        reason = str(exc.orig if hasattr(exc, "orig") else exc).strip().splitlines()[0]
        what = " ".join(statement.split(" ")[:2])
        raise TargetError(
            f"PostgreSQL at {admin_url} failed {what}: {reason}; start PostgreSQL, fix "
            "[database] admin_url, or use a SQLite profile (benchmarks/profiles/sqlite.toml)"
        ) from None
    finally:
        engine.dispose()


def prepare_database(
    profile: BenchProfile, target: str, workdir: Path, run_id: str
) -> Database | None:
    kind = profile.database.kind
    if kind == "none":
        return None
    if kind == "sqlite":
        path = workdir / f"{target}.sqlite3"
        path.unlink(missing_ok=True)
        return Database(url=f"sqlite:///{path}")
    from sqlalchemy.engine import make_url

    name = _postgres_name(run_id, target)
    admin_url = profile.database.admin_url
    _postgres_execute(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _postgres_execute(admin_url, f'CREATE DATABASE "{name}"')
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    return Database(url=url, admin_url=admin_url, name=name)


def clone_database(
    source: Database, profile: BenchProfile, target: str, workdir: Path, run_id: str
) -> Database:
    """A copy of ``source`` (seeded, with no open connection) for ``target``."""
    if source.admin_url is None:  # SQLite
        from sqlalchemy.engine import make_url

        source_path = Path(str(make_url(source.url).database))
        path = workdir / f"{target}.sqlite3"
        shutil.copyfile(source_path, path)
        return Database(url=f"sqlite:///{path}")
    from sqlalchemy.engine import make_url

    name = _postgres_name(run_id, target)
    admin_url = source.admin_url
    _postgres_execute(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _postgres_execute(admin_url, f'CREATE DATABASE "{name}" TEMPLATE "{source.name}"')
    url = make_url(source.url).set(database=name).render_as_string(hide_password=False)
    return Database(url=url, admin_url=admin_url, name=name)


def _postgres_name(run_id: str, target: str) -> str:
    return re.sub(r"[^a-z0-9_]", "_", f"decompose_bench_{run_id}_{target}".lower())[:63]


def prepare_redis(profile: BenchProfile, index: int) -> str | None:
    """The Redis URL for target number ``index``, its database flushed."""
    if not profile.redis.enabled:
        return None
    url = f"{profile.redis.url}/{profile.redis.first_db + index}"
    import redis

    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=2)
        client.flushdb()
        client.close()
    except redis.RedisError as exc:
        raise TargetError(
            f"Redis at {url} is not reachable ({exc}); start it or set [redis] enabled = false "
            f"in {profile.path}"
        ) from None
    return url
