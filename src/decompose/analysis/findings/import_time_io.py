"""I/O done while a module is imported (every worker start, every test collection)."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from decompose.analysis.astutil import children
from decompose.analysis.definitions import _is_main_guard
from decompose.analysis.findings import FindingContext, register
from decompose.analysis.findings._util import line, loc, short
from decompose.analysis.functions import IO_RULES, NETWORK_LABELS
from decompose.model import Finding, Severity

FILE_IO = {
    "builtins.open": "file system",
    "os.makedirs": "file system",
    "os.mkdir": "file system",
    "os.listdir": "file system",
    "shutil.copy": "file system",
    "shutil.rmtree": "file system",
    "json.load": "file system",
    "dotenv.load_dotenv": "file system",
    "sqlite3.connect": "database",
    "psycopg2.connect": "database",
    "pymysql.connect": "database",
}
DB_METHODS = frozenset({"create_all", "drop_all", "reflect"})


def _module_calls(body: list[ast.stmt]) -> Iterator[ast.Call]:
    stack: list[ast.AST] = list(body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            for d in getattr(node, "decorator_list", []):
                stack.append(d)
            continue
        if isinstance(node, ast.If) and _is_main_guard(node):
            continue
        if isinstance(node, ast.Call):
            yield node
        stack.extend(children(node))


@register("import_time_io", Severity.MEDIUM, "I/O at import time")
def import_time_io(ctx: FindingContext) -> Iterator[Finding]:
    p = ctx.project
    for m in p.index.modules.values():
        for call in _module_calls(m.tree.body):
            callee = p.resolver.expr(m.name, call.func) or ""
            what = None
            severity = Severity.MEDIUM
            chain: tuple[str, ...] = ()
            for prefix, label, _, calls in IO_RULES:
                if (callee == prefix or callee.startswith(prefix + ".")) and label in NETWORK_LABELS:
                    last = callee.rsplit(".", 1)[-1]
                    if (calls is None and not last[:1].isupper()) or (calls is not None and last in calls):
                        what, severity = f"network ({label})", Severity.HIGH
                        break
            if what is None and callee in FILE_IO:
                what = FILE_IO[callee]
            if what is None and isinstance(call.func, ast.Attribute) and call.func.attr in DB_METHODS:
                base = p.resolver.expr(m.name, call.func.value)
                if base and p.ctx.global_types.get(base, ("", ""))[1] == "flask_sqlalchemy.SQLAlchemy":
                    what = "database"
            if what is None and callee in p.defs.functions:
                reach = p.reach_of(callee).functions
                for fq, path in sorted(reach.items(), key=lambda kv: len(kv[1])):
                    facts = p.facts.get(fq)
                    if facts is None:
                        continue
                    net = [s for s in facts.io if s.label in NETWORK_LABELS]
                    if net:
                        what, severity, chain = f"network ({net[0].label}) through {short(callee)}", Severity.HIGH, tuple(short(x) for x in path)
                        break
                    if any(s.executes for s in facts.queries) or facts.writes or facts.other_data:
                        what, chain = f"database through {short(callee)}", tuple(short(x) for x in path)
                        break
            if what is None:
                continue
            yield Finding(
                kind="import_time_io",
                severity=severity,
                location=loc(m, call),
                message=f"{m.rel} does {what} I/O when it is imported",
                evidence=line(m, call),
                suggestion="move it into create_app(), a CLI command or the first request that needs it, so importing the module (tests, workers, tools) stays free of side effects",
                chain=chain,
                details=(("io", what),),
            )
