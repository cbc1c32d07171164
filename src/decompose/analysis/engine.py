"""From a parsed project to an :class:`AnalysisResult`: inventory, graph, domains, findings."""

from __future__ import annotations

import ast
from collections import deque
from dataclasses import dataclass, field

from decompose.analysis.definitions import Definitions, FuncDef, collect_definitions
from decompose.analysis.flask_app import (
    HTTP_METHOD_FUNCS,
    FlaskFacts,
    FlaskObject,
    FlaskScanner,
    expand_routes,
)
from decompose.analysis.functions import Context, Facts, walk_function
from decompose.analysis.models import find_models, module_level_indexes
from decompose.analysis.names import Resolver
from decompose.analysis.project import ParsedModule, ProjectIndex
from decompose.config import Config
from decompose.errors import InputError
from decompose.model import (
    AnalysisResult,
    Edge,
    FunctionInfo,
    GlobalInfo,
    Hook,
    ImportInfo,
    Inventory,
    Location,
    Route,
    Unhandled,
)

DYNAMIC_CALLS = {
    "builtins.exec": "exec() runs code analyze cannot see",
    "builtins.eval": "eval() runs code analyze cannot see",
    "builtins.globals": "globals() manipulation",
    "builtins.__import__": "dynamic import",
    "importlib.import_module": "dynamic import",
}


@dataclass
class Reach:
    """What a handler reaches through the call graph, with the path to each function."""

    functions: dict[str, tuple[str, ...]] = field(default_factory=dict)  # qualname -> chain


@dataclass
class Project:
    """The analysis state every finding kind and the domain planner read."""

    index: ProjectIndex
    config: Config
    resolver: Resolver
    defs: Definitions
    ctx: Context
    flask: FlaskFacts
    app: FlaskObject
    routes: list[Route]
    static_routes: list[Route]
    facts: dict[str, Facts]
    reach: dict[str, Reach] = field(default_factory=dict)  # per route handler
    _reached_by: dict[str, list[str]] | None = None
    _handled_by: dict[str, list[str]] | None = None

    def module(self, rel: str) -> ParsedModule | None:
        return next((m for m in self.index.modules.values() if m.rel == rel), None)

    def handler_functions(self, handler: str) -> list[str]:
        """The functions that run for a handler: the function, or a view class's methods."""
        if handler in self.defs.functions:
            return [handler]
        if handler in self.defs.classes:
            out = []
            for name in (*HTTP_METHOD_FUNCS, "dispatch_request"):
                m = self.defs.method(handler, name)
                if m and m not in out:
                    out.append(m)
            return out
        return []

    def endpoints_reaching(self, func: str) -> list[str]:
        """Endpoints whose handler reaches ``func`` (sorted); computed once for all functions."""
        if self._reached_by is None:
            reached: dict[str, set[str]] = {}
            for r in self.routes:
                for f in self.reach_of(r.handler).functions:
                    reached.setdefault(f, set()).add(r.endpoint)
            self._reached_by = {f: sorted(eps) for f, eps in reached.items()}
        return self._reached_by.get(func, [])

    def endpoints_of(self, func: str) -> list[str]:
        """Endpoints whose handler is ``func`` (a view, or a method of a view class)."""
        if self._handled_by is None:
            handled: dict[str, set[str]] = {}
            for r in self.routes:
                for f in self.handler_functions(r.handler):
                    handled.setdefault(f, set()).add(r.endpoint)
            self._handled_by = {f: sorted(eps) for f, eps in handled.items()}
        return self._handled_by.get(func, [])

    def reach_of(self, handler: str) -> Reach:
        if handler in self.reach:
            return self.reach[handler]
        reach = Reach()
        queue: deque[str] = deque()
        for start in self.handler_functions(handler):
            reach.functions[start] = (start,)
            queue.append(start)
        while queue:
            current = queue.popleft()
            facts = self.facts.get(current)
            if facts is None:
                continue
            for call in facts.calls:
                if call.target not in reach.functions:
                    reach.functions[call.target] = (*reach.functions[current], call.target)
                    queue.append(call.target)
        self.reach[handler] = reach
        return reach


def build_project(index: ProjectIndex, config: Config) -> Project:
    resolver = Resolver(index)
    defs = collect_definitions(resolver)
    ctx = Context(resolver, defs)
    ctx.compute_global_types()
    ctx.models = find_models(resolver, defs, ctx.global_types)
    module_level_indexes(resolver, ctx.models)
    ctx.tables = {m.table.lower(): q for q, m in ctx.models.items()}
    ctx.peewee_models = {
        q for q in defs.classes if any(b.startswith("peewee.") for b in defs.mro(q)[1:])
    }
    flask = FlaskScanner(resolver, defs).scan()
    app = _primary_app(index, flask, resolver)
    routes, static = expand_routes(flask, app.symbol, resolver)
    if not routes:
        raise InputError(
            f"{index.entry.rel}: the Flask app '{_short(app.symbol)}' has no routes analyze can "
            "see; pass the module whose app registers them."
        )
    facts = {q: walk_function(ctx, f) for q, f in defs.functions.items()}
    return Project(index, config, resolver, defs, ctx, flask, app, routes, static, facts)


def _short(symbol: str) -> str:
    return symbol.replace(".<locals>.", ".").rsplit(".", 1)[-1]


def _primary_app(index: ProjectIndex, flask: FlaskFacts, resolver: Resolver) -> FlaskObject:
    apps = [o for o in flask.objects.values() if o.kind == "app"]
    if not apps:
        raise InputError(
            f"{index.entry.rel}: no Flask app found (no Flask(...) call in it or in the project "
            "modules it imports); pass the module that creates the app."
        )
    entry = index.entry.name

    def score(o: FlaskObject) -> tuple[int, int, str]:
        in_entry = 0 if o.module.name == entry else 1
        with_routes = 0 if any(r.target == o.symbol for r in flask.routes) or any(
            b.parent == o.symbol for b in flask.blueprints
        ) else 1
        return (with_routes, in_entry, o.symbol)

    return sorted(apps, key=score)[0]


def _loc(module: ParsedModule, node: ast.AST) -> Location:
    return module.location(node)


def build_inventory(p: Project) -> Inventory:
    routes = []
    for r in p.routes:
        reach = p.reach_of(r.handler)
        reads: set[str] = set()
        writes: set[str] = set()
        io: set[str] = set()
        for fq in reach.functions:
            f = p.facts.get(fq)
            if f is None:
                continue
            reads.update(q.model for q in f.queries if q.model and not q.write)
            reads.update(rr.target for rr in f.rel_reads if rr.target in p.ctx.models)
            writes.update(w.model for w in f.writes if w.model)
            io.update(f"{s.label}:{s.callee}" for s in f.io)
        helpers = tuple(sorted(q for q in reach.functions if q not in p.handler_functions(r.handler)))
        routes.append(
            _replace(
                r,
                helpers=helpers,
                reads_models=tuple(sorted(_model_name(p, m) for m in reads)),
                writes_models=tuple(sorted(_model_name(p, m) for m in writes)),
                external_io=tuple(sorted(io)),
            )
        )
    views = {r.handler for r in p.routes}
    functions = []
    edges: list[Edge] = []
    for q, fdef in p.defs.functions.items():
        f = p.facts[q]
        functions.append(_function_info(p, fdef, f, q in views))
        edges.extend(_edges(p, fdef, f))
    for q, cls in p.defs.classes.items():
        from decompose.analysis.flask_app import METHOD_VIEW

        is_view = q in views
        kind = "method_view" if any(b in METHOD_VIEW for b in p.defs.mro(q)) else (
            "model" if q in p.ctx.models else "class"
        )
        functions.append(
            FunctionInfo(
                qualname=q,
                name=cls.name,
                module=cls.module.name,
                location=cls.module.location(cls.node, span=True),
                kind=kind,
                is_view=is_view,
                decorators=tuple(_dotted_list(cls.node.decorator_list)),
                calls=tuple(sorted(m for m in cls.methods.values())),
                docstring=ast.get_docstring(cls.node),
                parent=cls.parent,
            )
        )
    functions.sort(key=lambda f: (f.location.file, f.location.line, f.qualname))
    edges.sort(key=lambda e: (e.location.file, e.location.line, e.location.column, e.kind, e.source, e.target))
    hooks = _hooks(p)
    unhandled = list(p.index.unhandled) + list(p.flask.unhandled) + _unhandled(p)
    unhandled = sorted(set(unhandled), key=lambda u: (u.location.file, u.location.line, u.reason))
    data_layer = _data_layer(p)
    return Inventory(
        root=".",
        entry=p.index.entry.rel,
        app_name=_short(p.app.symbol),
        files=p.index.files,
        source_hash=p.index.source_hash,
        routes=tuple(sorted(routes, key=_route_key)),
        functions=tuple(functions),
        models=tuple(sorted((m.info() for m in p.ctx.models.values()), key=lambda m: (m.location.file, m.location.line))),
        globals=tuple(_globals(p)),
        imports=tuple(_imports(p)),
        hooks=tuple(hooks),
        edges=tuple(edges),
        unhandled=tuple(unhandled),
        data_layer=data_layer,
        notes=tuple(_notes(p)),
        static_routes=tuple(sorted(p.static_routes, key=_route_key)),
        app_factory=p.app.factory,
        modules=tuple(sorted((m.name, m.rel) for m in p.index.modules.values())),
    )


def _route_key(r: Route) -> tuple[str, int, str, str]:
    return (r.location.file, r.location.line, r.rule, r.endpoint)


def _replace(r: Route, **kw: object) -> Route:
    import dataclasses

    return dataclasses.replace(r, **kw)  # type: ignore[arg-type]


def _model_name(p: Project, q: str) -> str:
    m = p.ctx.models.get(q)
    return m.name if m else q


def _dotted_list(nodes: list[ast.expr]) -> list[str]:
    from decompose.analysis.names import dotted

    out = []
    for d in nodes:
        text = dotted(d.func if isinstance(d, ast.Call) else d)
        out.append(text or ast.unparse(d))
    return out


def _function_info(p: Project, fdef: FuncDef, f: Facts, is_view: bool) -> FunctionInfo:
    reads = {q.model for q in f.queries if q.model and not q.write}
    reads.update(rr.target for rr in f.rel_reads if rr.target in p.ctx.models)
    return FunctionInfo(
        qualname=fdef.qualname,
        name=fdef.name,
        module=fdef.module.name,
        location=fdef.module.location(fdef.node, span=True),
        kind=fdef.kind,
        is_view=is_view,
        decorators=tuple(_dotted_list(fdef.node.decorator_list)),
        calls=tuple(sorted({c.target for c in f.calls})),
        reads_models=tuple(sorted(_model_name(p, m) for m in reads)),
        writes_models=tuple(sorted({_model_name(p, w.model) for w in f.writes if w.model})),
        globals_used=tuple(sorted({g for g, _ in f.globals})),
        external_io=tuple(sorted({f"{s.label}:{s.callee}" for s in f.io})),
        request_keys=tuple(sorted(set(f.request_keys))),
        docstring=ast.get_docstring(fdef.node),
        parent=fdef.parent,
    )


def _edges(p: Project, fdef: FuncDef, f: Facts) -> list[Edge]:
    m = fdef.module
    out: dict[tuple[str, str, int, int], Edge] = {}

    def add(target: str, kind: str, node: ast.AST, detail: str = "") -> None:
        loc = _loc(m, node)
        key = (target, kind, loc.line, loc.column)
        out.setdefault(key, Edge(fdef.qualname, target, kind, loc, detail))

    for c in f.calls:
        add(c.target, "calls", c.node, "reference" if c.reference else "")
    for q in f.queries:
        if q.model:
            add(_model_name(p, q.model), "writes" if q.write else "reads", q.node, q.terminal)
    for rr in f.rel_reads:
        add(_model_name(p, rr.target), "reads", rr.node, f"{_model_name(p, rr.model)}.{rr.attr} (lazy={rr.lazy})")
    for w in f.writes:
        add(_model_name(p, w.model) if w.model else "session", "writes", w.node, w.how)
    for g, node in f.globals:
        add(g, "uses_global", node)
    for s in f.io:
        add(s.callee, "external_io", s.node, f"{s.label}; timeout: {s.timeout}")
    for sql, node in f.raw_sql:
        add("sql", "raw_sql", node, " ".join(sql.split())[:120])
    return list(out.values())


def _hooks(p: Project) -> list[Hook]:
    targets = {p.app.symbol}
    for b in p.flask.blueprints:
        targets.add(b.child)
    hooks = [h for t, h in p.flask.hooks if t in targets]
    return sorted(hooks, key=lambda h: (h.location.file, h.location.line, h.kind, h.handler))


EXTENSION_HINTS = ("flask_", "flask.ext")


def _globals(p: Project) -> list[GlobalInfo]:
    out = []
    mutated = {q for f in p.facts.values() for q, _ in f.mutations}
    for q, g in p.defs.globals.items():
        t = p.ctx.global_types.get(q)
        obj = p.flask.objects.get(q)
        value = ast.unparse(g.value) if g.value is not None else ""
        if len(value) > 120:
            value = value[:117] + "..."
        if obj is not None:
            kind = obj.kind
        elif t is not None and t[0] == "instance" and t[1].startswith(EXTENSION_HINTS):
            kind = "extension"
        elif t is not None and (t[0] == "session" or t[1].startswith(("redis", "requests", "httpx", "openai", "boto3", "pymongo", "sqlalchemy"))):
            kind = "client"
        elif t is not None and t[0] == "instance" and t[1] in p.defs.classes:
            kind = "client" if any(p.facts[mq].io for mq in p.defs.classes[t[1]].methods.values() if mq in p.facts) else "value"
        elif q in mutated:
            kind = "state"
        elif isinstance(g.value, (ast.Dict, ast.List, ast.Set)) or (
            isinstance(g.value, ast.Call) and isinstance(g.value.func, ast.Name) and g.value.func.id in ("dict", "list", "set", "defaultdict", "OrderedDict", "Counter", "deque")
        ):
            kind = "constant" if g.name.isupper() else "state"
        elif g.name.isupper():
            kind = "config" if "config" in g.module.name.lower() or any(w in g.name for w in ("URL", "KEY", "SECRET", "HOST", "PORT", "TIMEOUT", "POOL")) else "constant"
        else:
            kind = "value"
        out.append(GlobalInfo(g.name, g.module.name, g.module.location(g.node), kind, value))
    return sorted(out, key=lambda x: (x.location.file, x.location.line, x.name))


def _imports(p: Project) -> list[ImportInfo]:
    from decompose.analysis.project import resolve_relative

    out = []
    for m in p.index.modules.values():
        stack: list[tuple[ast.stmt, str]] = [(n, "module") for n in m.tree.body]
        while stack:
            node, scope = stack.pop()
            if isinstance(node, ast.Import):
                out.append(ImportInfo("", tuple((a.name, a.asname) for a in node.names), m.location(node), scope))
                continue
            if isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    base = resolve_relative(m, node.module, node.level) or base
                out.append(
                    ImportInfo(base, tuple((a.name, a.asname) for a in node.names), m.location(node), scope, node.level)
                )
                continue
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                inner = "function"
            elif isinstance(node, ast.Try):
                inner = "try" if scope == "module" else scope
            elif isinstance(node, ast.If):
                inner = "conditional" if scope == "module" else scope
            else:
                inner = scope
            bodies: list[list[ast.stmt]] = [getattr(node, name, None) or [] for name in ("body", "orelse", "finalbody")]
            bodies.extend(h.body for h in getattr(node, "handlers", None) or [])
            bodies.extend(c.body for c in getattr(node, "cases", None) or [])
            for body in bodies:
                stack.extend((c, inner) for c in body if isinstance(c, ast.stmt))
    return sorted(out, key=lambda i: (i.location.file, i.location.line, i.module))


def _data_layer(p: Project) -> str:
    ext = any(t == ("instance", "flask_sqlalchemy.SQLAlchemy") for t in p.ctx.global_types.values())
    if p.ctx.models:
        return "flask_sqlalchemy" if ext else "sqlalchemy"
    if any(f.other_data for f in p.facts.values()) or p.ctx.peewee_models:
        return "unknown"
    return "flask_sqlalchemy" if ext else "none"


def _unhandled(p: Project) -> list[Unhandled]:
    out = []
    for f in p.facts.values():
        m = f.func.module
        for layer, node in f.other_data:
            out.append(
                Unhandled(m.location(node), f"data access through {layer} is not understood: its reads and writes are not tracked", m.segment(node, 1))
            )
    for m in p.index.modules.values():
        for node in m.nodes.calls:
            if isinstance(node.func, ast.Name) or isinstance(node.func, ast.Attribute):
                callee = p.resolver.expr(m.name, node.func)
                if callee in DYNAMIC_CALLS:
                    out.append(Unhandled(m.location(node), f"{DYNAMIC_CALLS[callee]}; not analysed", m.segment(node, 1)))
    if p.ctx.peewee_models:
        for q in sorted(p.ctx.peewee_models):
            c = p.defs.classes[q]
            out.append(Unhandled(c.module.location(c.node), "peewee model: its tables, queries and writes are not understood", f"class {c.name}(...)"))
    return out


def _notes(p: Project) -> list[str]:
    notes = []
    other_apps = [o.symbol for o in p.flask.objects.values() if o.kind == "app" and o.symbol != p.app.symbol]
    for o in sorted(other_apps):
        notes.append(f"another Flask app '{o}' exists; only '{p.app.symbol}' is analysed")
    layers = sorted({layer for f in p.facts.values() for layer, _ in f.other_data})
    for layer in layers:
        notes.append(f"data layer {layer} is not understood; model reads and writes through it are not tracked")
    return notes


def analyze_project(index: ProjectIndex, config: Config) -> AnalysisResult:
    """Analyse an already loaded project (what ``decompose.analysis.analyze`` does after loading)."""
    from decompose.analysis.domains import plan_domains
    from decompose.analysis.findings import run_findings

    p = build_project(index, config)
    inventory = build_inventory(p)
    plan, inventory = plan_domains(p, inventory)
    findings = run_findings(p, inventory, plan)
    config_file = None
    if config.source:
        from pathlib import Path

        try:
            config_file = Path(config.source).resolve().relative_to(index.root).as_posix()
        except ValueError:
            config_file = Path(config.source).name
    return AnalysisResult(inventory=inventory, domains=plan, findings=findings, config_file=config_file)
