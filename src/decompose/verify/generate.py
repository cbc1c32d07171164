"""``--generate``: a starter corpus from analyze's inventory.

The corpus has, in this order:

1. ``login``: one login request (from config, or the POST route whose rule mentions ``login``),
   capturing the token that every later step sends in ``Authorization``;
2. ``reads``: every GET route, path parameters filled from ``path_values`` (by argument name,
   then by converter; ``int`` defaults to 1), which should name rows the seed creates;
3. one scenario per write route (POST, PUT, PATCH): the write, its JSON body built from the
   keys the handler (or a project helper it calls) reads (``values`` by key name, else a value
   guessed from the name; ``bodies`` overrides a whole body), then up to ``reads_after_write``
   GET routes that read a model the write writes, nearest URL first, so a stale cache or a lost
   write shows up;
4. with ``admin_login``: the same for the admin routes, under the admin's token;
5. ``deletes``: DELETE routes with their observing reads, then logout, last, so earlier steps
   still find their data and their session.

The user edits the result; nothing here is clever about business rules.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from decompose.model.inventory import FunctionInfo, Inventory, Route
from decompose.verify.config import GenerateConfig
from decompose.verify.scenario import Corpus, Scenario, Step

_PLACEHOLDER = re.compile(r"<(?:([A-Za-z_][A-Za-z0-9_]*)(?:\([^)]*\))?:)?([A-Za-z_][A-Za-z0-9_]*)>")
WRITE_METHODS = ("POST", "PUT", "PATCH")
CONVERTER_DEFAULTS: dict[str, Any] = {
    "int": 1,
    "float": 1.0,
    "uuid": "00000000-0000-0000-0000-000000000001",
    "path": "test",
    "string": "test",
    "default": "test",
}


def fill_path(rule: str, path_values: dict[str, Any]) -> str:
    """The rule with each ``<conv:name>`` replaced by a value for ``name`` or ``conv``."""

    def one(match: re.Match[str]) -> str:
        converter = match.group(1) or "default"
        name = match.group(2)
        if name in path_values:
            return str(path_values[name])
        if converter in path_values:
            return str(path_values[converter])
        return str(CONVERTER_DEFAULTS.get(converter, "test"))

    return _PLACEHOLDER.sub(one, rule)


def guess_value(key: str, values: dict[str, Any]) -> Any:
    """A body value for ``key``: configured, else a plausible value from its name."""
    if key in values:
        return values[key]
    lowered = key.lower()
    if lowered == "id" or lowered.endswith("_id"):
        return 1
    if "email" in lowered:
        return "verify@example.com"
    if "password" in lowered:
        return "verify-Password-1"
    if lowered.startswith(("is_", "has_")) or lowered.endswith(("enabled", "_flag")):
        return True
    if any(word in lowered for word in ("count", "limit", "page", "size", "level", "goal", "score", "amount", "quality", "seconds", "minutes")):
        return 1
    if lowered.endswith("s") and lowered not in ("status", "address", "class", "alias"):
        return []
    return f"verify {key}"


def _shared_prefix(left: str, right: str) -> int:
    """How many leading path segments two rules share."""
    count = 0
    for a, b in zip(left.strip("/").split("/"), right.strip("/").split("/"), strict=False):
        if a != b:
            break
        count += 1
    return count


def _is_admin(route: Route, config: GenerateConfig) -> bool:
    return any(fnmatch.fnmatchcase(route.rule, pattern) for pattern in config.admin_routes)


def _skipped(route: Route, method: str, skip: Iterable[str]) -> bool:
    return any(
        fnmatch.fnmatchcase(route.rule, pattern) or fnmatch.fnmatchcase(f"{method} {route.rule}", pattern)
        for pattern in skip
    )


def _methods(route: Route) -> list[str]:
    return [m for m in route.methods if m not in ("HEAD", "OPTIONS")]


def _closure(functions: dict[str, FunctionInfo], start: str, attr: str) -> set[str]:
    """Models read (or written) by ``start`` and everything it calls, transitively."""
    seen, stack, models = set(), [start], set()
    while stack:
        name = stack.pop()
        if name in seen or name not in functions:
            continue
        seen.add(name)
        info = functions[name]
        models.update(getattr(info, attr))
        stack.extend(info.calls)
    return models


def _keys(functions: dict[str, FunctionInfo], handler: str) -> list[str]:
    """Request keys the handler reads, itself or through the project helpers it calls."""
    seen: set[str] = set()
    stack, keys = [handler], list[str]()
    while stack:
        name = stack.pop(0)
        if name in seen or name not in functions:
            continue
        seen.add(name)
        keys.extend(functions[name].request_keys)
        stack.extend(functions[name].calls)
    return list(dict.fromkeys(k.split(":", 1)[-1] for k in keys))


def _step(route: Route, method: str, config: GenerateConfig, body: dict[str, Any] | None = None) -> Step:
    key = f"{method} {route.rule}"
    if key in config.bodies:
        body = config.bodies[key]
    query = config.queries.get(key, config.queries.get(route.rule, {}))
    return Step(
        path=fill_path(route.rule, config.path_values),
        method=method,
        name=f"{method} {route.endpoint}",
        query=tuple((str(k), _text(v)) for k, v in query.items()),
        json=body,
        has_json=body is not None,
        route=key,
    )


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _configured_login(spec: dict[str, Any], routes: list[Route], name: str, var: str) -> tuple[Step, Route | None]:
    capture = tuple(
        (str(k), str(v)) for k, v in (spec.get("capture") or {var: "$.access_token"}).items()
    )
    route = next((r for r in routes if r.rule == spec.get("path")), None)
    method = str(spec.get("method", "POST")).upper()
    step = Step(
        path=str(spec["path"]),
        method=method,
        name=name,
        json=spec.get("json"),
        has_json="json" in spec,
        form=tuple((str(k), str(v)) for k, v in spec["form"].items()) if "form" in spec else None,
        capture=capture,
        route=f"{method} {route.rule}" if route else None,
    )
    return step, route


def _login_step(
    routes: list[Route], functions: dict[str, FunctionInfo], config: GenerateConfig
) -> tuple[Step | None, Route | None]:
    if config.login:
        return _configured_login(dict(config.login), routes, "login", "token")
    for route in routes:
        if "login" in route.rule.lower() and "POST" in route.methods:
            body = {k: guess_value(k, config.values) for k in _keys(functions, route.handler)}
            step = _step(route, "POST", config, body)
            return replace(step, name="login", capture=(("token", "$.access_token"),)), route
    return None, None


class _Builder:
    """Turns routes into scenarios; one instance per corpus."""

    def __init__(self, inventory: Inventory, config: GenerateConfig) -> None:
        self.config = config
        self.functions = {f.qualname: f for f in inventory.functions}
        self.routes = sorted(inventory.routes, key=lambda r: (r.rule, r.endpoint))
        self.reads = [
            (r, _closure(self.functions, r.handler, "reads_models"))
            for r in self.routes
            if "GET" in r.methods and not _skipped(r, "GET", config.skip) and not _is_logout(r)
        ]

    def observers(self, route: Route) -> list[Step]:
        """GET routes that read what ``route`` writes: closest URL area first, then the most
        specific reads (fewest models), never admin pages."""
        written = _closure(self.functions, route.handler, "writes_models")
        related = [
            (r, models)
            for r, models in self.reads
            if models & written and not _is_admin(r, self.config)
        ]
        related.sort(key=lambda rm: (-_shared_prefix(rm[0].rule, route.rule), len(rm[1]), rm[0].rule))
        return [
            replace(_step(r, "GET", self.config), name=f"observe GET {r.endpoint}")
            for r, _ in related[: self.config.reads_after_write]
        ]

    def flows(
        self, routes: list[Route], headers: tuple[tuple[str, str], ...], label: str, skip: Route | None
    ) -> tuple[list[Scenario], list[Step], list[Step]]:
        """(reads + one scenario per write, delete steps, logout steps) for ``routes``."""
        config = self.config
        scenarios: list[Scenario] = []
        reads = [
            _step(r, "GET", config)
            for r in routes
            if "GET" in r.methods and not _skipped(r, "GET", config.skip) and not _is_logout(r)
        ]
        if reads:
            scenarios.append(Scenario(label, tuple(reads), headers))
        deletes: list[Step] = []
        logouts: list[Step] = []
        for route in routes:
            for method in _methods(route):
                if method == "GET" or (route is skip and method == "POST"):
                    continue
                if _skipped(route, method, config.skip):
                    continue
                if _is_logout(route):
                    logouts.append(_step(route, method, config, {} if method in WRITE_METHODS else None))
                elif method in WRITE_METHODS:
                    keys = _keys(self.functions, route.handler)
                    body = {k: guess_value(k, config.values) for k in keys}
                    steps = (_step(route, method, config, body), *self.observers(route))
                    scenarios.append(Scenario(f"{method} {route.rule}", steps, headers))
                else:
                    deletes.extend((_step(route, method, config), *self.observers(route)))
        return scenarios, deletes, logouts


def _is_logout(route: Route) -> bool:
    return "logout" in route.rule.lower()


def generate(inventory: Inventory, config: GenerateConfig) -> Corpus:
    """The starter corpus for ``inventory`` (see the module docstring for its shape)."""
    builder = _Builder(inventory, config)
    routes = builder.routes
    login, login_route = _login_step(routes, builder.functions, config)
    scenarios: list[Scenario] = []
    headers: tuple[tuple[str, str], ...] = ()
    if login is not None:
        scenarios.append(Scenario("login", (login,)))
        token = login.capture[0][0] if login.capture else "token"
        headers = (("Authorization", config.auth_header.replace("{{token}}", "{{" + token + "}}")),)
    admin: list[Route] = []
    if config.admin_login:
        admin = [r for r in routes if _is_admin(r, config)]
        routes = [r for r in routes if not _is_admin(r, config)]
    main, deletes, logouts = builder.flows(routes, headers, "reads", login_route)
    scenarios.extend(main)
    if admin and config.admin_login:
        admin_step, _ = _configured_login(dict(config.admin_login), builder.routes, "admin login", "admin_token")
        var = admin_step.capture[0][0] if admin_step.capture else "admin_token"
        admin_headers = (("Authorization", config.auth_header.replace("{{token}}", "{{" + var + "}}")),)
        admin_scenarios, admin_deletes, admin_logouts = builder.flows(admin, admin_headers, "admin reads", None)
        if admin_scenarios:
            first = admin_scenarios[0]
            admin_scenarios[0] = replace(first, steps=(admin_step, *first.steps))
        else:
            admin_scenarios = [Scenario("admin reads", (admin_step,), admin_headers)]
        scenarios.extend(admin_scenarios)
        deletes.extend(admin_deletes)
        logouts.extend(admin_logouts)
    if deletes:
        scenarios.append(Scenario("deletes", tuple(deletes), headers))
    if logouts:
        scenarios.append(Scenario("logout", tuple(logouts), headers))
    return Corpus(tuple(scenarios))
