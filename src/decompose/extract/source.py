"""Index the top-level statements of a monolith: what each defines, uses and registers.

Extraction moves whole top-level statements, so this is the unit it reasons about. Names are
found with the standard library's ``symtable`` (the compiler's own scope analysis, run on each
statement's source): exact for shadowing, closures, comprehensions and class bodies, and two
orders of magnitude cheaper than libcst's ScopeProvider on a 4,000-line module.
"""

from __future__ import annotations

import re
import symtable
from dataclasses import dataclass, field

import libcst as cst

from decompose.errors import InputError

ROUTE_METHODS = frozenset({"route", "get", "post", "put", "patch", "delete"})
UNSAFE_CALLS = frozenset({"globals", "locals", "vars", "exec", "eval", "__import__"})


@dataclass
class Statement:
    """One top-level statement, with its names and its role in the app."""

    index: int
    node: cst.BaseStatement
    line: int
    end_line: int
    defines: frozenset[str]
    uses: frozenset[str]  # module-scope names read anywhere in the statement
    top_uses: frozenset[str]  # those read while the statement itself runs (import time)
    rebinds: frozenset[str]  # module names rebound through ``global`` in a nested scope
    code: str = ""  # the statement's source, leading comments included
    kind: str = "state"
    name: str = ""
    endpoints: tuple[str, ...] = ()  # endpoints this statement registers on the app
    view: str = ""  # url_rule: the module-level name of the view it registers
    view_is_name: bool = False  # url_rule: view_func is a plain name (not X.as_view(...))
    explicit_endpoint: bool = False  # url_rule: the endpoint is given, not taken from the view
    unsafe: str = ""  # why it cannot be moved, when it cannot
    registrations: tuple[cst.Decorator, ...] = ()  # app decorators turned into create_app calls
    subject: str = ""  # a statement that only mutates something: the name it mutates
    notes: list[str] = field(default_factory=list)
    file: str = ""  # set when the statement comes from another module of the project (spliced)
    keep_app: bool = False  # kept inside register_legacy(app): it needs the real app, not current_app

    @property
    def is_import(self) -> bool:
        return self.kind == "import"


@dataclass
class SourceIndex:
    """A parsed monolith: its statements in order, and the facts extraction needs about them."""

    path: str  # relative to the project root, POSIX
    module_name: str  # dotted import name, e.g. legacy.app
    module: cst.Module
    statements: list[Statement]
    app_name: str
    blueprints: dict[str, str]  # module-level Blueprint variable -> blueprint name
    future_imports: tuple[str, ...] = ()
    factory_only: str = ""  # the module defines only an app factory: its name (see ``only_factory``)
    notes: list[str] = field(default_factory=list)  # what indexing the project found worth telling

    def providers(self) -> dict[str, list[Statement]]:
        out: dict[str, list[Statement]] = {}
        for stmt in self.statements:
            for name in stmt.defines:
                out.setdefault(name, []).append(stmt)
        return out


def dotted(node: cst.BaseExpression) -> str | None:
    """``a.b.c`` for a Name/Attribute chain, else None."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        base = dotted(node.value)
        return f"{base}.{node.attr.value}" if base else None
    return None


def string_value(node: cst.BaseExpression | None) -> str | None:
    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None


def _names(code: str) -> tuple[set[str], set[str], set[str], set[str]]:
    """(defined, used anywhere, used at statement level, rebound via global) for one statement."""
    table = symtable.symtable(code, "<statement>", "exec")
    defined: set[str] = set()
    top: set[str] = set()
    for sym in table.get_symbols():
        if sym.is_assigned() or sym.is_imported() or sym.is_namespace():
            if not sym.is_declared_global() or sym.is_assigned():
                defined.add(sym.get_name())
        if sym.is_referenced():
            top.add(sym.get_name())
    used = set(top)
    rebinds: set[str] = set()

    def walk(tab: symtable.SymbolTable) -> None:
        for child in tab.get_children():
            for sym in child.get_symbols():
                if sym.is_global():
                    if sym.is_referenced():
                        used.add(sym.get_name())
                    if sym.is_declared_global() and sym.is_assigned():
                        rebinds.add(sym.get_name())
            walk(child)

    walk(table)
    return defined, used, top, rebinds


class _CallNames(cst.CSTVisitor):
    def __init__(self) -> None:
        self.calls: set[str] = set()

    def visit_Call(self, node: cst.Call) -> None:
        name = dotted(node.func)
        if name:
            self.calls.add(name)


def _calls(node: cst.CSTNode, code: str | None = None) -> set[str]:
    if code is not None and not any(f"{name}(" in code for name in UNSAFE_CALLS):
        return set()
    visitor = _CallNames()
    node.visit(visitor)
    return visitor.calls


def _import_aliases(statements: list[cst.BaseStatement]) -> dict[str, str]:
    """Local name -> dotted origin for module-level imports (``F`` -> ``flask.Flask``)."""
    out: dict[str, str] = {}
    for stmt in statements:
        if not isinstance(stmt, cst.SimpleStatementLine):
            continue
        for small in stmt.body:
            if isinstance(small, cst.ImportFrom) and isinstance(small.names, cst.ImportStar):
                if small.module is not None and dotted(small.module) == "flask" and not small.relative:
                    out.setdefault("Flask", "flask.Flask")
                    out.setdefault("Blueprint", "flask.Blueprint")
            elif isinstance(small, cst.ImportFrom) and not isinstance(small.names, cst.ImportStar):
                base = dotted(small.module) if small.module else ""
                for alias in small.names:
                    name = dotted(alias.name) or ""
                    local = alias.asname.name.value if alias.asname and isinstance(alias.asname.name, cst.Name) else name
                    out[local] = f"{base}.{name}" if base else name
            elif isinstance(small, cst.Import):
                for alias in small.names:
                    name = dotted(alias.name) or ""
                    if alias.asname and isinstance(alias.asname.name, cst.Name):
                        out[alias.asname.name.value] = name
                    else:
                        out[name.split(".")[0]] = name.split(".")[0]
    return out


def _resolve(name: str | None, aliases: dict[str, str]) -> str:
    if not name:
        return ""
    head, _, rest = name.partition(".")
    origin = aliases.get(head, head)
    return f"{origin}.{rest}" if rest else origin


def _is_importish(stmt: cst.BaseStatement) -> bool:
    """Imports, or an if/try made only of imports, ``pass`` and plain assignments of literals."""
    if isinstance(stmt, cst.SimpleStatementLine):
        return all(isinstance(s, (cst.Import, cst.ImportFrom)) for s in stmt.body)
    if isinstance(stmt, (cst.If, cst.Try)):
        found_import = False

        class V(cst.CSTVisitor):
            ok = True

            def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> bool:
                nonlocal found_import
                for small in node.body:
                    if isinstance(small, (cst.Import, cst.ImportFrom)):
                        found_import = True
                    elif isinstance(small, cst.Pass):
                        pass
                    elif isinstance(small, cst.Assign) and isinstance(
                        small.value, (cst.Name, cst.SimpleString, cst.Integer)
                    ):
                        pass
                    else:
                        self.ok = False
                return False

            def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
                self.ok = False
                return False

            def visit_ClassDef(self, node: cst.ClassDef) -> bool:
                self.ok = False
                return False

        v = V()
        stmt.visit(v)
        return v.ok and found_import
    return False


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
