"""``except Exception`` / bare ``except`` that swallows the error (no re-raise, no logging)."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from decompose.analysis.astutil import walk
from decompose.analysis.findings import FindingContext, register
from decompose.analysis.findings._util import loc
from decompose.model import Finding, Severity

BROAD = frozenset({"builtins.Exception", "builtins.BaseException"})
LOG_METHODS = frozenset({"exception", "error", "warning", "warn", "critical", "info", "debug", "log"})


def _is_broad(p, module: str, handler: ast.ExceptHandler) -> bool:  # type: ignore[no-untyped-def]
    if handler.type is None:
        return True
    types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return any(p.resolver.expr(module, t) in BROAD for t in types)


def _logs(node: ast.AST) -> bool:
    for sub in walk(node):
        if isinstance(sub, ast.Call) and isinstance(sub.func, ast.Attribute) and sub.func.attr in LOG_METHODS:
            base = ast.unparse(sub.func.value).lower()
            if "log" in base or base in ("logging", "sentry_sdk"):
                return True
        if isinstance(sub, ast.Call) and isinstance(sub.func, ast.Name) and sub.func.id in ("capture_exception",):
            return True
    return False


@register("broad_except", Severity.MEDIUM, "broad except that swallows errors")
def broad_except(ctx: FindingContext) -> Iterator[Finding]:
    p = ctx.project
    for m in p.index.modules.values():
        for node in m.nodes.excepts:
            if not _is_broad(p, m.name, node):
                continue
            if any(isinstance(s, ast.Raise) for s in walk(node)) or _logs(node):
                continue
            returns = [s for s in walk(node) if isinstance(s, ast.Return) and s.value is not None]
            severity = Severity.LOW if returns else Severity.MEDIUM
            prints = any(
                isinstance(s, ast.Call) and isinstance(s.func, ast.Name) and s.func.id == "print" for s in walk(node)
            )
            if returns:
                what = "turns it into a response without logging it"
            elif prints:
                what = "only prints it (no traceback, no log level)"
            else:
                what = "hides it"
            kind = "bare except" if node.type is None else f"except {ast.unparse(node.type)}"
            evidence = m.segment(node, 3)
            yield Finding(
                kind="broad_except",
                severity=severity,
                location=loc(m, node),
                message=f"{kind} catches every error and {what}",
                evidence=evidence,
                suggestion="catch only the exceptions this code expects; log the rest with logger.exception(...) or let them reach the error handler",
                details=(("handler", kind), ("returns", "yes" if returns else "no")),
            )
