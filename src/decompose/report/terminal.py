"""The rich terminal summary: app, per-domain route tables, split quality, findings."""

from __future__ import annotations

from io import StringIO

from rich.console import Console
from rich.table import Table
from rich.text import Text

from decompose.model import AnalysisResult, Severity

COLORS = {
    Severity.CRITICAL: "bold red",
    Severity.HIGH: "red",
    Severity.MEDIUM: "yellow",
    Severity.LOW: "cyan",
    Severity.INFO: "dim",
}


def render(result: AnalysisResult, *, width: int = 120, color: bool = False, max_findings: int = 60, **_: object) -> str:
    out = StringIO()
    console = Console(file=out, width=width, force_terminal=color, color_system="standard" if color else None, highlight=False)
    print_summary(console, result, max_findings=max_findings)
    return out.getvalue()


def print_summary(console: Console, result: AnalysisResult, *, max_findings: int = 60) -> None:
    inv = result.inventory
    plan = result.domains
    console.print(Text(f"decompose analyze: {inv.entry}", style="bold"))
    console.print(
        f"app '{inv.app_name}'" + (f" (made in {inv.app_factory})" if inv.app_factory else "")
        + f", {len(inv.files)} files, {len(inv.routes)} routes, {len(inv.models)} models, "
        f"data layer {inv.data_layer}; domains from {plan.source}"
        + (f" ({result.config_file})" if result.config_file else "")
    )
    for note in inv.notes:
        console.print(f"note: {note}", style="yellow")
    sizes = {d: (n, lines) for d, n, lines in plan.quality.sizes}
    for domain in [*plan.domains, None]:
        routes = [r for r in inv.routes if r.domain == domain]
        if not routes:
            continue
        title = f"{domain}: {len(routes)} routes, {sizes.get(domain, (0, 0))[1]} lines" if domain else f"no domain: {len(routes)} routes"
        table = Table(title=title, title_justify="left", show_lines=False, expand=False)
        table.add_column("methods", overflow="fold")
        table.add_column("rule", overflow="fold")
        table.add_column("endpoint", overflow="fold")
        table.add_column("where", overflow="fold")
        table.add_column("writes", overflow="fold")
        table.add_column("I/O", overflow="fold")
        for r in routes:
            methods = ",".join(m for m in r.methods if m not in ("HEAD", "OPTIONS")) or ",".join(r.methods)
            table.add_row(
                methods,
                r.rule,
                r.endpoint,
                f"{r.location.file}:{r.location.line}",
                ", ".join(r.writes_models),
                ", ".join(sorted({x.split(":")[0] for x in r.external_io})),
            )
        console.print(table)
    q = plan.quality
    console.print(Text("split quality", style="bold"))
    console.print(
        f"  cross-domain calls: {len(q.cross_domain_edges)}; helpers shared by several domains: "
        f"{len(q.shared_helpers)}; models written by several domains: {len(q.ownership_conflicts)}"
    )
    for model, doms in q.ownership_conflicts:
        console.print(f"  {model} written by {', '.join(doms)}")
    for src, sd, dst, dd in q.cross_domain_edges[:15]:
        console.print(f"  {src} ({sd}) -> {dst} ({dd})")
    if len(q.cross_domain_edges) > 15:
        console.print(f"  … {len(q.cross_domain_edges) - 15} more cross-domain calls (see --format json)")
    if result.findings:
        table = Table(title=f"findings: {len(result.findings)}", title_justify="left")
        table.add_column("severity")
        table.add_column("kind", overflow="fold")
        table.add_column("where", overflow="fold")
        table.add_column("what", overflow="fold")
        for f in result.findings[:max_findings]:
            table.add_row(Text(str(f.severity), style=COLORS[f.severity]), f.kind, str(f.location), f.message)
        console.print(table)
        if len(result.findings) > max_findings:
            console.print(f"… {len(result.findings) - max_findings} more findings (see --format json or markdown)")
    if inv.unhandled:
        console.print(Text(f"not analysed: {len(inv.unhandled)}", style="bold yellow"))
        for u in inv.unhandled[:20]:
            console.print(f"  {u.location}: {u.reason}")
