"""One error hierarchy for everything decompose reports to a user.

Each message is one plain sentence that names the file, line or config key, what was found,
and what to do. The CLI turns a ``DecomposeError`` into exit code 2 (``InputError``, usage
and input problems) or 1 (``CheckFailed``, a gate or comparison that did not pass), with a
traceback only under ``--debug``.
"""

from __future__ import annotations


class DecomposeError(Exception):
    """Base class: an expected failure with a message meant for the user."""

    exit_code = 2


class InputError(DecomposeError):
    """The input cannot be used: missing file, syntax error, non-Flask module, bad encoding."""

    exit_code = 2


class ConfigError(InputError):
    """A configuration file or key is wrong; the message names the key path."""


class OutputError(InputError):
    """The output location cannot be written safely (e.g. it holds files decompose did not make)."""


class TargetError(InputError):
    """An app to verify or benchmark cannot be imported or started."""


class CheckFailed(DecomposeError):
    """A check ran and failed: differences found, a gate missed, --check found drift."""

    exit_code = 1
