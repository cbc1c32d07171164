"""Text renderings of an extraction: the plan (what moves where, per domain) and the outcome."""

from __future__ import annotations

from collections import defaultdict

from decompose.model.extraction import ExtractionResult


def render_plan(result: ExtractionResult) -> str:
    plan = result.plan
    lines = [f"extract {plan.source} -> {result.out or '.'}/{plan.package} ({len(plan.domains)} domains)"]
    by_target: dict[str, list[str]] = defaultdict(list)
    for move in plan.moves:
        by_target[move.target].append(f"{move.name} [{move.kind}] {move.location}")
    for target in sorted(by_target):
        lines.append(f"  {target}")
        lines.extend(f"    {item}" for item in by_target[target])
    if plan.copied:
        lines.append("  copied into the shared kernel:")
        lines.extend(f"    {old} -> {new}" for old, new in plan.copied)
    if plan.renames:
        lines.append(f"  endpoint renames: {len(plan.renames)} (x -> domain.x)")
    if plan.blocking_shared:
        lines.append("  shared code that blocks a clean split (used by several domains):")
        lines.extend(f"    {name}: {', '.join(domains)}" for name, domains in plan.blocking_shared)
    lines.extend(render_kept(result))
    if plan.notes:
        lines.append("  notes:")
        lines.extend(f"    {note}" for note in plan.notes)
    return "\n".join(lines) + "\n"


def render_kept(result: ExtractionResult) -> list[str]:
    if not result.plan.kept:
        return []
    lines = ["  kept as-is (not moved safely):"]
    lines.extend(f"    {k.location}: {k.reason} -> {k.target}" for k in result.plan.kept)
    return lines


def render_outcome(result: ExtractionResult) -> str:
    plan = result.plan
    lines: list[str] = []
    if result.mode == "in_place" and not result.files:
        lines.extend(plan.notes)
    elif result.mode == "in_place":
        lines.append(
            f"extracted {plan.source} in place into {result.out}/{plan.package}: {len(plan.domains)} domains "
            f"({', '.join(plan.domains)}), {len(plan.renames)} endpoints renamed; {plan.source} is now a "
            "compatibility layer"
        )
        lines.append(f"self-check: {result.self_check}")
    elif result.mode == "write":
        lines.append(
            f"extracted {plan.source} into {result.out}/{plan.package}: {len(plan.domains)} domains "
            f"({', '.join(plan.domains)}), {len(plan.renames)} endpoints renamed, "
            f"{len(result.changed)} file(s) changed"
        )
        lines.append(f"self-check: {result.self_check}")
        if plan.blocking_shared:
            lines.append(
                f"{len(plan.blocking_shared)} shared name(s) are used by several domains and block a clean "
                "split; --dry-run lists them"
            )
    elif result.mode == "check":
        if result.changed:
            lines.append(f"{result.out} differs from what extract generates ({len(result.changed)} file(s)):")
            lines.extend(f"  {path}" for path in result.changed)
        else:
            lines.append(f"{result.out} is up to date")
    lines.extend(render_kept(result))
    if result.mode in {"write", "in_place"} and result.files and plan.notes:
        lines.append("  notes:")
        lines.extend(f"    {note}" for note in plan.notes)
    for use in result.monkeypatches:
        lines.append(f"  monkeypatch no longer effective: {use.location}: {use.target} (now in {use.moved_to})")
    return "\n".join(lines) + "\n"
