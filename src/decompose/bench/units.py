"""Quantities as people write them in profiles and gates: ``"30s"``, ``"100ms"``, ``"1%"``, ``"512MB"``.

Internally latency is milliseconds, durations are seconds, memory is megabytes (MiB) and
rates are percentages, so every parsed quantity is a plain float in one of those units.
"""

from __future__ import annotations

import re

_NUMBER = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?"
_QUANTITY = re.compile(rf"^\s*({_NUMBER})\s*([A-Za-z%/]*)\s*$")

#: unit -> (dimension, factor to the internal unit)
UNITS: dict[str, tuple[str, float]] = {
    "ms": ("latency", 1.0),
    "s": ("latency", 1000.0),
    "kb": ("memory", 1 / 1024),
    "mb": ("memory", 1.0),
    "gb": ("memory", 1024.0),
    "%": ("percent", 1.0),
    "rps": ("rate", 1.0),
    "req/s": ("rate", 1.0),
    "": ("number", 1.0),
}


def parse_quantity(text: str | int | float) -> tuple[float, str]:
    """Return ``(value, dimension)``; latency in ms, memory in MB, percent as 0–100."""
    if isinstance(text, bool):
        raise ValueError(f"expected a number, found {text!r}")
    if isinstance(text, int | float):
        return float(text), "number"
    match = _QUANTITY.match(text)
    if not match:
        raise ValueError(f"{text!r} is not a number with an optional unit (ms, s, MB, %)")
    number, unit = match.groups()
    try:
        dimension, factor = UNITS[unit.lower()]
    except KeyError:
        known = ", ".join(u for u in UNITS if u)
        raise ValueError(f"unknown unit {unit!r} in {text!r}; use one of {known}") from None
    return float(number) * factor, dimension


def parse_seconds(text: str | int | float) -> float:
    """A duration: ``"30s"``, ``"500ms"``, ``"2m"`` or a bare number of seconds."""
    if isinstance(text, str) and text.strip().endswith("m") and not text.strip().endswith("ms"):
        minutes, _ = parse_quantity(text.strip()[:-1])
        return minutes * 60.0
    value, dimension = parse_quantity(text)
    if dimension == "latency":
        return value / 1000.0
    if dimension == "number":
        return value
    raise ValueError(f"{text!r} is not a duration (use s, ms or m)")


def parse_ms(text: str | int | float) -> float:
    """A latency in milliseconds: ``"100ms"``, ``"0.1s"`` or a bare number of milliseconds."""
    value, dimension = parse_quantity(text)
    if dimension not in ("latency", "number"):
        raise ValueError(f"{text!r} is not a latency (use ms or s)")
    return value


def parse_percent(text: str | int | float) -> float:
    """A rate as a percentage 0–100: ``"1%"`` or a bare number meaning percent."""
    value, dimension = parse_quantity(text)
    if dimension not in ("percent", "number"):
        raise ValueError(f"{text!r} is not a percentage")
    return value
