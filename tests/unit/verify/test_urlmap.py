from __future__ import annotations

from decompose.verify import urlmap


def rule(rule: str, endpoint: str, methods=("GET", "HEAD", "OPTIONS"), **converters: str) -> dict:
    return {"rule": rule, "endpoint": endpoint, "methods": sorted(methods), "converters": converters}


BASE = [
    rule("/items", "list_items"),
    rule("/items", "create_item", ("OPTIONS", "POST")),
    rule("/items/<int:item_id>", "get_item", item_id="IntegerConverter:\\d+"),
    rule("/static/<path:filename>", "static", filename="PathConverter:[^/].*?"),
]


def test_a_blueprint_prefix_is_the_plan_not_a_difference() -> None:
    cand = [
        rule("/items", "shop.list_items"),
        rule("/items", "shop.create_item", ("OPTIONS", "POST")),
        rule("/items/<int:item_id>", "shop.get_item", item_id="IntegerConverter:\\d+"),
        rule("/static/<path:filename>", "static", filename="PathConverter:[^/].*?"),
    ]
    assert urlmap.compare(BASE, cand) == []


def test_every_other_change_is_reported() -> None:
    cand = [
        rule("/items", "shop.list"),  # renamed beyond the prefix
        rule("/items", "shop.create_item", ("OPTIONS", "POST", "PUT")),  # methods
        rule("/items/<item_id>", "get_item", item_id="UnicodeConverter:[^/]+"),  # converter
        rule("/new", "new"),  # extra; static is missing
    ]
    kinds = [(d.kind, d.rule) for d in urlmap.compare(BASE, cand)]
    assert sorted(kinds) == sorted(
        [
            ("missing", "/items"),
            ("extra", "/items"),
            ("methods", "/items"),
            ("converters", "/items/<int:item_id>"),
            ("extra", "/new"),
            ("missing", "/static/<path:filename>"),
        ]
    )


def test_same_endpoint() -> None:
    assert urlmap.same_endpoint("x", "domain.x")
    assert urlmap.same_endpoint("domain.x", "x")
    assert not urlmap.same_endpoint("x", "a.b.x")
    assert not urlmap.same_endpoint("x", "domain.y")


def test_routes_to_cover_skip_automatic_methods_and_static() -> None:
    assert urlmap.routes(BASE) == ["GET /items", "GET /items/<int:item_id>", "POST /items"]


def test_renames_pair_prefixed_endpoints_with_their_baseline_names() -> None:
    cand = [
        rule("/items", "shop.list_items"),
        rule("/items", "shop.create_item", ("OPTIONS", "POST")),
        rule("/items/<int:item_id>", "get_item", item_id="IntegerConverter:\\d+"),
    ]
    assert urlmap.renames(BASE, cand) == {
        "shop.create_item": "create_item",
        "shop.list_items": "list_items",
    }
