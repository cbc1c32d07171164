"""The atomic writer: temp dir then move, foreign files refused or kept, failures change nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from decompose.errors import CheckFailed, OutputError
from decompose.extract.writer import (
    MANIFEST,
    changed_files,
    manifest_file,
    unified_diffs,
    write_tree,
)
from decompose.model.extraction import GeneratedFile


def _files(text: str = "x = 1\n") -> list[GeneratedFile]:
    files = [GeneratedFile("pkg/__init__.py", '"""Pkg."""\n'), GeneratedFile("pkg/mod.py", text)]
    return [*files, manifest_file(files, source="app.py", source_hash="0" * 64, settings={"package": "pkg"})]


def _snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_writes_a_new_directory(tmp_path: Path) -> None:
    out = tmp_path / "out"
    changed = write_tree(out, _files())
    assert changed == sorted(["pkg/__init__.py", "pkg/mod.py", MANIFEST])
    assert (out / "pkg" / "mod.py").read_text() == "x = 1\n"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out.decompose")]


def test_second_write_changes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_tree(out, _files())
    before = _snapshot(out)
    assert write_tree(out, _files()) == []
    assert _snapshot(out) == before


def test_foreign_files_are_refused_without_force_and_kept_with_it(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_tree(out, _files())
    (out / "notes.txt").write_text("mine")
    with pytest.raises(OutputError, match="notes.txt"):
        write_tree(out, _files("x = 2\n"))
    assert (out / "pkg" / "mod.py").read_text() == "x = 1\n"
    write_tree(out, _files("x = 2\n"), force=True)
    assert (out / "notes.txt").read_text() == "mine"
    assert (out / "pkg" / "mod.py").read_text() == "x = 2\n"


def test_a_directory_without_manifest_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "app.py").write_text("print('hand written')\n")
    with pytest.raises(OutputError, match="did not generate"):
        write_tree(out, _files())


def test_runtime_leftovers_are_tolerated_and_kept(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_tree(out, _files())
    (out / "pkg" / "instance").mkdir()
    (out / "pkg" / "instance" / "db.sqlite3").write_text("data")
    write_tree(out, _files("x = 3\n"))
    assert (out / "pkg" / "instance" / "db.sqlite3").read_text() == "data"


def test_a_failed_check_leaves_the_directory_as_it_was(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_tree(out, _files())
    before = _snapshot(out)

    def failing_check(tmp: Path) -> None:
        assert (tmp / "pkg" / "mod.py").read_text() == "x = 9\n"
        raise CheckFailed("self-check failed")

    with pytest.raises(CheckFailed):
        write_tree(out, _files("x = 9\n"), check=failing_check)
    assert _snapshot(out) == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out.decompose")]


def test_changed_files_and_diffs(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_tree(out, _files())
    new = _files("x = 2\n")
    assert changed_files(out, new) == ["decompose-manifest.json", "pkg/mod.py"]
    diff = unified_diffs(out, new)
    assert "-x = 1\n+x = 2\n" in diff and "--- a/pkg/mod.py" in diff
    # a generated file the new output no longer has is drift too
    assert "pkg/mod.py" in changed_files(out, [f for f in _files() if f.path != "pkg/mod.py"])
