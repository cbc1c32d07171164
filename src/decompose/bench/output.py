"""The only module of bench that writes result files."""

from __future__ import annotations

from pathlib import Path

from decompose.bench.render import EXTENSIONS, render
from decompose.bench.results import BenchResult
from decompose.errors import OutputError

#: Files written to --output: every machine-readable format, plus the table for humans.
OUTPUT_FORMATS = ("json", "junit", "markdown", "table")


def write_results(result: BenchResult, directory: Path, stem: str = "bench") -> list[Path]:
    """Write ``<stem>.json``, ``.xml``, ``.md`` and ``.txt`` into ``directory``."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(
            f"cannot create the output directory {directory}: {exc.strerror}"
        ) from None
    written = []
    for fmt in OUTPUT_FORMATS:
        path = directory / f"{stem}{EXTENSIONS[fmt]}"
        try:
            path.write_text(render(result, fmt), encoding="utf-8")
        except OSError as exc:
            raise OutputError(f"cannot write {path}: {exc.strerror}") from None
        written.append(path)
    return written
