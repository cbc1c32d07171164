"""``decompose analyze``: inventory, dependency graph, domains and findings of a Flask app."""

from __future__ import annotations

import sys

import click

from decompose.errors import CheckFailed, InputError


@click.command("analyze")
@click.argument("path", type=click.Path(path_type=str))
@click.option("--format", "fmt", type=click.Choice(["terminal", "json", "markdown"]), default="terminal", show_default=True, help="Output format.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=str), help="Write the report to FILE (atomically) instead of stdout.")
@click.option("--fail-on", type=click.Choice(["info", "low", "medium", "high", "critical"], case_sensitive=False), help="Exit 1 when a finding at or above this severity exists.")
@click.option("--config", "config_path", type=click.Path(path_type=str), help="decompose.toml or pyproject.toml to use (default: the nearest one).")
@click.option("--no-cache", is_flag=True, help="Analyse from scratch and leave the cache alone.")
def analyze(path: str, fmt: str, output: str | None, fail_on: str | None, config_path: str | None, no_cache: bool) -> None:
    """Analyse the Flask app module (or package directory) at PATH."""
    from decompose.analysis import analyze as run
    from decompose.analysis import resolve_config
    from decompose.model import Severity
    from decompose.report import render, write_atomic

    config = resolve_config(path, config_path)
    try:
        result = run(path, config=config, use_cache=not no_cache)
    except RecursionError:
        raise InputError(f"{path}: nested too deeply to analyse; it looks generated.") from None
    if fmt == "terminal" and output is None:
        from rich.console import Console

        from decompose.report.terminal import print_summary

        print_summary(Console(), result)
    else:
        text = render(result, fmt)
        if output:
            write_atomic(output, text)
        else:
            sys.stdout.write(text)
    threshold = fail_on or config.analyze.fail_on
    if threshold:
        level = Severity.parse(threshold)
        hits = result.findings_at_least(level)
        if hits:
            raise CheckFailed(f"{len(hits)} finding(s) at or above {level} (first: {hits[0].location}: {hits[0].message}).")
