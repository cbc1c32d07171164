"""Domains: how routes and helpers are split, why, and how clean the split is."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DomainAssignment:
    """One function (view or helper) placed in one domain, with a one-line rationale."""

    qualname: str
    domain: str
    rationale: str
    shared: bool = False  # True when it belongs to the shared kernel


@dataclass(frozen=True)
class PartitionQuality:
    cross_domain_edges: tuple[tuple[str, str, str, str], ...] = ()  # (src, src_dom, dst, dst_dom)
    shared_helpers: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (helper, domains using it)
    ownership_conflicts: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (model, writer domains)
    sizes: tuple[tuple[str, int, int], ...] = ()  # (domain, routes, lines)


@dataclass(frozen=True)
class DomainPlan:
    """The domain split: from config (``source == "config"``) or proposed by clustering."""

    domains: tuple[str, ...]
    assignments: tuple[DomainAssignment, ...]
    source: str = "proposal"  # config | proposal
    quality: PartitionQuality = PartitionQuality()

    def domain_of(self, qualname: str) -> str | None:
        for a in self.assignments:
            if a.qualname == qualname:
                return a.domain
        return None
