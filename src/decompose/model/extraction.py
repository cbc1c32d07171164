"""Extraction: where every top-level statement of the monolith goes, and what was written."""

from __future__ import annotations

from dataclasses import dataclass

from decompose.model.inventory import Location


@dataclass(frozen=True)
class Move:
    """One top-level statement of the monolith placed in one generated module.

    ``kind`` is one of: route, view_class, url_rule, blueprint, helper, class, state, hook,
    extension, app_value, setup, import, main, legacy.
    ``target`` is the generated module's path relative to the output directory
    (``webapp/auth/routes.py``); ``create_app`` statements target ``webapp/__init__.py``.
    """

    name: str
    kind: str
    location: Location
    target: str
    domain: str | None = None
    reason: str = ""


@dataclass(frozen=True)
class KeptAsIs:
    """Code extract could not move safely: kept verbatim in the legacy module, with the reason."""

    location: Location
    reason: str
    target: str


@dataclass(frozen=True)
class EndpointRename:
    old: str
    new: str


@dataclass(frozen=True)
class MonkeypatchUse:
    """A test that patches a name on the old module; after a move the patch no longer bites."""

    location: Location
    target: str  # the patched dotted path as written, e.g. "app.send_email"
    moved_to: str  # where the name lives now


@dataclass(frozen=True)
class ExtractionPlan:
    """What moves where, per domain, before anything is generated."""

    package: str
    source: str  # the monolith, relative to the project root
    domains: tuple[str, ...]
    moves: tuple[Move, ...] = ()
    renames: tuple[EndpointRename, ...] = ()
    kept: tuple[KeptAsIs, ...] = ()
    copied: tuple[tuple[str, str], ...] = ()  # (project module, generated path)
    blocking_shared: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (shared name, domains using it)
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class GeneratedFile:
    path: str  # relative to the output directory, POSIX
    content: str


@dataclass(frozen=True)
class ExtractionResult:
    """The outcome of ``decompose extract``: the plan, the files, and what happened to DIR."""

    plan: ExtractionPlan
    files: tuple[GeneratedFile, ...]
    out: str
    mode: str = "write"  # write | dry_run | check | in_place
    changed: tuple[str, ...] = ()  # files that differ from what DIR held
    self_check: str = "skipped"  # passed | skipped (reason) | failed
    monkeypatches: tuple[MonkeypatchUse, ...] = ()
