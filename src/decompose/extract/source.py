"""Index the top-level statements of a monolith: what each defines, uses and registers.

Extraction moves whole top-level statements, so this is the unit it reasons about. Names are
found with the standard library's ``symtable`` (the compiler's own scope analysis, run on each
statement's source): exact for shadowing, closures, comprehensions and class bodies, and two
orders of magnitude cheaper than libcst's ScopeProvider on a 4,000-line module.

The parts: ``statements`` (Statement, SourceIndex), ``syntax`` (names, aliases, literals) and
``classify`` (each statement's role); this module indexes a file and applies the keep-together
rules, and re-exports what callers import from here.
"""

from __future__ import annotations

import re

import libcst as cst

from decompose.errors import InputError
from decompose.extract.classify import (
    _assign_target,
    _classify,
    _find_app,
    _find_blueprints,
    _kwarg,
)
from decompose.extract.statements import SourceIndex, Statement
from decompose.extract.syntax import (
    ROUTE_METHODS,
    UNSAFE_CALLS,
    _import_aliases,
    _names,
    dotted,
    string_value,
)


def _line_spans(module: cst.Module, chunks: list[str]) -> list[tuple[int, int]]:
    """(first code line, last line) of each top-level statement, without position metadata."""
    line = 1 + len(module.header)
    spans = []
    for stmt, chunk in zip(module.body, chunks, strict=True):
        leading = len(getattr(stmt, "leading_lines", ()))
        first = line + leading
        last = line + chunk.count("\n") - 1
        spans.append((first, max(first, last)))
        line += chunk.count("\n")
    return spans


def index_source(path: str, module_name: str, code: str, *, app_name: str | None = None) -> SourceIndex:
    """Parse ``code`` and index its top-level statements. Raises InputError on a syntax error."""
    import ast

    try:
        ast.parse(code)  # CPython's message and position, the same analyze reports
    except SyntaxError as exc:
        raise InputError(f"{path}:{exc.lineno}:{exc.offset}: syntax error: {exc.msg}; fix the file and run again.") from None
    except (ValueError, RecursionError, MemoryError) as exc:
        raise InputError(f"{path}: cannot parse it ({exc}).") from None
    try:
        module = cst.parse_module(code)
    except cst.ParserSyntaxError as exc:
        raise InputError(f"{path}:{exc.raw_line}:{exc.raw_column}: cannot parse: {exc.message}") from None
    aliases = _import_aliases(list(module.body))
    chunks = [module.code_for_node(node) for node in module.body]
    spans = _line_spans(module, chunks)
    statements: list[Statement] = []
    futures: list[str] = []
    for i, (node, (first, last)) in enumerate(zip(module.body, spans, strict=True)):
        src = chunks[i]
        try:
            defined, used, top, rebinds = _names(src)
        except SyntaxError as exc:  # e.g. `return` outside a function: libcst accepts it
            raise InputError(f"{path}:{first}: cannot analyse this statement: {exc.msg}") from None
        stmt = Statement(
            index=i,
            node=node,
            line=first,
            end_line=last,
            defines=frozenset(defined),
            uses=frozenset(used),
            top_uses=frozenset(top),
            rebinds=frozenset(rebinds),
            code=src,
        )
        if isinstance(node, cst.SimpleStatementLine):
            for small in node.body:
                if isinstance(small, cst.ImportFrom) and dotted(small.module or cst.Name("x")) == "__future__":
                    if not isinstance(small.names, cst.ImportStar):
                        futures.extend(dotted(a.name) or "" for a in small.names)
        statements.append(stmt)

    if app_name is None:
        app_name = _find_app(statements, aliases)
    if app_name is None:
        raise InputError(
            f"{path}: no module-level Flask app found (expected e.g. `app = Flask(__name__)`); if the app "
            "is built by a factory in another module (`app = create_app()`), give that module instead."
        )
    blueprints = _find_blueprints(statements, aliases)
    index = SourceIndex(
        path=path,
        module_name=module_name,
        module=module,
        statements=statements,
        app_name=app_name,
        blueprints=blueprints,
        future_imports=tuple(futures),
    )
    for stmt in statements:
        _classify(stmt, index, aliases)
    _resolve_view_endpoints(index)
    return index


def _resolve_view_endpoints(index: SourceIndex) -> None:
    """``view = X.as_view("name")`` then ``add_url_rule(..., view_func=view)``: the endpoint is
    the view's ``__name__`` ("name"), not the variable's; a def's own name likewise."""
    bound: dict[str, str | None] = {}
    for stmt in index.statements:
        if isinstance(stmt.node, cst.FunctionDef):
            bound[stmt.node.name.value] = stmt.node.name.value
        name, value = _assign_target(stmt.node)
        if name:
            view = None
            if isinstance(value, cst.Call) and (dotted(value.func) or "").endswith(".as_view") and value.args:
                view = string_value(value.args[0].value)
            bound[name] = view
    for stmt in index.statements:
        if stmt.kind != "url_rule" or stmt.unsafe or not stmt.view_is_name:
            continue
        real = bound.get(stmt.view, "?")
        if real is None or real == "?":
            stmt.unsafe = f"registers `{stmt.view}`, whose endpoint name extract cannot see"
            stmt.endpoints = ()
        elif not stmt.explicit_endpoint:
            stmt.endpoints = (real,)
        if real not in (None, "?") and stmt.view in bound and bound[stmt.view] != stmt.view:
            # the variable holds an as_view() result: the class is what has to move
            provider = next((s for s in index.statements if stmt.view in s.defines), None)
            if provider is not None:
                provider.kind = "view_binding"


_BUILD_KINDS = frozenset({"app", "setup", "extension", "app_value", "main", "import", "docstring", "blueprint"})


def keep_global_state_together(index: SourceIndex) -> None:
    """Module state that functions rebind with ``global`` is kept as written, with every
    function that rebinds or reads it, in the legacy module.

    ``global hits; hits += 1`` rebinds the name in the module the function lives in; once the
    state and its users sit in different generated modules, each holds its own binding and
    readers see a stale value (or a NameError). Keeping the group in one module keeps one
    binding; everything else still imports the group's functions, which read the live value.
    """
    rebinders: dict[str, list[Statement]] = {}
    for stmt in index.statements:
        for name in stmt.rebinds:
            rebinders.setdefault(name, []).append(stmt)
    for name in sorted(rebinders):
        first = rebinders[name][0]
        where = f"{first.file or index.path}:{first.line}"
        reason = (
            f"shares the module global `{name}`, which {first.name}() ({where}) rebinds with `global`: "
            "kept together as written so that every reader sees the current value"
        )
        for stmt in index.statements:
            if stmt.kind in _BUILD_KINDS or stmt.unsafe:
                continue
            if name in stmt.uses or name in stmt.defines or name in stmt.rebinds:
                stmt.unsafe = reason


def keep_namespace_readers_company(index: SourceIndex) -> None:
    """A statement kept as written that reads the module namespace (``globals()``, ``vars()``)
    finds names by string; the functions and classes nothing else names are the ones it can
    be looking for, so they are kept beside it (in the legacy module) instead of moving away."""
    readers = [s for s in index.statements if s.unsafe and re.search(r"\b(globals|vars|locals)\(\s*\)", s.code)]
    if not readers:
        return
    used = {n for s in index.statements for n in s.uses - s.defines}
    first = readers[0]
    reason = (
        f"named by nothing but found through {first.file or index.path}:{first.line}, which reads "
        "the module namespace: kept beside it"
    )
    for stmt in index.statements:
        if stmt.unsafe or stmt.kind not in {"helper", "class"} or not stmt.defines:
            continue
        if not (stmt.defines & used):
            stmt.unsafe = reason


_REGISTERS = ("add_url_rule", "route", "get", "post", "put", "patch", "delete", "register_blueprint", "errorhandler",
              "before_request", "after_request", "register_error_handler")


def keep_registering_helpers(index: SourceIndex) -> None:
    """A project function that registers on the app when *called* (a custom ``@api_route``
    decorator wrapping ``app.add_url_rule``) needs the real app at the moment it runs, which
    ``current_app`` is not at import time. It stays as written inside ``register_legacy(app)``,
    with every statement that uses it, so both see the app ``create_app`` builds."""
    app = index.app_name
    pattern = re.compile(rf"\b{re.escape(app)}\.({'|'.join(_REGISTERS)})\(")
    helpers = {
        stmt.name: stmt
        for stmt in index.statements
        if stmt.kind == "helper" and isinstance(stmt.node, cst.FunctionDef) and app not in stmt.top_uses
        and app in stmt.uses and pattern.search(stmt.code)
    }
    if not helpers:
        return
    for name, helper in helpers.items():
        where = f"{helper.file or index.path}:{helper.line}"
        helper.keep_app = True
        helper.unsafe = helper.unsafe or f"{name}() registers on the app when called, so it needs the app create_app builds"
        for stmt in index.statements:
            if stmt is helper or name not in stmt.uses or stmt.kind in _BUILD_KINDS:
                continue
            stmt.keep_app = True
            stmt.unsafe = stmt.unsafe or f"registers through {name}() ({where}), kept beside it as written"


def app_folders(index: SourceIndex) -> dict[str, str]:
    """``template_folder`` / ``static_folder`` given as strings to the monolith's ``Flask(...)``."""
    out: dict[str, str] = {}
    for stmt in index.statements:
        if stmt.kind != "app":
            continue
        _, value = _assign_target(stmt.node)
        if isinstance(value, cst.Call):
            for key in ("template_folder", "static_folder"):
                text = string_value(_kwarg(value, key))
                if text:
                    out[key] = text
    return out


def only_factory(code: str) -> tuple[str, int] | None:
    """(name, line) of the one top-level function that builds a Flask app and returns it, when
    the module has no module-level app (the Flask tutorial's ``create_app``), else None."""
    import ast

    try:
        tree = ast.parse(code)
    except SyntaxError:
        return None
    found = []
    for node in tree.body:
        if not isinstance(node, ast.FunctionDef):
            continue
        positional = [*node.args.posonlyargs, *node.args.args]
        required = len(positional) - len(node.args.defaults)
        if required > 0 or any(d is None for d in node.args.kw_defaults):
            continue  # it needs arguments extract cannot invent
        local = None
        for stmt in node.body:
            if isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Call):
                func = ast.unparse(stmt.value.func)
                if (func == "Flask" or func.endswith(".Flask")) and isinstance(stmt.targets[0], ast.Name):
                    local = stmt.targets[0].id
        if local and any(isinstance(s, ast.Return) and isinstance(s.value, ast.Name) and s.value.id == local for s in node.body):
            found.append((node.name, min([node.lineno, *(d.lineno for d in node.decorator_list)])))
    return found[0] if len(found) == 1 else None


# Callers (factory, imports, plan, generate, inplace, tests) import these from here.
__all__ = [
    "ROUTE_METHODS",
    "UNSAFE_CALLS",
    "SourceIndex",
    "Statement",
    "_classify",
    "_import_aliases",
    "_names",
    "app_folders",
    "dotted",
    "index_source",
    "keep_global_state_together",
    "keep_namespace_readers_company",
    "keep_registering_helpers",
    "only_factory",
    "string_value",
]
