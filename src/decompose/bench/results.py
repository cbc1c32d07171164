"""What a benchmark run produces: frozen dataclasses, standard library only.

Renderers turn a :class:`BenchResult` into text; gates read it; ``as_dict``/``from_dict``
round-trip it through JSON so that a stored baseline (``benchmarks/results/``) can stand in for
a baseline target that is not part of the run.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Stats:
    """Latency and throughput of a set of requests over the measured window.

    Percentiles are Locust's: bucketed to about two significant digits (10 ms steps between
    100 ms and 1 s), which is why latency gates carry a tolerance. ``queries`` is SQL
    statements per request as counted by the gunicorn hook; ``None`` when not measured.
    """

    requests: int = 0
    failures: int = 0
    rps: float = 0.0
    avg: float = 0.0
    p50: float = 0.0
    p90: float = 0.0
    p95: float = 0.0
    p99: float = 0.0
    max: float = 0.0
    queries: float | None = None

    @property
    def failure_rate(self) -> float:
        """Failures as a percentage of requests (0 when nothing was sent)."""
        return 100.0 * self.failures / self.requests if self.requests else 0.0


@dataclass(frozen=True)
class EndpointResult:
    """One entry of the mix: its name as Locust reports it, and its group."""

    name: str
    method: str
    path: str
    group: str
    stats: Stats


@dataclass(frozen=True)
class CapacityStep:
    users: int
    p95: float
    failure_rate: float
    rps: float
    ok: bool


@dataclass(frozen=True)
class CapacityResult:
    """A ramp of concurrent users; ``users`` is the highest step that met the objective."""

    objective: str
    users: int
    steps: tuple[CapacityStep, ...] = ()


@dataclass(frozen=True)
class TargetResult:
    """Everything measured for one target across all rounds."""

    name: str
    app: str
    server: str  # the worker model, e.g. "gunicorn sync x1 timeout 120 keep-alive 2"
    overall: Stats
    endpoints: tuple[EndpointResult, ...] = ()
    groups: tuple[tuple[str, Stats], ...] = ()
    rss_mb: float | None = None  # peak, summed over the gunicorn workers
    uss_mb: float | None = None  # peak unique memory, summed over the workers
    workers: int = 0
    server_cpu: float | None = None  # percent of one core, master + workers
    loadgen_cpu: float | None = None  # percent of one core, load generator processes
    loadgen_cpu_max_process: float | None = None  # the busiest load generator process
    machine_cpu: float | None = None  # percent of all cores, whole machine
    database_cpu: float | None = None  # PostgreSQL backends serving the target, % of one core
    measured_s: float = 0.0
    capacity: CapacityResult | None = None
    warnings: tuple[str, ...] = ()
    round_rps: tuple[float, ...] = ()  # requests/s of each round: drift shows here

    def group(self, name: str) -> Stats | None:
        for group_name, stats in self.groups:
            if group_name == name:
                return stats
        return None

    def endpoint(self, name: str) -> EndpointResult | None:
        for endpoint in self.endpoints:
            if endpoint.name == name:
                return endpoint
        return None


@dataclass(frozen=True)
class GateOutcome:
    """One gate expression evaluated for one target."""

    target: str
    scope: str  # "overall", "group:<name>", "endpoint:<name>", "capacity"
    expression: str
    status: str  # pass | fail | missing | skipped
    actual: float | None = None
    threshold: float | None = None
    unit: str = ""
    message: str = ""

    @property
    def failed(self) -> bool:
        return self.status in ("fail", "missing")


@dataclass(frozen=True)
class BenchResult:
    profile: str
    quick: bool
    started_at: str
    machine: dict[str, Any] = field(default_factory=dict)
    targets: tuple[TargetResult, ...] = ()
    gates: tuple[GateOutcome, ...] = ()
    baseline: str | None = None  # the name of the target (or file) gates compare against
    settings: dict[str, Any] = field(default_factory=dict)  # users, duration, rounds, ...

    @property
    def failed(self) -> bool:
        return any(gate.failed for gate in self.gates)

    def target(self, name: str) -> TargetResult | None:
        for target in self.targets:
            if target.name == name:
                return target
        return None

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for target, raw in zip(self.targets, data["targets"], strict=True):
            raw["groups"] = {name: asdict(stats) for name, stats in target.groups}
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> BenchResult:
        targets = tuple(_target_from_dict(raw) for raw in data.get("targets", ()))
        gates = tuple(GateOutcome(**raw) for raw in data.get("gates", ()))
        return cls(
            profile=data.get("profile", ""),
            quick=bool(data.get("quick", False)),
            started_at=data.get("started_at", ""),
            machine=dict(data.get("machine", {})),
            targets=targets,
            gates=gates,
            baseline=data.get("baseline"),
            settings=dict(data.get("settings", {})),
        )


def _target_from_dict(raw: dict[str, Any]) -> TargetResult:
    capacity = raw.get("capacity")
    return TargetResult(
        name=raw["name"],
        app=raw.get("app", ""),
        server=raw.get("server", ""),
        overall=Stats(**raw["overall"]),
        endpoints=tuple(
            EndpointResult(
                name=e["name"],
                method=e["method"],
                path=e["path"],
                group=e["group"],
                stats=Stats(**e["stats"]),
            )
            for e in raw.get("endpoints", ())
        ),
        groups=tuple((name, Stats(**stats)) for name, stats in raw.get("groups", {}).items()),
        rss_mb=raw.get("rss_mb"),
        uss_mb=raw.get("uss_mb"),
        workers=raw.get("workers", 0),
        server_cpu=raw.get("server_cpu"),
        loadgen_cpu=raw.get("loadgen_cpu"),
        loadgen_cpu_max_process=raw.get("loadgen_cpu_max_process"),
        machine_cpu=raw.get("machine_cpu"),
        database_cpu=raw.get("database_cpu"),
        measured_s=raw.get("measured_s", 0.0),
        capacity=None
        if capacity is None
        else CapacityResult(
            objective=capacity["objective"],
            users=capacity["users"],
            steps=tuple(CapacityStep(**step) for step in capacity.get("steps", ())),
        ),
        warnings=tuple(raw.get("warnings", ())),
        round_rps=tuple(raw.get("round_rps", ())),
    )
