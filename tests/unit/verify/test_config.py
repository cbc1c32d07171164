from __future__ import annotations

from pathlib import Path

import pytest

from decompose.errors import ConfigError
from decompose.verify import config


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_without_a_file(tmp_path: Path) -> None:
    loaded = config.load(project=tmp_path)
    assert loaded.source is None and loaded.headers == config.DEFAULT_HEADERS


def test_pyproject_table(tmp_path: Path) -> None:
    write(
        tmp_path / "pyproject.toml",
        '[tool.decompose.verify]\nseed = 3\nsetup = "s:prepare"\n'
        '[tool.decompose.verify.env]\nDATABASE_URL = "sqlite:///{workdir}/x.db"\n'
        '[tool.decompose.verify.candidate_env]\nFLAG = 1\n'
        '[tool.decompose.verify.generate.path_values]\nword_id = 4\n',
    )
    loaded = config.load(project=tmp_path)
    assert loaded.seed == 3 and loaded.setup == "s:prepare"
    assert loaded.env_for("candidate") == {"DATABASE_URL": "sqlite:///{workdir}/x.db", "FLAG": "1"}
    assert loaded.env_for("baseline") == {"DATABASE_URL": "sqlite:///{workdir}/x.db"}
    assert loaded.generate.path_values == {"word_id": 4}


def test_decompose_toml_verify_section(tmp_path: Path) -> None:
    write(tmp_path / "decompose.toml", '[verify]\nbaseline = "a:app"\n')
    assert config.load(project=tmp_path).baseline == "a:app"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[tool.decompose.verify]\nbasline = 'a:app'\n", "Unknown key tool.decompose.verify.basline"),
        ("[tool.decompose.verify]\nseed = 'x'\n", "Key tool.decompose.verify.seed has the wrong type"),
        ("[tool.decompose.verify.generate]\nfoo = 1\n", "Unknown key tool.decompose.verify.generate.foo"),
        ("[tool.decompose.verify.env]\nA = [1]\n", "Key tool.decompose.verify.env.A must be a string"),
        ("[tool.decompose.verify\n", "is not valid TOML"),
    ],
)
def test_bad_keys_are_named(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path / "pyproject.toml", text)
    with pytest.raises(ConfigError, match=message.replace(".", r"\.")):
        config.load(path)
