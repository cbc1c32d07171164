"""Compare two URL maps: same rules, methods and converters; endpoints equal up to a prefix.

An extracted app registers ``x`` as ``domain.x`` (a blueprint named ``domain``); that rename is
the plan, not a difference. Anything else (a rule missing or added, other methods, another
converter, an endpoint renamed otherwise) is reported.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

from decompose.model.verify import UrlMapDifference

_PLACEHOLDER = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")
AUTOMATIC = {"HEAD", "OPTIONS"}


def _shape(rule: str) -> str:
    """The rule with converters removed: ``/w/<int:id>`` -> ``/w/<id>``."""
    return _PLACEHOLDER.sub(r"<\1>", rule)


def same_endpoint(baseline: str, candidate: str) -> bool:
    """Equal, or equal after the blueprint prefix (``x`` vs ``domain.x``, either way round)."""
    if baseline == candidate:
        return True
    if candidate.endswith("." + baseline) and "." not in candidate[: -len(baseline) - 1]:
        return True
    return baseline.endswith("." + candidate) and "." not in baseline[: -len(candidate) - 1]


def _methods(entry: dict[str, Any]) -> str:
    return ", ".join(m for m in entry["methods"] if m not in AUTOMATIC) or "HEAD/OPTIONS only"


def _converters(entry: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v.split(':')[0]}" for k, v in entry["converters"].items()) or "-"


def compare(
    baseline: list[dict[str, Any]], candidate: list[dict[str, Any]]
) -> list[UrlMapDifference]:
    by_shape: dict[str, tuple[list[dict[str, Any]], list[dict[str, Any]]]] = defaultdict(
        lambda: ([], [])
    )
    for entry in baseline:
        by_shape[_shape(entry["rule"])][0].append(entry)
    for entry in candidate:
        by_shape[_shape(entry["rule"])][1].append(entry)
    out: list[UrlMapDifference] = []
    for shape in sorted(by_shape):
        left, right = by_shape[shape]
        right = list(right)
        for entry in left:
            match = next((c for c in right if same_endpoint(entry["endpoint"], c["endpoint"])), None)
            if match is None and len(left) == 1 and len(right) == 1:
                match = right[0]
            if match is None:
                out.append(
                    UrlMapDifference(
                        "missing", entry["rule"], f"{entry['endpoint']} [{_methods(entry)}]", "-"
                    )
                )
                continue
            right.remove(match)
            if not same_endpoint(entry["endpoint"], match["endpoint"]):
                out.append(
                    UrlMapDifference("endpoint", entry["rule"], entry["endpoint"], match["endpoint"])
                )
            if entry["methods"] != match["methods"]:
                out.append(
                    UrlMapDifference("methods", entry["rule"], _methods(entry), _methods(match))
                )
            if entry["converters"] != match["converters"] or entry["rule"] != match["rule"]:
                out.append(
                    UrlMapDifference(
                        "converters",
                        entry["rule"],
                        f"{entry['rule']} ({_converters(entry)})",
                        f"{match['rule']} ({_converters(match)})",
                    )
                )
        for entry in right:
            out.append(
                UrlMapDifference(
                    "extra", entry["rule"], "-", f"{entry['endpoint']} [{_methods(entry)}]"
                )
            )
    return out


def routes(url_map: list[dict[str, Any]]) -> list[str]:
    """"METHOD rule" for every route a corpus should cover (no HEAD/OPTIONS, no static)."""
    out = []
    for entry in url_map:
        if entry["endpoint"] == "static" or entry["endpoint"].endswith(".static"):
            continue
        for method in entry["methods"]:
            if method not in AUTOMATIC:
                out.append(f"{method} {entry['rule']}")
    return sorted(set(out))


def renames(
    baseline: list[dict[str, Any]], candidate: list[dict[str, Any]]
) -> dict[str, str]:
    """Candidate endpoint -> baseline endpoint, for the planned prefix renames (``d.x`` -> ``x``).

    Only unambiguous pairs: the rename is applied to response bodies (a handler that reports
    ``request.endpoint`` shows the new name), so a name that maps two ways is left alone.
    """
    by_rule: dict[tuple[str, tuple[str, ...]], list[str]] = defaultdict(list)
    for entry in baseline:
        by_rule[(_shape(entry["rule"]), tuple(entry["methods"]))].append(entry["endpoint"])
    pairs: dict[str, set[str]] = defaultdict(set)
    for entry in candidate:
        for base in by_rule.get((_shape(entry["rule"]), tuple(entry["methods"])), []):
            if base != entry["endpoint"] and same_endpoint(base, entry["endpoint"]):
                pairs[entry["endpoint"]].add(base)
    return {cand: next(iter(bases)) for cand, bases in sorted(pairs.items()) if len(bases) == 1}
