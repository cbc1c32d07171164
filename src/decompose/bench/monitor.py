"""CPU and memory of the processes under test and of the load generator, sampled with psutil.

CPU is the difference of cumulative CPU times over the measured window, per process tree
(percent of one core); memory is the peak, over samples taken every half second, of RSS and
USS summed over the gunicorn workers (the master's own few MB are left out: the workers are
what scales).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

import psutil


def _tree(pid: int) -> list[psutil.Process]:
    try:
        root = psutil.Process(pid)
        return [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def cpu_seconds(pid: int) -> dict[int, float]:
    """Cumulative CPU seconds of every process in the tree rooted at ``pid``."""
    times = {}
    for process in _tree(pid):
        try:
            cpu = process.cpu_times()
            times[process.pid] = cpu.user + cpu.system
        except psutil.NoSuchProcess:
            continue
    return times


def database_cpu_seconds(database: str) -> dict[int, float]:
    """Cumulative CPU seconds of the PostgreSQL backends serving ``database``.

    A backend's process title is ``postgres: <cluster>: <user> <database> <client> <state>``,
    so the database's name identifies the backends of one target.
    """
    times = {}
    needle = f" {database} "
    for process in psutil.process_iter(["cmdline"]):
        try:
            title = " ".join(process.info["cmdline"] or []) + " "
            if title.startswith("postgres:") and needle in title:
                cpu = process.cpu_times()
                times[process.pid] = cpu.user + cpu.system
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return times


def _delta(before: dict[int, float], after: dict[int, float]) -> dict[int, float]:
    return {pid: seconds - before.get(pid, 0.0) for pid, seconds in after.items()}


def worker_memory(pid: int) -> tuple[float, float, int]:
    """(RSS MB, USS MB, workers) summed over the children of the gunicorn master ``pid``."""
    rss = uss = 0.0
    workers = 0
    for process in _tree(pid)[1:]:
        try:
            info = process.memory_full_info()
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
        rss += info.rss / 2**20
        uss += info.uss / 2**20
        workers += 1
    return rss, uss, workers


@dataclass
class Window:
    """What the monitor measured between ``start()`` and ``stop()``."""

    seconds: float = 0.0
    server_cpu: float = 0.0  # percent of one core
    loadgen_cpu: float = 0.0
    loadgen_cpu_max_process: float = 0.0
    machine_cpu: float = 0.0  # percent of all cores
    database_cpu: float | None = None  # PostgreSQL backends of the target, percent of one core
    rss_mb: float = 0.0
    uss_mb: float = 0.0
    workers: int = 0


@dataclass
class Monitor:
    server_pid: int
    loadgen_pid: int
    database: str | None = None  # a PostgreSQL database name whose backends to measure
    interval: float = 0.5
    window: Window = field(default_factory=Window)
    _thread: threading.Thread | None = None
    _stop: threading.Event = field(default_factory=threading.Event)

    def start(self) -> None:
        self._started = time.monotonic()
        self._server = cpu_seconds(self.server_pid)
        self._loadgen = cpu_seconds(self.loadgen_pid)
        self._machine = psutil.cpu_times()
        self._database = database_cpu_seconds(self.database) if self.database else {}
        self._stop.clear()
        self._thread = threading.Thread(target=self._sample, name="bench-monitor", daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while True:
            rss, uss, workers = worker_memory(self.server_pid)
            self.window.rss_mb = max(self.window.rss_mb, rss)
            self.window.uss_mb = max(self.window.uss_mb, uss)
            self.window.workers = max(self.window.workers, workers)
            if self._stop.wait(self.interval):
                return

    def stop(self) -> Window:
        seconds = max(time.monotonic() - self._started, 1e-6)
        server = _delta(self._server, cpu_seconds(self.server_pid))
        loadgen = _delta(self._loadgen, cpu_seconds(self.loadgen_pid))
        machine = psutil.cpu_times()
        busy = sum(machine) - machine.idle - getattr(machine, "iowait", 0.0)
        busy_before = (
            sum(self._machine) - self._machine.idle - getattr(self._machine, "iowait", 0.0)
        )
        total = sum(machine) - sum(self._machine)
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        window = self.window
        window.seconds = seconds
        window.server_cpu = 100.0 * sum(server.values()) / seconds
        window.loadgen_cpu = 100.0 * sum(loadgen.values()) / seconds
        window.loadgen_cpu_max_process = 100.0 * max(loadgen.values(), default=0.0) / seconds
        window.machine_cpu = 100.0 * (busy - busy_before) / total if total > 0 else 0.0
        if self.database:
            database = _delta(self._database, database_cpu_seconds(self.database))
            window.database_cpu = 100.0 * sum(database.values()) / seconds
        return window
