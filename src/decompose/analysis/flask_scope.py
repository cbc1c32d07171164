"""The Flask scanner's base: walking module and function bodies with their local names,
resolving symbols and constant values, and reading ``View`` / ``MethodView`` classes.
"""

from __future__ import annotations

import ast

from decompose.analysis.definitions import Definitions, scope_of
from decompose.analysis.flask_facts import (
    HTTP_METHOD_FUNCS,
    METHOD_VIEW,
    FlaskFacts,
    _bool,
    _Scope,
    _str_seq,
)
from decompose.analysis.names import Resolver
from decompose.analysis.project import ParsedModule
from decompose.model import Unhandled


class ScannerBase:
    """Symbols, scopes, constants and views; the passes live in the subclasses."""

    def __init__(self, resolver: Resolver, defs: Definitions) -> None:
        self.resolver = resolver
        self.defs = defs
        self.facts = FlaskFacts()
        self._method_cache: dict[str, tuple[str, ...] | None] = {}
        # names bound by an unrolled loop or to a parameter given an app:
        # name -> (symbol of the value, its constant string value)
        self._aliases: dict[str, tuple[str | None, str | None]] = {}
        self._factory_calls: list[tuple[str, str, ast.stmt, ParsedModule]] = []
        self._walked_with: set[tuple[str, tuple[tuple[str, str, str], ...]]] = set()
        self._interesting_lines: dict[str, list[int]] = {}

    # -- symbols ---------------------------------------------------------------------------
    def symbol(self, module: ParsedModule, node: ast.AST, scope: _Scope | None) -> str | None:
        if isinstance(node, ast.Name):
            if node.id in self._aliases:
                return self._aliases[node.id][0]
            if scope is not None:
                if node.id in scope.imports:
                    return self.resolver.canonical(scope.imports[node.id])
                if node.id in scope.locals:
                    return f"{scope.qualname}.<locals>.{node.id}"
            return self.resolver.name(module.name, node.id)
        if isinstance(node, ast.Attribute):
            base = self.symbol(module, node.value, scope)
            return self.resolver.canonical(f"{base}.{node.attr}") if base else None
        return None

    def _is_subclass(self, q: str | None, roots: frozenset[str]) -> bool:
        if q is None:
            return False
        return any(c in roots for c in self.defs.mro(q))


    def _walk(self, module: ParsedModule, body: list[ast.stmt], scope: _Scope | None, visit, loop: int = 0) -> None:  # type: ignore[no-untyped-def]
        for node in body:
            visit(module, node, scope, loop)
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                qual = self._qualname(module, node, scope)
                fdef = self.defs.functions.get(qual)
                if fdef is not None:
                    inner = _Scope(qual, fdef.local_names, fdef.local_imports)
                else:
                    names, imports = scope_of(module, node)
                    inner = _Scope(qual, names, imports)
                self._walk(module, node.body, inner, visit, 0)
            elif isinstance(node, ast.ClassDef):
                continue
            elif isinstance(node, ast.For) and not node.orelse and self._unrollable(module, node, scope):
                elements = self._unrollable(module, node, scope)
                assert isinstance(node.target, ast.Name) and elements is not None
                name = node.target.id
                saved = self._aliases.get(name)
                for elt in elements:
                    self._aliases.pop(name, None)
                    self._aliases[name] = (self.symbol(module, elt, scope), self._const(module, elt, scope))
                    self._walk(module, node.body, scope, visit, loop)
                if saved is None:
                    self._aliases.pop(name, None)
                else:
                    self._aliases[name] = saved
            else:
                for name in ("body", "orelse", "finalbody"):
                    child = getattr(node, name, None)
                    if child:
                        is_loop = isinstance(node, (ast.For, ast.AsyncFor, ast.While))
                        self._walk(module, child, scope, visit, loop + (1 if is_loop and name == "body" else 0))
                for h in getattr(node, "handlers", []) or []:
                    self._walk(module, h.body, scope, visit, loop)
                if isinstance(node, ast.Match):
                    for case in node.cases:
                        self._walk(module, case.body, scope, visit, loop)


    def _unrollable(self, module: ParsedModule, node: ast.For, scope: _Scope | None) -> list[ast.expr] | None:
        """The elements of ``for x in (a, b, c):`` (or of a module-level list it names)."""
        if not isinstance(node.target, ast.Name):
            return None
        seq: ast.AST = node.iter
        if isinstance(seq, ast.Name):
            q = self.resolver.name(module.name, seq.id) if scope is None or seq.id not in scope.locals else None
            gdef = self.defs.globals.get(q or "")
            if scope is not None and seq.id in scope.values:
                seq = scope.values[seq.id]
            elif gdef is not None and gdef.value is not None:
                seq = gdef.value
        if isinstance(seq, (ast.List, ast.Tuple, ast.Set)) and 0 < len(seq.elts) <= 50:
            if all(isinstance(e, (ast.Name, ast.Attribute, ast.Constant)) for e in seq.elts):
                return list(seq.elts)
        return None

    def _qualname(self, module: ParsedModule, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef, scope: _Scope | None) -> str:
        if scope is None or scope.qualname is None:
            return f"{module.name}.{node.name}"
        return f"{scope.qualname}.<locals>.{node.name}"


    # -- views -----------------------------------------------------------------------------
    def view_methods(self, cls: str) -> tuple[str, ...] | None:
        if cls in self._method_cache:
            return self._method_cache[cls]
        self._method_cache[cls] = None
        info = self.defs.classes.get(cls)
        result: tuple[str, ...] | None = None
        if info is not None:
            if "methods" in info.attrs:
                result = _str_seq(info.attrs["methods"])
            elif self._is_subclass(cls, METHOD_VIEW):
                methods: set[str] = set()
                for base in info.bases:
                    bm = self.view_methods(base) if base in self.defs.classes else None
                    if bm:
                        methods.update(bm)
                for key in HTTP_METHOD_FUNCS:
                    if self.defs.method(cls, key):
                        methods.add(key.upper())
                result = tuple(sorted(methods)) or None
            else:
                for base in info.bases:
                    if base in self.defs.classes:
                        bm = self.view_methods(base)
                        if bm:
                            result = bm
                            break
        self._method_cache[cls] = result
        return result

    def _class_bool(self, cls: str, attr: str) -> bool | None:
        for c in self.defs.mro(cls):
            info = self.defs.classes.get(c)
            if info is not None and attr in info.attrs:
                return _bool(info.attrs[attr])
        return None

    # -- constants -------------------------------------------------------------------------
    def _const(self, module: ParsedModule, node: ast.AST | None, scope: _Scope | None = None, depth: int = 0) -> str | None:
        if node is None or depth > 8:
            return None
        if isinstance(node, ast.Constant):
            return node.value if isinstance(node.value, str) else None
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            left = self._const(module, node.left, scope, depth + 1)
            right = self._const(module, node.right, scope, depth + 1)
            return left + right if left is not None and right is not None else None
        if isinstance(node, ast.JoinedStr):
            parts = []
            for v in node.values:
                if isinstance(v, ast.Constant):
                    parts.append(str(v.value))
                elif isinstance(v, ast.FormattedValue) and v.format_spec is None and v.conversion == -1:
                    inner = self._const(module, v.value, scope, depth + 1)
                    if inner is None:
                        return None
                    parts.append(inner)
                else:
                    return None
            return "".join(parts)
        if isinstance(node, ast.Attribute):
            q = self.resolver.expr(module.name, node)
            gdef = self.defs.globals.get(q or "")
            if gdef is not None and gdef.value is not None:
                return self._const(gdef.module, gdef.value, None, depth + 1)
            owner = self.resolver.expr(module.name, node.value)
            cls = self.defs.classes.get(owner or "")
            if cls is not None and node.attr in cls.attrs:
                return self._const(cls.module, cls.attrs[node.attr], None, depth + 1)
            return None
        if isinstance(node, ast.Name):
            if node.id in self._aliases:
                return self._aliases[node.id][1]
            if scope is not None and node.id in scope.locals:
                value = scope.values.get(node.id)
                return self._const(module, value, scope, depth + 1) if value is not None else None
            q = self.resolver.name(module.name, node.id)
            gdef = self.defs.globals.get(q or "")
            if gdef is not None and gdef.value is not None:
                return self._const(gdef.module, gdef.value, None, depth + 1)
        return None

    def _methods(self, module: ParsedModule, node: ast.AST | None, call: ast.Call, scope: _Scope | None) -> tuple[str, ...] | None:
        if node is None:
            return None
        seq = _str_seq(node)
        if seq is None and isinstance(node, ast.Name):
            q = self.resolver.name(module.name, node.id)
            gdef = self.defs.globals.get(q or "")
            if gdef is not None and gdef.value is not None:
                seq = _str_seq(gdef.value)
        if seq is None:
            self.facts.unhandled.append(
                Unhandled(module.location(call), "route methods computed at run time; assumed GET", module.segment(call, 1))
            )
        return seq
