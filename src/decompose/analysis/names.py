"""Qualified names without libcst's QualifiedNameProvider: one import/alias table per module.

``ModuleNames`` maps every module-level name to what it stands for (``F`` -> ``flask.Flask``,
``db`` -> ``legacy.models.db``, ``create_app`` -> ``pkg.create_app``); :class:`Resolver` follows
re-exports across project modules (``from .models import db`` in ``__init__`` then
``from pkg import db`` elsewhere) to the canonical definition. Function locals shadow module
names; the walkers in :mod:`decompose.analysis.functions` pass their local names in.
"""

from __future__ import annotations

import ast
import builtins
from dataclasses import dataclass, field

from decompose.analysis.project import ParsedModule, ProjectIndex, resolve_relative
from decompose.analysis.statements import bound_names

BUILTINS = frozenset(dir(builtins))


@dataclass
class ModuleNames:
    """What each module-level name of one module refers to."""

    module: ParsedModule
    imports: dict[str, str] = field(default_factory=dict)  # local name -> qualified target
    defs: dict[str, ast.stmt] = field(default_factory=dict)  # name -> defining statement
    star: list[str] = field(default_factory=list)  # modules imported with *

    @property
    def name(self) -> str:
        return self.module.name


def module_names(module: ParsedModule) -> ModuleNames:
    table = ModuleNames(module)
    _collect(module, module.tree.body, table)
    return table


def _collect(module: ParsedModule, body: list[ast.stmt], table: ModuleNames, fallback: bool = False) -> None:
    """``fallback``: an ``except`` body (``except ImportError: bp = None``) binds a name only
    when the ``try`` did not, so it never shadows what the ``try`` imported."""
    for node in body:
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    table.imports[alias.asname] = alias.name
                else:
                    first = alias.name.split(".")[0]
                    table.imports[first] = first
        elif isinstance(node, ast.ImportFrom):
            base = resolve_relative(module, node.module, node.level)
            if base is None:
                continue
            for alias in node.names:
                if alias.name == "*":
                    table.star.append(base)
                else:
                    table.imports[alias.asname or alias.name] = f"{base}.{alias.name}"
        elif isinstance(node, (ast.If, ast.Try, ast.With, ast.For, ast.While)):
            bodies = [node.body, getattr(node, "orelse", [])]
            if isinstance(node, ast.Try):
                bodies.append(node.finalbody)
            for b in bodies:
                _collect(module, b, table, fallback)
            if isinstance(node, ast.Try):
                for h in node.handlers:
                    _collect(module, h.body, table, True)
            for name in bound_names(node):
                if name not in table.imports:
                    table.defs.setdefault(name, node)
        else:
            for name in bound_names(node):
                if fallback and (name in table.imports or name in table.defs):
                    continue
                table.imports.pop(name, None)  # a later assignment shadows an import
                table.defs[name] = node


class Resolver:
    """Resolves names to canonical qualified names across the project's modules."""

    def __init__(self, index: ProjectIndex) -> None:
        self.index = index
        self.tables: dict[str, ModuleNames] = {
            name: module_names(m) for name, m in index.modules.items()
        }
        self._canonical: dict[str, str] = {}

    def table(self, module: str) -> ModuleNames:
        return self.tables[module]

    def name(self, module: str, name: str) -> str | None:
        """What the module-level ``name`` of ``module`` refers to (canonical), or None."""
        table = self.tables[module]
        if name in table.imports:
            return self.canonical(table.imports[name])
        if name in table.defs:
            return f"{module}.{name}"
        for star in table.star:
            target = self.canonical(f"{star}.{name}")
            star_table = self.tables.get(star)
            if star_table is not None and (name in star_table.defs or name in star_table.imports):
                return target
        if name in BUILTINS:
            return f"builtins.{name}"
        return None

    def canonical(self, qualname: str) -> str:
        """Follow re-exports through project modules to where a name is defined."""
        cached = self._canonical.get(qualname)
        if cached is not None:
            return cached
        result = qualname
        seen: set[str] = set()
        while result not in seen:
            if len(seen) > 20:  # a self-referential import chain (``from .x import x``…)
                result = qualname
                break
            seen.add(result)
            parts = result.split(".")
            moved = False
            for i in range(len(parts) - 1, 0, -1):
                mod = ".".join(parts[:i])
                table = self.tables.get(mod)
                if table is None:
                    continue
                head = parts[i]
                rest = parts[i + 1 :]
                if head in table.imports and table.imports[head] != result:
                    target = table.imports[head]
                    result = ".".join([target, *rest])
                    moved = True
                elif head not in table.defs and table.star:
                    for star in table.star:
                        star_table = self.tables.get(star)
                        if star_table is not None and (
                            head in star_table.defs or head in star_table.imports
                        ):
                            result = ".".join([star, head, *rest])
                            moved = True
                            break
                break
            if not moved:
                break
        self._canonical[qualname] = result
        return result

    def expr(self, module: str, node: ast.AST, local: set[str] | frozenset[str] = frozenset()) -> str | None:
        """Qualified name of a dotted expression (``flask.Flask``, ``db.session``), or None."""
        if isinstance(node, ast.Name):
            if node.id in local:
                return None
            return self.name(module, node.id)
        if isinstance(node, ast.Attribute):
            base = self.expr(module, node.value, local)
            if base is None:
                return None
            return self.canonical(f"{base}.{node.attr}")
        return None

    def is_project(self, qualname: str) -> bool:
        return self.index.module_of(qualname) is not None


def dotted(node: ast.AST) -> str | None:
    """``a.b.c`` for a chain of names/attributes (calls included as ``a.b()``), else None."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = dotted(node.value)
        return f"{base}.{node.attr}" if base else None
    if isinstance(node, ast.Call):
        base = dotted(node.func)
        return f"{base}()" if base else None
    return None
