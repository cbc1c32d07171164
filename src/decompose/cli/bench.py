"""``decompose bench``: run the targets under the same Locust load, side by side, and gate."""

from __future__ import annotations

import time
from pathlib import Path

import click

from decompose.errors import CheckFailed, InputError

DEFAULT_PROFILE = Path("benchmarks/profiles/default.toml")


@click.command("bench")
@click.option(
    "--target",
    "targets",
    multiple=True,
    metavar="NAME=MODULE:APP",
    help="An app to benchmark (repeat; default: the targets of the profile that name an app).",
)
@click.option(
    "--profile",
    "profile_path",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help=f"Profile TOML (default: {DEFAULT_PROFILE}).",
)
@click.option(
    "--gates",
    "gates_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Gates TOML to evaluate.",
)
@click.option(
    "--baseline",
    default=None,
    help="Target name, or a results JSON file (e.g. benchmarks/results/legacy-baseline.json), "
    "that relative gates compare with (default: the gates file's baseline).",
)
@click.option("--quick", is_flag=True, help="One short round per target, no capacity ramp.")
@click.option(
    "--capacity/--no-capacity",
    default=None,
    help="Run the capacity ramp (default: on in full runs).",
)
@click.option(
    "--workers",
    type=click.IntRange(min=0),
    default=0,
    help="Locust worker processes (distributed mode).",
)
@click.option(
    "--remote-workers",
    type=click.IntRange(min=0),
    default=0,
    help="Also wait for this many Locust workers started on other machines.",
)
@click.option(
    "--master-bind",
    default="127.0.0.1",
    show_default=True,
    help="Address the Locust master listens on.",
)
@click.option(
    "--master-port", type=int, default=0, help="Port of the Locust master (default: a free port)."
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "junit", "markdown"]),
    default="table",
    show_default=True,
)
@click.option(
    "--output",
    type=click.Path(path_type=Path, file_okay=False),
    help="Write bench.json, bench.xml, bench.md and bench.txt here (and logs under logs/).",
)
@click.option(
    "--root",
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    default=Path("."),
    help="Project root.",
)
@click.option(
    "--print-mix",
    is_flag=True,
    help="Print the mix generated from analyze's inventory as TOML, and exit.",
)
def bench(
    targets: tuple[str, ...],
    profile_path: Path | None,
    gates_path: Path | None,
    baseline: str | None,
    quick: bool,
    capacity: bool | None,
    workers: int,
    remote_workers: int,
    master_bind: str,
    master_port: int,
    fmt: str,
    output: Path | None,
    root: Path,
    print_mix: bool,
) -> None:
    """Benchmark targets side by side under the same Locust load, and check gates.

    Each target runs under gunicorn on a free loopback port, with a fresh seeded database,
    Redis and the upstream stand-in, as the profile describes. Exit 1 when a gate fails,
    2 when a target cannot be started or the input is wrong.
    """
    from decompose.bench import (
        BenchOptions,
        TargetSpec,
        apply_gates,
        load_gates,
        load_profile,
        read_results,
        render,
        run_bench,
        write_results,
    )
    from decompose.bench.mix import mix_as_toml, mix_from_inventory
    from decompose.bench.options import profile_targets
    from decompose.bench.profile import Task

    started = time.monotonic()
    root = root.resolve()
    path = profile_path or root / DEFAULT_PROFILE
    profile = load_profile(path if path.is_absolute() else Path.cwd() / path)
    specs = [TargetSpec.parse(text) for text in targets] or profile_targets(profile)
    if not specs:
        raise InputError(
            f"no target to benchmark: pass --target NAME=MODULE:APP or set app in "
            f"[targets.<name>] of {path}"
        )
    mix: tuple[Task, ...] = ()
    if print_mix or not profile.mix:
        mix = mix_from_inventory(root, specs[0].app)
        if print_mix:
            click.echo(mix_as_toml(mix), nl=False)
            return
    gates = load_gates(gates_path) if gates_path else None
    stored = read_results(Path(baseline)) if baseline and baseline.endswith(".json") else None
    options = BenchOptions(
        targets=specs,
        profile=profile,
        root=root,
        quick=quick,
        workers=workers,
        capacity=capacity,
        workdir=output / "logs" if output else None,
        master_bind=master_bind,
        master_port=master_port,
        remote_workers=remote_workers,
        mix=mix,
        progress=lambda message: click.echo(
            f"bench [{time.monotonic() - started:5.1f}s]: {message}", err=True
        ),
    )
    result = run_bench(options)
    if gates is not None:
        result = apply_gates(result, gates, stored or baseline)
    if output is not None:
        for written in write_results(result, output):
            click.echo(f"bench: wrote {written}", err=True)
    click.echo(render(result, fmt), nl=False)
    failed = [gate for gate in result.gates if gate.failed]
    if failed:
        raise CheckFailed(
            f"{len(failed)} of {len(result.gates)} gates failed; first: {failed[0].message}"
        )
