"""The content-hash cache: a hit for unchanged input, a miss for any change, --no-cache bypasses."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from decompose.analysis import analyze, cache
from decompose.config import Config

APP = "from flask import Flask\nfrom helpers import h\napp = Flask(__name__)\n\n@app.route('/')\ndef index():\n    return h()\n"


@pytest.fixture
def app_file(project: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    return project({"app.py": APP, "helpers.py": "def h():\n    return 'x'\n"})


def test_hit_then_miss_on_change(app_file: Path) -> None:
    cfg = Config()
    assert cache.lookup(app_file, cfg) is None
    first = analyze(app_file, config=cfg)
    assert (app_file.parent / ".decompose-cache" / "analyze").is_dir()
    assert cache.lookup(app_file, cfg) == first
    assert analyze(app_file, config=cfg) == first
    (app_file.parent / "helpers.py").write_text("def h():\n    return 'y'\n")  # an imported module
    assert cache.lookup(app_file, cfg) is None
    second = analyze(app_file, config=cfg)
    assert second.inventory.source_hash != first.inventory.source_hash


def test_a_module_that_appears_invalidates(app_file: Path) -> None:
    (app_file.parent / "app.py").write_text("import extra\n" + APP)
    cfg = Config()
    analyze(app_file, config=cfg)
    assert cache.lookup(app_file, cfg) is not None
    (app_file.parent / "extra.py").write_text("X = 1\n")
    assert cache.lookup(app_file, cfg) is None


def test_config_is_part_of_the_key(app_file: Path) -> None:
    from decompose.config import AnalyzeConfig

    analyze(app_file, config=Config())
    assert cache.lookup(app_file, Config(analyze=AnalyzeConfig(disable=("print_logging",)))) is None


def test_no_cache_writes_nothing(app_file: Path) -> None:
    analyze(app_file, config=Config(), use_cache=False)
    assert not (app_file.parent / ".decompose-cache").exists()


def test_corrupt_cache_is_ignored(app_file: Path) -> None:
    cfg = Config()
    first = analyze(app_file, config=cfg)
    for f in (app_file.parent / ".decompose-cache" / "analyze").iterdir():
        f.write_text("{not json")
    assert cache.lookup(app_file, cfg) is None
    assert analyze(app_file, config=cfg) == first
