"""Compare two responses: status, content type, selected headers, and the body.

JSON bodies are compared structurally and every difference gets a path (``$.items[3].name``).
Lists are compared by position, so a reordered list is a difference. Numbers compare by type
as well as value (``1`` and ``1.0`` serialise differently), and ``true`` is not ``1``.
Text bodies are compared line by line when both have the same number of lines, otherwise as a
whole; other bodies byte for byte.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from decompose.verify import jsonpath

SHOW = 80  # characters of a value kept for the report


class _Missing:
    def __repr__(self) -> str:
        return "<missing>"


MISSING: Any = _Missing()


@dataclass(frozen=True)
class Response:
    """A response as the replay engine saw it, from any kind of target."""

    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes

    @property
    def content_type(self) -> str:
        return self.header("Content-Type") or ""

    def header(self, name: str) -> str | None:
        lowered = name.lower()
        values = [v for k, v in self.headers if k.lower() == lowered]
        return ", ".join(values) if values else None

    def json(self) -> Any:
        """The parsed body, or ``MISSING`` when the body is not JSON."""
        ctype = self.content_type.lower()
        text = self.body.strip()
        if "json" not in ctype and text[:1] not in (b"{", b"["):
            return MISSING
        try:
            return json.loads(self.body)
        except ValueError:
            return MISSING


@dataclass(frozen=True)
class RawDifference:
    """A difference with the full values, before they are shortened for the report."""

    path: str
    baseline: Any
    candidate: Any


def show(value: Any) -> str:
    """A short printable form of a value."""
    if value is MISSING:
        return "<missing>"
    if isinstance(value, bytes):
        text = value.decode("utf-8", "replace")
    elif isinstance(value, str):
        text = json.dumps(value, ensure_ascii=False)
    else:
        text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=repr)
    return text if len(text) <= SHOW else text[: SHOW - 1] + "…"


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (dict, list)):
        return type(value).__name__
    if value is None:
        return "null"
    return type(value).__name__  # int and float stay distinct on purpose


def diff_json(baseline: Any, candidate: Any, path: str = "$") -> list[RawDifference]:
    """Every place where two JSON documents differ, in document order."""
    if _kind(baseline) != _kind(candidate):
        return [RawDifference(path, baseline, candidate)]
    if isinstance(baseline, dict):
        out: list[RawDifference] = []
        keys = list(baseline) + [k for k in candidate if k not in baseline]
        for key in keys:
            sub = jsonpath.child(path, key)
            out.extend(diff_json(baseline.get(key, MISSING), candidate.get(key, MISSING), sub))
        return out
    if isinstance(baseline, list):
        out = []
        for i in range(max(len(baseline), len(candidate))):
            left = baseline[i] if i < len(baseline) else MISSING
            right = candidate[i] if i < len(candidate) else MISSING
            out.extend(diff_json(left, right, jsonpath.child(path, i)))
        return out
    if baseline is MISSING and candidate is MISSING:
        return []
    if baseline != candidate:
        return [RawDifference(path, baseline, candidate)]
    return []


def diff_text(baseline: bytes, candidate: bytes) -> list[RawDifference]:
    if baseline == candidate:
        return []
    try:
        left, right = baseline.decode("utf-8"), candidate.decode("utf-8")
    except UnicodeDecodeError:
        return [RawDifference("body", f"<{len(baseline)} bytes>", f"<{len(candidate)} bytes>")]
    left_lines, right_lines = left.splitlines(), right.splitlines()
    if len(left_lines) != len(right_lines) or len(left_lines) <= 1:
        return [RawDifference("body", left, right)]
    return [
        RawDifference(f"body:line {n}", a.strip(), b.strip())
        for n, (a, b) in enumerate(zip(left_lines, right_lines, strict=True), start=1)
        if a != b
    ]


def rename_values(document: Any, names: dict[str, str]) -> Any:
    """``document`` with every key or string value found in ``names`` replaced by its mapping."""
    if isinstance(document, dict):
        return {names.get(k, k): rename_values(v, names) for k, v in document.items()}
    if isinstance(document, list):
        return [rename_values(v, names) for v in document]
    if isinstance(document, str):
        return names.get(document, document)
    return document


def diff_responses(
    baseline: Response,
    candidate: Response,
    headers: tuple[str, ...] = (),
    renames: dict[str, str] | None = None,
) -> list[RawDifference]:
    """All differences between two responses, status first and body last.

    ``renames`` (candidate name -> baseline name) is applied to the candidate's JSON first: the
    planned endpoint renames, which a body that reports ``request.endpoint`` shows.
    """
    out: list[RawDifference] = []
    if baseline.status != candidate.status:
        out.append(RawDifference("status", baseline.status, candidate.status))
    if baseline.content_type != candidate.content_type:
        out.append(RawDifference("content_type", baseline.content_type, candidate.content_type))
    for name in headers:
        left, right = baseline.header(name), candidate.header(name)
        if left != right:
            out.append(
                RawDifference(
                    f"header:{name}",
                    MISSING if left is None else left,
                    MISSING if right is None else right,
                )
            )
    left_json, right_json = baseline.json(), candidate.json()
    if renames and right_json is not MISSING:
        right_json = rename_values(right_json, renames)
    if left_json is not MISSING and right_json is not MISSING:
        out.extend(diff_json(left_json, right_json))
    else:
        out.extend(diff_text(baseline.body, candidate.body))
    return out
