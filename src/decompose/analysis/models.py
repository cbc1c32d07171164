"""SQLAlchemy / Flask-SQLAlchemy models, and data layers analyze does not understand."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field

from decompose.analysis.astutil import walk
from decompose.analysis.definitions import ClassDef, Definitions
from decompose.analysis.names import Resolver
from decompose.model import ModelInfo

#: Qualified names of the classes whose instances are a Flask-SQLAlchemy extension.
SQLALCHEMY_EXTENSIONS = frozenset(
    {"flask_sqlalchemy.SQLAlchemy", "flask_sqlalchemy.extension.SQLAlchemy"}
)
DECLARATIVE_FACTORIES = frozenset(
    {
        "sqlalchemy.orm.declarative_base",
        "sqlalchemy.ext.declarative.declarative_base",
        "sqlalchemy.orm.decl_api.declarative_base",
    }
)
DECLARATIVE_BASES = frozenset(
    {
        "sqlalchemy.orm.DeclarativeBase",
        "sqlalchemy.orm.DeclarativeBaseNoMeta",
        "sqlalchemy.orm.decl_api.DeclarativeBase",
    }
)
#: Modules of data layers whose queries analyze does not model (reported, never guessed).
OTHER_DATA_LAYERS = {
    "sqlite3": "sqlite3 (DB-API)",
    "psycopg2": "psycopg2 (DB-API)",
    "psycopg": "psycopg (DB-API)",
    "pymysql": "PyMySQL (DB-API)",
    "MySQLdb": "MySQLdb (DB-API)",
    "mysql.connector": "mysql-connector (DB-API)",
    "peewee": "peewee",
    "playhouse": "peewee",
    "pymongo": "pymongo",
    "flask_pymongo": "pymongo",
    "mongoengine": "mongoengine",
    "pony": "Pony ORM",
    "records": "records",
    "dataset": "dataset",
    "tortoise": "Tortoise ORM",
}


@dataclass
class ModelDef:
    qualname: str
    name: str
    cls: ClassDef
    table: str
    columns: dict[str, ast.AST] = field(default_factory=dict)  # attribute -> defining node
    indexed: set[str] = field(default_factory=set)
    composite: list[tuple[str, ...]] = field(default_factory=list)
    foreign_keys: dict[str, str] = field(default_factory=dict)
    relationships: dict[str, tuple[str, str, bool]] = field(default_factory=dict)  # attr -> (target, lazy, uselist)
    self_rel_reads: dict[str, set[str]] = field(default_factory=dict)  # method -> relationship attrs via self

    def info(self) -> ModelInfo:
        m = self.cls.module
        return ModelInfo(
            name=self.name,
            qualname=self.qualname,
            table=self.table,
            location=m.location(self.cls.node, span=True),
            columns=tuple(self.columns),
            indexed_columns=tuple(c for c in self.columns if c in self.indexed),
            foreign_keys=tuple(sorted(self.foreign_keys.items())),
            relationships=tuple(
                (attr, target, lazy) for attr, (target, lazy, _) in sorted(self.relationships.items())
            ),
            composite_indexes=tuple(self.composite),
            module=m.name,
        )


def camel_to_snake(name: str) -> str:
    """Flask-SQLAlchemy's default ``__tablename__``."""
    name = re.sub(r"((?<=[a-z0-9])[A-Z]|(?!^)[A-Z](?=[a-z]))", r"_\1", name)
    return name.lower().lstrip("_")


def find_models(resolver: Resolver, defs: Definitions, global_types: dict[str, tuple[str, str]]) -> dict[str, ModelDef]:
    """Model classes by qualified name (abstract bases and mixins excluded)."""
    ext_model_bases = {
        f"{q}.Model" for q, t in global_types.items() if t == ("instance", "flask_sqlalchemy.SQLAlchemy")
    }
    declarative = {q for q, t in global_types.items() if t == ("declarative", "")}
    is_model: dict[str, bool] = {}

    def check(q: str, seen: frozenset[str] = frozenset()) -> bool:
        if q in is_model:
            return is_model[q]
        if q in ext_model_bases or q in declarative or q in DECLARATIVE_BASES:
            return True
        info = defs.classes.get(q)
        if info is None or q in seen:
            return False
        result = any(check(b, seen | {q}) for b in info.bases)
        is_model[q] = result
        return result

    models: dict[str, ModelDef] = {}
    for q, info in defs.classes.items():
        if not any(check(b) for b in info.bases):
            continue
        if _is_abstract(info) or any(b in DECLARATIVE_BASES for b in info.bases):
            continue  # class Base(DeclarativeBase): the base, not a model
        if not _has_columns(info) and "__tablename__" not in info.attrs:
            continue
        table = _tablename(info)
        models[q] = ModelDef(q, info.name, info, table)
    by_name = {m.name: q for q, m in models.items()}
    for m in models.values():
        _columns(resolver, defs, m, models, by_name)
    # backrefs create the reverse relationship on the target model
    for q, m in list(models.items()):
        for node in m.cls.node.body:
            for call in _calls_in(node):
                if _last(call.func) != "relationship":
                    continue
                backref = _kw(call, "backref")
                target = _relationship_target(resolver, m, call, by_name)
                if backref is None or target not in models:
                    continue
                name, lazy, uselist = None, "select", True
                if isinstance(backref, ast.Constant) and isinstance(backref.value, str):
                    name = backref.value
                elif isinstance(backref, ast.Call) and backref.args and isinstance(backref.args[0], ast.Constant):
                    name = str(backref.args[0].value)
                    lazy_node = _kw(backref, "lazy")
                    if isinstance(lazy_node, ast.Constant):
                        lazy = str(lazy_node.value)
                    ul = _kw(backref, "uselist")
                    if isinstance(ul, ast.Constant):
                        uselist = bool(ul.value)
                if name:
                    # many-to-one backref of a one-to-many relationship holds one object
                    own_uselist = _kw(call, "uselist")
                    if isinstance(own_uselist, ast.Constant) and own_uselist.value is False:
                        uselist = False
                    elif not isinstance(backref, ast.Call):
                        uselist = False
                    models[target].relationships.setdefault(name, (q, lazy, uselist))
    for m in models.values():
        _self_reads(m)
    return models


def _is_abstract(info: ClassDef) -> bool:
    value = info.attrs.get("__abstract__")
    return isinstance(value, ast.Constant) and value.value is True


def _has_columns(info: ClassDef) -> bool:
    for value in info.attrs.values():
        if isinstance(value, ast.Call) and _last(value.func) in ("Column", "mapped_column"):
            return True
        if isinstance(value, ast.Subscript) and _last(value.value) == "Mapped":
            return True
    return False


def _tablename(info: ClassDef) -> str:
    value = info.attrs.get("__tablename__")
    if isinstance(value, ast.Constant) and isinstance(value.value, str):
        return value.value
    return camel_to_snake(info.name)


def _last(node: ast.AST) -> str | None:
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    return None


def _kw(call: ast.Call, name: str) -> ast.expr | None:
    for k in call.keywords:
        if k.arg == name:
            return k.value
    return None


def _true(node: ast.expr | None) -> bool:
    return isinstance(node, ast.Constant) and node.value is True


def _calls_in(node: ast.AST) -> list[ast.Call]:
    return [n for n in walk(node) if isinstance(n, ast.Call)]


def _relationship_target(resolver: Resolver, m: ModelDef, call: ast.Call, by_name: dict[str, str]) -> str | None:
    if not call.args:
        return None
    arg = call.args[0]
    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
        name = arg.value.rsplit(".", 1)[-1]
        return by_name.get(name)
    q = resolver.expr(m.cls.module.name, arg)
    if q is not None:
        return q
    return by_name.get(_last(arg) or "")


def _columns(resolver: Resolver, defs: Definitions, m: ModelDef, models: dict[str, ModelDef], by_name: dict[str, str]) -> None:
    # inherited columns (single-table / joined inheritance, mixins)
    for base in defs.mro(m.qualname)[1:]:
        if base in models:
            continue  # filled from that model's own pass; lookups go through the MRO
        binfo = defs.classes.get(base)
        if binfo is not None:
            _class_columns(resolver, m, binfo, by_name)
    _class_columns(resolver, m, m.cls, by_name)
    args = m.cls.attrs.get("__table_args__")
    if args is not None:
        for call in _calls_in(args):
            if _last(call.func) in ("Index", "UniqueConstraint", "PrimaryKeyConstraint"):
                cols = _index_columns(call, skip_name=_last(call.func) == "Index")
                _add_index(m, cols)


def _class_columns(resolver: Resolver, m: ModelDef, info: ClassDef, by_name: dict[str, str]) -> None:
    for node in info.node.body:
        if isinstance(node, ast.Assign):
            names = [t.id for t in node.targets if isinstance(t, ast.Name)]
            value: ast.expr | None = node.value
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names = [node.target.id]
            value = node.value
            if value is None and isinstance(node.annotation, ast.Subscript) and _last(node.annotation.value) == "Mapped":
                m.columns[names[0]] = node
                continue
        else:
            continue
        if not isinstance(value, ast.Call) or not names:
            continue
        kind = _last(value.func)
        name = names[0]
        if kind in ("Column", "mapped_column"):
            m.columns[name] = node
            if _true(_kw(value, "primary_key")) or _true(_kw(value, "index")) or _true(_kw(value, "unique")):
                m.indexed.add(name)
            for sub in _calls_in(value):
                if _last(sub.func) == "ForeignKey" and sub.args and isinstance(sub.args[0], ast.Constant):
                    m.foreign_keys[name] = str(sub.args[0].value)
        elif kind == "relationship":
            target = _relationship_target(resolver, m, value, by_name) or "?"
            lazy_node = _kw(value, "lazy")
            lazy = str(lazy_node.value) if isinstance(lazy_node, ast.Constant) else "select"
            ul = _kw(value, "uselist")
            uselist = not (isinstance(ul, ast.Constant) and ul.value is False)
            m.relationships[name] = (target, lazy, uselist)


def _index_columns(call: ast.Call, *, skip_name: bool) -> tuple[str, ...]:
    args = call.args[1:] if skip_name else call.args
    cols = []
    for a in args:
        if isinstance(a, ast.Constant) and isinstance(a.value, str):
            cols.append(a.value)
        elif isinstance(a, ast.Attribute):
            cols.append(a.attr)
        elif isinstance(a, ast.Name):
            cols.append(a.id)
    return tuple(cols)


def _add_index(m: ModelDef, cols: tuple[str, ...]) -> None:
    if not cols:
        return
    m.indexed.add(cols[0])
    if len(cols) > 1:
        m.composite.append(cols)


def module_level_indexes(resolver: Resolver, models: dict[str, ModelDef]) -> None:
    """``Index("ix", Model.col, …)`` statements outside the model classes."""
    for module in resolver.index.modules.values():
        for node in module.tree.body:
            value = node.value if isinstance(node, (ast.Assign, ast.Expr)) else None
            if not isinstance(value, ast.Call) or _last(value.func) != "Index":
                continue
            cols = []
            model = None
            for a in value.args[1:]:
                if isinstance(a, ast.Attribute):
                    q = resolver.expr(module.name, a.value)
                    if q in models:
                        model = models[q]
                        cols.append(a.attr)
            if model is not None:
                _add_index(model, tuple(cols))


def _self_reads(m: ModelDef) -> None:
    for node in m.cls.node.body:
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        reads = set()
        for sub in walk(node):
            if (
                isinstance(sub, ast.Attribute)
                and isinstance(sub.value, ast.Name)
                and sub.value.id == "self"
                and sub.attr in m.relationships
            ):
                reads.add(sub.attr)
        if reads:
            m.self_rel_reads[node.name] = reads
