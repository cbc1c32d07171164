"""Syntax helpers for indexing: dotted names, string literals, import aliases, and the names a
statement defines and uses (found with the standard library's ``symtable``)."""

from __future__ import annotations

import symtable

import libcst as cst

from decompose.codemods._names import dotted

__all__ = ["ROUTE_METHODS", "UNSAFE_CALLS", "dotted", "string_value"]

ROUTE_METHODS = frozenset({"route", "get", "post", "put", "patch", "delete"})
UNSAFE_CALLS = frozenset({"globals", "locals", "vars", "exec", "eval", "__import__"})


def string_value(node: cst.BaseExpression | None) -> str | None:
    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None


def _names(code: str) -> tuple[set[str], set[str], set[str], set[str]]:
    """(defined, used anywhere, used at statement level, rebound via global) for one statement."""
    table = symtable.symtable(code, "<statement>", "exec")
    defined: set[str] = set()
    top: set[str] = set()
    for sym in table.get_symbols():
        if sym.is_assigned() or sym.is_imported() or sym.is_namespace():
            if not sym.is_declared_global() or sym.is_assigned():
                defined.add(sym.get_name())
        if sym.is_referenced():
            top.add(sym.get_name())
    used = set(top)
    rebinds: set[str] = set()

    def walk(tab: symtable.SymbolTable) -> None:
        for child in tab.get_children():
            for sym in child.get_symbols():
                if sym.is_global():
                    if sym.is_referenced():
                        used.add(sym.get_name())
                    if sym.is_declared_global() and sym.is_assigned():
                        rebinds.add(sym.get_name())
            walk(child)

    walk(table)
    return defined, used, top, rebinds


class _CallNames(cst.CSTVisitor):
    def __init__(self) -> None:
        self.calls: set[str] = set()

    def visit_Call(self, node: cst.Call) -> None:
        name = dotted(node.func)
        if name:
            self.calls.add(name)


def _calls(node: cst.CSTNode, code: str | None = None) -> set[str]:
    if code is not None and not any(f"{name}(" in code for name in UNSAFE_CALLS):
        return set()
    visitor = _CallNames()
    node.visit(visitor)
    return visitor.calls


def _import_aliases(statements: list[cst.BaseStatement]) -> dict[str, str]:
    """Local name -> dotted origin for module-level imports (``F`` -> ``flask.Flask``)."""
    out: dict[str, str] = {}
    for stmt in statements:
        if not isinstance(stmt, cst.SimpleStatementLine):
            continue
        for small in stmt.body:
            if isinstance(small, cst.ImportFrom) and isinstance(small.names, cst.ImportStar):
                if small.module is not None and dotted(small.module) == "flask" and not small.relative:
                    out.setdefault("Flask", "flask.Flask")
                    out.setdefault("Blueprint", "flask.Blueprint")
            elif isinstance(small, cst.ImportFrom) and not isinstance(small.names, cst.ImportStar):
                base = dotted(small.module) if small.module else ""
                for alias in small.names:
                    name = dotted(alias.name) or ""
                    local = alias.asname.name.value if alias.asname and isinstance(alias.asname.name, cst.Name) else name
                    out[local] = f"{base}.{name}" if base else name
            elif isinstance(small, cst.Import):
                for alias in small.names:
                    name = dotted(alias.name) or ""
                    if alias.asname and isinstance(alias.asname.name, cst.Name):
                        out[alias.asname.name.value] = name
                    else:
                        out[name.split(".")[0]] = name.split(".")[0]
    return out


def _resolve(name: str | None, aliases: dict[str, str]) -> str:
    if not name:
        return ""
    head, _, rest = name.partition(".")
    origin = aliases.get(head, head)
    return f"{origin}.{rest}" if rest else origin


def _is_importish(stmt: cst.BaseStatement) -> bool:
    """Imports, or an if/try made only of imports, ``pass`` and plain assignments of literals."""
    if isinstance(stmt, cst.SimpleStatementLine):
        return all(isinstance(s, (cst.Import, cst.ImportFrom)) for s in stmt.body)
    if isinstance(stmt, (cst.If, cst.Try)):
        found_import = False

        class V(cst.CSTVisitor):
            ok = True

            def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> bool:
                nonlocal found_import
                for small in node.body:
                    if isinstance(small, (cst.Import, cst.ImportFrom)):
                        found_import = True
                    elif isinstance(small, cst.Pass):
                        pass
                    elif isinstance(small, cst.Assign) and isinstance(
                        small.value, (cst.Name, cst.SimpleString, cst.Integer)
                    ):
                        pass
                    else:
                        self.ok = False
                return False

            def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
                self.ok = False
                return False

            def visit_ClassDef(self, node: cst.ClassDef) -> bool:
                self.ok = False
                return False

        v = V()
        stmt.visit(v)
        return v.ok and found_import
    return False


