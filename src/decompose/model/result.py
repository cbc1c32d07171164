"""The result of ``decompose analyze``: what every other command builds on."""

from __future__ import annotations

from dataclasses import dataclass

from decompose.model.domains import DomainPlan
from decompose.model.findings import Finding, Severity
from decompose.model.inventory import Inventory

#: Version of the JSON report and of the cached result; bump on any incompatible change.
SCHEMA_VERSION = 1


@dataclass(frozen=True)
class AnalysisResult:
    """Inventory, domain plan and findings of one Flask project, in a deterministic order."""

    inventory: Inventory
    domains: DomainPlan
    findings: tuple[Finding, ...] = ()
    schema_version: int = SCHEMA_VERSION
    config_file: str | None = None  # the config the domains came from, relative to the root

    def findings_at_least(self, severity: Severity) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity >= severity)
