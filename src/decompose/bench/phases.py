"""Driving a target: one load-generator subprocess per phase (a round, or the capacity ramp).

The load generator (:mod:`decompose.bench.loadgen`) prints markers when its measured window
starts and ends; CPU and memory are sampled here, in the parent, over exactly that window.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from decompose.bench.gates import locust_half_bucket
from decompose.bench.monitor import Monitor, Window
from decompose.bench.options import BenchOptions
from decompose.bench.procs import Child, ProcessSet, free_port, log_tail
from decompose.bench.profile import Load, Task
from decompose.bench.results import CapacityResult, CapacityStep
from decompose.bench.stats import Counters
from decompose.bench.targets import RunningTarget, base_env
from decompose.errors import TargetError


def loadgen_spec(
    options: BenchOptions, target: RunningTarget, mix: Sequence[Task], phase: str
) -> dict[str, Any]:
    """The JSON spec the load generator reads: host, users, durations, login, mix."""
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
            {
                "name": t.name,
                "method": t.method,
                "path": t.path,
                "weight": 1 if load.equal_weights and t.weight else t.weight,
                "json": t.json,
            }
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


def launch_loadgen(
    options: BenchOptions,
    procs: ProcessSet,
    workdir: Path,
    spec: dict[str, Any],
    label: str,
) -> tuple[Child, Path, list[Child]]:
    """Start the load generator (and its local workers); the caller stops them."""
    if spec["distributed"]:
        spec["master_port"] = options.master_port or free_port(
            options.master_bind if options.master_bind != "0.0.0.0" else "127.0.0.1"
        )
    spec_path = workdir / f"loadgen-{label}.json"
    out_path = workdir / f"loadgen-{label}.out.json"
    spec_path.write_text(json.dumps(spec, indent=1), encoding="utf-8")
    out_path.unlink(missing_ok=True)
    env = base_env(options)
    argv = [sys.executable, "-m", "decompose.bench.loadgen", "run", str(spec_path), str(out_path)]
    master = procs.start(
        f"loadgen-{label}",
        argv,
        env=env,
        cwd=options.root,
        log=workdir / "loadgen.log",
        stdout=subprocess.PIPE,
    )
    workers = []
    for number in range(options.workers):
        worker_argv = [
            sys.executable, "-m", "decompose.bench.loadgen", "worker",
            "--master-host", "127.0.0.1", "--master-port", str(spec["master_port"]),
        ]  # fmt: skip
        workers.append(
            procs.start(
                f"loadgen-worker-{number}",
                worker_argv,
                env=env,
                cwd=options.root,
                log=workdir / "loadgen.log",
            )
        )
    if options.remote_workers:
        options.progress(
            f"waiting for {options.remote_workers} remote Locust worker(s) on port "
            f"{spec['master_port']}; on each load machine keep running: while true; do "
            f"python -m decompose.bench.loadgen worker --master-host <this host> "
            f"--master-port {spec['master_port']}; done"
        )
    return master, out_path, workers


def follow_markers(
    master: Child,
    on_marker: Callable[[str], None],
    timeout: float,
) -> None:
    """Read the load generator's markers until it exits; kill it if it overruns ``timeout``."""
    timer = threading.Timer(timeout, lambda: kill_quietly(master))
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


def kill_quietly(child: Child) -> None:
    try:
        child.process.kill()
    except OSError:
        pass


def loadgen_failed(master: Child, what: str) -> TargetError:
    """The error for a load generator that exited badly, with its log tail."""
    return TargetError(
        f"the load generator failed while {what} (exit code {master.process.returncode}); "
        f"last lines of {master.log}:\n{log_tail(master.log)}"
    )


def run_phase(
    options: BenchOptions,
    procs: ProcessSet,
    workdir: Path,
    target: RunningTarget,
    mix: Sequence[Task],
    phase: str,
    load: Load,
) -> None:
    """One measured round on one target; adds its counters and windows to ``target``."""
    spec = loadgen_spec(options, target, mix, phase)
    master, out_path, workers = launch_loadgen(
        options, procs, workdir, spec, f"{target.spec.name}-{phase}"
    )
    database = target.database.name if target.database is not None else None
    monitor = Monitor(target.child.pid, master.pid, database=database)
    windows: list[Window] = []

    def on_marker(text: str) -> None:
        if text == "MEASURE START":
            options.progress(f"{target.spec.name}: users ready, measuring")
            monitor.start()
        elif text == "MEASURE END":
            windows.append(monitor.stop())

    timeout = (
        180 + load.warmup + load.duration + load.users / max(options.profile.load.spawn_rate, 0.1)
    )
    try:
        follow_markers(master, on_marker, timeout)
    finally:
        for worker in workers:
            procs.stop(worker)
        procs.stop(master)
    if master.process.returncode != 0 or not out_path.exists() or not windows:
        raise loadgen_failed(master, f"loading {target.spec.name}")
    data = json.loads(out_path.read_text(encoding="utf-8"))
    by_name = {t.name: i for i, t in enumerate(mix)}
    for entry in data["entries"]:
        index = by_name.get(entry["name"])
        if index is None:
            continue
        target.counters.setdefault(index, Counters()).add(Counters.from_entry(entry))
    target.seconds += data["duration"]
    requests = sum(e["num_requests"] for e in data["entries"] if e["name"] in by_name)
    target.round_rps.append(requests / data["duration"] if data["duration"] else 0.0)
    target.windows.extend(windows)
    target.errors.extend(data.get("errors", ()))
    if data.get("login_failures"):
        target.warnings.append(
            f"{data['login_failures']} of {spec['users']} simulated users could not log in during {phase}"
        )


def run_ramp(
    options: BenchOptions,
    procs: ProcessSet,
    workdir: Path,
    target: RunningTarget,
    mix: Sequence[Task],
) -> CapacityResult:
    """The capacity ramp on one target: raise users until the objective breaks."""
    capacity = options.profile.capacity
    spec = loadgen_spec(options, target, mix, "ramp")
    spec["mode"] = "ramp"
    spec["warmup"] = min(spec["warmup"], 1.0)
    spec["ramp"] = {
        "steps": list(capacity.steps),
        "step_duration": capacity.step_duration,
        "objective_p95": capacity.objective_p95,
        "tolerance": locust_half_bucket(capacity.objective_p95),
        "max_failure_rate": capacity.max_failure_rate,
        "task_names": [t.name for t in mix if t.group == capacity.group]
        if capacity.group
        else None,
    }
    master, out_path, workers = launch_loadgen(
        options, procs, workdir, spec, f"{target.spec.name}-ramp"
    )
    timeout = (
        180
        + len(capacity.steps) * (capacity.step_duration + 5)
        + max(capacity.steps) / max(options.profile.load.spawn_rate, 0.1)
    )
    try:
        follow_markers(master, lambda text: None, timeout)
    finally:
        for worker in workers:
            procs.stop(worker)
        procs.stop(master)
    if master.process.returncode != 0 or not out_path.exists():
        raise loadgen_failed(master, f"ramping {target.spec.name}")
    data = json.loads(out_path.read_text(encoding="utf-8"))
    steps = tuple(CapacityStep(**step) for step in data["steps"])
    best = max((step.users for step in steps if step.ok), default=0)
    return CapacityResult(objective=capacity.describe(), users=best, steps=steps)
