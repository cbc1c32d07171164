"""The committed legacy corpus is what `decompose verify --generate` writes today.

Regenerate with `decompose verify --generate` (config in pyproject.toml) and review the diff.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from decompose.verify import config, scenario
from decompose.verify.generate import generate

REPO = Path(__file__).resolve().parents[3]


def test_committed_corpus_is_up_to_date() -> None:
    committed = REPO / "legacy" / "verify" / "corpus.yaml"
    if not committed.is_file():
        pytest.skip("legacy/verify/corpus.yaml has not been generated yet")
    from decompose.analysis import analyze

    settings = config.load(project=REPO)
    assert settings.generate.app is not None
    inventory = analyze(REPO / settings.generate.app).inventory
    expected = scenario.dump(generate(inventory, settings.generate))
    assert committed.read_text(encoding="utf-8") == expected, (
        "legacy/verify/corpus.yaml is stale: run `decompose verify --generate` and review the diff"
    )


def test_hand_written_flows_load() -> None:
    flows = scenario.load(REPO / "legacy" / "verify" / "flows.yaml")
    assert flows.step_count > 20
