"""What one function does: calls, queries, writes, external I/O, globals, loops — one ast walk.

Types are tracked just far enough to follow a Flask app: which local holds a model instance, a
list of query results, a query, a DB session, a client object (``requests.Session``, a project
class), or the request body. Nothing is guessed across ambiguity: an unknown type is None.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, cast

from decompose.analysis.astutil import children, walk
from decompose.analysis.definitions import Definitions, FuncDef
from decompose.analysis.models import OTHER_DATA_LAYERS, SQLALCHEMY_EXTENSIONS, ModelDef
from decompose.analysis.names import Resolver
from decompose.analysis.project import ParsedModule

TypeRef = tuple[str, str]  # (kind, class or model qualname)

#: terminal query methods that run SQL
EXECUTING = frozenset(
    {"all", "first", "one", "one_or_none", "scalar", "scalars", "get", "get_or_404", "first_or_404",
     "one_or_404", "count", "paginate", "delete", "update", "exists", "execute", "scalar_one",
     "scalar_one_or_none", "fetchall", "fetchone", "__iter__"}
)
SINGLE = frozenset({"first", "one", "one_or_none", "get", "get_or_404", "first_or_404", "one_or_404",
                    "scalar_one", "scalar_one_or_none", "scalar"})
QUERY_BUILDERS = frozenset({"filter", "filter_by", "where", "order_by", "limit", "offset", "join",
                            "outerjoin", "options", "group_by", "having", "distinct", "with_entities",
                            "select_from", "correlate", "execution_options", "params", "union",
                            "add_columns", "join_from"})
FILTERING = frozenset({"filter", "filter_by", "where", "order_by"})
LIKE_OPS = frozenset({"like", "ilike", "contains", "startswith", "endswith", "icontains", "istartswith", "iendswith", "match", "regexp_match"})
EAGER = frozenset({"joinedload", "selectinload", "subqueryload", "contains_eager", "immediateload"})
SESSION_WRITES = frozenset({"add", "add_all", "delete", "merge", "bulk_save_objects",
                            "bulk_insert_mappings", "bulk_update_mappings"})
SESSION_COMMITS = frozenset({"commit", "flush"})
STATEMENTS = {"select": "read", "update": "write", "delete": "write", "insert": "write"}

#: External I/O: qualified-name prefix -> (label, timeout policy, calls that do I/O or None = all)
IO_RULES: tuple[tuple[str, str, str, frozenset[str] | None], ...] = (
    ("requests.Session", "http", "kw", frozenset({"get", "post", "put", "patch", "delete", "head", "options", "request", "send"})),
    ("requests", "http", "kw", frozenset({"get", "post", "put", "patch", "delete", "head", "options", "request"})),
    ("httpx.Client", "http", "default:5s", frozenset({"get", "post", "put", "patch", "delete", "head", "options", "request", "send", "stream"})),
    ("httpx.AsyncClient", "http", "default:5s", frozenset({"get", "post", "put", "patch", "delete", "head", "options", "request", "send", "stream"})),
    ("httpx", "http", "default:5s", frozenset({"get", "post", "put", "patch", "delete", "head", "options", "request", "stream"})),
    ("urllib.request", "http", "urlopen", frozenset({"urlopen"})),
    ("urllib3.PoolManager", "http", "kw", frozenset({"request", "urlopen"})),
    ("http.client.HTTPConnection", "http", "kw", frozenset({"request", "getresponse"})),
    ("http.client.HTTPSConnection", "http", "kw", frozenset({"request", "getresponse"})),
    ("aiohttp.ClientSession", "http", "kw", frozenset({"get", "post", "put", "patch", "delete", "request"})),
    ("feedparser", "http", "none", frozenset({"parse"})),
    ("openai.OpenAI", "openai", "default:600s", None),
    ("openai", "openai", "default:600s", None),
    ("anthropic", "llm", "default:600s", None),
    ("smtplib.SMTP_SSL", "smtp", "kw", None),
    ("smtplib.SMTP", "smtp", "kw", None),
    ("boto3", "aws", "botocore", None),
    ("stripe", "http", "default", None),
    ("twilio", "http", "default", None),
    ("sendgrid", "http", "default", None),
    ("slack_sdk", "http", "default", None),
    ("socket", "socket", "kw", frozenset({"create_connection", "getaddrinfo", "gethostbyname"})),
    ("subprocess", "subprocess", "kw", frozenset({"run", "call", "check_call", "check_output", "Popen"})),
    ("redis.Redis", "redis", "datastore", None),
    ("redis.StrictRedis", "redis", "datastore", None),
)
#: labels that are a network dependency worth a sync_external_call finding
NETWORK_LABELS = frozenset({"http", "openai", "llm", "smtp", "aws", "socket"})
MUTATORS = frozenset({"append", "extend", "insert", "add", "update", "pop", "popitem", "remove",
                      "discard", "clear", "setdefault", "appendleft", "popleft", "sort", "reverse"})
REQUEST_DATA = {"flask.request.json", "flask.request.form", "flask.request.args", "flask.request.values",
                "flask.request.files", "flask.request.get_json"}


@dataclass(frozen=True)
class Loop:
    line: int
    source: str  # rows | relationship | other
    model: str | None = None
    names: frozenset[str] = frozenset()
    eager: frozenset[str] = frozenset()
    text: str = ""


@dataclass
class QuerySite:
    model: str | None
    terminal: str
    node: ast.AST
    loops: tuple[Loop, ...]
    executes: bool
    write: bool = False
    columns: list[tuple[str, str, str]] = field(default_factory=list)  # (model, column, how)
    eager: frozenset[str] = frozenset()
    calls: list[int] = field(default_factory=list)  # ids of the Call nodes of the chain
    via: tuple[str, str] | None = None  # (model, relationship) of a lazy="dynamic" query
    statement: bool = False  # a select()/update()/… statement built, not yet executed


@dataclass
class CallSite:
    target: str
    node: ast.AST
    loops: tuple[Loop, ...]
    reference: bool = False


@dataclass
class IoSite:
    label: str
    callee: str
    node: ast.Call
    loops: tuple[Loop, ...]
    timeout: str  # yes | no | default …


@dataclass
class WriteSite:
    model: str | None
    how: str  # add | delete | merge | commit | mutation | bulk | statement | raw_sql
    node: ast.AST


@dataclass
class RelRead:
    model: str  # model the attribute belongs to
    attr: str
    target: str
    lazy: str
    node: ast.AST
    loops: tuple[Loop, ...]
    var: str
    via: str = ""  # "method to_dict" when read inside a model method


@dataclass
class Facts:
    func: FuncDef
    calls: list[CallSite] = field(default_factory=list)
    queries: list[QuerySite] = field(default_factory=list)
    writes: list[WriteSite] = field(default_factory=list)
    io: list[IoSite] = field(default_factory=list)
    globals: list[tuple[str, ast.AST]] = field(default_factory=list)
    rel_reads: list[RelRead] = field(default_factory=list)
    raw_sql: list[tuple[str, ast.AST]] = field(default_factory=list)
    other_data: list[tuple[str, ast.AST]] = field(default_factory=list)  # (layer, node)
    request_keys: list[str] = field(default_factory=list)
    mutations: list[tuple[str, ast.AST]] = field(default_factory=list)  # (global, node)


class Context:
    """Everything the walkers share: names, definitions, models, global types."""

    def __init__(self, resolver: Resolver, defs: Definitions) -> None:
        self.resolver = resolver
        self.defs = defs
        self.models: dict[str, ModelDef] = {}
        self.global_types: dict[str, TypeRef] = {}
        self.peewee_models: set[str] = set()
        self._returns: dict[tuple[str, tuple[TypeRef | None, ...]], TypeRef | None] = {}
        self.tuples: list[tuple[TypeRef | None, ...]] = []
        self._tuple_index: dict[tuple[TypeRef | None, ...], int] = {}
        self.tables: dict[str, str] = {}
        self.g_types: dict[str, TypeRef] = {}  # attributes stored on flask.g

    # -- global types ----------------------------------------------------------------------
    def compute_global_types(self) -> None:
        for q, g in self.defs.globals.items():
            if g.value is None:
                continue
            t = self.call_type(g.module, g.value, None)
            if t is not None:
                self.global_types[q] = t

    def call_type(self, module: ParsedModule, value: ast.AST, walker: Walker | None) -> TypeRef | None:
        if not isinstance(value, ast.Call):
            return None
        callee = self.resolver.expr(module.name, value.func, walker.local if walker else frozenset())
        if walker is not None and callee is None:
            callee = walker.qualify(value.func)
        if callee is None:
            return None
        return self.constructed(callee)

    def constructed(self, callee: str) -> TypeRef | None:
        if callee in SQLALCHEMY_EXTENSIONS:
            return ("instance", "flask_sqlalchemy.SQLAlchemy")
        last = callee.rsplit(".", 1)[-1]
        if last == "declarative_base":
            return ("declarative", "")
        if last in ("scoped_session",):
            return ("session", "")
        if last == "sessionmaker":
            return ("instance", "sqlalchemy.orm.sessionmaker")
        if callee in ("sqlalchemy.orm.Session", "sqlalchemy.orm.session.Session"):
            return ("session", "")
        if callee in ("redis.from_url", "redis.Redis.from_url", "redis.StrictRedis.from_url"):
            return ("instance", "redis.Redis")
        if callee in ("requests.session",):
            return ("instance", "requests.Session")
        if callee in self.defs.classes:
            return ("instance", callee)
        for prefix in OTHER_DATA_LAYERS:
            if callee.startswith(prefix + ".") and callee.rsplit(".", 1)[-1] in ("connect", "Connection", "cursor", "MongoClient", "Database"):
                return ("instance", f"{prefix}.connection")
        if callee in self.defs.functions:
            return self.return_type(callee)
        parts = callee.split(".")
        if parts[-1][:1].isupper():
            return ("instance", callee)
        if len(parts) > 2 and parts[-2][:1].isupper():  # Class.from_url(...) and friends
            return ("instance", ".".join(parts[:-1]))
        return None

    def return_type(self, func: str, args: tuple[TypeRef | None, ...] = ()) -> TypeRef | None:
        """What ``func`` returns, given the types of its positional arguments (when known).

        A helper like ``paginate_query(query)`` returns rows of whatever model the query it is
        given selects, so the result is computed per distinct argument types (memoised).
        """
        key = (func, args)
        if key in self._returns:
            return self._returns[key]
        self._returns[key] = None  # recursion guard
        fdef = self.defs.functions.get(func)
        if fdef is None:
            return None
        params: dict[str, TypeRef] = {}
        names = [a.arg for a in [*fdef.node.args.posonlyargs, *fdef.node.args.args]]
        if fdef.kind == "method":
            names = names[1:]
        for name, t in zip(names, args, strict=False):
            if t is not None:
                params[name] = t
        walker = Walker(self, fdef, light=True, params=params)
        walker.run()
        self._returns[key] = walker.return_type
        return walker.return_type

    def tuple_type(self, elements: tuple[TypeRef | None, ...]) -> TypeRef:
        """A TypeRef for a tuple of typed elements (``return items, meta``)."""
        if elements not in self._tuple_index:
            self._tuple_index[elements] = len(self.tuples)
            self.tuples.append(elements)
        return ("tuple", str(self._tuple_index[elements]))


class Walker(ast.NodeVisitor):
    """Walks one function body once, in statement order, tracking local types and loops."""

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

    _dispatch: dict[type, Callable[[Walker, Any], None]] = {}

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

    # -- statements ------------------------------------------------------------------------
    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        for d in node.decorator_list:
            self.visit(d)

    visit_AsyncFunctionDef = visit_FunctionDef  # type: ignore[assignment]

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        for d in node.decorator_list:
            self.visit(d)

    def visit_Return(self, node: ast.Return) -> None:
        if node.value is not None:
            self.visit(node.value)
            t = self.type_of(node.value)
            if t is not None and self.return_type is None:
                self.return_type = t

    def visit_Assign(self, node: ast.Assign) -> None:
        self.visit(node.value)
        t = self.type_of(node.value)
        for target in node.targets:
            self._bind(target, t, node)
            if isinstance(target, ast.Name):
                eager: frozenset[str] = frozenset()
                if isinstance(node.value, ast.Call):
                    q = self.parse_query(node.value)
                    if q is not None:
                        eager = q.eager
                self._eager_of_var[target.id] = eager

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if node.value is not None:
            self.visit(node.value)
            self._bind(node.target, self.type_of(node.value), node)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        self.visit(node.value)
        self._bind(node.target, None, node, aug=True)

    def visit_NamedExpr(self, node: ast.NamedExpr) -> None:
        self.visit(node.value)
        self._bind(node.target, self.type_of(node.value), node)

    def _global_mutation(self, name_node: ast.AST, stmt: ast.AST) -> None:
        """A module-level name of the project changed from inside a function."""
        if self.light or not isinstance(name_node, ast.Name) or name_node.id in self.local:
            return
        q = self.qualify(name_node)
        if q is not None and q in self.ctx.defs.globals:
            self.facts.mutations.append((q, stmt))

    def _bind(self, target: ast.AST, t: TypeRef | None, stmt: ast.AST, aug: bool = False) -> None:
        if isinstance(target, ast.Name):
            self._global_mutation(target, stmt)  # only names declared `global` are not local
            if self.env.get(target.id) != t:
                self._memo.clear()  # types computed with the old binding are stale
            if t is None:
                if not aug:
                    self.env.pop(target.id, None)
            else:
                self.env[target.id] = t
        elif isinstance(target, ast.Attribute):
            if t is not None and self.qualify(target.value) == "flask.g":
                self.ctx.g_types[target.attr] = t
            base = self.type_of(target.value)
            if base is not None and base[0] == "instance" and base[1] in self.ctx.models:
                if not self.light:
                    self.facts.writes.append(WriteSite(base[1], "mutation", stmt))
            self.visit(target.value)
        elif isinstance(target, (ast.Tuple, ast.List)):
            elements: tuple[TypeRef | None, ...] = ()
            if t is not None and t[0] == "tuple":
                elements = self.ctx.tuples[int(t[1])]
            for i, elt in enumerate(target.elts):
                self._bind(elt, elements[i] if i < len(elements) else None, stmt)
        elif isinstance(target, ast.Subscript):
            self._global_mutation(target.value, stmt)
            self.visit(target.value)
            self.visit(target.slice)

    def visit_With(self, node: ast.With) -> None:
        for item in node.items:
            self.visit(item.context_expr)
            if item.optional_vars is not None:
                self._bind(item.optional_vars, self.type_of(item.context_expr), node)
        for stmt in node.body:
            self.visit(stmt)

    visit_AsyncWith = visit_With  # type: ignore[assignment]

    def _loop(self, iter_node: ast.AST, target: ast.AST, line: int) -> Loop:
        t = self.type_of(iter_node)
        names = frozenset(n.id for n in walk(target) if isinstance(n, ast.Name))
        if isinstance(iter_node, ast.Call) and isinstance(iter_node.func, ast.Name) and iter_node.func.id == "enumerate" and iter_node.args:
            t = self.type_of(iter_node.args[0])
        eager: frozenset[str] = frozenset()
        if isinstance(iter_node, ast.Call):
            q = self.parse_query(iter_node)
            if q is not None:
                eager = q.eager
        if isinstance(iter_node, ast.Name):
            eager = self._eager_of_var.get(iter_node.id, frozenset())
        text = self.module.segment(iter_node, 1)
        if t is not None and t[0] in ("rows", "query", "page"):
            return Loop(line, "rows", t[1], names, eager, text)
        if t is not None and t[0] == "rel":
            return Loop(line, "relationship", t[1], names, eager, text)
        return Loop(line, "other", None, names, eager, text)

    @property
    def _eager_of_var(self) -> dict[str, frozenset[str]]:
        found: dict[str, frozenset[str]] = self.__dict__.setdefault("_eager_vars", {})
        return found

    def visit_For(self, node: ast.For) -> None:
        self.visit(node.iter)
        loop = self._loop(node.iter, node.target, node.lineno)
        self._bind_loop_target(node.target, node.iter)
        self.loops.append(loop)
        for stmt in node.body:
            self.visit(stmt)
        self.loops.pop()
        for stmt in node.orelse:
            self.visit(stmt)

    visit_AsyncFor = visit_For  # type: ignore[assignment]

    def _bind_loop_target(self, target: ast.AST, iter_node: ast.AST) -> None:
        src = iter_node
        enumerate_ = isinstance(src, ast.Call) and isinstance(src.func, ast.Name) and src.func.id == "enumerate" and src.args
        if enumerate_:
            assert isinstance(src, ast.Call)
            src = src.args[0]
        t = self.type_of(src)
        item = ("instance", t[1]) if t is not None and t[0] in ("rows", "query", "rel") else None
        if enumerate_ and isinstance(target, ast.Tuple) and len(target.elts) == 2:
            self._bind(target.elts[0], None, target)
            self._bind(target.elts[1], item, target)
        else:
            self._bind(target, item, target)

    def visit_While(self, node: ast.While) -> None:
        self.visit(node.test)
        self.loops.append(Loop(node.lineno, "other", text="while " + self.module.segment(node.test, 1)))
        for stmt in node.body:
            self.visit(stmt)
        self.loops.pop()
        for stmt in node.orelse:
            self.visit(stmt)

    def _comprehension(self, node: ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp) -> None:
        pushed = 0
        saved = dict(self.env)
        for gen in node.generators:
            self.visit(gen.iter)
            loop = self._loop(gen.iter, gen.target, node.lineno)
            self._bind_loop_target(gen.target, gen.iter)
            self.loops.append(loop)
            pushed += 1
            for cond in gen.ifs:
                self.visit(cond)
        if isinstance(node, ast.DictComp):
            self.visit(node.key)
            self.visit(node.value)
        else:
            self.visit(node.elt)
        for _ in range(pushed):
            self.loops.pop()
        self.env = saved

    visit_ListComp = _comprehension
    visit_SetComp = _comprehension
    visit_GeneratorExp = _comprehension
    visit_DictComp = _comprehension

    # -- expressions -----------------------------------------------------------------------
    def visit_Call(self, node: ast.Call) -> None:
        if id(node) not in self._consumed and not self.light:
            self._record_call(node)
        elif id(node) not in self._consumed and self.light:
            q = self.parse_query(node)
            if q is not None:
                self._consumed.update(q.calls)
        func = node.func
        if isinstance(func, ast.Name):
            self._call_funcs.add(id(func))
        for arg in node.args:
            self.visit(arg)
        for kw in node.keywords:
            self.visit(kw.value)
        self.visit(func)

    def _record_call(self, node: ast.Call) -> None:
        facts = self.facts
        loops = tuple(self.loops)
        q = self.parse_query(node)
        if q is not None:
            self._consumed.update(q.calls)
            facts.queries.append(q)
            if q.write and q.model:
                facts.writes.append(WriteSite(q.model, "bulk" if q.terminal in ("delete", "update") else "statement", node))
            return
        func = node.func
        callee = self.qualify(func)
        method = func.attr if isinstance(func, ast.Attribute) else None
        if method in MUTATORS and isinstance(func, ast.Attribute):
            self._global_mutation(func.value, node)
        base_t = self.type_of(func.value) if isinstance(func, ast.Attribute) else None
        # DB session bookkeeping
        if base_t is not None and (base_t[0] == "session" or (base_t == ("instance", "flask_sqlalchemy.SQLAlchemy") and method == "session")):
            if method in SESSION_WRITES:
                model = None
                if node.args:
                    t = self.type_of(node.args[0])
                    if t is not None and t[0] in ("instance", "rows", "rel") and t[1] in self.ctx.models:
                        model = t[1]
                    elif method.startswith("bulk_") and not node.args[0:1] == []:
                        model = self._model_of(node.args[0])
                facts.writes.append(WriteSite(model, method, node))
                return
            if method in SESSION_COMMITS:
                facts.writes.append(WriteSite(None, method, node))
                return
            if method in ("execute", "scalar", "scalars") and node.args:
                sql = self._sql_text(node.args[0])
                if sql is not None:
                    self._raw_sql(sql, node)
                    return
        if callee is not None and callee.endswith((".execute", ".executemany")) and node.args:
            sql = self._sql_text(node.args[0])
            if sql is not None and base_t is not None:
                self._raw_sql(sql, node)
        # method on a typed object
        if base_t is not None and method is not None:
            kind, cls = base_t
            if kind == "instance" and cls in self.ctx.defs.classes:
                target = self.ctx.defs.method(cls, method)
                if target is not None:
                    facts.calls.append(CallSite(target, node, loops))
                    if cls in self.ctx.models and target.rsplit(".", 1)[-1] in self.ctx.models[cls].self_rel_reads:
                        receiver = func.value if isinstance(func, ast.Attribute) else None
                        var = receiver.id if isinstance(receiver, ast.Name) else ""
                        for attr in sorted(self.ctx.models[cls].self_rel_reads[method]):
                            tgt, lazy, _ = self._relationship(cls, attr) or ("?", "select", True)
                            facts.rel_reads.append(RelRead(cls, attr, tgt, lazy, node, loops, var, via=f"{method}()"))
                    return
            if kind == "instance":
                callee = f"{cls}.{method}"
            if kind == "rel" and method in ("append", "remove", "extend"):
                facts.writes.append(WriteSite(cls, "mutation", node))
            if kind == "reqdata" and method == "get" and node.args and isinstance(node.args[0], ast.Constant):
                facts.request_keys.append(str(node.args[0].value))
        if callee is None:
            return
        if callee in self.ctx.defs.functions:
            facts.calls.append(CallSite(callee, node, loops))
            return
        if callee in self.ctx.defs.classes:
            init = self.ctx.defs.method(callee, "__init__")
            if init is not None:
                facts.calls.append(CallSite(init, node, loops))
            return
        if callee.rsplit(".", 1)[-1] == "text" and callee.startswith("sqlalchemy"):
            return
        label = self._io(callee, node)
        if label is not None:
            return
        for prefix, layer in OTHER_DATA_LAYERS.items():
            if callee == prefix or callee.startswith(prefix + "."):
                facts.other_data.append((layer, node))
                return
        root = callee.split(".")[0]
        if root in self.ctx.peewee_models or callee.rsplit(".", 1)[0] in self.ctx.peewee_models:
            facts.other_data.append(("peewee", node))

    def _arg_types(self, node: ast.Call) -> tuple[TypeRef | None, ...]:
        """Types of the positional arguments, when any is a query, rows or a model instance."""
        if not node.args or len(node.args) > 6:
            return ()
        types = tuple(self.type_of(a) if not isinstance(a, ast.Starred) else None for a in node.args)
        if not any(t is not None and t[0] in ("query", "rows", "rel", "page") for t in types):
            return ()
        return types

    def _io(self, callee: str, node: ast.Call) -> str | None:
        # instance types carry a trailing "()" per call in the chain: strip them for matching
        clean = callee.replace("()", "")
        for prefix, label, policy, calls in IO_RULES:
            if clean == prefix or clean.startswith(prefix + "."):
                last = clean.rsplit(".", 1)[-1]
                if calls is not None and last not in calls:
                    continue
                if calls is None and last[:1].isupper() and label not in ("smtp",):
                    continue  # constructing a client is not I/O
                if clean.endswith(("Error", "Exception")):
                    continue
                timeout = _timeout(node, policy)
                self.facts.io.append(IoSite(label, clean, node, tuple(self.loops), timeout))
                return label
        return None

    def _sql_text(self, node: ast.AST) -> str | None:
        if isinstance(node, ast.Call) and (self.qualify(node.func) or "").endswith("text") and node.args:
            node = node.args[0]
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value
        if isinstance(node, ast.JoinedStr):
            return "".join(str(v.value) if isinstance(v, ast.Constant) else "?" for v in node.values)
        return None

    def _raw_sql(self, sql: str, node: ast.AST) -> None:
        self.facts.raw_sql.append((sql, node))
        upper = sql.upper()
        write = bool(re.match(r"\s*(INSERT|UPDATE|DELETE|REPLACE|CREATE|DROP|ALTER)", upper))
        for table in re.findall(r"\b(?:FROM|JOIN|UPDATE|INTO)\s+[\"`]?(\w+)", sql, re.I):
            model = self.ctx.tables.get(table.lower())
            if model is None:
                continue
            if write:
                self.facts.writes.append(WriteSite(model, "raw_sql", node))
            else:
                self.facts.queries.append(QuerySite(model, "raw_sql", node, tuple(self.loops), True))

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if not self.light and isinstance(node.ctx, ast.Load):
            base = self.type_of(node.value)
            if base is not None and base[0] == "instance" and base[1] in self.ctx.models:
                rel = self._relationship(base[1], node.attr)
                if rel is not None:
                    root: ast.AST = node.value
                    while isinstance(root, ast.Attribute):
                        root = root.value
                    var = root.id if isinstance(root, ast.Name) else self.module.segment(node.value, 1)
                    self.facts.rel_reads.append(RelRead(base[1], node.attr, rel[0], rel[1], node, tuple(self.loops), var))
            q = self.qualify(node)
            if q is not None and q in self.ctx.defs.globals:
                self.facts.globals.append((q, node))
                return
            if base is not None and base[0] == "reqdata":
                pass
        self.visit(node.value)

    def visit_Subscript(self, node: ast.Subscript) -> None:
        if not self.light:
            base = self.type_of(node.value)
            if base is not None and base[0] == "reqdata" and isinstance(node.slice, ast.Constant):
                self.facts.request_keys.append(str(node.slice.value))
        self.visit(node.value)
        self.visit(node.slice)

    def visit_Name(self, node: ast.Name) -> None:
        if self.light or not isinstance(node.ctx, ast.Load):
            return
        if node.id in self.local and node.id not in self.imports:
            return
        q = self.qualify(node)
        if q is None:
            return
        if q in self.ctx.defs.globals:
            self.facts.globals.append((q, node))
        elif id(node) not in self._call_funcs and (q in self.ctx.defs.functions):
            self.facts.calls.append(CallSite(q, node, tuple(self.loops), reference=True))

    def visit_Lambda(self, node: ast.Lambda) -> None:
        self.visit(node.body)


def _timeout(node: ast.Call, policy: str) -> str:
    kw = next((k for k in node.keywords if k.arg == "timeout"), None)
    if kw is not None:
        if isinstance(kw.value, ast.Constant) and kw.value.value is None:
            return "no (timeout=None)"
        return "yes"
    if policy == "urlopen" and len(node.args) >= 3:
        return "yes"
    if policy.startswith("default:"):
        return f"library default ({policy.split(':', 1)[1]})"
    if policy == "none":
        return "no (the library has no timeout parameter)"
    if policy in ("datastore", "botocore", "default"):
        return "library default"
    return "no"


def _chain_calls(node: ast.AST) -> list[ast.Call]:
    out = []
    while isinstance(node, (ast.Call, ast.Attribute)):
        if isinstance(node, ast.Call):
            out.append(node)
            node = node.func
        else:
            node = node.value
    return out


def walk_function(ctx: Context, func: FuncDef) -> Facts:
    return Walker(ctx, func).run()
