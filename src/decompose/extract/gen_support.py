"""Helpers the generator renders with: the per-module accumulator, statement-level codemod
application, and the small libcst transformers for the app factory and copied modules."""

from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst

from decompose.codemods.module_imports import map_module, relative_module
from decompose.extract import plan as P
from decompose.extract.source import SourceIndex, _names, dotted

KERNEL = "shared"


@dataclass
class _Module:
    id: str
    docstring: str
    nodes: list[cst.BaseStatement] = field(default_factory=list)
    prelude: list[str] = field(default_factory=list)  # code placed after the imports
    defines: set[str] = field(default_factory=set)
    uses: set[str] = field(default_factory=set)
    side_effects: bool = False  # must be imported even if nothing uses its names


def visit_statement(node: cst.BaseStatement, transformer: cst.CSTTransformer) -> cst.BaseStatement:
    """``node.visit(transformer)`` for a transformer that keeps statements statements."""
    out = node.visit(transformer)
    assert isinstance(out, cst.BaseStatement)
    return out


def _module_of(*nodes: cst.BaseStatement) -> cst.Module:
    return cst.Module(body=list(nodes))  # type: ignore[arg-type]  # libcst accepts any statement


def apply_to_statement(transformer: cst.CSTTransformer, node: cst.BaseStatement) -> cst.BaseStatement:
    """Run a transformer that expects a module on one statement."""
    result = _module_of(node).visit(transformer)
    out = result.body[0]
    assert isinstance(out, cst.BaseStatement)
    return out


_NAMES_CACHE: dict[str, tuple[set[str], set[str], set[str], set[str]]] = {}


def names_of(code: str) -> tuple[set[str], set[str], set[str], set[str]]:
    """``_names`` memoised on the code text (generated modules ask about the same nodes often)."""
    if code not in _NAMES_CACHE:
        _NAMES_CACHE[code] = _names(code)
    return _NAMES_CACHE[code]


_CODE_CACHE: dict[int, tuple[cst.CSTNode, str]] = {}


def _code(node: cst.CSTNode) -> str:
    """The node's source; memoised by identity (nodes are immutable; the cache keeps them alive)."""
    hit = _CODE_CACHE.get(id(node))
    if hit is not None and hit[0] is node:
        return hit[1]
    code = cst.Module(body=[]).code_for_node(node)
    if len(_CODE_CACHE) > 20000:
        _CODE_CACHE.clear()
    _CODE_CACHE[id(node)] = (node, code)
    return code


def _url_for_names(index: SourceIndex) -> tuple[str, ...]:
    names = {"flask.url_for"}
    for stmt in index.statements:
        if stmt.kind != "import" or not isinstance(stmt.node, cst.SimpleStatementLine):
            continue
        for small in stmt.node.body:
            if isinstance(small, cst.ImportFrom) and dotted(small.module or cst.Name("_")) == "flask":
                if isinstance(small.names, cst.ImportStar):
                    names.add("url_for")
                else:
                    for alias in small.names:
                        if dotted(alias.name) == "url_for":
                            asname = alias.asname.name if alias.asname else None
                            names.add(asname.value if isinstance(asname, cst.Name) else "url_for")
    return tuple(sorted(names))


def _strip_leading_blank(node: cst.BaseStatement) -> cst.BaseStatement:
    lines = list(getattr(node, "leading_lines", ()))
    while lines and lines[0].comment is None:
        lines.pop(0)
    return node.with_changes(leading_lines=lines)


def _is_def(node: cst.CSTNode) -> bool:
    return isinstance(node, (cst.FunctionDef, cst.ClassDef))


def render_body(nodes: list[cst.BaseStatement]) -> str:
    """Top-level statements with PEP 8 spacing: two blank lines around definitions."""
    out: list[str] = []
    prev: cst.BaseStatement | None = None
    for node in nodes:
        original_blank = sum(1 for line in getattr(node, "leading_lines", ()) if line.comment is None)
        clean = _strip_leading_blank(node)
        if prev is None:
            # isort: two blank lines after the imports before a definition, one before anything else
            leading = list(getattr(clean, "leading_lines", ()))
            # isort: a comment attached to a definition belongs to it (two blank lines before it)
            detached = any(line.comment for line in leading) and leading[-1].comment is None
            blank = 2 if _is_def(node) and not detached else 1
        elif _is_def(node) or _is_def(prev):
            blank = 2
        else:
            blank = min(original_blank, 2)
        out.append("\n" * blank + _module_of(clean).code)
        prev = node
    return "".join(out)


def _docstring(text: str) -> str:
    return f'"""{text}"""\n'


class _FromObjectName(cst.CSTTransformer):
    """``config.from_object(__name__)`` -> ``config.from_object(__name__ + ".shared.helpers")``:
    the monolith's upper-case settings now live in the kernel (``__name__`` is the package)."""

    def __init__(self, suffix: str) -> None:
        super().__init__()
        self.suffix = suffix

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.Call:
        func = updated_node.func
        if isinstance(func, cst.Attribute) and func.attr.value == "from_object" and len(updated_node.args) == 1:
            arg = updated_node.args[0]
            if isinstance(arg.value, cst.Name) and arg.value.value == "__name__":
                value = cst.parse_expression(f'__name__ + "{self.suffix}"')
                return updated_node.with_changes(args=[arg.with_changes(value=value)])
        return updated_node


class _FlaskImportName(cst.CSTTransformer):
    """``Flask(__name__, ...)`` -> ``Flask(<expression>, ...)`` (see ``Generator._transform``)."""

    def __init__(self, expression: str) -> None:
        super().__init__()
        self.expression = cst.parse_expression(expression)

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.Call:
        name = dotted(updated_node.func) or ""
        if (name == "Flask" or name.endswith(".Flask")) and updated_node.args:
            first = updated_node.args[0]
            if first.keyword is None and isinstance(first.value, cst.Name) and first.value.value == "__name__":
                return updated_node.with_changes(args=[first.with_changes(value=self.expression), *updated_node.args[1:]])
        return updated_node


class _FromObjectString(cst.CSTTransformer):
    """``config.from_object("config.DevConfig")`` naming a project module that was copied into
    the kernel -> ``config.from_object(__name__ + ".shared.config.DevConfig")`` (works whatever
    name the package is imported under)."""

    def __init__(self, mapping: dict[str, str], package: str) -> None:
        super().__init__()
        self.mapping, self.package = mapping, package

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.Call:
        func = updated_node.func
        if not (isinstance(func, cst.Attribute) and func.attr.value == "from_object" and len(updated_node.args) == 1):
            return updated_node
        arg = updated_node.args[0]
        value = arg.value.evaluated_value if isinstance(arg.value, cst.SimpleString) else None
        if not isinstance(value, str) or "." not in value:
            return updated_node
        module, _, attr = value.rpartition(".")
        new = map_module(self.mapping, module)
        if new is None or not new.startswith(self.package + "."):
            return updated_node
        suffix = new[len(self.package):] + "." + attr
        return updated_node.with_changes(args=[arg.with_changes(value=cst.parse_expression(f'__name__ + "{suffix}"'))])


class _MonolithImports(cst.CSTTransformer):
    """In a copied project module: ``from <monolith> import db`` -> an import of the generated
    module that now defines ``db`` (one line per module), anywhere in the file."""

    def __init__(self, mono: str, module: str, is_pkg: bool, definer: dict[str, str], package: str, here: str) -> None:
        super().__init__()
        self.mono, self.module, self.is_pkg = mono, module, is_pkg
        self.definer, self.package, self.here = definer, package, here
        self.missing: list[str] = []

    def _target(self, node: cst.ImportFrom) -> str:
        level = len(node.relative)
        name = dotted(node.module) if node.module else None
        if not level:
            return name or ""
        base = self.module.split(".") if self.is_pkg else self.module.split(".")[:-1]
        if level > 1:
            base = base[: len(base) - (level - 1)]
        prefix = ".".join(base)
        return f"{prefix}.{name}" if name and prefix else (name or prefix)

    def leave_SimpleStatementLine(
        self, original_node: cst.SimpleStatementLine, updated_node: cst.SimpleStatementLine
    ) -> cst.BaseStatement | cst.FlattenSentinel[cst.BaseStatement]:
        small = updated_node.body[0] if len(updated_node.body) == 1 else None
        if not isinstance(small, cst.ImportFrom) or isinstance(small.names, cst.ImportStar):
            return updated_node
        if self._target(small) != self.mono:
            return updated_node
        by_module: dict[str, list[str]] = {}
        kept: list[cst.ImportAlias] = []
        for alias in small.names:
            name = alias.evaluated_name
            module_id = self.definer.get(name)
            if module_id is None:
                self.missing.append(name)
                kept.append(alias.with_changes(comma=cst.MaybeSentinel.DEFAULT))
                continue
            level, rest = relative_module(self.here, f"{self.package}.{module_id}" if module_id != P.INIT else self.package)
            text = alias.evaluated_name + (f" as {alias.evaluated_alias}" if alias.evaluated_alias else "")
            by_module.setdefault("." * level + rest, []).append(text)
        lines: list[cst.BaseStatement] = []
        for target, names in sorted(by_module.items()):
            line = cst.parse_statement(f"from {target} import {', '.join(names)}\n")
            lines.append(line)
        if kept:
            lines.append(updated_node.with_changes(body=[small.with_changes(names=kept)]))
        if not lines:
            return updated_node
        lines[0] = lines[0].with_changes(leading_lines=updated_node.leading_lines)
        return cst.FlattenSentinel(lines)


class _RenameName(cst.CSTTransformer):
    def __init__(self, old: str, new: str) -> None:
        super().__init__()
        self.old, self.new = old, new

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.Name:
        return updated_node.with_changes(value=self.new) if updated_node.value == self.old else updated_node


def _strip_first_blank(node: cst.BaseStatement, position: int) -> cst.BaseStatement:
    clean = _strip_leading_blank(node)
    # blank lines inside a function body carry no indentation (no trailing whitespace)
    lines = [
        line.with_changes(indent=False, whitespace=cst.SimpleWhitespace("")) if line.comment is None else line
        for line in getattr(clean, "leading_lines", ())
    ]
    clean = clean.with_changes(leading_lines=lines)
    if _is_def(node) or any(line.comment for line in getattr(clean, "leading_lines", ())):
        lines = [cst.EmptyLine(indent=False), *getattr(clean, "leading_lines", ())]
        return clean.with_changes(leading_lines=lines)
    return clean


def _function_locals(code: str) -> set[str]:
    import symtable

    table = symtable.symtable(code, "<create_app>", "exec")
    out: set[str] = set()
    for child in table.get_children():
        for sym in child.get_symbols():
            if sym.is_local():
                out.add(sym.get_name())
    return out


