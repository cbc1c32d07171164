"""The small JSONPath subset verify uses: ``$.a.b``, ``$.items[3].name``, ``$["odd key"]``.

Captures read values with it (``$.access_token``), differences are reported with it, and the
``ignore`` setting matches against it, where ``[*]`` stands for any index and ``*`` for any key.
"""

from __future__ import annotations

import json
import re
from typing import Any

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_\-]*\Z")
_TOKEN = re.compile(r"""\.([A-Za-z_][A-Za-z0-9_\-]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*"|'[^']*')\]""")


class PathSyntaxError(ValueError):
    """A path that is not in the supported subset."""


def child(path: str, key: str | int) -> str:
    """The path of ``key`` (a dict key or list index) under ``path``."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    if _IDENT.match(key):
        return f"{path}.{key}"
    return f"{path}[{json.dumps(key)}]"


def parse(path: str) -> list[str | int]:
    """Split ``$.a[0]["b c"]`` into ``["a", 0, "b c"]``."""
    if not path.startswith("$"):
        raise PathSyntaxError(f"a JSON path starts with '$', got {path!r}")
    parts: list[str | int] = []
    pos = 1
    while pos < len(path):
        match = _TOKEN.match(path, pos)
        if not match:
            raise PathSyntaxError(f"cannot read {path!r} at character {pos + 1}")
        name, index, quoted = match.groups()
        if name is not None:
            parts.append(name)
        elif index is not None:
            parts.append(int(index))
        else:
            parts.append(json.loads(quoted) if quoted.startswith('"') else quoted[1:-1])
        pos = match.end()
    return parts


_MISSING = object()


def get(document: Any, path: str) -> Any:
    """The value at ``path`` in ``document``; ``KeyError`` when it is not there."""
    value = document
    for part in parse(path):
        if isinstance(part, int) and isinstance(value, list) and -len(value) <= part < len(value):
            value = value[part]
        elif isinstance(part, str) and isinstance(value, dict) and part in value:
            value = value[part]
        else:
            raise KeyError(path)
    return value


def is_under(path: str, prefix: str) -> bool:
    """True when ``path`` is ``prefix`` or lies inside it (``$.a[1].b`` is under ``$.a``)."""
    if path == prefix:
        return True
    return path.startswith(prefix) and path[len(prefix)] in ".[:"


def compile_pattern(pattern: str) -> re.Pattern[str]:
    """A regex for an ``ignore`` pattern: ``[*]`` any index, ``*`` any key or name part."""
    out = []
    i = 0
    while i < len(pattern):
        if pattern.startswith("[*]", i):
            out.append(r"\[\d+\]")
            i += 3
        elif pattern[i] == "*":
            out.append(r"[^.\[]*")
            i += 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    # A pattern also covers everything below the path it names.
    return re.compile("".join(out) + r"(?:[.\[:].*)?\Z", re.IGNORECASE)
