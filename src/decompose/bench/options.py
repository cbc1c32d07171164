"""What a run is asked to do: the targets and the options of ``decompose bench``."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from decompose.bench.profile import BenchProfile, Task
from decompose.errors import InputError


@dataclass(frozen=True)
class TargetSpec:
    """``name=module:attr`` from the command line."""

    name: str
    app: str

    @classmethod
    def parse(cls, text: str) -> TargetSpec:
        name, sep, app = text.partition("=")
        if not sep:
            name, app = app_name(text), text
        if not name or not app or ":" not in app or not name.replace("-", "_").isidentifier():
            raise InputError(
                f"--target {text!r} is not NAME=MODULE:APP, e.g. legacy=legacy.app:app"
            )
        return cls(name, app)


def app_name(app: str) -> str:
    return app.split(":", 1)[0].split(".")[0]


@dataclass
class BenchOptions:
    targets: Sequence[TargetSpec]
    profile: BenchProfile
    root: Path
    quick: bool = False
    workers: int = 0  # Locust worker processes (0 = one local process)
    capacity: bool | None = None  # None: on for full runs when the profile enables it
    workdir: Path | None = None  # logs, databases, query counts; a temp dir when None
    master_bind: str = "127.0.0.1"
    master_port: int = 0
    remote_workers: int = 0
    mix: tuple[Task, ...] = ()  # overrides the profile's mix (e.g. generated from analyze)
    progress: Callable[[str], None] = field(default=lambda message: None)


def profile_targets(profile: BenchProfile) -> list[TargetSpec]:
    """The targets a profile names (``[targets.<name>]`` with ``app``), in order."""
    return [
        TargetSpec(name, settings.app) for name, settings in profile.targets.items() if settings.app
    ]
