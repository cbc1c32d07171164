"""Flask registrations: apps, blueprints, routes, views and hooks, exactly as Flask builds them.

Two passes over every project module, each walking module bodies and function bodies (routes
registered inside ``create_app``) with the names local to each function:

1. objects: ``X = Flask(...)`` / ``Blueprint(...)`` (under any alias or subclass);
2. registrations: route decorators, ``add_url_rule``, ``register_blueprint``, hooks.

Routes are then expanded the way Flask does it (blueprint prefixes and names, nested
blueprints, ``GET`` implies ``HEAD``, automatic ``OPTIONS``, ``MethodView`` methods).

The pieces: :mod:`~decompose.analysis.flask_facts` (names and records),
:mod:`~decompose.analysis.flask_scope` (walking, symbols, constants, views),
:mod:`~decompose.analysis.flask_registrations` (pass 2), :mod:`~decompose.analysis.flask_routes`
(expansion); this module holds pass 1 and :class:`FlaskScanner`.
"""

from __future__ import annotations

import ast
import posixpath

from decompose.analysis.flask_facts import (
    AUTH_WORDS,
    BLUEPRINT_CLASSES,
    FLASK_CLASSES,
    HOOK_CALLS,
    HOOKS,
    HTTP_METHOD_FUNCS,
    METHOD_VIEW,
    REGISTRATION_CALLS,
    SHORTCUTS,
    VIEW,
    BlueprintReg,
    FlaskFacts,
    FlaskObject,
    RouteReg,
    _dict_items,
    _kw,
    _Scope,
)
from decompose.analysis.flask_registrations import RegistrationPass
from decompose.analysis.flask_routes import expand_routes, final_methods
from decompose.analysis.flask_scope import ScannerBase
from decompose.analysis.project import ParsedModule

__all__ = [
    "AUTH_WORDS",
    "BLUEPRINT_CLASSES",
    "FLASK_CLASSES",
    "HOOK_CALLS",
    "HOOKS",
    "HTTP_METHOD_FUNCS",
    "METHOD_VIEW",
    "REGISTRATION_CALLS",
    "SHORTCUTS",
    "VIEW",
    "BlueprintReg",
    "FlaskFacts",
    "FlaskObject",
    "FlaskScanner",
    "RegistrationPass",
    "RouteReg",
    "ScannerBase",
    "expand_routes",
    "final_methods",
]


class FlaskScanner(RegistrationPass):
    """Both passes over the project; :meth:`scan` returns the facts."""

    # -- pass 1 ----------------------------------------------------------------------------
    def scan(self) -> FlaskFacts:
        modules = list(self.resolver.index.modules.values())
        for module in modules:
            self._walk(module, module.tree.body, None, self._objects)
        self._resolve_factory_calls()
        for module in modules:
            self._walk(module, module.tree.body, None, self._registrations)
        return self.facts


    def _resolve_factory_calls(self) -> None:
        """``app = create_app()``: the global stands for the app made inside the factory."""
        for symbol, factory, _node, _module in self._factory_calls:
            made = [o for o in self.facts.objects.values() if o.kind == "app" and o.factory == factory]
            if made and symbol not in self.facts.objects:
                self.facts.objects[symbol] = made[0]


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
