"""print() used as logging inside the application."""

from __future__ import annotations

import ast
import bisect
from collections.abc import Iterator

from decompose.analysis.findings import FindingContext, register
from decompose.analysis.findings._util import line, loc, short
from decompose.model import Finding, Severity


@register("print_logging", Severity.LOW, "print() used for logging")
def print_logging(ctx: FindingContext) -> Iterator[Finding]:
    p = ctx.project
    cli = set(p.flask.cli_functions)
    by_module: dict[str, list[tuple[int, int, str]]] = {}
    for q, fdef in p.defs.functions.items():
        span = fdef.module.location(fdef.node)
        by_module.setdefault(fdef.module.name, []).append((span.line, span.end_line, q))
    for m in p.index.modules.values():
        spans = sorted(by_module.get(m.name, []))
        starts = [s[0] for s in spans]
        for node in m.nodes.calls:
            if not (isinstance(node.func, ast.Name) and node.func.id == "print"):
                continue
            # the innermost function around the call
            around = [s for s in spans[: bisect.bisect_right(starts, node.lineno)] if node.lineno <= s[1]]
            if not around:
                continue  # module level: scripts and start-up messages
            q = max(around, key=lambda s: s[0])[2]
            fdef = p.defs.functions[q]
            if q in cli or fdef.parent in cli or fdef.name == "main" or "print" in fdef.local_names:
                continue
            yield Finding(
                kind="print_logging",
                severity=Severity.LOW,
                location=loc(m, node),
                message=f"{short(q)} logs with print(): no level, no timestamp, no request context, and stdout may be buffered under gunicorn",
                evidence=line(m, node),
                suggestion="use logging.getLogger(__name__) (or current_app.logger) at the right level",
                details=(("function", short(q)),),
            )
