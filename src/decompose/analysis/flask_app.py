"""Flask registrations: apps, blueprints, routes, views and hooks, exactly as Flask builds them.

Two passes over every project module, each walking module bodies and function bodies (routes
registered inside ``create_app``) with the names local to each function:

1. objects: ``X = Flask(...)`` / ``Blueprint(...)`` (under any alias or subclass);
2. registrations: route decorators, ``add_url_rule``, ``register_blueprint``, hooks.

Routes are then expanded the way Flask does it (blueprint prefixes and names, nested
blueprints, ``GET`` implies ``HEAD``, automatic ``OPTIONS``, ``MethodView`` methods).
"""

from __future__ import annotations

import ast
import bisect
import posixpath
from dataclasses import dataclass, field

from decompose.analysis.astutil import children
from decompose.analysis.definitions import Definitions, scope_of
from decompose.analysis.names import Resolver, dotted
from decompose.analysis.project import ParsedModule
from decompose.model import Hook, Location, Route, Unhandled

FLASK_CLASSES = frozenset({"flask.Flask", "flask.app.Flask", "flask.sansio.app.App", "apiflask.APIFlask"})
BLUEPRINT_CLASSES = frozenset(
    {
        "flask.Blueprint",
        "flask.blueprints.Blueprint",
        "flask.sansio.blueprints.Blueprint",
        "apiflask.APIBlueprint",
        "flask_smorest.Blueprint",
    }
)
METHOD_VIEW = frozenset({"flask.views.MethodView", "flask.MethodView"})
VIEW = frozenset({"flask.views.View", "flask.View"})
HTTP_METHOD_FUNCS = ("get", "post", "head", "options", "delete", "put", "trace", "patch")
SHORTCUTS = {"get": "GET", "post": "POST", "put": "PUT", "delete": "DELETE", "patch": "PATCH"}
HOOKS = {
    "before_request": "before_request",
    "after_request": "after_request",
    "teardown_request": "teardown_request",
    "teardown_appcontext": "teardown_appcontext",
    "context_processor": "context_processor",
    "url_value_preprocessor": "url_value_preprocessor",
    "url_defaults": "url_defaults",
    "shell_context_processor": "shell_context",
    "before_first_request": "before_first_request",
    "errorhandler": "errorhandler",
    "template_filter": "template_filter",
    "template_global": "template_global",
    "template_test": "template_test",
    # a blueprint's app-wide variants keep Flask's name: they apply to every request of the app
    "before_app_request": "before_app_request",
    "after_app_request": "after_app_request",
    "teardown_app_request": "teardown_app_request",
    "app_context_processor": "app_context_processor",
    "app_url_value_preprocessor": "app_url_value_preprocessor",
    "app_url_defaults": "app_url_defaults",
    "app_errorhandler": "app_errorhandler",
    "app_template_filter": "app_template_filter",
    "app_template_global": "app_template_global",
    "app_template_test": "app_template_test",
}
HOOK_CALLS = {
    "register_error_handler": "errorhandler",
    "add_template_filter": "template_filter",
    "add_template_global": "template_global",
    "add_template_test": "template_test",
    "add_app_template_filter": "template_filter",
    "add_app_template_global": "template_global",
    "add_app_template_test": "template_test",
}
REGISTRATION_CALLS = frozenset(
    {"add_url_rule", "register_blueprint", "add_command", "add_resource", "add_namespace", "route", "endpoint",
     *SHORTCUTS, *HOOKS, *HOOK_CALLS}
)
AUTH_WORDS = ("login_required", "jwt_required", "auth", "token_required", "admin_required",
              "roles_required", "roles_accepted", "permission", "fresh_login_required", "requires_")


@dataclass
class FlaskObject:
    symbol: str  # qualified name of the variable (``pkg.create_app.<locals>.app`` for locals)
    kind: str  # app | blueprint
    module: ParsedModule
    node: ast.AST
    name: str = ""  # blueprint name
    url_prefix: str | None = None
    static_rule: str | None = None  # "/static" for an app; blueprint static path if any
    factory: str | None = None  # the function it is created in, when local
    url_defaults: tuple[tuple[str, str], ...] = ()


@dataclass
class RouteReg:
    target: str  # object symbol
    rule: str
    methods: tuple[str, ...] | None  # declared, None = default
    endpoint: str | None
    handler: str  # qualified name of the function / view class
    handler_node: ast.AST
    handler_module: ParsedModule
    registration: Location
    kind: str
    view_methods: tuple[str, ...] | None = None  # from the view function / class
    automatic_options: bool | None = None
    decorators: tuple[str, ...] = ()
    defaults: tuple[tuple[str, str], ...] = ()
    strict_slashes: bool | None = None
    view_name: str | None = None  # as_view("name")


@dataclass
class BlueprintReg:
    parent: str
    child: str
    url_prefix: str | None
    name: str | None
    location: Location


@dataclass
class FlaskFacts:
    objects: dict[str, FlaskObject] = field(default_factory=dict)
    routes: list[RouteReg] = field(default_factory=list)
    blueprints: list[BlueprintReg] = field(default_factory=list)
    hooks: list[tuple[str, Hook]] = field(default_factory=list)  # (target symbol, hook)
    unhandled: list[Unhandled] = field(default_factory=list)
    views: set[str] = field(default_factory=set)  # handler qualnames
    cli_functions: set[str] = field(default_factory=set)


class _Scope:
    def __init__(self, qualname: str | None, local_names: frozenset[str], imports: dict[str, str]) -> None:
        self.qualname = qualname
        self.locals = local_names
        self.imports = imports
        self.values: dict[str, ast.expr] = {}


class FlaskScanner:
    def __init__(self, resolver: Resolver, defs: Definitions) -> None:
        self.resolver = resolver
        self.defs = defs
        self.facts = FlaskFacts()
        self._method_cache: dict[str, tuple[str, ...] | None] = {}
        # names bound by an unrolled loop or to a parameter given an app:
        # name -> (symbol of the value, its constant string value)
        self._aliases: dict[str, tuple[str | None, str | None]] = {}
        self._factory_calls: list[tuple[str, str, ast.stmt, ParsedModule]] = []
        self._walked_with: set[tuple[str, tuple[tuple[str, str, str], ...]]] = set()
        self._interesting_lines: dict[str, list[int]] = {}

    # -- symbols ---------------------------------------------------------------------------
    def symbol(self, module: ParsedModule, node: ast.AST, scope: _Scope | None) -> str | None:
        if isinstance(node, ast.Name):
            if node.id in self._aliases:
                return self._aliases[node.id][0]
            if scope is not None:
                if node.id in scope.imports:
                    return self.resolver.canonical(scope.imports[node.id])
                if node.id in scope.locals:
                    return f"{scope.qualname}.<locals>.{node.id}"
            return self.resolver.name(module.name, node.id)
        if isinstance(node, ast.Attribute):
            base = self.symbol(module, node.value, scope)
            return self.resolver.canonical(f"{base}.{node.attr}") if base else None
        return None

    def _is_subclass(self, q: str | None, roots: frozenset[str]) -> bool:
        if q is None:
            return False
        return any(c in roots for c in self.defs.mro(q))

    # -- pass 1 ----------------------------------------------------------------------------
    def scan(self) -> FlaskFacts:
        modules = list(self.resolver.index.modules.values())
        for module in modules:
            self._walk(module, module.tree.body, None, self._objects)
        self._resolve_factory_calls()
        for module in modules:
            self._walk(module, module.tree.body, None, self._registrations)
        return self.facts

    def _walk(self, module: ParsedModule, body: list[ast.stmt], scope: _Scope | None, visit, loop: int = 0) -> None:  # type: ignore[no-untyped-def]
        for node in body:
            visit(module, node, scope, loop)
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                qual = self._qualname(module, node, scope)
                fdef = self.defs.functions.get(qual)
                if fdef is not None:
                    inner = _Scope(qual, fdef.local_names, fdef.local_imports)
                else:
                    names, imports = scope_of(module, node)
                    inner = _Scope(qual, names, imports)
                self._walk(module, node.body, inner, visit, 0)
            elif isinstance(node, ast.ClassDef):
                continue
            elif isinstance(node, ast.For) and not node.orelse and self._unrollable(module, node, scope):
                elements = self._unrollable(module, node, scope)
                assert isinstance(node.target, ast.Name) and elements is not None
                name = node.target.id
                saved = self._aliases.get(name)
                for elt in elements:
                    self._aliases.pop(name, None)
                    self._aliases[name] = (self.symbol(module, elt, scope), self._const(module, elt, scope))
                    self._walk(module, node.body, scope, visit, loop)
                if saved is None:
                    self._aliases.pop(name, None)
                else:
                    self._aliases[name] = saved
            else:
                for name in ("body", "orelse", "finalbody"):
                    child = getattr(node, name, None)
                    if child:
                        is_loop = isinstance(node, (ast.For, ast.AsyncFor, ast.While))
                        self._walk(module, child, scope, visit, loop + (1 if is_loop and name == "body" else 0))
                for h in getattr(node, "handlers", []) or []:
                    self._walk(module, h.body, scope, visit, loop)
                if isinstance(node, ast.Match):
                    for case in node.cases:
                        self._walk(module, case.body, scope, visit, loop)

    def _resolve_factory_calls(self) -> None:
        """``app = create_app()``: the global stands for the app made inside the factory."""
        for symbol, factory, _node, _module in self._factory_calls:
            made = [o for o in self.facts.objects.values() if o.kind == "app" and o.factory == factory]
            if made and symbol not in self.facts.objects:
                self.facts.objects[symbol] = made[0]

    def _unrollable(self, module: ParsedModule, node: ast.For, scope: _Scope | None) -> list[ast.expr] | None:
        """The elements of ``for x in (a, b, c):`` (or of a module-level list it names)."""
        if not isinstance(node.target, ast.Name):
            return None
        seq: ast.AST = node.iter
        if isinstance(seq, ast.Name):
            q = self.resolver.name(module.name, seq.id) if scope is None or seq.id not in scope.locals else None
            gdef = self.defs.globals.get(q or "")
            if scope is not None and seq.id in scope.values:
                seq = scope.values[seq.id]
            elif gdef is not None and gdef.value is not None:
                seq = gdef.value
        if isinstance(seq, (ast.List, ast.Tuple, ast.Set)) and 0 < len(seq.elts) <= 50:
            if all(isinstance(e, (ast.Name, ast.Attribute, ast.Constant)) for e in seq.elts):
                return list(seq.elts)
        return None

    def _qualname(self, module: ParsedModule, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef, scope: _Scope | None) -> str:
        if scope is None or scope.qualname is None:
            return f"{module.name}.{node.name}"
        return f"{scope.qualname}.<locals>.{node.name}"

    def _objects(self, module: ParsedModule, node: ast.stmt, scope: _Scope | None, loop: int) -> None:
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets, value = [node.target], node.value
        else:
            return
        if scope is not None:
            for t in targets:
                if isinstance(t, ast.Name):
                    scope.values[t.id] = value
        if not isinstance(value, ast.Call):
            return
        callee = self.symbol(module, value.func, scope)
        is_app = callee in FLASK_CLASSES or self._is_subclass(callee, FLASK_CLASSES)
        is_bp = callee in BLUEPRINT_CLASSES or self._is_subclass(callee, BLUEPRINT_CLASSES)
        if not (is_app or is_bp):
            if callee is not None and callee in self.defs.functions:
                for t in targets:
                    sym = self.symbol(module, t, scope) if isinstance(t, ast.Name) else None
                    if sym is not None:
                        self._factory_calls.append((sym, callee, node, module))
            return
        first: FlaskObject | None = None
        for t in targets:
            sym = self.symbol(module, t, scope) if isinstance(t, ast.Name) else None
            if sym is None:
                continue
            if first is not None:  # application = app = Flask(...): one object, two names
                self.facts.objects[sym] = first
                continue
            obj = FlaskObject(sym, "app" if is_app else "blueprint", module, node)
            first = obj
            if scope is not None:
                obj.factory = scope.qualname
            if is_app:
                obj.static_rule = self._app_static(module, value)
            else:
                name_node = value.args[0] if value.args else _kw(value, "name")
                obj.name = self._const(module, name_node) or (t.id if isinstance(t, ast.Name) else "")
                obj.url_prefix = self._const(module, _kw(value, "url_prefix"))
                obj.static_rule = self._bp_static(module, value)
                obj.url_defaults = _dict_items(_kw(value, "url_defaults"))
            self.facts.objects[sym] = obj

    def _app_static(self, module: ParsedModule, call: ast.Call) -> str | None:
        url_path = _kw(call, "static_url_path")
        folder = _kw(call, "static_folder")
        if url_path is None and len(call.args) > 1:
            url_path = call.args[1]
        if folder is None and len(call.args) > 2:
            folder = call.args[2]
        if isinstance(folder, ast.Constant) and folder.value is None:
            return None
        if url_path is not None and not (isinstance(url_path, ast.Constant) and url_path.value is None):
            value = self._const(module, url_path)
            return (value or "").rstrip("/") if value is not None else "/static"
        if folder is not None:
            value = self._const(module, folder)
            if value is not None:
                return "/" + posixpath.basename(value.rstrip("/"))
        return "/static"

    def _bp_static(self, module: ParsedModule, call: ast.Call) -> str | None:
        folder = _kw(call, "static_folder")
        if folder is None or (isinstance(folder, ast.Constant) and folder.value is None):
            return None
        url_path = _kw(call, "static_url_path")
        if url_path is not None:
            value = self._const(module, url_path)
            return (value or "").rstrip("/")
        value = self._const(module, folder)
        return "/" + posixpath.basename((value or "static").rstrip("/"))

    # -- pass 2 ----------------------------------------------------------------------------
    def _registrations(self, module: ParsedModule, node: ast.stmt, scope: _Scope | None, loop: int) -> None:
        if scope is not None and isinstance(node, ast.Assign):
            for t in node.targets:
                if isinstance(t, ast.Name):
                    scope.values[t.id] = node.value
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            self._decorated(module, node, scope, loop)
        if self._may_register(module, node):
            for call in _calls_outside_defs(node):
                self._call(module, call, scope, loop)
        if isinstance(node, ast.Assign):
            # app.jinja_env.filters["name"] = f
            for t in node.targets:
                if isinstance(t, ast.Subscript) and isinstance(t.value, ast.Attribute):
                    kind = {"filters": "template_filter", "globals": "template_global", "tests": "template_test"}.get(t.value.attr)
                    owner = t.value.value
                    if kind and isinstance(owner, ast.Attribute) and owner.attr == "jinja_env":
                        target = self.symbol(module, owner.value, scope)
                        handler = self.symbol(module, node.value, scope) or dotted(node.value) or "<expression>"
                        if target in self.facts.objects:
                            self.facts.hooks.append(
                                (target, Hook(kind, handler, module.location(node), self._const(module, t.slice)))
                            )

    def _may_register(self, module: ParsedModule, node: ast.stmt) -> bool:
        """Whether a statement's lines hold a call that can register something: a registration
        method, or an argument naming an app or blueprint (``init_app(app)``). Skips the walk of
        the vast majority of statements."""
        if self._aliases:
            return True  # inside an unrolled loop or a function given the app: look everywhere
        lines = self._interesting_lines.get(module.name)
        if lines is None:
            names = {sym.rsplit(".", 1)[-1] for sym in self.facts.objects}
            found = set()
            for call in module.nodes.calls:
                func = call.func
                if isinstance(func, ast.Attribute) and func.attr in REGISTRATION_CALLS:
                    found.add(call.lineno)
                    continue
                for arg in (*call.args, *(k.value for k in call.keywords)):
                    last = arg.id if isinstance(arg, ast.Name) else (arg.attr if isinstance(arg, ast.Attribute) else None)
                    if last in names:
                        found.add(call.lineno)
                        break
            lines = sorted(found)
            self._interesting_lines[module.name] = lines
        if not lines:
            return False
        start = node.lineno
        end = node.end_lineno or start
        i = bisect.bisect_left(lines, start)
        return i < len(lines) and lines[i] <= end

    def _decorated(self, module: ParsedModule, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef, scope: _Scope | None, loop: int) -> None:
        qual = self._qualname(module, node, scope)
        others = tuple(
            d for d in (dotted(x.func if isinstance(x, ast.Call) else x) for x in node.decorator_list) if d
        )
        for dec in node.decorator_list:
            func = dec.func if isinstance(dec, ast.Call) else dec
            if not isinstance(func, ast.Attribute):
                if isinstance(dec, ast.Call) and self.symbol(module, func, scope) in ("click.command", "click.group"):
                    self.facts.cli_functions.add(qual)
                continue
            method = func.attr
            owner = func.value
            # app.cli.command(...) / bp.cli.command(...)
            if method in ("command", "group") and isinstance(owner, ast.Attribute) and owner.attr == "cli":
                target = self.symbol(module, owner.value, scope)
                if target in self.facts.objects:
                    arg = self._const(module, dec.args[0]) if isinstance(dec, ast.Call) and dec.args else None
                    self.facts.hooks.append((target, Hook("cli_command", qual, module.location(node, span=True), arg or node.name.replace("_", "-"))))
                    self.facts.cli_functions.add(qual)
                continue
            target = self.symbol(module, owner, scope)
            obj = self.facts.objects.get(target or "")
            if obj is None:
                is_param = isinstance(owner, ast.Name) and scope is not None and owner.id in scope.locals
                if method in ("route", *SHORTCUTS) and isinstance(dec, ast.Call) and dec.args and not is_param:
                    self.facts.unhandled.append(
                        Unhandled(
                            module.location(dec),
                            f"route decorator on '{dotted(owner)}', which is not a Flask app or blueprint analyze could find; not analysed",
                            module.segment(dec, 1),
                        )
                    )
                continue
            if loop:
                self.facts.unhandled.append(
                    Unhandled(module.location(dec), "registration inside a loop (dynamic); not analysed", module.segment(dec, 1))
                )
                continue
            if method == "route" or (method in SHORTCUTS and isinstance(dec, ast.Call)):
                if not isinstance(dec, ast.Call):
                    continue
                self._route_decorator(module, node, dec, method, obj, qual, others, scope)
            elif method == "endpoint" and isinstance(dec, ast.Call):
                endpoint = self._const(module, dec.args[0]) if dec.args else None
                for reg in self.facts.routes:
                    if reg.target == obj.symbol and reg.endpoint == endpoint and reg.handler == "":
                        reg.handler, reg.handler_node, reg.handler_module = qual, node, module
                self.facts.views.add(qual)
            elif method in HOOKS:
                arg = None
                if isinstance(dec, ast.Call) and dec.args:
                    arg = self._const(module, dec.args[0]) or dotted(dec.args[0]) or ast.unparse(dec.args[0])
                elif isinstance(dec, ast.Call) and _kw(dec, "name") is not None:
                    arg = self._const(module, _kw(dec, "name"))
                self.facts.hooks.append(
                    (obj.symbol, Hook(HOOKS[method], qual, module.location(node, span=True), arg,
                                      obj.name if obj.kind == "blueprint" else None))
                )

    def _route_decorator(
        self,
        module: ParsedModule,
        node: ast.AST,
        dec: ast.Call,
        method: str,
        obj: FlaskObject,
        qual: str,
        decorators: tuple[str, ...],
        scope: _Scope | None,
        registration: Location | None = None,
        handler_module: ParsedModule | None = None,
    ) -> None:
        rule = self._const(module, dec.args[0] if dec.args else _kw(dec, "rule"), scope)
        if rule is None:
            self.facts.unhandled.append(
                Unhandled(module.location(dec), "route rule is computed at run time; not analysed", module.segment(dec, 1))
            )
            return
        methods = self._methods(module, _kw(dec, "methods"), dec, scope)
        if method in SHORTCUTS:
            methods = (SHORTCUTS[method],)
        name = node.name if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) else ""
        endpoint_node = _kw(dec, "endpoint")
        endpoint = self._const(module, endpoint_node, scope) if endpoint_node is not None else name
        if endpoint is None:
            self.facts.unhandled.append(
                Unhandled(module.location(dec), "route endpoint computed at run time; not analysed", module.segment(dec, 1))
            )
            return
        self.facts.views.add(qual)
        self.facts.routes.append(
            RouteReg(
                target=obj.symbol,
                rule=rule,
                methods=methods,
                endpoint=endpoint,
                handler=qual,
                handler_node=node,
                handler_module=handler_module or module,
                registration=registration or module.location(dec),
                kind="decorator" if obj.kind == "app" else "blueprint",
                automatic_options=_bool(_kw(dec, "provide_automatic_options")),
                decorators=tuple(d for d in decorators if not d.endswith((".route", *(f".{s}" for s in SHORTCUTS)))),
                defaults=_dict_items(_kw(dec, "defaults")),
                strict_slashes=_bool(_kw(dec, "strict_slashes")),
            )
        )

    def _call(self, module: ParsedModule, call: ast.Call, scope: _Scope | None, loop: int) -> None:
        func = call.func
        self._app_passed(module, call, scope)
        if isinstance(func, ast.Call) and isinstance(func.func, ast.Attribute) and call.args:
            self._decorator_call(module, call, func, scope, loop)
            return
        if not isinstance(func, ast.Attribute):
            return
        method = func.attr
        if method == "add_command" and isinstance(func.value, ast.Attribute) and func.value.attr == "cli":
            target = self.symbol(module, func.value.value, scope)
            if target in self.facts.objects and call.args:
                handler = self.symbol(module, call.args[0], scope) or dotted(call.args[0]) or "<expression>"
                name = self._const(module, call.args[1]) if len(call.args) > 1 else self._click_name(handler)
                self.facts.hooks.append((target, Hook("cli_command", handler, module.location(call), name)))
                self.facts.cli_functions.add(handler)
            return
        if method in ("add_resource", "add_namespace") and call.args:
            self.facts.unhandled.append(
                Unhandled(module.location(call), f"{dotted(func.value) or 'api'}.{method}(): Flask-RESTful/RESTX resources are not analysed; their routes are missing", module.segment(call, 1))
            )
            return
        if method not in ("add_url_rule", "register_blueprint", *HOOKS, *HOOK_CALLS):
            return
        target = self.symbol(module, func.value, scope)
        obj = self.facts.objects.get(target or "")
        if obj is None:
            return
        if loop:
            self.facts.unhandled.append(
                Unhandled(module.location(call), f"{method} inside a loop (dynamic registration); not analysed", module.segment(call, 2))
            )
            return
        if method == "add_url_rule":
            self._add_url_rule(module, call, obj, scope)
        elif method == "register_blueprint":
            child_node = call.args[0] if call.args else _kw(call, "blueprint")
            child = self.symbol(module, child_node, scope) if child_node is not None else None
            if child is None and isinstance(child_node, ast.Call):
                # register_blueprint(make_bp()): the blueprint the factory function makes
                maker = self.symbol(module, child_node.func, scope)
                made = [o for o in self.facts.objects.values() if o.kind == "blueprint" and o.factory == maker]
                child = made[0].symbol if len(made) == 1 else None
            if child is None or child not in self.facts.objects:
                self.facts.unhandled.append(
                    Unhandled(module.location(call), "blueprint registered here could not be found; its routes are not analysed", module.segment(call, 1))
                )
                return
            self.facts.blueprints.append(
                BlueprintReg(
                    parent=obj.symbol,
                    child=child,
                    url_prefix=self._const(module, _kw(call, "url_prefix"), scope),
                    name=self._const(module, _kw(call, "name")),
                    location=module.location(call),
                )
            )
        elif call.args:
            kind = HOOKS.get(method) or HOOK_CALLS[method]
            if method in HOOK_CALLS and method != "register_error_handler":
                handler_node: ast.expr = call.args[0]
                arg = self._const(module, call.args[1]) if len(call.args) > 1 else self._const(module, _kw(call, "name"))
            elif method in ("register_error_handler", "errorhandler", "app_errorhandler"):
                if len(call.args) < 2:
                    return
                handler_node = call.args[1]
                arg = self._const(module, call.args[0]) or dotted(call.args[0]) or ast.unparse(call.args[0])
            else:
                handler_node, arg = call.args[0], None
            handler = self.symbol(module, handler_node, scope) or dotted(handler_node) or "<expression>"
            self.facts.hooks.append(
                (obj.symbol, Hook(kind, handler, module.location(call), arg, obj.name if obj.kind == "blueprint" else None))
            )

    def _decorator_call(self, module: ParsedModule, call: ast.Call, dec: ast.Call, scope: _Scope | None, loop: int) -> None:
        """``app.route("/m")(view)``: a decorator applied by hand."""
        assert isinstance(dec.func, ast.Attribute)
        method = dec.func.attr
        target = self.symbol(module, dec.func.value, scope)
        obj = self.facts.objects.get(target or "")
        if obj is None or not (method == "route" or method in SHORTCUTS or method in HOOKS):
            return
        view = call.args[0]
        handler = self.symbol(module, view, scope)
        fdef = self.defs.functions.get(handler or "")
        if fdef is None:
            self.facts.unhandled.append(
                Unhandled(module.location(call), f"{method}() applied to something that is not a project function; not analysed", module.segment(call, 1))
            )
            return
        if loop:
            self.facts.unhandled.append(
                Unhandled(module.location(call), "registration inside a loop (dynamic); not analysed", module.segment(call, 1))
            )
            return
        if method in HOOKS:
            arg = self._const(module, dec.args[0]) or dotted(dec.args[0]) if dec.args else None
            self.facts.hooks.append(
                (obj.symbol, Hook(HOOKS[method], fdef.qualname, module.location(call), arg, obj.name if obj.kind == "blueprint" else None))
            )
            return
        self._route_decorator(module, fdef.node, dec, method, obj, fdef.qualname, (), scope, registration=module.location(call), handler_module=fdef.module)

    def _app_passed(self, module: ParsedModule, call: ast.Call, scope: _Scope | None) -> None:
        """``init_app(app)`` / ``register_blueprints(app)``: walk the callee with its parameter
        standing for the app (or blueprint) it was given."""
        values = [*call.args, *(k.value for k in call.keywords)]
        if not any(
            isinstance(v, (ast.Name, ast.Attribute)) and self.symbol(module, v, scope) in self.facts.objects
            for v in values
        ):
            return
        callee = self.symbol(module, call.func, scope)
        fdef = self.defs.functions.get(callee or "")
        if fdef is None or fdef.kind == "method":
            return
        params = [a.arg for a in [*fdef.node.args.posonlyargs, *fdef.node.args.args]]
        bound: dict[str, ast.expr] = {}
        for name, arg in zip(params, call.args, strict=False):
            bound[name] = arg
        for kw in call.keywords:
            if kw.arg in params:
                bound[kw.arg] = kw.value
        passed = {n: a for n, a in bound.items() if self.symbol(module, a, scope) in self.facts.objects}
        if not passed:
            return
        # the other arguments: constants (register_api(app, "users")) become known inside
        resolved = {name: (self.symbol(module, arg, scope), self._const(module, arg, scope)) for name, arg in bound.items()}
        key = (fdef.qualname, tuple(sorted((n, v[0] or "", v[1] or "") for n, v in resolved.items())))
        if key in self._walked_with:
            return
        self._walked_with.add(key)
        saved = dict(self._aliases)
        self._aliases.update(resolved)
        inner = _Scope(fdef.qualname, fdef.local_names, fdef.local_imports)
        self._walk(fdef.module, fdef.node.body, inner, self._registrations, 0)
        self._aliases = saved

    def _click_name(self, handler: str) -> str | None:
        """The command name click gives a ``@click.command(...)`` function."""
        fdef = self.defs.functions.get(handler)
        if fdef is None:
            return None
        for dec in fdef.node.decorator_list:
            if isinstance(dec, ast.Call) and (dotted(dec.func) or "").endswith(("command", "group")):
                if dec.args:
                    return self._const(fdef.module, dec.args[0])
                name_kw = _kw(dec, "name")
                if name_kw is not None:
                    return self._const(fdef.module, name_kw)
        name = fdef.name
        for suffix in ("_command", "_cmd", "_group", "_grp"):
            if name.endswith(suffix):
                name = name[: -len(suffix)]
                break
        return name.lower().replace("_", "-")

    def _add_url_rule(self, module: ParsedModule, call: ast.Call, obj: FlaskObject, scope: _Scope | None) -> None:
        args = list(call.args)
        rule_node = args[0] if args else _kw(call, "rule")
        endpoint_node = args[1] if len(args) > 1 else _kw(call, "endpoint")
        view_node = args[2] if len(args) > 2 else _kw(call, "view_func")
        rule = self._const(module, rule_node, scope)
        if rule is None:
            self.facts.unhandled.append(
                Unhandled(module.location(call), "add_url_rule with a rule computed at run time; not analysed", module.segment(call, 2))
            )
            return
        endpoint = self._const(module, endpoint_node, scope) if endpoint_node is not None else None
        if endpoint_node is not None and endpoint is None and not (isinstance(endpoint_node, ast.Constant) and endpoint_node.value is None):
            self.facts.unhandled.append(
                Unhandled(module.location(call), "add_url_rule with an endpoint computed at run time; not analysed", module.segment(call, 2))
            )
            return
        methods = self._methods(module, _kw(call, "methods"), call, scope)
        handler, handler_module = "", module
        handler_node: ast.AST = call
        kind = "add_url_rule"
        view_methods: tuple[str, ...] | None = None
        automatic: bool | None = _bool(_kw(call, "provide_automatic_options"))
        view_name = None
        if isinstance(view_node, ast.Name) and scope is not None and view_node.id in scope.values and view_node.id in scope.locals:
            view_node = scope.values[view_node.id]
        elif isinstance(view_node, ast.Name) and scope is None:
            gdef = self.defs.globals.get(f"{module.name}.{view_node.id}")
            if gdef is not None and gdef.value is not None:
                view_node = gdef.value
        if isinstance(view_node, ast.Call) and isinstance(view_node.func, ast.Attribute) and view_node.func.attr == "as_view":
            cls = self.symbol(module, view_node.func.value, scope)
            view_name = self._const(module, view_node.args[0] if view_node.args else _kw(view_node, "name"))
            if cls is not None and cls in self.defs.classes:
                info = self.defs.classes[cls]
                handler, handler_node, handler_module = cls, info.node, info.module
                view_methods = self.view_methods(cls)
                kind = "method_view" if self._is_subclass(cls, METHOD_VIEW) else "view"
                if automatic is None:
                    automatic = self._class_bool(cls, "provide_automatic_options")
            else:
                self.facts.unhandled.append(
                    Unhandled(module.location(call), "view class of as_view() not found in the project; methods assumed GET", module.segment(call, 2))
                )
            if endpoint is None:
                endpoint = view_name
        elif isinstance(view_node, (ast.Call, ast.Lambda)) and endpoint is None:
            what = "a lambda" if isinstance(view_node, ast.Lambda) else "a view made at run time"
            self.facts.unhandled.append(
                Unhandled(module.location(call), f"add_url_rule with {what} and no endpoint (Flask uses the function's run-time __name__); not analysed", module.segment(call, 2))
            )
            return
        elif view_node is not None:
            handler = self.symbol(module, view_node, scope) or ("" if isinstance(view_node, (ast.Call, ast.Lambda)) else dotted(view_node) or "")
            fdef = self.defs.functions.get(handler)
            if fdef is not None:
                handler_node, handler_module = fdef.node, fdef.module
            if endpoint is None:
                endpoint = handler.rpartition(".")[2] if handler else None
            view_methods = self._function_attr_methods(handler)
        if endpoint is None:
            self.facts.unhandled.append(
                Unhandled(module.location(call), "add_url_rule whose endpoint analyze cannot tell; not analysed", module.segment(call, 2))
            )
            return
        if handler:
            self.facts.views.add(handler)
        self.facts.routes.append(
            RouteReg(
                target=obj.symbol,
                rule=rule,
                methods=methods,
                endpoint=endpoint,
                handler=handler,
                handler_node=handler_node,
                handler_module=handler_module,
                registration=module.location(call),
                kind=kind if obj.kind == "app" or kind != "add_url_rule" else "blueprint",
                view_methods=view_methods,
                automatic_options=automatic,
                defaults=_dict_items(_kw(call, "defaults")),
                strict_slashes=_bool(_kw(call, "strict_slashes")),
                view_name=view_name,
            )
        )

    def _function_attr_methods(self, handler: str) -> tuple[str, ...] | None:
        """``view.methods = [...]`` set on a view function at module level."""
        fdef = self.defs.functions.get(handler)
        if fdef is None:
            return None
        for node in fdef.module.tree.body:
            if isinstance(node, ast.Assign) and len(node.targets) == 1:
                t = node.targets[0]
                if isinstance(t, ast.Attribute) and t.attr == "methods" and isinstance(t.value, ast.Name) and t.value.id == fdef.name:
                    return _str_seq(node.value)
        return None

    # -- views -----------------------------------------------------------------------------
    def view_methods(self, cls: str) -> tuple[str, ...] | None:
        if cls in self._method_cache:
            return self._method_cache[cls]
        self._method_cache[cls] = None
        info = self.defs.classes.get(cls)
        result: tuple[str, ...] | None = None
        if info is not None:
            if "methods" in info.attrs:
                result = _str_seq(info.attrs["methods"])
            elif self._is_subclass(cls, METHOD_VIEW):
                methods: set[str] = set()
                for base in info.bases:
                    bm = self.view_methods(base) if base in self.defs.classes else None
                    if bm:
                        methods.update(bm)
                for key in HTTP_METHOD_FUNCS:
                    if self.defs.method(cls, key):
                        methods.add(key.upper())
                result = tuple(sorted(methods)) or None
            else:
                for base in info.bases:
                    if base in self.defs.classes:
                        bm = self.view_methods(base)
                        if bm:
                            result = bm
                            break
        self._method_cache[cls] = result
        return result

    def _class_bool(self, cls: str, attr: str) -> bool | None:
        for c in self.defs.mro(cls):
            info = self.defs.classes.get(c)
            if info is not None and attr in info.attrs:
                return _bool(info.attrs[attr])
        return None

    # -- constants -------------------------------------------------------------------------
    def _const(self, module: ParsedModule, node: ast.AST | None, scope: _Scope | None = None, depth: int = 0) -> str | None:
        if node is None or depth > 8:
            return None
        if isinstance(node, ast.Constant):
            return node.value if isinstance(node.value, str) else None
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            left = self._const(module, node.left, scope, depth + 1)
            right = self._const(module, node.right, scope, depth + 1)
            return left + right if left is not None and right is not None else None
        if isinstance(node, ast.JoinedStr):
            parts = []
            for v in node.values:
                if isinstance(v, ast.Constant):
                    parts.append(str(v.value))
                elif isinstance(v, ast.FormattedValue) and v.format_spec is None and v.conversion == -1:
                    inner = self._const(module, v.value, scope, depth + 1)
                    if inner is None:
                        return None
                    parts.append(inner)
                else:
                    return None
            return "".join(parts)
        if isinstance(node, ast.Attribute):
            q = self.resolver.expr(module.name, node)
            gdef = self.defs.globals.get(q or "")
            if gdef is not None and gdef.value is not None:
                return self._const(gdef.module, gdef.value, None, depth + 1)
            owner = self.resolver.expr(module.name, node.value)
            cls = self.defs.classes.get(owner or "")
            if cls is not None and node.attr in cls.attrs:
                return self._const(cls.module, cls.attrs[node.attr], None, depth + 1)
            return None
        if isinstance(node, ast.Name):
            if node.id in self._aliases:
                return self._aliases[node.id][1]
            if scope is not None and node.id in scope.locals:
                value = scope.values.get(node.id)
                return self._const(module, value, scope, depth + 1) if value is not None else None
            q = self.resolver.name(module.name, node.id)
            gdef = self.defs.globals.get(q or "")
            if gdef is not None and gdef.value is not None:
                return self._const(gdef.module, gdef.value, None, depth + 1)
        return None

    def _methods(self, module: ParsedModule, node: ast.AST | None, call: ast.Call, scope: _Scope | None) -> tuple[str, ...] | None:
        if node is None:
            return None
        seq = _str_seq(node)
        if seq is None and isinstance(node, ast.Name):
            q = self.resolver.name(module.name, node.id)
            gdef = self.defs.globals.get(q or "")
            if gdef is not None and gdef.value is not None:
                seq = _str_seq(gdef.value)
        if seq is None:
            self.facts.unhandled.append(
                Unhandled(module.location(call), "route methods computed at run time; assumed GET", module.segment(call, 1))
            )
        return seq


def _kw(call: ast.Call, name: str) -> ast.expr | None:
    for k in call.keywords:
        if k.arg == name:
            return k.value
    return None


def _bool(node: ast.AST | None) -> bool | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, bool):
        return node.value
    return None


def _str_seq(node: ast.AST) -> tuple[str, ...] | None:
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        out = []
        for e in node.elts:
            if not (isinstance(e, ast.Constant) and isinstance(e.value, str)):
                return None
            out.append(e.value)
        return tuple(out)
    return None


def _dict_items(node: ast.AST | None) -> tuple[tuple[str, str], ...]:
    if not isinstance(node, ast.Dict):
        return ()
    out = []
    for k, v in zip(node.keys, node.values, strict=True):
        if isinstance(k, ast.Constant):
            out.append((str(k.value), ast.unparse(v)))
    return tuple(out)


def _calls_outside_defs(node: ast.stmt) -> list[ast.Call]:
    """Calls in a statement, not descending into nested function or class bodies."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return []
    out = []
    stack: list[ast.AST] = [node]
    while stack:
        sub = stack.pop()
        if isinstance(sub, ast.Call):
            out.append(sub)
        for child in children(sub):
            if isinstance(child, ast.stmt) and child is not node:
                continue  # child statements are walked by the caller with their loop depth
            stack.append(child)
    return out


# -- expansion -------------------------------------------------------------------------------

def expand_routes(facts: FlaskFacts, app: str, resolver: Resolver) -> tuple[list[Route], list[Route]]:
    """Routes and Flask's static routes on ``app``, as they end up in its url_map."""
    routes: list[Route] = []
    static: list[Route] = []
    by_target: dict[str, list[RouteReg]] = {}
    for reg in facts.routes:
        by_target.setdefault(reg.target, []).append(reg)
    app_obj = facts.objects[app]
    if app_obj.static_rule is not None:
        static.append(_static_route(f"{app_obj.static_rule}/<path:filename>", "static", app_obj, app))
    for reg in by_target.get(app, []):
        routes.append(_route(reg, reg.rule, reg.endpoint or "", None, None, app))

    def register(bp_symbol: str, options: dict[str, str | None], seen: tuple[str, ...]) -> None:
        if bp_symbol in seen:
            return
        bp = facts.objects[bp_symbol]
        name_prefix = options.get("name_prefix") or ""
        self_name = options.get("name") or bp.name
        name = f"{name_prefix}.{self_name}".lstrip(".")
        url_prefix = options.get("url_prefix")
        if url_prefix is None:
            url_prefix = bp.url_prefix
        if bp.static_rule is not None:
            rule = _join(url_prefix, f"{bp.static_rule}/<path:filename>")
            static.append(_static_route(rule, f"{name}.static", bp, app))
        for reg in by_target.get(bp_symbol, []):
            routes.append(_route(reg, _join(url_prefix, reg.rule), f"{name}.{reg.endpoint}", name, url_prefix, app))
        for child in facts.blueprints:
            if child.parent != bp_symbol or child.child not in facts.objects:
                continue
            child_prefix = child.url_prefix
            if child_prefix is None:
                child_prefix = facts.objects[child.child].url_prefix
            if url_prefix is not None and child_prefix is not None:
                combined: str | None = url_prefix.rstrip("/") + "/" + child_prefix.lstrip("/")
            elif child_prefix is not None:
                combined = child_prefix
            else:
                combined = url_prefix
            register(child.child, {"url_prefix": combined, "name": child.name, "name_prefix": name}, (*seen, bp_symbol))

    for bp_reg in facts.blueprints:
        if bp_reg.parent == app and bp_reg.child in facts.objects:
            register(bp_reg.child, {"url_prefix": bp_reg.url_prefix, "name": bp_reg.name}, ())
    return routes, static


def _join(prefix: str | None, rule: str) -> str:
    if prefix is None:
        return rule
    if rule:
        return "/".join((prefix.rstrip("/"), rule.lstrip("/")))
    return prefix


def final_methods(reg: RouteReg) -> tuple[str, ...]:
    methods = reg.methods if reg.methods is not None else (reg.view_methods or ("GET",))
    result = {m.upper() for m in methods}
    # Flask adds OPTIONS to the rule only when provide_automatic_options is left unset; an
    # explicit True answers OPTIONS without listing it (sansio/app.py add_url_rule).
    if reg.automatic_options is None and "OPTIONS" not in result:
        result.add("OPTIONS")
    if "GET" in result:
        result.add("HEAD")
    return tuple(sorted(result))


def _route(reg: RouteReg, rule: str, endpoint: str, blueprint: str | None, prefix: str | None, app: str) -> Route:
    node = reg.handler_node
    location = reg.handler_module.location(node, span=True) if reg.handler else reg.registration
    decorators = reg.decorators
    return Route(
        rule=rule,
        methods=final_methods(reg),
        endpoint=endpoint,
        handler=reg.handler,
        location=location,
        registration=reg.registration,
        kind=reg.kind,
        blueprint=blueprint,
        url_prefix=prefix,
        decorators=decorators,
        auth=tuple(d for d in decorators if any(w in d.rsplit(".", 1)[-1].lower() for w in AUTH_WORDS)),
        converters=_converters(rule),
        defaults=reg.defaults,
        strict_slashes=reg.strict_slashes,
        app=app,
    )


def _static_route(rule: str, endpoint: str, obj: FlaskObject, app: str) -> Route:
    loc = obj.module.location(obj.node)
    return Route(
        rule=rule,
        methods=("GET", "HEAD", "OPTIONS"),
        endpoint=endpoint,
        handler="flask.static",
        location=loc,
        registration=loc,
        kind="static",
        blueprint=obj.name if obj.kind == "blueprint" else None,
        converters=(("filename", "path"),),
        app=app,
    )


def _converters(rule: str) -> tuple[tuple[str, str], ...]:
    import re

    out = []
    for m in re.finditer(r"<(?:([a-zA-Z_][a-zA-Z0-9_]*)(?:\([^)]*\))?:)?([a-zA-Z_][a-zA-Z0-9_]*)>", rule):
        out.append((m.group(2), m.group(1) or "default"))
    return tuple(out)
