"""The default mix of endpoints, generated from analyze's inventory when a profile has none.

Every ``GET`` route whose rule has no converters becomes a task of weight 1, grouped by its
blueprint (or by its first path segment). Routes with converters need concrete values, and
writes need bodies, so those are left to the profile's ``[[mix]]``, which always wins;
``decompose bench --print-mix`` prints the generated mix as TOML to start one from.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from decompose.bench.profile import Task
from decompose.errors import ConfigError


def mix_from_routes(routes: Iterable[object]) -> tuple[Task, ...]:
    tasks: dict[str, Task] = {}
    for route in routes:
        rule = str(getattr(route, "rule", ""))
        methods = tuple(getattr(route, "methods", ()))
        if "GET" not in methods or "<" in rule or not rule.startswith("/"):
            continue
        if rule.startswith("/static"):
            continue
        group = getattr(route, "blueprint", None) or _first_segment(rule)
        name = f"GET {rule}"
        tasks.setdefault(name, Task(name=name, method="GET", path=rule, weight=1, group=group))
    return tuple(sorted(tasks.values(), key=lambda t: t.path))


def _first_segment(rule: str) -> str:
    parts = [p for p in rule.split("/") if p and p not in ("api", "v1", "v2")]
    return parts[0] if parts else "root"


def app_source(root: Path, app: str) -> Path:
    """The file analyze should read for ``module:attr`` (a module file or a package)."""
    module = app.split(":", 1)[0]
    base = root.joinpath(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    raise ConfigError(
        f"cannot find the source of {module} under {root} to generate the mix; add [[mix]] entries to the profile"
    )


def mix_from_inventory(root: Path, app: str) -> tuple[Task, ...]:
    """Analyze the app ``module:attr`` under ``root`` and derive the mix."""
    try:
        from decompose.analysis import analyze
    except ImportError:
        raise ConfigError(
            "the profile has no [[mix]] and decompose.analysis is not available to generate one; "
            "add [[mix]] entries to the profile"
        ) from None
    source = app_source(root, app)
    result = analyze(source)
    tasks = mix_from_routes(result.inventory.routes)
    if not tasks:
        raise ConfigError(
            f"analyze found no GET route without parameters in {source}; add [[mix]] entries to the profile"
        )
    return tasks


def mix_as_toml(tasks: Iterable[Task]) -> str:
    lines = []
    for task in tasks:
        lines += [
            "[[mix]]",
            f"name = {json.dumps(task.name)}",
            f'method = "{task.method}"',
            f"path = {json.dumps(task.path)}",
            f"weight = {task.weight}",
            f"group = {json.dumps(task.group)}",
            "",
        ]
    return "\n".join(lines)
