"""Renderers: one function per output format, ``render(result) -> str``, no I/O.

``table`` is for the terminal (targets side by side), ``markdown`` for reports and pull
requests, ``json`` round-trips through :meth:`BenchResult.from_dict`, ``junit`` puts one test
case per gate (and one per target) into JUnit XML for CI.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from xml.etree import ElementTree as ET

from decompose.bench.results import BenchResult, Stats, TargetResult

RENDERERS: dict[str, Callable[[BenchResult], str]] = {}
EXTENSIONS: dict[str, str] = {}


def renderer(
    name: str, extension: str
) -> Callable[[Callable[[BenchResult], str]], Callable[[BenchResult], str]]:
    def register(function: Callable[[BenchResult], str]) -> Callable[[BenchResult], str]:
        RENDERERS[name] = function
        EXTENSIONS[name] = extension
        return function

    return register


def render(result: BenchResult, fmt: str) -> str:
    return RENDERERS[fmt](result)


# --------------------------------------------------------------------------- shared rows


def _num(value: float | None, digits: int = 0) -> str:
    if value is None:
        return "-"
    return f"{value:,.{digits}f}"


def _queries(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


STAT_COLUMNS = ("rps", "p50", "p95", "p99", "fail%", "q/req")


def _stat_cells(stats: Stats | None) -> list[str]:
    if stats is None:
        return ["-"] * len(STAT_COLUMNS)
    if stats.requests == 0:  # nothing finished in the window: no latency to show
        return ["0.0", "-", "-", "-", "-", _queries(stats.queries)]
    return [
        _num(stats.rps, 1),
        _num(stats.p50),
        _num(stats.p95),
        _num(stats.p99),
        _num(stats.failure_rate, 1),
        _queries(stats.queries),
    ]


def _endpoint_rows(result: BenchResult) -> list[list[str]]:
    """One row per endpoint, then per group, then overall; cells for each target side by side."""
    targets = result.targets
    rows: list[list[str]] = []
    names: list[tuple[str, str]] = []
    for target in targets:
        for endpoint in target.endpoints:
            if (endpoint.name, endpoint.group) not in names:
                names.append((endpoint.name, endpoint.group))
    for name, group in names:
        row = [name, group]
        for target in targets:
            found = target.endpoint(name)
            row += _stat_cells(found.stats if found else None)
        rows.append(row)
    groups: list[str] = []
    for target in targets:
        groups += [g for g, _ in target.groups if g not in groups]
    if len(groups) > 1:
        for group in groups:
            row = [f"group {group}", group]
            for target in targets:
                row += _stat_cells(target.group(group))
            rows.append(row)
    row = ["overall", ""]
    for target in targets:
        row += _stat_cells(target.overall)
    rows.append(row)
    return rows


def _summary_rows(result: BenchResult) -> list[list[str]]:
    def row(label: str, cell: Callable[[TargetResult], str]) -> list[str]:
        return [label, *(cell(t) for t in result.targets)]

    return [
        row("server", lambda t: t.server),
        row("requests/s", lambda t: _num(t.overall.rps, 1)),
        row("requests/s per round", lambda t: " / ".join(_num(r, 1) for r in t.round_rps) or "-"),
        row(
            "p50 / p95 / p99 ms",
            lambda t: f"{_num(t.overall.p50)} / {_num(t.overall.p95)} / {_num(t.overall.p99)}",
        ),
        row("failures", lambda t: f"{t.overall.failures} ({t.overall.failure_rate:.1f}%)"),
        row("SQL queries / request", lambda t: _queries(t.overall.queries)),
        row("RSS, workers (MB)", lambda t: f"{_num(t.rss_mb)} ({t.workers} workers)"),
        row("USS, workers (MB)", lambda t: _num(t.uss_mb)),
        row("server CPU (% of a core)", lambda t: _num(t.server_cpu)),
        row(
            "Locust CPU (% of a core)",
            lambda t: f"{_num(t.loadgen_cpu)} (busiest process {_num(t.loadgen_cpu_max_process)})",
        ),
        row("database CPU (% of a core)", lambda t: _num(t.database_cpu)),
        row("machine CPU (% of all cores)", lambda t: _num(t.machine_cpu)),
        row("capacity (users)", lambda t: "-" if t.capacity is None else f"{t.capacity.users}"),
        row("measured (s)", lambda t: _num(t.measured_s, 1)),
    ]


def _header_line(result: BenchResult) -> str:
    s = result.settings
    mode = "quick" if result.quick else "full"
    return (
        f"decompose bench: profile {result.profile} ({mode}), {s.get('users')} users, "
        f"{s.get('rounds')} round(s) x {s.get('duration_s')} s per target, alternating; "
        f"{result.machine.get('cpus')} CPUs, load average {result.machine.get('load_average_at_start')}"
    )


# --------------------------------------------------------------------------- table


def _align(rows: Sequence[Sequence[str]], left: int = 1) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for row in rows:
        cells = [
            cell.ljust(widths[i]) if i < left else cell.rjust(widths[i])
            for i, cell in enumerate(row)
        ]
        lines.append("  ".join(cells).rstrip())
    return lines


@renderer("table", ".txt")
def render_table(result: BenchResult) -> str:
    lines = [_header_line(result), ""]
    head = ["endpoint", "group"]
    top = ["", ""]
    for target in result.targets:
        top += [f"[{target.name}]"] + [""] * (len(STAT_COLUMNS) - 1)
        head += list(STAT_COLUMNS)
    lines += _align([top, head, *_endpoint_rows(result)], left=2)
    lines += ["", "latency in ms; q/req = SQL statements per request (gunicorn hook)", ""]
    lines += _align([["", *(t.name for t in result.targets)], *_summary_rows(result)])
    lines += _warning_lines(result)
    lines += _gate_lines(result)
    return "\n".join(lines) + "\n"


def _warning_lines(result: BenchResult) -> list[str]:
    lines = []
    for target in result.targets:
        for warning in target.warnings:
            lines.append(f"warning: {target.name}: {warning}")
    return [""] + lines if lines else []


def _gate_lines(result: BenchResult) -> list[str]:
    if not result.gates:
        return []
    lines = ["", "gates:"]
    for gate in result.gates:
        lines.append(f"  {gate.status.upper():7} {gate.message}")
    failed = sum(1 for gate in result.gates if gate.failed)
    lines.append(
        f"{failed} of {len(result.gates)} gates failed"
        if failed
        else f"all {len(result.gates)} gates passed"
    )
    return lines


# --------------------------------------------------------------------------- markdown


def _md_table(rows: Sequence[Sequence[str]], header_rows: int = 1) -> list[str]:
    def line(row: Sequence[str]) -> str:
        return "| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |"

    out = [line(rows[0]), "|" + "|".join("---" for _ in rows[0]) + "|"]
    return out + [line(row) for row in rows[1:]]


@renderer("markdown", ".md")
def render_markdown(result: BenchResult) -> str:
    lines = ["# Benchmark results", "", _header_line(result), ""]
    machine = result.machine
    lines += [
        f"Measured {result.started_at} on {machine.get('hostname')} ({machine.get('cpu_model')}, "
        f"{machine.get('cpus')} CPUs, {machine.get('memory_gb')} GB, Python {machine.get('python')}).",
        "",
        "## Summary",
        "",
    ]
    lines += _md_table([["", *(t.name for t in result.targets)], *_summary_rows(result)])
    lines += ["", "## Endpoints", "", "Latency in ms; q/req = SQL statements per request.", ""]
    head = ["endpoint", "group"]
    for target in result.targets:
        head += [f"{target.name} {column}" for column in STAT_COLUMNS]
    lines += _md_table([head, *_endpoint_rows(result)])
    capacity = [t for t in result.targets if t.capacity is not None]
    if capacity:
        lines += ["", "## Capacity ramp", ""]
        for target in capacity:
            assert target.capacity is not None
            steps = ", ".join(
                f"{s.users} users: p95 {s.p95:.0f} ms, {s.failure_rate:.1f}% failed{'' if s.ok else ' (broke)'}"
                for s in target.capacity.steps
            )
            lines.append(
                f"- **{target.name}**: {target.capacity.users} users at {target.capacity.objective}. {steps}"
            )
    warnings = _warning_lines(result)
    if warnings:
        lines += ["", "## Warnings", ""] + [f"- {w[len('warning: ') :]}" for w in warnings if w]
    if result.gates:
        lines += ["", "## Gates", ""]
        lines += _md_table(
            [["status", "target", "scope", "gate", "detail"]]
            + [[g.status, g.target, g.scope, f"`{g.expression}`", g.message] for g in result.gates]
        )
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- json, junit


@renderer("json", ".json")
def render_json(result: BenchResult) -> str:
    return json.dumps(result.as_dict(), indent=2, sort_keys=False) + "\n"


@renderer("junit", ".xml")
def render_junit(result: BenchResult) -> str:
    suite = ET.Element("testsuite", name=f"decompose bench {result.profile}")
    cases = 0
    failures = 0
    for target in result.targets:
        case = ET.SubElement(suite, "testcase", classname=f"bench.{target.name}", name="run")
        case.set("time", f"{target.measured_s:.1f}")
        ET.SubElement(case, "system-out").text = (
            f"rps {target.overall.rps:.1f}, p95 {target.overall.p95:.0f} ms, "
            f"failures {target.overall.failures}, rss {target.rss_mb} MB"
        )
        cases += 1
    for gate in result.gates:
        case = ET.SubElement(
            suite, "testcase", classname=f"bench.{gate.target}.{gate.scope}", name=gate.expression
        )
        cases += 1
        if gate.failed:
            failures += 1
            element = ET.SubElement(case, "failure", message=gate.message, type=gate.status)
            element.text = gate.message
        elif gate.status == "skipped":
            ET.SubElement(case, "skipped", message=gate.message)
    suite.set("tests", str(cases))
    suite.set("failures", str(failures))
    ET.indent(suite)
    return ET.tostring(suite, encoding="unicode", xml_declaration=True) + "\n"
