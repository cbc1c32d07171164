"""Views registered inside the monolith's own app factory.

``def create_app(): app = Flask(...); @app.route("/x") def x(): ...; return app`` — the factory
moves whole into the kernel and is called by the generated ``create_app``. A nested view that
closes over nothing but the factory's app (the common case) is lifted out of it: it becomes a
top-level route of its domain's blueprint like any other (its endpoint ``x`` becomes
``domain.x``; ``app.config`` inside it becomes ``current_app.config``). Lifting is exact because a
view's body runs at request time, when ``current_app`` is that very app, and registering on a
blueprint that the factory's caller registers gives the same rule.

A nested view that reads other locals of the factory, that the factory's code refers to by
name (``add_url_rule(view_func=x)``), whose other decorators read factory locals, or whose name
a module-level statement already binds stays in the factory with its endpoint, and is reported
with file:line and the reason.
"""

from __future__ import annotations

import ast
import re
import symtable
from dataclasses import dataclass

import libcst as cst

from decompose.extract.source import (
    ROUTE_METHODS,
    SourceIndex,
    Statement,
    _classify,
    _import_aliases,
    _names,
    dotted,
)


@dataclass(frozen=True)
class KeptInFactory:
    file: str
    line: int
    endpoint: str
    reason: str


def _factory_app(node: ast.FunctionDef, flask_names: set[str]) -> str | None:
    """The local the factory binds to ``Flask(...)``, if it returns it."""
    local = None
    for stmt in node.body:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
            value = stmt.value
            if isinstance(value, ast.Call) and ast.unparse(value.func) in flask_names:
                local = stmt.targets[0].id
    if local is None:
        return None
    returns = any(isinstance(s, ast.Return) and isinstance(s.value, ast.Name) and s.value.id == local for s in node.body)
    return local if returns else None


def _is_route_decorator(dec: ast.expr, app: str) -> bool:
    func = dec.func if isinstance(dec, ast.Call) else None
    return (
        isinstance(func, ast.Attribute)
        and isinstance(func.value, ast.Name)
        and func.value.id == app
        and func.attr in ROUTE_METHODS
    )


def _frees(code: str, name: str) -> set[str]:
    """Free variables of the nested function ``name`` inside the one top-level function in ``code``."""
    table = symtable.symtable(code, "<factory>", "exec")
    for outer in table.get_children():
        for inner in outer.get_children():
            if inner.get_name() == name and isinstance(inner, symtable.Function):
                return set(inner.get_frees())
    return set()


def lift_factory_views(index: SourceIndex) -> list[KeptInFactory]:
    """Lift movable nested views out of factories (new statements appended to ``index``);
    return the nested routes that stay, with the reason."""
    aliases = _import_aliases(list(index.module.body))
    flask_names = {local for local, origin in aliases.items() if origin == "flask.Flask"}
    flask_names |= {f"{local}.Flask" for local, origin in aliases.items() if origin == "flask"}
    app = index.app_name
    module_names = {n for s in index.statements for n in s.defines}
    kept: list[KeptInFactory] = []
    lifted: list[Statement] = []
    for stmt in list(index.statements):
        if not isinstance(stmt.node, cst.FunctionDef) or "route" not in stmt.code and ".get(" not in stmt.code and ".post(" not in stmt.code:
            continue
        try:
            tree = ast.parse(stmt.code)
        except SyntaxError:
            continue
        func = tree.body[0]
        if not isinstance(func, ast.FunctionDef):
            continue
        local_app = _factory_app(func, flask_names)
        if local_app is None:
            continue
        leading = len(stmt.node.leading_lines)
        first = stmt.line - leading
        factory_locals = _factory_locals(stmt.code)
        body = stmt.node.body
        assert isinstance(body, cst.IndentedBlock)
        new_body: list[cst.BaseStatement] = []
        py_defs = {n.name: n for n in func.body if isinstance(n, ast.FunctionDef)}
        for py_stmt in func.body:
            call = py_stmt.value if isinstance(py_stmt, ast.Expr) else None
            if isinstance(call, ast.Call) and ast.unparse(call.func) == f"{local_app}.add_url_rule":
                endpoint = _rule_endpoint(call)
                kept.append(
                    KeptInFactory(
                        stmt.file or index.path,
                        first + py_stmt.lineno - 1,
                        endpoint,
                        f"{func.name}() registers it with add_url_rule on its own app",
                    )
                )
        for node in body.body:
            if not isinstance(node, cst.FunctionDef) or node.name.value not in py_defs:
                new_body.append(node)
                continue
            name = node.name.value
            py = py_defs[name]
            routes = [d for d in py.decorator_list if _is_route_decorator(d, local_app)]
            if not routes:
                new_body.append(node)
                continue
            line = first + min([py.lineno, *(d.lineno for d in py.decorator_list)]) - 1
            endpoint = _endpoint(routes[0], name)
            reason = _why_not(stmt.code, func, py, name, local_app, app, factory_locals, module_names)
            if reason:
                kept.append(KeptInFactory(stmt.file or index.path, line, endpoint, reason))
                new_body.append(node)
                continue
            view = node.visit(_Rename(local_app, app)) if local_app != app else node
            assert isinstance(view, cst.FunctionDef)
            view = view.with_changes(leading_lines=[line_ for line_ in view.leading_lines if line_.comment is not None])
            code = cst.Module(body=[view]).code
            defined, used, top, rebinds = _names(code)
            new = Statement(
                index=len(index.statements) + len(lifted),
                node=view,
                line=line,
                end_line=first + (py.end_lineno or py.lineno) - 1,
                defines=frozenset(defined),
                uses=frozenset(used),
                top_uses=frozenset(top),
                rebinds=frozenset(rebinds),
                code=code,
                file=stmt.file,
            )
            _classify(new, index, aliases)
            new.notes.append(f"lifted out of {func.name}()")
            lifted.append(new)
            module_names.add(name)
        if len(new_body) != len(body.body):
            stmt.node = stmt.node.with_changes(body=body.with_changes(body=new_body))
            stmt.code = cst.Module(body=[stmt.node]).code
            defined, used, top, rebinds = _names(stmt.code)
            stmt.uses, stmt.top_uses = frozenset(used), frozenset(top)
    index.statements.extend(lifted)
    return sorted(kept, key=lambda k: (k.file, k.line))


def _endpoint(dec: ast.expr, name: str) -> str:
    if isinstance(dec, ast.Call):
        for kw in dec.keywords:
            if kw.arg == "endpoint" and isinstance(kw.value, ast.Constant) and isinstance(kw.value.value, str):
                return kw.value.value
    return name


def _rule_endpoint(call: ast.Call) -> str:
    """The endpoint an ``add_url_rule`` call names, as far as it is written down."""
    args = {i: a for i, a in enumerate(call.args)}
    kwargs = {k.arg: k.value for k in call.keywords}
    endpoint = kwargs.get("endpoint", args.get(1))
    if isinstance(endpoint, ast.Constant) and isinstance(endpoint.value, str):
        return endpoint.value
    view = kwargs.get("view_func", args.get(2))
    return ast.unparse(view) if view is not None else "?"


def _factory_locals(code: str) -> set[str]:
    table = symtable.symtable(code, "<factory>", "exec")
    for outer in table.get_children():
        return {s.get_name() for s in outer.get_symbols() if s.is_local() or s.is_parameter()}
    return set()


def _why_not(
    code: str,
    func: ast.FunctionDef,
    view: ast.FunctionDef,
    name: str,
    local_app: str,
    app: str,
    factory_locals: set[str],
    module_names: set[str],
) -> str:
    frees = _frees(code, name) - {local_app}
    if frees:
        return f"it reads {', '.join(sorted(frees))} from {func.name}()'s own scope"
    for dec in view.decorator_list:
        if _is_route_decorator(dec, local_app):
            if isinstance(dec, ast.Call) and any(not isinstance(a, ast.Constant) for a in [*dec.args, *(k.value for k in dec.keywords)]):
                reads = {n.id for a in [*dec.args, *(k.value for k in dec.keywords)] for n in ast.walk(a) if isinstance(n, ast.Name)}
                if reads & factory_locals:
                    return f"its route reads {', '.join(sorted(reads & factory_locals))} from {func.name}()'s own scope"
            continue
        reads = {n.id for n in ast.walk(dec) if isinstance(n, ast.Name)}
        if reads & factory_locals:
            return f"a decorator reads {', '.join(sorted(reads & factory_locals))} from {func.name}()'s own scope"
    others = [n for n in func.body if n is not view]
    if any(isinstance(n, ast.Name) and n.id == name for other in others for n in ast.walk(other)):
        return f"{func.name}() refers to `{name}` by name"
    if name in module_names:
        return f"the module already defines `{name}` at top level"
    if local_app != app and re.search(rf"\b{re.escape(app)}\b", ast.unparse(view)):
        return f"it uses the name `{app}`, which is the module's app"
    return ""


class _Rename(cst.CSTTransformer):
    """The factory's local app name -> the module's app name (reads only, never attributes)."""

    def __init__(self, old: str, new: str) -> None:
        super().__init__()
        self.old, self.new = old, new
        self.skip: set[int] = set()

    def visit_Attribute(self, node: cst.Attribute) -> None:
        self.skip.add(id(node.attr))

    def visit_Arg(self, node: cst.Arg) -> None:
        if node.keyword is not None:
            self.skip.add(id(node.keyword))

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.Name:
        if id(original_node) in self.skip or updated_node.value != self.old:
            return updated_node
        return updated_node.with_changes(value=self.new)


__all__ = ["KeptInFactory", "dotted", "lift_factory_views"]
