"""The JSON report (``--format json``), schema version :data:`~decompose.model.SCHEMA_VERSION`.

Deterministic: keys sorted, lists in a fixed order, no timestamps or absolute paths, so the same
input gives byte-identical output. The schema is documented in docs/analyze.md.
"""

from __future__ import annotations

import json
from typing import Any

from decompose.model import AnalysisResult, Finding, Location, Route


def _loc(loc: Location) -> dict[str, Any]:
    return {"file": loc.file, "line": loc.line, "end_line": loc.end_line}


def _route(r: Route) -> dict[str, Any]:
    return {
        "rule": r.rule,
        "methods": list(r.methods),
        "endpoint": r.endpoint,
        "handler": r.handler,
        "file": r.location.file,
        "line": r.location.line,
        "end_line": r.location.end_line,
        "size": r.size,
        "registration": _loc(r.registration),
        "kind": r.kind,
        "blueprint": r.blueprint,
        "url_prefix": r.url_prefix,
        "decorators": list(r.decorators),
        "auth": list(r.auth),
        "converters": [list(c) for c in r.converters],
        "domain": r.domain,
        "helpers": list(r.helpers),
        "reads": list(r.reads_models),
        "writes": list(r.writes_models),
        "external_io": list(r.external_io),
    }


def _finding(f: Finding) -> dict[str, Any]:
    return {
        "kind": f.kind,
        "severity": str(f.severity),
        "file": f.location.file,
        "line": f.location.line,
        "message": f.message,
        "evidence": f.evidence,
        "suggestion": f.suggestion,
        "endpoint": f.endpoint,
        "chain": list(f.chain),
        "details": {k: v for k, v in f.details},
    }


def as_dict(result: AnalysisResult) -> dict[str, Any]:
    inv = result.inventory
    plan = result.domains
    by_domain: dict[str, list[str]] = {}
    for a in plan.assignments:
        by_domain.setdefault(a.domain, []).append(a.qualname)
    sizes = {d: (n, lines) for d, n, lines in plan.quality.sizes}
    domains = []
    for name in [*plan.domains, "shared"]:
        routes = [r.endpoint for r in inv.routes if r.domain == name]
        domains.append(
            {
                "name": name,
                "routes": sorted(routes),
                "units": sorted(by_domain.get(name, [])),
                "lines": sizes.get(name, (0, 0))[1],
                "models_written": sorted({m for r in inv.routes if r.domain == name for m in r.writes_models}),
            }
        )
    counts: dict[str, int] = {}
    for f in result.findings:
        counts[str(f.severity)] = counts.get(str(f.severity), 0) + 1
    return {
        "schema_version": result.schema_version,
        "app": {
            "entry": inv.entry,
            "app_name": inv.app_name,
            "factory": inv.app_factory,
            "data_layer": inv.data_layer,
            "files": list(inv.files),
            "source_hash": inv.source_hash,
            "config": result.config_file,
            "counts": {
                "routes": len(inv.routes),
                "functions": sum(1 for f in inv.functions if f.kind in ("function", "nested")),
                "classes": sum(1 for f in inv.functions if f.kind not in ("function", "nested", "method")),
                "models": len(inv.models),
                "findings": len(result.findings),
                "unhandled": len(inv.unhandled),
            },
            "notes": list(inv.notes),
        },
        "routes": [_route(r) for r in inv.routes],
        "static_routes": [_route(r) for r in inv.static_routes],
        "functions": [
            {
                "qualname": f.qualname,
                "kind": f.kind,
                "file": f.location.file,
                "line": f.location.line,
                "end_line": f.location.end_line,
                "is_view": f.is_view,
                "decorators": list(f.decorators),
                "calls": list(f.calls),
                "reads": list(f.reads_models),
                "writes": list(f.writes_models),
                "globals": list(f.globals_used),
                "external_io": list(f.external_io),
                "request_keys": list(f.request_keys),
                "domain": plan.domain_of(f.qualname),
            }
            for f in inv.functions
        ],
        "models": [
            {
                "name": m.name,
                "qualname": m.qualname,
                "table": m.table,
                "file": m.location.file,
                "line": m.location.line,
                "columns": list(m.columns),
                "indexed_columns": list(m.indexed_columns),
                "composite_indexes": [list(c) for c in m.composite_indexes],
                "foreign_keys": {c: t for c, t in m.foreign_keys},
                "relationships": [{"name": a, "target": t, "lazy": lz} for a, t, lz in m.relationships],
                "domain": plan.domain_of(m.qualname),
            }
            for m in inv.models
        ],
        "globals": [
            {"name": g.name, "module": g.module, "kind": g.kind, "file": g.location.file, "line": g.location.line, "value": g.value}
            for g in inv.globals
        ],
        "imports": [
            {
                "module": i.module,
                "names": [[n, a] for n, a in i.names],
                "file": i.location.file,
                "line": i.location.line,
                "scope": i.scope,
                "level": i.relative_level,
            }
            for i in inv.imports
        ],
        "hooks": [
            {"kind": h.kind, "handler": h.handler, "argument": h.argument, "blueprint": h.blueprint, "file": h.location.file, "line": h.location.line}
            for h in inv.hooks
        ],
        "edges": [
            {"source": e.source, "target": e.target, "kind": e.kind, "file": e.location.file, "line": e.location.line, "detail": e.detail}
            for e in inv.edges
        ],
        "domains": domains,
        "partition": {
            "source": plan.source,
            "assignments": [
                {"unit": a.qualname, "domain": a.domain, "rationale": a.rationale} for a in plan.assignments
            ],
            "cross_domain_edges": [
                {"source": s, "source_domain": sd, "target": t, "target_domain": td}
                for s, sd, t, td in plan.quality.cross_domain_edges
            ],
            "shared_helpers": [{"helper": h, "domains": list(ds)} for h, ds in plan.quality.shared_helpers],
            "ownership_conflicts": [{"model": m, "domains": list(ds)} for m, ds in plan.quality.ownership_conflicts],
        },
        "findings": [_finding(f) for f in result.findings],
        "findings_by_severity": counts,
        "unhandled": [
            {"file": u.location.file, "line": u.location.line, "reason": u.reason, "code": u.code}
            for u in inv.unhandled
        ],
    }


def render(result: AnalysisResult, **_: object) -> str:
    return json.dumps(as_dict(result), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
