"""One benchmark run: start everything, drive every target in alternation, measure, stop.

``run_bench`` is the library entry point behind ``decompose bench``. It starts the upstream
stand-in (if the profile has one), prepares a fresh database and Redis database per target,
runs the profile's setup commands, starts each target under gunicorn with the query hook, and
then runs rounds of load — target A, target B, A, B, … — so that drift of a shared machine hits
all targets alike. The load generator runs in a subprocess (Locust and gevent stay out of this
process); CPU and memory are sampled here over exactly its measured window. Every process it
started is stopped on the way out, whatever happens.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil

from decompose.bench import gunicorn_hook
from decompose.bench.gates import locust_half_bucket
from decompose.bench.monitor import Monitor, Window
from decompose.bench.procs import Child, ProcessSet, free_port, log_tail, terminate_as_interrupt, wait_http
from decompose.bench.profile import BenchProfile, Task
from decompose.bench.results import (
    BenchResult,
    CapacityResult,
    CapacityStep,
    EndpointResult,
    TargetResult,
)
from decompose.bench.services import Database, fill, prepare_database, prepare_redis
from decompose.bench.stats import Counters, merge
from decompose.errors import InputError, TargetError

#: The load generator's busiest process above this share of one core is the bottleneck.
LOADGEN_BOTTLENECK = 85.0


@dataclass(frozen=True)
class TargetSpec:
    """``name=module:attr`` from the command line."""

    name: str
    app: str

    @classmethod
    def parse(cls, text: str) -> TargetSpec:
        name, sep, app = text.partition("=")
        if not sep:
            name, app = app_name(text), text
        if not name or not app or ":" not in app or not name.replace("-", "_").isidentifier():
            raise InputError(
                f"--target {text!r} is not NAME=MODULE:APP, e.g. legacy=legacy.app:app"
            )
        return cls(name, app)


def app_name(app: str) -> str:
    return app.split(":", 1)[0].split(".")[0]


@dataclass
class BenchOptions:
    targets: Sequence[TargetSpec]
    profile: BenchProfile
    root: Path
    quick: bool = False
    workers: int = 0  # Locust worker processes (0 = one local process)
    capacity: bool | None = None  # None: on for full runs when the profile enables it
    workdir: Path | None = None  # logs, databases, query counts; a temp dir when None
    master_bind: str = "127.0.0.1"
    master_port: int = 0
    remote_workers: int = 0
    mix: tuple[Task, ...] = ()  # overrides the profile's mix (e.g. generated from analyze)
    progress: Callable[[str], None] = field(default=lambda message: None)


@dataclass
class _Running:
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


def run_bench(options: BenchOptions) -> BenchResult:
    """Run the benchmark described by ``options`` and return its results (no gates)."""
    profile = options.profile
    mix = options.mix or profile.mix
    if not mix:
        raise InputError(f"profile {profile.path} has no [[mix]] entries and no mix was generated")
    names = [spec.name for spec in options.targets]
    if len(set(names)) != len(names):
        raise InputError(f"target names must differ, found {', '.join(names)}")
    load = profile.load.effective(options.quick)
    capacity = options.capacity if options.capacity is not None else (
        profile.capacity.enabled and not options.quick
    )
    started_at = _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    own_workdir = options.workdir is None
    workdir = Path(tempfile.mkdtemp(prefix="decompose-bench-")) if own_workdir else options.workdir
    assert workdir is not None
    workdir.mkdir(parents=True, exist_ok=True)
    run_id = f"{os.getpid()}"
    running: list[_Running] = []
    succeeded = False
    try:
        with terminate_as_interrupt(), ProcessSet() as procs:
            upstream = _start_upstream(options, procs, workdir)
            for index, spec in enumerate(options.targets):
                running.append(_start_target(options, procs, workdir, index, spec, upstream, run_id))
            for round_index in range(load.rounds):
                for target in running:
                    options.progress(
                        f"round {round_index + 1}/{load.rounds}: {target.spec.name}, "
                        f"{load.users} users for {load.duration:g} s"
                    )
                    _run_phase(options, procs, workdir, target, mix, f"r{round_index}", load)
            if capacity:
                for target in running:
                    options.progress(f"capacity ramp: {target.spec.name}")
                    target.capacity = _run_ramp(options, procs, workdir, target, mix)
            for target in running:  # a graceful stop makes the workers write their last counts
                procs.stop(target.child)
                _read_queries(target, load.rounds)
        succeeded = True
    finally:
        for target in running:
            if target.database is not None:
                try:
                    target.database.drop()
                except TargetError as exc:
                    options.progress(f"warning: {exc}")
        if own_workdir and succeeded:
            shutil.rmtree(workdir, ignore_errors=True)
    targets = tuple(_target_result(target, mix) for target in running)
    return BenchResult(
        profile=profile.name,
        quick=options.quick,
        started_at=started_at,
        machine=machine_info(),
        targets=targets,
        settings={
            "users": load.users,
            "duration_s": load.duration,
            "warmup_s": load.warmup,
            "rounds": load.rounds,
            "wait_s": load.wait,
            "locust_workers": options.workers,
            "capacity": profile.capacity.describe() if capacity else None,
            "profile_path": profile.path,
        },
    )


# --------------------------------------------------------------------------- starting


def _values(options: BenchOptions, workdir: Path, **more: str) -> dict[str, str]:
    values = {"python": sys.executable, "root": str(options.root), "workdir": str(workdir)}
    values.update(more)
    return values


def _start_upstream(options: BenchOptions, procs: ProcessSet, workdir: Path) -> dict[str, str]:
    """Start the upstream stand-in; return the environment that points targets at it."""
    upstream = options.profile.upstream
    if not upstream.command:
        return {}
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    values = _values(options, workdir, port=str(port), upstream=base)
    where = f"{options.profile.path}: upstream.command"
    argv = [fill(arg, values, where) for arg in upstream.command]
    options.progress(f"starting the upstream on {base}")
    child = procs.start("upstream", argv, env=_base_env(options), cwd=options.root, log=workdir / "upstream.log")
    wait_http(child, base + upstream.ready_path, upstream.start_timeout, "the upstream")
    return {key: fill(value, values, f"{options.profile.path}: upstream.env.{key}") for key, value in upstream.env.items()} | {
        "upstream": base
    }


def _base_env(options: BenchOptions) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONUNBUFFERED"] = "1"
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(options.root), env.get("PYTHONPATH", "")) if p)
    env.pop("DECOMPOSE_BENCH_QUERY_DIR", None)
    return env


def _start_target(
    options: BenchOptions,
    procs: ProcessSet,
    workdir: Path,
    index: int,
    spec: TargetSpec,
    upstream: dict[str, str],
    run_id: str,
) -> _Running:
    profile = options.profile
    settings = profile.for_target(spec.name)
    app = settings.app or spec.app
    port = free_port()
    log = workdir / f"{spec.name}.log"
    log.unlink(missing_ok=True)
    database = prepare_database(profile, spec.name, workdir, run_id)
    redis_url = prepare_redis(profile, index)
    values = _values(
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
    env = _base_env(options)
    env.update({k: v for k, v in upstream.items() if k != "upstream"})
    if database is not None:
        env[profile.database.url_env] = database.url
    if redis_url is not None:
        env[profile.redis.url_env] = redis_url
    for key, value in settings.env.items():
        env[key] = fill(value, values, f"{profile.path}: env.{key}")
    cwd = options.root
    for number, command in enumerate(settings.setup):
        argv = [fill(arg, values, f"{profile.path}: setup[{number}]") for arg in command]
        options.progress(f"{spec.name}: {' '.join(argv)}")
        _run_setup(argv, env, cwd, log, spec.name)
    query_dir = workdir / f"queries-{spec.name}"
    shutil.rmtree(query_dir, ignore_errors=True)
    query_dir.mkdir(parents=True)
    env["DECOMPOSE_BENCH_QUERY_DIR"] = str(query_dir)
    argv = [
        sys.executable, "-m", "gunicorn",
        "--bind", f"127.0.0.1:{port}",
        *settings.server.argv(),
        "--config", gunicorn_hook.__file__,
        "--log-level", "warning",
        "--chdir", str((options.root / settings.chdir) if settings.chdir else options.root),
        app,
    ]  # fmt: skip
    options.progress(f"starting {spec.name} ({app}) on 127.0.0.1:{port}: {settings.server.describe()}")
    child = procs.start(spec.name, argv, env=env, cwd=cwd, log=log)
    wait_http(child, f"http://127.0.0.1:{port}{settings.ready_path}", settings.start_timeout, f"target {spec.name} ({app})")
    return _Running(spec, child, port, query_dir, database, settings.server.describe())


def _run_setup(argv: list[str], env: dict[str, str], cwd: Path, log: Path, target: str) -> None:
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
            raise TargetError(f"setup command for {target} ran over 600 s: {' '.join(argv)}") from None
    if completed.returncode != 0:
        raise TargetError(
            f"setup command for {target} failed with exit code {completed.returncode}: "
            f"{' '.join(argv)}; last lines of {log}:\n{log_tail(log)}"
        )


# --------------------------------------------------------------------------- load


def _loadgen_spec(options: BenchOptions, target: _Running, mix: Sequence[Task], phase: str) -> dict[str, Any]:
    profile = options.profile
    load = profile.load.effective(options.quick)
    login = profile.login
    distributed = options.workers > 0 or options.remote_workers > 0
    return {
        "host": f"http://127.0.0.1:{target.port}",
        "users": load.users,
        "spawn_rate": profile.load.spawn_rate,
        "warmup": load.warmup,
        "duration": load.duration,
        "wait": load.wait,
        "phase": phase,
        "tasks": [
            {"name": t.name, "method": t.method, "path": t.path, "weight": t.weight, "json": t.json}
            for t in mix
        ],
        "login": None
        if login is None
        else {
            "method": login.method,
            "path": login.path,
            "json": login.json,
            "form": dict(login.form) if login.form else None,
            "token": login.token,
            "header": login.header,
            "value": login.value,
            "users": login.users,
        },
        "distributed": distributed,
        "worker_count": options.workers + options.remote_workers,
        "master_bind": options.master_bind,
        "master_port": options.master_port,
    }


def _launch_loadgen(
    options: BenchOptions,
    procs: ProcessSet,
    workdir: Path,
    spec: dict[str, Any],
    label: str,
) -> tuple[Child, Path, list[Child]]:
    if spec["distributed"]:
        spec["master_port"] = options.master_port or free_port(options.master_bind if options.master_bind != "0.0.0.0" else "127.0.0.1")
    spec_path = workdir / f"loadgen-{label}.json"
    out_path = workdir / f"loadgen-{label}.out.json"
    spec_path.write_text(json.dumps(spec, indent=1), encoding="utf-8")
    out_path.unlink(missing_ok=True)
    env = _base_env(options)
    argv = [sys.executable, "-m", "decompose.bench.loadgen", "run", str(spec_path), str(out_path)]
    master = procs.start(
        f"loadgen-{label}", argv, env=env, cwd=options.root, log=workdir / "loadgen.log", stdout=subprocess.PIPE
    )
    workers = []
    for number in range(options.workers):
        worker_argv = [
            sys.executable, "-m", "decompose.bench.loadgen", "worker", str(spec_path),
            "--master-host", "127.0.0.1", "--master-port", str(spec["master_port"]),
        ]  # fmt: skip
        workers.append(
            procs.start(f"loadgen-worker-{number}", worker_argv, env=env, cwd=options.root, log=workdir / "loadgen.log")
        )
    if options.remote_workers:
        options.progress(
            f"waiting for {options.remote_workers} remote Locust worker(s): on each machine run "
            f"python -m decompose.bench.loadgen worker {spec_path.name} --master-host <this host> "
            f"--master-port {spec['master_port']}"
        )
    return master, out_path, workers


def _follow(
    master: Child,
    on_marker: Callable[[str], None],
    timeout: float,
) -> None:
    """Read the load generator's markers until it exits; kill it if it overruns ``timeout``."""
    timer = threading.Timer(timeout, lambda: _kill_quietly(master))
    timer.daemon = True
    timer.start()
    try:
        assert master.process.stdout is not None
        for raw in master.process.stdout:
            line = raw.decode("utf-8", "replace").strip()
            if line.startswith("DECOMPOSE "):
                on_marker(line[len("DECOMPOSE ") :])
        master.process.wait()
    finally:
        timer.cancel()


def _kill_quietly(child: Child) -> None:
    try:
        child.process.kill()
    except OSError:
        pass


def _loadgen_failed(master: Child, what: str) -> TargetError:
    return TargetError(
        f"the load generator failed while {what} (exit code {master.process.returncode}); "
        f"last lines of {master.log}:\n{log_tail(master.log)}"
    )


def _run_phase(
    options: BenchOptions,
    procs: ProcessSet,
    workdir: Path,
    target: _Running,
    mix: Sequence[Task],
    phase: str,
    load: Any,
) -> None:
    spec = _loadgen_spec(options, target, mix, phase)
    master, out_path, workers = _launch_loadgen(options, procs, workdir, spec, f"{target.spec.name}-{phase}")
    monitor = Monitor(target.child.pid, master.pid)
    windows: list[Window] = []

    def on_marker(text: str) -> None:
        if text == "MEASURE START":
            options.progress(f"{target.spec.name}: users ready, measuring")
            monitor.start()
        elif text == "MEASURE END":
            windows.append(monitor.stop())

    timeout = 180 + load.warmup + load.duration + load.users / max(options.profile.load.spawn_rate, 0.1)
    try:
        _follow(master, on_marker, timeout)
    finally:
        for worker in workers:
            procs.stop(worker)
        procs.stop(master)
    if master.process.returncode != 0 or not out_path.exists() or not windows:
        raise _loadgen_failed(master, f"loading {target.spec.name}")
    data = json.loads(out_path.read_text(encoding="utf-8"))
    by_name = {t.name: i for i, t in enumerate(mix)}
    for entry in data["entries"]:
        index = by_name.get(entry["name"])
        if index is None:
            continue
        target.counters.setdefault(index, Counters()).add(Counters.from_entry(entry))
    target.seconds += data["duration"]
    target.windows.extend(windows)
    target.errors.extend(data.get("errors", ()))
    if data.get("login_failures"):
        target.warnings.append(
            f"{data['login_failures']} of {spec['users']} simulated users could not log in during {phase}"
        )


def _run_ramp(
    options: BenchOptions,
    procs: ProcessSet,
    workdir: Path,
    target: _Running,
    mix: Sequence[Task],
) -> CapacityResult:
    capacity = options.profile.capacity
    spec = _loadgen_spec(options, target, mix, "ramp")
    spec["mode"] = "ramp"
    spec["warmup"] = min(spec["warmup"], 1.0)
    spec["ramp"] = {
        "steps": list(capacity.steps),
        "step_duration": capacity.step_duration,
        "objective_p95": capacity.objective_p95,
        "tolerance": locust_half_bucket(capacity.objective_p95),
        "max_failure_rate": capacity.max_failure_rate,
        "task_names": [t.name for t in mix if t.group == capacity.group] if capacity.group else None,
    }
    master, out_path, workers = _launch_loadgen(options, procs, workdir, spec, f"{target.spec.name}-ramp")
    timeout = 180 + len(capacity.steps) * (capacity.step_duration + 5) + max(capacity.steps) / max(
        options.profile.load.spawn_rate, 0.1
    )
    try:
        _follow(master, lambda text: None, timeout)
    finally:
        for worker in workers:
            procs.stop(worker)
        procs.stop(master)
    if master.process.returncode != 0 or not out_path.exists():
        raise _loadgen_failed(master, f"ramping {target.spec.name}")
    data = json.loads(out_path.read_text(encoding="utf-8"))
    steps = tuple(CapacityStep(**step) for step in data["steps"])
    best = max((step.users for step in steps if step.ok), default=0)
    return CapacityResult(objective=capacity.describe(), users=best, steps=steps)


# --------------------------------------------------------------------------- collecting


def _read_queries(target: _Running, rounds: int) -> None:
    """Attribute the hook's counts to tasks.

    Statements per request is a property of the endpoint, not of the window, so the warmup
    requests of each round (``w-r0``) count too: an overloaded server may finish few requests
    that were sent inside the window. Logins and the capacity ramp do not count.
    """
    measured = {f"r{i}" for i in range(rounds)} | {f"w-r{i}" for i in range(rounds)}
    for path in sorted(target.query_dir.glob("*.json")):
        try:
            counts = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        for tag, (requests, statements) in counts.items():
            phase, _, task = tag.partition(" ")
            if phase not in measured or not task.isdigit():
                continue
            counters = target.counters.setdefault(int(task), Counters())
            counters.counted_requests += requests
            counters.queries += statements


def _target_result(target: _Running, mix: Sequence[Task]) -> TargetResult:
    seconds = target.seconds
    endpoints = []
    groups: dict[str, list[Counters]] = {}
    for index, task in enumerate(mix):
        counters = target.counters.get(index, Counters())
        endpoints.append(EndpointResult(task.name, task.method, task.path, task.group, counters.stats(seconds)))
        groups.setdefault(task.group, []).append(counters)
    overall = merge(target.counters.values()).stats(seconds)
    windows = target.windows
    warnings = list(target.warnings)
    result_cpu = _weighted(windows, "server_cpu")
    loadgen_cpu = _weighted(windows, "loadgen_cpu")
    loadgen_max = max((w.loadgen_cpu_max_process for w in windows), default=None)
    machine = _weighted(windows, "machine_cpu")
    if loadgen_max is not None and loadgen_max >= LOADGEN_BOTTLENECK:
        warnings.append(
            f"the load generator used {loadgen_max:.0f}% of a core: Locust, not {target.spec.name}, "
            "may be the bottleneck (add Locust workers with --workers N, or another machine)"
        )
    elif machine is not None and loadgen_cpu is not None and machine >= 90 and loadgen_cpu >= 40:
        warnings.append(
            f"the machine was {machine:.0f}% busy and Locust took {loadgen_cpu:.0f}% of a core: "
            f"{target.spec.name}'s numbers are a lower bound"
        )
    if overall.requests and overall.failures:
        warnings.append(
            f"{overall.failures} of {overall.requests} requests failed ({overall.failure_rate:.1f}%)"
            + (f"; most frequent: {target.errors[0]}" if target.errors else "")
        )
    return TargetResult(
        name=target.spec.name,
        app=target.spec.app,
        server=target.server,
        overall=overall,
        endpoints=tuple(endpoints),
        groups=tuple((name, merge(items).stats(seconds)) for name, items in groups.items()),
        rss_mb=max((w.rss_mb for w in windows), default=None),
        uss_mb=max((w.uss_mb for w in windows), default=None),
        workers=max((w.workers for w in windows), default=0),
        server_cpu=result_cpu,
        loadgen_cpu=loadgen_cpu,
        loadgen_cpu_max_process=loadgen_max,
        machine_cpu=machine,
        measured_s=seconds,
        capacity=target.capacity,
        warnings=tuple(warnings),
    )


def _weighted(windows: Sequence[Window], attribute: str) -> float | None:
    total = sum(w.seconds for w in windows)
    if not windows or total <= 0:
        return None
    return sum(getattr(w, attribute) * w.seconds for w in windows) / total


def machine_info() -> dict[str, Any]:
    """Where the numbers were measured; stored beside every baseline."""
    try:
        load = os.getloadavg()
    except OSError:
        load = (0.0, 0.0, 0.0)
    cpu_model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "hostname": platform.node(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpu_model": cpu_model,
        "cpus": psutil.cpu_count(logical=True),
        "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "load_average_at_start": [round(x, 2) for x in load],
    }
