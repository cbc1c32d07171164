"""Routes analyze finds equal ``app.url_map`` of the imported app, rule for rule, method for method."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

# Imported once here so that clean_modules (which forgets what a test imported) does not make
# every fixture pay for importing them again.
import flask  # noqa: F401
import flask.views  # noqa: F401
import flask_login  # noqa: F401
import flask_sqlalchemy  # noqa: F401
import libcst  # noqa: F401
import networkx  # noqa: F401
import pytest
import requests  # noqa: F401
import sqlalchemy.orm  # noqa: F401

from decompose.analysis import analyze

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "apps"

#: fixture -> (path given to analyze, "module:attribute" of the app, or "module:factory()")
CASES = {
    "fx_decorators": ("fx_decorators/app.py", "fx_decorators.app:app"),
    "fx_add_url_rule": ("fx_add_url_rule/app.py", "fx_add_url_rule.app:app"),
    "fx_method_view": ("fx_method_view/app.py", "fx_method_view.app:app"),
    "fx_blueprints": ("fx_blueprints", "fx_blueprints:app"),
    "fx_factory": ("fx_factory", "fx_factory:create_app()"),
    "fx_alias_from": ("fx_alias_from/app.py", "fx_alias_from.app:application"),
    "fx_alias_module": ("fx_alias_module/app.py", "fx_alias_module.app:APP"),
    "fx_multimodule": ("fx_multimodule/__init__.py", "fx_multimodule:app"),
    "fx_server": ("fx_server/server.py", "fx_server:app"),
    "fx_hooks": ("fx_hooks/app.py", "fx_hooks.app:app"),
    "fx_models": ("fx_models/app.py", "fx_models.app:app"),
    "fx_rawdb": ("fx_rawdb/app.py", "fx_rawdb.app:app"),
    "fx_flaskr": ("fx_flaskr", "fx_flaskr:create_app()"),
    "fx_patterns": ("fx_patterns/app.py", "fx_patterns.app:app"),
    "fx_flasky": ("fx_flasky/manage.py", "fx_flasky.manage:app"),
}


def url_map_rules(app) -> set[tuple[str, str, tuple[str, ...]]]:  # type: ignore[no-untyped-def]
    return {(r.rule, r.endpoint, tuple(sorted(r.methods or ()))) for r in app.url_map.iter_rules()}


def analyzed_rules(result) -> set[tuple[str, str, tuple[str, ...]]]:  # type: ignore[no-untyped-def]
    inv = result.inventory
    return {(r.rule, r.endpoint, tuple(r.methods)) for r in (*inv.routes, *inv.static_routes)}


def import_app(spec: str, root: Path):  # type: ignore[no-untyped-def]
    module_name, _, attr = spec.partition(":")
    sys.path.insert(0, str(root))
    module = importlib.import_module(module_name)
    if attr.endswith("()"):
        return getattr(module, attr[:-2])()
    return getattr(module, attr)


@pytest.mark.parametrize("name", sorted(CASES))
def test_routes_equal_url_map(name: str, clean_modules: None) -> None:
    path, spec = CASES[name]
    result = analyze(FIXTURES / path, use_cache=False)
    app = import_app(spec, FIXTURES)
    expected = url_map_rules(app)
    found = analyzed_rules(result)
    assert found == expected, f"missing: {sorted(expected - found)}\nextra: {sorted(found - expected)}"


def test_every_fixture_is_covered() -> None:
    on_disk = {p.name for p in FIXTURES.iterdir() if p.is_dir() and p.name.startswith("fx_")}
    assert on_disk == set(CASES)
