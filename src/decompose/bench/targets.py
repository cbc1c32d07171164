"""Starting what a run needs: the upstream stand-in, and each target with its seeded database.

A target is first *prepared* (database, Redis database, environment, setup commands or a copy of
an identically seeded database), and only when every target is prepared are they *started*
under gunicorn with the query hook: a PostgreSQL database can only serve as a template while
nobody is connected to it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from decompose.bench import gunicorn_hook
from decompose.bench.monitor import Window
from decompose.bench.options import BenchOptions, TargetSpec
from decompose.bench.procs import Child, ProcessSet, free_port, log_tail, port_in_use, wait_http
from decompose.bench.results import CapacityResult
from decompose.bench.services import Database, clone_database, fill, prepare_database, prepare_redis
from decompose.bench.stats import Counters
from decompose.errors import TargetError


@dataclass
class RunningTarget:
    """A started target and what has been measured on it so far."""

    spec: TargetSpec
    child: Child
    port: int
    query_dir: Path
    database: Database | None
    server: str
    counters: dict[int, Counters] = field(default_factory=dict)  # task index -> counters
    seconds: float = 0.0
    windows: list[Window] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    capacity: CapacityResult | None = None
    round_rps: list[float] = field(default_factory=list)  # requests/s of each round, in order


def placeholder_values(options: BenchOptions, workdir: Path, **more: str) -> dict[str, str]:
    """The values ``{placeholders}`` in a profile are filled with."""
    values = {"python": sys.executable, "root": str(options.root), "workdir": str(workdir)}
    values.update(more)
    return values


def start_upstream(options: BenchOptions, procs: ProcessSet, workdir: Path) -> dict[str, str]:
    """Start the upstream stand-in; return the environment that points targets at it."""
    upstream = options.profile.upstream
    if not upstream.command:
        return {}
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    values = placeholder_values(options, workdir, port=str(port), upstream=base)
    where = f"{options.profile.path}: upstream.command"
    argv = [fill(arg, values, where) for arg in upstream.command]
    options.progress(f"starting the upstream on {base}")
    child = procs.start(
        "upstream", argv, env=base_env(options), cwd=options.root, log=workdir / "upstream.log"
    )
    wait_http(child, base + upstream.ready_path, upstream.start_timeout, "the upstream")
    return {
        key: fill(value, values, f"{options.profile.path}: upstream.env.{key}")
        for key, value in upstream.env.items()
    } | {"upstream": base}


def base_env(options: BenchOptions) -> dict[str, str]:
    """The environment every child starts from: ours, the project root on PYTHONPATH."""
    env = dict(os.environ)
    env["PYTHONUNBUFFERED"] = "1"
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(options.root), env.get("PYTHONPATH", "")) if p
    )
    env.pop("DECOMPOSE_BENCH_QUERY_DIR", None)
    env.pop("DECOMPOSE_BENCH_GUNICORN_CONFIG", None)
    return env


@dataclass
class PreparedTarget:
    """A target with its database seeded, ready to be started."""

    spec: TargetSpec
    app: str
    port: int
    env: dict[str, str]
    log: Path
    database: Database | None
    seed_key: tuple[object, ...]


def prepare_target(
    options: BenchOptions,
    workdir: Path,
    index: int,
    spec: TargetSpec,
    upstream: dict[str, str],
    run_id: str,
    earlier: Sequence[PreparedTarget],
) -> PreparedTarget:
    """Database, Redis and environment for one target; run its setup (or reuse a seed)."""
    profile = options.profile
    settings = profile.for_target(spec.name)
    app = settings.app or spec.app
    port = settings.port or free_port()
    if settings.port and port_in_use(port):
        raise TargetError(
            f"port {port} on 127.0.0.1 (targets.{spec.name}.port in {profile.path}) is in use by "
            "another process; stop it or remove the port to let bench pick a free one"
        )
    log = workdir / f"{spec.name}.log"
    log.unlink(missing_ok=True)
    seed_key = (settings.setup, tuple(sorted(settings.env.items())))
    source = (
        next(
            (p for p in earlier if p.seed_key == seed_key and p.database is not None),
            None,
        )
        if profile.database.reuse_seed and settings.setup
        else None
    )
    if source is not None and source.database is not None:
        options.progress(f"{spec.name}: copying the database seeded for {source.spec.name}")
        database: Database | None = clone_database(
            source.database, profile, spec.name, workdir, run_id
        )
    else:
        database = prepare_database(profile, spec.name, workdir, run_id)
    redis_url = prepare_redis(profile, index)
    values = placeholder_values(
        options,
        workdir,
        target=spec.name,
        app=app,
        module=app.split(":", 1)[0],
        port=str(port),
        database_url=database.url if database else "",
        redis_url=redis_url or "",
        upstream=upstream.get("upstream", ""),
    )
    env = base_env(options)
    env.update({k: v for k, v in upstream.items() if k != "upstream"})
    if database is not None:
        env[profile.database.url_env] = database.url
    if redis_url is not None:
        env[profile.redis.url_env] = redis_url
    for key, value in settings.env.items():
        env[key] = fill(value, values, f"{profile.path}: env.{key}")
    if source is None:
        for number, command in enumerate(settings.setup):
            argv = [fill(arg, values, f"{profile.path}: setup[{number}]") for arg in command]
            options.progress(f"{spec.name}: {' '.join(argv)}")
            run_setup(argv, env, options.root, log, spec.name)
    return PreparedTarget(spec, app, port, env, log, database, seed_key)


def start_target(
    options: BenchOptions, procs: ProcessSet, workdir: Path, prepared: PreparedTarget
) -> RunningTarget:
    """Start a prepared target under gunicorn with the query hook; wait until it answers."""
    settings = options.profile.for_target(prepared.spec.name)
    name = prepared.spec.name
    query_dir = workdir / f"queries-{name}"
    shutil.rmtree(query_dir, ignore_errors=True)
    query_dir.mkdir(parents=True)
    env = dict(prepared.env, DECOMPOSE_BENCH_QUERY_DIR=str(query_dir))
    if settings.gunicorn_config:
        own = options.root / settings.gunicorn_config
        if not own.is_file():
            raise TargetError(
                f"gunicorn_config {own} of target {name} in {options.profile.path} does not exist"
            )
        env["DECOMPOSE_BENCH_GUNICORN_CONFIG"] = str(own)
    argv = [
        sys.executable, "-m", "gunicorn",
        "--bind", f"127.0.0.1:{prepared.port}",
        *settings.server.argv(),
        "--config", gunicorn_hook.__file__,
        "--log-level", "warning",
        "--chdir", str((options.root / settings.chdir) if settings.chdir else options.root),
        prepared.app,
    ]  # fmt: skip
    options.progress(
        f"starting {name} ({prepared.app}) on 127.0.0.1:{prepared.port}: {settings.server.describe()}"
    )
    child = procs.start(name, argv, env=env, cwd=options.root, log=prepared.log)
    url = f"http://127.0.0.1:{prepared.port}{settings.ready_path}"
    wait_http(child, url, settings.start_timeout, f"target {name} ({prepared.app})")
    return RunningTarget(
        prepared.spec,
        child,
        prepared.port,
        query_dir,
        prepared.database,
        settings.server.describe(),
    )


def run_setup(argv: list[str], env: dict[str, str], cwd: Path, log: Path, target: str) -> None:
    """Run one setup command into the target's log; a failure shows the log tail."""
    with open(log, "ab") as handle:
        handle.write(f"$ {' '.join(argv)}\n".encode())
        handle.flush()
        try:
            completed = subprocess.run(
                argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=handle, stderr=handle,
                timeout=600, start_new_session=True, check=False,
            )  # fmt: skip
        except FileNotFoundError:
            raise TargetError(f"setup command for {target} not found: {argv[0]}") from None
        except subprocess.TimeoutExpired:
            raise TargetError(
                f"setup command for {target} ran over 600 s: {' '.join(argv)}"
            ) from None
    if completed.returncode != 0:
        raise TargetError(
            f"setup command for {target} failed with exit code {completed.returncode}: "
            f"{' '.join(argv)}; last lines of {log}:\n{log_tail(log)}"
        )
