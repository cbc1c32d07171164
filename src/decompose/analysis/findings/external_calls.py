"""Synchronous calls to external services reachable from a request handler."""

from __future__ import annotations

from collections.abc import Iterator

from decompose.analysis.findings import FindingContext, register
from decompose.analysis.findings._util import line, loc, short
from decompose.analysis.functions import NETWORK_LABELS
from decompose.model import Finding, Severity


@register("sync_external_call", Severity.HIGH, "synchronous external call in a request")
def sync_external_call(ctx: FindingContext) -> Iterator[Finding]:
    p = ctx.project
    for r in p.routes:
        reach = p.reach_of(r.handler).functions
        for fq, chain in sorted(reach.items()):
            facts = p.facts.get(fq)
            if facts is None:
                continue
            m = facts.func.module
            for site in facts.io:
                if site.label not in NETWORK_LABELS:
                    continue
                has_timeout = site.timeout == "yes"
                severity = Severity.MEDIUM if has_timeout else Severity.HIGH
                if site.loops:
                    severity = Severity(min(Severity.CRITICAL, severity + 1))
                loop_note = " inside a loop" if site.loops else ""
                yield Finding(
                    kind="sync_external_call",
                    severity=severity,
                    location=loc(m, site.node),
                    message=f"{r.endpoint} waits on {site.callee}{loop_note} ({site.label}; timeout: {site.timeout})",
                    evidence=line(m, site.node),
                    suggestion=(
                        "set an explicit timeout and " if not has_timeout else ""
                    ) + "move the call out of the request (background job or queue), or cache its result",
                    endpoint=r.endpoint,
                    chain=(*(short(x) for x in chain), site.callee),
                    details=(("timeout", site.timeout), ("service", site.label), ("in_loop", "yes" if site.loops else "no")),
                )
