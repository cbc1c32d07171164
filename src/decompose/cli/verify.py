"""``decompose verify``: compare a baseline app with a candidate (URL maps + differential replay)."""

from __future__ import annotations

from pathlib import Path

import click

from decompose.errors import CheckFailed, InputError


@click.command("verify")
@click.option("--baseline", metavar="MODULE:ATTR", help="The app as it was (default: config).")
@click.option("--candidate", metavar="MODULE:ATTR", help="The app as it is now (default: config).")
@click.option(
    "--scenarios",
    "scenario_files",
    multiple=True,
    type=click.Path(dir_okay=False),
    help="Scenario file (.yaml, .json, or recorded .jsonl); repeatable. Default: config.",
)
@click.option(
    "--http",
    nargs=2,
    metavar="BASE_URL_A BASE_URL_B",
    help="Compare two running servers (baseline, candidate) instead of import strings.",
)
@click.option("--secondary", metavar="BASE_URL", help="With --http: a second baseline server, for noise in writes.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "junit"]),
    default="table",
    show_default=True,
)
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write the report (or generated corpus) here.")
@click.option("--config", "config_file", type=click.Path(dir_okay=False), help="A TOML file with [tool.decompose.verify].")
@click.option("--seed", type=int, help="Seed for random in every target (default: config, else 0).")
@click.option("--require-coverage", is_flag=True, help="Exit 1 when a baseline route is not covered.")
@click.option("--generate", is_flag=True, help="Write a starter corpus from analyze's inventory and exit.")
@click.option("--app", "app_path", type=click.Path(), help="With --generate: the module to analyze (default: config).")
@click.option("--record", "record_file", type=click.Path(dir_okay=False), help="Serve the baseline and record its traffic to FILE (JSON lines).")
@click.option("--port", type=int, default=5000, show_default=True, help="With --record: port on 127.0.0.1.")
def verify(
    baseline: str | None,
    candidate: str | None,
    scenario_files: tuple[str, ...],
    http: tuple[str, str] | None,
    secondary: str | None,
    fmt: str,
    output: str | None,
    config_file: str | None,
    seed: int | None,
    require_coverage: bool,
    generate: bool,
    app_path: str | None,
    record_file: str | None,
    port: int,
) -> None:
    """Prove that a migration step changed nothing.

    Compares the URL maps of BASELINE and CANDIDATE, then replays scenarios on the baseline twice
    (to learn what is noise) and on the candidate once, each in its own process with its own
    database. Exit 0 when they answer the same, 1 on a real difference, 2 when it cannot run.
    """
    import dataclasses

    from decompose.verify import config as config_mod

    config = config_mod.load(config_file)
    if seed is not None:
        config = dataclasses.replace(config, seed=seed)
    if generate:
        _generate(config, app_path, output)
        return
    baseline = baseline or config.baseline
    candidate = candidate or config.candidate
    if record_file:
        _record(baseline, record_file, port)
        return
    if http is None and (not baseline or not candidate):
        raise InputError(
            "Give --baseline and --candidate (import strings like legacy.app:app), set them in "
            "[tool.decompose.verify], or use --http BASE_URL_A BASE_URL_B."
        )
    from decompose.verify import runner, scenario
    from decompose.verify.render import RENDERERS, summary

    files = scenario_files or tuple(
        str(Path(config.project) / f) for f in config.scenarios
    )
    if not files:
        raise InputError(
            "No scenarios to replay: give --scenarios FILE, set scenarios in "
            "[tool.decompose.verify], or write a starter corpus with --generate."
        )
    corpus = scenario.load_all(files)
    report = runner.run(
        corpus,
        config,
        baseline=baseline or "",
        candidate=candidate or "",
        http=tuple(http) if http else None,  # type: ignore[arg-type]
        secondary_url=secondary,
    )
    text = RENDERERS[fmt](report)
    if output:
        from decompose.verify.io import write_text

        write_text(output, text)
        click.echo(summary(report))
    else:
        click.echo(text, nl=False)
    if not report.passed:
        differing = len(report.differing)
        raise CheckFailed(
            f"baseline and candidate differ ({differing} endpoints differ or fail, "
            f"{len(report.url_map)} URL-map differences); see the report."
        )
    if require_coverage and report.uncovered:
        raise CheckFailed(
            f"{len(report.uncovered)} baseline routes are not covered by any step "
            f"(first: {report.uncovered[0]}); add steps or drop --require-coverage."
        )


def _generate(config: object, app_path: str | None, output: str | None) -> None:
    from decompose.verify.config import VerifyConfig
    from decompose.verify.generate import generate
    from decompose.verify.scenario import dump

    assert isinstance(config, VerifyConfig)
    target = app_path or config.generate.app
    if not target:
        raise InputError(
            "--generate needs the module to analyze: give --app PATH or set "
            "[tool.decompose.verify.generate] app."
        )
    path = Path(target)
    if not path.is_absolute() and app_path is None:
        path = Path(config.project) / path
    try:
        from decompose.analysis import analyze
    except ImportError:
        raise InputError("--generate needs decompose analyze, which is not installed in this checkout.") from None
    result = analyze(path)
    corpus = generate(result.inventory, config.generate)
    text = dump(corpus)
    destination = output or (
        str(Path(config.project) / config.generate.output) if config.generate.output else None
    )
    if destination:
        from decompose.verify.io import write_text

        write_text(destination, text)
        click.echo(
            f"Wrote {corpus.step_count} steps in {len(corpus.scenarios)} scenarios to {destination}."
        )
    else:
        click.echo(text, nl=False)


def _record(baseline: str | None, record_file: str, port: int) -> None:
    if not baseline:
        raise InputError("--record needs the app to serve: give --baseline MODULE:ATTR.")
    import sys

    from werkzeug.serving import run_simple

    from decompose.errors import TargetError
    from decompose.verify.record import record_app

    if "" not in sys.path and "." not in sys.path:
        sys.path.insert(0, "")
    try:
        app = record_app(baseline, record_file)
    except Exception as exc:
        raise TargetError(f"Cannot import {baseline}: {type(exc).__name__}: {exc}.") from exc
    click.echo(f"Recording requests to http://127.0.0.1:{port} into {record_file}; Ctrl-C stops.", err=True)
    run_simple("127.0.0.1", port, app, use_reloader=False, threaded=True)
