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
