"""``decompose extract``: thin wrapper over :func:`decompose.extract.extract`."""

from __future__ import annotations

import click


@click.command("extract")
@click.argument("app", type=click.Path(path_type=str))
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=str), help="Output directory DIR.")
@click.option("--in-place", is_flag=True, help="Write the package beside APP; APP becomes a compatibility layer.")
@click.option("--config", type=click.Path(dir_okay=False, path_type=str), help="decompose.toml or pyproject.toml.")
@click.option("--package", default="webapp", show_default=True, help="Name of the generated package.")
@click.option("--dry-run", is_flag=True, help="Print the plan and unified diffs; write nothing.")
@click.option("--check", is_flag=True, help="Exit 1 if DIR differs from what extract generates (for CI).")
@click.option("--force", is_flag=True, help="Write into a DIR holding files decompose did not generate (they are kept).")
@click.option("--no-import-check", is_flag=True, help="Skip importing the apps to compare url_maps.")
def extract(
    app: str,
    out: str | None,
    in_place: bool,
    config: str | None,
    package: str,
    dry_run: bool,
    check: bool,
    force: bool,
    no_import_check: bool,
) -> None:
    """Generate blueprints, services and a shared kernel from the Flask module APP."""
    from decompose.errors import CheckFailed, InputError
    from decompose.extract import diffs
    from decompose.extract import extract as run
    from decompose.extract.render import render_outcome, render_plan

    if dry_run and check:
        raise InputError("--dry-run and --check exclude each other; use one.")
    if in_place:
        if out:
            raise InputError("--in-place writes beside APP; drop --out.")
        from decompose.extract.inplace import extract_in_place

        result = extract_in_place(
            app, config=config, package=package, mode="dry_run" if dry_run else "check" if check else "write",
            force=force, import_check=not no_import_check,
        )
    else:
        if not out:
            raise InputError("give --out DIR (or --in-place).")
        mode = "dry_run" if dry_run else "check" if check else "write"
        result = run(app, out=out, mode=mode, config=config, package=package, force=force, import_check=not no_import_check)
    if result.mode == "dry_run":
        click.echo(render_plan(result), nl=False)
        click.echo(diffs(result), nl=False)
        return
    click.echo(render_outcome(result), nl=False)
    if result.mode == "check" and result.changed:
        raise CheckFailed(f"{result.out} is out of date; run the same command without --check.")
