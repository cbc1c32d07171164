"""Renderers for a ``VerifyReport``: ``table`` (terminal), ``json`` (the report), ``junit`` (CI).

One function per format, registered in ``RENDERERS``; each returns text and writes nothing.
"""

from __future__ import annotations

import io
import json
import re
from collections import Counter
from collections.abc import Callable
from typing import Any
from xml.etree import ElementTree as ET

from decompose.model.verify import OUTCOMES, VerifyReport

SCHEMA_VERSION = 1
_INDEX = re.compile(r"\[\d+\]")
_RENAME = re.compile(r"\(endpoint rename .*\)$")


def summary(report: VerifyReport) -> str:
    """One sentence: counts per outcome, coverage and the URL-map verdict."""
    counts = Counter(e.outcome for e in report.endpoints)
    parts = ", ".join(f"{counts.get(o, 0)} {o}" for o in OUTCOMES)
    covered = report.routes_total - len(report.uncovered)
    coverage = (
        f"{covered}/{report.routes_total} routes covered" if report.url_map_checked else "coverage unknown"
    )
    if not report.url_map_checked:
        url = "URL maps not compared"
    elif report.url_map:
        url = f"URL maps differ in {len(report.url_map)} places"
    else:
        url = "URL maps equal"
    return f"{len(report.endpoints)} endpoints: {parts}; {coverage}; {url}."


def render_table(report: VerifyReport, width: int = 160) -> str:
    from rich.console import Console
    from rich.table import Table

    buffer = io.StringIO()
    console = Console(file=buffer, width=width, color_system=None, highlight=False)
    console.print(f"baseline {report.baseline}  vs  candidate {report.candidate} ({report.mode})")
    if report.url_map:
        table = Table(title="URL map differences", title_justify="left")
        for column in ("kind", "rule", "baseline", "candidate"):
            table.add_column(column)
        for d in report.url_map:
            table.add_row(d.kind, d.rule, d.baseline, d.candidate)
        console.print(table)
    table = Table(title="Endpoints", title_justify="left")
    for column in ("endpoint", "result", "steps", "first difference", "baseline", "candidate"):
        table.add_column(column, overflow="fold")
    for e in report.endpoints:
        if e.first_difference is not None:
            where = f"{e.first_difference.path} ({e.first_step})"
            left, right = e.first_difference.baseline, e.first_difference.candidate
        elif e.error:
            where, left, right = f"error ({e.first_step})", e.error, ""
        else:
            where, left, right = "", "", ""
        table.add_row(e.endpoint, e.outcome, str(e.steps), where, left, right)
    console.print(table)
    # $.items[0].created_at and $.items[1].created_at are one kind of noise: count endpoints
    noise = Counter(
        path
        for e in report.endpoints
        for path in sorted({_RENAME.sub("(endpoint rename)", _INDEX.sub("[*]", p)) for p in e.noise})
    )
    if noise:
        shown = ", ".join(f"{path} ({n})" for path, n in sorted(noise.items())[:20])
        more = f" and {len(noise) - 20} more" if len(noise) > 20 else ""
        console.print(f"Noise ignored (differs between the two baseline runs; endpoints): {shown}{more}")
    if report.uncovered:
        console.print("Not covered by any step: " + ", ".join(report.uncovered))
    for note in report.notes:
        console.print(f"Note: {note}")
    console.print(summary(report))
    return buffer.getvalue()


def as_dict(report: VerifyReport) -> dict[str, Any]:
    def diff(d: Any) -> dict[str, str] | None:
        return None if d is None else {"path": d.path, "baseline": d.baseline, "candidate": d.candidate}

    return {
        "schema_version": SCHEMA_VERSION,
        "baseline": report.baseline,
        "candidate": report.candidate,
        "mode": report.mode,
        "noise_detection": report.noise_detection,
        "passed": report.passed,
        "exit_code": report.exit_code,
        "summary": summary(report),
        "url_map": {
            "checked": report.url_map_checked,
            "differences": [
                {"kind": d.kind, "rule": d.rule, "baseline": d.baseline, "candidate": d.candidate}
                for d in report.url_map
            ],
        },
        "coverage": {
            "routes": report.routes_total,
            "covered": report.routes_total - len(report.uncovered),
            "uncovered": list(report.uncovered),
        },
        "endpoints": [
            {
                "endpoint": e.endpoint,
                "outcome": e.outcome,
                "steps": e.steps,
                "first_difference": diff(e.first_difference),
                "first_step": e.first_step or None,
                "noise": list(e.noise),
                "error": e.error,
            }
            for e in report.endpoints
        ],
        "steps": [
            {
                "scenario": s.scenario,
                "index": s.index,
                "name": s.name,
                "method": s.method,
                "path": s.path,
                "endpoint": s.endpoint,
                "status": s.status,
                "outcome": s.outcome,
                "differences": [diff(d) for d in s.differences],
                "noise": list(s.noise),
                "error": s.error,
            }
            for s in report.steps
        ],
        "notes": list(report.notes),
    }


def render_json(report: VerifyReport) -> str:
    return json.dumps(as_dict(report), indent=2, ensure_ascii=False) + "\n"


def render_junit(report: VerifyReport) -> str:
    cases = []
    url_case = ET.Element("testcase", classname="decompose.verify", name="url_map")
    if not report.url_map_checked:
        ET.SubElement(url_case, "skipped", message="URL maps not compared (running servers)")
    elif report.url_map:
        failure = ET.SubElement(
            url_case, "failure", message=f"URL maps differ in {len(report.url_map)} places"
        )
        failure.text = "\n".join(
            f"{d.kind} {d.rule}: baseline {d.baseline} / candidate {d.candidate}" for d in report.url_map
        )
    cases.append(url_case)
    for e in report.endpoints:
        case = ET.Element("testcase", classname="decompose.verify.endpoints", name=e.endpoint)
        if e.outcome == "differs" and e.first_difference is not None:
            d = e.first_difference
            failure = ET.SubElement(case, "failure", message=f"{d.path} differs ({e.first_step})")
            failure.text = f"baseline: {d.baseline}\ncandidate: {d.candidate}"
        elif e.outcome == "error":
            error = ET.SubElement(case, "error", message=e.error or "error")
            error.text = e.first_step
        elif e.noise:
            ET.SubElement(case, "system-out").text = "noise ignored: " + ", ".join(e.noise)
        cases.append(case)
    for route in report.uncovered:
        case = ET.Element("testcase", classname="decompose.verify.endpoints", name=route)
        ET.SubElement(case, "skipped", message="not covered by any scenario step")
        cases.append(case)
    suite = ET.Element(
        "testsuite",
        name="decompose verify",
        tests=str(len(cases)),
        failures=str(sum(1 for c in cases if c.find("failure") is not None)),
        errors=str(sum(1 for c in cases if c.find("error") is not None)),
        skipped=str(sum(1 for c in cases if c.find("skipped") is not None)),
    )
    suite.extend(cases)
    root = ET.Element("testsuites")
    root.append(suite)
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


RENDERERS: dict[str, Callable[[VerifyReport], str]] = {
    "table": render_table,
    "json": render_json,
    "junit": render_junit,
}
