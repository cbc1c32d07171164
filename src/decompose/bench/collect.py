"""Turning what was measured on a target into its :class:`TargetResult`, with warnings."""

from __future__ import annotations

import json
import os
import platform
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import psutil

from decompose.bench.monitor import Window
from decompose.bench.profile import Task
from decompose.bench.results import EndpointResult, TargetResult
from decompose.bench.stats import Counters, merge
from decompose.bench.targets import RunningTarget

#: The load generator's busiest process above this share of one core is the bottleneck.
LOADGEN_BOTTLENECK = 85.0
#: Machine-wide CPU (percent of all cores) above which the numbers are called noisy.
MACHINE_BUSY = 90.0
#: Endpoints with fewer requests than this in the window get a "rough percentiles" warning.
FEW_SAMPLES = 20


def read_queries(target: RunningTarget, rounds: int) -> None:
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


def cpu_warnings(
    name: str,
    loadgen_max: float | None,
    loadgen_cpu: float | None,
    server_cpu: float | None,
    machine_cpu: float | None,
) -> list[str]:
    """Say when the numbers measure Locust or a crowded machine rather than the target."""
    if loadgen_max is not None and loadgen_max >= LOADGEN_BOTTLENECK:
        return [
            f"the load generator used {loadgen_max:.0f}% of a core: Locust, not {name}, may be "
            "the bottleneck (add Locust workers with --workers N, or another machine)"
        ]
    if machine_cpu is None or machine_cpu < MACHINE_BUSY:
        return []
    if loadgen_cpu is not None and loadgen_cpu >= 40:
        return [
            f"the machine was {machine_cpu:.0f}% busy and Locust took {loadgen_cpu:.0f}% of a "
            f"core: {name}'s numbers are a lower bound"
        ]
    return [
        f"the machine was {machine_cpu:.0f}% busy while {name} used {server_cpu or 0:.0f}% of a "
        "core: other processes (the database, other jobs) competed for the CPU; expect noise"
    ]


def target_result(target: RunningTarget, mix: Sequence[Task]) -> TargetResult:
    """Endpoints, groups and overall stats of a target, with its CPU, memory and warnings."""
    seconds = target.seconds
    endpoints = []
    groups: dict[str, list[Counters]] = {}
    for index, task in enumerate(mix):
        counters = target.counters.get(index, Counters())
        endpoints.append(
            EndpointResult(task.name, task.method, task.path, task.group, counters.stats(seconds))
        )
        groups.setdefault(task.group, []).append(counters)
    overall = merge(target.counters.values()).stats(seconds)
    windows = target.windows
    warnings = list(target.warnings)
    result_cpu = weighted(windows, "server_cpu")
    loadgen_cpu = weighted(windows, "loadgen_cpu")
    loadgen_max = max((w.loadgen_cpu_max_process for w in windows), default=None)
    machine = weighted(windows, "machine_cpu")
    warnings += cpu_warnings(target.spec.name, loadgen_max, loadgen_cpu, result_cpu, machine)
    sparse = [e.name for e in endpoints if e.stats.requests < FEW_SAMPLES]
    if sparse:
        shown = ", ".join(sparse[:5]) + (", ..." if len(sparse) > 5 else "")
        warnings.append(
            f"{len(sparse)} of {len(endpoints)} endpoints finished fewer than {FEW_SAMPLES} "
            f"requests in the window ({shown}): their percentiles are rough"
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
        database_cpu=weighted([w for w in windows if w.database_cpu is not None], "database_cpu"),
        measured_s=seconds,
        capacity=target.capacity,
        warnings=tuple(warnings),
        round_rps=tuple(target.round_rps),
    )


def weighted(windows: Sequence[Window], attribute: str) -> float | None:
    """The average of a window attribute, weighted by window length."""
    total = sum(w.seconds for w in windows)
    if not windows or total <= 0:
        return None
    return float(sum(getattr(w, attribute) * w.seconds for w in windows) / total)


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
