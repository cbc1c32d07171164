"""The top-level command group: version, help, lazy subcommands, error handling."""

from __future__ import annotations

import subprocess
import sys

import click
import pytest
from click.testing import CliRunner

from decompose import __version__
from decompose.cli import COMMANDS, LazyGroup, main
from decompose.errors import CheckFailed, InputError


def test_version() -> None:
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0
    assert __version__ in result.output


def test_help_lists_every_command() -> None:
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    for name in COMMANDS:
        assert name in result.output


def test_help_does_not_import_heavy_libraries() -> None:
    code = (
        "import sys; from decompose.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('locust', 'gevent', 'libcst', 'networkx', 'flask') if m in sys.modules]\n"
        "print('heavy=' + ','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "heavy="


def test_unknown_command_is_a_usage_error() -> None:
    result = CliRunner().invoke(main, ["no-such-command"])
    assert result.exit_code == 2


@pytest.mark.parametrize(("error", "code"), [(InputError("bad input"), 2), (CheckFailed("gate missed"), 1)])
def test_decompose_errors_become_one_line_and_exit_code(error: Exception, code: int) -> None:
    @click.group(cls=LazyGroup)
    @click.option("--debug", is_flag=True)
    @click.pass_context
    def group(ctx: click.Context, debug: bool) -> None:
        ctx.ensure_object(dict)["debug"] = debug

    @group.command("boom")
    def boom() -> None:
        raise error

    # LazyGroup only lists COMMANDS; reach the test command through click's base lookup.
    group.get_command = lambda ctx, name: boom if name == "boom" else None  # type: ignore[method-assign]
    result = CliRunner().invoke(group, ["boom"])
    assert result.exit_code == code
    assert result.output.strip() == f"decompose: error: {error}"
    assert "Traceback" not in result.output

    debug_result = CliRunner().invoke(group, ["--debug", "boom"])
    assert debug_result.exit_code == code
    assert "Traceback" in debug_result.output
