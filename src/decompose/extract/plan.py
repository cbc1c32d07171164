"""Decide where every top-level statement of the monolith goes.

Fixed places: routes (and the views and rules they register) go to their domain's
``routes.py``; app set-up goes into ``create_app``; extensions to ``extensions.py``; app hooks
to ``hooks.py`` and CLI commands to ``commands.py``; code that cannot move safely to the legacy
module. Everything else (helpers, classes, state) follows its users: used by one domain only ->
that domain's ``services.py``; used by several domains or by app-level code -> the shared kernel.
Users are resolved before what they use (a topological order of the use graph, with mutually
recursive helpers moving together), so the result does not depend on statement order.
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import networkx as nx

from decompose.extract.source import SourceIndex, Statement

INIT = "__init__"  # create_app and the package's __init__.py
EXTENSIONS = "extensions"
HOOKS = "hooks"
COMMANDS = "commands"
SHARED = "shared.helpers"
LEGACY = "legacy_code"
WSGI = "<wsgi>"
APP_LEVEL = frozenset({INIT, EXTENSIONS, HOOKS, COMMANDS, SHARED, LEGACY, WSGI})


FROM_OBJECT_NAME = re.compile(r"\.from_object\(\s*__name__\s*\)")

#: names of generated modules and folders a domain package may not take
RESERVED = frozenset({"hooks", "commands", "extensions", "shared", "legacy_code", "templates", "static", "wsgi"})


def domain_package(domain: str) -> str:
    """The domain's package name: an identifier that no generated module or folder uses
    (``/hooks/github`` must not make ``webapp/hooks/`` shadow ``webapp/hooks.py``)."""
    name = re.sub(r"\W", "_", domain) or "main"
    if name[0].isdigit():
        name = f"d_{name}"
    if name in RESERVED or keyword.iskeyword(name) or name.startswith("__"):
        name = f"{name}_"
    return name


def domain_of_module(module: str) -> str | None:
    if module.endswith(".routes") or module.endswith(".services"):
        return module.rsplit(".", 1)[0]
    return None


@dataclass
class Placement:
    """Where each statement (by index) goes, and why."""

    module: dict[int, str] = field(default_factory=dict)  # statement index -> module id
    domain: dict[int, str] = field(default_factory=dict)
    reason: dict[int, str] = field(default_factory=dict)
    renames: dict[str, str] = field(default_factory=dict)  # endpoint -> domain.endpoint
    providers: dict[str, Statement] = field(default_factory=dict)  # name -> defining statement
    users: dict[int, set[int]] = field(default_factory=dict)
    domains: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    external_names: set[str] = field(default_factory=set)  # names used by in-place importers


def _provider_map(index: SourceIndex) -> dict[str, Statement]:
    """name -> the statement that binds it last (what the module holds once imported)."""
    out: dict[str, Statement] = {}
    for stmt in index.statements:
        if stmt.kind in {"docstring"}:
            continue
        for name in stmt.defines:
            out[name] = stmt
    return out


def place(
    index: SourceIndex,
    endpoint_domains: Mapping[str, str],
    *,
    default_domain: str = "main",
    helper_domains: Mapping[str, str] | None = None,
) -> Placement:
    """Place every statement. ``endpoint_domains`` maps an endpoint (or handler name) to a domain."""
    plan = Placement()
    plan.providers = _provider_map(index)
    app = index.app_name
    stmts = index.statements
    by_name = {s.name: s for s in stmts if s.kind in {"helper", "class", "state", "route", "view_binding"}}

    def route_domain(stmt: Statement) -> str:
        for key in (*stmt.endpoints, stmt.name, stmt.view):
            if key and key in endpoint_domains:
                return domain_package(endpoint_domains[key])
        return default_domain

    # 1. fixed places
    for stmt in stmts:
        i = stmt.index
        if stmt.kind in {"import", "docstring"}:
            continue
        if stmt.unsafe:
            plan.module[i] = LEGACY
            plan.reason[i] = stmt.unsafe
            continue
        if stmt.kind == "main":
            plan.module[i] = WSGI
        elif stmt.kind in {"app", "setup"}:
            plan.module[i] = INIT
        elif stmt.kind in {"extension", "app_value"}:
            plan.module[i] = EXTENSIONS
        elif stmt.kind == "hook":
            codes = [index.module.code_for_node(d.decorator) for d in stmt.registrations]
            plan.module[i] = COMMANDS if any(c.startswith(f"{app}.cli") for c in codes) else HOOKS
        elif stmt.kind in {"route", "url_rule"}:
            domain = route_domain(stmt)
            plan.module[i] = f"{domain}.routes"
            plan.domain[i] = domain
            for endpoint in stmt.endpoints:
                plan.renames[endpoint] = f"{domain}.{endpoint}"
            plan.reason[i] = "route of the " + domain + " domain"
            if stmt.kind == "url_rule" and stmt.view in by_name:
                view = by_name[stmt.view]
                if view.kind in {"helper", "class", "view_binding"} and not view.unsafe:
                    plan.module[view.index] = f"{domain}.routes"
                    plan.domain[view.index] = domain
                    plan.reason[view.index] = f"view registered by add_url_rule in the {domain} domain"
    # existing blueprints: their routes and the Blueprint object go to one domain
    for var, bp_name in index.blueprints.items():
        bp_members = [s for s in stmts if s.kind == "blueprint_route" and _uses_blueprint(index, s, var)]
        holder = plan.providers.get(var)
        bp_domain: str | None = None
        for s in bp_members:
            for key in (f"{bp_name}.{s.name}", s.name):
                if key in endpoint_domains:
                    bp_domain = domain_package(endpoint_domains[key])
                    break
            if bp_domain:
                break
        target_domain = domain_package(bp_domain or bp_name)
        for s in [*bp_members, *([holder] if holder else [])]:
            if s.unsafe:
                continue
            plan.module[s.index] = f"{target_domain}.routes"
            plan.domain[s.index] = target_domain
            plan.reason[s.index] = f"blueprint {bp_name!r} moves whole to the {target_domain} domain"

    # ``app.config.from_object(__name__)`` reads the module's upper-case names: they stay
    # together in the kernel, which create_app then names instead of ``__name__``
    if any(s.kind in {"setup", "app"} and FROM_OBJECT_NAME.search(s.code) for s in stmts):
        for stmt in stmts:
            if stmt.kind == "state" and stmt.defines and not stmt.unsafe and stmt.index not in plan.module:
                if all(n.isupper() for n in stmt.defines):
                    plan.module[stmt.index] = SHARED
                    plan.reason[stmt.index] = "configuration read by app.config.from_object(__name__)"

    # side-effect statements (``view.methods = [...]``, ``CACHE.update(...)``) run in the module
    # of what they change, after it: they are placed last, with their subject
    # 2. the use graph: user -> provider
    graph = nx.DiGraph()
    for stmt in stmts:
        if stmt.kind in {"import", "docstring"}:
            continue
        graph.add_node(stmt.index)
        for name in sorted(stmt.uses - stmt.defines):
            provider = plan.providers.get(name)
            if provider is None or provider.kind in {"import", "docstring"} or provider is stmt:
                continue
            graph.add_edge(stmt.index, provider.index)
            plan.users.setdefault(provider.index, set()).add(stmt.index)
    condensed = nx.condensation(graph)
    order = list(nx.lexicographical_topological_sort(condensed, key=lambda n: min(condensed.nodes[n]["members"])))
    helper_domains = {name: domain_package(d) for name, d in (helper_domains or {}).items()}
    for node in order:
        members = sorted(condensed.nodes[node]["members"])
        if all(m in plan.module for m in members):
            continue
        user_modules: set[str] = set()
        for m in members:
            for user in plan.users.get(m, ()):
                if user in members:
                    continue
                user_modules.add(plan.module.get(user, SHARED))
        domains = {domain_of_module(u) for u in user_modules}
        explicit = {helper_domains.get(stmts[m].name) for m in members} - {None}
        for m in members:
            if m in plan.module:
                continue
            if not user_modules:
                pinned = next(iter(explicit)) if len(explicit) == 1 else None
                if pinned:
                    plan.module[m] = f"{pinned}.services"
                    plan.domain[m] = pinned
                    plan.reason[m] = f"unused in the module; the config pins it to {pinned}"
                else:
                    plan.module[m] = SHARED
                    plan.reason[m] = "not used by any moved code; kept in the shared kernel"
            elif None not in domains and len(explicit) == 1:
                # pinned by the config: other domains call it through this domain's services
                pinned = next(iter(explicit))
                assert pinned is not None
                plan.module[m] = f"{pinned}.services"
                plan.domain[m] = pinned
                plan.reason[m] = f"pinned to {pinned}; called from " + ", ".join(sorted(d for d in domains if d))
            elif None not in domains and len(domains) == 1:
                only = next(iter(domains))
                assert only is not None
                plan.module[m] = f"{only}.services"
                plan.domain[m] = only
                plan.reason[m] = f"used only by the {only} domain"
            else:
                users = sorted({d for d in domains if d} | {u for u in user_modules if domain_of_module(u) is None})
                plan.module[m] = SHARED
                plan.reason[m] = "used by " + ", ".join(users)
    _untangle(plan, graph, stmts)
    for stmt in stmts:
        if stmt.kind == "state" and stmt.subject and stmt.index in plan.module and not stmt.unsafe:
            provider = plan.providers.get(stmt.subject)
            target = plan.module.get(provider.index) if provider is not None else None
            if target and target not in {INIT, WSGI, EXTENSIONS, LEGACY}:
                plan.module[stmt.index] = target
                plan.reason[stmt.index] = f"changes {stmt.subject}, so it runs where {stmt.subject} lives"
    domains_seen = {domain_of_module(m) for m in plan.module.values()}
    plan.domains = sorted(d for d in domains_seen if d)
    for stmt in stmts:
        if stmt.rebinds and not stmt.unsafe:
            plan.notes.append(
                f"{stmt.file or index.path}:{stmt.line}: {stmt.name} rebinds module globals "
                f"({', '.join(sorted(stmt.rebinds))}) with `global`; code in other modules that "
                "imported those names keeps the old value"
            )
    return plan


def _uses_blueprint(index: SourceIndex, stmt: Statement, var: str) -> bool:
    node = stmt.node
    decorators = getattr(node, "decorators", ())
    for dec in decorators:
        code = index.module.code_for_node(dec.decorator)
        if code.startswith(f"{var}."):
            return True
    return False


def _untangle(plan: Placement, graph: nx.DiGraph, stmts: list[Statement]) -> None:
    """Keep the module graph importable and the kernel domain-free.

    The shared kernel may not import a domain, so whatever shared code uses moves to the kernel
    too; and two domains' services may not import each other in a cycle (a circular import at
    module level fails), so the providers on one edge of such a cycle move to the kernel.
    """
    while True:
        moved = False
        for user, provider in sorted(graph.edges):
            if plan.module.get(user) == SHARED and (plan.module.get(provider) or "").endswith(".services"):
                plan.module[provider] = SHARED
                plan.domain.pop(provider, None)
                plan.reason[provider] = f"used by shared {stmts[user].name}, so part of the kernel"
                moved = True
        if moved:
            continue
        modules = nx.DiGraph()
        for user, provider in graph.edges:
            a, b = plan.module.get(user, ""), plan.module.get(provider, "")
            if a != b and a.endswith(".services") and b.endswith(".services"):
                modules.add_edge(a, b)
        try:
            cycle = nx.find_cycle(modules)
        except nx.NetworkXNoCycle:
            return
        a, b = sorted(cycle)[0][:2]
        for user, provider in sorted(graph.edges):
            if plan.module.get(user) == a and plan.module.get(provider) == b:
                plan.module[provider] = SHARED
                plan.domain.pop(provider, None)
                plan.reason[provider] = f"{a} and {b} would import each other; moved to the kernel"
                plan.notes.append(f"{stmts[provider].name}: {a} and {b} import each other, so it joins the shared kernel")
