"""Invariants of the structural diff, on arbitrary JSON documents."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from decompose.verify import jsonpath
from decompose.verify.diff import MISSING, diff_json

scalars = st.none() | st.booleans() | st.integers(-5, 5) | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=4)
documents = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=5), children, max_size=4),
    max_leaves=20,
)


@settings(max_examples=100, deadline=None)
@given(documents)
def test_a_document_equals_itself(doc: Any) -> None:
    assert diff_json(doc, doc) == []


@settings(max_examples=100, deadline=None)
@given(documents, documents)
def test_diff_is_symmetric_and_every_path_resolves(left: Any, right: Any) -> None:
    forward = diff_json(left, right)
    backward = diff_json(right, left)
    assert [d.path for d in forward] == [d.path for d in backward] or sorted(
        d.path for d in forward
    ) == sorted(d.path for d in backward)
    assert bool(forward) == (not _equal(left, right))
    for d in forward:
        if d.baseline is not MISSING:
            assert _equal(jsonpath.get(left, d.path), d.baseline)
        if d.candidate is not MISSING:
            assert _equal(jsonpath.get(right, d.path), d.candidate)


def _equal(a: Any, b: Any) -> bool:
    """Equality as the diff defines it: same JSON types all the way down."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_equal(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_equal(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)
