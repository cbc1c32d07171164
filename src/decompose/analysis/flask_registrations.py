"""Pass 2 of the Flask scanner: route decorators, ``add_url_rule``, ``register_blueprint``,
hooks, CLI commands and apps passed to helper functions.
"""

from __future__ import annotations

import ast
import bisect

from decompose.analysis.flask_facts import (
    HOOK_CALLS,
    HOOKS,
    METHOD_VIEW,
    REGISTRATION_CALLS,
    SHORTCUTS,
    BlueprintReg,
    FlaskObject,
    RouteReg,
    _bool,
    _calls_outside_defs,
    _dict_items,
    _kw,
    _Scope,
    _str_seq,
)
from decompose.analysis.flask_scope import ScannerBase
from decompose.analysis.names import dotted
from decompose.analysis.project import ParsedModule
from decompose.model import Hook, Location, Unhandled


class RegistrationPass(ScannerBase):
    """Records every registration on an app or blueprint found by pass 1."""

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
