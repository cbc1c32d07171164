"""Routes other modules register on the app, views nested in a factory, dynamic endpoints:
each moved, or kept and reported with file:line — never dropped silently."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from decompose.errors import InputError
from decompose.extract import extract

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "extract"


def _run(name: str, tmp_path: Path, **kwargs: object):
    shutil.copytree(FIXTURES / name, tmp_path / "proj")
    case = json.loads((FIXTURES / name / "case.json").read_text())
    entry = tmp_path / "proj" / case.get("entry", "app.py")
    return extract(entry, out=tmp_path / "out", endpoint_domains=case["domains"], **kwargs)


def test_routes_of_a_views_module_move_to_their_domains(tmp_path: Path) -> None:
    result = _run("views_import_app", tmp_path)
    assert result.self_check.startswith("passed")
    moved = {m.name: (m.location.file, m.location.line, m.target) for m in result.plan.moves}
    assert moved["item"] == ("shop/views.py", 14, "webapp/catalog/routes.py")
    assert moved["add_to_cart"] == ("shop/views.py", 24, "webapp/cart/routes.py")
    assert moved["price_of"][2] == "webapp/catalog/services.py"  # a helper follows its only users
    files = {f.path for f in result.files}
    assert "webapp/shared/views.py" not in files  # no dead copy that imports the old app
    assert any("shop/views.py: registers on the app" in n for n in result.plan.notes)


def test_package_init_app_keeps_the_routes_of_views(tmp_path: Path) -> None:
    """The Flask docs' layout: the self-check must see the views' rules on the original side."""
    result = _run("views_package_init", tmp_path)
    assert result.self_check == "passed: 4 rules equal after 3 planned renames"


def test_module_alias_and_reexported_app_and_a_clashing_name(tmp_path: Path) -> None:
    result = _run("api_module_alias", tmp_path)
    assert result.self_check.startswith("passed")
    assert any("`label` is also defined in store/server.py; renamed `v1_label`" in n for n in result.plan.notes)
    routes = {f.path: f.content for f in result.files}["webapp/admin/routes.py"]
    assert "srv." not in routes and "label(key)" in routes


def test_second_run_changes_nothing(tmp_path: Path) -> None:
    _run("api_module_alias", tmp_path)
    again = extract(
        tmp_path / "proj" / "store" / "server.py",
        out=tmp_path / "out",
        endpoint_domains=json.loads((FIXTURES / "api_module_alias" / "case.json").read_text())["domains"],
    )
    assert again.changed == ()


def test_factory_views_are_lifted_or_reported(tmp_path: Path) -> None:
    result = _run("factory_nested_views", tmp_path)
    assert result.self_check.startswith("passed")
    renames = {r.old: r.new for r in result.plan.renames}
    assert renames["index"] == "main.index" and renames["hello"] == "main.hello"
    kept = [(k.location.line, k.reason) for k in result.plan.kept]
    assert kept[0][0] == 21 and "reads counter from create_app()'s own scope" in kept[0][1]
    assert kept[1][0] == 29 and "add_url_rule" in kept[1][1]
    files = {f.path: f.content for f in result.files}
    assert 'url_for("main.hello")' in files["webapp/main/routes.py"]


def test_dynamic_endpoints_are_reported_with_file_and_line(tmp_path: Path) -> None:
    result = _run("factory_nested_views", tmp_path)
    assert (
        "app.py:39: url_for(PAGES.get(page, 'index')): endpoint computed at run time; rename it by hand to domain.x"
        in result.plan.notes
    )


def test_global_state_and_its_users_stay_together(tmp_path: Path) -> None:
    result = _run("global_state", tmp_path)
    legacy = {f.path: f.content for f in result.files}["webapp/legacy_code.py"]
    assert "hits = 0" in legacy and "global hits" in legacy and "def current_hits" in legacy
    assert {k.location.line for k in result.plan.kept} == {5, 6, 9, 13, 19, 26}


def test_a_clash_that_cannot_be_renamed_is_refused_with_the_reason(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES / "views_import_app", tmp_path / "proj")
    views = tmp_path / "proj" / "shop" / "views.py"
    views.write_text(views.read_text() + "\n\n@app.route('/h')\ndef home():\n    return 'again'\n")
    with pytest.raises(InputError, match=r"shop/views.py: defines `home`, which shop/server.py also defines"):
        extract(tmp_path / "proj" / "shop" / "server.py", out=tmp_path / "out", endpoint_domains={})


def test_config_override_wins_and_a_global_named_config_survives(tmp_path: Path, clean_modules: None) -> None:
    import importlib
    import sys

    result = _run("config_override", tmp_path)
    assert result.self_check.startswith("passed")
    init = {f.path: f.content for f in result.files}["webapp/__init__.py"]
    assert "def create_app(test_config=None):" in init and "from .shared.settings import config" in init
    assert "webapp/settings.cfg" in {f.path for f in result.files}
    sys.path.insert(0, str(tmp_path / "out"))
    app = importlib.import_module("webapp").create_app({"DB": "test", "SECRET_KEY": "test"})
    assert (app.config["DB"], app.secret_key, app.config["FAREWELL"]) == ("test", "test", "bye from settings.cfg")


def test_flaskr_config_and_a_template_folder_of_another_name(tmp_path: Path) -> None:
    result = _run("flaskr_config", tmp_path)
    files = {f.path: f.content for f in result.files}
    assert 'app.config.from_object(__name__ + ".shared.helpers")' in files["webapp/__init__.py"]
    page = files["webapp/views/page.html"]
    assert "url_for('main.index')" in page and "request.endpoint == 'main.index'" in page
    assert "'pages.about' == request.endpoint" in page


def test_registering_helpers_and_namespace_readers_are_kept_with_reasons(tmp_path: Path) -> None:
    result = _run("custom_route_decorator", tmp_path)
    assert result.self_check.startswith("passed")
    reasons = {k.location.line: k.reason for k in result.plan.kept}
    assert "api_route() registers on the app when called" in reasons[9]
    assert reasons[18].startswith("registers through api_route() (app.py:9)")
    assert "reads the module namespace" in reasons[23] and "reads the module namespace" in reasons[27]
    assert reasons[35].startswith("calls globals() to find what it registers")


def test_reserved_domain_names_get_their_own_packages(tmp_path: Path) -> None:
    result = _run("reserved_domain_names", tmp_path)
    paths = {f.path for f in result.files}
    assert {"webapp/hooks.py", "webapp/hooks_/routes.py", "webapp/commands_/routes.py", "webapp/shared_/routes.py"} <= paths
    assert {r.new for r in result.plan.renames} == {
        "hooks_.github_hook", "commands_.commands_page", "shared_.shared_link", "d_2fa.twofa", "class_.klass"
    }


def test_a_registering_module_nothing_imports_is_not_moved(tmp_path: Path) -> None:
    result = _run("views_import_app", tmp_path)
    assert "old" not in {r.old for r in result.plan.renames}
    assert any(n.startswith("shop/old_views.py: registers on the app of shop/server.py, but nothing imports it")
               for n in result.plan.notes)
