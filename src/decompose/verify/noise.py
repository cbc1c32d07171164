"""Diffy's noise filter: what differs between two baseline runs is not a regression.

The baseline runs every step twice (primary, secondary) in two fresh environments. A path that
differs between those runs (a timestamp, a token, a uuid) is noise for that step, and so is
everything below it. A difference between primary and candidate at a path that is not noise is
real. Paths matching a configured ``ignore`` pattern are always noise (reported with
``(ignore)`` when only the pattern, not the baseline runs, made them so).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from decompose.verify import jsonpath
from decompose.verify.diff import RawDifference


@dataclass(frozen=True)
class Classified:
    real: tuple[RawDifference, ...]
    noise: tuple[str, ...]  # paths ignored for this step (noisy between primary and secondary)


def _noisy(path: str, noise: Iterable[str], ignore: Sequence[re.Pattern[str]]) -> bool:
    if any(jsonpath.is_under(path, prefix) for prefix in noise):
        return True
    return any(pattern.match(path) for pattern in ignore)


def classify(
    primary_vs_secondary: Sequence[RawDifference] | None,
    primary_vs_candidate: Sequence[RawDifference],
    ignore: Sequence[re.Pattern[str]] = (),
) -> Classified:
    """Split the candidate's differences into real ones and the noise that hides the rest.

    ``primary_vs_secondary`` is None when no secondary run exists for the step (an HTTP write
    without a secondary server): then only ``ignore`` filters.
    """
    noise_paths = [d.path for d in primary_vs_secondary or ()]
    real = tuple(d for d in primary_vs_candidate if not _noisy(d.path, noise_paths, ignore))
    ignored = set(noise_paths)
    for d in primary_vs_candidate:
        if _noisy(d.path, noise_paths, ()):
            ignored.add(d.path)
        elif _noisy(d.path, (), ignore):
            ignored.add(f"{d.path} (ignore)")  # configured, not observed: say so
    return Classified(real=real, noise=tuple(sorted(ignored)))
