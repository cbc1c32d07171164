"""The Markdown report (``--format markdown``): for a pull request or a design document."""

from __future__ import annotations

from decompose.model import AnalysisResult


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", "<br>")


def render(result: AnalysisResult, **_: object) -> str:
    inv = result.inventory
    plan = result.domains
    lines = [f"# decompose analyze: `{inv.entry}`", ""]
    lines.append(
        f"App `{inv.app_name}`, {len(inv.files)} files, {len(inv.routes)} routes, {len(inv.models)} models, "
        f"data layer {inv.data_layer}. Domains from {plan.source}"
        + (f" (`{result.config_file}`)" if result.config_file else "") + "."
    )
    lines.append("")
    for note in inv.notes:
        lines.append(f"> {note}")
    sizes = {d: (n, lines_) for d, n, lines_ in plan.quality.sizes}
    lines += ["## Domains", ""]
    for domain in [*plan.domains, None]:
        routes = [r for r in inv.routes if r.domain == domain]
        if not routes:
            continue
        lines.append(f"### {domain or 'no domain'} ({len(routes)} routes, {sizes.get(domain or '', (0, 0))[1]} lines)")
        lines.append("")
        lines.append("| methods | rule | endpoint | handler | writes | external I/O |")
        lines.append("|---|---|---|---|---|---|")
        for r in routes:
            methods = ", ".join(m for m in r.methods if m not in ("HEAD", "OPTIONS"))
            lines.append(
                f"| {methods} | `{_cell(r.rule)}` | {r.endpoint} | `{r.location.file}:{r.location.line}` | "
                f"{', '.join(r.writes_models)} | {', '.join(sorted({x.split(':')[0] for x in r.external_io}))} |"
            )
        lines.append("")
    shared = [a for a in plan.assignments if a.shared]
    if shared:
        lines += ["### shared kernel", ""]
        for a in shared:
            lines.append(f"- `{a.qualname}`: {a.rationale}")
        lines.append("")
    q = plan.quality
    lines += ["## Where the split is weak", ""]
    lines.append(f"- cross-domain calls: {len(q.cross_domain_edges)}")
    for s, sd, t, td in q.cross_domain_edges:
        lines.append(f"  - `{s}` ({sd}) → `{t}` ({td})")
    lines.append(f"- helpers shared by several domains: {len(q.shared_helpers)}")
    for h, ds in q.shared_helpers:
        lines.append(f"  - `{h}`: {', '.join(ds)}")
    lines.append(f"- models written by several domains: {len(q.ownership_conflicts)}")
    for m, ds in q.ownership_conflicts:
        lines.append(f"  - {m}: {', '.join(ds)}")
    lines.append("")
    lines += [f"## Findings ({len(result.findings)})", ""]
    for f in result.findings:
        lines.append(f"### {f.severity} · {f.kind} · `{f.location}`")
        lines.append("")
        lines.append(f.message + ".")
        if f.chain:
            lines.append("")
            lines.append("Call chain: " + " → ".join(f"`{c}`" for c in f.chain))
        if f.evidence:
            lines += ["", "```python", f.evidence, "```"]
        if f.suggestion:
            lines += ["", f"Suggested fix: {f.suggestion}."]
        lines.append("")
    if inv.unhandled:
        lines += [f"## Not analysed ({len(inv.unhandled)})", ""]
        for u in inv.unhandled:
            lines.append(f"- `{u.location}`: {u.reason}")
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"
