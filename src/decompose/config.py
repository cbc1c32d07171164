"""Configuration: ``[tool.decompose]`` in pyproject.toml or a ``decompose.toml`` beside the app.

The file is parsed into a frozen :class:`Config` with one typed section per command
(``[analyze]``, and later ``[extract]``, ``[verify]``, ``[bench]``) plus the domain split
(``[domains.<name>]``) and the shared kernel (``[shared]``), which analyze and extract both read.
A section is a frozen dataclass registered in :data:`SECTIONS`; its fields are its keys, their
annotations the accepted types. Adding a section for a new command is: write the dataclass, add
a field to :class:`Config`, register it. Unknown keys and wrong types are reported with their
path (``legacy/decompose.toml: domains.auth.rule: unknown key; expected one of …``).

In ``decompose.toml`` the sections are top level (``[analyze]``, ``[domains.auth]``); in
pyproject.toml they sit under ``[tool.decompose]`` (``[tool.decompose.domains.auth]``).
"""

from __future__ import annotations

import dataclasses
import difflib
import tomllib
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from decompose.errors import ConfigError

CONFIG_FILE = "decompose.toml"


@dataclass(frozen=True)
class AnalyzeConfig:
    """``[analyze]``: how analyze reads the project and what it reports."""

    #: glob patterns (relative to the project root) of files never read, e.g. "migrations/*"
    exclude: tuple[str, ...] = ()
    #: a file bigger than this is refused as generated (bytes)
    max_file_bytes: int = 8_000_000
    #: follow imports of project modules from the entry module
    follow_imports: bool = True
    #: finding kinds to leave out of the report, e.g. ["print_logging"]
    disable: tuple[str, ...] = ()
    #: default for ``--fail-on`` (info, low, medium, high, critical)
    fail_on: str | None = None


@dataclass(frozen=True)
class DomainSpec:
    """``[domains.<name>]``: what belongs to one domain.

    Routes are matched by ``handlers`` (handler function name, endpoint or qualified name) first,
    then by ``rules`` (URL rule patterns; the longest matching pattern wins, then the first
    domain). ``helpers`` and ``modules`` pin project functions that would otherwise be placed by
    who calls them.
    """

    name: str
    rules: tuple[str, ...] = ()
    handlers: tuple[str, ...] = ()
    helpers: tuple[str, ...] = ()
    modules: tuple[str, ...] = ()
    description: str = ""


@dataclass(frozen=True)
class SharedSpec:
    """``[shared]``: helpers and modules that go to the shared kernel whoever calls them."""

    helpers: tuple[str, ...] = ()
    modules: tuple[str, ...] = ()


@dataclass(frozen=True)
class Config:
    """The whole configuration; every field has a default, so an absent file is ``Config()``."""

    source: str | None = None  # the file it came from
    analyze: AnalyzeConfig = AnalyzeConfig()
    domains: tuple[DomainSpec, ...] = ()
    shared: SharedSpec = SharedSpec()

    def domain(self, name: str) -> DomainSpec | None:
        return next((d for d in self.domains if d.name == name), None)


#: section name -> dataclass; "domains" is a table of DomainSpec tables and handled apart.
SECTIONS: dict[str, type[Any]] = {
    "analyze": AnalyzeConfig,
    "shared": SharedSpec,
}


#: sections another command parses with its own loader (``[verify]``: decompose.verify.config).
DELEGATED: frozenset[str] = frozenset({"verify"})


def load_config(path: str | Path) -> Config:
    """Read ``decompose.toml`` or the ``[tool.decompose]`` table of a pyproject.toml."""
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found.") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: config file is not UTF-8 text.") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc}).") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the config file ({exc.strerror}).") from None
    prefix = ""
    if path.name == "pyproject.toml":
        raw = raw.get("tool", {}).get("decompose", {})
        prefix = "tool.decompose."
    return config_from_mapping(raw, source=str(path), prefix=prefix)


def find_config(start: str | Path, stop: str | Path | None = None) -> Path | None:
    """The nearest ``decompose.toml`` or pyproject.toml with ``[tool.decompose]``.

    Looks in ``start`` (a directory, or the directory of a file) and its parents up to ``stop``
    (inclusive) or the file system root.
    """
    here = Path(start).resolve()
    if not here.is_dir():
        here = here.parent
    stop_at = Path(stop).resolve() if stop is not None else None
    for directory in (here, *here.parents):
        candidate = directory / CONFIG_FILE
        if candidate.is_file():
            return candidate
        pyproject = directory / "pyproject.toml"
        if pyproject.is_file() and _has_tool_section(pyproject):
            return pyproject
        if stop_at is not None and directory == stop_at:
            break
        if pyproject.is_file() or (directory / ".git").exists():
            break  # the project's top: never pick up a config from outside it
    return None


def config_from_mapping(raw: dict[str, Any], *, source: str | None = None, prefix: str = "") -> Config:
    """Validate an already parsed TOML mapping; errors name ``source`` and the key path."""
    where = f"{source}: " if source else ""
    values: dict[str, Any] = {"source": source}
    allowed = [*SECTIONS, "domains"]
    for key, value in raw.items():
        path = prefix + key
        if key == "domains":
            values["domains"] = _domains(value, path, where)
        elif key in SECTIONS:
            values[key] = _section(SECTIONS[key], value, path, where)
        elif key in DELEGATED:
            continue  # validated by the command's own loader
        else:
            raise ConfigError(f"{where}{path}: unknown section{_hint(key, allowed)}")
    return Config(**values)


def _domains(value: Any, path: str, where: str) -> tuple[DomainSpec, ...]:
    if not isinstance(value, dict):
        raise ConfigError(f"{where}{path}: must be a table of [domains.<name>] tables.")
    specs = []
    for name, table in value.items():
        if name in ("shared", ""):
            raise ConfigError(
                f"{where}{path}.{name}: 'shared' is reserved for the shared kernel; use [shared]."
            )
        specs.append(_section(DomainSpec, table, f"{path}.{name}", where, name=name))
    return tuple(specs)


def _section(cls: type[Any], table: Any, path: str, where: str, **fixed: Any) -> Any:
    if not isinstance(table, dict):
        raise ConfigError(f"{where}{path}: must be a table, got {_type_name(table)}.")
    hints = typing.get_type_hints(cls)
    names = [f.name for f in dataclasses.fields(cls) if f.name not in fixed]
    kwargs = dict(fixed)
    for key, value in table.items():
        if key not in names:
            raise ConfigError(f"{where}{path}.{key}: unknown key{_hint(key, names)}")
        kwargs[key] = _coerce(value, hints[key], f"{path}.{key}", where)
    return cls(**kwargs)


def _coerce(value: Any, tp: Any, path: str, where: str) -> Any:
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin is tuple:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{where}{path}: must be a list of strings, got {_type_name(value)}.")
        return tuple(value)
    if type(None) in args:  # str | None
        if not isinstance(value, str):
            raise ConfigError(f"{where}{path}: must be a string, got {_type_name(value)}.")
        return value
    if tp is bool:
        if not isinstance(value, bool):
            raise ConfigError(f"{where}{path}: must be true or false, got {_type_name(value)}.")
        return value
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ConfigError(f"{where}{path}: must be a non-negative integer, got {value!r}.")
        return value
    if not isinstance(value, str):
        raise ConfigError(f"{where}{path}: must be a string, got {_type_name(value)}.")
    return value


def _hint(key: str, names: list[str]) -> str:
    close = difflib.get_close_matches(key, names, n=1)
    if close:
        return f"; did you mean '{close[0]}'?"
    return f"; expected one of: {', '.join(names)}."


def _type_name(value: Any) -> str:
    return {dict: "a table", list: "a list", str: "a string", bool: "a boolean"}.get(
        type(value), type(value).__name__
    )


def _has_tool_section(pyproject: Path) -> bool:
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return False
    return isinstance(data.get("tool"), dict) and "decompose" in data["tool"]


__all__ = [
    "CONFIG_FILE",
    "AnalyzeConfig",
    "Config",
    "DomainSpec",
    "SharedSpec",
    "SECTIONS",
    "config_from_mapping",
    "find_config",
    "load_config",
]
