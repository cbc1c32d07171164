"""What one function does: calls, queries, writes, external I/O, globals, loops — one ast walk.

Types are tracked just far enough to follow a Flask app: which local holds a model instance, a
list of query results, a query, a DB session, a client object (``requests.Session``, a project
class), or the request body. Nothing is guessed across ambiguity: an unknown type is None.

The walker is built in layers: :mod:`~decompose.analysis.function_facts` (vocabulary and
recorded facts), :mod:`~decompose.analysis.function_types` (names, types, query chains),
:mod:`~decompose.analysis.function_io` (external I/O, raw SQL); this module adds the shared
:class:`Context` and the statement and expression visitors.
"""

from __future__ import annotations

import ast

from decompose.analysis.astutil import walk
from decompose.analysis.definitions import Definitions, FuncDef
from decompose.analysis.function_facts import (
    EAGER,
    EXECUTING,
    FILTERING,
    IO_RULES,
    LIKE_OPS,
    MUTATORS,
    NETWORK_LABELS,
    QUERY_BUILDERS,
    REQUEST_DATA,
    SESSION_COMMITS,
    SESSION_WRITES,
    SINGLE,
    STATEMENTS,
    CallSite,
    Facts,
    IoSite,
    Loop,
    QuerySite,
    RelRead,
    TypeRef,
    WriteSite,
)
from decompose.analysis.function_io import IoWalker
from decompose.analysis.function_types import WalkerBase
from decompose.analysis.models import OTHER_DATA_LAYERS, SQLALCHEMY_EXTENSIONS, ModelDef
from decompose.analysis.names import Resolver
from decompose.analysis.project import ParsedModule

__all__ = [
    "CallSite",
    "Context",
    "EAGER",
    "EXECUTING",
    "FILTERING",
    "Facts",
    "IO_RULES",
    "IoSite",
    "LIKE_OPS",
    "Loop",
    "MUTATORS",
    "NETWORK_LABELS",
    "QUERY_BUILDERS",
    "QuerySite",
    "REQUEST_DATA",
    "RelRead",
    "SESSION_COMMITS",
    "SESSION_WRITES",
    "SINGLE",
    "STATEMENTS",
    "TypeRef",
    "Walker",
    "WalkerBase",
    "WriteSite",
    "walk_function",
]


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


class Walker(IoWalker):
    """Walks one function body once, in statement order, tracking local types and loops."""

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



def walk_function(ctx: Context, func: FuncDef) -> Facts:
    return Walker(ctx, func).run()
