"""Match the top-level statements of a module's ast and libcst trees, with defines/uses."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from decompose.analysis.project import ParsedModule, StatementInfo

_KINDS: dict[type[ast.AST], str] = {
    ast.Import: "import",
    ast.ImportFrom: "import",
    ast.FunctionDef: "function",
    ast.AsyncFunctionDef: "function",
    ast.ClassDef: "class",
    ast.Assign: "assign",
    ast.AnnAssign: "assign",
    ast.AugAssign: "assign",
    ast.Expr: "expression",
    ast.If: "if",
    ast.Try: "try",
    ast.With: "with",
    ast.For: "loop",
    ast.While: "loop",
}


def map_statements(module: ParsedModule) -> tuple[StatementInfo, ...]:
    from decompose.analysis.project import StatementInfo

    cst = module.cst
    # Line where each libcst statement starts (its own leading comments/blank lines included).
    spans: list[tuple[int, int]] = []
    line = 1 + len(cst.header)  # each EmptyLine of the header is one line
    for stmt in cst.body:
        n = _count_lines(cst.code_for_node(stmt))
        spans.append((line, line + n - 1))
        line += n
    merged: dict[int, list[ast.stmt]] = {}
    j = 0
    for node in module.tree.body:
        start = _start(node)
        while j < len(spans) - 1 and spans[j][1] < start:
            j += 1
        merged.setdefault(j, []).append(node)
    out = []
    for index, nodes in sorted(merged.items()):
        defines: list[str] = []
        uses: list[str] = []
        for node in nodes:
            d, u = defines_uses(node)
            defines.extend(x for x in d if x not in defines)
            uses.extend(x for x in u if x not in uses and x not in defines)
        kinds = {_KINDS.get(type(n), "other") for n in nodes}
        out.append(
            StatementInfo(
                index=index,
                line=_start(nodes[0]),
                end_line=max(getattr(n, "end_lineno", 0) or 0 for n in nodes),
                kind=kinds.pop() if len(kinds) == 1 else "other",
                defines=tuple(defines),
                uses=tuple(sorted(uses)),
            )
        )
    return tuple(out)


def _count_lines(code: str) -> int:
    return code.count("\n")


def _start(node: ast.stmt) -> int:
    decorators: list[ast.expr] = getattr(node, "decorator_list", None) or []
    return min([node.lineno, *(d.lineno for d in decorators)])


def defines_uses(node: ast.stmt) -> tuple[list[str], list[str]]:
    """Module-level names ``node`` binds, and the free names it reads."""
    defines = bound_names(node, top=True)
    loads: dict[str, None] = {}
    local: set[str] = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name):
            if isinstance(sub.ctx, ast.Load):
                loads.setdefault(sub.id)
            else:
                local.add(sub.id)
        elif isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            args = sub.args
            for a in [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]:
                if a is not None:
                    local.add(a.arg)
            if sub is not node and not isinstance(sub, ast.Lambda):
                local.add(sub.name)
        elif isinstance(sub, (ast.Import, ast.ImportFrom)) and sub is not node:
            local.update((a.asname or a.name).split(".")[0] for a in sub.names)
        elif isinstance(sub, ast.ExceptHandler) and sub.name:
            local.add(sub.name)
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        # Names bound inside a function body are its locals; at module level they are defines.
        uses = [n for n in loads if n not in local or _loaded_outside_body(node, n)]
    else:
        uses = list(loads)
    return defines, [u for u in uses if u not in defines or isinstance(node, ast.AugAssign)]


def _loaded_outside_body(node: ast.stmt, name: str) -> bool:
    outside: list[ast.AST] = list(getattr(node, "decorator_list", []))
    if isinstance(node, ast.ClassDef):
        outside.extend(node.bases)
        outside.extend(k.value for k in node.keywords)
    else:
        assert isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        outside.extend(d for d in node.args.defaults)
        outside.extend(d for d in node.args.kw_defaults if d is not None)
    return any(isinstance(n, ast.Name) and n.id == name for o in outside for n in ast.walk(o))


def bound_names(node: ast.stmt, *, top: bool = False) -> list[str]:
    """Names a statement binds in the scope it runs in (recursing into if/try/with/for bodies)."""
    out: list[str] = []
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        out.append(node.name)
    elif isinstance(node, ast.Import):
        out.extend((a.asname or a.name).split(".")[0] for a in node.names)
    elif isinstance(node, ast.ImportFrom):
        out.extend(a.asname or a.name for a in node.names if a.name != "*")
    elif isinstance(node, ast.Assign):
        for t in node.targets:
            out.extend(target_names(t))
    elif isinstance(node, (ast.AnnAssign, ast.AugAssign)):
        out.extend(target_names(node.target))
    elif isinstance(node, (ast.For, ast.AsyncFor)):
        out.extend(target_names(node.target))
    elif isinstance(node, (ast.With, ast.AsyncWith)):
        for item in node.items:
            if item.optional_vars is not None:
                out.extend(target_names(item.optional_vars))
    if isinstance(node, (ast.If, ast.For, ast.AsyncFor, ast.While, ast.With, ast.AsyncWith, ast.Try)):
        bodies: list[list[ast.stmt]] = [node.body, getattr(node, "orelse", [])]
        if isinstance(node, ast.Try):
            bodies.append(node.finalbody)
            bodies.extend(h.body for h in node.handlers)
        for body in bodies:
            for child in body:
                out.extend(bound_names(child))
    return out


def target_names(target: ast.AST) -> list[str]:
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, (ast.Tuple, ast.List)):
        return [n for elt in target.elts for n in target_names(elt)]
    if isinstance(target, ast.Starred):
        return target_names(target.value)
    return []
