"""print() used as logging inside the application."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from decompose.analysis.astutil import children
from decompose.analysis.findings import FindingContext, register
from decompose.analysis.findings._util import line, loc, short
from decompose.model import Finding, Severity


@register("print_logging", Severity.LOW, "print() used for logging")
def print_logging(ctx: FindingContext) -> Iterator[Finding]:
    p = ctx.project
    cli = set(p.flask.cli_functions)
    for q, fdef in p.defs.functions.items():
        if q in cli or fdef.parent in cli or fdef.name == "main":
            continue
        m = fdef.module
        for node in _own_nodes(fdef.node):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "print":
                if "print" in fdef.local_names:
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


def _own_nodes(node: ast.AST) -> Iterator[ast.AST]:
    stack = list(children(node))
    while stack:
        sub = stack.pop()
        if isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        yield sub
        stack.extend(children(sub))
