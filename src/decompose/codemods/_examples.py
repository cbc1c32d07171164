"""Inline before/after examples that every codemod carries; tests and docs are built from them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Example:
    """``before`` rewritten with ``args`` must give ``after``.

    VALID examples (``after`` is None) must come out unchanged: they show what the codemod
    deliberately leaves alone.
    """

    name: str
    before: str
    after: str | None = None
    args: dict[str, Any] = field(default_factory=dict)

    @property
    def expected(self) -> str:
        return self.before if self.after is None else self.after
