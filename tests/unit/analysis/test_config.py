"""decompose.toml / [tool.decompose]: typed sections, bad keys reported with their path."""

from __future__ import annotations

from pathlib import Path

import pytest

from decompose.config import Config, config_from_mapping, find_config, load_config
from decompose.errors import ConfigError


def test_decompose_toml_sections(tmp_path: Path) -> None:
    f = tmp_path / "decompose.toml"
    f.write_text(
        '[analyze]\nexclude = ["migrations/*"]\ndisable = ["print_logging"]\nfail_on = "high"\n'
        '[domains.auth]\nrules = ["/api/auth"]\nhandlers = ["login"]\n'
        '[domains.shop]\nrules = "/shop"\n'
        '[shared]\nhelpers = ["json_error"]\n'
    )
    cfg = load_config(f)
    assert cfg.source == str(f)
    assert cfg.analyze.exclude == ("migrations/*",)
    assert cfg.analyze.disable == ("print_logging",)
    assert cfg.analyze.fail_on == "high"
    assert [d.name for d in cfg.domains] == ["auth", "shop"]
    assert cfg.domain("shop") is not None and cfg.domain("shop").rules == ("/shop",)  # type: ignore[union-attr]
    assert cfg.shared.helpers == ("json_error",)


def test_pyproject_tool_table(tmp_path: Path) -> None:
    f = tmp_path / "pyproject.toml"
    f.write_text('[project]\nname = "x"\n[tool.decompose.domains.api]\nrules = ["/api"]\n')
    cfg = load_config(f)
    assert [d.name for d in cfg.domains] == ["api"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[domains.auth]\nrule = ["/a"]\n', "domains.auth.rule: unknown key; did you mean 'rules'?"),
        ('[analyse]\n', "analyse: unknown section; did you mean 'analyze'?"),
        ('[analyze]\nmax_file_bytes = "big"\n', "analyze.max_file_bytes: must be a non-negative integer"),
        ('[analyze]\nfollow_imports = 1\n', "analyze.follow_imports: must be true or false"),
        ('[domains.auth]\nrules = [1, 2]\n', "domains.auth.rules: must be a list of strings"),
        ('[domains.shared]\nrules = ["/x"]\n', "'shared' is reserved"),
        ('[domains]\nauth = 1\n', "domains.auth: must be a table"),
        ("not toml [", "not valid TOML"),
    ],
)
def test_bad_config_names_the_key(tmp_path: Path, text: str, message: str) -> None:
    f = tmp_path / "decompose.toml"
    f.write_text(text)
    with pytest.raises(ConfigError) as err:
        load_config(f)
    assert message in str(err.value)
    assert str(f) in str(err.value)


def test_pyproject_errors_carry_the_tool_prefix(tmp_path: Path) -> None:
    f = tmp_path / "pyproject.toml"
    f.write_text("[tool.decompose.analyze]\nexclud = []\n")
    with pytest.raises(ConfigError, match=r"tool\.decompose\.analyze\.exclud: unknown key"):
        load_config(f)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "nope.toml")


def test_find_config_prefers_the_nearest(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.decompose.analyze]\n")
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "app.py").write_text("")
    assert find_config(pkg / "app.py") == tmp_path / "pyproject.toml"
    (pkg / "decompose.toml").write_text("")
    assert find_config(pkg / "app.py") == pkg / "decompose.toml"


def test_find_config_stops_at_the_project_top(tmp_path: Path) -> None:
    (tmp_path / "decompose.toml").write_text("")
    project = tmp_path / "project"
    project.mkdir()
    (project / "pyproject.toml").write_text("[project]\nname = 'p'\n")
    (project / "app.py").write_text("")
    assert find_config(project / "app.py") is None


def test_config_is_frozen_and_defaults() -> None:
    cfg = config_from_mapping({})
    assert cfg == Config()
    with pytest.raises(AttributeError):
        cfg.analyze = None  # type: ignore[misc]
