"""decompose extract as a library: plan, generate, write and check a modular package.

    from decompose.extract import extract

    result = extract("legacy/app.py", out="extracted")              # write + self-check
    result = extract("legacy/app.py", out="extracted", mode="check")  # result.changed = drift
    result = extract("legacy/app.py", out="extracted", mode="dry_run")

Steps, each its own module: ``source`` indexes the monolith's top-level statements, ``plan``
places each one (domains come from ``decompose analyze``), ``generate`` renders the files with
the codemods, ``writer`` writes them atomically, ``selfcheck`` proves the url_map unchanged.
"""

from __future__ import annotations

import hashlib
import io
import shutil
import tempfile
import tokenize
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from decompose.errors import CheckFailed, InputError
from decompose.extract import plan as P
from decompose.extract.contract import render_contract, routes_imports
from decompose.extract.factory import KeptInFactory, lift_factory_views
from decompose.extract.generate import generate
from decompose.extract.project import Project, add_app_folders, find_copies, locate
from decompose.extract.registering import Inlined, find_registering, import_name, splice
from decompose.extract.selfcheck import check_url_map, compile_all
from decompose.extract.source import (
    SourceIndex,
    app_folders,
    index_source,
    keep_global_state_together,
    keep_namespace_readers_company,
    keep_registering_helpers,
    only_factory,
)
from decompose.extract.writer import changed_files, manifest_file, unified_diffs, write_tree
from decompose.model.extraction import ExtractionPlan, ExtractionResult, GeneratedFile, KeptAsIs
from decompose.model.inventory import Location

__all__ = ["ExtractionResult", "diffs", "extract", "plan_extraction"]

MODES = ("write", "check", "dry_run")

# The generated imports are wrapped and sorted the way ruff's isort does at this line length.
RUFF_SETTINGS = """\
# ruff settings for the package decompose extract generated (imports are formatted for these).
line-length = 100

[lint]
select = ["F", "I"]
"""


def _read(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read it ({exc.strerror}).") from None
    if b"\0" in data[:8192]:
        raise InputError(f"{path}: this is a binary file, not a Python module.")
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)  # honours a PEP 263 line
    except SyntaxError:
        encoding = "utf-8"
    try:
        return data.decode("utf-8-sig" if encoding == "utf-8-sig" else encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        start = getattr(exc, "start", 0)
        line = data[:start].count(b"\n") + 1
        byte = f"byte 0x{data[start]:02x}" if start < len(data) else "a byte"
        raise InputError(
            f"{path}:{line}: not UTF-8 ({byte} is not valid {encoding}); save it as UTF-8 or declare its "
            "encoding (# -*- coding: ... -*-) and retry."
        ) from None


def domains_from_analysis(result: Any, module_name: str) -> tuple[dict[str, str], dict[str, str]]:
    """(endpoint or handler -> domain, helper pinned to a domain -> domain) from analyze."""
    endpoints: dict[str, str] = {}
    for route in result.inventory.routes:
        if route.domain:
            endpoints[route.endpoint] = route.domain
            endpoints.setdefault(route.handler.rsplit(".", 1)[-1], route.domain)
    helpers: dict[str, str] = {}
    prefix = module_name + "."
    for assignment in result.domains.assignments:
        if assignment.shared or not assignment.qualname.startswith(prefix):
            continue
        if "pinned" in assignment.rationale:
            helpers[assignment.qualname[len(prefix):]] = assignment.domain
    return endpoints, helpers


def index_project(project: Project, code: str) -> tuple[SourceIndex, list[Inlined]]:
    """Index the monolith, with the statements of the project modules that register on its app
    spliced after its own (see ``registering``); fills ``project.copies``."""
    factory = None
    try:
        index = index_source(project.app_rel, project.module_name, code)
    except InputError:
        factory = only_factory(code)
        if factory is None:
            raise
        # a module that only defines the factory: extract what `app = create_app()` would build
        code = code.rstrip("\n") + f"\n\n\napp = {factory[0]}()\n"
        index = index_source(project.app_rel, project.module_name, code)
        made = index.statements[-1]
        made.line = made.end_line = factory[1]
        made.notes.append(f"the module only defines {factory[0]}(); extract builds on `app = {factory[0]}()`")
        index.factory_only = factory[0]
    unreached: list[str] = []
    spliced = find_registering(project, code, index.app_name, unreached)
    index.notes = unreached
    find_copies(project, [(m.module, project.root / m.rel) for m in spliced])
    if not spliced:
        return index, spliced
    combined, where = splice(code, spliced)
    index = index_source(project.app_rel, project.module_name, combined, app_name=index.app_name)
    index.notes = unreached
    start = len(index.statements) - len(where)
    for stmt, (file, first, last) in zip(index.statements[start:], where, strict=True):
        stmt.file, stmt.line, stmt.end_line = file, first, last
    return index, spliced


def _factory_kept(plan: ExtractionPlan, kept: list[KeptInFactory]) -> ExtractionPlan:
    """Nested routes that stay in the monolith's factory: reported as kept, where it went."""
    if not kept:
        return plan
    extra = []
    for item in kept:
        target = next(
            (m.target for m in plan.moves if m.location.file == item.file and m.location.line <= item.line <= (m.location.end_line or m.location.line)),
            f"{plan.package}/shared/helpers.py",
        )
        reason = f"route `{item.endpoint}` registered inside the app factory stays there with its endpoint name: {item.reason}"
        extra.append(KeptAsIs(Location(item.file, item.line, item.line), reason, target))
    return replace(plan, kept=(*plan.kept, *extra))


def plan_extraction(
    app: str | Path,
    *,
    config: Any = None,
    package: str = "webapp",
    endpoint_domains: Mapping[str, str] | None = None,
    helper_domains: Mapping[str, str] | None = None,
) -> tuple[ExtractionResult, dict[str, Any]]:
    """Plan and generate in memory. Returns the result (``out`` unset) and facts for writing."""
    if not package.isidentifier():
        raise InputError(f"--package {package!r} is not a Python identifier; choose e.g. 'webapp'.")
    project = locate(Path(app))
    code = _read(project.app_file)
    if not code.strip():
        raise InputError(f"{project.app_rel}: the file is empty; give the module that holds the Flask app.")
    index, spliced = index_project(project, code)
    add_app_folders(project, app_folders(index))
    factory_kept = lift_factory_views(index)
    keep_global_state_together(index)
    keep_registering_helpers(index)
    keep_namespace_readers_company(index)
    config_file = None
    if endpoint_domains is None:
        from decompose.analysis import analyze

        try:
            analysis = analyze(project.app_file, config=config)
        except InputError as exc:
            if type(exc) is not InputError:
                raise  # a bad config is the user's to fix
            # a form extract reads but analyze does not: no domains, every route in one
            endpoint_domains, unhandled = {}, [
                f"{project.app_rel}: analyze could not read the app ({str(exc).rstrip('.')}); every route goes to the `main` domain"
            ]
        else:
            endpoint_domains, pinned = domains_from_analysis(analysis, project.module_name)
            helper_domains = {**pinned, **(helper_domains or {})}
            config_file = analysis.config_file
            unhandled = [
                f"{u.location}: analyze did not understand this ({u.reason}); it moved as written"
                for u in analysis.inventory.unhandled
                if u.location.file in {project.app_rel, *(m.rel for m in spliced)}
            ]
    else:
        unhandled = []
    placement = P.place(index, endpoint_domains, helper_domains=helper_domains)
    if not any(s.kind in {"route", "url_rule", "blueprint_route"} for s in index.statements):
        if index.factory_only or any(s.kind == "app" and "(" in s.code and "Flask" not in s.code for s in index.statements):
            raise InputError(
                f"{project.app_rel}: every route is registered inside the app factory (on blueprints, or by views "
                "that use the factory's own variables); the app is already split — nothing to move."
            )
        raise InputError(f"{project.app_rel}: no routes registered at module level; nothing to extract.")
    plan, files = generate(index, project, placement, package=package)
    plan = _factory_kept(plan, factory_kept)
    spliced_notes = [
        f"{m.rel}: registers on the app of {project.app_rel}; its code moved like the monolith's" for m in spliced
    ] + [note for m in spliced for note in m.notes] + index.notes
    if unhandled or spliced_notes:
        plan = replace(plan, notes=(*plan.notes, *spliced_notes, *unhandled))
    module_ids = {f.path[len(package) + 1 : -3].replace("/", ".") for f in files if f.path.startswith(package + "/") and f.path.endswith(".py")}
    crossing = routes_imports(package, files)
    files.append(render_contract(package, plan.domains, module_ids, crossing))
    if crossing:
        plan = replace(plan, notes=(*plan.notes, *(
            f"{a.replace('.', '/')}.py imports from {b.replace('.', '/')}.py (a handler calls another domain's "
            "handler): allowed in .importlinter as a known exception; move the shared code into that domain's services"
            for a, b in crossing
        )))
    files.append(GeneratedFile("ruff.toml", RUFF_SETTINGS))
    errors = compile_all(files)
    if errors:
        raise CheckFailed("generated code does not compile (a decompose bug): " + "; ".join(errors))
    settings: dict[str, Any] = {
        "package": package,
        "config": config_file,
        "domains": {d: sorted(e.old for e in plan.renames if e.new.startswith(d + ".")) for d in plan.domains},
    }
    source_hash = hashlib.sha256(project.app_file.read_bytes()).hexdigest()
    files.append(manifest_file(files, source=project.app_rel, source_hash=source_hash, settings=settings))
    files.sort(key=lambda f: f.path)
    result = ExtractionResult(plan=plan, files=tuple(files), out="")
    facts = {"project": project, "index": index, "spliced": [m.module for m in spliced]}
    return result, facts


def extract(
    app: str | Path,
    *,
    out: str | Path,
    mode: str = "write",
    config: Any = None,
    package: str = "webapp",
    force: bool = False,
    import_check: bool = True,
    endpoint_domains: Mapping[str, str] | None = None,
    helper_domains: Mapping[str, str] | None = None,
) -> ExtractionResult:
    """Extract ``app`` into ``out``. ``mode``: write | check | dry_run (see the module docstring)."""
    if mode not in MODES:
        raise InputError(f"unknown mode {mode!r}; use one of {', '.join(MODES)}")
    result, facts = plan_extraction(
        app, config=config, package=package, endpoint_domains=endpoint_domains, helper_domains=helper_domains
    )
    out_path = Path(out)
    files = list(result.files)
    if mode == "check":
        return replace(result, out=str(out_path), mode="check", changed=tuple(changed_files(out_path, files)))
    if mode == "dry_run":
        changed = changed_files(out_path, files) if out_path.exists() else [f.path for f in files]
        return replace(result, out=str(out_path), mode="dry_run", changed=tuple(changed), self_check="skipped (dry run)")
    project, index = facts["project"], facts["index"]
    outcome = {"status": "skipped (--no-import-check)"}

    def check(tmp: Path) -> None:
        if not import_check:
            return
        scratch = Path(tempfile.mkdtemp(prefix="decompose-selfcheck-"))
        try:
            shutil.copytree(tmp / package, scratch / package)
            verdict = check_url_map(
                project_root=project.root,
                original_module=import_name(project),
                app_name=index.factory_only or index.app_name,
                original_is_factory=bool(index.factory_only),
                extra_modules=facts["spliced"],
                package_dir=scratch,
                package=package,
                renames={r.old: r.new for r in result.plan.renames},
            )
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
        if verdict.status == "failed":
            raise CheckFailed(f"self-check failed, {out_path} left as it was: {verdict.detail}")
        outcome["status"] = f"{verdict.status}: {verdict.detail}" if verdict.detail else verdict.status

    changed = write_tree(out_path, files, force=force, check=check)
    return replace(result, out=str(out_path), mode="write", changed=tuple(changed), self_check=outcome["status"])


def diffs(result: ExtractionResult) -> str:
    """Unified diffs between the output directory and what extract generates."""
    return unified_diffs(Path(result.out), list(result.files))
