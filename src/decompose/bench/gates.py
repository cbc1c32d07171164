"""Gates: k6-style thresholds on benchmark results (``benchmarks/gates.toml``).

A gate is ``<metric> <operator> <threshold>``, where the threshold is an absolute quantity
(``"p95 < 100ms"``, ``"rps >= 1000"``, ``"rss <= 512MB"``) or a multiple of the same metric
measured on the baseline target (``"rps >= 10 * baseline"``, ``"rss <= 0.5 * baseline"``).
Gates live in scopes: ``[overall]``, ``[groups.<group>]``, ``[endpoints."<name>"]`` and
``[capacity]``, each with a ``gates = [...]`` list.

Latency tolerance: Locust stores response times rounded to whole milliseconds below 100 ms, to
10 ms between 100 ms and 1 s and to 100 ms above, so a reported p95 of 100 ms means a true value
between 95 and 105 ms. By default (``latency_tolerance = "bucket"``) a percentile comparison
is given half a bucket at the threshold, i.e. it fails only when the bucket proves it missed;
``latency_tolerance = "0ms"`` makes it strict, any other latency sets a fixed tolerance.
"""

from __future__ import annotations

import operator
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from decompose.bench.results import BenchResult, GateOutcome, Stats, TargetResult
from decompose.bench.units import parse_ms, parse_quantity
from decompose.errors import ConfigError

# --------------------------------------------------------------------------- metrics registry


@dataclass(frozen=True)
class Metric:
    """A number a gate can test; ``kind`` says which scopes have it."""

    name: str
    dimension: str  # latency | rate | memory | percent | number
    unit: str
    kind: str  # stats (overall/group/endpoint) | server (overall only) | capacity
    read: Callable[[TargetResult, Stats | None], float | None]
    help: str


METRICS: dict[str, Metric] = {}


def metric(
    name: str, dimension: str, unit: str, kind: str, help: str
) -> Callable[
    [Callable[[TargetResult, Stats | None], float | None]],
    Callable[[TargetResult, Stats | None], float | None],
]:
    """Register a gate metric; adding one is a function and a test."""

    def register(
        read: Callable[[TargetResult, Stats | None], float | None],
    ) -> Callable[[TargetResult, Stats | None], float | None]:
        METRICS[name] = Metric(name, dimension, unit, kind, read, help)
        return read

    return register


def _stat(field: str) -> Callable[[TargetResult, Stats | None], float | None]:
    def read(target: TargetResult, stats: Stats | None) -> float | None:
        if stats is None or stats.requests == 0:
            return None
        value = getattr(stats, field)
        return None if value is None else float(value)

    return read


for _name, _dim, _unit, _help in (
    ("rps", "rate", "req/s", "requests per second over the measured window"),
    ("avg", "latency", "ms", "mean response time"),
    ("p50", "latency", "ms", "median response time"),
    ("p90", "latency", "ms", "90th percentile response time"),
    ("p95", "latency", "ms", "95th percentile response time"),
    ("p99", "latency", "ms", "99th percentile response time"),
    ("max", "latency", "ms", "slowest response"),
    ("failures", "number", "", "number of failed requests"),
    ("failure_rate", "percent", "%", "failed requests, percent of all"),
    ("queries", "number", "", "SQL statements per request (gunicorn hook)"),
):
    metric(_name, _dim, _unit, "stats", _help)(_stat(_name))


@metric("rss", "memory", "MB", "server", "peak RSS summed over the gunicorn workers")
def _rss(target: TargetResult, stats: Stats | None) -> float | None:
    return target.rss_mb


@metric("uss", "memory", "MB", "server", "peak unique memory summed over the workers")
def _uss(target: TargetResult, stats: Stats | None) -> float | None:
    return target.uss_mb


@metric("cpu", "percent", "%", "server", "server CPU, percent of one core")
def _cpu(target: TargetResult, stats: Stats | None) -> float | None:
    return target.server_cpu


@metric("db_cpu", "percent", "%", "server", "PostgreSQL backends' CPU, percent of one core")
def _db_cpu(target: TargetResult, stats: Stats | None) -> float | None:
    return target.database_cpu


@metric("loadgen_cpu", "percent", "%", "server", "load generator CPU, percent of one core")
def _loadgen_cpu(target: TargetResult, stats: Stats | None) -> float | None:
    return target.loadgen_cpu


@metric("users", "number", "users", "capacity", "highest user count meeting the objective")
def _users(target: TargetResult, stats: Stats | None) -> float | None:
    return None if target.capacity is None else float(target.capacity.users)


# --------------------------------------------------------------------------- parsing

OPERATORS: dict[str, Callable[[float, float], bool]] = {
    "<=": operator.le,
    ">=": operator.ge,
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    ">": operator.gt,
}

_EXPRESSION = re.compile(r"^\s*([a-z_0-9]+)\s*(<=|>=|==|!=|<|>)\s*(.+?)\s*$")
_RELATIVE = re.compile(
    r"^(?:(?P<pre>[0-9.eE+-]+)\s*\*\s*)?baseline(?:\s*\*\s*(?P<post>[0-9.eE+-]+))?$"
)


@dataclass(frozen=True)
class Gate:
    scope: str  # overall | group:<name> | endpoint:<name> | capacity
    expression: str
    metric: str
    op: str
    value: float  # the absolute threshold, or the factor when relative
    relative: bool = False


@dataclass(frozen=True)
class GateSet:
    gates: tuple[Gate, ...] = ()
    baseline: str | None = None
    targets: tuple[str, ...] = ()  # empty: every target except the baseline
    latency_tolerance: float | None = None  # None = half a Locust bucket at the threshold
    source: str = ""


def parse_gate(expression: str, scope: str, where: str = "gate") -> Gate:
    """Parse one expression; ``where`` names the config key for error messages."""
    match = _EXPRESSION.match(expression)
    if not match:
        raise ConfigError(
            f"{where}: {expression!r} is not '<metric> <op> <threshold>', e.g. 'p95 < 100ms'"
        )
    name, op, rhs = match.groups()
    found = METRICS.get(name)
    if found is None:
        known = ", ".join(sorted(METRICS))
        raise ConfigError(f"{where}: unknown metric {name!r} in {expression!r}; use one of {known}")
    kind = _scope_kind(scope)
    if found.kind == "server" and kind != "overall":
        raise ConfigError(
            f"{where}: {name} is measured per server; put {expression!r} under [overall]"
        )
    if found.kind == "capacity" and kind != "capacity":
        raise ConfigError(
            f"{where}: {name} comes from the capacity ramp; put {expression!r} under [capacity]"
        )
    if found.kind == "stats" and kind == "capacity":
        raise ConfigError(f"{where}: [capacity] only has the metric 'users', found {name!r}")
    relative = _RELATIVE.match(rhs)
    if relative:
        factor_text = relative.group("pre") or relative.group("post") or "1"
        try:
            factor = float(factor_text)
        except ValueError:
            raise ConfigError(
                f"{where}: {factor_text!r} in {expression!r} is not a number"
            ) from None
        return Gate(scope, expression.strip(), name, op, factor, relative=True)
    try:
        value, dimension = parse_quantity(rhs)
    except ValueError as exc:
        raise ConfigError(f"{where}: {exc}") from None
    if dimension not in ("number", found.dimension) and not (
        dimension == "rate" and found.dimension == "rate"
    ):
        raise ConfigError(
            f"{where}: {name} is a {found.dimension} but {rhs!r} is a {dimension} in {expression!r}"
        )
    return Gate(scope, expression.strip(), name, op, value)


def _scope_kind(scope: str) -> str:
    return scope.split(":", 1)[0]


def load_gates(path: str | Path) -> GateSet:
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"gates file {path} does not exist") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"gates file {path} is not valid TOML: {exc}") from None
    return parse_gates(data, str(path))


def parse_gates(data: Mapping[str, Any], source: str = "<gates>") -> GateSet:
    known = {
        "baseline",
        "targets",
        "latency_tolerance",
        "overall",
        "groups",
        "endpoints",
        "capacity",
    }
    for key in data:
        if key not in known:
            raise ConfigError(
                f"{source}: {key} is not a known key (known: {', '.join(sorted(known))})"
            )
    gates: list[Gate] = []

    def scope_gates(table: Any, scope: str, where: str) -> None:
        if not isinstance(table, dict) or set(table) - {"gates"}:
            raise ConfigError(f"{source}: {where} must be a table with one key, gates = [...]")
        expressions = table.get("gates", [])
        if not isinstance(expressions, list) or not all(isinstance(e, str) for e in expressions):
            raise ConfigError(f"{source}: {where}.gates must be a list of strings")
        for index, expression in enumerate(expressions):
            gates.append(parse_gate(expression, scope, f"{source}: {where}.gates[{index}]"))

    if "overall" in data:
        scope_gates(data["overall"], "overall", "overall")
    for kind, key in (("group", "groups"), ("endpoint", "endpoints")):
        tables = data.get(key, {})
        if not isinstance(tables, dict):
            raise ConfigError(f"{source}: {key} must be a table of [{key}.<name>] tables")
        for name, table in tables.items():
            scope_gates(table, f"{kind}:{name}", f"{key}.{name}")
    if "capacity" in data:
        scope_gates(data["capacity"], "capacity", "capacity")

    baseline = data.get("baseline")
    if baseline is not None and not isinstance(baseline, str):
        raise ConfigError(f"{source}: baseline must be a target name")
    targets = data.get("targets", [])
    if not isinstance(targets, list) or not all(isinstance(t, str) for t in targets):
        raise ConfigError(f"{source}: targets must be a list of target names")
    tolerance_text = data.get("latency_tolerance", "bucket")
    tolerance: float | None
    if tolerance_text == "bucket":
        tolerance = None
    else:
        try:
            tolerance = parse_ms(tolerance_text)
        except ValueError as exc:
            raise ConfigError(
                f"{source}: latency_tolerance {exc}; use 'bucket' or e.g. '10ms'"
            ) from None
    return GateSet(tuple(gates), baseline, tuple(targets), tolerance, source)


# --------------------------------------------------------------------------- evaluation


BUCKETED = frozenset({"p50", "p90", "p95", "p99"})


def locust_half_bucket(ms: float) -> float:
    """Half the rounding step Locust applies to a response time of ``ms``."""
    if ms < 100:
        return 0.5
    if ms < 1000:
        return 5.0
    return 50.0


def _scope_stats(target: TargetResult, scope: str) -> tuple[Stats | None, bool]:
    """The stats a scope reads, and whether the scope exists in this target's results."""
    kind, _, name = scope.partition(":")
    if kind == "overall":
        return target.overall, True
    if kind == "group":
        stats = target.group(name)
        return stats, stats is not None
    if kind == "endpoint":
        endpoint = target.endpoint(name)
        return (endpoint.stats if endpoint else None), endpoint is not None
    return None, target.capacity is not None


def _fmt(value: float, unit: str) -> str:
    text = f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.3g}"
    return f"{text} {unit}".rstrip() if unit not in ("%",) else f"{text}%"


def gated_targets(gates: GateSet, result: BenchResult) -> list[TargetResult]:
    if gates.targets:
        return [t for t in result.targets if t.name in gates.targets]
    return [t for t in result.targets if t.name != gates.baseline]


def evaluate(
    gates: GateSet,
    result: BenchResult,
    baseline: TargetResult | None = None,
) -> tuple[GateOutcome, ...]:
    """Evaluate every gate on every gated target.

    ``baseline`` is the target relative gates compare with; by default the target named by
    ``gates.baseline`` in ``result``. A gate whose number was not measured is ``missing`` (it
    fails), except capacity gates in a ``--quick`` run, which are ``skipped``.
    """
    if baseline is None and gates.baseline:
        baseline = result.target(gates.baseline)
    outcomes = []
    for target in gated_targets(gates, result):
        for gate in gates.gates:
            outcomes.append(_evaluate_one(gate, gates, target, baseline, result.quick))
    return tuple(outcomes)


def _evaluate_one(
    gate: Gate,
    gates: GateSet,
    target: TargetResult,
    baseline: TargetResult | None,
    quick: bool,
) -> GateOutcome:
    found = METRICS[gate.metric]
    label = f"{target.name} {gate.scope}"

    def outcome(status: str, message: str, **kw: Any) -> GateOutcome:
        return GateOutcome(
            target.name, gate.scope, gate.expression, status, unit=found.unit, message=message, **kw
        )

    if gate.scope == "capacity" and target.capacity is None:
        if quick:
            return outcome(
                "skipped", f"{label}: {gate.expression} skipped (no capacity ramp in --quick)"
            )
        return outcome(
            "missing", f"{label}: {gate.expression} has no data: no capacity ramp ran (--capacity)"
        )
    stats, exists = _scope_stats(target, gate.scope)
    if not exists:
        return outcome(
            "missing", f"{label}: {gate.expression} has no data: the run has no such scope"
        )
    actual = found.read(target, stats)
    if actual is None:
        return outcome(
            "missing", f"{label}: {gate.expression} has no data: {gate.metric} was not measured"
        )
    threshold = gate.value
    basis = ""
    if gate.relative:
        if baseline is None:
            return outcome(
                "missing",
                f"{label}: {gate.expression} needs a baseline target, and the run has none "
                "(set baseline in the gates file or pass --baseline)",
                actual=actual,
            )
        base_stats, base_exists = _scope_stats(baseline, gate.scope)
        base_value = found.read(baseline, base_stats) if base_exists else None
        if base_value is None:
            return outcome(
                "missing",
                f"{label}: {gate.expression} has no baseline value: {gate.metric} was not "
                f"measured on {baseline.name}",
                actual=actual,
            )
        threshold = gate.value * base_value
        basis = f" ({gate.value:g} x {baseline.name} {_fmt(base_value, found.unit)})"
        if base_value == 0:
            basis += f"; {baseline.name} measured 0, so this relative gate says little"
    tolerance = 0.0
    if gate.metric in BUCKETED:  # avg and max are exact in Locust; percentiles are bucketed
        tolerance = (
            gates.latency_tolerance
            if gates.latency_tolerance is not None
            else locust_half_bucket(threshold)
        )
    compare = OPERATORS[gate.op]
    passed = compare(actual, threshold) or (
        tolerance > 0 and _within(actual, gate.op, threshold, tolerance)
    )
    shown = f"{gate.metric} = {_fmt(actual, found.unit)}, needs {gate.op} {_fmt(threshold, found.unit)}{basis}"
    if passed:
        note = f" (within the {tolerance:g} ms tolerance)" if not compare(actual, threshold) else ""
        return outcome("pass", f"{label}: {shown}{note}", actual=actual, threshold=threshold)
    gap = abs(actual - threshold)
    share = f", {100 * gap / abs(threshold):.1f}%" if threshold else ""
    return outcome(
        "fail",
        f"{label}: {shown}; missed by {_fmt(gap, found.unit)}{share}",
        actual=actual,
        threshold=threshold,
    )


def _within(actual: float, op: str, threshold: float, tolerance: float) -> bool:
    if op in ("<", "<="):
        return actual < threshold + tolerance
    if op in (">", ">="):
        return actual > threshold - tolerance
    if op == "==":
        return abs(actual - threshold) <= tolerance
    return False


def apply_gates(
    result: BenchResult,
    gates: GateSet,
    baseline: str | BenchResult | None = None,
) -> BenchResult:
    """``result`` with its gates evaluated.

    ``baseline`` overrides the gates file's: a target name of this run, or a stored result
    (its target named like the gates file's baseline, else its first target).
    """
    stored: TargetResult | None = None
    if isinstance(baseline, BenchResult):
        stored = (baseline.target(gates.baseline) if gates.baseline else None) or baseline.targets[
            0
        ]
    elif baseline:
        gates = replace(gates, baseline=baseline)
    outcomes = evaluate(gates, result, baseline=stored)
    return replace(result, gates=outcomes, baseline=stored.name if stored else gates.baseline)
