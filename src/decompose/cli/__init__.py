"""The ``decompose`` command line: a click group whose subcommands load lazily.

Each subcommand lives in its own module (``decompose.cli.<name>``) and is thin: it parses
options, calls a library function, renders, and exits. Heavy imports (locust, gevent, libcst)
happen inside the command that needs them, so ``decompose --help`` stays instant.

Exit codes: 0 ok, 1 a check or gate failed, 2 usage or input error.
"""

from __future__ import annotations

import importlib
import sys
import traceback
from typing import Any

import click

from decompose import __version__
from decompose.errors import DecomposeError

#: command name -> (module, attribute, one-line help shown by ``decompose --help``)
COMMANDS: dict[str, tuple[str, str, str]] = {
    "analyze": ("decompose.cli.analyze", "analyze", "Inventory, dependency graph, domains and findings."),
    "extract": ("decompose.cli.extract", "extract", "Generate blueprints, services and a shared kernel."),
    "verify": ("decompose.cli.verify", "verify", "Prove a migration step changed nothing."),
    "bench": ("decompose.cli.bench", "bench", "Locust benchmarks side by side, gated on metrics."),
}


class LazyGroup(click.Group):
    """A group that imports a subcommand's module only when that subcommand runs."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module_name, attr, _ = COMMANDS[cmd_name]
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:  # a command not built yet in this checkout
            if exc.name != module_name:
                raise
            return None
        command: click.Command = getattr(module, attr)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, COMMANDS[name][2]) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except DecomposeError as exc:
            debug = bool(ctx.obj and ctx.obj.get("debug"))
            if debug:
                traceback.print_exc()
            click.echo(f"decompose: error: {exc}", err=True)
            ctx.exit(exc.exit_code)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="decompose")
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """Migrate a Flask monolith into a modular architecture, safely and measurably."""
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug


def is_debug(ctx: click.Context | None = None) -> bool:
    """True when the top-level ``--debug`` flag was given."""
    ctx = ctx or click.get_current_context(silent=True)
    while ctx is not None:
        if isinstance(ctx.obj, dict) and "debug" in ctx.obj:
            return bool(ctx.obj["debug"])
        ctx = ctx.parent
    return False


def run() -> None:  # pragma: no cover - console entry point
    sys.exit(main())
