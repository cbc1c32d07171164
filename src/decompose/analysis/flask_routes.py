"""Route expansion: registrations become the rules Flask puts in its url_map (blueprint
prefixes and names, nested blueprints, ``GET`` implies ``HEAD``, automatic ``OPTIONS``).
"""

from __future__ import annotations

from decompose.analysis.flask_facts import (
    AUTH_WORDS,
    FlaskFacts,
    FlaskObject,
    RouteReg,
)
from decompose.analysis.names import Resolver
from decompose.model import Route


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
