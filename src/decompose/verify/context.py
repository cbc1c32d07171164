"""What a setup callable receives: the run it prepares, and a way to reach the app.

A project names one in ``[tool.decompose.verify] setup = "module:function"``. verify calls it in
each target's own process before the first request, with the run's environment already in
``os.environ``::

    def prepare(ctx):
        ctx.env["DATABASE_URL"] = f"sqlite:///{ctx.workdir}/app.sqlite3"
        app = ctx.app()                 # imports the target (after the env is final)
        app.test_cli_runner().invoke(args=["seed"])
        ctx.on_close(lambda: ...)       # teardown, e.g. drop a database
        ctx.replace_in_responses(upstream_url, "{upstream}")  # a per-run port, not noise

The target is imported at the latest after ``prepare`` returns, so environment changes made
before ``ctx.app()`` is first called are what the app sees at import time.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Callable, MutableMapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


def import_string(spec: str) -> Any:
    """Resolve ``module:attr`` (``attr`` may be dotted, or ``factory()`` to call a factory)."""
    module_name, sep, attr = spec.partition(":")
    if not sep or not module_name or not attr:
        raise ValueError(f"{spec!r} is not an import string of the form module:attribute")
    call = attr.endswith("()")
    if call:
        attr = attr[:-2]
    obj: Any = importlib.import_module(module_name)
    for part in attr.split("."):
        obj = getattr(obj, part)
    return obj() if call else obj


class TargetImportFailed(Exception):
    """Importing the target raised; the original exception is ``__cause__``."""


@dataclass
class SetupContext:
    role: str  # primary | secondary | candidate
    side: str  # baseline | candidate
    target: str  # the import string of the app this process serves
    workdir: Path  # fresh, empty, removed after the run
    run_id: str  # unique, lowercase, safe as a database name
    seed: int
    project: Path
    env: MutableMapping[str, str] = field(default_factory=lambda: os.environ)
    _app: Any = None
    _closers: list[Callable[[], Any]] = field(default_factory=list)
    #: (value, placeholder): run-specific text replaced in every response before comparing
    replacements: list[tuple[str, str]] = field(default_factory=list)

    def replace_in_responses(self, value: str, placeholder: str) -> None:
        """Show ``value`` (a URL with this run's port, a path in this run's directory) as
        ``placeholder`` in responses, so it is compared instead of written off as noise.

        ``workdir`` and ``run_id`` are always replaced (by ``{workdir}`` and ``{run_id}``).
        """
        if value:
            self.replacements.append((value, placeholder))

    def app(self) -> Any:
        """The target app, imported on first use."""
        if self._app is None:
            if str(self.project) not in sys.path:
                sys.path.insert(0, str(self.project))
            try:
                self._app = import_string(self.target)
            except BaseException as exc:  # the user's module may raise anything, even SystemExit
                raise TargetImportFailed(self.target) from exc
        return self._app

    def on_close(self, func: Callable[[], Any]) -> None:
        """Run ``func`` when the target's process shuts down (last registered runs first)."""
        self._closers.append(func)

    def close(self) -> None:
        while self._closers:
            func = self._closers.pop()
            try:
                func()
            except Exception as exc:  # a teardown must not hide the report
                print(f"decompose verify: teardown failed: {exc!r}", file=sys.stderr)
