"""--in-place: the package beside the module, the module a compatibility layer."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from decompose.extract.inplace import extract_in_place

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "extract_inplace"


def test_in_place_keeps_imports_working_and_lists_monkeypatches(tmp_path: Path) -> None:
    shutil.copytree(FIXTURE, tmp_path / "proj")
    app = tmp_path / "proj" / "shop" / "app.py"
    result = extract_in_place(app, endpoint_domains={"items": "catalog", "order": "orders"})
    assert result.self_check.startswith("passed"), result.self_check
    compat = app.read_text()
    assert "app = create_app()" in compat
    # every name the project's tests import from the module is still there
    assert "from .webapp.orders.services import SENT, send_email  # noqa: F401\n" in compat
    assert "from shop.store import ITEMS\n" in compat
    [patch] = result.monkeypatches
    assert (str(patch.location), patch.target) == ("shop/tests/test_shop.py:18", "shop.app.send_email")
    assert patch.moved_to.startswith("shop.webapp.")
    # the project's own tests, unchanged: the patched one now fails, as reported
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "shop/tests"],
        cwd=tmp_path / "proj", capture_output=True, text=True,
    )
    assert "2 passed" in proc.stdout and "1 failed" in proc.stdout, proc.stdout
    assert "test_order_with_patched_mail" in proc.stdout
    # the package is written beside the module, and a second --check finds nothing to do
    assert (app.parent / "webapp" / "__init__.py").is_file()


def test_in_place_twice_is_a_no_op_and_check_sees_hand_edits(tmp_path: Path) -> None:
    shutil.copytree(FIXTURE, tmp_path / "proj")
    app = tmp_path / "proj" / "shop" / "app.py"
    domains = {"items": "catalog", "order": "orders"}
    extract_in_place(app, endpoint_domains=domains, import_check=False)
    compat = app.read_text()
    again = extract_in_place(app, endpoint_domains=domains)
    assert again.changed == () and app.read_text() == compat
    assert extract_in_place(app, mode="check").changed == ()
    routes = app.parent / "webapp" / "catalog" / "routes.py"
    routes.write_text(routes.read_text() + "# hand edit\n")
    assert extract_in_place(app, mode="check").changed == ("webapp/catalog/routes.py",)


def test_in_place_keeps_the_views_module_registering_and_renames_its_url_for(tmp_path: Path) -> None:
    """The Flask docs' package layout: views.py stays in the project and registers on the app
    the compatibility layer builds; its url_for of a moved endpoint follows the rename."""
    shutil.copytree(FIXTURE.parent / "extract" / "views_package_init", tmp_path / "proj")
    init = tmp_path / "proj" / "mysite" / "__init__.py"
    result = extract_in_place(init, endpoint_domains={"index": "main"})
    assert result.self_check == "passed: 4 rules equal after 1 planned renames"
    assert init.read_text().rstrip().endswith("import mysite.views  # noqa: E402,F401")
    assert 'url_for("main.index")' in (tmp_path / "proj" / "mysite" / "views.py").read_text()
    probe = "import mysite; c = mysite.app.test_client(); print(c.get('/about').get_data(as_text=True))"
    proc = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path / "proj", capture_output=True, text=True)
    assert proc.stdout.strip() == "about site /", proc.stderr
    again = extract_in_place(init, endpoint_domains={"index": "main"}, mode="check")
    assert again.changed == ()


def test_in_place_on_a_top_level_module(tmp_path: Path) -> None:
    """app.py at the project root: the package goes beside it, imported absolutely."""
    shutil.copytree(FIXTURE.parent / "extract" / "templates_with_url_for", tmp_path / "proj")
    app = tmp_path / "proj" / "app.py"
    result = extract_in_place(app, endpoint_domains={})
    assert result.self_check.startswith("passed"), result.self_check
    assert "from webapp import create_app\n" in app.read_text()
    probe = "import app; c = app.app.test_client(); print(c.get('/').status_code, c.get('/about').status_code)"
    proc = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path / "proj", capture_output=True, text=True)
    assert proc.stdout.strip() == "200 200", proc.stderr
    assert extract_in_place(app, endpoint_domains={}, mode="check").changed == ()
