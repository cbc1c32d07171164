"""The only module of bench that reads and writes result files."""

from __future__ import annotations

import json
from pathlib import Path

from decompose.bench.render import EXTENSIONS, render
from decompose.bench.results import BenchResult
from decompose.errors import ConfigError, OutputError

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


def read_results(path: Path) -> BenchResult:
    """A results JSON written by ``decompose bench`` (e.g. the stored legacy baseline)."""
    try:
        result = BenchResult.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except OSError as exc:
        raise ConfigError(f"cannot read the results file {path}: {exc.strerror}") from None
    except (ValueError, KeyError, TypeError) as exc:
        raise ConfigError(
            f"{path} is not a results JSON written by decompose bench ({exc})"
        ) from None
    if not result.targets:
        raise ConfigError(f"{path} holds no target to compare with")
    return result
