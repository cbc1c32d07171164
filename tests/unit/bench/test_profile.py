"""Profiles: parsing, per-target overrides, errors that name the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from decompose.bench.profile import ServerModel, load_profile, parse_profile
from decompose.errors import ConfigError

ROOT = Path(__file__).parents[3]
FIXTURE = ROOT / "tests" / "fixtures" / "bench" / "profile.toml"


def test_fixture_profile_parses_with_target_overrides():
    profile = load_profile(FIXTURE)
    assert profile.name == "fixture"
    assert [t.name for t in profile.mix] == ["items", "item owners"]
    assert profile.mix[0].weight == 2 and profile.mix[0].group == "cached"
    assert profile.login is not None and profile.login.json == {"username": "user{n}"}
    one = profile.for_target("one")
    two = profile.for_target("two")
    assert one.server == ServerModel(workers=1, worker_class="sync", timeout=30, keep_alive=2)
    assert (two.server.workers, two.server.worker_class, two.server.threads) == (2, "gthread", 2)
    assert two.server.timeout == 30  # inherited from [server]
    assert two.setup == one.setup and two.env == one.env
    assert one.ready_path == "/health" and one.start_timeout == 30.0
    assert profile.load.effective(quick=True).duration == 2.0


@pytest.mark.parametrize(
    "path", sorted((ROOT / "benchmarks" / "profiles").glob("*.toml")), ids=lambda p: p.name
)
def test_shipped_profiles_parse(path):
    profile = load_profile(path)
    assert profile.mix, "a shipped profile carries its mix"
    assert all(task.path.startswith("/") for task in profile.mix)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"server": {"wokers": 2}}, "p.toml: server.wokers is not a known key"),
        ({"server": {"workers": "2"}}, "p.toml: server.workers must be int"),
        ({"server": {"worker_class": "fork"}}, "server.worker_class is 'fork'"),
        ({"load": {"duration": "ten"}}, "load.duration is invalid"),
        ({"mix": [{"path": "words"}]}, "mix[0].path must start with '/'"),
        ({"mix": [{"path": "/a", "name": "x"}, {"path": "/b", "name": "x"}]}, "'x' is used twice"),
        ({"targets": {"candidate": {"sever": {}}}}, "targets.candidate.sever is not a known key"),
        ({"setup": ["flask seed"]}, "setup entry 0 must be a non-empty list of strings"),
        ({"capacity": {"steps": [10, 5]}}, "capacity.steps must be an increasing list"),
        ({"database": {"kind": "mysql"}}, "database.kind is 'mysql'"),
        ({"colour": "blue"}, "colour is not a known key"),
    ],
)
def test_profile_errors_name_the_key(data, message):
    with pytest.raises(ConfigError) as info:
        parse_profile(data, "p.toml")
    assert message in str(info.value)


def test_missing_profile_file_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        load_profile(tmp_path / "nope.toml")


def test_server_argv_mirrors_production_flags():
    assert ServerModel().argv() == [
        "--workers", "1", "--worker-class", "sync", "--timeout", "120", "--keep-alive", "2",
    ]  # fmt: skip
    assert "--threads" in ServerModel(worker_class="gthread", threads=4).argv()


def test_extends_merges_tables_and_replaces_lists(tmp_path):
    (tmp_path / "base.toml").write_text(
        'name = "base"\n[server]\nworkers = 1\ntimeout = 120\n[load]\nusers = 50\n'
        '[[mix]]\npath = "/a"\n'
    )
    (tmp_path / "child.toml").write_text(
        'extends = "base.toml"\nname = "child"\n[server]\nworkers = 4\n[[mix]]\npath = "/b"\n'
    )
    profile = load_profile(tmp_path / "child.toml")
    assert profile.name == "child"
    assert (profile.default.server.workers, profile.default.server.timeout) == (4, 120)
    assert profile.load.users == 50
    assert [t.path for t in profile.mix] == ["/b"]


def test_extends_cycle_is_reported(tmp_path):
    (tmp_path / "a.toml").write_text('extends = "b.toml"\n')
    (tmp_path / "b.toml").write_text('extends = "a.toml"\n')
    with pytest.raises(ConfigError, match="makes a cycle"):
        load_profile(tmp_path / "a.toml")
