"""Connection-pool settings: defined but never applied, defaults in production, no pre-ping."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from decompose.analysis.findings import FindingContext, register
from decompose.analysis.findings._util import line, loc
from decompose.analysis.project import ParsedModule
from decompose.model import Finding, Severity

POOL_NAME = re.compile(r"POOL|MAX_OVERFLOW|PRE_PING", re.I)
ENGINE_KEYS = ("pool_size", "max_overflow", "pool_timeout", "pool_recycle", "pool_pre_ping")


@register("pool_settings", Severity.MEDIUM, "database connection pool settings")
def pool_settings(ctx: FindingContext) -> Iterator[Finding]:
    p = ctx.project
    if ctx.inventory.data_layer not in ("flask_sqlalchemy", "sqlalchemy"):
        return
    options: dict[str, str] = {}
    option_sites: list[tuple[ParsedModule, ast.AST]] = []
    engine_sites: list[tuple[ParsedModule, ast.AST]] = []
    pool_names: list[tuple[str, ParsedModule, ast.AST]] = []
    identifiers: dict[str, int] = {}
    for m in p.index.modules.values():
        for ident, count in m.nodes.identifiers.items():
            identifiers[ident] = identifiers.get(ident, 0) + count
        for assign in m.nodes.assigns:
            targets = assign.targets if isinstance(assign, ast.Assign) else [assign.target]
            for t in targets:
                name = t.id if isinstance(t, ast.Name) else (
                    t.slice.value if isinstance(t, ast.Subscript) and isinstance(t.slice, ast.Constant) else None
                )
                if name == "SQLALCHEMY_ENGINE_OPTIONS" and isinstance(assign.value, ast.Dict):
                    option_sites.append((m, assign))
                    for key, value in zip(assign.value.keys, assign.value.values, strict=True):
                        if isinstance(key, ast.Constant):
                            options[str(key.value)] = ast.unparse(value)
                elif isinstance(name, str) and name.isupper() and POOL_NAME.search(name) and name != "SQLALCHEMY_ENGINE_OPTIONS":
                    pool_names.append((name, m, assign))
        for call in m.nodes.calls:
            callee = p.resolver.expr(m.name, call.func) or ""
            if callee.endswith("create_engine") or callee.endswith("engine_from_config"):
                engine_sites.append((m, call))
                for kw in call.keywords:
                    if kw.arg:
                        options[kw.arg] = ast.unparse(kw.value)
            if callee in ("flask_sqlalchemy.SQLAlchemy", "flask_sqlalchemy.extension.SQLAlchemy"):
                engine_sites.append((m, call))
                for kw in call.keywords:
                    if kw.arg == "engine_options" and isinstance(kw.value, ast.Dict):
                        for kk, vv in zip(kw.value.keys, kw.value.values, strict=True):
                            if isinstance(kk, ast.Constant):
                                options[str(kk.value)] = ast.unparse(vv)
    for name, m, node in pool_names:
        # defined once (the assignment itself) and never read anywhere
        if identifiers.get(name, 0) <= 1:
            yield Finding(
                kind="pool_settings",
                severity=Severity.MEDIUM,
                location=loc(m, node),
                message=f"{name} is defined but nothing reads it: the engine runs with SQLAlchemy's default pool (pool_size=5, max_overflow=10)",
                evidence=line(m, node),
                suggestion=f"pass it to the engine: SQLALCHEMY_ENGINE_OPTIONS = {{'pool_size': {name}, 'pool_pre_ping': True, 'pool_recycle': ...}}, sized to workers × threads",
                details=(("setting", name), ("applied", "no")),
            )
    where = option_sites[0] if option_sites else (engine_sites[0] if engine_sites else None)
    if not any(k in options for k in ENGINE_KEYS):
        if where is not None:
            m, node = where
            yield Finding(
                kind="pool_settings",
                severity=Severity.LOW,
                location=loc(m, node),
                message="the database engine uses the default pool (5 connections + 10 overflow, 30 s checkout timeout) and no pool_pre_ping",
                evidence=line(m, node),
                suggestion="set SQLALCHEMY_ENGINE_OPTIONS (pool_size, max_overflow, pool_recycle, pool_pre_ping=True) to match the number of workers and threads",
                details=(("options", "none"),),
            )
    elif where is not None:
        m, node = where
        size = _number(p, options.get("pool_size"), 5)
        overflow = _number(p, options.get("max_overflow"), 10)
        facts = [f"{k}={options[k]}" for k in ENGINE_KEYS if k in options]
        if size is not None and overflow is not None:
            per_worker = size + overflow
            yield Finding(
                kind="pool_settings",
                severity=Severity.INFO,
                location=loc(m, node),
                message=f"engine pool: {', '.join(facts)}; up to {per_worker} connections per process "
                f"(pool_size {size} + max_overflow {overflow}), so 4 workers can open {4 * per_worker} "
                "against PostgreSQL's default max_connections of 100",
                evidence=line(m, node),
                suggestion="size pool_size + max_overflow so that workers × threads × (pool_size + max_overflow) stays below the server's max_connections, or put PgBouncer in front",
                details=(("pool_size", str(size)), ("max_overflow", str(overflow)), ("per_process", str(per_worker))),
            )
    if any(k in options for k in ENGINE_KEYS) and "pool_pre_ping" not in options and where is not None:
        m, node = where
        yield Finding(
            kind="pool_settings",
            severity=Severity.LOW,
            location=loc(m, node),
            message="engine options set without pool_pre_ping: connections dropped by the server fail the next request",
            evidence=line(m, node),
            suggestion="add pool_pre_ping=True (and pool_recycle below the server's idle timeout)",
            details=tuple((k, options[k]) for k in sorted(options)),
        )


def _number(p, text: str | None, default: int) -> int | None:  # type: ignore[no-untyped-def]
    """The integer a pool option evaluates to: a literal, or a config constant it names."""
    if text is None:
        return default
    if text.isdigit():
        return int(text)
    name = re.findall(r"[A-Z][A-Z0-9_]+", text)
    for m in p.index.modules.values():
        for assign in m.nodes.assigns:
            targets = assign.targets if isinstance(assign, ast.Assign) else [assign.target]
            if any(isinstance(t, ast.Name) and name and t.id == name[-1] for t in targets):
                if isinstance(assign.value, ast.Constant) and isinstance(assign.value.value, int):
                    return int(assign.value.value)
    return None
