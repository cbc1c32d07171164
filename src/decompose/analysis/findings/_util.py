"""Helpers shared by the finding kinds."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from decompose.model import Location

if TYPE_CHECKING:
    from decompose.analysis.engine import Project
    from decompose.analysis.project import ParsedModule


def loc(module: ParsedModule, node: ast.AST) -> Location:
    return module.location(node)


def line(module: ParsedModule, node: ast.AST) -> str:
    return module.line_text(getattr(node, "lineno", 1)).strip()


def endpoints_reaching(p: Project, func: str) -> list[str]:
    """Endpoints whose handler reaches ``func`` (sorted)."""
    return p.endpoints_reaching(func)


def short(q: str) -> str:
    return q.replace(".<locals>.", ".")
