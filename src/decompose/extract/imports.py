"""Import blocks for generated modules: exactly the names each module uses.

Imports are rebuilt rather than copied: for every name a generated module reads and does not
define, the import comes from the monolith's own import of that name (same module, same alias,
same order, blank lines between sections kept), from another generated module (a relative
import), or from the few names the rewrites introduce (``current_app``, ``Blueprint``…).
Imports inside functions and try/except or if blocks inside moved code are part of that code and
move with it untouched (except for project modules that moved, see ``RewriteModuleImports``).
Module-level try/except or if blocks made of imports are replicated whole where needed.
"""

from __future__ import annotations

import builtins
from dataclasses import dataclass, field

import libcst as cst

from decompose.codemods.module_imports import (
    RewriteModuleImportsTransformer,
    map_module,
    relative_module,
)
from decompose.extract.source import SourceIndex, Statement, dotted

BUILTINS = frozenset(dir(builtins)) | {"__file__", "__name__", "__doc__", "__spec__", "__path__", "__package__"}

#: names the rewrites introduce -> the module they come from
SYNTHETIC = {
    "current_app": "flask",
    "Blueprint": "flask",
    "LocalProxy": "werkzeug.local",
}

LINE_LENGTH = 100

#: star imports extract may resolve by importing the module (Flask and its own dependencies)
STAR_SAFE = frozenset({"flask", "werkzeug", "jinja2", "markupsafe", "itsdangerous", "click"})


def _name_kind(name: str) -> tuple[int, str]:
    """isort's order-by-type: CONSTANTS, Classes, then everything else; case-sensitive within."""
    if len(name) > 1 and name.isupper():
        return (0, name)
    if name[:1].isupper():
        return (1, name)
    return (2, name)


def render_from(module: str, names: list[tuple[str, str | None]], indent: str = "") -> str:
    """``from module import a, b as c`` wrapped the way isort and ruff format it."""
    parts = [f"{n} as {a}" if a and a != n else n for n, a in names]
    line = f"{indent}from {module} import {', '.join(parts)}"
    if len(line) <= LINE_LENGTH:
        return line + "\n"
    inner = "".join(f"{indent}    {p},\n" for p in parts)
    return f"{indent}from {module} import (\n{inner}{indent})\n"


@dataclass
class ImportSources:
    """Everything needed to resolve a name to an import line."""

    index: SourceIndex
    package: str  # the generated package's dotted name (e.g. webapp)
    mapping: dict[str, str]  # old project module -> new dotted module
    definer: dict[str, str]  # name -> generated module id that defines it at module level
    import_stmts: dict[str, Statement] = field(default_factory=dict)  # name -> import statement

    star_modules: list[str] = field(default_factory=list)  # `from flask import *`

    def __post_init__(self) -> None:
        for stmt in self.index.statements:
            if stmt.kind == "import":
                for name in stmt.defines:
                    self.import_stmts[name] = stmt
                if isinstance(stmt.node, cst.SimpleStatementLine):
                    for small in stmt.node.body:
                        if isinstance(small, cst.ImportFrom) and isinstance(small.names, cst.ImportStar) and not small.relative:
                            self.star_modules.append((dotted(small.module) if small.module else "") or "")

    def from_star(self, name: str) -> str | None:
        """The module a ``from M import *`` of Flask's own packages gives ``name`` from, spelled out."""
        import importlib

        for module in self.star_modules:
            if module.split(".")[0] not in STAR_SAFE or name.startswith("_"):
                continue
            try:
                imported = importlib.import_module(module)
            except ImportError:
                continue
            public = getattr(imported, "__all__", None)
            if (name in public) if public is not None else hasattr(imported, name):
                return module
        return None


def absolute_module(index: SourceIndex, node: cst.ImportFrom) -> str:
    """The absolute module an ImportFrom of the monolith names."""
    module = dotted(node.module) if node.module else ""
    level = len(node.relative)
    if not level:
        return module or ""
    base = index.module_name.split(".")[:-1]
    if level > 1:
        base = base[: len(base) - (level - 1)]
    prefix = ".".join(base)
    return f"{prefix}.{module}" if module and prefix else (module or prefix)


def module_package(package: str, module_id: str) -> str:
    """The dotted package a generated module id lives in."""
    if module_id == "__init__":
        return package
    parts = module_id.split(".")
    return ".".join([package, *parts[:-1]])


def relative_from(package: str, from_module_id: str, target_dotted: str) -> str:
    """The text after ``from`` for importing ``target_dotted`` inside ``package``'s tree."""
    level, rest = relative_module(module_package(package, from_module_id), target_dotted)
    return "." * level + rest


def build_imports(
    sources: ImportSources,
    module_id: str,
    needed: set[str],
    *,
    futures: tuple[str, ...] = (),
    extra_relative: dict[str, set[tuple[str, str | None]]] | None = None,
) -> tuple[str, list[str]]:
    """(import block text, names that could not be resolved) for one generated module."""
    index = sources.index
    package = sources.package
    unresolved: list[str] = []
    wanted_by_stmt: dict[int, set[str]] = {}
    relative: dict[str, set[tuple[str, str | None]]] = {k: set(v) for k, v in (extra_relative or {}).items()}
    absolute_extra: dict[str, set[tuple[str, str | None]]] = {}
    pending = sorted(needed)
    seen_names: set[str] = set()
    while pending:
        name = pending.pop(0)
        if name in seen_names:
            continue
        seen_names.add(name)
        if name in BUILTINS:
            continue
        provider = sources.import_stmts.get(name)
        if provider is not None and not isinstance(provider.node, cst.SimpleStatementLine):
            # a try/except or if block of imports: what its tests and handlers read is needed too
            pending.extend(sorted(provider.uses - provider.defines))
        if name in sources.definer and sources.definer[name] != module_id:
            target = f"{package}.{sources.definer[name]}" if sources.definer[name] != "__init__" else package
            relative.setdefault(relative_from(package, module_id, target), set()).add((name, None))
        elif name in sources.import_stmts:
            wanted_by_stmt.setdefault(sources.import_stmts[name].index, set()).add(name)
        elif name in SYNTHETIC:
            absolute_extra.setdefault(SYNTHETIC[name], set()).add((name, None))
        elif name in sources.definer:
            continue
        elif (star := sources.from_star(name)) is not None:
            absolute_extra.setdefault(star, set()).add((name, None))
        else:
            unresolved.append(name)

    lines: list[str] = []
    if futures:
        lines.append(render_from("__future__", [(f, None) for f in futures]))
        lines.append("\n")
    emitted_any = False
    spliced: list[str] = []
    group = 0  # the monolith's import sections, separated by blank lines
    last_group = None
    for stmt in index.statements:
        if stmt.kind != "import":
            continue
        if any(line.comment is None for line in getattr(stmt.node, "leading_lines", ())):
            group += 1
        if stmt.index not in wanted_by_stmt:
            continue
        wanted = wanted_by_stmt[stmt.index]
        text = _render_import_stmt(sources, stmt, wanted, module_id, relative)
        if not text:
            continue
        if stmt.file and isinstance(stmt.node, cst.SimpleStatementLine):
            spliced.append(text)  # from another project module: merged into the sections below
            continue
        if emitted_any and group != last_group:
            lines.append("\n")
        lines.append(text)
        emitted_any = True
        last_group = group
    for text in spliced:
        for line in _logical_lines(text):
            lines = _place_line(lines, line)
            emitted_any = True
    # names the rewrites introduced: merged into the monolith's import of that module if present
    if absolute_extra:
        lines = _merge_extra(lines, absolute_extra)
        emitted_any = True
    if relative:
        if emitted_any:
            lines.append("\n")
        for module in sorted(relative, key=_relative_key):
            names = sorted(relative[module], key=lambda n: (_name_kind(n[0]), n[1] or ""))
            lines.append(render_from(module, names))
    return "".join(lines), unresolved


def _relative_key(module: str) -> tuple[int, str]:
    level = len(module) - len(module.lstrip("."))
    return (-level, module.lstrip("."))


def _merge_extra(lines: list[str], extra: dict[str, set[tuple[str, str | None]]]) -> list[str]:
    """Add synthetic names to an existing ``from flask import …`` line, or insert a new line."""
    out = list(lines)
    for module, names in sorted(extra.items()):
        merged = False
        for i, text in enumerate(out):
            head = f"from {module} import "
            if text.startswith(head):
                body = text[len(head):].strip()
                body = body.strip("()").replace("\n", " ")
                existing = [p.strip() for p in body.split(",") if p.strip()]
                parsed = [(p.split(" as ")[0], p.split(" as ")[1] if " as " in p else None) for p in existing]
                combined = sorted(set(parsed) | names, key=lambda n: _name_kind(n[0]))
                out[i] = render_from(module, combined)
                merged = True
                break
        if not merged:
            # a new line, placed among the absolute imports in isort order by module name
            text = render_from(module, sorted(names, key=lambda n: _name_kind(n[0])))
            out = _insert_sorted(out, text, module)
    return out


def _insert_sorted(lines: list[str], text: str, module: str) -> list[str]:
    """Insert a ``from module import`` line into the third-party section, in isort's order
    (``import x`` lines first, then ``from`` lines by module name)."""
    key = module.lower()

    def mod(line: str) -> str:
        return line.split()[1].lower()

    third_party = [
        i
        for i, line in enumerate(lines)
        if line.startswith(("from ", "import ")) and not line.startswith("from .")
        and mod(line) != "__future__" and not _is_stdlib(mod(line))
    ]
    if not third_party:
        pos = len(lines)
        while pos and lines[pos - 1] == "\n":
            pos -= 1
        if pos and lines[pos - 1] != "\n":
            text = "\n" + text
        return [*lines[:pos], text, *lines[pos:]]
    pos = third_party[0]
    for i in third_party:
        if lines[i].startswith("import ") or mod(lines[i]) < key:
            pos = i + 1
    return [*lines[:pos], text, *lines[pos:]]


def _logical_lines(text: str) -> list[str]:
    """Split rendered imports into statements (a wrapped ``from x import (...)`` is one)."""
    out: list[str] = []
    for line in text.splitlines(keepends=True):
        if out and not line.startswith(("from ", "import ")):
            out[-1] += line
        else:
            out.append(line)
    return out


def _rank(line: str) -> int:
    module = line.split()[1]
    if module == "__future__":
        return 0
    if module.startswith("."):
        return 4
    return 1 if _is_stdlib(module) else 2


def _place_line(lines: list[str], text: str) -> list[str]:
    """Put one import statement where isort would: merged into an import of the same module,
    else sorted into its section (stdlib, third party), else as a new section."""
    head = text.split(" import ")[0] + " import "
    if text.startswith("from "):
        module = text.split()[1]
        body = text[len(head):].strip().strip("()").replace("\n", " ")
        names = {(p.split(" as ")[0].strip(), p.split(" as ")[1].strip() if " as " in p else None) for p in body.split(",") if p.strip()}
        if any(line.startswith(head) for line in lines):
            return _merge_extra(lines, {module: names})
    elif text in lines:
        return lines
    rank = _rank(text)
    simple = [i for i, line in enumerate(lines) if line.startswith(("from ", "import ")) and "\n" == line[-1:]]
    same = [i for i in simple if _rank(lines[i]) == rank]
    key = (text.startswith("from "), text.split()[1].lower())
    if same:
        pos = same[0]
        for i in same:
            if (lines[i].startswith("from "), lines[i].split()[1].lower()) < key:
                pos = i + 1
        return [*lines[:pos], text, *lines[pos:]]
    before = [i for i in simple if _rank(lines[i]) < rank]
    if not before:
        return [text, "\n", *lines] if lines else [text]
    pos = before[-1] + 1
    return [*lines[:pos], "\n", text, *lines[pos:]]


def _is_stdlib(module: str) -> bool:
    import sys

    return module.split(".")[0] in sys.stdlib_module_names


def _render_import_stmt(
    sources: ImportSources,
    stmt: Statement,
    wanted: set[str],
    module_id: str,
    relative: dict[str, set[tuple[str, str | None]]],
) -> str:
    """The monolith's import statement, reduced to ``wanted`` (or moved to ``relative``)."""
    index = sources.index
    node = stmt.node
    package = sources.package
    if not isinstance(node, cst.SimpleStatementLine):
        # a try/except or if block of imports: replicated whole, with moved modules rewritten
        rewritten = node.visit(
            RewriteModuleImportsTransformer(mapping=sources.mapping, package=module_package(package, module_id))
        )
        assert isinstance(rewritten, (cst.SimpleStatementLine, cst.BaseCompoundStatement))
        code = cst.Module(body=[rewritten]).code
        return code.lstrip("\n")
    out: list[str] = []
    for small in node.body:
        if isinstance(small, cst.ImportFrom):
            if isinstance(small.names, cst.ImportStar):
                out.append(cst.Module(body=[]).code_for_node(small) + "\n")
                continue
            absolute = absolute_module(index, small)
            keep: list[tuple[str, str | None]] = []
            for alias in small.names:
                name = dotted(alias.name) or ""
                local = alias.asname.name.value if alias.asname and isinstance(alias.asname.name, cst.Name) else name
                if local in wanted:
                    keep.append((name, local if local != name else None))
            if not keep:
                continue
            # `from legacy import models`: the names are modules that moved
            moved_modules = [(n, a, map_module(sources.mapping, f"{absolute}.{n}")) for n, a in keep]
            if absolute and map_module(sources.mapping, absolute) is None and any(m for _, _, m in moved_modules):
                rest: list[tuple[str, str | None]] = []
                for n, a, m in moved_modules:
                    if m is None:
                        rest.append((n, a))
                        continue
                    parent, _, leaf = m.rpartition(".")
                    relative.setdefault(relative_from(package, module_id, parent), set()).add(
                        (leaf, a or (n if n != leaf else None))
                    )
                if not rest:
                    continue
                keep = rest
            new = map_module(sources.mapping, absolute) if absolute else None
            if new is not None:
                target = relative_from(package, module_id, new)
                relative.setdefault(target, set()).update(keep)
                continue
            if small.relative:
                # the monolith's relative import of a module that stays where it is
                out.append(render_from(absolute, keep))
                continue
            out.append(render_from((dotted(small.module) if small.module else "") or "", keep))
        elif isinstance(small, cst.Import):
            for alias in small.names:
                name = dotted(alias.name) or ""
                local = alias.asname.name.value if alias.asname and isinstance(alias.asname.name, cst.Name) else name.split(".")[0]
                if local not in wanted:
                    continue
                new = map_module(sources.mapping, name)
                if new is not None and (alias.asname is not None or "." not in name):
                    parent, _, leaf = new.rpartition(".")
                    relative.setdefault(relative_from(package, module_id, parent), set()).add((leaf, local if local != leaf else None))
                    continue
                out.append(f"import {name} as {local}\n" if alias.asname else f"import {name}\n")
    return "".join(out)
