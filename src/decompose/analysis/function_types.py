"""The function walker's base: dispatch, names, local types and query chains.

A query's type is the model it selects, so type inference and query parsing are one piece:
``type_of`` parses query chains and ``parse_query`` asks for the types of their receivers.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from decompose.analysis.astutil import children, walk
from decompose.analysis.definitions import FuncDef
from decompose.analysis.function_facts import (
    EAGER,
    EXECUTING,
    FILTERING,
    LIKE_OPS,
    QUERY_BUILDERS,
    REQUEST_DATA,
    SESSION_COMMITS,
    SESSION_WRITES,
    SINGLE,
    STATEMENTS,
    Facts,
    Loop,
    QuerySite,
    TypeRef,
)

if TYPE_CHECKING:
    from decompose.analysis.functions import Context


class WalkerBase(ast.NodeVisitor):
    """Walks one function body once, in statement order, tracking local types and loops.

    This base knows names, types and queries; :class:`decompose.analysis.functions.Walker`
    adds the statement and expression visitors.
    """

    def __init__(self, ctx: Context, func: FuncDef, *, light: bool = False, params: dict[str, TypeRef] | None = None) -> None:
        self.ctx = ctx
        self.r = ctx.resolver
        self.func = func
        self.module = func.module
        self.light = light  # only the return type is wanted
        self.local = func.local_names
        self.imports: dict[str, str] = {}
        self.env: dict[str, TypeRef] = {}
        self.loops: list[Loop] = []
        self.facts = Facts(func)
        self.return_type: TypeRef | None = None
        self._consumed: set[int] = set()
        self._call_funcs: set[int] = set()
        self._memo: dict[tuple[str, int], object] = {}
        if func.cls is not None:
            self.env["self"] = ("instance", func.cls)
            if func.cls in ctx.models:
                self.env["self"] = ("instance", func.cls)
        self.imports = func.local_imports
        if params:
            self.env.update(params)

    _dispatch: dict[type, Callable[[WalkerBase, Any], None]] = {}

    def visit(self, node: ast.AST) -> None:
        """Dispatch on the node type through a per-class table (``ast.NodeVisitor`` builds
        the method name and looks it up on every node)."""
        tp = type(node)
        method = self._dispatch.get(tp)
        if method is None:
            method = getattr(type(self), "visit_" + tp.__name__, None) or type(self).generic_visit
            self._dispatch[tp] = method
        method(self, node)

    def generic_visit(self, node: ast.AST) -> None:
        for child in children(node):
            self.visit(child)

    def visit_Constant(self, node: ast.Constant) -> None:
        """Nothing below a constant (and ast.NodeVisitor's own visit_Constant is slow)."""

    def run(self) -> Facts:
        for stmt in self.func.node.body:
            self.visit(stmt)
        return self.facts

    # -- names -----------------------------------------------------------------------------
    def qualify(self, node: ast.AST) -> str | None:
        """Canonical qualified name of a dotted expression in this function's scope."""
        if isinstance(node, ast.Name):
            if node.id in self.imports:
                return self.r.canonical(self.imports[node.id])
            if node.id in self.local:
                return None
            return self.r.name(self.module.name, node.id)
        if isinstance(node, ast.Attribute):
            base = self.qualify(node.value)
            return self.r.canonical(f"{base}.{node.attr}") if base else None
        return None

    def type_of(self, node: ast.AST | None) -> TypeRef | None:
        """The type of an expression here (memoised until a local is rebound: method chains
        would otherwise be typed again for every prefix, exponentially)."""
        if node is None:
            return None
        key = ("t", id(node))
        if key in self._memo:
            return cast("TypeRef | None", self._memo[key])
        self._memo[key] = None  # a cycle through this node types as unknown
        found = self._type_of(node)
        self._memo[key] = found
        return found

    def _type_of(self, node: ast.AST) -> TypeRef | None:
        if node is None:
            return None
        if isinstance(node, ast.Name):
            if node.id in self.env:
                return self.env[node.id]
            if node.id in self.local and node.id not in self.imports:
                return None
            q = self.qualify(node)
            if q is None:
                return None
            if q in self.ctx.global_types:
                return self.ctx.global_types[q]
            if q in self.ctx.models:
                return ("model_class", q)
            return None
        if isinstance(node, ast.Attribute):
            q = self.qualify(node)
            if q is not None:
                if q in REQUEST_DATA:
                    return ("reqdata", "")
                if q in self.ctx.global_types:
                    return self.ctx.global_types[q]
                if q.startswith("flask.g.") and q[8:] in self.ctx.g_types:
                    return self.ctx.g_types[q[8:]]
            base = self.type_of(node.value)
            if base is None:
                return None
            kind, cls = base
            if kind == "model_class" and node.attr == "query":
                return ("query", cls)
            if kind == "instance" and cls == "flask_sqlalchemy.SQLAlchemy" and node.attr == "session":
                return ("session", "")
            if kind == "instance" and cls in self.ctx.models:
                rel = self._relationship(cls, node.attr)
                if rel is not None:
                    target, lazy, uselist = rel
                    if lazy == "dynamic":
                        return ("query", target)
                    return ("rel", target) if uselist else ("instance", target)
                return None
            if kind == "page" and node.attr == "items":
                return ("rows", cls)
            if kind == "instance" and cls in self.ctx.defs.classes:
                for c in self.ctx.defs.mro(cls):
                    info = self.ctx.defs.classes.get(c)
                    if info is not None and node.attr in info.self_attrs:
                        value = info.self_attrs[node.attr]
                        return self.ctx.call_type(info.module, value, None)
                return None
            if kind == "instance" and node.attr[:1].islower() and not cls.startswith(tuple(self.ctx.defs.classes)):
                # attribute of an external object keeps its family (client.chat.completions)
                return ("instance", f"{cls}.{node.attr}")
            return None
        if isinstance(node, ast.Call):
            site = self.parse_query(node)
            if site is not None:
                return self._query_type(site)
            func = node.func
            if isinstance(func, ast.Attribute):
                base = self.type_of(func.value)
                if base is not None:
                    kind, cls = base
                    if kind == "reqdata":
                        return None
                    if kind == "instance" and cls in self.ctx.defs.classes:
                        m = self.ctx.defs.method(cls, func.attr)
                        return self.ctx.return_type(m, self._arg_types(node)) if m else None
                    if kind == "instance" and cls == "sqlalchemy.orm.sessionmaker":
                        return None
                    if kind == "instance" and not cls.startswith("flask"):
                        return ("instance", f"{cls}.{func.attr}()")
                if self.qualify(func) in ("flask.request.get_json",):
                    return ("reqdata", "")
            t = self.type_of(func)
            if t == ("instance", "sqlalchemy.orm.sessionmaker"):
                return ("session", "")
            callee = self.qualify(func)
            if callee is not None:
                if callee in REQUEST_DATA:
                    return ("reqdata", "")
                if callee in self.ctx.defs.functions:
                    return self.ctx.return_type(callee, self._arg_types(node))
                return self.ctx.constructed(callee)
            return None
        if isinstance(node, ast.Tuple):
            elements = tuple(self.type_of(e) for e in node.elts)
            return self.ctx.tuple_type(elements) if any(elements) else None
        if isinstance(node, ast.Subscript):
            base = self.type_of(node.value)
            if base is not None and base[0] in ("rows", "rel"):
                return ("instance", base[1])
            return None
        if isinstance(node, ast.IfExp):
            return self.type_of(node.body) or self.type_of(node.orelse)
        if isinstance(node, ast.BoolOp):
            for v in node.values:
                t = self.type_of(v)
                if t is not None:
                    return t
            return None
        if isinstance(node, ast.Await):
            return self.type_of(node.value)
        if isinstance(node, (ast.ListComp,)):
            return None
        return None

    def _relationship(self, model: str, attr: str) -> tuple[str, str, bool] | None:
        for c in self.ctx.defs.mro(model):
            m = self.ctx.models.get(c)
            if m is not None and attr in m.relationships:
                return m.relationships[attr]
        return None

    def _column(self, model: str, attr: str) -> bool:
        for c in self.ctx.defs.mro(model):
            m = self.ctx.models.get(c)
            if m is not None and attr in m.columns:
                return True
        return False

    # -- queries ---------------------------------------------------------------------------
    def parse_query(self, node: ast.Call) -> QuerySite | None:
        """A SQLAlchemy query chain ending in ``node``, or None (memoised like type_of)."""
        key = ("q", id(node))
        if key in self._memo:
            return cast("QuerySite | None", self._memo[key])
        self._memo[key] = None
        found = self._parse_query(node)
        self._memo[key] = found
        return found

    def _parse_query(self, node: ast.Call) -> QuerySite | None:
        links: list[ast.AST] = []
        cur: ast.AST = node
        while True:
            links.append(cur)
            if isinstance(cur, ast.Call):
                cur = cur.func
            elif isinstance(cur, ast.Attribute):
                cur = cur.value
            else:
                break
        links.reverse()  # root first
        model: str | None = None
        start = None
        kind = ""
        via: tuple[str, str] | None = None
        for i, link in enumerate(links):
            t = self._chain_type(link) if isinstance(link, (ast.Name, ast.Attribute)) else None
            if t is not None and t[0] == "query" and i + 1 < len(links):
                model, start, kind = t[1], i, "query"
                if isinstance(link, ast.Attribute):
                    owner = self.type_of(link.value)
                    if owner is not None and owner[0] == "instance" and self._relationship(owner[1], link.attr):
                        via = (owner[1], link.attr)
                break
            if t is not None and t[0] in ("session", "instance") and (t[0] == "session" or t[1] == "flask_sqlalchemy.SQLAlchemy"):
                if i + 2 < len(links) and isinstance(links[i + 1], ast.Attribute) and isinstance(links[i + 2], ast.Call):
                    start, kind = i, "session" if t[0] == "session" else "ext"
                    break
            if isinstance(link, ast.Call):
                # the first call of the chain: select(User), sa.select(User)
                callee = self.qualify(link.func)
                last = callee.rsplit(".", 1)[-1] if callee else None
                if callee and callee.startswith("sqlalchemy") and last in STATEMENTS and link.args:
                    model = self._model_of(link.args[0])
                    start, kind = i, "statement:" + STATEMENTS[last]
                break
        if start is None:
            return None
        calls = [lk for lk in links[start:] if isinstance(lk, ast.Call)]
        if not calls:
            return None
        site = QuerySite(model=model, terminal="", node=node, loops=tuple(self.loops), executes=False, via=via)
        methods = []
        for c in calls:
            assert isinstance(c, ast.Call)
            name = c.func.attr if isinstance(c.func, ast.Attribute) else (self.qualify(c.func) or "").rsplit(".", 1)[-1]
            methods.append((name, c))
        first_name, first_call = methods[0]
        if kind in ("session", "ext"):
            if first_name == "query" and first_call.args:
                site.model = self._model_of(first_call.args[0])
            elif kind == "ext" and first_name in STATEMENTS and first_call.args:
                site.model = self._model_of(first_call.args[0])  # db.select(User)
                site.statement = True
                site.write = STATEMENTS[first_name] == "write"
            elif first_name in ("get", "get_or_404", "one_or_404", "first_or_404", "paginate", "execute", "scalars", "scalar") and first_call.args:
                inner = first_call.args[0]
                site.model = self._model_of(inner)
                held = self.type_of(inner) if isinstance(inner, ast.Name) else None
                if site.model is None and held is not None and held[0] in ("query", "rows"):
                    site.model = held[1]  # stmt = sa.select(User)…; db.session.scalar(stmt)
                if site.model is None and isinstance(inner, ast.Call):
                    sub = self.parse_query(inner)
                    if sub is not None:
                        calls.extend(c for c in _chain_calls(inner))
                        site.model = sub.model
                        site.columns.extend(sub.columns)
                        site.eager = sub.eager
                        if sub.write:
                            site.write = True
                    elif self._is_text(inner):
                        return None  # raw SQL, recorded by visit_Call
            elif first_name in SESSION_WRITES or first_name in SESSION_COMMITS or first_name in ("rollback", "close", "remove", "refresh", "expire", "expunge", "begin", "no_autoflush"):
                return None  # session bookkeeping, handled by visit_Call
            elif first_name not in ("query",) and kind == "ext":
                return None
        elif kind.startswith("statement"):
            site.write = kind.endswith("write")
            site.statement = True
        site.terminal = methods[-1][0]
        for name, c in methods:
            if name in FILTERING:
                for col in self._filter_columns(c, site.model, name):
                    site.columns.append(col)
            if name == "options":
                site.eager = site.eager | self._eager(c)
        site.executes = site.terminal in EXECUTING or kind in ("session", "ext")
        if kind == "query" and site.terminal in ("delete", "update"):
            site.write = True
        site.calls = [id(c) for c in calls]
        return site

    def _chain_type(self, node: ast.AST) -> TypeRef | None:
        t = self.type_of(node)
        return t

    def _is_text(self, node: ast.AST) -> bool:
        return isinstance(node, ast.Call) and (self.qualify(node.func) or "").endswith("text")

    def _model_of(self, node: ast.AST) -> str | None:
        q = self.qualify(node) if isinstance(node, (ast.Name, ast.Attribute)) else None
        if q in self.ctx.models:
            return q
        if isinstance(node, ast.Attribute):
            return self._model_of(node.value)
        return None

    def _filter_columns(self, call: ast.Call, model: str | None, how: str) -> list[tuple[str, str, str]]:
        out = []
        if how == "filter_by" and model is not None:
            for k in call.keywords:
                if k.arg and self._column(model, k.arg):
                    out.append((model, k.arg, how))
            return out
        likes: set[int] = set()
        for arg in call.args:
            for sub in walk(arg):
                if isinstance(sub, ast.Call) and isinstance(sub.func, ast.Attribute) and sub.func.attr in LIKE_OPS:
                    likes.add(id(sub.func.value))
        for arg in call.args:
            for sub in walk(arg):
                if isinstance(sub, ast.Attribute):
                    m = self._model_of(sub.value) if isinstance(sub.value, (ast.Name, ast.Attribute)) else None
                    if m is not None and self.qualify(sub.value) == m and self._column(m, sub.attr):
                        out.append((m, sub.attr, "like" if id(sub) in likes else how))
        return out

    def _eager(self, call: ast.Call) -> frozenset[str]:
        names = set()
        for sub in walk(call):
            if isinstance(sub, ast.Call):
                last = (self.qualify(sub.func) or (sub.func.attr if isinstance(sub.func, ast.Attribute) else "")).rsplit(".", 1)[-1]
                if last in EAGER:
                    for a in sub.args:
                        if isinstance(a, ast.Attribute):
                            names.add(a.attr)
                        elif isinstance(a, ast.Constant) and isinstance(a.value, str):
                            names.add(a.value.rsplit(".", 1)[-1])
        return frozenset(names)

    def _query_type(self, q: QuerySite) -> TypeRef | None:
        if q.model is None:
            return None
        if q.terminal in SINGLE:
            return ("instance", q.model)
        if q.terminal in ("all", "scalars"):
            return ("rows", q.model)
        if q.terminal == "paginate":
            return ("page", q.model)
        if q.terminal in QUERY_BUILDERS or q.terminal in ("query", "execute") or q.statement:
            return ("query", q.model)
        return None

    def _arg_types(self, node: ast.Call) -> tuple[TypeRef | None, ...]:
        """Types of the positional arguments, when any is a query, rows or a model instance."""
        if not node.args or len(node.args) > 6:
            return ()
        types = tuple(self.type_of(a) if not isinstance(a, ast.Starred) else None for a in node.args)
        if not any(t is not None and t[0] in ("query", "rows", "rel", "page") for t in types):
            return ()
        return types


def _chain_calls(node: ast.AST) -> list[ast.Call]:
    out = []
    while isinstance(node, (ast.Call, ast.Attribute)):
        if isinstance(node, ast.Call):
            out.append(node)
            node = node.func
        else:
            node = node.value
    return out
