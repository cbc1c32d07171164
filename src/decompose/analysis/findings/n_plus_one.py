"""N+1 shapes: a query per item of a loop (directly, through a helper, or a lazy relationship)."""

from __future__ import annotations

from collections.abc import Iterator

from decompose.analysis.findings import FindingContext, register
from decompose.analysis.findings._util import endpoints_reaching, line, loc, short
from decompose.analysis.functions import Loop
from decompose.model import Finding, Severity

LAZY = frozenset({"select", "True", "true", ""})


def _severity(loops: tuple[Loop, ...]) -> Severity:
    over_rows = [lp for lp in loops if lp.source in ("rows", "relationship")]
    if len(over_rows) >= 2:
        return Severity.CRITICAL
    if over_rows:
        return Severity.HIGH
    return Severity.MEDIUM


def _loop_words(loops: tuple[Loop, ...]) -> str:
    lp = loops[-1]
    if len([x for x in loops if x.source != "other"]) >= 2:
        return f"nested loops over query results (outer at line {loops[0].line})"
    if lp.source == "rows":
        return f"a loop over query results of {lp.model.rsplit('.', 1)[-1] if lp.model else '?'}"
    if lp.source == "relationship":
        return "a loop over a lazy-loaded relationship"
    return "a loop"


def _evidence(module, loops: tuple[Loop, ...], node) -> str:  # type: ignore[no-untyped-def]
    parts = [f"line {lp.line}: {lp.text.splitlines()[0] if lp.text else ''}" for lp in loops]
    parts.append(f"line {node.lineno}: {line(module, node)}")
    return "\n".join(parts)


def _details(ctx: FindingContext, func: str, loops: tuple[Loop, ...]) -> tuple[tuple[str, str], ...]:
    eps = endpoints_reaching(ctx.project, func)
    out = [("function", short(func)), ("loop_line", str(loops[-1].line)), ("nesting", str(len(loops)))]
    if eps:
        out.append(("endpoints", ", ".join(eps)))
    return tuple(out)


def _endpoint(ctx: FindingContext, func: str) -> str | None:
    eps = ctx.project.endpoints_of(func)
    return eps[0] if eps else None


@register("n_plus_one.query_in_loop", Severity.HIGH, "query executed once per loop iteration")
def query_in_loop(ctx: FindingContext) -> Iterator[Finding]:
    p = ctx.project
    executing = {q for q, f in p.facts.items() if any(s.executes for s in f.queries)}
    for q, facts in p.facts.items():
        m = facts.func.module
        for site in facts.queries:
            if not site.executes or not site.loops or site.terminal == "count":
                continue
            model = site.model.rsplit(".", 1)[-1] if site.model else "the database"
            yield Finding(
                kind="n_plus_one.query_in_loop",
                severity=_severity(site.loops),
                location=loc(m, site.node),
                message=f"{short(q)} queries {model} inside {_loop_words(site.loops)}: one query per item",
                evidence=_evidence(m, site.loops, site.node),
                suggestion="load the rows for all items in one query before the loop (WHERE … IN (…) or a join) and look them up in a dict, or eager-load the relationship with selectinload()",
                endpoint=_endpoint(ctx, q),
                chain=(short(q),),
                details=_details(ctx, q, site.loops),
            )
        for call in facts.calls:
            if call.reference or not call.loops:
                continue
            reach = p.reach_of(call.target).functions
            hit = next((fq for fq in sorted(reach, key=lambda x: len(reach[x])) if fq in executing), None)
            if hit is None:
                continue
            chain = (short(q), *(short(x) for x in reach[hit]))
            site_q = next(s for s in p.facts[hit].queries if s.executes)
            yield Finding(
                kind="n_plus_one.query_in_loop",
                severity=_severity(call.loops),
                location=loc(m, call.node),
                message=f"{short(q)} calls {short(call.target)} inside {_loop_words(call.loops)}, and it runs a query each time",
                evidence=_evidence(m, call.loops, call.node) + f"\n{p.facts[hit].func.module.rel}:{getattr(site_q.node, 'lineno', 0)}: {line(p.facts[hit].func.module, site_q.node)}",
                suggestion="fetch what the helper needs for all items in one query before the loop and pass it in, or add a batch variant of the helper",
                endpoint=_endpoint(ctx, q),
                chain=chain,
                details=_details(ctx, q, call.loops),
            )


@register("n_plus_one.lazy_load_in_loop", Severity.HIGH, "lazy relationship read per loop item")
def lazy_load_in_loop(ctx: FindingContext) -> Iterator[Finding]:
    p = ctx.project
    for q, facts in p.facts.items():
        m = facts.func.module
        for rr in facts.rel_reads:
            if not rr.loops or rr.lazy not in LAZY:
                continue
            loop = next((lp for lp in reversed(rr.loops) if rr.var in lp.names), None)
            if loop is None or rr.attr in loop.eager:
                continue
            idx = rr.loops.index(loop)
            loops = rr.loops[: idx + 1]
            model = rr.model.rsplit(".", 1)[-1]
            via = f" (through {model}.{rr.via})" if rr.via else ""
            yield Finding(
                kind="n_plus_one.lazy_load_in_loop",
                severity=_severity(loops),
                location=loc(m, rr.node),
                message=f"{short(q)} reads {model}.{rr.attr}{via} for every item of {_loop_words(loops)}: a lazy load (one query) per item",
                evidence=_evidence(m, loops, rr.node),
                suggestion=f"eager-load it: add .options(selectinload({model}.{rr.attr})) to the query the loop iterates, or set lazy='selectin' on the relationship",
                endpoint=_endpoint(ctx, q),
                chain=(short(q),),
                details=(*_details(ctx, q, loops), ("relationship", f"{model}.{rr.attr}"), ("lazy", rr.lazy)),
            )


@register("n_plus_one.count_in_loop", Severity.HIGH, "COUNT query per loop item")
def count_in_loop(ctx: FindingContext) -> Iterator[Finding]:
    p = ctx.project
    for q, facts in p.facts.items():
        m = facts.func.module
        for site in facts.queries:
            if site.terminal != "count" or not site.loops:
                continue
            model = site.model.rsplit(".", 1)[-1] if site.model else "rows"
            yield Finding(
                kind="n_plus_one.count_in_loop",
                severity=_severity(site.loops),
                location=loc(m, site.node),
                message=f"{short(q)} counts {model} inside {_loop_words(site.loops)}: one COUNT query per item",
                evidence=_evidence(m, site.loops, site.node),
                suggestion="compute all the counts in one grouped query before the loop (select(col, func.count()).group_by(col)) and look them up in a dict",
                endpoint=_endpoint(ctx, q),
                chain=(short(q),),
                details=_details(ctx, q, site.loops),
            )
