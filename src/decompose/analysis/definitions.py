"""Every function, method, class and module-level global of the project, by qualified name."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from decompose.analysis.astutil import children, walk
from decompose.analysis.names import Resolver
from decompose.analysis.project import ParsedModule
from decompose.analysis.statements import target_names

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef


@dataclass
class FuncDef:
    qualname: str
    name: str
    module: ParsedModule
    node: FunctionNode
    kind: str  # function | method | nested
    parent: str | None = None  # enclosing class (methods) or function (nested)
    cls: str | None = None  # the class of a method
    local_names: frozenset[str] = frozenset()
    local_imports: dict[str, str] = field(default_factory=dict)  # imports inside the body


@dataclass
class ClassDef:
    qualname: str
    name: str
    module: ParsedModule
    node: ast.ClassDef
    bases: tuple[str, ...] = ()  # canonical qualified names (or dotted text when unresolved)
    methods: dict[str, str] = field(default_factory=dict)  # name -> method qualname
    attrs: dict[str, ast.expr] = field(default_factory=dict)  # class-level name = value
    self_attrs: dict[str, ast.expr] = field(default_factory=dict)  # self.x = value in methods
    parent: str | None = None


@dataclass
class GlobalDef:
    qualname: str
    name: str
    module: ParsedModule
    node: ast.stmt
    value: ast.expr | None


@dataclass
class Definitions:
    functions: dict[str, FuncDef] = field(default_factory=dict)
    classes: dict[str, ClassDef] = field(default_factory=dict)
    globals: dict[str, GlobalDef] = field(default_factory=dict)

    def method(self, cls: str, name: str, _seen: frozenset[str] = frozenset()) -> str | None:
        """The qualified name of ``name`` looked up on project class ``cls`` and its bases."""
        info = self.classes.get(cls)
        if info is None or cls in _seen:
            return None
        if name in info.methods:
            return info.methods[name]
        for base in info.bases:
            found = self.method(base, name, _seen | {cls})
            if found:
                return found
        return None

    def mro(self, cls: str) -> list[str]:
        out: list[str] = []
        stack = [cls]
        while stack:
            c = stack.pop(0)
            if c in out:
                continue
            out.append(c)
            info = self.classes.get(c)
            if info is not None:
                stack.extend(info.bases)
        return out


def collect_definitions(resolver: Resolver) -> Definitions:
    defs = Definitions()
    for module in resolver.index.modules.values():
        _module_body(resolver, defs, module, module.tree.body)
    return defs


def _module_body(resolver: Resolver, defs: Definitions, module: ParsedModule, body: list[ast.stmt]) -> None:
    for node in body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            _function(resolver, defs, module, node, f"{module.name}.{node.name}", "function", None)
        elif isinstance(node, ast.ClassDef):
            _class(resolver, defs, module, node, f"{module.name}.{node.name}", None)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for t in targets:
                for name in target_names(t):
                    defs.globals[f"{module.name}.{name}"] = GlobalDef(
                        f"{module.name}.{name}", name, module, node, node.value
                    )
        elif isinstance(node, (ast.If, ast.Try, ast.With)):
            bodies = [node.body, getattr(node, "orelse", [])]
            if isinstance(node, ast.Try):
                bodies.append(node.finalbody)
                bodies.extend(h.body for h in node.handlers)
            if isinstance(node, ast.If) and _is_main_guard(node):
                continue
            for b in bodies:
                _module_body(resolver, defs, module, b)


def _is_main_guard(node: ast.If) -> bool:
    test = node.test
    return (
        isinstance(test, ast.Compare)
        and isinstance(test.left, ast.Name)
        and test.left.id == "__name__"
        and any(isinstance(c, ast.Constant) and c.value == "__main__" for c in test.comparators)
    )


def _function(
    resolver: Resolver,
    defs: Definitions,
    module: ParsedModule,
    node: FunctionNode,
    qualname: str,
    kind: str,
    parent: str | None,
    cls: str | None = None,
) -> None:
    local_names, local_imports = scope_of(module, node)
    defs.functions[qualname] = FuncDef(
        qualname, node.name, module, node, kind, parent, cls, local_names, local_imports
    )
    for child in _nested_defs(node.body):
        nested = f"{qualname}.<locals>.{child.name}"
        if isinstance(child, ast.ClassDef):
            _class(resolver, defs, module, child, nested, qualname)
        else:
            _function(resolver, defs, module, child, nested, "nested", qualname)


def _nested_defs(body: list[ast.stmt]) -> list[FunctionNode | ast.ClassDef]:
    out: list[FunctionNode | ast.ClassDef] = []
    for node in body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            out.append(node)
        else:
            for field_name in ("body", "orelse", "finalbody"):
                out.extend(_nested_defs(getattr(node, field_name, []) or []))
            for h in getattr(node, "handlers", []) or []:
                out.extend(_nested_defs(h.body))
    return out


def _class(
    resolver: Resolver,
    defs: Definitions,
    module: ParsedModule,
    node: ast.ClassDef,
    qualname: str,
    parent: str | None,
) -> None:
    bases = []
    for b in node.bases:
        q = resolver.expr(module.name, b)
        if q is None:
            # a class defined in an enclosing function, or something dynamic
            from decompose.analysis.names import dotted

            q = dotted(b) or ast.unparse(b)
            if parent and f"{parent}.<locals>.{q}" in defs.classes:
                q = f"{parent}.<locals>.{q}"
        bases.append(q)
    info = ClassDef(qualname, node.name, module, node, tuple(bases), parent=parent)
    defs.classes[qualname] = info
    for child in node.body:
        if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
            mq = f"{qualname}.{child.name}"
            info.methods[child.name] = mq
            _function(resolver, defs, module, child, mq, "method", qualname, qualname)
            for sub in walk(child):
                if isinstance(sub, (ast.Assign, ast.AnnAssign)) and sub.value is not None:
                    targets = sub.targets if isinstance(sub, ast.Assign) else [sub.target]
                    for t in targets:
                        if (
                            isinstance(t, ast.Attribute)
                            and isinstance(t.value, ast.Name)
                            and t.value.id == "self"
                        ):
                            info.self_attrs.setdefault(t.attr, sub.value)
        elif isinstance(child, ast.Assign):
            for t in child.targets:
                for name in target_names(t):
                    info.attrs[name] = child.value
        elif isinstance(child, ast.AnnAssign):
            for name in target_names(child.target):
                info.attrs[name] = child.value if child.value is not None else child.annotation


def function_locals(node: FunctionNode | ast.Lambda) -> frozenset[str]:
    """Names bound in a function's own scope (parameters, assignments, imports, loop targets)."""
    return _scope(node, None)[0]


def scope_of(module: ParsedModule, node: FunctionNode) -> tuple[frozenset[str], dict[str, str]]:
    """Local names of a function, and what the imports inside its body bind (qualified)."""
    return _scope(node, module)


def _scope(node: FunctionNode | ast.Lambda, module: ParsedModule | None) -> tuple[frozenset[str], dict[str, str]]:
    from decompose.analysis.project import resolve_relative

    names: set[str] = set()
    imports: dict[str, str] = {}
    args = node.args
    for a in [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]:
        if a is not None:
            names.add(a.arg)
    declared_global: set[str] = set()
    body = node.body if isinstance(node.body, list) else []
    stack: list[ast.AST] = list(body)
    while stack:
        sub = stack.pop()
        tp = type(sub)
        if tp is ast.Name:
            if type(sub.ctx) is not ast.Load:  # type: ignore[attr-defined]
                names.add(sub.id)  # type: ignore[attr-defined]
            continue
        if tp in (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef):
            names.add(sub.name)  # type: ignore[attr-defined]
            stack.extend(getattr(sub, "decorator_list", []))
            continue  # its body is its own scope
        if tp is ast.Lambda:
            continue
        if tp is ast.Global or tp is ast.Nonlocal:
            declared_global.update(sub.names)  # type: ignore[attr-defined]
        elif tp is ast.Import:
            for a in sub.names:  # type: ignore[attr-defined]
                local = a.asname or a.name.split(".")[0]
                names.add(local)
                imports[local] = a.name if a.asname else a.name.split(".")[0]
        elif tp is ast.ImportFrom:
            base = resolve_relative(module, sub.module, sub.level) if module is not None else sub.module  # type: ignore[attr-defined]
            for a in sub.names:  # type: ignore[attr-defined]
                if a.name == "*":
                    continue
                names.add(a.asname or a.name)
                if base:
                    imports[a.asname or a.name] = f"{base}.{a.name}"
        elif tp is ast.ExceptHandler and sub.name:  # type: ignore[attr-defined]
            names.add(sub.name)  # type: ignore[attr-defined]
        elif tp is ast.NamedExpr and isinstance(sub.target, ast.Name):  # type: ignore[attr-defined]
            names.add(sub.target.id)  # type: ignore[attr-defined]
        stack.extend(children(sub))
    return frozenset(names - declared_global), imports
