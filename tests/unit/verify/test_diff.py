from __future__ import annotations

from decompose.verify.diff import MISSING, Response, diff_json, diff_responses, diff_text, show


def paths(diffs) -> list[str]:
    return [d.path for d in diffs]


def test_equal_documents_have_no_difference() -> None:
    doc = {"a": [1, {"b": None}], "c": "x"}
    assert diff_json(doc, {"c": "x", "a": [1, {"b": None}]}) == []


def test_nested_difference_has_a_path() -> None:
    left = {"items": [{"name": "a"}, {"name": "b"}, {"name": "c"}, {"name": "d"}]}
    right = {"items": [{"name": "a"}, {"name": "b"}, {"name": "c"}, {"name": "e"}]}
    (diff,) = diff_json(left, right)
    assert (diff.path, diff.baseline, diff.candidate) == ("$.items[3].name", "d", "e")


def test_a_reordered_list_is_a_difference() -> None:
    assert paths(diff_json([1, 2], [2, 1])) == ["$[0]", "$[1]"]


def test_missing_and_extra_keys_and_items() -> None:
    diffs = diff_json({"a": 1, "b": [1]}, {"b": [1, 2], "c": 3})
    assert [(d.path, d.baseline, d.candidate) for d in diffs] == [
        ("$.a", 1, MISSING),
        ("$.b[1]", MISSING, 2),
        ("$.c", MISSING, 3),
    ]


def test_types_are_compared_strictly() -> None:
    assert paths(diff_json({"n": 1}, {"n": 1.0})) == ["$.n"]
    assert paths(diff_json({"n": True}, {"n": 1})) == ["$.n"]
    assert paths(diff_json({"n": None}, {"n": {}})) == ["$.n"]


def test_odd_keys_are_quoted() -> None:
    assert paths(diff_json({"a b": 1}, {"a b": 2})) == ['$["a b"]']


def test_text_bodies_line_by_line_or_whole() -> None:
    assert paths(diff_text(b"a\nb\nc", b"a\nX\nc")) == ["body:line 2"]
    assert paths(diff_text(b"a\nb", b"a\nb\nc")) == ["body"]
    assert diff_text(b"same", b"same") == []


def test_responses_compare_status_type_headers_and_json_body() -> None:
    left = Response(200, (("Content-Type", "application/json"), ("Location", "/a")), b'{"x": 1}')
    right = Response(201, (("Content-Type", "application/json"), ("location", "/b")), b'{"x": 2}')
    assert paths(diff_responses(left, right, ("Location", "Cache-Control"))) == [
        "status",
        "header:Location",
        "$.x",
    ]


def test_json_against_html_is_a_body_difference() -> None:
    left = Response(200, (("Content-Type", "application/json"),), b"{}")
    right = Response(200, (("Content-Type", "text/html"),), b"<p>")
    assert paths(diff_responses(left, right)) == ["content_type", "body"]


def test_show_shortens() -> None:
    assert show("x" * 500).endswith("…") and len(show("x" * 500)) == 80
    assert show(MISSING) == "<missing>"
    assert show({"b": 1, "a": 2}) == '{"a": 2, "b": 1}'


def test_renames_apply_to_candidate_keys_and_values_only() -> None:
    left = Response(200, (("Content-Type", "application/json"),), b'{"e": "x", "hits": {"x": 1}}')
    right = Response(200, (("Content-Type", "application/json"),), b'{"e": "d.x", "hits": {"d.x": 1}}')
    assert diff_responses(left, right, renames={"d.x": "x"}) == []
    assert paths(diff_responses(left, right)) == ["$.e", "$.hits.x", '$.hits["d.x"]']
