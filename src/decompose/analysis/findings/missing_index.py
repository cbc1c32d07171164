"""Columns that queries filter or sort on, without an index."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from decompose.analysis.findings import FindingContext, register
from decompose.analysis.findings._util import line
from decompose.model import Finding, Location, Severity


@register("missing_index", Severity.MEDIUM, "filtered or sorted column without an index")
def missing_index(ctx: FindingContext) -> Iterator[Finding]:
    p = ctx.project
    uses: dict[tuple[str, str], list[tuple[str, int, str]]] = defaultdict(list)
    for facts in p.facts.values():
        m = facts.func.module
        for site in facts.queries:
            for model, column, how in site.columns:
                uses[(model, column)].append((m.rel, site.node.lineno, how))
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
