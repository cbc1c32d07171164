from __future__ import annotations

import pytest

from decompose.verify import jsonpath


def test_parse_and_get() -> None:
    doc = {"a": [{"b c": 5}], "token": "t"}
    assert jsonpath.parse('$.a[0]["b c"]') == ["a", 0, "b c"]
    assert jsonpath.get(doc, '$.a[0]["b c"]') == 5
    assert jsonpath.get(doc, "$.token") == "t"
    assert jsonpath.get(doc, "$") == doc
    with pytest.raises(KeyError):
        jsonpath.get(doc, "$.a[3]")
    with pytest.raises(jsonpath.PathSyntaxError):
        jsonpath.parse("a.b")
    with pytest.raises(jsonpath.PathSyntaxError):
        jsonpath.parse("$.a..b")


def test_child_round_trips_through_parse() -> None:
    path = jsonpath.child(jsonpath.child(jsonpath.child("$", "items"), 3), "odd key")
    assert path == '$.items[3]["odd key"]'
    assert jsonpath.parse(path) == ["items", 3, "odd key"]


def test_is_under() -> None:
    assert jsonpath.is_under("$.a[1].b", "$.a")
    assert jsonpath.is_under("$.a", "$.a")
    assert not jsonpath.is_under("$.ab", "$.a")
    assert jsonpath.is_under("body:line 2", "body")


def test_patterns() -> None:
    pattern = jsonpath.compile_pattern("$.items[*].created_*")
    assert pattern.match("$.items[12].created_at")
    assert pattern.match("$.items[0].created_at.tz")
    assert not pattern.match("$.items[0].name")
    assert not pattern.match("$.other[0].created_at")
