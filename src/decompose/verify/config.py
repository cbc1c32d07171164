"""``[tool.decompose.verify]``: how verify runs the targets it compares.

Read from ``pyproject.toml`` (``[tool.decompose.verify]``) or ``decompose.toml`` (``[verify]``
or ``[tool.decompose.verify]``) in the project directory, or from ``--config FILE``. Command-line
options override it. Environment values may use the placeholders ``{workdir}`` (a fresh
directory per run), ``{role}`` (primary, secondary, candidate), ``{run_id}`` (unique per run,
safe as a database name) and ``{project}`` (the project directory).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from decompose.errors import ConfigError

DEFAULT_HEADERS = ("Location", "Cache-Control", "Content-Disposition", "WWW-Authenticate")

_KEYS = {
    "baseline": str,
    "candidate": str,
    "scenarios": list,
    "setup": str,
    "seed": int,
    "headers": list,
    "ignore": list,
    "timeout": (int, float),
    "start_timeout": (int, float),
    "endpoint_renames": bool,
    "env": dict,
    "baseline_env": dict,
    "candidate_env": dict,
    "generate": dict,
}
_GENERATE_KEYS = {
    "app": str,
    "output": str,
    "login": dict,
    "auth_header": str,
    "path_values": dict,
    "values": dict,
    "skip": list,
    "reads_after_write": int,
    "admin_login": dict,
    "admin_routes": list,
    "bodies": dict,
    "queries": dict,
}


@dataclass(frozen=True)
class GenerateConfig:
    """How ``--generate`` fills a starter corpus."""

    app: str | None = None  # module analyzed (e.g. legacy/app.py)
    output: str | None = None
    login: dict[str, Any] | None = None  # a step: method, path, json/form, capture
    auth_header: str = "Bearer {{token}}"
    path_values: dict[str, Any] = field(default_factory=dict)  # by argument, then converter
    values: dict[str, Any] = field(default_factory=dict)  # body values by key name
    skip: tuple[str, ...] = ()  # rules (or "METHOD rule") left out of the corpus
    reads_after_write: int = 3
    admin_login: dict[str, Any] | None = None  # a second login; its token is sent to admin routes
    admin_routes: tuple[str, ...] = ("*/admin/*", "/admin*")
    bodies: dict[str, Any] = field(default_factory=dict)  # "METHOD rule" -> JSON body, as is
    queries: dict[str, Any] = field(default_factory=dict)  # "METHOD rule" or rule -> query


@dataclass(frozen=True)
class VerifyConfig:
    baseline: str | None = None
    candidate: str | None = None
    scenarios: tuple[str, ...] = ()
    setup: str | None = None
    seed: int = 0
    headers: tuple[str, ...] = DEFAULT_HEADERS
    ignore: tuple[str, ...] = ()
    timeout: float = 30.0
    start_timeout: float = 120.0
    endpoint_renames: bool = True  # a body naming "d.x" where the baseline says "x" is the same
    env: dict[str, str] = field(default_factory=dict)
    baseline_env: dict[str, str] = field(default_factory=dict)
    candidate_env: dict[str, str] = field(default_factory=dict)
    generate: GenerateConfig = field(default_factory=GenerateConfig)
    project: str = "."
    source: str | None = None  # the file it came from

    def env_for(self, side: str) -> dict[str, str]:
        """Environment for ``side`` ("baseline" or "candidate"), placeholders not yet filled."""
        extra = self.baseline_env if side == "baseline" else self.candidate_env
        return {**self.env, **extra}


def _check(table: dict[str, Any], spec: dict[str, Any], where: str) -> None:
    for key, value in table.items():
        if key not in spec:
            known = ", ".join(sorted(spec))
            raise ConfigError(f"Unknown key {where}.{key}; expected one of {known}.")
        if not isinstance(value, spec[key]) or isinstance(value, bool) and spec[key] is not bool:
            raise ConfigError(f"Key {where}.{key} has the wrong type ({type(value).__name__}).")


def _str_dict(table: dict[str, Any], where: str) -> dict[str, str]:
    out = {}
    for key, value in table.items():
        if isinstance(value, (dict, list)):
            raise ConfigError(f"Key {where}.{key} must be a string.")
        out[str(key)] = str(value)
    return out


def from_table(table: dict[str, Any], where: str, project: Path, source: str | None) -> VerifyConfig:
    """Build the config from the parsed ``[tool.decompose.verify]`` table."""
    _check(table, _KEYS, where)
    gen_table = table.get("generate", {})
    _check(gen_table, _GENERATE_KEYS, f"{where}.generate")
    generate = GenerateConfig(
        app=gen_table.get("app"),
        output=gen_table.get("output"),
        login=gen_table.get("login"),
        auth_header=gen_table.get("auth_header", GenerateConfig.auth_header),
        path_values=dict(gen_table.get("path_values", {})),
        values=dict(gen_table.get("values", {})),
        skip=tuple(str(s) for s in gen_table.get("skip", ())),
        reads_after_write=int(gen_table.get("reads_after_write", 3)),
        admin_login=gen_table.get("admin_login"),
        bodies=dict(gen_table.get("bodies", {})),
        queries=dict(gen_table.get("queries", {})),
        admin_routes=tuple(str(s) for s in gen_table.get("admin_routes", GenerateConfig.admin_routes)),
    )
    return VerifyConfig(
        baseline=table.get("baseline"),
        candidate=table.get("candidate"),
        scenarios=tuple(str(s) for s in table.get("scenarios", ())),
        setup=table.get("setup"),
        seed=int(table.get("seed", 0)),
        headers=tuple(str(h) for h in table.get("headers", DEFAULT_HEADERS)),
        ignore=tuple(str(p) for p in table.get("ignore", ())),
        timeout=float(table.get("timeout", 30.0)),
        start_timeout=float(table.get("start_timeout", 120.0)),
        endpoint_renames=bool(table.get("endpoint_renames", True)),
        env=_str_dict(table.get("env", {}), f"{where}.env"),
        baseline_env=_str_dict(table.get("baseline_env", {}), f"{where}.baseline_env"),
        candidate_env=_str_dict(table.get("candidate_env", {}), f"{where}.candidate_env"),
        generate=generate,
        project=str(project),
        source=source,
    )


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}.") from None
    except OSError as exc:
        raise ConfigError(f"Cannot read {path}: {exc.strerror}.") from None


def _table_in(document: dict[str, Any], path: Path) -> tuple[dict[str, Any], str] | None:
    nested = document.get("tool", {}).get("decompose", {}).get("verify")
    if nested is not None:
        return nested, "tool.decompose.verify"
    if path.name != "pyproject.toml" and "verify" in document:
        return document["verify"], "verify"
    return None


def load(config_file: str | Path | None = None, project: str | Path = ".") -> VerifyConfig:
    """The verify configuration for ``project``, or defaults when none is written down."""
    project = Path(project).resolve()
    if config_file is not None:
        path = Path(config_file)
        if not path.is_file():
            raise ConfigError(f"Config file {path} does not exist.")
        found = _table_in(_read_toml(path), path)
        if found is None:
            raise ConfigError(f"{path} has no [tool.decompose.verify] table.")
        table, where = found
        return from_table(table, where, path.resolve().parent, str(path))
    for name in ("decompose.toml", "pyproject.toml"):
        path = project / name
        if path.is_file():
            found = _table_in(_read_toml(path), path)
            if found is not None:
                table, where = found
                return from_table(table, where, project, str(path))
    return VerifyConfig(project=str(project))
