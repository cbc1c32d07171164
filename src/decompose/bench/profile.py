"""Benchmark profiles: how to start, seed and load the apps under test (``benchmarks/profiles/*.toml``).

A profile says nothing specific to one application in code: the worker model, the environment,
the setup commands that seed a fresh database, the upstream stand-in, the login and the
weighted mix of endpoints are all data. One profile drives every target of a run, so all of
them get the same load; ``[targets.<name>]`` overrides the worker model, environment and setup
of one target (the candidate usually runs a different worker model from the legacy app).

Strings in ``env``, ``setup`` and ``upstream.command`` may use placeholders, filled in per
target: ``{python}`` (this interpreter), ``{root}`` (the project directory), ``{target}``,
``{app}`` (``module:attr``), ``{module}``, ``{port}``, ``{workdir}``, ``{database_url}``,
``{redis_url}`` and ``{upstream}`` (the upstream's base URL). Strings in ``login`` and ``mix``
may use ``{n}``, the number of the simulated user (1..``login.users``), filled in by the load
generator once per user.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from decompose.bench.units import parse_ms, parse_percent, parse_seconds
from decompose.errors import ConfigError

WORKER_CLASSES = ("sync", "gthread", "gevent", "eventlet", "tornado")


@dataclass(frozen=True)
class ServerModel:
    """The gunicorn worker model of a target."""

    workers: int = 1
    worker_class: str = "sync"
    threads: int = 1
    timeout: int = 120
    keep_alive: int = 2
    preload: bool = False
    extra_args: tuple[str, ...] = ()

    def argv(self) -> list[str]:
        args = [
            "--workers", str(self.workers),
            "--worker-class", self.worker_class,
            "--timeout", str(self.timeout),
            "--keep-alive", str(self.keep_alive),
        ]  # fmt: skip
        if self.threads > 1:
            args += ["--threads", str(self.threads)]
        if self.preload:
            args.append("--preload")
        return args + list(self.extra_args)

    def describe(self) -> str:
        """Short, e.g. ``sync x1, timeout 120, keep-alive 2`` or ``gthread 2x4, ...``."""
        shape = f"{self.workers}x{self.threads}" if self.threads > 1 else f"x{self.workers}"
        preload = ", preload" if self.preload else ""
        return f"{self.worker_class} {shape}, timeout {self.timeout}, keep-alive {self.keep_alive}{preload}"


@dataclass(frozen=True)
class TargetSettings:
    """How one target is started: worker model, environment, setup commands, readiness."""

    server: ServerModel = ServerModel()
    env: Mapping[str, str] = field(default_factory=dict)
    setup: tuple[tuple[str, ...], ...] = ()
    chdir: str | None = None
    app: str | None = None  # overrides the app given on the command line
    ready_path: str = "/"
    start_timeout: float = 60.0
    port: int = 0  # 0: a free port; a fixed port must be free on 127.0.0.1
    gunicorn_config: str | None = None  # the target's own gunicorn config file, kept in effect


@dataclass(frozen=True)
class Database:
    kind: str = "sqlite"  # sqlite | postgresql | none
    url_env: str = "DATABASE_URL"
    admin_url: str = "postgresql://postgres@127.0.0.1:5432/postgres"
    # A target whose setup and env are written exactly like an earlier target's gets a copy of
    # that target's freshly seeded database instead of seeding again (identical by construction).
    reuse_seed: bool = True


@dataclass(frozen=True)
class Redis:
    enabled: bool = True
    url: str = "redis://127.0.0.1:6379"
    url_env: str = "REDIS_URL"
    first_db: int = 10  # target i gets database first_db + i, flushed before setup


@dataclass(frozen=True)
class Upstream:
    command: tuple[str, ...] = ()
    ready_path: str = "/"
    env: Mapping[str, str] = field(default_factory=dict)
    start_timeout: float = 30.0


@dataclass(frozen=True)
class Load:
    users: int = 50
    spawn_rate: float = 50.0
    duration: float = 30.0
    warmup: float = 3.0
    rounds: int = 2
    wait: float = 0.0  # seconds each simulated user waits between requests
    equal_weights: bool = False  # every endpoint of the mix equally often (latency profiles)
    quick_users: int = 20
    quick_duration: float = 8.0
    quick_warmup: float = 1.0
    quick_rounds: int = 1

    def effective(self, quick: bool) -> Load:
        if not quick:
            return self
        return replace(
            self,
            users=self.quick_users,
            duration=self.quick_duration,
            warmup=self.quick_warmup,
            rounds=self.quick_rounds,
        )


@dataclass(frozen=True)
class Login:
    """How a simulated user logs in; the token found at ``token`` goes into ``header``."""

    method: str = "POST"
    path: str = "/login"
    json: Any = None
    form: Mapping[str, str] | None = None
    token: str = "access_token"  # dotted path into the JSON response
    header: str = "Authorization"
    value: str = "Bearer {token}"
    users: int = 50  # {n} cycles through 1..users


@dataclass(frozen=True)
class Task:
    """One weighted entry of the mix."""

    name: str
    method: str
    path: str
    weight: int = 1
    group: str = "default"
    json: Any = None


@dataclass(frozen=True)
class Capacity:
    """The capacity ramp: raise users step by step until the objective breaks."""

    enabled: bool = True
    objective_p95: float = 100.0  # ms
    group: str | None = None  # measure the objective on one group; None = the whole mix
    max_failure_rate: float = 1.0  # percent
    steps: tuple[int, ...] = (1, 2, 5, 10, 20, 50, 100, 200)
    step_duration: float = 5.0

    def describe(self) -> str:
        scope = f"group {self.group}" if self.group else "whole mix"
        return (
            f"p95 <= {self.objective_p95:g} ms and failures <= {self.max_failure_rate:g}% ({scope})"
        )


@dataclass(frozen=True)
class BenchProfile:
    name: str
    path: str
    description: str = ""
    default: TargetSettings = TargetSettings()
    targets: Mapping[str, TargetSettings] = field(default_factory=dict)
    database: Database = Database()
    redis: Redis = Redis()
    upstream: Upstream = Upstream()
    load: Load = Load()
    login: Login | None = None
    mix: tuple[Task, ...] = ()
    capacity: Capacity = Capacity()

    def for_target(self, name: str) -> TargetSettings:
        return self.targets.get(name, self.default)


# --------------------------------------------------------------------------- parsing


class _Table:
    """A TOML table being read; remembers its key path and reports unknown keys."""

    def __init__(self, data: Mapping[str, Any], path: str, source: str) -> None:
        self.data = dict(data)
        self.path = path
        self.source = source
        self.seen: set[str] = set()

    def where(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def fail(self, key: str, problem: str) -> ConfigError:
        return ConfigError(f"{self.source}: {self.where(key)} {problem}")

    def get(self, key: str, kind: type | tuple[type, ...], default: Any) -> Any:
        self.seen.add(key)
        if key not in self.data:
            return default
        value = self.data[key]
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            return float(value)
        if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
            names = (
                kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
            )
            raise self.fail(key, f"must be {names}, found {value!r}")
        return value

    def quantity(self, key: str, parser: Any, default: float) -> float:
        self.seen.add(key)
        if key not in self.data:
            return default
        try:
            return float(parser(self.data[key]))
        except ValueError as exc:
            raise self.fail(key, f"is invalid: {exc}") from None

    def table(self, key: str) -> _Table:
        value = self.get(key, dict, {})
        return _Table(value, self.where(key), self.source)

    def strings(self, key: str, default: tuple[str, ...] = ()) -> tuple[str, ...]:
        value = self.get(key, list, list(default))
        if not all(isinstance(item, str) for item in value):
            raise self.fail(key, "must be a list of strings")
        return tuple(value)

    def done(self) -> None:
        unknown = sorted(set(self.data) - self.seen)
        if unknown:
            known = ", ".join(sorted(self.seen))
            raise self.fail(unknown[0], f"is not a known key (known here: {known})")


def load_profile(path: str | Path) -> BenchProfile:
    """Read and validate a profile file; a bad key is reported with its path.

    ``extends = "other.toml"`` (relative to the file) starts from another profile: tables are
    merged key by key, anything else (including the ``mix`` list) is replaced.
    """
    return parse_profile(_read(Path(path), ()), str(path))


def _read(path: Path, seen: tuple[Path, ...]) -> dict[str, Any]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(
            f"profile {path} does not exist; pass --profile with a TOML file"
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"profile {path} is not valid TOML: {exc}") from None
    base_name = data.pop("extends", None)
    if base_name is None:
        return data
    if not isinstance(base_name, str):
        raise ConfigError(f"{path}: extends must be the path of another profile")
    base_path = (path.parent / base_name).resolve()
    if base_path in seen:
        raise ConfigError(f"{path}: extends {base_name} makes a cycle")
    return _merge(_read(base_path, (*seen, path.resolve())), data)


def _merge(base: dict[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def parse_profile(data: Mapping[str, Any], source: str = "<profile>") -> BenchProfile:
    root = _Table(data, "", source)
    name = root.get("name", str, Path(source).stem)
    description = root.get("description", str, "")
    default = _target_settings(root, TargetSettings())
    targets: dict[str, TargetSettings] = {}
    targets_table = root.table("targets")
    for target_name in targets_table.data:
        targets[target_name] = _target_settings(targets_table.table(target_name), default)
    targets_table.done()
    profile = BenchProfile(
        name=name,
        path=source,
        description=description,
        default=default,
        targets=targets,
        database=_database(root.table("database")),
        redis=_redis(root.table("redis")),
        upstream=_upstream(root.table("upstream")),
        load=_load(root.table("load")),
        login=_login(root) if "login" in root.data else None,
        mix=_mix(root),
        capacity=_capacity(root.table("capacity")),
    )
    root.done()
    return profile


def _target_settings(table: _Table, base: TargetSettings) -> TargetSettings:
    server = _server(table.table("server"), base.server)
    env_table = table.table("env")
    env = dict(base.env)
    for key in env_table.data:
        env[key] = str(env_table.get(key, (str, int, float, bool), ""))
    env_table.done()
    setup = base.setup
    if "setup" in table.data:
        commands = table.get("setup", list, [])
        parsed = []
        for index, command in enumerate(commands):
            if not (
                isinstance(command, list) and command and all(isinstance(a, str) for a in command)
            ):
                raise table.fail(
                    "setup", f"entry {index} must be a non-empty list of strings (an argv)"
                )
            parsed.append(tuple(command))
        setup = tuple(parsed)
    settings = TargetSettings(
        server=server,
        env=env,
        setup=setup,
        chdir=table.get("chdir", str, base.chdir),
        app=table.get("app", str, base.app),
        ready_path=table.get("ready_path", str, base.ready_path),
        start_timeout=table.quantity("start_timeout", parse_seconds, base.start_timeout),
        port=table.get("port", int, 0) if table.path.startswith("targets.") else 0,
        gunicorn_config=table.get("gunicorn_config", str, base.gunicorn_config),
    )
    if table.path.startswith("targets."):
        table.done()
    else:  # the root table: its other keys are read elsewhere
        table.seen.update(
            {
                "server",
                "env",
                "setup",
                "chdir",
                "app",
                "ready_path",
                "start_timeout",
                "gunicorn_config",
            }
        )
        if "port" in table.data:
            raise table.fail(
                "port", "belongs under [targets.<name>]: two targets cannot share a port"
            )
    return settings


def _server(table: _Table, base: ServerModel) -> ServerModel:
    server = ServerModel(
        workers=table.get("workers", int, base.workers),
        worker_class=table.get("worker_class", str, base.worker_class),
        threads=table.get("threads", int, base.threads),
        timeout=table.get("timeout", int, base.timeout),
        keep_alive=table.get("keep_alive", int, base.keep_alive),
        preload=table.get("preload", bool, base.preload),
        extra_args=table.strings("extra_args", base.extra_args),
    )
    if server.worker_class not in WORKER_CLASSES and "." not in server.worker_class:
        raise table.fail(
            "worker_class", f"is {server.worker_class!r}; use one of {', '.join(WORKER_CLASSES)}"
        )
    if server.workers < 1:
        raise table.fail("workers", "must be at least 1")
    table.done()
    return server


def _database(table: _Table) -> Database:
    database = Database(
        kind=table.get("kind", str, Database.kind),
        url_env=table.get("url_env", str, Database.url_env),
        admin_url=table.get("admin_url", str, Database.admin_url),
        reuse_seed=table.get("reuse_seed", bool, Database.reuse_seed),
    )
    if database.kind not in ("sqlite", "postgresql", "none"):
        raise table.fail("kind", f"is {database.kind!r}; use sqlite, postgresql or none")
    table.done()
    return database


def _redis(table: _Table) -> Redis:
    redis = Redis(
        enabled=table.get("enabled", bool, Redis.enabled),
        url=table.get("url", str, Redis.url).rstrip("/"),
        url_env=table.get("url_env", str, Redis.url_env),
        first_db=table.get("first_db", int, Redis.first_db),
    )
    table.done()
    return redis


def _upstream(table: _Table) -> Upstream:
    env_table = table.table("env")
    env = {key: str(env_table.get(key, str, "")) for key in env_table.data}
    env_table.done()
    upstream = Upstream(
        command=table.strings("command"),
        ready_path=table.get("ready_path", str, Upstream.ready_path),
        env=env,
        start_timeout=table.quantity("start_timeout", parse_seconds, Upstream.start_timeout),
    )
    table.done()
    return upstream


def _load(table: _Table) -> Load:
    d = Load()
    load = Load(
        users=table.get("users", int, d.users),
        spawn_rate=table.get("spawn_rate", float, d.spawn_rate),
        duration=table.quantity("duration", parse_seconds, d.duration),
        warmup=table.quantity("warmup", parse_seconds, d.warmup),
        rounds=table.get("rounds", int, d.rounds),
        wait=table.quantity("wait", parse_seconds, d.wait),
        equal_weights=table.get("equal_weights", bool, d.equal_weights),
        quick_users=table.get("quick_users", int, d.quick_users),
        quick_duration=table.quantity("quick_duration", parse_seconds, d.quick_duration),
        quick_warmup=table.quantity("quick_warmup", parse_seconds, d.quick_warmup),
        quick_rounds=table.get("quick_rounds", int, d.quick_rounds),
    )
    for key in ("users", "rounds", "quick_users", "quick_rounds"):
        if getattr(load, key) < 1:
            raise table.fail(key, "must be at least 1")
    table.done()
    return load


def _login(root: _Table) -> Login:
    table = root.table("login")
    d = Login()
    form = table.get("form", dict, None)
    login = Login(
        method=table.get("method", str, d.method).upper(),
        path=table.get("path", str, d.path),
        json=table.get("json", (dict, list), None),
        form=form,
        token=table.get("token", str, d.token),
        header=table.get("header", str, d.header),
        value=table.get("value", str, d.value),
        users=table.get("users", int, d.users),
    )
    table.done()
    return login


def _mix(root: _Table) -> tuple[Task, ...]:
    entries = root.get("mix", list, [])
    tasks = []
    names: set[str] = set()
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict):
            raise root.fail("mix", f"entry {index} must be a table ([[mix]])")
        table = _Table(entry, f"mix[{index}]", root.source)
        method = table.get("method", str, "GET").upper()
        path = table.get("path", str, "")
        if not path.startswith("/"):
            raise table.fail("path", f"must start with '/', found {path!r}")
        task = Task(
            name=table.get("name", str, f"{method} {path}"),
            method=method,
            path=path,
            weight=table.get("weight", int, 1),
            group=table.get("group", str, "default"),
            json=table.get("json", (dict, list), None),
        )
        if task.weight < 0:
            raise table.fail("weight", "must not be negative")
        if task.name in names:
            raise table.fail(
                "name", f"{task.name!r} is used twice; names identify endpoints in results"
            )
        names.add(task.name)
        table.done()
        tasks.append(task)
    return tuple(tasks)


def _capacity(table: _Table) -> Capacity:
    d = Capacity()
    steps = table.get("steps", list, list(d.steps))
    if not steps or not all(isinstance(s, int) and s > 0 for s in steps) or sorted(steps) != steps:
        raise table.fail("steps", "must be an increasing list of positive user counts")
    capacity = Capacity(
        enabled=table.get("enabled", bool, d.enabled),
        objective_p95=table.quantity("objective_p95", parse_ms, d.objective_p95),
        group=table.get("group", str, d.group),
        max_failure_rate=table.quantity("max_failure_rate", parse_percent, d.max_failure_rate),
        steps=tuple(steps),
        step_duration=table.quantity("step_duration", parse_seconds, d.step_duration),
    )
    table.done()
    return capacity
