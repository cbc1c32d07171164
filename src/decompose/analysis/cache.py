"""Content-hash cache of analysis results (``.decompose-cache/analyze/`` beside the project).

The key is the entry path, the config and the tool version; the entry records the SHA-256 of
every file read and every path that was looked for and not found. A hit needs all files to
hash the same and none of the missing ones to exist, so the cost is reading and hashing the
sources, not parsing them. Results are stored as JSON (never pickle: a cache directory inside
a repository must not be able to run code).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

from decompose import __version__
from decompose.config import Config
from decompose.model import AnalysisResult
from decompose.model.serialize import from_dict, to_dict

CACHE_DIR = ".decompose-cache"
FORMAT = 1


def _root_of(path: Path) -> Path:
    directory = path if path.is_dir() else path.parent
    while (directory / "__init__.py").is_file() and directory.parent != directory:
        directory = directory.parent
    return directory


def _key(path: Path, config: Config) -> str:
    text = json.dumps([FORMAT, __version__, str(path), repr(config)], sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _dirs(root: Path) -> list[Path]:
    out = [root / CACHE_DIR / "analyze"]
    xdg = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    out.append(Path(xdg) / "decompose" / "analyze")
    return out


def lookup(path: str | Path, config: Config) -> AnalysisResult | None:
    target = Path(path).resolve()
    if not target.exists():
        return None
    root = _root_of(target)
    key = _key(target, config)
    for directory in _dirs(root):
        file = directory / f"{key}.json"
        try:
            data = json.loads(file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        try:
            base = Path(data["root"])
            for rel, digest in data["files"].items():
                if hashlib.sha256((base / rel).read_bytes()).hexdigest() != digest:
                    return None
            if any((base / rel).exists() for rel in data["missing"]):
                return None
            return from_dict(AnalysisResult, data["result"])
        except (OSError, KeyError, TypeError, ValueError):
            return None
    return None


def store(path: str | Path, config: Config, index: object, result: AnalysisResult) -> None:
    from decompose.analysis.project import ProjectIndex

    assert isinstance(index, ProjectIndex)
    target = Path(path).resolve()
    data = {
        "root": str(index.root),
        "files": {m.rel: m.source_hash for m in index.modules.values()},
        "missing": index.probed,
        "result": to_dict(result),
    }
    payload = json.dumps(data, sort_keys=True)
    key = _key(target, config)
    for directory in _dirs(_root_of(target)):
        try:
            directory.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=directory, suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(payload)
            os.replace(tmp, directory / f"{key}.json")
            return
        except OSError:
            continue
