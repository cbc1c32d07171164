"""Golden trees: extraction of fixture monoliths must reproduce tests/golden/extract/<case>/expected.

Regenerate with `.venv/bin/python tests/golden/extract/regenerate.py` and review the diff.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

GOLDEN = Path(__file__).resolve().parents[2] / "golden" / "extract"
_spec = importlib.util.spec_from_file_location("extract_golden_regenerate", GOLDEN / "regenerate.py")
assert _spec and _spec.loader
regenerate = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(regenerate)


@pytest.mark.parametrize("case", regenerate.CASES)
def test_golden_tree(case: str) -> None:
    expected_dir = GOLDEN / case / "expected"
    expected = {
        p.relative_to(expected_dir).as_posix(): p.read_bytes() for p in sorted(expected_dir.rglob("*")) if p.is_file()
    }
    got = {
        path: content if isinstance(content, bytes) else content.encode("utf-8")
        for path, content in regenerate.generate(case).items()
    }
    assert sorted(got) == sorted(expected), "files differ; run tests/golden/extract/regenerate.py and review"
    for path in sorted(got):
        assert got[path].decode() == expected[path].decode(), path
