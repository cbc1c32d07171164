"""Classify indexed statements: the app, blueprints, routes, hooks, extensions, and what is unsafe to move."""

from __future__ import annotations

import re
import symtable

import libcst as cst

from decompose.extract.statements import SourceIndex, Statement
from decompose.extract.syntax import (
    ROUTE_METHODS,
    UNSAFE_CALLS,
    _calls,
    _is_importish,
    _names,
    _resolve,
    dotted,
    string_value,
)


def _assign_target(node: cst.BaseStatement) -> tuple[str | None, cst.BaseExpression | None]:
    if isinstance(node, cst.SimpleStatementLine) and len(node.body) == 1:
        small = node.body[0]
        if isinstance(small, cst.Assign) and len(small.targets) == 1:
            target = small.targets[0].target
            if isinstance(target, cst.Name):
                return target.value, small.value
        if isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name) and small.value:
            return small.target.value, small.value
    return None, None


def _find_app(statements: list[Statement], aliases: dict[str, str]) -> str | None:
    for stmt in statements:
        name, value = _assign_target(stmt.node)
        if name and isinstance(value, cst.Call) and _resolve(dotted(value.func), aliases) == "flask.Flask":
            return name
    # `app = create_app()`: a module-level factory that builds the Flask app
    flask_names = {local for local, origin in aliases.items() if origin == "flask.Flask"}
    factories = {
        s.node.name.value
        for s in statements
        if isinstance(s.node, cst.FunctionDef)
        and any(c in flask_names or _resolve(c, aliases) == "flask.Flask" for c in _calls(s.node))
    }
    for stmt in statements:
        name, value = _assign_target(stmt.node)
        if name and isinstance(value, cst.Call) and dotted(value.func) in factories:
            return name
    # `app = make_app()` from another module: the name module-level routes are registered on
    assigned = {n for s in statements for n in [_assign_target(s.node)[0]] if n}
    for stmt in statements:
        for dec in getattr(stmt.node, "decorators", ()):
            expr = dec.decorator
            func = expr.func if isinstance(expr, cst.Call) else expr
            head, _, attr = (dotted(func) or "").partition(".")
            if attr in ROUTE_METHODS and head in assigned:
                value = next(_assign_target(s.node)[1] for s in statements if _assign_target(s.node)[0] == head)
                if isinstance(value, cst.Call) and _resolve(dotted(value.func), aliases) != "flask.Blueprint":
                    return head
    return None


def _find_blueprints(statements: list[Statement], aliases: dict[str, str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for stmt in statements:
        name, value = _assign_target(stmt.node)
        if name and isinstance(value, cst.Call) and _resolve(dotted(value.func), aliases) == "flask.Blueprint":
            bp_name = string_value(value.args[0].value) if value.args else None
            out[name] = bp_name or name
    return out


def _kwarg(call: cst.Call, name: str, position: int | None = None) -> cst.BaseExpression | None:
    for i, arg in enumerate(call.args):
        if arg.keyword is not None and arg.keyword.value == name:
            return arg.value
        if arg.keyword is None and arg.star == "" and position is not None and i == position:
            return arg.value
    return None


def _classify(stmt: Statement, index: SourceIndex, aliases: dict[str, str]) -> None:
    node = stmt.node
    app = index.app_name
    if stmt.index == 0 and isinstance(node, cst.SimpleStatementLine) and len(node.body) == 1:
        small = node.body[0]
        if isinstance(small, cst.Expr) and isinstance(small.value, (cst.SimpleString, cst.ConcatenatedString)):
            stmt.kind = "docstring"
            stmt.name = "module docstring"
            return
    unsafe_calls = _calls(node, stmt.code) & UNSAFE_CALLS
    if _is_importish(node):
        stmt.kind = "import"
        stmt.name = ", ".join(sorted(stmt.defines))
        return
    if isinstance(node, cst.If) and _is_main_guard(node):
        stmt.kind = "main"
        stmt.name = "__main__ guard"
        return
    if isinstance(node, (cst.FunctionDef, cst.ClassDef)):
        stmt.name = node.name.value
        routes, registrations, bp_routes = [], [], []
        decorators = list(node.decorators)
        for dec in decorators:
            expr = dec.decorator
            func = expr.func if isinstance(expr, cst.Call) else expr
            dec_name = dotted(func) or ""
            head, _, attr = dec_name.partition(".")
            if head == app and (attr in ROUTE_METHODS or attr == "endpoint") and isinstance(expr, cst.Call):
                routes.append(dec)
            elif head == app and attr:
                registrations.append(dec)
            elif head in index.blueprints and attr in ROUTE_METHODS:
                bp_routes.append(dec)
        if unsafe_calls:
            stmt.unsafe = f"calls {', '.join(sorted(unsafe_calls))}(), whose effect depends on the module it runs in"
        elif (app in stmt.top_uses and _mentions(node, decorators, routes + registrations, index, app)) or _class_body_reads(
            stmt.code, app
        ):
            rest = [d for d in decorators if d not in routes and d not in registrations]
            bare = node.with_changes(decorators=rest)
            _, _, top, _ = _names(index.module.code_for_node(bare))
            if _class_body_reads(stmt.code, app):
                stmt.top_uses = stmt.top_uses | {app}  # a class body runs at import time
            if app in top or _class_body_reads(stmt.code, app):
                stmt.unsafe = (
                    f"reads `{app}` while being defined (a decorator argument, default or class "
                    "attribute), before any factory could have built it"
                )
        if routes:
            stmt.kind = "route"
            stmt.endpoints = tuple(_route_endpoint(dec, stmt.name) for dec in routes)
            if registrations:
                stmt.unsafe = stmt.unsafe or "mixes route decorators with other app registrations"
        elif bp_routes:
            stmt.kind = "blueprint_route"
        elif registrations:
            # Registration decorators must be the outermost ones: create_app then registers the
            # very object the decorator saw.
            if decorators[: len(registrations)] != registrations:
                stmt.unsafe = stmt.unsafe or "an app registration decorator sits below another decorator"
            stmt.kind = "hook"
            stmt.registrations = tuple(registrations)
        elif isinstance(node, cst.ClassDef):
            stmt.kind = "class"
        else:
            stmt.kind = "helper"
        if stmt.rebinds:
            stmt.notes.append("rebinds module globals: " + ", ".join(sorted(stmt.rebinds)))
        return
    name, value = _assign_target(node)
    if name and name == app:
        stmt.kind = "app"
        stmt.name = name
        return
    if name and name in index.blueprints:
        stmt.kind = "blueprint"
        stmt.name = name
        return
    stmt.name = name or ", ".join(sorted(stmt.defines)) or _short(index.module.code_for_node(node))
    if app in stmt.top_uses:
        call = value if isinstance(value, cst.Call) else None
        if isinstance(node, cst.SimpleStatementLine) and len(node.body) == 1:
            small = node.body[0]
            if isinstance(small, cst.Expr) and isinstance(small.value, cst.Call):
                fname = dotted(small.value.func) or ""
                if fname == f"{app}.add_url_rule":
                    stmt.kind = "url_rule"
                    endpoint, view = _add_url_rule_endpoint(small.value)
                    stmt.view = view or ""
                    view_node = _kwarg(small.value, "view_func", 2)
                    stmt.view_is_name = isinstance(view_node, cst.Name)
                    endpoint_node = _kwarg(small.value, "endpoint", 1)
                    stmt.explicit_endpoint = endpoint_node is not None and not (
                        isinstance(endpoint_node, cst.Name) and endpoint_node.value == "None"
                    )
                    if unsafe_calls:
                        stmt.unsafe = f"calls {', '.join(sorted(unsafe_calls))}() to find what it registers"
                    elif endpoint is None:
                        stmt.unsafe = "registers a route whose endpoint is computed at run time"
                    else:
                        stmt.endpoints = (endpoint,)
                    return
        if name and call is not None and _binds_app(call, app) and not unsafe_calls:
            stmt.kind = "extension"
            return
        if name and not unsafe_calls:
            stmt.kind = "app_value"
            return
        stmt.kind = "setup"
        if _registers_routes(node, app):
            direct = (
                isinstance(node, cst.SimpleStatementLine)
                and isinstance(node.body[0], cst.Expr)
                and isinstance(node.body[0].value, cst.Call)
                and isinstance(node.body[0].value.func, cst.Call)
            )
            stmt.unsafe = (
                f"registers a route by calling {app}.route(...)(view) directly"
                if direct
                else "registers routes dynamically (in a loop or condition)"
            )
        elif unsafe_calls:
            stmt.unsafe = f"calls {', '.join(sorted(unsafe_calls))}() while configuring the app"
        return
    if unsafe_calls:
        stmt.unsafe = f"calls {', '.join(sorted(unsafe_calls))}(), whose effect depends on the module it runs in"
    stmt.kind = "state"
    if not stmt.defines:
        stmt.subject = _subject(node) or ""


def _mentions(
    node: cst.FunctionDef | cst.ClassDef,
    decorators: list[cst.Decorator],
    moved: list[cst.Decorator],
    index: SourceIndex,
    name: str,
) -> bool:
    """Cheap pre-check: does ``name`` appear in what runs at definition time, besides the route
    and registration decorators (other decorators, defaults, annotations, base classes)?"""
    # the definition's header alone (its body replaced by `pass`) is cheap to print
    stub = cst.IndentedBlock(body=[cst.SimpleStatementLine(body=[cst.Pass()])])
    probe = node.with_changes(decorators=[d for d in decorators if d not in moved], body=stub, leading_lines=())
    pattern = re.compile(rf"\b{re.escape(name)}\b")
    return bool(pattern.search(index.module.code_for_node(probe)))


def _class_body_reads(code: str, name: str) -> bool:
    """True if a module-level class body (not its methods) reads ``name``."""
    if "class " not in code:
        return False
    table = symtable.symtable(code, "<statement>", "exec")
    for child in table.get_children():
        if child.get_type() == "class":
            try:
                if child.lookup(name).is_referenced():
                    return True
            except KeyError:
                pass
    return False


def _root_name(node: cst.BaseExpression) -> str | None:
    while isinstance(node, (cst.Attribute, cst.Subscript, cst.Call)):
        node = node.func if isinstance(node, cst.Call) else node.value
    return node.value if isinstance(node, cst.Name) else None


def _subject(node: cst.BaseStatement) -> str | None:
    """``x`` in ``x.attr = 1``, ``x[k] += 1``, ``x.update(...)``: what a side-effect statement changes."""
    if not isinstance(node, cst.SimpleStatementLine) or len(node.body) != 1:
        return None
    small = node.body[0]
    if isinstance(small, cst.Expr) and isinstance(small.value, cst.Call):
        return _root_name(small.value.func)
    if isinstance(small, cst.Assign):
        roots = {_root_name(t.target) for t in small.targets}
        return roots.pop() if len(roots) == 1 else None
    if isinstance(small, (cst.AugAssign, cst.AnnAssign)):
        return _root_name(small.target)
    return None


def _short(code: str) -> str:
    line = code.strip().splitlines()[0] if code.strip() else ""
    return line[:60]


def _is_main_guard(node: cst.If) -> bool:
    test = node.test
    if isinstance(test, cst.Comparison) and len(test.comparisons) == 1:
        left = dotted(test.left)
        right = string_value(test.comparisons[0].comparator)
        return left == "__name__" and right == "__main__"
    return False


def _binds_app(call: cst.Call, app: str) -> bool:
    """``Ext(app, ...)`` or ``Ext(app=app)``: an extension bound at construction."""
    for i, arg in enumerate(call.args):
        if isinstance(arg.value, cst.Name) and arg.value.value == app:
            if (arg.keyword is None and i == 0) or (arg.keyword is not None and arg.keyword.value == "app"):
                return True
    return False


def _registers_routes(node: cst.CSTNode, app: str) -> bool:
    return any(c in {f"{app}.add_url_rule", f"{app}.route"} or c.startswith(f"{app}.route") for c in _calls(node))


def _route_endpoint(dec: cst.Decorator, function: str) -> str:
    call = dec.decorator
    assert isinstance(call, cst.Call)
    if isinstance(call.func, cst.Attribute) and call.func.attr.value == "endpoint":
        # @app.endpoint("x") binds the view of an endpoint a rule declared elsewhere
        return string_value(_kwarg(call, "endpoint", 0)) or function
    endpoint = string_value(_kwarg(call, "endpoint"))
    return endpoint or function


def _add_url_rule_endpoint(call: cst.Call) -> tuple[str | None, str | None]:
    """(endpoint, module-level view name) of ``app.add_url_rule(rule, endpoint, view_func)``."""
    endpoint_node = _kwarg(call, "endpoint", 1)
    view_node = _kwarg(call, "view_func", 2)
    view_name: str | None = None
    view_endpoint: str | None = None
    if isinstance(view_node, cst.Name):
        view_name = view_node.value
        view_endpoint = view_name
    elif isinstance(view_node, cst.Call):
        func = dotted(view_node.func) or ""
        if func.endswith(".as_view"):
            view_name = func.rsplit(".", 1)[0]
            view_endpoint = string_value(view_node.args[0].value) if view_node.args else None
    if endpoint_node is not None and not (isinstance(endpoint_node, cst.Name) and endpoint_node.value == "None"):
        return string_value(endpoint_node), view_name
    return view_endpoint, view_name


#: statement kinds that run once while the app is built: reading module state there is safe
