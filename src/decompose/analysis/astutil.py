"""Fast ast traversal and a per-module index of the nodes several passes look for.

``ast.walk`` goes through generator-based ``iter_child_nodes``/``iter_fields``; on a 4,000-line
module that is most of analyze's own time. Here the child fields of each node type are computed
once (``ctx`` and other leaf fields skipped) and the walk is a plain loop.
"""

from __future__ import annotations

import ast
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

_SKIP = frozenset({"ctx", "type_comment", "kind"})
_FIELDS: dict[type, tuple[str, ...]] = {}


def _fields(tp: type) -> tuple[str, ...]:
    found = _FIELDS.get(tp)
    if found is None:
        found = tuple(f for f in tp._fields if f not in _SKIP)  # type: ignore[attr-defined]
        _FIELDS[tp] = found
    return found


def children(node: ast.AST) -> Iterator[ast.AST]:
    for name in _fields(type(node)):
        value = getattr(node, name, None)
        if isinstance(value, list):
            for item in value:
                if isinstance(item, ast.AST):
                    yield item
        elif isinstance(value, ast.AST):
            yield value


def walk(node: ast.AST) -> list[ast.AST]:
    """All nodes below ``node`` (included), in no particular order."""
    out: list[ast.AST] = []
    stack = [node]
    append = out.append
    while stack:
        n = stack.pop()
        append(n)
        for name in _fields(type(n)):
            value = getattr(n, name, None)
            if isinstance(value, list):
                for item in value:
                    if isinstance(item, ast.AST):
                        stack.append(item)
            elif isinstance(value, ast.AST):
                stack.append(value)
    return out


@dataclass
class NodeIndex:
    """The nodes of one module that several passes need, collected in one walk."""

    calls: list[ast.Call] = field(default_factory=list)
    imports: list[ast.Import | ast.ImportFrom] = field(default_factory=list)
    excepts: list[ast.ExceptHandler] = field(default_factory=list)
    assigns: list[ast.Assign | ast.AnnAssign] = field(default_factory=list)
    aug_assigns: list[ast.AugAssign] = field(default_factory=list)
    globals_declared: list[ast.Global] = field(default_factory=list)
    identifiers: Counter[str] = field(default_factory=Counter)


def index_module(tree: ast.Module) -> NodeIndex:
    idx = NodeIndex()
    names: list[str] = []
    for node in walk(tree):
        tp = type(node)
        if tp is ast.Call:
            idx.calls.append(node)  # type: ignore[arg-type]
        elif tp is ast.Name:
            names.append(node.id)  # type: ignore[attr-defined]
        elif tp is ast.Attribute:
            names.append(node.attr)  # type: ignore[attr-defined]
        elif tp is ast.Constant:
            value = node.value  # type: ignore[attr-defined]
            if isinstance(value, str) and len(value) < 60:
                names.append(value)
        elif tp is ast.Import or tp is ast.ImportFrom:
            idx.imports.append(node)  # type: ignore[arg-type]
        elif tp is ast.ExceptHandler:
            idx.excepts.append(node)  # type: ignore[arg-type]
        elif tp is ast.Assign or tp is ast.AnnAssign:
            idx.assigns.append(node)  # type: ignore[arg-type]
        elif tp is ast.AugAssign:
            idx.aug_assigns.append(node)  # type: ignore[arg-type]
        elif tp is ast.Global:
            idx.globals_declared.append(node)  # type: ignore[arg-type]
    idx.identifiers = Counter(names)
    idx.calls.sort(key=lambda n: (n.lineno, n.col_offset))
    idx.excepts.sort(key=lambda n: (n.lineno, n.col_offset))
    idx.assigns.sort(key=lambda n: (n.lineno, n.col_offset))
    idx.imports.sort(key=lambda n: (n.lineno, n.col_offset))
    return idx
