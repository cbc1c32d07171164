"""Renderers: turn an :class:`~decompose.model.AnalysisResult` into text, one module per format.

``render(result, fmt)`` returns a string; writing it anywhere is the caller's job
(:func:`write_atomic`). Formats are registered in :data:`FORMATS`.
"""

from __future__ import annotations

import importlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from decompose.errors import OutputError
from decompose.model import AnalysisResult

#: format name -> module in this package exposing ``render(result, **options) -> str``
FORMATS: dict[str, str] = {
    "terminal": "terminal",
    "json": "json_report",
    "markdown": "markdown",
}


def renderer(fmt: str) -> Callable[..., str]:
    module = importlib.import_module(f"{__name__}.{FORMATS[fmt]}")
    return module.render  # type: ignore[no-any-return]


def render(result: AnalysisResult, fmt: str = "json", **options: object) -> str:
    return renderer(fmt)(result, **options)


def write_atomic(path: str | Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same directory."""
    target = Path(path)
    directory = target.parent if str(target.parent) else Path(".")
    if not directory.is_dir():
        raise OutputError(f"{path}: directory {directory} does not exist; create it or choose another --output.")
    try:
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{target.name}.", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        os.replace(tmp, target)
    except OSError as exc:
        raise OutputError(f"{path}: cannot write the report ({exc.strerror}).") from None
