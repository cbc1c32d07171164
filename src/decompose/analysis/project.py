"""Reading a Flask project: which files, parsed how, and the input errors users can hit.

Modules are parsed twice, for two different jobs:

* ``libcst.parse_module`` gives the lossless tree that extract rewrites (comments, formatting).
  The entry module is parsed up front, so that a file libcst cannot read is refused by analyze
  as it would be by extract; the other modules are parsed on first use of ``ParsedModule.cst``.
* ``ast.parse`` gives the tree analyze reasons on. It carries exact line, column and end
  positions for free, where libcst's PositionProvider costs about twice the parse itself
  (see shared/MEASUREMENTS.md), and it needs no scope or qualified-name metadata: names
  are resolved by our own per-module import table (:mod:`decompose.analysis.names`).

The top-level statements of both trees are matched by line (:attr:`ParsedModule.statements`),
so a consumer holding a libcst statement knows what it defines and uses.
"""

from __future__ import annotations

import ast
import hashlib
import re
import tokenize
from collections.abc import Iterable
from dataclasses import dataclass, field
from fnmatch import fnmatch
from functools import cached_property
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING

from decompose.analysis.astutil import NodeIndex, index_module
from decompose.errors import InputError
from decompose.model import Location, Unhandled

if TYPE_CHECKING:
    import libcst

#: Directories never read when a whole package directory is analysed.
SKIP_DIRS = frozenset(
    {
        "tests", "test", "testing", "migrations", "alembic", "venv", ".venv", "env", "node_modules",
        "build", "dist", "site-packages", "__pycache__", ".git", ".tox", ".nox", "docs",
        ".decompose-cache",
    }
)
#: Files in a package directory preferred as the module that creates the app.
ENTRY_NAMES = ("__init__.py", "app.py", "application.py", "wsgi.py", "main.py", "server.py")


@dataclass(frozen=True)
class StatementInfo:
    """One top-level statement of a module: ``index`` into ``ParsedModule.cst.body``.

    ``line``/``end_line`` span the statement itself (decorators included, leading comments not);
    ``defines`` are the module-level names it binds; ``uses`` the names it reads that it does
    not bind itself (module globals, imports, builtins). Several ast statements joined by ``;``
    share one libcst statement and are merged.
    """

    index: int
    line: int
    end_line: int
    kind: str  # import | function | class | assign | expression | if | try | with | loop | other
    defines: tuple[str, ...] = ()
    uses: tuple[str, ...] = ()


@dataclass
class ParsedModule:
    """One project module: its source, its ast tree, and (lazily) its libcst tree."""

    name: str  # dotted module name, e.g. "legacy.app"
    path: Path  # absolute path
    rel: str  # POSIX path relative to the project root
    source: str
    tree: ast.Module
    is_package: bool = False
    source_hash: str = ""
    _cst: libcst.Module | None = field(default=None, repr=False)

    @property
    def cst(self) -> libcst.Module:
        """The libcst tree (parsed on first use when the index was loaded with ``cst=False``)."""
        if self._cst is None:
            self._cst = parse_cst(self.rel, self.source)
        return self._cst

    @property
    def package(self) -> str:
        """The package relative imports start from."""
        return self.name if self.is_package else self.name.rpartition(".")[0]

    @cached_property
    def nodes(self) -> NodeIndex:
        """Calls, imports, excepts, assignments and identifier counts, from one walk."""
        return index_module(self.tree)

    @cached_property
    def lines(self) -> list[str]:
        return self.source.splitlines()

    def line_text(self, line: int) -> str:
        if 1 <= line <= len(self.lines):
            return self.lines[line - 1]
        return ""

    def segment(self, node: ast.AST, max_lines: int = 6) -> str:
        """The source of ``node`` as written (first ``max_lines`` lines, dedented)."""
        start = getattr(node, "lineno", 0)
        end = getattr(node, "end_lineno", start) or start
        chunk = self.lines[start - 1 : min(end, start + max_lines - 1)]
        if not chunk:
            return ""
        indent = min((len(x) - len(x.lstrip()) for x in chunk if x.strip()), default=0)
        text = "\n".join(x[indent:] for x in chunk)
        if end > start + max_lines - 1:
            text += "\n..."
        return text

    def location(self, node: ast.AST, *, span: bool = False) -> Location:
        line = getattr(node, "lineno", 1)
        if span:
            decorators = getattr(node, "decorator_list", None) or []
            line = min([line, *(d.lineno for d in decorators)])
        return Location(
            file=self.rel,
            line=line,
            end_line=getattr(node, "end_lineno", line) or line,
            column=getattr(node, "col_offset", 0) + 1,
        )

    @cached_property
    def statements(self) -> tuple[StatementInfo, ...]:
        """Top-level statements matched to ``cst.body`` indexes (see :class:`StatementInfo`)."""
        from decompose.analysis.statements import map_statements

        return map_statements(self)


@dataclass
class ProjectIndex:
    """The parsed project: the entry module and every project module it reaches."""

    root: Path
    entry: ParsedModule
    modules: dict[str, ParsedModule]  # in the order they were read (entry first)
    unhandled: list[Unhandled] = field(default_factory=list)
    probed: list[str] = field(default_factory=list)  # candidate paths that did not exist

    def module_of(self, qualname: str) -> ParsedModule | None:
        """The project module a qualified name lives in (longest module prefix)."""
        parts = qualname.split(".")
        for i in range(len(parts), 0, -1):
            found = self.modules.get(".".join(parts[:i]))
            if found is not None:
                return found
        return None

    @property
    def files(self) -> tuple[str, ...]:
        return tuple(sorted(m.rel for m in self.modules.values()))

    @property
    def source_hash(self) -> str:
        digest = hashlib.sha256()
        for m in sorted(self.modules.values(), key=lambda m: m.rel):
            digest.update(m.rel.encode())
            digest.update(m.source_hash.encode())
        return digest.hexdigest()


def load_project(
    path: str | Path,
    *,
    exclude: Iterable[str] = (),
    max_file_bytes: int = 8_000_000,
    follow_imports: bool = True,
    cst: bool = True,
) -> ProjectIndex:
    """Read the app module (or package directory) at ``path`` and the project modules it imports.

    Raises :class:`InputError` for input that cannot be analysed at all; a sibling module that
    cannot be read is recorded in ``unhandled`` instead.
    """
    given = Path(path)
    if not given.exists():
        raise InputError(f"{path}: no such file or directory.")
    target = given.resolve()
    exclude = tuple(exclude)
    loader = _Loader(exclude, max_file_bytes, cst)
    if target.is_dir():
        root, package_files = _package_files(target)
        loader.root = root
        if not package_files:
            raise InputError(f"{path}: directory holds no Python files; pass the module that creates the Flask app.")
        entry_file = _pick_entry(target, package_files)
        entry = loader.read(entry_file, required=True)
        assert entry is not None
        for file in package_files:
            if file != entry_file:
                loader.read(file, required=False)
    else:
        if target.suffix not in (".py", ".pyw") and not _looks_like_python(target):
            raise InputError(f"{path}: not a Python source file; pass the module that creates the Flask app.")
        loader.root = _project_root(target)
        entry = loader.read(target, required=True)
        assert entry is not None
        # importing pkg.mod runs pkg/__init__.py first: it may register routes too
        directory = target.parent
        while directory != loader.root and (directory / "__init__.py").is_file():
            if directory / "__init__.py" != target:
                loader.read(directory / "__init__.py", required=False)
            directory = directory.parent
    if follow_imports:
        loader.follow()
    index = ProjectIndex(
        root=loader.root,
        entry=entry,
        modules=loader.modules,
        unhandled=loader.unhandled,
        probed=sorted(set(loader.probed)),
    )
    return index


def parse_cst(rel: str, source: str) -> libcst.Module:
    import libcst

    try:
        return libcst.parse_module(source)
    except libcst.ParserSyntaxError as exc:
        message = str(exc.message).strip().rstrip(".")
        raise InputError(
            f"{rel}:{exc.raw_line}:{exc.raw_column + 1}: syntax error: {message}; fix the file and run again."
        ) from None
    except RecursionError:
        raise InputError(f"{rel}: nested too deeply to parse; it looks generated.") from None


def module_name_for(root: Path, file: Path) -> tuple[str, bool]:
    rel = file.relative_to(root).with_suffix("")
    parts = list(rel.parts)
    is_package = parts[-1] == "__init__"
    if is_package:
        parts = parts[:-1]
    return ".".join(parts) or file.parent.name, is_package


class _Loader:
    def __init__(self, exclude: tuple[str, ...], max_bytes: int, cst: bool) -> None:
        self.root = Path(".")
        self.exclude = exclude
        self.max_bytes = max_bytes
        self.cst = cst
        self.modules: dict[str, ParsedModule] = {}
        self.by_path: dict[Path, ParsedModule | None] = {}
        self.unhandled: list[Unhandled] = []
        self.probed: list[str] = []

    def rel(self, file: Path) -> str:
        try:
            return file.relative_to(self.root).as_posix()
        except ValueError:
            return file.as_posix()

    def read(self, file: Path, *, required: bool) -> ParsedModule | None:
        if file in self.by_path:
            return self.by_path[file]
        rel = self.rel(file)
        if not required and any(fnmatch(rel, pattern) for pattern in self.exclude):
            self.by_path[file] = None
            return None
        try:
            module = self._parse(file, rel, required)
        except InputError as exc:
            if required:
                raise
            self.by_path[file] = None
            self.unhandled.append(
                Unhandled(Location(rel, _error_line(str(exc))), f"module not analysed: {exc}")
            )
            return None
        self.by_path[file] = module
        self.modules[module.name] = module
        return module

    def _parse(self, file: Path, rel: str, required: bool) -> ParsedModule:
        try:
            size = file.stat().st_size
            if size > self.max_bytes:
                raise InputError(
                    f"{rel}: {size / 1e6:.1f} MB is more than the {self.max_bytes / 1e6:.0f} MB "
                    "limit for a source file; it looks generated, so exclude it or raise "
                    "[analyze] max_file_bytes."
                )
            data = file.read_bytes()
        except OSError as exc:
            raise InputError(f"{rel}: cannot be read ({exc.strerror}).") from None
        source = decode_source(rel, data)
        if not source.strip() and required:
            raise InputError(f"{rel}: the file is empty; pass the module that creates the Flask app.")
        # ast first: CPython's parser refuses pathological nesting with an exception, where
        # libcst's native parser can overflow the C stack; only what ast accepts reaches libcst.
        try:
            tree = ast.parse(source, filename=rel)
        except SyntaxError as exc:
            raise InputError(
                f"{rel}:{exc.lineno}:{exc.offset}: syntax error: {exc.msg}; fix the file and run again."
            ) from None
        except (RecursionError, MemoryError):
            raise InputError(f"{rel}: nested too deeply to parse; it looks generated.") from None
        # the entry decides whether the input is valid for extract too; other modules are
        # parsed by libcst when someone asks for their tree (ParsedModule.cst)
        cst_tree = parse_cst(rel, source) if self.cst and required else None
        name, is_package = module_name_for(self.root, file)
        return ParsedModule(
            name=name,
            path=file,
            rel=rel,
            source=source,
            tree=tree,
            is_package=is_package,
            source_hash=hashlib.sha256(data).hexdigest(),
            _cst=cst_tree,
        )

    def follow(self) -> None:
        """Read every project module the modules read so far import, transitively."""
        queue = list(self.modules.values())
        while queue:
            module = queue.pop(0)
            for target in self._imported_modules(module):
                for file in self._candidates(target):
                    if file.is_file():
                        found = self.read(file, required=False)
                        if found is not None and found not in queue and found.name != module.name:
                            queue.append(found)
                        break
                    self.probed.append(self.rel(file))

    def _imported_modules(self, module: ParsedModule) -> list[str]:
        names: list[str] = []
        for node in module.nodes.imports:
            if isinstance(node, ast.Import):
                for alias in node.names:
                    parts = alias.name.split(".")
                    names.extend(".".join(parts[: i + 1]) for i in range(len(parts)))
            elif isinstance(node, ast.ImportFrom):
                base = resolve_relative(module, node.module, node.level)
                if base is None:
                    continue
                parts = base.split(".")
                names.extend(".".join(parts[: i + 1]) for i in range(len(parts)))
                names.extend(f"{base}.{a.name}" for a in node.names if a.name != "*")
        seen: dict[str, None] = {}
        for n in names:
            if n and n not in self.modules:
                seen.setdefault(n)
        return list(seen)

    def _candidates(self, dotted: str) -> list[Path]:
        base = self.root.joinpath(*dotted.split("."))
        return [base.with_suffix(".py"), base / "__init__.py"]


def resolve_relative(module: ParsedModule, name: str | None, level: int) -> str | None:
    """The absolute module name of ``from <level dots><name> import …`` inside ``module``."""
    if level == 0:
        return name
    package = module.package
    parts = package.split(".") if package else []
    if level - 1 > len(parts):
        return None
    base = parts[: len(parts) - (level - 1)]
    if name:
        base.append(name)
    return ".".join(base) or None


def decode_source(rel: str, data: bytes) -> str:
    """Bytes of a source file as text; binary and undecodable files are input errors."""
    if b"\x00" in data[:8192]:
        raise InputError(f"{rel}: is a binary file, not Python source.")
    try:
        encoding, _ = tokenize.detect_encoding(BytesIO(data).readline)
    except SyntaxError as exc:
        raise InputError(f"{rel}: {exc.msg}; save the file as UTF-8.") from None
    try:
        return data.decode("utf-8-sig" if encoding == "utf-8-sig" else encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        if isinstance(exc, UnicodeDecodeError):
            line = data[: exc.start].count(b"\n") + 1
            column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
            raise InputError(
                f"{rel}:{line}:{column}: byte 0x{data[exc.start]:02x} is not valid {encoding}; "
                "save the file as UTF-8 or declare its encoding in a coding comment."
            ) from None
        raise InputError(f"{rel}: unknown source encoding {encoding!r}.") from None


def _looks_like_python(file: Path) -> bool:
    try:
        with file.open("rb") as fh:
            head = fh.readline()
    except OSError:
        return False
    return head.startswith(b"#!") and b"python" in head


def _project_root(file: Path) -> Path:
    """The directory from which the file's dotted module name starts."""
    directory = file.parent
    while (directory / "__init__.py").is_file() and directory.parent != directory:
        directory = directory.parent
    return directory


def _package_files(directory: Path) -> tuple[Path, list[Path]]:
    root = _project_root(directory / "__init__.py") if (directory / "__init__.py").is_file() else directory
    files: list[Path] = []
    for file in sorted(directory.rglob("*.py")):
        relative = file.relative_to(directory)
        if any(part in SKIP_DIRS or part.startswith(".") for part in relative.parts[:-1]):
            continue
        if file.name.startswith("test_") or file.name in ("conftest.py", "setup.py"):
            continue
        files.append(file)
    return root, files


_APP_CALL = re.compile(rb"\bFlask\s*\(")


def _pick_entry(directory: Path, files: list[Path]) -> Path:
    """The module that creates the app: a preferred name first, then any file calling Flask()."""
    creating = []
    for file in files:
        try:
            if _APP_CALL.search(file.read_bytes()):
                creating.append(file)
        except OSError:
            continue
    for name in ENTRY_NAMES:
        for file in creating:
            if file.name == name and file.parent == directory:
                return file
    if creating:
        return sorted(creating, key=lambda f: (len(f.parts), f.as_posix()))[0]
    raise InputError(
        f"{directory}: no module in this directory creates a Flask app (no Flask(...) call); "
        "pass the module that does."
    )


def _error_line(message: str) -> int:
    match = re.match(r"[^:]+:(\d+):", message)
    return int(match.group(1)) if match else 1
