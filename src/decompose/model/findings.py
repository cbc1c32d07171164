"""Findings: what analyze reports as slow or unsafe, with evidence and a suggested fix."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from decompose.model.inventory import Location


class Severity(enum.IntEnum):
    """Ordered so that ``--fail-on`` can compare: info < low < medium < high < critical."""

    INFO = 0
    LOW = 1
    MEDIUM = 2
    HIGH = 3
    CRITICAL = 4

    @classmethod
    def parse(cls, text: str) -> Severity:
        try:
            return cls[text.strip().upper()]
        except KeyError:
            names = ", ".join(s.name.lower() for s in cls)
            raise ValueError(f"unknown severity {text!r}; use one of {names}") from None

    def __str__(self) -> str:
        return self.name.lower()


@dataclass(frozen=True)
class Finding:
    """One problem at one place.

    ``kind`` is a registered finding kind (e.g. ``n_plus_one.query_in_loop``,
    ``sync_external_call``, ``cacheable_endpoint``, ``missing_index``, ``pool_settings``,
    ``import_time_io``, ``print_logging``, ``broad_except``).
    """

    kind: str
    severity: Severity
    location: Location
    message: str
    evidence: str = ""  # the code, as written
    suggestion: str = ""
    endpoint: str | None = None  # the route it affects, when there is one
    chain: tuple[str, ...] = ()  # call chain from the handler to the evidence
    details: tuple[tuple[str, str], ...] = ()  # extra key/value facts, e.g. ("timeout", "none")
