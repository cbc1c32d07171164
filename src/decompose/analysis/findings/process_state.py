"""Module-level state that request handlers change: per process, so per gunicorn worker."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from decompose.analysis.findings import FindingContext, register
from decompose.analysis.findings._util import short
from decompose.model import Finding, Severity

REQUEST_HOOKS = frozenset({"before_request", "after_request", "teardown_request", "teardown_appcontext",
                           "errorhandler", "context_processor", "url_value_preprocessor", "url_defaults"})


@register("process_state", Severity.MEDIUM, "module-level state changed by request handlers")
def process_state(ctx: FindingContext) -> Iterator[Finding]:
    p = ctx.project
    sites: dict[str, list[tuple[str, str, int]]] = defaultdict(list)  # global -> (function, file, line)
    for q, facts in p.facts.items():
        for name, node in facts.mutations:
            sites[name].append((q, facts.func.module.rel, getattr(node, "lineno", 0)))
    for name, where in sorted(sites.items()):
        funcs = {f for f, _, _ in where}
        endpoints = sorted({r.endpoint for r in p.routes if funcs & set(p.reach_of(r.handler).functions)})
        hooks = sorted(
            {h.kind for h in ctx.inventory.hooks if h.kind in REQUEST_HOOKS and funcs & set(p.reach_of(h.handler).functions)}
        )
        if hooks:
            endpoints = [f"every request ({', '.join(hooks)})", *endpoints]
        if not endpoints:
            continue  # changed only at start-up or by CLI commands
        g = p.defs.globals[name]
        yield Finding(
            kind="process_state",
            severity=Severity.MEDIUM,
            location=g.module.location(g.node),
            message=f"{g.name} is module-level state changed while serving requests ({', '.join(endpoints[:3])}{', …' if len(endpoints) > 3 else ''}): "
            "every worker process has its own copy, lost on restart and different between gunicorn workers",
            evidence=g.module.segment(g.node, 2),
            suggestion="keep it in Redis or the database (or make it an explicit per-process cache with a TTL), so that extracted services and several workers see the same data",
            endpoint=endpoints[0],
            details=(
                ("changed_in", ", ".join(sorted(short(f) for f in funcs))[:300]),
                ("changed_at", ", ".join(f"{f}:{n}" for _, f, n in sorted(where, key=lambda w: (w[1], w[2]))[:10])),
                ("endpoints", ", ".join(endpoints[:12]) + (" …" if len(endpoints) > 12 else "")),
            ),
        )
