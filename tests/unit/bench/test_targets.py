"""Target specs and profile placeholders."""

from __future__ import annotations

import pytest

from decompose.bench.runner import TargetSpec
from decompose.bench.services import fill
from decompose.errors import ConfigError, InputError


def test_target_spec_parses_name_and_app():
    assert TargetSpec.parse("legacy=legacy.app:app") == TargetSpec("legacy", "legacy.app:app")
    assert TargetSpec.parse("candidate=extracted.wsgi:app").app == "extracted.wsgi:app"
    assert TargetSpec.parse("legacy.app:app") == TargetSpec("legacy", "legacy.app:app")


@pytest.mark.parametrize(
    "text", ["legacy=", "=legacy.app:app", "legacy=legacy.app", "two words=x:app"]
)
def test_bad_target_spec_says_the_expected_form(text):
    with pytest.raises(InputError, match="is not NAME=MODULE:APP"):
        TargetSpec.parse(text)


def test_fill_placeholders_and_keep_n_for_the_load_generator():
    values = {"python": "/py", "port": "8000", "upstream": "http://127.0.0.1:9"}
    assert fill("{python} -m x --port {port}", values, "k") == "/py -m x --port 8000"
    assert fill("{upstream}/v1", values, "k") == "http://127.0.0.1:9/v1"
    assert fill("user{n}", values, "k") == "user{n}"


def test_fill_reports_an_unknown_placeholder_with_its_key():
    with pytest.raises(
        ConfigError, match=r"p.toml: env.X: unknown placeholder \{prot\}; known: .*\{port\}"
    ):
        fill("{prot}", {"port": "1"}, "p.toml: env.X")
