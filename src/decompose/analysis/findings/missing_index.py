"""Columns that queries filter or sort on, without an index."""

from __future__ import annotations

import ast
from collections import defaultdict
from collections.abc import Iterator
from typing import TYPE_CHECKING

from decompose.analysis.findings import FindingContext, register
from decompose.analysis.findings._util import line
from decompose.model import Finding, Location, Severity

if TYPE_CHECKING:
    from decompose.analysis.engine import Project


@register("missing_index", Severity.MEDIUM, "filtered or sorted column without an index")
def missing_index(ctx: FindingContext) -> Iterator[Finding]:
    p = ctx.project
    uses: dict[tuple[str, str], list[tuple[str, int, str]]] = defaultdict(list)
    for facts in p.facts.values():
        m = facts.func.module
        for site in facts.queries:
            for model_name, column, how in site.columns:
                uses[(model_name, column)].append((m.rel, getattr(site.node, "lineno", 0), how))
        # loading a relationship filters the target table on its foreign key to the owner
        loads = [(rr.model, rr.attr, rr.node) for rr in facts.rel_reads if rr.lazy in ("select", "True", "dynamic")]
        loads += [(q.via[0], q.via[1], q.node) for q in facts.queries if q.via is not None]
        for owner_q, attr, node in loads:
            for target_q, column in _fk_columns(p, owner_q, attr):
                uses[(target_q, column)].append((m.rel, getattr(node, "lineno", 0), "relationship loads"))
    for (model_q, column), sites in sorted(uses.items()):
        model = p.ctx.models.get(model_q)
        if model is None:
            continue
        owner = model
        for c in p.defs.mro(model_q):
            if c in p.ctx.models and column in p.ctx.models[c].columns:
                owner = p.ctx.models[c]
                break
        if column in owner.indexed or column in model.indexed:
            continue
        node = owner.columns[column]
        assert isinstance(node, ast.stmt)
        module = owner.cls.module
        places = sorted(set(sites))
        hows = sorted({h for _, _, h in places})
        fk = owner.foreign_keys.get(column)
        like_only = hows == ["like"]
        yield Finding(
            kind="missing_index",
            severity=Severity.LOW if like_only else Severity.MEDIUM,
            location=Location(module.rel, node.lineno, node.end_lineno or node.lineno, node.col_offset + 1),
            message=f"{model.name}.{column} is used in {', '.join(hows)} by {len(places)} "
            f"quer{'y' if len(places) == 1 else 'ies'} but has no index"
            + (f" (foreign key to {fk}; PostgreSQL does not index foreign keys)" if fk else ""),
            evidence=line(module, node),
            suggestion=(
                f"LIKE/contains searches are not helped by a B-tree index: use a trigram index (CREATE INDEX ix_{owner.table}_{column}_trgm ON {owner.table} USING gin ({column} gin_trgm_ops)) or full-text search"
                if like_only
                else f"add index=True to {model.name}.{column} (CREATE INDEX ix_{owner.table}_{column} ON {owner.table} ({column}))"
            ),
            details=(
                ("table", owner.table),
                ("column", column),
                ("used_at", ", ".join(f"{f}:{n}" for f, n, _ in places[:12]) + (" …" if len(places) > 12 else "")),
            ),
        )


def _fk_columns(p: Project, owner_q: str, attr: str) -> list[tuple[str, str]]:
    """Columns of the relationship's target holding a foreign key to the owner's table."""
    owner = p.ctx.models.get(owner_q)
    rel = owner.relationships.get(attr) if owner is not None else None
    if owner is None or rel is None:
        return []
    target = p.ctx.models.get(rel[0])
    if target is None:
        return []
    prefix = owner.table + "."
    return [(target.qualname, col) for col, ref in target.foreign_keys.items() if ref.startswith(prefix)]
