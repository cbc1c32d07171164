"""Domains: the split from the config, or a proposal; and how clean the split is.

The unit placed in a domain is a module-level function or class (methods and nested functions
follow their owner). Routes are placed by the config's handler and rule patterns; helpers by
pins, else by who reaches them (one domain: that one; several: the shared kernel); models by who
writes them. Without a config, routes are grouped by URL prefix (or blueprint), and small groups
are merged into the group they share the most written models and helpers with (networkx).
"""

from __future__ import annotations

import dataclasses
import re
from collections import defaultdict
from fnmatch import fnmatchcase
from typing import TYPE_CHECKING

from decompose.model import DomainAssignment, DomainPlan, Inventory, PartitionQuality, Route

if TYPE_CHECKING:
    from decompose.analysis.engine import Project
    from decompose.config import Config

SHARED = "shared"
SKIP_SEGMENTS = re.compile(r"^(api|v\d+(\.\d+)?|rest|json|ajax)$")


def rule_matches(pattern: str, rule: str) -> bool:
    """A pattern with wildcards is a glob; without, it matches the rule or any path below it."""
    if any(ch in pattern for ch in "*?["):
        return fnmatchcase(rule, pattern)
    base = pattern.rstrip("/")
    return rule == pattern or rule == base or rule.startswith(base + "/")


def _name_matches(pattern: str, *names: str) -> bool:
    return any(fnmatchcase(n, pattern) for n in names if n)


def unit_of(p: Project, qualname: str) -> str:
    """The module-level function or class a function belongs to."""
    cache: dict[str, str] = p.__dict__.setdefault("_unit_cache", {})
    found = cache.get(qualname)
    if found is None:
        found = cache[qualname] = _unit_of(p, qualname)
    return found


def _unit_of(p: Project, qualname: str) -> str:
    current = qualname
    for _ in range(50):
        f = p.defs.functions.get(current)
        c = p.defs.classes.get(current)
        parent = f.parent if f is not None else (c.parent if c is not None else None)
        if parent is None:
            return current
        current = parent
    return current


def plan_domains(p: Project, inventory: Inventory) -> tuple[DomainPlan, Inventory]:
    config = p.config
    if config.domains:
        route_domains, route_why = _config_routes(config, inventory.routes)
        source = "config"
        names = [d.name for d in config.domains]
    else:
        route_domains, route_why = _proposal(p, inventory.routes)
        source = "proposal"
        names = sorted(set(d for d in route_domains.values() if d))
    routes = tuple(
        dataclasses.replace(r, domain=route_domains.get(_rkey(r))) for r in inventory.routes
    )
    assignments, unit_domain = _assign_units(p, config, routes, route_why)
    quality = _quality(p, routes, unit_domain, names)
    plan = DomainPlan(
        domains=tuple(names),
        assignments=tuple(sorted(assignments, key=lambda a: a.qualname)),
        source=source,
        quality=quality,
    )
    return plan, dataclasses.replace(inventory, routes=routes)


def _rkey(r: Route) -> tuple[str, str]:
    return (r.rule, r.endpoint)


# -- routes from config --------------------------------------------------------------------------

def _config_routes(config: Config, routes: tuple[Route, ...]) -> tuple[dict[tuple[str, str], str | None], dict[tuple[str, str], str]]:
    out: dict[tuple[str, str], str | None] = {}
    why: dict[tuple[str, str], str] = {}
    for r in routes:
        short = r.handler.rsplit(".", 1)[-1]
        endpoint_short = r.endpoint.rsplit(".", 1)[-1]
        chosen = None
        for d in config.domains:
            pat = next((h for h in d.handlers if _name_matches(h, short, r.endpoint, endpoint_short, r.handler)), None)
            if pat is not None:
                chosen, reason = d.name, f"handler matches '{pat}' of [domains.{d.name}]"
                break
        if chosen is None:
            best: tuple[int, int] | None = None
            for i, d in enumerate(config.domains):
                for pat in d.rules:
                    if rule_matches(pat, r.rule):
                        score = (len(pat.replace("*", "")), -i)
                        if best is None or score > best:
                            best = score
                            chosen, reason = d.name, f"rule matches '{pat}' of [domains.{d.name}]"
        out[_rkey(r)] = chosen
        if chosen is not None:
            why[_rkey(r)] = reason
    return out, why


# -- proposal ------------------------------------------------------------------------------------

def identifier(name: str) -> str:
    """A domain name usable as a Python package: ``2fa`` -> ``_2fa``, ``class`` -> ``class_``,
    ``Über`` -> ``uber``."""
    import keyword
    import unicodedata

    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    text = re.sub(r"[^a-zA-Z0-9_]+", "_", text).strip("_").lower()
    if not text:
        return "core"
    if text[0].isdigit():
        text = "_" + text
    if keyword.iskeyword(text) or text == SHARED:
        text += "_"
    return text


def _prefix_group(r: Route) -> str:
    if r.blueprint:
        return identifier(r.blueprint.split(".")[-1])
    for seg in r.rule.strip("/").split("/"):
        if not seg or seg.startswith("<") or SKIP_SEGMENTS.match(seg):
            continue
        seg = identifier(seg.rsplit(".", 1)[0] if "." in seg else seg)
        if seg != "core":
            return seg
    return "core"


def _proposal(p: Project, routes: tuple[Route, ...]) -> tuple[dict[tuple[str, str], str | None], dict[tuple[str, str], str]]:
    import networkx as nx

    groups: dict[str, list[Route]] = defaultdict(list)
    for r in routes:
        groups[_prefix_group(r)].append(r)
    # plural/singular of the same word are one group
    for g in sorted(groups):
        if g.endswith("s") and g[:-1] in groups and g in groups:
            groups[g[:-1]].extend(groups.pop(g))
    # routes of one handler (stacked decorators) stay together: the biggest group takes them
    changed = True
    while changed:
        changed = False
        owner: dict[str, str] = {}
        for g in sorted(groups, key=lambda g: (-len(groups[g]), g)):
            for r in groups[g]:
                first = owner.setdefault(r.handler, g)
                if first != g:
                    groups[first].extend(groups.pop(g))
                    changed = True
                    break
            if changed:
                break
    written: dict[str, set[str]] = {g: {m for r in rs for m in r.writes_models} for g, rs in groups.items()}
    helpers: dict[str, set[str]] = {g: {h for r in rs for h in r.helpers} for g, rs in groups.items()}
    # helpers most groups use (get_current_user, json_error, …) say nothing about affinity
    use_count: dict[str, int] = defaultdict(int)
    for hs in helpers.values():
        for h in hs:
            use_count[h] += 1
    common = {h for h, n in use_count.items() if n * 3 > len(groups)}
    graph = nx.Graph()
    graph.add_nodes_from(sorted(groups))
    names = sorted(groups)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            shared_models = len(written[a] & written[b])
            shared_helpers = len((helpers[a] & helpers[b]) - common)
            if shared_models or shared_helpers >= 2:
                graph.add_edge(a, b, weight=2 * shared_models + shared_helpers)
    merged = {g: g for g in groups}
    merged.setdefault("core", "core")
    small = sorted((g for g in groups if len(groups[g]) <= 2), key=lambda g: (len(groups[g]), g))
    for g in small:
        candidates = [
            (n, d["weight"])
            for n, d in graph[g].items()
            if merged.get(n, n) == n and len(groups[n]) >= len(groups[g]) and n != g
        ]
        if not candidates:
            if len(groups[g]) == 1 and g != "core" and not any(r.blueprint for r in groups[g]):
                merged[g] = "core"  # a lone route with no affinity: the app's core, not a domain
                groups.setdefault("core", [])
                written.setdefault("core", set())
                helpers.setdefault("core", set())
            continue
        target = sorted(candidates, key=lambda kv: (-kv[1], -len(groups[kv[0]]), kv[0]))[0][0]
        merged[g] = target
    def final(g: str) -> str:
        seen = set()
        while merged[g] != g and g not in seen:
            seen.add(g)
            g = merged[g]
        return g
    out: dict[tuple[str, str], str | None] = {}
    why: dict[tuple[str, str], str] = {}
    for g, rs in groups.items():
        dom = final(g)
        for r in rs:
            out[_rkey(r)] = dom
            if dom == g:
                why[_rkey(r)] = f"URL prefix group '{g}'"
            else:
                shared = sorted(written[g] & written[dom]) or sorted((helpers[g] & helpers[dom]) - common)[:3]
                if shared:
                    why[_rkey(r)] = f"group '{g}' merged into '{dom}': shares {', '.join(shared)}"
                else:
                    why[_rkey(r)] = f"lone route of '{g}', sharing no models or helpers with another group"
    return out, why


# -- units ---------------------------------------------------------------------------------------

def _assign_units(
    p: Project, config: Config, routes: tuple[Route, ...], route_why: dict[tuple[str, str], str]
) -> tuple[list[DomainAssignment], dict[str, str]]:
    unit_domain: dict[str, str] = {}
    out: list[DomainAssignment] = []
    view_units: dict[str, set[str]] = defaultdict(set)
    why_of: dict[str, str] = {}
    for r in routes:
        if r.domain:
            unit = unit_of(p, r.handler)
            view_units[unit].add(r.domain)
            why_of.setdefault(unit, f"view of {r.rule}: {route_why.get(_rkey(r), r.domain)}")
    for unit, doms in sorted(view_units.items()):
        d = sorted(doms)[0] if len(doms) == 1 else SHARED
        unit_domain[unit] = d
        rationale = why_of[unit] if len(doms) == 1 else "view of routes in " + ", ".join(sorted(doms))
        out.append(DomainAssignment(unit, d, rationale, shared=d == SHARED))
    # who reaches what
    reached_by: dict[str, set[str]] = defaultdict(set)
    for r in routes:
        if not r.domain:
            continue
        for fq in p.reach_of(r.handler).functions:
            reached_by[unit_of(p, fq)].add(r.domain)
    model_writers: dict[str, set[str]] = defaultdict(set)
    model_readers: dict[str, set[str]] = defaultdict(set)
    for r in routes:
        if not r.domain:
            continue
        for m in r.writes_models:
            model_writers[m].add(r.domain)
        for m in r.reads_models:
            model_readers[m].add(r.domain)
    units = sorted({unit_of(p, q) for q in p.defs.functions} | {unit_of(p, q) for q in p.defs.classes})
    hook_kinds: dict[str, set[str]] = defaultdict(set)
    for _, hook in p.flask.hooks:
        hook_kinds[unit_of(p, hook.handler)].add(hook.kind)
    for unit in units:
        if unit in unit_domain:
            continue
        name = unit.rsplit(".", 1)[-1]
        module = p.index.module_of(unit)
        module_name = module.name if module else ""
        pinned = _pinned(config, unit, name, module_name)
        if pinned is not None:
            d, why = pinned
        elif unit in p.ctx.models:
            model = p.ctx.models[unit].name
            writers = model_writers.get(model, set())
            readers = model_readers.get(model, set())
            if len(writers) == 1:
                d, why = next(iter(writers)), "model written only by this domain"
            elif len(writers) > 1:
                d, why = SHARED, "model written by " + ", ".join(sorted(writers))
            elif len(readers) == 1:
                d, why = next(iter(readers)), "model read only by this domain"
            else:
                d, why = SHARED, "model read by " + (", ".join(sorted(readers)) or "no route")
        else:
            doms = reached_by.get(unit, set())
            if len(doms) == 1:
                d, why = next(iter(doms)), "used only by routes of this domain"
            elif doms:
                d, why = SHARED, "used by " + ", ".join(sorted(doms))
            elif unit in hook_kinds:
                d, why = SHARED, "registered on the app: " + ", ".join(sorted(hook_kinds[unit]))
            else:
                d, why = SHARED, "not reached from any route"
        unit_domain[unit] = d
        out.append(DomainAssignment(unit, d, why, shared=d == SHARED))
    return out, unit_domain


def _pinned(config: Config, unit: str, name: str, module: str) -> tuple[str, str] | None:
    for pat in config.shared.helpers:
        if _name_matches(pat, name, unit):
            return SHARED, f"pinned by [shared] helpers '{pat}'"
    for d in config.domains:
        for pat in d.helpers:
            if _name_matches(pat, name, unit):
                return d.name, f"pinned by [domains.{d.name}] helpers '{pat}'"
    for pat in config.shared.modules:
        if _module_matches(pat, module):
            return SHARED, f"module pinned by [shared] modules '{pat}'"
    for d in config.domains:
        for pat in d.modules:
            if _module_matches(pat, module):
                return d.name, f"module pinned by [domains.{d.name}] modules '{pat}'"
    return None


def _module_matches(pattern: str, module: str) -> bool:
    return fnmatchcase(module, pattern) or module == pattern or module.startswith(pattern + ".")


# -- quality -------------------------------------------------------------------------------------

def _quality(p: Project, routes: tuple[Route, ...], unit_domain: dict[str, str], names: list[str]) -> PartitionQuality:
    cross: set[tuple[str, str, str, str]] = set()
    users: dict[str, set[str]] = defaultdict(set)
    for q, facts in p.facts.items():
        src_unit = unit_of(p, q)
        src = unit_domain.get(src_unit)
        for call in facts.calls:
            dst_unit = unit_of(p, call.target)
            if dst_unit == src_unit:
                continue
            dst = unit_domain.get(dst_unit)
            if src and dst and src != dst and src != SHARED and dst != SHARED:
                cross.add((src_unit, src, dst_unit, dst))
    for r in routes:
        if not r.domain:
            continue
        for fq in p.reach_of(r.handler).functions:
            u = unit_of(p, fq)
            if unit_domain.get(u) == SHARED and u not in p.ctx.models:
                users[u].add(r.domain)
    writers: dict[str, set[str]] = defaultdict(set)
    for r in routes:
        if r.domain:
            for m in r.writes_models:
                writers[m].add(r.domain)
    sizes = []
    for d in [*names, SHARED]:
        n_routes = sum(1 for r in routes if r.domain == d)
        lines = 0
        for unit, ud in unit_domain.items():
            if ud != d:
                continue
            f = p.defs.functions.get(unit)
            c = p.defs.classes.get(unit)
            node = f.node if f else (c.node if c else None)
            if node is not None:
                loc = (f or c).module.location(node, span=True)  # type: ignore[union-attr]
                lines += loc.end_line - loc.line + 1
        sizes.append((d, n_routes, lines))
    return PartitionQuality(
        cross_domain_edges=tuple(sorted(cross)),
        shared_helpers=tuple(sorted((u, tuple(sorted(ds))) for u, ds in users.items() if len(ds) > 1)),
        ownership_conflicts=tuple(sorted((m, tuple(sorted(ds))) for m, ds in writers.items() if len(ds) > 1)),
        sizes=tuple(sizes),
    )
