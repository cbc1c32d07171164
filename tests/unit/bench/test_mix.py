"""The default mix generated from analyze's inventory."""

from __future__ import annotations

import tomllib

from decompose.bench.mix import mix_as_toml, mix_from_routes
from decompose.bench.profile import parse_profile
from decompose.model import Location, Route


def route(
    rule: str, methods: tuple[str, ...] = ("GET", "HEAD", "OPTIONS"), blueprint: str | None = None
) -> Route:
    here = Location("app.py", 1, 2)
    return Route(rule, methods, rule, "app.view", here, here, blueprint=blueprint)


def test_get_routes_without_parameters_become_tasks():
    tasks = mix_from_routes(
        [
            route("/api/words"),
            route("/api/words/<int:word_id>"),  # needs a value: left to the profile
            route("/api/auth/login", ("OPTIONS", "POST")),  # a write: left to the profile
            route("/static/<path:filename>"),
            route("/api/stats", blueprint="stats"),
            route("/api/words"),  # registered twice: one task
        ]
    )
    assert [(t.name, t.group, t.weight) for t in tasks] == [
        ("GET /api/stats", "stats", 1),
        ("GET /api/words", "words", 1),
    ]


def test_the_printed_mix_is_a_valid_profile_section():
    tasks = mix_from_routes([route("/api/words"), route("/health")])
    profile = parse_profile(tomllib.loads(mix_as_toml(tasks)), "printed")
    assert profile.mix == tasks
