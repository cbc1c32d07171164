"""Where the domain split is weak: routes without a domain, models with several writers."""

from __future__ import annotations

from collections.abc import Iterator

from decompose.analysis.findings import FindingContext, register
from decompose.model import Finding, Severity


@register("domain.unassigned_route", Severity.MEDIUM, "route no domain pattern matches")
def unassigned_route(ctx: FindingContext) -> Iterator[Finding]:
    if ctx.plan.source != "config":
        return
    for r in ctx.inventory.routes:
        if r.domain is None:
            yield Finding(
                kind="domain.unassigned_route",
                severity=Severity.MEDIUM,
                location=r.location,
                message=f"{' '.join(m for m in r.methods if m not in ('HEAD', 'OPTIONS'))} {r.rule} ({r.endpoint}) matches no domain of the config",
                evidence=f"{r.registration.file}:{r.registration.line}",
                suggestion="add its rule or handler to the [domains.<name>] it belongs to",
                endpoint=r.endpoint,
            )


@register("domain.ownership_conflict", Severity.LOW, "model written by several domains")
def ownership_conflict(ctx: FindingContext) -> Iterator[Finding]:
    models = {m.name: m for m in ctx.inventory.models}
    for model, domains in ctx.plan.quality.ownership_conflicts:
        info = models.get(model)
        if info is None:
            continue
        writers = [
            f"{r.endpoint} ({r.domain})" for r in ctx.inventory.routes if model in r.writes_models and r.domain
        ]
        yield Finding(
            kind="domain.ownership_conflict",
            severity=Severity.LOW,
            location=info.location,
            message=f"{model} is written by {len(domains)} domains ({', '.join(domains)}): no single owner",
            evidence="\n".join(writers[:8]) + ("\n…" if len(writers) > 8 else ""),
            suggestion=f"let one domain own {model} and expose the writes the others need as functions of its services module",
            details=(("domains", ", ".join(domains)),),
        )
