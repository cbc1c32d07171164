"""What the Flask scanner records: the Flask names it recognises (app and blueprint classes,
hooks, registration calls) and the facts it collects (objects, route and blueprint
registrations), plus the small AST readers the scanner passes share.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from decompose.analysis.astutil import children
from decompose.analysis.project import ParsedModule
from decompose.model import Hook, Location, Unhandled

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
