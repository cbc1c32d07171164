"""GET endpoints that write nothing: candidates for a response cache."""

from __future__ import annotations

from collections.abc import Iterator

from decompose.analysis.findings import FindingContext, register
from decompose.analysis.findings._util import short
from decompose.model import Finding, Severity

PROBES = frozenset({"health", "healthz", "healthcheck", "ping", "ready", "readyz", "live", "livez", "status"})
USER_MARKERS = ("get_jwt_identity", "current_user", "get_current_user", "session[", "session.get")


@register("cacheable_endpoint", Severity.INFO, "read-only GET endpoint that could be cached")
def cacheable_endpoint(ctx: FindingContext) -> Iterator[Finding]:
    p = ctx.project
    for r in ctx.inventory.routes:
        if not set(r.methods) <= {"GET", "HEAD", "OPTIONS"} or "GET" not in r.methods:
            continue
        if r.rule.rstrip("/").rsplit("/", 1)[-1].lower() in PROBES:
            continue  # a health/readiness probe must answer live
        reach = p.reach_of(r.handler).functions
        writes = any(p.facts[f].writes or p.facts[f].mutations for f in reach if f in p.facts)
        if writes or r.writes_models:
            continue
        io = [s for f in reach if f in p.facts for s in p.facts[f].io if s.label in ("http", "openai", "llm")]
        if not r.reads_models and not io:
            continue
        per_user = bool(r.auth) or any(_source_has(p, f, USER_MARKERS) for f in reach)
        args = sorted({k for f in reach if f in p.facts for k in p.facts[f].request_keys})
        varies = ["user"] if per_user else []
        if any(_source_has(p, f, ("request.args", "request.values")) for f in reach):
            varies.append("query string")
        what = ", ".join(r.reads_models) if r.reads_models else "external data"
        yield Finding(
            kind="cacheable_endpoint",
            severity=Severity.INFO,
            location=r.location,
            message=f"GET {r.rule} ({r.endpoint}) only reads ({what}); its response can be cached",
            evidence=f"{r.location.file}:{r.location.line}: {short(r.handler)}",
            suggestion="cache the response (Flask-Caching @cache.cached(query_string=True) or a Redis key"
            + (" per user" if per_user else "")
            + f") and invalidate it when {what} change",
            endpoint=r.endpoint,
            chain=(short(r.handler),),
            details=(
                ("reads", what),
                ("varies_by", ", ".join(varies) or "nothing"),
                ("request_keys", ", ".join(args)),
            ),
        )


def _source_has(p, func: str, needles: tuple[str, ...]) -> bool:  # type: ignore[no-untyped-def]
    facts = p.facts.get(func)
    if facts is None:
        return False
    node = facts.func.node
    lines = facts.func.module.lines[node.lineno - 1 : node.end_lineno]
    return any(n in text for text in lines for n in needles)
