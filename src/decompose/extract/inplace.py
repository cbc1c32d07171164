"""``extract --in-place``: the package beside the module, the module a compatibility layer.

The generated package (``<dir of APP>/<package>/``) imports the project's other modules where
they are (nothing is copied), and APP is rewritten to build the app with the factory and to
re-export every name other project code imports from it, so tests, WSGI entry points and
scripts keep working without an edit. Patches of moved names in the project's tests
(``mock.patch("app.send_email")``) cannot keep their effect; each one is listed with file:line.

Safety: everything is generated and checked in a copy of APP's directory first (url_map of the
new app against the original); only then are the package and the new APP moved into place.
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
import re
import shutil
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

import libcst as cst

from decompose.errors import CheckFailed
from decompose.extract import _read, domains_from_analysis
from decompose.extract import plan as P
from decompose.extract.contract import render_contract
from decompose.extract.generate import Generator
from decompose.extract.project import Project, locate
from decompose.extract.registering import find_registering, import_name
from decompose.extract.selfcheck import check_url_map, compile_all
from decompose.extract.source import SourceIndex, index_source, keep_global_state_together
from decompose.extract.writer import MANIFEST, changed_files, manifest_file, write_tree
from decompose.model.extraction import (
    ExtractionPlan,
    ExtractionResult,
    GeneratedFile,
    MonkeypatchUse,
)
from decompose.model.inventory import Location

SKIP_DIRS = {".venv", "venv", ".git", "node_modules", "__pycache__", ".tox"}
COMPAT_MARKER = '"""Compatibility layer:'


def _already_done(project: Project, package: str, package_dir: Path, mode: str) -> ExtractionResult:
    """APP is already the compatibility layer: nothing to regenerate; --check verifies the
    package still matches its manifest (the monolith it came from is gone)."""
    manifest = json.loads((package_dir / MANIFEST).read_text(encoding="utf-8"))
    changed = []
    for rel, digest in sorted(manifest.get("files", {}).items()):
        path = package_dir / rel
        if not path.is_file() or hashlib.sha256(path.read_bytes()).hexdigest() != digest:
            changed.append(f"{package}/{rel}")
    plan = ExtractionPlan(
        package=package,
        source=project.app_rel,
        domains=tuple(manifest.get("settings", {}).get("domains", ())),
        notes=(f"{project.app_rel} is already the compatibility layer; nothing to extract",),
    )
    return ExtractionResult(
        plan=plan,
        files=(),
        out=str(project.app_file.parent),
        mode="check" if mode == "check" else "in_place",
        changed=tuple(changed) if mode == "check" else (),
        self_check=f"not run: {project.app_rel} is already the compatibility layer",
    )


def _project_files(project: Project, package_dir: Path) -> list[Path]:
    out = []
    for dirpath, dirnames, filenames in os.walk(project.root):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS and not d.startswith("."))
        here = Path(dirpath)
        if here == package_dir or package_dir in here.parents:
            continue
        for name in sorted(filenames):
            path = here / name
            if name.endswith(".py") and path != project.app_file:
                out.append(path)
    return out


def imported_names(project: Project, files: list[Path]) -> dict[str, list[str]]:
    """Names other project modules import from APP: name -> ["file:line", ...]."""
    module = project.module_name
    found: dict[str, list[str]] = {}
    for path in files:
        try:
            tree = ast.parse(path.read_bytes())
        except (SyntaxError, ValueError):
            continue
        rel = path.relative_to(project.root).as_posix()
        refs: set[str] = set()  # names this file gives the module itself (`from pkg import app as m`)
        parent, _, leaf = module.rpartition(".")
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                target = node.module or ""
                if node.level:
                    parts = rel[:-3].split("/")[:-1]
                    parts = parts[: len(parts) - (node.level - 1)] if node.level > 1 else parts
                    target = ".".join([*parts, target] if target else parts)
                if target == module:
                    for alias in node.names:
                        found.setdefault(alias.name, []).append(f"{rel}:{node.lineno}")
                elif target == parent:
                    refs |= {alias.asname or alias.name for alias in node.names if alias.name == leaf}
            elif isinstance(node, ast.Import):
                refs |= {alias.asname or alias.name for alias in node.names if alias.name == module}
        if refs:
            # `m.ShopError`, `pkg.app.db`: names read as attributes of the module
            for node in ast.walk(tree):
                if isinstance(node, ast.Attribute) and ast.unparse(node.value) in refs:
                    found.setdefault(node.attr, []).append(f"{rel}:{node.lineno}")
    return found


PATCH_RE = r"""(?:patch|setattr|patch\.object)\(\s*["']({module})\.(\w+)["']"""


def monkeypatch_uses(project: Project, files: list[Path], moved: dict[str, str]) -> list[MonkeypatchUse]:
    """Patches of APP's names in the project's tests, which stop biting once the names move."""
    module = project.module_name
    short = module.rsplit(".", 1)[-1]
    pattern = re.compile(PATCH_RE.format(module="|".join(re.escape(m) for m in {module, short})))
    uses = []
    for path in files:
        rel = path.relative_to(project.root).as_posix()
        if "test" not in rel:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
            for match in pattern.finditer(line):
                name = match.group(2)
                uses.append(MonkeypatchUse(Location(rel, number), f"{match.group(1)}.{name}", moved.get(name, "?")))
    return uses


def _compat_module(
    index: SourceIndex,
    gen: Generator,
    package: str,
    export: list[str],
    definer: dict[str, str],
    registering: list[str] = (),  # type: ignore[assignment]
) -> str:
    """The new APP: ``app = create_app()`` and re-exports of the names others import."""
    lines = [
        f'{COMPAT_MARKER} {index.path} moved to the package {package}/ (decompose extract --in-place).',
        "",
        "It still exports `app` and every name other code in the project imports from this module.",
        '"""',
        "",
    ]
    dot = "." if "." in index.module_name else ""
    by_module: dict[str, list[str]] = {}
    imports = {n: s for s in index.statements if s.kind == "import" for n in s.defines}
    for name in sorted(export):
        if name in definer:
            target = definer[name]
            by_module.setdefault(f"{dot}{package}" + ("" if target == P.INIT else f".{target}"), []).append(name)
        elif name in imports:
            code = index.module.code_for_node(imports[name].node).strip()
            by_module.setdefault(f"#stmt {code}", [])
    out_imports = []
    for module, names in sorted(by_module.items()):
        if module.startswith("#stmt "):
            out_imports.append(module[len("#stmt ") :])
        else:
            out_imports.append(f"from {module} import {', '.join(sorted(names))}  # noqa: F401")
    # a module inside a package imports the new package relatively; a top-level one (app.py at
    # the project root) absolutely, as the package is then a top-level package beside it
    lines.append(f"from {dot}{package} import create_app")
    lines.extend(out_imports)
    lines += ["", f"{index.app_name} = create_app()", ""]
    tail = _registering_imports(index, registering)
    if tail:
        lines += ["# project modules that register on the app when imported (kept from the original)", *tail, ""]
    return "\n".join(lines)


def _registering_imports(index: SourceIndex, registering: list[str]) -> list[str]:
    """The monolith's own top-level imports of modules that register on its app, verbatim."""
    if not registering:
        return []
    out = []
    package = index.module_name.split(".")[:-1]
    for stmt in index.statements:
        if stmt.kind != "import" or not isinstance(stmt.node, cst.SimpleStatementLine):
            continue
        tree = ast.parse(stmt.code.strip())
        targets: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                targets |= {a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom):
                base = package[: len(package) - (node.level - 1)] if node.level > 1 else package
                module = ".".join([*base, node.module] if node.module else base) if node.level else (node.module or "")
                targets |= {module, *(f"{module}.{a.name}" for a in node.names)}
        if targets & set(registering):
            out.append(index.module.code_for_node(stmt.node.with_changes(leading_lines=())).strip())
    return out


def extract_in_place(
    app: str | Path,
    *,
    config: Any = None,
    package: str = "webapp",
    mode: str = "write",
    force: bool = False,
    import_check: bool = True,
    endpoint_domains: dict[str, str] | None = None,
    helper_domains: dict[str, str] | None = None,
) -> ExtractionResult:
    project = locate(Path(app))
    package_dir = project.app_file.parent / package
    code = _read(project.app_file)
    if code.startswith(COMPAT_MARKER) and (package_dir / MANIFEST).is_file():
        return _already_done(project, package, package_dir, mode)
    index = index_source(project.app_rel, project.module_name, code)
    keep_global_state_together(index)
    if endpoint_domains is None:
        from decompose.analysis import analyze

        analysis = analyze(project.app_file, config=config)
        endpoint_domains, pinned = domains_from_analysis(analysis, project.module_name)
        helper_domains = {**pinned, **(helper_domains or {})}
    placement = P.place(index, endpoint_domains, helper_domains=helper_domains)
    gen = Generator(index, project, placement, package=package, in_place=True)
    plan, files = gen.build()
    # the package keeps the monolith's import name, so root_path (templates) and app.name hold
    files = [_keep_import_name(f, package, project.module_name) for f in files]
    module_ids = {f.path[len(package) + 1 : -3].replace("/", ".") for f in files if f.path.endswith(".py")}
    files.append(render_contract(package, plan.domains, module_ids))
    definer = gen._definer()
    others = _project_files(project, package_dir)
    wanted = imported_names(project, others)
    moved = {n: f"{project.package}.{package}.{m}" for n, m in definer.items()}
    patches = monkeypatch_uses(project, others, moved)
    export = sorted(set(wanted) | {p.target.rsplit(".", 1)[1] for p in patches} - {index.app_name, "create_app"})
    registering = [m.module for m in find_registering(project, code, index.app_name)]
    compat = _compat_module(index, gen, package, export, definer, registering)
    rewritten, notes = _rename_in_registering(project, gen, registering)
    plan = replace(plan, notes=(*plan.notes, *notes))
    errors = compile_all([*files, GeneratedFile(project.app_file.name, compat)])
    if errors:
        raise CheckFailed("generated code does not compile (a decompose bug): " + "; ".join(errors))
    # templates stay where they are (the factory keeps the monolith's root path), but the
    # endpoints they name are renamed like everywhere else
    templates = [
        GeneratedFile(f.path[len(package) + 1 :], f.content)
        for f in gen._resources()
        if f.path.startswith(f"{package}/templates/") and isinstance(f.content, str)
    ]
    templates = [t for t in templates if (project.app_file.parent / t.path).read_text(encoding="utf-8") != t.content]
    templates += rewritten
    settings = {"package": package, "mode": "in_place", "exports": export}
    source_hash = hashlib.sha256(code.encode("utf-8")).hexdigest()
    # paths relative to the package directory, as write_tree writes it
    pkg_files = [GeneratedFile(f.path[len(package) + 1 :], f.content) for f in files if f.path.startswith(package + "/")]
    pkg_files.append(GeneratedFile(".importlinter", files[-1].content))
    pkg_files.append(manifest_file(pkg_files, source=project.app_rel, source_hash=source_hash, settings=settings))
    shown = [f if f.path != ".importlinter" else GeneratedFile(f"{package}/.importlinter", f.content) for f in files]
    shown = sorted([*shown, *templates, GeneratedFile(project.app_file.name, compat)], key=lambda f: f.path)
    result = ExtractionResult(
        plan=plan, files=tuple(shown), out=str(project.app_file.parent), monkeypatches=tuple(patches)
    )
    if mode == "check":
        changed = changed_files(package_dir, pkg_files)
        if project.app_file.read_text(encoding="utf-8") != compat:
            changed.append(project.app_rel)
        changed.extend(t.path for t in templates)
        return replace(result, mode="check", changed=tuple(changed))
    if mode == "dry_run":
        return replace(result, mode="dry_run", self_check="skipped (dry run)")
    status = "skipped (--no-import-check)"
    if import_check:
        status = _check_in_copy(project, package, pkg_files, compat, index, plan, registering)
    changed = write_tree(package_dir, pkg_files, force=force)
    for rel, text in [*((t.path, t.content) for t in templates), (project.app_file.name, compat)]:
        target = project.app_file.parent / rel
        tmp = target.with_name(f".{target.name}.decompose-tmp")
        tmp.write_text(str(text), encoding="utf-8")
        os.replace(tmp, target)
    done = [*changed, *(t.path for t in templates), project.app_rel]
    return replace(result, mode="in_place", changed=tuple(done), self_check=status)


def _rename_in_registering(project: Project, gen: Generator, modules: list[str]) -> tuple[list[GeneratedFile], list[str]]:
    """Project modules that register on the app stay where they are in in-place mode; the
    endpoints their ``url_for`` calls name are renamed in them like in the package (files
    relative to the monolith's directory), and computed ones are reported."""
    out: list[GeneratedFile] = []
    before = len(gen.notes)
    base = project.app_file.parent
    for module in modules:
        path = project.root.joinpath(*module.split("."))
        path = path / "__init__.py" if path.is_dir() else path.with_suffix(".py")
        if not path.is_file() or not path.is_relative_to(base):
            continue
        text = path.read_text(encoding="utf-8")
        rel = path.relative_to(project.root).as_posix()
        gen.notes.append(
            f"{rel}: registers on the app and stays where it is (in place, the project's modules keep "
            "their routes; `decompose extract --out DIR` moves them into the domains)"
        )
        gen._report_dynamic_endpoints(rel, text, 1)
        if gen._renamer is None or not gen._mentions_endpoint(text):
            continue
        new = cst.parse_module(text).visit(gen.renamer_for(text)).code
        if new != text:
            out.append(GeneratedFile(path.relative_to(base).as_posix(), new))
    return out, gen.notes[before:]


def _keep_import_name(f: GeneratedFile, package: str, module_name: str) -> GeneratedFile:
    if f.path != f"{package}/__init__.py" or not isinstance(f.content, str):
        return f
    return replace(f, content=f.content.replace("Flask(__name__", f'Flask("{module_name}"', 1))


def _check_in_copy(
    project: Project,
    package: str,
    pkg_files: list[GeneratedFile],
    compat: str,
    index: SourceIndex,
    plan: Any,
    registering: list[str] = (),  # type: ignore[assignment]
) -> str:
    """Build the result in a copy of the project package and compare url_maps there."""
    top = project.module_name.split(".")[0]
    scratch = Path(tempfile.mkdtemp(prefix="decompose-inplace-"))
    try:
        ignore = shutil.ignore_patterns("__pycache__", "instance", ".*", *SKIP_DIRS)
        if project.package:
            shutil.copytree(project.root / top, scratch / top, ignore=ignore)
        else:
            # a top-level module: its project is the modules and packages beside it
            for path in sorted(project.root.iterdir()):
                if path.is_file() and path.suffix == ".py":
                    shutil.copy2(path, scratch / path.name)
                elif path.is_dir() and (path / "__init__.py").is_file() and path.name not in SKIP_DIRS and path.name != package:
                    shutil.copytree(path, scratch / path.name, ignore=ignore)
        app_copy = scratch / project.app_rel
        pkg_dir = app_copy.parent / package
        for f in pkg_files:
            target = pkg_dir / f.path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(f.content if isinstance(f.content, bytes) else f.content.encode("utf-8"))
        app_copy.write_text(compat, encoding="utf-8")
        verdict = check_url_map(
            project_root=project.root,
            original_module=import_name(project),
            app_name=index.app_name,
            package_dir=scratch,
            package=import_name(project),
            extra_modules=registering,
            new_extra_modules=registering,
            attr=index.app_name,
            renames={r.old: r.new for r in plan.renames},
        )
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    if verdict.status == "failed":
        raise CheckFailed(f"self-check failed, nothing written: {verdict.detail}")
    return f"{verdict.status}: {verdict.detail}"
