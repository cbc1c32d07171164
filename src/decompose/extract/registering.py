"""Routes that *other* modules of the project register on the monolith's app.

The classic layouts: ``views.py`` doing ``from .server import app`` and decorating its handlers
with ``@app.route``; an ``api`` module adding routes to the app of the package's ``__init__.py``
(``from mypkg import app``, re-exported); ``import mypkg.server as srv`` then ``@srv.app.route``.

Such a module runs its registrations when imported, on the one app object, so extraction treats
its top-level statements as if they were written at the end of the monolith: they are spliced in
after the monolith's own statements, and from there every statement is placed like any other
(routes to their domain's blueprint, helpers to services or the kernel, hooks to create_app).
To make the splice exact, the module is rewritten first (libcst, nothing else changes):

- its imports of the monolith's names are dropped (``from .server import app, db``): the names
  are the monolith's own globals once spliced; an import under another name
  (``import … as srv``, ``from … import app as application``) has its uses renamed back;
- its relative imports become absolute (they were relative to another package);
- a top-level name that the monolith also defines differently is renamed ``<module>_<name>``
  in the module (never a route handler's name, which would change its endpoint).

What cannot be spliced safely (the module object used as a value, a clashing name that is also
a local somewhere, a clashing route handler) raises InputError naming the file, line and why.
"""

from __future__ import annotations

import ast
import symtable
from dataclasses import dataclass, field
from pathlib import Path

import libcst as cst

from decompose.errors import InputError
from decompose.extract.project import Project, module_file

SKIP_DIRS = frozenset({"tests", "test", "migrations", "venv", ".venv", "node_modules", "__pycache__", "site-packages", "build", "dist"})
#: app calls at module level that register something (decorators on the app always count)
REGISTERING_CALLS = frozenset(
    {"add_url_rule", "register_blueprint", "register_error_handler", "before_request", "after_request",
     "teardown_request", "teardown_appcontext", "context_processor", "errorhandler", "template_filter",
     "add_template_filter", "add_template_global", "add_template_test", "url_value_preprocessor", "url_defaults"}
)


@dataclass
class Inlined:
    """One registering module, rewritten to be spliced after the monolith's statements."""

    module: str  # dotted name, e.g. bookstore.views
    rel: str  # file relative to the project root, POSIX
    code: str  # the rewritten top-level statements
    spans: list[tuple[int, int]]  # original (first, last) line of each statement in ``code``
    notes: list[str] = field(default_factory=list)


def import_name(project: Project) -> str:
    """The name the monolith is imported under (``pkg`` for ``pkg/__init__.py``)."""
    name = project.module_name
    return name[: -len(".__init__")] if name.endswith(".__init__") else name


def _dotted_of(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _absolute(module: str, is_package: bool, level: int, target: str | None) -> str:
    if not level:
        return target or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    if level > 1:
        base = base[: len(base) - (level - 1)]
    prefix = ".".join(base)
    return f"{prefix}.{target}" if target and prefix else (target or prefix)


def _candidates(project: Project) -> list[Path]:
    top = project.module_name.split(".")[0]
    if project.package:
        roots = [project.root / top]
        files = [p for r in roots for p in r.rglob("*.py")]
    else:
        files = list(project.root.glob("*.py"))
        for init in sorted(project.root.glob("*/__init__.py")):
            files.extend(init.parent.rglob("*.py"))
    out = []
    for path in sorted(set(files)):
        rel = path.relative_to(project.root).parts
        if any(part in SKIP_DIRS or part.startswith(".") for part in rel[:-1]):
            continue
        if path.resolve() == project.app_file.resolve():
            continue
        out.append(path)
    return out


class _Resolver:
    """Does ``from MODULE import NAME`` give the monolith's NAME (directly or re-exported)?"""

    def __init__(self, project: Project, mono: str, mono_defines: set[str]) -> None:
        self.project, self.mono, self.mono_defines = project, mono, mono_defines
        self._trees: dict[str, ast.Module | None] = {}

    def _tree(self, module: str) -> ast.Module | None:
        if module not in self._trees:
            path = module_file(self.project.root, module)
            try:
                self._trees[module] = ast.parse(path.read_bytes()) if path else None
            except (SyntaxError, ValueError, OSError):
                self._trees[module] = None
        return self._trees[module]

    def gives(self, module: str, name: str, depth: int = 0) -> str | None:
        """The monolith name ``from module import name`` binds, else None."""
        if module == self.mono:
            return name if name in self.mono_defines else None
        if depth > 3:
            return None
        tree = self._tree(module)
        if tree is None:
            return None
        path = module_file(self.project.root, module)
        is_pkg = path is not None and path.name == "__init__.py"
        found = None
        for node in tree.body:  # the last binding wins, as at run time
            if isinstance(node, ast.ImportFrom):
                target = _absolute(module, is_pkg, node.level, node.module)
                for alias in node.names:
                    if (alias.asname or alias.name) == name:
                        found = self.gives(target, alias.name, depth + 1)
            elif isinstance(node, (ast.Assign, ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef)):
                targets = [node.name] if not isinstance(node, ast.Assign) else [
                    t.id for t in node.targets if isinstance(t, ast.Name)
                ]
                if name in targets:
                    found = None
        return found


def _bindings(tree: ast.Module, module: str, is_pkg: bool, resolver: _Resolver, mono: str) -> tuple[dict[str, str], dict[str, str]]:
    """(local name -> monolith name, module reference -> '') of a module's top-level imports."""
    names: dict[str, str] = {}
    modrefs: dict[str, str] = {}
    parent, _, leaf = mono.rpartition(".")
    for node in tree.body:
        if isinstance(node, ast.ImportFrom):
            target = _absolute(module, is_pkg, node.level, node.module)
            for alias in node.names:
                local = alias.asname or alias.name
                if target == parent and alias.name == leaf:
                    modrefs[local] = mono
                    continue
                given = resolver.gives(target, alias.name)
                if given is not None:
                    names[local] = given
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == mono:
                    modrefs[alias.asname or alias.name] = mono
    return names, modrefs


def _registers(tree: ast.Module, app_refs: set[str]) -> bool:
    def is_app(expr: ast.expr) -> bool:
        return ast.unparse(expr) in app_refs

    for node in tree.body:
        for dec in getattr(node, "decorator_list", ()):
            func = dec.func if isinstance(dec, ast.Call) else dec
            while isinstance(func, ast.Attribute):
                if is_app(func.value):
                    return True
                func = func.value
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
            func = node.value.func
            if isinstance(func, ast.Attribute) and func.attr in REGISTERING_CALLS and is_app(func.value):
                return True
    return False


def find_registering(project: Project, code: str, app_name: str, notes: list[str] | None = None) -> list[Inlined]:
    """Every project module that registers on the monolith's app and is imported when the app
    is loaded, rewritten for the splice. Registering modules nothing imports are not spliced
    (the running app does not have their routes); ``notes`` gets a line for each."""
    if notes is None:
        notes = []
    mono = import_name(project)
    mono_defines = _top_defines(code)
    resolver = _Resolver(project, mono, mono_defines)
    found: list[tuple[Path, str, ast.Module, dict[str, str], dict[str, str]]] = []
    for path in _candidates(project):
        try:
            source = path.read_bytes()
            if mono.rpartition(".")[2] not in source.decode("utf-8", "replace") and app_name.encode() not in source:
                continue
            tree = ast.parse(source)
        except (SyntaxError, ValueError, OSError):
            continue
        module = _dotted_of(project.root, path)
        names, modrefs = _bindings(tree, module, path.name == "__init__.py", resolver, mono)
        app_refs = {local for local, given in names.items() if given == app_name}
        app_refs |= {f"{ref}.{app_name}" for ref in modrefs}
        if app_refs and _registers(tree, app_refs):
            found.append((path, module, tree, names, modrefs))
    if found:
        reachable = _reachable(project, mono, [c for c in _candidates(project) if c not in {f[0] for f in found}])
        unused = [f for f in found if f[1] not in reachable]
        found = [f for f in found if f[1] in reachable]
        for path, *_ in unused:
            notes.append(
                f"{path.relative_to(project.root).as_posix()}: registers on the app of {project.app_rel}, but "
                "nothing imports it (not the monolith, its package, nor a script beside it): not moved"
            )
    out: list[Inlined] = []
    taken: dict[str, set[tuple[str, str]]] = {name: set() for name in mono_defines}
    mono_is_pkg = project.app_file.name == "__init__.py"
    spliced = {module for _, module, _, _, _ in found}
    for name, origin in _import_origins(ast.parse(code), mono, mono_is_pkg).items():
        if origin[0] in spliced:
            taken.pop(name, None)  # `from .views import helper`: the spliced def is that very name
            continue
        taken.setdefault(name, set()).add(origin)
    for path, module, _tree, names, modrefs in found:
        out.append(_rewrite(project, path, module, names, modrefs, mono, taken))
    return out


def _reachable(project: Project, mono: str, scripts: list[Path]) -> set[str]:
    """Modules imported (transitively) when the app is loaded: from the monolith, the packages
    on its way (importing ``pkg.server`` runs ``pkg/__init__.py``), and the entry scripts beside
    it that import the monolith (``run.py``: ``from app import app; import views``)."""
    roots: list[str] = [mono]
    parts = mono.split(".")
    roots += [".".join(parts[:i]) for i in range(1, len(parts))]
    for path in scripts:
        if len(path.relative_to(project.root).parts) == 1 or path.parent == project.app_file.parent:
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue
            if parts[-1] in text:
                roots.append(_dotted_of(project.root, path))
    seen: set[str] = set()
    queue = list(roots)
    while queue:
        module = queue.pop()
        if module in seen:
            continue
        seen.add(module)
        file = module_file(project.root, module)
        if file is None:
            continue
        try:
            tree = ast.parse(file.read_bytes())
        except (SyntaxError, ValueError, OSError):
            continue
        is_pkg = file.name == "__init__.py"
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                target = _absolute(module, is_pkg, node.level, node.module)
                names = [target, *(f"{target}.{a.name}" for a in node.names)]
            for name in names:
                bits = name.split(".")
                queue.extend(".".join(bits[:i]) for i in range(1, len(bits) + 1))
    return seen


def _top_defines(code: str) -> set[str]:
    table = symtable.symtable(code, "<module>", "exec")
    return {s.get_name() for s in table.get_symbols() if s.is_assigned() or s.is_imported() or s.is_namespace()}


def _import_origins(tree: ast.Module, module: str, is_pkg: bool) -> dict[str, tuple[str, str]]:
    out: dict[str, tuple[str, str]] = {}
    for node in tree.body:
        if isinstance(node, ast.ImportFrom):
            target = _absolute(module, is_pkg, node.level, node.module)
            for alias in node.names:
                if alias.name != "*":
                    out[alias.asname or alias.name] = (target, alias.name)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                out[alias.asname or alias.name.split(".")[0]] = ("import", alias.name if alias.asname else alias.name.split(".")[0])
    return out


class _Rewrite(cst.CSTTransformer):
    """Relative imports -> absolute; ``srv.X`` -> ``X``; renamed names."""

    def __init__(self, module: str, is_pkg: bool, modrefs: set[str], renames: dict[str, str]) -> None:
        super().__init__()
        self.module, self.is_pkg, self.modrefs, self.renames = module, is_pkg, modrefs, renames
        self.skip: set[int] = set()

    def visit_Attribute(self, node: cst.Attribute) -> None:
        self.skip.add(id(node.attr))

    def visit_Arg(self, node: cst.Arg) -> None:
        if node.keyword is not None:
            self.skip.add(id(node.keyword))

    def visit_ImportAlias(self, node: cst.ImportAlias) -> bool:
        return False

    def leave_ImportFrom(self, original_node: cst.ImportFrom, updated_node: cst.ImportFrom) -> cst.ImportFrom:
        names = updated_node.names
        if not isinstance(names, cst.ImportStar):
            aliases = []
            for alias in names:
                local = alias.evaluated_alias or alias.evaluated_name
                if local in self.renames and "." not in local:
                    alias = alias.with_changes(asname=cst.AsName(name=cst.Name(self.renames[local])))
                aliases.append(alias)
            updated_node = updated_node.with_changes(names=aliases)
        if not updated_node.relative:
            return updated_node
        target = _absolute(self.module, self.is_pkg, len(updated_node.relative), _code(updated_node.module) if updated_node.module else None)
        return updated_node.with_changes(relative=[], module=cst.parse_expression(target))

    def leave_Import(self, original_node: cst.Import, updated_node: cst.Import) -> cst.Import:
        aliases = []
        for alias in updated_node.names:
            local = alias.evaluated_alias or alias.evaluated_name
            if local in self.renames and "." not in local:
                alias = alias.with_changes(asname=cst.AsName(name=cst.Name(self.renames[local])))
            aliases.append(alias)
        return updated_node.with_changes(names=aliases)

    def leave_Attribute(self, original_node: cst.Attribute, updated_node: cst.Attribute) -> cst.BaseExpression:
        if _code(original_node.value) in self.modrefs:
            return cst.Name(updated_node.attr.value)  # the monolith's own name: never renamed
        return updated_node

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.Name:
        if id(original_node) in self.skip or updated_node.value not in self.renames:
            return updated_node
        return updated_node.with_changes(value=self.renames[updated_node.value])


def _code(node: cst.CSTNode) -> str:
    return cst.Module(body=[]).code_for_node(node)


def _spans(module: cst.Module) -> list[tuple[int, int]]:
    line = 1 + len(module.header)
    spans = []
    for stmt in module.body:
        chunk = module.code_for_node(stmt)
        first = line + len(getattr(stmt, "leading_lines", ()))
        spans.append((first, max(first, line + chunk.count("\n") - 1)))
        line += chunk.count("\n")
    return spans


def _bound_in_nested_scope(code: str, name: str) -> bool:
    stack = list(symtable.symtable(code, "<module>", "exec").get_children())
    while stack:
        scope = stack.pop()
        try:
            sym = scope.lookup(name)
        except KeyError:
            sym = None
        if sym is not None and (sym.is_local() or sym.is_parameter() or sym.is_declared_global()):
            return True
        stack.extend(scope.get_children())
    return False


def _rewrite(
    project: Project,
    path: Path,
    module: str,
    names: dict[str, str],
    modrefs: dict[str, str],
    mono: str,
    taken: dict[str, set[tuple[str, str]]],
) -> Inlined:
    """Rewrite one registering module; ``taken`` (name -> import origins, empty when not an
    import) holds what the monolith and the modules spliced before this one bind."""
    rel = path.relative_to(project.root).as_posix()
    text = path.read_text(encoding="utf-8")
    try:
        tree = cst.parse_module(text)
    except cst.ParserSyntaxError as exc:
        raise InputError(f"{rel}:{exc.raw_line}:{exc.raw_column}: cannot parse: {exc.message}") from None
    is_pkg = path.name == "__init__.py"
    spans = _spans(tree)
    kept: list[tuple[cst.BaseStatement, tuple[int, int]]] = []
    for i, (original, span) in enumerate(zip(tree.body, spans, strict=True)):
        if i == 0 and _is_docstring(original):
            continue
        dropped = _drop_monolith_imports(original, module, is_pkg, names, modrefs, mono)
        if dropped is not None:
            kept.append((dropped, span))
    body_code = "".join(_code(s) for s, _ in kept)
    # names the module binds itself that the monolith (or an earlier module) binds differently
    py_ast = ast.parse(text)
    origins = _import_origins(py_ast, module, is_pkg)
    own = _top_defines(body_code) if body_code.strip() else set()
    renames = {local: given for local, given in names.items() if local != given}
    short = module.rpartition(".")[2]
    notes: list[str] = []
    for name in sorted(own & set(taken)):
        origin = origins.get(name)
        if origin is not None and origin in taken[name]:
            continue  # the same import in both modules
        if _bound_in_nested_scope(body_code, name) or _is_route_handler(kept, name):
            raise InputError(
                f"{rel}: defines `{name}`, which {project.app_rel} also defines; extract merges the two "
                f"modules' code and cannot rename it safely here — rename one of them and retry."
            )
        new = f"{short}_{name}"
        while new in taken or new in own:
            new = f"_{new}"
        renames[name] = new
        notes.append(f"{rel}: `{name}` is also defined in {project.app_rel}; renamed `{new}` in the moved code")
    transformer = _Rewrite(module, is_pkg, set(modrefs), renames)
    out_stmts = []
    for statement, _ in kept:
        transformer.skip = set()
        new_stmt = statement.visit(transformer)
        assert isinstance(new_stmt, cst.BaseStatement)
        out_stmts.append(new_stmt)
    code = "".join(_code(s) for s in out_stmts)
    for ref in modrefs:
        head = ref.split(".")[0]
        if head in (_top_defines(code) | _reads(code)) and "." not in ref:
            raise InputError(
                f"{rel}: uses the module `{ref}` itself as a value (not only `{ref}.name`); "
                "extract cannot splice its routes into the package — use `from ... import name` and retry."
            )
    for name in _top_defines(code) if code.strip() else set():
        taken.setdefault(name, set())
    for name, origin in _import_origins(ast.parse(code), module, is_pkg).items():
        taken.setdefault(name, set()).add(origin)
    return Inlined(module=module, rel=rel, code=code, spans=[s for _, s in kept], notes=notes)


def _reads(code: str) -> set[str]:
    out: set[str] = set()
    stack = [symtable.symtable(code, "<module>", "exec")]
    while stack:
        table = stack.pop()
        out |= {s.get_name() for s in table.get_symbols() if s.is_referenced()}
        stack.extend(table.get_children())
    return out


def _is_docstring(stmt: cst.BaseStatement) -> bool:
    return (
        isinstance(stmt, cst.SimpleStatementLine)
        and len(stmt.body) == 1
        and isinstance(stmt.body[0], cst.Expr)
        and isinstance(stmt.body[0].value, (cst.SimpleString, cst.ConcatenatedString))
    )


def _is_route_handler(kept: list[tuple[cst.BaseStatement, tuple[int, int]]], name: str) -> bool:
    for stmt, _ in kept:
        if isinstance(stmt, (cst.FunctionDef, cst.ClassDef)) and stmt.name.value == name and stmt.decorators:
            return True
    return False


def _drop_monolith_imports(
    stmt: cst.BaseStatement, module: str, is_pkg: bool, names: dict[str, str], modrefs: dict[str, str], mono: str
) -> cst.BaseStatement | None:
    """The statement without the imports that bind the monolith's names or the monolith itself."""
    if not isinstance(stmt, cst.SimpleStatementLine):
        return stmt
    body: list[cst.BaseSmallStatement] = []
    for small in stmt.body:
        if isinstance(small, cst.ImportFrom) and not isinstance(small.names, cst.ImportStar):
            level = len(small.relative)
            target = _absolute(module, is_pkg, level, _code(small.module) if small.module else None)
            parent, _, leaf = mono.rpartition(".")
            aliases = []
            for alias in small.names:
                local = alias.evaluated_alias or alias.evaluated_name
                if local in modrefs and target == parent and alias.evaluated_name == leaf:
                    continue
                if local in names:
                    continue
                aliases.append(alias)
            if not aliases:
                continue
            if len(aliases) != len(small.names):
                aliases[-1] = aliases[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
                small = small.with_changes(names=aliases, lpar=None, rpar=None) if len(aliases) == 1 else small.with_changes(names=aliases)
            body.append(small)
        elif isinstance(small, cst.Import):
            aliases = [a for a in small.names if not (a.evaluated_name == mono and (a.evaluated_alias or a.evaluated_name) in modrefs and a.asname is not None)]
            if not aliases:
                continue
            if len(aliases) != len(small.names):
                aliases[-1] = aliases[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
                small = small.with_changes(names=aliases)
            body.append(small)
        else:
            body.append(small)
    if not body:
        return None
    body[-1] = body[-1].with_changes(semicolon=cst.MaybeSentinel.DEFAULT)
    return stmt.with_changes(body=body)


def splice(code: str, inlined: list[Inlined]) -> tuple[str, list[tuple[str, int, int]]]:
    """The monolith's code with each module's statements after it, and (file, first, last) of
    every spliced statement, in order."""
    if not inlined:
        return code, []
    out = code if code.endswith("\n") else code + "\n"
    where: list[tuple[str, int, int]] = []
    for item in inlined:
        if not item.code.strip():
            continue
        out += "\n\n" + item.code.lstrip("\n")
        where.extend((item.rel, first, last) for first, last in item.spans)
    return out, where
