"""decompose analyze as a library: inventory, dependency graph, domains and findings.

Public API (what extract, verify and bench call)::

    from decompose.analysis import analyze, load_project, analyze_project

    result = analyze("legacy/app.py")            # AnalysisResult (decompose.model)
    index = load_project("legacy/app.py")         # ProjectIndex: parsed modules
    result = analyze_project(index, config)       # analyse an index you already hold

``ProjectIndex`` (:mod:`decompose.analysis.project`) holds ``root`` (the directory module
names start from), ``entry`` and ``modules`` (dotted name -> ``ParsedModule``). A
``ParsedModule`` has ``name``, ``rel`` (POSIX path from the root), ``source``, ``tree`` (the
stdlib ``ast`` tree analyze reasons on), ``cst`` (the ``libcst.Module`` to rewrite, parsed from
the same text: up front for the entry, on first access for the others) and ``statements``: one ``StatementInfo(index, line, end_line, kind, defines,
uses)`` per top-level statement, where ``index`` is the position in ``cst.body``, ``defines``
the module-level names it binds and ``uses`` the free names it reads. Qualified names used
everywhere (``Route.handler``, ``FunctionInfo.qualname``, edges) are ``module.name``,
``module.Class.method`` and ``module.create_app.<locals>.view`` for functions defined inside
a function. Line numbers are 1-based; a function's ``location`` spans its decorators.

Why the stdlib ``ast`` for the analysis and libcst only for the trees: see
:mod:`decompose.analysis.project`; the numbers are in docs/analyze.md.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from decompose.analysis.project import ParsedModule, ProjectIndex, StatementInfo, load_project
from decompose.config import Config, find_config, load_config
from decompose.model import AnalysisResult

__all__ = [
    "AnalysisResult",
    "ParsedModule",
    "ProjectIndex",
    "StatementInfo",
    "analyze",
    "analyze_project",
    "load_project",
    "resolve_config",
]


def resolve_config(path: str | Path, config: Config | str | Path | None = None) -> Config:
    """The config to use: the one given, else the nearest decompose.toml / pyproject.toml."""
    if isinstance(config, Config):
        return config
    if config is not None:
        return load_config(config)
    found = find_config(path)
    return load_config(found) if found is not None else Config()


def analyze(
    path: str | Path,
    *,
    config: Config | str | Path | None = None,
    use_cache: bool = True,
) -> AnalysisResult:
    """Analyse the Flask app module (or package directory) at ``path``.

    Raises :class:`decompose.errors.InputError` for input that cannot be analysed.
    """
    cfg = resolve_config(path, config)
    with _gc_paused():
        if use_cache:
            from decompose.analysis import cache

            cached = cache.lookup(path, cfg)
            if cached is not None:
                return cached
        index = load_project(
            path,
            exclude=cfg.analyze.exclude,
            max_file_bytes=cfg.analyze.max_file_bytes,
            follow_imports=cfg.analyze.follow_imports,
        )
        result = analyze_project(index, cfg)
        if use_cache:
            from decompose.analysis import cache

            cache.store(path, cfg, index, result)
    return result


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while analysing.

    Parsing and analysis allocate millions of small objects (libcst and ast nodes) and create
    almost no reference cycles; with the collector on, its full passes over the growing heap cost
    up to a third of the run on a 50,000-line file. Memory is bounded by the input, and the
    previous state is restored afterwards.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def analyze_project(index: ProjectIndex, config: Config | None = None) -> AnalysisResult:
    """Analyse a project loaded with :func:`load_project`."""
    from decompose.analysis.engine import analyze_project as _analyze

    with _gc_paused():
        return _analyze(index, config or Config())
