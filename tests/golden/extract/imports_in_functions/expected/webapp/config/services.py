"""The config domain's services, moved from app.py: its own helpers, and the functions other domains may call."""

from __future__ import annotations

import sys

if sys.version_info >= (3, 11):
    import tomllib as toml_lib
else:  # pragma: no cover
    toml_lib = None


def parse_toml(text: str) -> dict:
    return toml_lib.loads(text)
