"""Finding kinds: a registry, one module per family of kinds.

A kind is registered with :func:`register` (name, default severity, one-line title) on a check
function ``check(ctx) -> Iterable[Finding]``. :func:`run_findings` runs every registered check
not disabled in ``[analyze] disable`` and returns the findings in a deterministic order. Adding
a kind is: a new module here, listed in :data:`MODULES`, and a test.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from decompose.model import DomainPlan, Finding, Inventory, Severity

if TYPE_CHECKING:
    from decompose.analysis.engine import Project

MODULES = (
    "n_plus_one",
    "external_calls",
    "cacheable",
    "missing_index",
    "pool_settings",
    "import_time_io",
    "print_logging",
    "broad_except",
    "process_state",
    "partition",
)


@dataclass(frozen=True)
class FindingContext:
    project: Project
    inventory: Inventory
    plan: DomainPlan


Check = Callable[[FindingContext], Iterable[Finding]]


@dataclass(frozen=True)
class FindingKind:
    name: str
    severity: Severity
    title: str
    check: Check


REGISTRY: dict[str, FindingKind] = {}


def register(name: str, severity: Severity, title: str) -> Callable[[Check], Check]:
    def wrap(check: Check) -> Check:
        REGISTRY[name] = FindingKind(name, severity, title, check)
        return check

    return wrap


def load_kinds() -> dict[str, FindingKind]:
    for module in MODULES:
        importlib.import_module(f"{__name__}.{module}")
    return REGISTRY


def run_findings(p: Project, inventory: Inventory, plan: DomainPlan) -> tuple[Finding, ...]:
    ctx = FindingContext(p, inventory, plan)
    disabled = set(p.config.analyze.disable)
    found: dict[tuple[object, ...], Finding] = {}
    for name, kind in sorted(load_kinds().items()):
        if name in disabled or name.split(".")[0] in disabled:
            continue
        for f in kind.check(ctx):
            key = (f.kind, f.location.file, f.location.line, f.endpoint, f.message)
            found.setdefault(key, f)
    return tuple(
        sorted(
            found.values(),
            key=lambda f: (-f.severity, f.kind, f.location.file, f.location.line, f.location.column, f.endpoint or "", f.message),
        )
    )
