"""Locate the monolith in its project: import name, and the project modules it pulls in.

Extraction writes a self-contained package, so project modules the monolith imports (models,
config, services, seed data…) are copied into the shared kernel, keeping their relative layout so
that their own relative imports stay valid. This module finds them (following imports at any
depth, including imports inside functions) without importing anything.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from decompose.errors import InputError


@dataclass(frozen=True)
class CopiedModule:
    old: str  # dotted name in the project, e.g. legacy.models
    source: Path
    relpath: str  # path below the shared kernel, e.g. models.py or services/__init__.py


@dataclass
class Project:
    root: Path  # directory on sys.path that imports the monolith
    app_file: Path
    module_name: str  # e.g. legacy.app
    package: str  # the monolith's package ("" for a top-level module)
    copies: list[CopiedModule] = field(default_factory=list)
    resource_dirs: list[str] = field(default_factory=list)  # templates/static beside the app
    template_dirs: list[str] = field(default_factory=lambda: ["templates"])  # url_for renamed in these

    @property
    def app_rel(self) -> str:
        return self.app_file.relative_to(self.root).as_posix()


def locate(app_file: Path) -> Project:
    """Find the import root of ``app_file`` by walking up through ``__init__.py`` packages."""
    app_file = app_file.resolve()
    if app_file.is_dir():
        candidates = [n for n in ("app.py", "__init__.py", "server.py", "wsgi.py") if (app_file / n).is_file()]
        hint = f" (e.g. {app_file / candidates[0]})" if candidates else ""
        raise InputError(f"{app_file}: is a directory; give the module that holds the Flask app{hint}.")
    if not app_file.is_file():
        raise InputError(f"{app_file}: no such file; give the module that holds the Flask app.")
    parts = [app_file.stem]
    directory = app_file.parent
    while (directory / "__init__.py").is_file():
        parts.insert(0, directory.name)
        directory = directory.parent
    module_name = ".".join(parts)
    package = ".".join(parts[:-1])
    project = Project(root=directory, app_file=app_file, module_name=module_name, package=package)
    for name in ("templates", "static"):
        if (app_file.parent / name).is_dir():
            project.resource_dirs.append(name)
    return project


def add_app_folders(project: Project, folders: dict[str, str]) -> None:
    """Folders the ``Flask(...)`` call names (``template_folder="views"``) are copied too."""
    for key in ("template_folder", "static_folder"):
        name = folders.get(key)
        if not name or name.startswith("/") or ".." in name.split("/"):
            continue
        if (project.app_file.parent / name).is_dir() and name not in project.resource_dirs:
            project.resource_dirs.append(name)
        if key == "template_folder" and name not in project.template_dirs:
            project.template_dirs.append(name)


def module_file(root: Path, dotted: str) -> Path | None:
    """The file of project module ``dotted`` (``a/b.py`` or ``a/b/__init__.py``), if it exists."""
    base = root.joinpath(*dotted.split("."))
    if base.with_suffix(".py").is_file():
        return base.with_suffix(".py")
    if (base / "__init__.py").is_file():
        return base / "__init__.py"
    return None


def _imported_modules(path: Path, module: str, is_package: bool) -> set[str]:
    try:
        tree = ast.parse(path.read_bytes(), filename=str(path))
    except (SyntaxError, ValueError):
        return set()
    package = module if is_package else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base_parts = package.split(".") if package else []
                base_parts = base_parts[: len(base_parts) - (node.level - 1)] if node.level > 1 else base_parts
                base = ".".join(base_parts)
                target = f"{base}.{node.module}" if node.module else base
            else:
                target = node.module or ""
            found.add(target)
            found.update(f"{target}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "from_object":
            # app.config.from_object("config.DevConfig"): a module named by a string
            arg = node.args[0] if node.args else None
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and "." in arg.value:
                found.add(arg.value.rpartition(".")[0])
    return found


def find_copies(project: Project, spliced: Sequence[tuple[str, Path]] = ()) -> None:
    """Fill ``project.copies``: project modules reachable from the monolith, app excluded.

    ``spliced`` are (dotted name, file) of modules whose code joins the monolith's (see
    ``registering``): their imports are followed too, and they are not copied themselves."""
    top = project.module_name.split(".")[0]
    if not project.package:
        # a top-level module: its project modules are the other top-level modules beside it
        local_tops = {p.stem for p in project.root.glob("*.py")} | {
            p.parent.name for p in project.root.glob("*/__init__.py")
        }
    else:
        local_tops = {top}
    seen: dict[str, Path] = {}
    queue = [(project.module_name, project.app_file), *spliced]
    skip = {name for name, _ in spliced}
    while queue:
        module, path = queue.pop()
        for name in sorted(_imported_modules(path, module, path.name == "__init__.py")):
            if not name or name.split(".")[0] not in local_tops or name == project.module_name:
                continue
            parts = name.split(".")
            # the module and every package on the way to it
            for i in range(1, len(parts) + 1):
                dotted = ".".join(parts[:i])
                if dotted in seen or dotted == project.module_name or dotted in skip:
                    continue
                file = module_file(project.root, dotted)
                if file is None:
                    continue
                if "tests" in parts[:i]:
                    continue
                seen[dotted] = file
                queue.append((dotted, file))
    prefix = project.package
    copies = []
    for dotted, file in sorted(seen.items()):
        if prefix and not (dotted == prefix or dotted.startswith(prefix + ".")):
            continue  # outside the monolith's package: imported as it is
        if prefix and dotted == prefix:
            continue  # the monolith's own package __init__ is replaced by the new package
        rel = file.relative_to(project.app_file.parent).as_posix()
        copies.append(CopiedModule(old=dotted, source=file, relpath=rel))
    project.copies = copies


def module_mapping(project: Project, kernel: str) -> dict[str, str]:
    """Old dotted module -> new dotted module inside ``kernel`` (e.g. ``webapp.shared``)."""
    mapping: dict[str, str] = {}
    for copy in project.copies:
        rel = copy.relpath[: -len(".py")]
        if rel.endswith("/__init__"):
            rel = rel[: -len("/__init__")]
        mapping[copy.old] = f"{kernel}.{rel.replace('/', '.')}"
    return mapping
