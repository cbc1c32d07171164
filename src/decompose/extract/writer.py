"""The only part of extract that touches the output directory.

Writes go to a temporary directory beside DIR and are moved into place only when complete and
checked, so a failure midway leaves DIR as it was. DIR may hold only what decompose generated
(listed in its manifest) plus run-time leftovers (``__pycache__``, ``instance/``…); anything else
is refused unless ``force``, and even then is carried over, never deleted.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import shutil
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from decompose import __version__
from decompose.errors import OutputError
from decompose.model.extraction import GeneratedFile

MANIFEST = "decompose-manifest.json"
RUNTIME_PARTS = frozenset({"__pycache__", "instance", ".pytest_cache", ".import_linter_cache", ".mypy_cache", ".ruff_cache"})
RUNTIME_SUFFIXES = (".pyc", ".sqlite3", ".db")


def _data(f: GeneratedFile) -> bytes:
    content: str | bytes = f.content
    return content if isinstance(content, bytes) else content.encode("utf-8")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def manifest_file(
    files: Sequence[GeneratedFile], *, source: str, source_hash: str, settings: Mapping[str, Any]
) -> GeneratedFile:
    """The manifest: tool version, input hash, settings and every generated file's hash."""
    body = {
        "tool": "decompose",
        "version": __version__,
        "command": "extract",
        "input": {"path": source, "sha256": source_hash},
        "settings": dict(settings),
        "files": {f.path: sha256(_data(f)) for f in sorted(files, key=lambda f: f.path)},
    }
    return GeneratedFile(MANIFEST, json.dumps(body, indent=2, sort_keys=True) + "\n")


def _is_runtime(rel: Path) -> bool:
    return any(part in RUNTIME_PARTS for part in rel.parts) or rel.name.endswith(RUNTIME_SUFFIXES)


def _existing(out: Path) -> tuple[set[str], list[str]]:
    """(files the old manifest lists, files in DIR that decompose did not generate)."""
    listed: set[str] = set()
    manifest = out / MANIFEST
    if manifest.is_file():
        try:
            listed = set(json.loads(manifest.read_text(encoding="utf-8")).get("files", {})) | {MANIFEST}
        except (ValueError, AttributeError):
            listed = set()
    foreign = []
    for path in sorted(out.rglob("*")):
        if path.is_dir():
            continue
        rel = path.relative_to(out)
        if rel.as_posix() in listed or _is_runtime(rel) or rel.name == ".gitkeep":
            continue
        foreign.append(rel.as_posix())
    return listed, foreign


def changed_files(out: Path, files: Sequence[GeneratedFile]) -> list[str]:
    """Paths whose bytes in DIR differ from ``files``, plus stale generated files DIR still has."""
    changed = []
    for f in files:
        path = out / f.path
        if not path.is_file() or path.read_bytes() != _data(f):
            changed.append(f.path)
    listed, _ = _existing(out) if out.is_dir() else (set(), [])
    new_paths = {f.path for f in files}
    changed.extend(sorted(p for p in listed if p not in new_paths and (out / p).exists()))
    return sorted(set(changed))


def unified_diffs(out: Path, files: Sequence[GeneratedFile]) -> str:
    """Unified diffs of DIR against ``files`` (new files diff against /dev/null)."""
    chunks = []
    for f in files:
        path = out / f.path
        if isinstance(f.content, bytes):
            if not path.is_file() or path.read_bytes() != f.content:
                chunks.append(f"Binary file {f.path} differs\n")
            continue
        old = path.read_text(encoding="utf-8").splitlines(keepends=True) if path.is_file() else []
        new = f.content.splitlines(keepends=True)
        if old == new:
            continue
        before = f"a/{f.path}" if path.is_file() else "/dev/null"
        chunks.append("".join(difflib.unified_diff(old, new, before, f"b/{f.path}")))
    return "".join(chunks)


def write_tree(
    out: Path,
    files: Sequence[GeneratedFile],
    *,
    force: bool = False,
    check: Callable[[Path], None] | None = None,
) -> list[str]:
    """Write ``files`` as DIR atomically; ``check(tmpdir)`` may raise to abandon the write.

    Returns the paths that changed.
    """
    out = out.resolve()
    foreign: list[str] = []
    if out.exists():
        if not out.is_dir():
            raise OutputError(f"{out} exists and is not a directory; choose another --out.")
        _, foreign = _existing(out)
        if foreign and not force:
            shown = ", ".join(foreign[:5]) + (" …" if len(foreign) > 5 else "")
            raise OutputError(
                f"{out} holds {len(foreign)} file(s) decompose did not generate ({shown}); "
                "choose an empty --out, or pass --force to write anyway (those files are kept)."
            )
    changed = changed_files(out, files) if out.exists() else sorted(f.path for f in files)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.decompose-", dir=out.parent))
    try:
        for f in files:
            target = tmp / f.path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(_data(f))
        if check is not None:
            check(tmp)
        if out.exists():
            # keep what the user or the app put there: foreign files and run-time leftovers
            for path in sorted(out.rglob("*")):
                rel = path.relative_to(out)
                if path.is_dir() or (tmp / rel).exists():
                    continue
                if rel.as_posix() in foreign or (_is_runtime(rel) and "__pycache__" not in rel.parts):
                    (tmp / rel).parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(path, tmp / rel)
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.decompose-old-", dir=out.parent))
            old.rmdir()
            out.rename(old)
            try:
                tmp.rename(out)
            except OSError:
                old.rename(out)
                raise
            shutil.rmtree(old, ignore_errors=True)
        else:
            tmp.rename(out)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return changed
